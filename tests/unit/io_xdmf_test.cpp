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
  ~TempDir() { fs::remove_all(path); }
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
  std::vector<long long> points, cells;
  std::vector<double> origin, spacing;
  for (int a = 2; a >= 0; --a) {  // slowest first: z y x, absent axes padded with one point
    bool on = a < info.dim;
    points.push_back(on ? info.cells[a] + 1 : 1);
    if (on) cells.push_back(info.cells[a]);
    origin.push_back(on ? info.lower[a] : 0.0);
    spacing.push_back(on ? (info.upper[a] - info.lower[a]) / info.cells[a] : 1.0);
  }
  EXPECT_EQ(ints(g["topology_dims"]), points);
  EXPECT_EQ(doubles(g["geometry_items"][0]["values"]), origin);
  EXPECT_EQ(doubles(g["geometry_items"][1]["values"]), spacing);
  for (const char* name : {"density", "velocity_x"}) {
    const YAML::Node a = g["attributes"][name];
    ASSERT_TRUE(a) << name;
    EXPECT_EQ(a["center"].as<std::string>(), "Cell");
    EXPECT_EQ(ints(a["dims"]), cells);
    EXPECT_EQ(ints(a["shape"]), cells);  // the dataset h5py found at that relative path
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
