// fields.h5 written collectively from 2D/3D block decompositions (some blocks empty) and read back exactly.
#include <gtest/gtest.h>
#include <mpi.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "shared_scratch.hpp"
#include "measureflow/errors.hpp"
#include "measureflow/io/field_file.hpp"
#include "measureflow/io/hdf5_handle.hpp"
#include "measureflow/io/readers.hpp"

namespace fs = std::filesystem;
using namespace mf::io;

namespace {
int rank() { return mf::testing::rank_of(MPI_COMM_WORLD); }
int size() { return mf::testing::size_of(MPI_COMM_WORLD); }

// Splits n cells into `parts` contiguous pieces (the first n % parts get one more; pieces may be empty).
void split(long long n, int parts, int i, long long& start, long long& count) {
  long long base = n / parts, extra = n % parts;
  count = base + (i < extra ? 1 : 0);
  start = i * base + std::min<long long>(i, extra);
}

// Block of this rank on a process grid `procs` (x,y,z order).
GridBlock block_of(const GridInfo& g, const std::vector<int>& procs) {
  GridBlock b;
  b.start.resize(g.dim);
  b.count.resize(g.dim);
  int r = rank();
  for (int a = 0; a < g.dim; ++a) {
    int coord = r % procs[a];
    r /= procs[a];
    split(g.cells[a], procs[a], coord, b.start[a], b.count[a]);
  }
  return b;
}

std::vector<int> balanced_procs(int dim) {
  std::vector<int> dims(dim, 0);
  MPI_Dims_create(size(), dim, dims.data());
  return dims;
}

// The analytic field: a function of the cell centre and time, so every value is distinct and checkable.
double exact(const GridInfo& g, const std::vector<long long>& idx, double t, int which) {
  double x[3] = {0, 0, 0};
  for (int a = 0; a < g.dim; ++a) {
    double h = (g.upper[a] - g.lower[a]) / g.cells[a];
    x[a] = g.lower[a] + (idx[a] + 0.5) * h;
  }
  return which == 0 ? 1.0 + std::sin(3 * x[0]) * std::cos(2 * x[1]) + x[2] * x[2] + t
                    : x[0] - 2 * x[1] + 3 * x[2] - t;
}

// Fills the local block in C order [nz][ny][nx] (x fastest).
std::vector<double> local_values(const GridInfo& g, const GridBlock& b, double t, int which) {
  std::vector<long long> n(3, 1), s(3, 0);
  for (int a = 0; a < g.dim; ++a) { n[a] = b.count[a]; s[a] = b.start[a]; }
  std::vector<double> v;
  for (long long k = 0; k < n[2]; ++k)
    for (long long j = 0; j < n[1]; ++j)
      for (long long i = 0; i < n[0]; ++i) {
        std::vector<long long> idx = {s[0] + i, s[1] + j, s[2] + k};
        idx.resize(g.dim);
        v.push_back(exact(g, idx, t, which));
      }
  return v;
}

std::vector<double> global_values(const GridInfo& g, double t, int which) {
  GridBlock all;
  all.start.assign(g.dim, 0);
  all.count = g.cells;
  return local_values(g, all, t, which);
}

RunInfo run_info() {
  RunInfo r;
  r.deck_yaml = "model: continuity\ndomain: {dim: 2}\n";
  r.version = "0.1.0";
  r.git_revision = "abc123";
  r.ranks = size();
  r.host = "testhost";
  r.started = "2026-01-01T00:00:00Z";
  return r;
}

// Reads any dataset of a snapshot (the public reader only returns density).
std::vector<double> read_field(const std::string& path, const std::string& dataset) {
  h5::Handle f(MF_H5(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT)), H5Fclose);
  h5::Handle d(MF_H5(H5Dopen2(f, dataset.c_str(), H5P_DEFAULT)), H5Dclose);
  hssize_t n = 1;
  for (auto e : h5::dataset_shape(d)) n *= e;
  std::vector<double> v(n);
  MF_H5(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()));
  return v;
}

void write_and_check(const GridInfo& g, const std::vector<int>& procs, const std::string& tag) {
  mf::testing::SharedScratchDir dir(tag);
  const std::string path = (dir.path / "out" / "fields.h5").string();
  const std::vector<double> times = {0.0, 0.25, 1.0 / 3.0};
  GridBlock b = block_of(g, procs);
  {
    FieldFileWriter w(MPI_COMM_WORLD, path, run_info(), g);
    for (double t : times) {
      auto rho = local_values(g, b, t, 0), vx = local_values(g, b, t, 1);
      w.write_snapshot(t, b, {{"density", rho.data()}, {"velocity_x", vx.data()}});
    }
    MPI_Barrier(MPI_COMM_WORLD);
    EXPECT_TRUE(fs::exists(path + ".tmp"));
    EXPECT_FALSE(fs::exists(path)) << "final file visible before finish()";
    MPI_Barrier(MPI_COMM_WORLD);
    w.finish();
    EXPECT_FALSE(fs::exists(path + ".tmp"));
    EXPECT_TRUE(fs::exists(path));
    ASSERT_EQ(w.records().size(), times.size());
    EXPECT_EQ(w.records()[2].group, "snapshots/000002");
    EXPECT_EQ(w.records()[1].time, 0.25);
    EXPECT_EQ(w.records()[0].fields, (std::vector<std::string>{"density", "velocity_x"}));
  }
  // Every rank reads independently.
  for (int s = 0; s < 3; ++s) {
    GridSnapshot snap = read_grid_snapshot(path, s);
    EXPECT_EQ(snap.time, times[s]);
    EXPECT_EQ(snap.grid.dim, g.dim);
    EXPECT_EQ(snap.grid.cells, g.cells);
    EXPECT_EQ(snap.grid.lower, g.lower);
    EXPECT_EQ(snap.grid.upper, g.upper);
    auto want = global_values(g, times[s], 0);
    ASSERT_EQ(snap.density.size(), want.size());
    long long mismatches = 0;
    for (std::size_t i = 0; i < want.size(); ++i) mismatches += snap.density[i] != want[i];
    EXPECT_EQ(mismatches, 0) << "snapshot " << s;
    char group[32];
    std::snprintf(group, sizeof group, "snapshots/%06d/velocity_x", s);
    EXPECT_EQ(read_field(path, group), global_values(g, times[s], 1));
  }
  EXPECT_EQ(read_grid_snapshot(path).time, times.back());  // -1 = last
  // Root attributes.
  h5::Handle f(MF_H5(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT)), H5Fclose);
  EXPECT_EQ(h5::read_string_attribute(f, "deck"), run_info().deck_yaml);
  EXPECT_EQ(h5::read_string_attribute(f, "version"), "0.1.0");
  EXPECT_EQ(h5::read_string_attribute(f, "git_revision"), "abc123");
  EXPECT_EQ(h5::read_int64_attribute(f, "ranks"), std::vector<long long>{size()});
  MPI_Barrier(MPI_COMM_WORLD);
}
}  // namespace

TEST(IoFieldFile, Decomposed2DReadsBackExactly) {
  GridInfo g{2, {-1.0, 0.0}, {1.0, 2.0}, {12, 7}};
  write_and_check(g, balanced_procs(2), "f2d");
}

TEST(IoFieldFile, Decomposed3DReadsBackExactly) {
  GridInfo g{3, {0.0, -1.0, -0.5}, {1.0, 1.0, 0.5}, {5, 4, 3}};
  write_and_check(g, balanced_procs(3), "f3d");
}

TEST(IoFieldFile, EmptyBlocksTakePart) {
  // 3 columns over up to 4 ranks along x: with 4 ranks one block is empty.
  GridInfo g{2, {0.0, 0.0}, {3.0, 1.0}, {3, 2}};
  write_and_check(g, {size(), 1}, "fempty");
}

TEST(IoFieldFile, OneDimensional) {
  GridInfo g{1, {-2.0}, {2.0}, {10}};
  write_and_check(g, {size()}, "f1d");
}

TEST(IoFieldFile, DestructorPublishesAfterException) {
  mf::testing::SharedScratchDir dir("fexc");
  const std::string path = (dir.path / "fields.h5").string();
  GridInfo g{2, {0.0, 0.0}, {1.0, 1.0}, {6, 5}};
  GridBlock b = block_of(g, balanced_procs(2));
  auto rho = local_values(g, b, 0.5, 0);
  try {
    FieldFileWriter w(MPI_COMM_WORLD, path, run_info(), g);
    w.write_snapshot(0.5, b, {{"density", rho.data()}});
    throw mf::SolverError("negative density");  // every rank fails at the same step
  } catch (const mf::SolverError&) {
  }
  MPI_Barrier(MPI_COMM_WORLD);
  EXPECT_FALSE(fs::exists(path + ".tmp"));
  GridSnapshot snap = read_grid_snapshot(path);
  EXPECT_EQ(snap.time, 0.5);
  EXPECT_EQ(snap.density, global_values(g, 0.5, 0));
  EXPECT_TRUE(has_grid_snapshots(path));
  EXPECT_FALSE(has_particle_data(path));
}

TEST(IoFieldFile, BlocksThatDoNotTileThrowOnEveryRank) {
  mf::testing::SharedScratchDir dir("ftile");
  const std::string path = (dir.path / "fields.h5").string();
  GridInfo g{2, {0.0, 0.0}, {1.0, 1.0}, {4, 4}};
  FieldFileWriter w(MPI_COMM_WORLD, path, run_info(), g);
  GridBlock b{{0, 0}, {4, 4}};  // every rank claims the whole grid: overlap when size > 1
  std::vector<double> rho(16, 1.0);
  if (size() > 1) {
    EXPECT_THROW(w.write_snapshot(0.0, b, {{"density", rho.data()}}), std::invalid_argument);
  }
  GridBlock outside{{2, 0}, {3, 4}};
  EXPECT_THROW(w.write_snapshot(0.0, outside, {{"density", rho.data()}}), std::invalid_argument);
  EXPECT_THROW(FieldFileWriter(MPI_COMM_WORLD, path, run_info(), GridInfo{4, {}, {}, {}}), mf::InputError);
}

TEST(IoFieldFile, ReaderErrorsNameTheFileAndTheProblem) {
  mf::testing::SharedScratchDir dir("ferr");
  const std::string path = (dir.path / "fields.h5").string();
  GridInfo g{2, {0.0, 0.0}, {1.0, 1.0}, {3, 3}};
  GridBlock b = block_of(g, {size(), 1});
  {
    FieldFileWriter w(MPI_COMM_WORLD, path, run_info(), g);
    for (double t : {0.0, 1.0}) {
      auto rho = local_values(g, b, t, 0);
      w.write_snapshot(t, b, {{"density", rho.data()}});
    }
  }
  try {
    read_grid_snapshot(path, 5);
    ADD_FAILURE() << "out-of-range snapshot accepted";
  } catch (const mf::InputError& e) {
    std::string m = e.what();
    EXPECT_NE(m.find(path), std::string::npos) << m;
    EXPECT_NE(m.find("snapshot 5 out of range; available: 0, 1"), std::string::npos) << m;
  }
  const std::string text = (dir.path / "not_hdf5.h5").string();
  if (rank() == 0) std::ofstream(text) << "hello\n";
  MPI_Barrier(MPI_COMM_WORLD);
  try {
    read_grid_snapshot(text);
    ADD_FAILURE() << "text file accepted";
  } catch (const mf::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("not an HDF5 file"), std::string::npos) << e.what();
  }
  EXPECT_THROW(read_grid_snapshot((dir.path / "missing.h5").string()), mf::InputError);
  EXPECT_THROW(read_point_set(path), mf::InputError);  // a fields file holds no points
  EXPECT_FALSE(has_grid_snapshots(text));
}
