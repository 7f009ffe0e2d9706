// run.xmf checked two ways: parsed with Python's ElementTree (every HDF5 reference resolved with h5py), and
// opened in ParaView (pvpython) to read back what a user would see: time steps, cells, points, bounds, ranges.
#include <gtest/gtest.h>
#include <mpi.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "measureflow/io/xdmf.hpp"

namespace fs = std::filesystem;
using namespace mf::io;

namespace {

struct TempDir {
  fs::path path;
  explicit TempDir(const std::string& tag)
      : path(fs::temp_directory_path() / ("mf_io_" + tag + "_" + std::to_string(getpid()))) {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() {
    if (!std::getenv("MF_IO_DEBUG")) fs::remove_all(path);
  }
};

// Runs a shell command and returns its stdout; the exit status goes to `status`.
std::string run(const std::string& command, int& status) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) { status = -1; return out; }
  char buf[4096];
  std::size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  status = pclose(pipe);
  return out;
}

double density_at(const GridInfo& g, long long flat, double t) { return 1.0 + 0.01 * flat + t; }

// Writes fields (all cells from this single rank) and particles at the given times.
struct Written {
  GridInfo grid;
  int pdim;
  long long n_particles;
  std::unique_ptr<FieldFileWriter> fields;
  std::unique_ptr<ParticleFileWriter> particles;
};

void write_case(Written& w, const fs::path& dir, const std::vector<double>& grid_times,
                const std::vector<double>& particle_times) {
  RunInfo run;
  run.version = "test";
  w.fields = std::make_unique<FieldFileWriter>(MPI_COMM_SELF, (dir / "data" / "fields.h5").string(), run, w.grid);
  w.particles =
      std::make_unique<ParticleFileWriter>(MPI_COMM_SELF, (dir / "data" / "particles.h5").string(), run, w.pdim);
  long long cells = 1;
  for (auto c : w.grid.cells) cells *= c;
  GridBlock all{std::vector<long long>(w.grid.dim, 0), w.grid.cells};
  for (double t : grid_times) {
    std::vector<double> rho(cells);
    for (long long i = 0; i < cells; ++i) rho[i] = density_at(w.grid, i, t);
    w.fields->write_snapshot(t, all, {{"density", rho.data()}, {"velocity_x", rho.data()}});
  }
  for (double t : particle_times) {
    std::vector<double> x, wts;
    std::vector<std::int64_t> ids;
    for (long long i = 0; i < w.n_particles; ++i) {
      for (int a = 0; a < w.pdim; ++a) x.push_back(w.grid.lower[a] + (i + 0.5) / w.n_particles * (w.grid.upper[a] - w.grid.lower[a]));
      wts.push_back((i + 1.0) / (w.n_particles * (w.n_particles + 1) / 2.0));
      ids.push_back(i);
    }
    w.particles->write_snapshot(t, w.n_particles, x.data(), wts.data(), ids.data());
  }
  w.fields->finish();
  w.particles->finish();
  write_xdmf((dir / "run.xmf").string(), w.fields.get(), w.particles.get());
}

const char* kParseScript = R"PY(
import sys, json, os, xml.etree.ElementTree as ET, h5py
xmf = sys.argv[1]
folder = os.path.dirname(os.path.abspath(xmf))
top = ET.parse(xmf).getroot().find('Domain').find('Grid')
def item(di):
    d = {"dims": [int(v) for v in di.get('Dimensions').split()], "format": di.get('Format'),
         "number_type": di.get('NumberType'), "precision": di.get('Precision')}
    text = di.text.strip()
    if d["format"] == 'HDF':
        f, p = text.split(':', 1)
        d["file"], d["path"] = f, p
        with h5py.File(os.path.join(folder, f), 'r') as h:
            d["shape"] = list(h[p].shape)
    else:
        d["values"] = [float(v) for v in text.split()]
    return d
out = {"type": top.get('GridType'), "collection": top.get('CollectionType'), "steps": []}
for step in top.findall('Grid'):
    s = {"type": step.get('GridType'), "collection": step.get('CollectionType'),
         "time": float(step.find('Time').get('Value')), "grids": {}}
    for g in step.findall('Grid'):
        t, geo = g.find('Topology'), g.find('Geometry')
        s["grids"][g.get('Name')] = {
            "topology": t.get('TopologyType'),
            "topology_dims": [int(v) for v in t.get('Dimensions', '').split()],
            "elements": int(t.get('NumberOfElements', '-1')),
            "topology_items": [item(di) for di in t.findall('DataItem')],
            "geometry": geo.get('GeometryType'),
            "geometry_items": [item(di) for di in geo.findall('DataItem')],
            "attributes": {a.get('Name'): dict(center=a.get('Center'), **item(a.find('DataItem')))
                           for a in g.findall('Attribute')}}
    out["steps"].append(s)
print(json.dumps(out))
)PY";

YAML::Node parse_xdmf(const fs::path& dir) {
  std::ofstream(dir / "parse.py") << kParseScript;
  int status = 0;
  std::string json = run("/usr/bin/python3 " + (dir / "parse.py").string() + " " + (dir / "run.xmf").string(), status);
  EXPECT_EQ(status, 0) << json;
  return YAML::Load(json);
}

std::vector<double> doubles(const YAML::Node& n) { return n.as<std::vector<double>>(); }
std::vector<long long> ints(const YAML::Node& n) { return n.as<std::vector<long long>>(); }

// The grid entry of one step against the GridInfo it came from.
void check_grid(const YAML::Node& g, const GridInfo& info, const std::string& group) {
  EXPECT_EQ(g["topology"].as<std::string>(), "3DCoRectMesh");
  EXPECT_EQ(g["geometry"].as<std::string>(), "ORIGIN_DXDYDZ");
  std::vector<long long> points, cells, shape;
  std::vector<double> origin, spacing;
  double thickness = 1e300;
  for (int a = 0; a < info.dim; ++a) thickness = std::min(thickness, (info.upper[a] - info.lower[a]) / info.cells[a]);
  for (int a = 2; a >= 0; --a) {  // slowest first: z y x; absent axes are one cell thick, centred on 0
    bool on = a < info.dim;
    points.push_back(on ? info.cells[a] + 1 : 2);
    cells.push_back(on ? info.cells[a] : 1);
    if (on) shape.push_back(info.cells[a]);
    origin.push_back(on ? info.lower[a] : -0.5 * thickness);
    spacing.push_back(on ? (info.upper[a] - info.lower[a]) / info.cells[a] : thickness);
  }
  EXPECT_EQ(ints(g["topology_dims"]), points);
  EXPECT_EQ(doubles(g["geometry_items"][0]["values"]), origin);
  EXPECT_EQ(doubles(g["geometry_items"][1]["values"]), spacing);
  for (const char* name : {"density", "velocity_x"}) {
    const YAML::Node a = g["attributes"][name];
    ASSERT_TRUE(a) << name;
    EXPECT_EQ(a["center"].as<std::string>(), "Cell");
    EXPECT_EQ(ints(a["dims"]), cells);
    EXPECT_EQ(ints(a["shape"]), shape);  // the dataset h5py found at that relative path
    EXPECT_EQ(a["file"].as<std::string>(), "data/fields.h5");
    EXPECT_EQ(a["path"].as<std::string>(), "/" + group + "/" + name);
  }
}

void check_particles(const YAML::Node& p, int dim, long long n, const std::string& group) {
  EXPECT_EQ(p["topology"].as<std::string>(), "Polyvertex");
  EXPECT_EQ(p["elements"].as<long long>(), n);
  ASSERT_EQ(p["topology_items"].size(), 1u);
  EXPECT_EQ(p["topology_items"][0]["path"].as<std::string>(), "/" + group + "/connectivity");
  EXPECT_EQ(ints(p["topology_items"][0]["shape"]), std::vector<long long>{n});
  EXPECT_EQ(p["geometry"].as<std::string>(), dim == 2 ? "XY" : "XYZ");
  const YAML::Node xyz = p["geometry_items"][0];
  const long long cols = dim == 1 ? 3 : dim;
  EXPECT_EQ(ints(xyz["dims"]), (std::vector<long long>{n, cols}));
  EXPECT_EQ(ints(xyz["shape"]), (std::vector<long long>{n, cols}));
  EXPECT_EQ(xyz["file"].as<std::string>(), "data/particles.h5");
  EXPECT_EQ(p["attributes"]["weights"]["center"].as<std::string>(), "Node");
  EXPECT_EQ(ints(p["attributes"]["weights"]["shape"]), std::vector<long long>{n});
}

}  // namespace

TEST(IoXdmf, TwoDimensionalGridAndParticlesShareTimeSteps) {
  TempDir dir("xdmf2d");
  Written w{GridInfo{2, {-1.0, 0.5}, {1.0, 3.0}, {8, 5}}, 2, 7, nullptr, nullptr};
  write_case(w, dir.path, {0.0, 0.5}, {0.0, 0.5});
  EXPECT_FALSE(fs::exists(dir.path / "run.xmf.tmp"));
  YAML::Node x = parse_xdmf(dir.path);
  EXPECT_EQ(x["collection"].as<std::string>(), "Temporal");
  ASSERT_EQ(x["steps"].size(), 2u);
  for (int s = 0; s < 2; ++s) {
    const YAML::Node step = x["steps"][s];
    EXPECT_EQ(step["collection"].as<std::string>(), "Spatial");
    EXPECT_EQ(step["time"].as<double>(), 0.5 * s);
    std::string group = "snapshots/00000" + std::to_string(s);
    check_grid(step["grids"]["grid"], w.grid, group);
    check_particles(step["grids"]["particles"], 2, 7, group);
  }
}

TEST(IoXdmf, ThreeDimensionalDifferentTimesMakeTheUnion) {
  TempDir dir("xdmf3d");
  Written w{GridInfo{3, {0.0, -1.0, 2.0}, {1.0, 1.0, 2.5}, {4, 3, 2}}, 3, 5, nullptr, nullptr};
  write_case(w, dir.path, {0.0, 0.6}, {0.0, 0.3});
  YAML::Node x = parse_xdmf(dir.path);
  ASSERT_EQ(x["steps"].size(), 3u);
  EXPECT_EQ(x["steps"][0]["time"].as<double>(), 0.0);
  EXPECT_EQ(x["steps"][1]["time"].as<double>(), 0.3);
  EXPECT_EQ(x["steps"][2]["time"].as<double>(), 0.6);
  check_grid(x["steps"][0]["grids"]["grid"], w.grid, "snapshots/000000");
  check_particles(x["steps"][0]["grids"]["particles"], 3, 5, "snapshots/000000");
  EXPECT_FALSE(x["steps"][1]["grids"]["grid"]);
  check_particles(x["steps"][1]["grids"]["particles"], 3, 5, "snapshots/000001");
  check_grid(x["steps"][2]["grids"]["grid"], w.grid, "snapshots/000001");
  EXPECT_FALSE(x["steps"][2]["grids"]["particles"]);
}

TEST(IoXdmf, OneDimensionalPadsToThreeAxes) {
  TempDir dir("xdmf1d");
  Written w{GridInfo{1, {-2.0}, {2.0}, {6}}, 1, 4, nullptr, nullptr};
  write_case(w, dir.path, {1.0}, {1.0});
  YAML::Node x = parse_xdmf(dir.path);
  ASSERT_EQ(x["steps"].size(), 1u);
  check_grid(x["steps"][0]["grids"]["grid"], w.grid, "snapshots/000000");
  check_particles(x["steps"][0]["grids"]["particles"], 1, 4, "snapshots/000000");
  // Only one writer: a grid-only file.
  write_xdmf((dir.path / "fields_only.xmf").string(), w.fields.get(), nullptr);
  std::ifstream in(dir.path / "fields_only.xmf");
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str().find("Polyvertex"), std::string::npos);
  EXPECT_NE(text.str().find("3DCoRectMesh"), std::string::npos);
}

namespace {
// What ParaView sees at every time step: for each leaf block its name, points, cells, bounds, array ranges.
const char* kParaViewScript = R"PY(
import sys, json
from paraview.simple import *
from paraview import servermanager as sm
from vtkmodules.vtkCommonDataModel import vtkCompositeDataSet
reader_name = sys.argv[2]
if reader_name == 'XDMFReader':
    r = XDMFReader(FileNames=[sys.argv[1]])
else:
    r = getattr(sys.modules['paraview.simple'], reader_name)(FileName=[sys.argv[1]])
r.UpdatePipelineInformation()
times = list(r.TimestepValues) if hasattr(r.TimestepValues, '__len__') else [r.TimestepValues]
out = {"times": times, "steps": []}
for t in times:
    r.UpdatePipeline(t)
    data = sm.Fetch(r)
    blocks = {}
    it = data.NewIterator()
    it.InitTraversal()
    while not it.IsDoneWithTraversal():
        ds = it.GetCurrentDataObject()
        meta = it.GetCurrentMetaData()
        name = meta.Get(vtkCompositeDataSet.NAME()) if meta and meta.Has(vtkCompositeDataSet.NAME()) else str(len(blocks))
        arrays = {}
        for kind, fd in (("cell", ds.GetCellData()), ("point", ds.GetPointData())):
            for i in range(fd.GetNumberOfArrays()):
                a = fd.GetArray(i)
                arrays[kind + ":" + a.GetName()] = list(a.GetRange(0))
        samples = []  # cell centre and density: catches transposed or shifted data that ranges miss
        rho = ds.GetCellData().GetArray("density")
        if rho is not None:
            for c in range(ds.GetNumberOfCells()):
                b = ds.GetCell(c).GetBounds()
                samples.append([(b[0] + b[1]) / 2, (b[2] + b[3]) / 2, (b[4] + b[5]) / 2, rho.GetValue(c)])
        blocks[name] = {"class": ds.GetClassName(), "points": ds.GetNumberOfPoints(),
                        "cells": ds.GetNumberOfCells(), "bounds": list(ds.GetBounds()), "arrays": arrays,
                        "samples": samples}
        it.GoToNextItem()
    out["steps"].append(blocks)
print("JSON" + json.dumps(out))
)PY";

// Runs the script in the .xmf folder with `./run.xmf` (ParaView resolves the HDF5 paths from there).
YAML::Node paraview_view(const fs::path& dir, const std::string& reader) {
  std::ofstream(dir / "pv.py") << kParaViewScript;
  int status = 0;
  std::string out = run("cd " + dir.string() + " && env -u DISPLAY pvpython pv.py ./run.xmf " + reader + " 2>&1", status);
  EXPECT_EQ(status, 0) << out;
  if (std::getenv("MF_IO_DEBUG")) std::fprintf(stderr, "%s\n", out.c_str());
  auto at = out.rfind("JSON");
  if (at == std::string::npos) {
    ADD_FAILURE() << "no output from pvpython:\n" << out;
    return YAML::Node();
  }
  return YAML::Load(out.substr(at + 4));
}

// Every cell ParaView shows holds the density written for the cell whose centre it has.
void check_samples(const YAML::Node& grid, const GridInfo& g, double t) {
  ASSERT_EQ(grid["samples"].size(), grid["cells"].as<std::size_t>());
  long long wrong = 0;
  for (const auto& sample : grid["samples"]) {
    std::vector<double> v = doubles(sample);
    long long flat = 0, stride = 1;
    for (int a = 0; a < g.dim; ++a) {
      double h = (g.upper[a] - g.lower[a]) / g.cells[a];
      long long i = std::llround((v[a] - g.lower[a]) / h - 0.5);
      flat += i * stride;
      stride *= g.cells[a];
    }
    if (std::fabs(v[3] - density_at(g, flat, t)) > 1e-12) ++wrong;
  }
  EXPECT_EQ(wrong, 0) << "cells whose density does not match their position";
}

bool have_pvpython() {
  int status = 0;
  run("command -v pvpython >/dev/null 2>&1", status);
  return status == 0;
}

void check_paraview_2d(const std::string& reader) {
  if (!have_pvpython()) GTEST_SKIP() << "pvpython not installed";
  TempDir dir("pv2d_" + reader);
  Written w{GridInfo{2, {-1.0, 0.5}, {1.0, 3.0}, {8, 5}}, 2, 7, nullptr, nullptr};
  write_case(w, dir.path, {0.0, 0.5}, {0.0, 0.5});
  YAML::Node v = paraview_view(dir.path, reader);
  ASSERT_TRUE(v["times"]) << reader;
  EXPECT_EQ(doubles(v["times"]), (std::vector<double>{0.0, 0.5}));
  ASSERT_EQ(v["steps"].size(), 2u);
  for (int s = 0; s < 2; ++s) {
    const double t = 0.5 * s;
    YAML::Node grid, particles;
    for (const auto& kv : v["steps"][s]) {
      if (kv.second["cells"].as<long long>() == 40) grid = kv.second;
      if (kv.second["points"].as<long long>() == 7) particles = kv.second;
    }
    ASSERT_TRUE(grid) << reader << " shows no block with 8x5 cells at step " << s;
    EXPECT_EQ(grid["points"].as<long long>(), 9 * 6 * 2);
    // Bounds x in [-1, 1], y in [0.5, 3], z one cell (0.25) thick around 0: the XY plane, not YZ.
    std::vector<double> b = doubles(grid["bounds"]), want = {-1.0, 1.0, 0.5, 3.0, -0.125, 0.125};
    for (int i = 0; i < 6; ++i) EXPECT_NEAR(b[i], want[i], 1e-12) << reader << " bound " << i;
    std::vector<double> range = doubles(grid["arrays"]["cell:density"]);
    EXPECT_NEAR(range[0], density_at(w.grid, 0, t), 1e-12);
    EXPECT_NEAR(range[1], density_at(w.grid, 39, t), 1e-12);
    check_samples(grid, w.grid, t);
    ASSERT_TRUE(particles) << reader << " shows no block with 7 points at step " << s;
    EXPECT_EQ(particles["cells"].as<long long>(), 7) << "Polyvertex connectivity not seen";
    std::vector<double> wr = doubles(particles["arrays"]["point:weights"]);
    EXPECT_NEAR(wr[0], 1.0 / 28, 1e-15);
    EXPECT_NEAR(wr[1], 7.0 / 28, 1e-15);
    std::vector<double> pb = doubles(particles["bounds"]);
    EXPECT_NEAR(pb[0], -1.0 + 0.5 / 7 * 2.0, 1e-12);
    EXPECT_NEAR(pb[3], 0.5 + 6.5 / 7 * 2.5, 1e-12);
  }
}
}  // namespace

TEST(IoXdmfParaView, XdmfReaderSeesGridInXYPlaneAndParticles) { check_paraview_2d("XDMFReader"); }
TEST(IoXdmfParaView, Xdmf3ReaderSSeesGridInXYPlaneAndParticles) { check_paraview_2d("Xdmf3ReaderS"); }

TEST(IoXdmfParaView, ThreeDimensionalGridBoundsAndCells) {
  if (!have_pvpython()) GTEST_SKIP() << "pvpython not installed";
  TempDir dir("pv3d");
  Written w{GridInfo{3, {0.0, -1.0, 2.0}, {1.0, 1.0, 2.5}, {4, 3, 2}}, 3, 5, nullptr, nullptr};
  write_case(w, dir.path, {0.0}, {0.0});
  YAML::Node v = paraview_view(dir.path, "XDMFReader");
  ASSERT_TRUE(v["steps"]);
  YAML::Node grid;
  for (const auto& kv : v["steps"][0])
    if (kv.second["cells"].as<long long>() == 24) grid = kv.second;
  ASSERT_TRUE(grid) << "no block with 4x3x2 cells";
  EXPECT_EQ(grid["points"].as<long long>(), 5 * 4 * 3);
  std::vector<double> b = doubles(grid["bounds"]), want = {0.0, 1.0, -1.0, 1.0, 2.0, 2.5};
  for (int i = 0; i < 6; ++i) EXPECT_NEAR(b[i], want[i], 1e-12) << "bound " << i;
  std::vector<double> range = doubles(grid["arrays"]["cell:density"]);
  EXPECT_NEAR(range[1], density_at(w.grid, 23, 0.0), 1e-12);
  check_samples(grid, w.grid, 0.0);
}

TEST(IoXdmfParaView, OneDimensionalGridAndParticlesAlongX) {
  if (!have_pvpython()) GTEST_SKIP() << "pvpython not installed";
  TempDir dir("pv1d");
  Written w{GridInfo{1, {-2.0}, {2.0}, {6}}, 1, 4, nullptr, nullptr};
  write_case(w, dir.path, {1.0}, {1.0});
  YAML::Node v = paraview_view(dir.path, "XDMFReader");
  ASSERT_TRUE(v["steps"]);
  YAML::Node grid, particles;
  for (const auto& kv : v["steps"][0]) {
    if (kv.second["cells"].as<long long>() == 6) grid = kv.second;
    if (kv.second["cells"].as<long long>() == 4) particles = kv.second;
  }
  ASSERT_TRUE(grid) << "no block with 6 cells";
  std::vector<double> b = doubles(grid["bounds"]);
  EXPECT_NEAR(b[0], -2.0, 1e-12);
  EXPECT_NEAR(b[1], 2.0, 1e-12);
  check_samples(grid, w.grid, 1.0);
  ASSERT_TRUE(particles) << "no block with 4 particles";
  std::vector<double> pb = doubles(particles["bounds"]);
  EXPECT_NEAR(pb[0], -2.0 + 0.5, 1e-12);  // x = lower + (i + 1/2)/n * length
  EXPECT_NEAR(pb[1], -2.0 + 3.5, 1e-12);
  EXPECT_EQ(pb[2], 0.0);
  EXPECT_EQ(pb[5], 0.0);
}
