// particles.h5 written as per-rank contiguous slices (uneven and empty counts) and read back exactly.
#include <gtest/gtest.h>
#include <mpi.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>

#include "shared_scratch.hpp"
#include "measureflow/errors.hpp"
#include "measureflow/io/hdf5_handle.hpp"
#include "measureflow/io/field_file.hpp"
#include "measureflow/io/particle_file.hpp"
#include "measureflow/io/readers.hpp"
#include "measureflow/io/xdmf.hpp"

#include <fstream>
#include <sstream>

namespace fs = std::filesystem;
using namespace mf::io;

namespace {
int rank() { return mf::testing::rank_of(MPI_COMM_WORLD); }
int size() { return mf::testing::size_of(MPI_COMM_WORLD); }

// Uneven counts; rank 1 holds none (so an empty rank takes part whenever size > 1).
long long count_of(int r) { return (3 * r + 2) % 5; }
long long offset_of(int r) { long long o = 0; for (int q = 0; q < r; ++q) o += count_of(q); return o; }
std::int64_t id_of(int r, long long i) { return 1000 * r + i; }
double coord(std::int64_t id, int axis, double t) { return std::sin(0.7 * id + axis) + t * (axis + 1); }
double weight(std::int64_t id) { return 1.0 / (1.0 + id); }

struct Local {
  std::vector<double> x, w;
  std::vector<std::int64_t> ids;
};
Local make_local(int r, int dim, double t) {
  Local l;
  for (long long i = 0; i < count_of(r); ++i) {
    auto id = id_of(r, i);
    l.ids.push_back(id);
    l.w.push_back(weight(id));
    for (int a = 0; a < dim; ++a) l.x.push_back(coord(id, a, t));
  }
  return l;
}

RunInfo run_info() {
  RunInfo r;
  r.deck_yaml = "model: continuity\n";
  r.version = "0.1.0";
  r.ranks = size();
  return r;
}

void write_and_check(int dim, const std::string& tag) {
  mf::testing::SharedScratchDir dir(tag);
  const std::string path = (dir.path / "particles.h5").string();
  const std::vector<double> times = {0.0, 0.75};
  {
    ParticleFileWriter w(MPI_COMM_WORLD, path, run_info(), dim);
    for (double t : times) {
      Local l = make_local(rank(), dim, t);
      w.write_snapshot(t, l.ids.size(), l.x.data(), l.w.data(), l.ids.data());
    }
    MPI_Barrier(MPI_COMM_WORLD);
    EXPECT_TRUE(fs::exists(path + ".tmp"));
    EXPECT_FALSE(fs::exists(path));
    MPI_Barrier(MPI_COMM_WORLD);
    w.finish();
    EXPECT_FALSE(fs::exists(path + ".tmp"));
    EXPECT_TRUE(fs::exists(path));
    ASSERT_EQ(w.records().size(), 2u);
    EXPECT_EQ(w.records()[1].group, "snapshots/000001");
    EXPECT_EQ(w.records()[1].count, offset_of(size()));
  }
  const long long total = offset_of(size());
  for (int s = 0; s < 2; ++s) {
    PointSet p = read_point_set(path, s);
    EXPECT_EQ(p.dim, dim);
    EXPECT_EQ(p.time, times[s]);
    ASSERT_EQ(static_cast<long long>(p.ids.size()), total);
    ASSERT_EQ(p.positions.size(), static_cast<std::size_t>(total * dim));
    // Rank r's slice starts after ranks < r, in its local order.
    long long mismatches = 0;
    for (int r = 0; r < size(); ++r)
      for (long long i = 0; i < count_of(r); ++i) {
        long long g = offset_of(r) + i;
        auto id = id_of(r, i);
        mismatches += p.ids[g] != id;
        mismatches += p.weights[g] != weight(id);
        for (int a = 0; a < dim; ++a) mismatches += p.positions[g * dim + a] != coord(id, a, times[s]);
      }
    EXPECT_EQ(mismatches, 0) << "snapshot " << s;
  }
  EXPECT_EQ(read_point_set(path).time, times.back());
  EXPECT_TRUE(has_particle_data(path));
  EXPECT_FALSE(has_grid_snapshots(path));
  // connectivity is 0..N-1 (the XDMF Polyvertex topology); 1D files also carry padded xyz positions.
  h5::Handle f(MF_H5(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT)), H5Fclose);
  h5::Handle c(MF_H5(H5Dopen2(f, "snapshots/000001/connectivity", H5P_DEFAULT)), H5Dclose);
  std::vector<long long> conn(total);
  if (total) MF_H5(H5Dread(c, H5T_NATIVE_LLONG, H5S_ALL, H5S_ALL, H5P_DEFAULT, conn.data()));
  for (long long i = 0; i < total; ++i) EXPECT_EQ(conn[i], i);
  EXPECT_EQ(h5::path_exists(f, "snapshots/000001/positions_xyz"), dim == 1);
  if (dim == 1) {
    h5::Handle x(MF_H5(H5Dopen2(f, "snapshots/000001/positions_xyz", H5P_DEFAULT)), H5Dclose);
    std::vector<double> xyz(3 * total);
    if (total) MF_H5(H5Dread(x, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, xyz.data()));
    PointSet p = read_point_set(path);
    for (long long i = 0; i < total; ++i) {
      EXPECT_EQ(xyz[3 * i], p.positions[i]);
      EXPECT_EQ(xyz[3 * i + 1], 0.0);
      EXPECT_EQ(xyz[3 * i + 2], 0.0);
    }
  }
  MPI_Barrier(MPI_COMM_WORLD);
}
}  // namespace

TEST(IoParticleFile, TwoDimensionalSlicesInRankOrder) { write_and_check(2, "p2d"); }
TEST(IoParticleFile, ThreeDimensionalSlicesInRankOrder) { write_and_check(3, "p3d"); }
TEST(IoParticleFile, OneDimensionalWithPaddedXyz) { write_and_check(1, "p1d"); }

TEST(IoParticleFile, DestructorPublishesAfterExceptionAndErrorsListSnapshots) {
  mf::testing::SharedScratchDir dir("pexc");
  const std::string path = (dir.path / "sub" / "particles.h5").string();
  try {
    ParticleFileWriter w(MPI_COMM_WORLD, path, run_info(), 2);
    Local l = make_local(rank(), 2, 0.125);
    w.write_snapshot(0.125, l.ids.size(), l.x.data(), l.w.data(), l.ids.data());
    throw mf::SolverError("blew up");
  } catch (const mf::SolverError&) {
  }
  MPI_Barrier(MPI_COMM_WORLD);
  EXPECT_FALSE(fs::exists(path + ".tmp"));
  PointSet p = read_point_set(path);
  EXPECT_EQ(p.time, 0.125);
  EXPECT_EQ(static_cast<long long>(p.ids.size()), offset_of(size()));
  try {
    read_point_set(path, 3);
    ADD_FAILURE() << "out-of-range snapshot accepted";
  } catch (const mf::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("snapshot 3 out of range; available: 0 "), std::string::npos) << e.what();
  }
  EXPECT_THROW(read_grid_snapshot(path), mf::InputError);  // no grid in a particle file
  EXPECT_THROW(ParticleFileWriter(MPI_COMM_WORLD, path, run_info(), 0), mf::InputError);
}

TEST(IoParticleFile, XdmfOfAMultiRankRunDescribesTheGlobalData) {
  mf::testing::SharedScratchDir dir("pxmf");
  GridInfo g{2, {0.0, 0.0}, {2.0, 1.0}, {6, 3}};
  FieldFileWriter fields(MPI_COMM_WORLD, (dir.path / "fields.h5").string(), run_info(), g);
  ParticleFileWriter particles(MPI_COMM_WORLD, (dir.path / "particles.h5").string(), run_info(), 2);
  // Rows split over ranks along y (some ranks empty at 4 ranks).
  long long rows = 3, base = rows / size(), extra = rows % size();
  long long count = base + (rank() < extra), start = rank() * base + std::min<long long>(rank(), extra);
  std::vector<double> rho(6 * count, 2.0);
  fields.write_snapshot(0.25, GridBlock{{0, start}, {6, count}}, {{"density", rho.data()}});
  Local l = make_local(rank(), 2, 0.25);
  particles.write_snapshot(0.25, l.ids.size(), l.x.data(), l.w.data(), l.ids.data());
  fields.finish();
  particles.finish();
  const std::string xmf = (dir.path / "run.xmf").string();
  if (rank() == 0) write_xdmf(xmf, &fields, &particles);
  MPI_Barrier(MPI_COMM_WORLD);
  std::ifstream in(xmf);
  std::stringstream text;
  text << in.rdbuf();
  const std::string x = text.str();
  const std::string n = std::to_string(offset_of(size()));
  EXPECT_NE(x.find("TopologyType=\"3DCoRectMesh\" Dimensions=\"2 4 7\""), std::string::npos) << x;
  EXPECT_NE(x.find("<DataItem Dimensions=\"1 3 6\" NumberType=\"Float\" Precision=\"8\" Format=\"HDF\">"
                   "fields.h5:/snapshots/000000/density</DataItem>"),
            std::string::npos) << x;
  EXPECT_NE(x.find("NumberOfElements=\"" + n + "\""), std::string::npos) << x;
  EXPECT_NE(x.find("particles.h5:/snapshots/000000/connectivity"), std::string::npos) << x;
  EXPECT_EQ(x.find("CollectionType=\"Spatial\""), x.rfind("CollectionType=\"Spatial\""));  // one shared step
  MPI_Barrier(MPI_COMM_WORLD);
}
