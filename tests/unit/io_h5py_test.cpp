// Interoperability with h5py (what users and postprocess/ scripts use): h5py reads our files, and our
// readers accept point sets and reject malformed files that h5py wrote.
#include <gtest/gtest.h>
#include <mpi.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "measureflow/errors.hpp"
#include "measureflow/io/field_file.hpp"
#include "measureflow/io/particle_file.hpp"
#include "measureflow/io/readers.hpp"

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

// Runs /usr/bin/python3 on `script` with `arg`; returns stdout, status in `status`.
std::string python(const fs::path& dir, const std::string& script, const std::string& arg, int& status) {
  std::ofstream(dir / "script.py") << script;
  std::string cmd = "/usr/bin/python3 " + (dir / "script.py").string() + " " + arg + " 2>&1";
  FILE* pipe = popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  std::size_t n;
  while (pipe && (n = fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  status = pipe ? pclose(pipe) : -1;
  return out;
}

double rho(long long i, long long j) { return std::exp(-0.1 * i) + 10.0 * j; }
}  // namespace

TEST(IoH5py, H5pyReadsFieldsAndParticles) {
  TempDir dir("h5py_read");
  RunInfo run;
  run.deck_yaml = "model: continuity\ntime: {end: 1.0}\n";
  run.version = "0.1.0";
  run.git_revision = "cafe";
  run.ranks = 1;
  run.host = "h";
  run.started = "s";
  GridInfo g{2, {-1.0, -2.0}, {1.0, 2.0}, {4, 3}};
  std::vector<double> density;
  for (long long j = 0; j < 3; ++j)
    for (long long i = 0; i < 4; ++i) density.push_back(rho(i, j));
  FieldFileWriter fields(MPI_COMM_SELF, (dir.path / "fields.h5").string(), run, g);
  fields.write_snapshot(0.5, GridBlock{{0, 0}, {4, 3}}, {{"density", density.data()}});
  fields.finish();
  ParticleFileWriter particles(MPI_COMM_SELF, (dir.path / "particles.h5").string(), run, 2);
  std::vector<double> x = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6}, w = {0.5, 0.25, 0.25};
  std::vector<std::int64_t> ids = {7, 8, 9000000000LL};
  particles.write_snapshot(0.5, 3, x.data(), w.data(), ids.data());
  particles.finish();

  const char* script = R"PY(
import sys, json, h5py, numpy as np
d = sys.argv[1]
out = {}
with h5py.File(d + '/fields.h5', 'r') as f:
    out['deck'] = f.attrs['deck']
    out['deck_is_str'] = isinstance(f.attrs['deck'], str)
    out['version'] = f.attrs['version']
    out['ranks'] = int(f.attrs['ranks'])
    out['dim'] = int(f['grid'].attrs['dim'])
    out['lower'] = f['grid'].attrs['lower'].tolist()
    out['cells'] = f['grid'].attrs['cells'].tolist()
    out['snapshots'] = list(f['snapshots'].keys())
    s = f['snapshots/000000']
    out['time'] = float(s.attrs['time'])
    out['shape'] = list(s['density'].shape)
    out['density'] = s['density'][...].tolist()
with h5py.File(d + '/particles.h5', 'r') as f:
    p = f['snapshots/000000']
    out['positions'] = p['positions'][...].tolist()
    out['ids'] = p['ids'][...].tolist()
    out['ids_dtype'] = str(p['ids'].dtype)
    out['weights'] = p['weights'][...].tolist()
print(json.dumps(out))
)PY";
  int status = 0;
  std::string json = python(dir.path, script, dir.path.string(), status);
  ASSERT_EQ(status, 0) << json;
  YAML::Node o = YAML::Load(json);
  EXPECT_EQ(o["deck"].as<std::string>(), run.deck_yaml);
  EXPECT_TRUE(o["deck_is_str"].as<bool>());
  EXPECT_EQ(o["version"].as<std::string>(), "0.1.0");
  EXPECT_EQ(o["ranks"].as<int>(), 1);
  EXPECT_EQ(o["dim"].as<int>(), 2);
  EXPECT_EQ(o["lower"].as<std::vector<double>>(), g.lower);
  EXPECT_EQ(o["cells"].as<std::vector<long long>>(), g.cells);
  EXPECT_EQ(o["snapshots"].as<std::vector<std::string>>(), std::vector<std::string>{"000000"});
  EXPECT_EQ(o["time"].as<double>(), 0.5);
  EXPECT_EQ(o["shape"].as<std::vector<int>>(), (std::vector<int>{3, 4}));  // [ny][nx]
  for (int j = 0; j < 3; ++j)
    for (int i = 0; i < 4; ++i) EXPECT_EQ(o["density"][j][i].as<double>(), rho(i, j)) << i << "," << j;
  EXPECT_EQ(o["positions"][2][1].as<double>(), 0.6);
  EXPECT_EQ(o["positions"][1][0].as<double>(), 0.3);
  EXPECT_EQ(o["ids"][2].as<long long>(), 9000000000LL);
  EXPECT_EQ(o["ids_dtype"].as<std::string>(), "int64");
  EXPECT_EQ(o["weights"].as<std::vector<double>>(), w);
}

TEST(IoH5py, ReadersAcceptPlainPointSetsAndRejectMalformedFiles) {
  TempDir dir("h5py_write");
  const char* script = R"PY(
import sys, h5py, numpy as np
d = sys.argv[1]
x = np.array([[i * 0.5, -i, i * i] for i in range(5)], dtype=float)
with h5py.File(d + '/cloud.h5', 'w') as f:
    f['positions'] = x
    f['weights'] = np.arange(1, 6) / 15.0
with h5py.File(d + '/bare.h5', 'w') as f:
    f['positions'] = x[:, :2]
with h5py.File(d + '/line.h5', 'w') as f:
    f['positions'] = x[:, 0]
with h5py.File(d + '/badweights.h5', 'w') as f:
    f['positions'] = x
    f['weights'] = np.ones(4)
with h5py.File(d + '/badfields.h5', 'w') as f:
    g = f.create_group('grid')
    g.attrs['dim'] = 2; g.attrs['lower'] = [0.0, 0.0]; g.attrs['upper'] = [1.0, 1.0]; g.attrs['cells'] = [4, 3]
    s = f.create_group('snapshots/000000'); s.attrs['time'] = 0.0
    s['density'] = np.zeros((4, 3))   # cells not reversed: wrong
    s2 = f.create_group('snapshots/000001'); s2.attrs['time'] = 1.0
with h5py.File(d + '/nogrid.h5', 'w') as f:
    f['something'] = np.zeros(3)
print("written")
)PY";
  int status = 0;
  std::string out = python(dir.path, script, dir.path.string(), status);
  ASSERT_EQ(status, 0) << out;
  auto at = [&](const char* name) { return (dir.path / name).string(); };

  PointSet cloud = read_point_set(at("cloud.h5"));
  EXPECT_EQ(cloud.dim, 3);
  ASSERT_EQ(cloud.positions.size(), 15u);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(cloud.positions[3 * i], i * 0.5);
    EXPECT_EQ(cloud.positions[3 * i + 1], -i);
    EXPECT_EQ(cloud.positions[3 * i + 2], i * i);
    EXPECT_EQ(cloud.weights[i], (i + 1) / 15.0);
    EXPECT_EQ(cloud.ids[i], i);
  }
  PointSet bare = read_point_set(at("bare.h5"));
  EXPECT_EQ(bare.dim, 2);
  EXPECT_EQ(bare.weights, std::vector<double>(5, 0.2));  // default uniform 1/N
  PointSet line = read_point_set(at("line.h5"));
  EXPECT_EQ(line.dim, 1);
  EXPECT_EQ(line.positions[4], 2.0);
  EXPECT_TRUE(has_particle_data(at("cloud.h5")));
  EXPECT_FALSE(has_particle_data(at("nogrid.h5")));

  auto message = [](auto&& f) -> std::string {
    try {
      f();
    } catch (const mf::InputError& e) {
      return e.what();
    }
    return "no InputError";
  };
  std::string m = message([&] { read_point_set(at("badweights.h5")); });
  EXPECT_NE(m.find("weights has shape (4), expected (5)"), std::string::npos) << m;
  EXPECT_NE(m.find("badweights.h5"), std::string::npos) << m;
  m = message([&] { read_grid_snapshot(at("badfields.h5"), 0); });
  EXPECT_NE(m.find("density has shape (4, 3), expected (3, 4)"), std::string::npos) << m;
  m = message([&] { read_grid_snapshot(at("badfields.h5")); });  // last snapshot has no density
  EXPECT_NE(m.find("dataset `density` missing"), std::string::npos) << m;
  m = message([&] { read_grid_snapshot(at("nogrid.h5")); });
  EXPECT_NE(m.find("group `grid` missing"), std::string::npos) << m;
  m = message([&] { read_point_set(at("nogrid.h5")); });
  EXPECT_NE(m.find("no point data"), std::string::npos) << m;
}
