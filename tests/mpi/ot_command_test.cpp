// `measureflow ot` end to end: files in both pinned layouts, result file, and bad input → exit 2.
#include <gtest/gtest.h>
#include <hdf5.h>
#include <mpi.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "app/cli.hpp"
#include "measureflow/ot/exact.hpp"
#include "measureflow/ot/point_set_input.hpp"
#include "measureflow/ot/point_set_transport.hpp"
#include "measureflow/ot/sinkhorn.hpp"
#include "measureflow/ot/sinkhorn_divergence.hpp"

namespace {

// `measureflow ot ARGS...` in-process, through the same command-line parser as the executable.
int ot_command(std::vector<std::string> args) {
  args.insert(args.begin(), "ot");
  return mf::app::run_cli(args, mf::app::BuildInfo{"test", "test"});
}

int world_rank() {
  int r;
  MPI_Comm_rank(MPI_COMM_WORLD, &r);
  return r;
}

void write_dataset(hid_t loc, const char* name, const std::vector<double>& data, int rank, const hsize_t* dims) {
  const hid_t space = H5Screate_simple(rank, dims, nullptr);
  const hid_t d = H5Dcreate2(loc, name, H5T_NATIVE_DOUBLE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data());
  H5Dclose(d);
  H5Sclose(space);
}

std::vector<double> random_values(size_t n, unsigned seed, double lo, double hi) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> U(lo, hi);
  std::vector<double> v(n);
  for (auto& x : v) x = U(rng);
  return v;
}

double read_attr(const std::string& path, const char* name) {
  const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  const hid_t a = H5Aopen(f, name, H5P_DEFAULT);
  double v = std::nan("");
  H5Aread(a, H5T_NATIVE_DOUBLE, &v);
  H5Aclose(a);
  H5Fclose(f);
  return v;
}

class OtCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    // One name for all ranks: rank 0's pid.
    int pid = world_rank() == 0 ? static_cast<int>(getpid()) : 0;
    MPI_Bcast(&pid, 1, MPI_INT, 0, MPI_COMM_WORLD);
    base_ = "/tmp/mf_ot_cmd_" + std::to_string(pid);
    if (world_rank() == 0) {
      // Root layout: 90 points in 2D with weights.
      hid_t f = H5Fcreate((base_ + "_a.h5").c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
      const hsize_t pd[2] = {90, 2}, wd[1] = {90};
      write_dataset(f, "positions", random_values(180, 1, 0.0, 1.0), 2, pd);
      write_dataset(f, "weights", random_values(90, 2, 0.5, 1.5), 1, wd);
      H5Fclose(f);
      // particles.h5 layout with two snapshots; only the last one (shifted) should be used.
      f = H5Fcreate((base_ + "_b.h5").c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
      const hid_t snaps = H5Gcreate2(f, "snapshots", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
      for (int k = 0; k < 2; ++k) {
        char name[16];
        std::snprintf(name, sizeof name, "%06d", k);
        const hid_t g = H5Gcreate2(snaps, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        const hsize_t qd[2] = {70, 2}, vd[1] = {70};
        write_dataset(g, "positions", random_values(140, 3 + k, 0.5 * k, 1.0 + 0.5 * k), 2, qd);
        write_dataset(g, "weights", std::vector<double>(70, 1.0), 1, vd);
        H5Gclose(g);
      }
      H5Gclose(snaps);
      H5Fclose(f);
    }
    MPI_Barrier(MPI_COMM_WORLD);
  }
  void TearDown() override {
    MPI_Barrier(MPI_COMM_WORLD);
    if (world_rank() == 0)
      for (const char* s : {"_a.h5", "_b.h5", "_out.h5", "_exact.h5", "_bracket.h5"}) std::remove((base_ + s).c_str());
  }
  // The library's dense streaming solver on the two files at the tests' ε = 0.02, tol = 1e-9: the reference
  // both tests compare `measureflow ot`'s result file with.
  struct DenseReference {
    mf::WeightedPoints y;
    mf::ot::SinkhornResult result;
    double divergence;
  };
  DenseReference dense_reference(const std::string& a, const std::string& b) {
    const auto x = mf::ot::load_point_set(MPI_COMM_WORLD, a);
    auto y = mf::ot::load_point_set(MPI_COMM_WORLD, b);
    mf::ot::SinkhornOptions opt;
    opt.eps = 0.02;
    opt.tol = 1e-9;
    const auto r = mf::ot::sinkhorn(MPI_COMM_WORLD, x, y, opt);
    const double div = mf::ot::sinkhorn_divergence(MPI_COMM_WORLD, x, y, opt);
    return {std::move(y), r, div};
  }
  std::string base_;
};

TEST_F(OtCommand, ResultFileMatchesLibraryCall) {
  const std::string a = base_ + "_a.h5", b = base_ + "_b.h5", out = base_ + "_out.h5";
  ASSERT_EQ(ot_command({a, b, "--eps", "0.02", "--tol", "1e-9", "--solver", "dense", "--out", out}), 0);
  const DenseReference ref = dense_reference(a, b);
  const auto& r = ref.result;
  const double div = ref.divergence;
  int ok = 1;
  if (world_rank() == 0) {
    EXPECT_EQ(read_attr(out, "n"), 90);
    EXPECT_EQ(read_attr(out, "m"), 70);
    EXPECT_EQ(read_attr(out, "d"), 2);
    EXPECT_NEAR(read_attr(out, "transport_cost"), r.transport_cost, 1e-12 * r.transport_cost);
    EXPECT_NEAR(read_attr(out, "entropic_cost"), r.entropic_cost, 1e-12 * std::abs(r.entropic_cost));
    EXPECT_NEAR(read_attr(out, "divergence"), div, 1e-10 * std::abs(div));
    EXPECT_LT(read_attr(out, "marginal_error"), 1e-9);
    ok = !::testing::Test::HasFailure();
  }
  MPI_Bcast(&ok, 1, MPI_INT, 0, MPI_COMM_WORLD);
  EXPECT_TRUE(ok);
  // The last snapshot was read: its points lie in [0.5, 1.5]².
  auto p = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), ref.y.positions);
  for (size_t i = 0; i < p.extent(0); ++i) EXPECT_GE(p(i, 0), 0.5);
}

// The JSON's `method` says what ran: the certified exact LP under --solver exact and the certified bracket
// under --solver bracket (not the Sinkhorn of the default method name), Sinkhorn otherwise.
TEST_F(OtCommand, MethodFieldSaysWhatRan) {
  const auto x = mf::ot::load_point_set(MPI_COMM_WORLD, base_ + "_a.h5");
  const auto y = mf::ot::load_point_set(MPI_COMM_WORLD, base_ + "_b.h5");
  mf::ot::PointSetTransportOptions o;
  o.solver = "exact";
  const auto exact = mf::ot::transport_point_sets(MPI_COMM_WORLD, x, y, o);
  EXPECT_EQ(exact.method, "certified_exact");
  EXPECT_EQ(exact.values.at("certified").value_or(0.0), 1.0);
  o.solver = "bracket";
  o.bracket_gap = 1e-2;
  EXPECT_EQ(mf::ot::transport_point_sets(MPI_COMM_WORLD, x, y, o).method, "certified_bracket");
  o.solver = "auto";
  EXPECT_EQ(mf::ot::transport_point_sets(MPI_COMM_WORLD, x, y, o).method, "sinkhorn");
}

// The default solver in 2D is the multiscale one (bins, reduced-cost truncation at θ = 20): the same costs
// as the dense streaming solver up to the marginal tolerance and the truncation (e^-20 of each row).
TEST_F(OtCommand, MultiscaleSolverAgreesWithDense) {
  const std::string a = base_ + "_a.h5", b = base_ + "_b.h5", out = base_ + "_out.h5";
  ASSERT_EQ(ot_command({a, b, "--eps", "0.02", "--tol", "1e-9", "--out", out}), 0);
  const DenseReference ref = dense_reference(a, b);
  const auto& r = ref.result;
  const double div = ref.divergence;
  int ok = 1;
  if (world_rank() == 0) {
    EXPECT_NEAR(read_attr(out, "transport_cost"), r.transport_cost, 1e-7 * r.transport_cost);
    EXPECT_NEAR(read_attr(out, "entropic_cost"), r.entropic_cost, 1e-7 * std::abs(r.entropic_cost));
    EXPECT_NEAR(read_attr(out, "divergence"), div, 1e-6 * std::abs(div));
    EXPECT_LT(read_attr(out, "marginal_error"), 1e-9);
    ok = !::testing::Test::HasFailure();
  }
  MPI_Bcast(&ok, 1, MPI_INT, 0, MPI_COMM_WORLD);
  EXPECT_TRUE(ok);
  EXPECT_EQ(ot_command({a, b, "--solver", "sparse"}), 2);
}

// --solver bracket: the certified bracket holds the certified exact step's W2² (90 × 70 points, random
// weights), transport_cost is its upper end; a bracket gap ≤ 0 is bad input.
TEST_F(OtCommand, BracketSolverHoldsTheExactCost) {
  const std::string a = base_ + "_a.h5", b = base_ + "_b.h5", ex = base_ + "_exact.h5", br = base_ + "_bracket.h5";
  ASSERT_EQ(ot_command({a, b, "--solver", "exact", "--out", ex}), 0);
  ASSERT_EQ(ot_command({a, b, "--solver", "bracket", "--bracket-gap", "1e-2", "--out", br}), 0);
  int ok = 1;
  if (world_rank() == 0) {
    const double exact = read_attr(ex, "transport_cost");
    EXPECT_EQ(read_attr(ex, "certified"), 1.0);
    EXPECT_LE(read_attr(br, "w2sq_lower"), exact * (1.0 + 1e-12));
    EXPECT_GE(read_attr(br, "w2sq_upper"), exact * (1.0 - 1e-12));
    EXPECT_EQ(read_attr(br, "transport_cost"), read_attr(br, "w2sq_upper"));
    EXPECT_EQ(read_attr(br, "bracket_met"), 1.0);
    EXPECT_LE(read_attr(br, "bracket_relative_gap"), 1e-2);
    ok = !::testing::Test::HasFailure();
  }
  MPI_Bcast(&ok, 1, MPI_INT, 0, MPI_COMM_WORLD);
  EXPECT_TRUE(ok);
  EXPECT_EQ(ot_command({a, b, "--solver", "bracket", "--bracket-gap", "0"}), 2);
  EXPECT_EQ(ot_command({a, b, "--solver", "bracket", "--bracket-gap", "-1e-3"}), 2);
}

TEST_F(OtCommand, ExactMethodAndBadInput) {
  const std::string a = base_ + "_a.h5", b = base_ + "_b.h5";
  EXPECT_EQ(ot_command({a, b, "--method", "simplex"}), 2);
  EXPECT_EQ(ot_command({a, b, "--unknown-flag"}), 2);
  EXPECT_EQ(ot_command({a}), 2);  // one point set only
  EXPECT_EQ(ot_command({a, base_ + "_missing.h5"}), 2);
  EXPECT_EQ(ot_command({a, b, "--eps", "-1"}), 2);
  EXPECT_EQ(ot_command({a, b, "--snapshot", "0"}), 2);  // a has no snapshots group
  EXPECT_EQ(ot_command({a, b, "--method", "exact"}), 2);  // 2D with unequal sizes: no exact solver
  EXPECT_EQ(ot_command({b, b, "--snapshot", "0", "--method", "exact", "--json"}), 0);
}

}  // namespace
