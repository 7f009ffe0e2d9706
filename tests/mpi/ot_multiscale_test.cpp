// The multiscale truncated Sinkhorn divergence (the cross-view yardstick's solver): against an exact
// value (a translated cloud: S_ε = |τ|² at every ε), against the dense streaming solver, and the same
// bits on any rank count.
#include <gtest/gtest.h>
#include <mpi.h>

#include <Kokkos_Core.hpp>
#include <cmath>
#include <random>
#include <vector>

#include "measureflow/ot/multiscale_sinkhorn.hpp"
#include "measureflow/ot/sinkhorn_divergence.hpp"

namespace {

using mf::ot::BinLattice;
using mf::ot::HostCloud;

BinLattice unit_square(int cells) {
  BinLattice l;
  l.dim = 2;
  for (int a = 0; a < 2; ++a) {
    l.lower[a] = -1.0;
    l.h[a] = 2.0 / cells;
    l.cells[a] = cells;
  }
  return l;
}

// Cell centres of the lattice with a Gaussian-like mass (a grid view).
HostCloud gaussian_cells(const BinLattice& l, double cx, double cy, double s2) {
  HostCloud c;
  c.dim = 2;
  for (int j = 0; j < l.cells[1]; ++j)
    for (int i = 0; i < l.cells[0]; ++i) {
      const double x = l.lower[0] + (i + 0.5) * l.h[0], y = l.lower[1] + (j + 0.5) * l.h[1];
      c.positions.push_back(x);
      c.positions.push_back(y);
      c.weights.push_back(std::exp(-((x - cx) * (x - cx) + (y - cy) * (y - cy)) / (2.0 * s2)));
    }
  return c;
}

// Gaussian samples (a particle view), the same on every rank.
HostCloud gaussian_samples(int n, double cx, double cy, double s2, unsigned seed) {
  std::mt19937_64 gen(seed);
  std::normal_distribution<double> z(0.0, std::sqrt(s2));
  HostCloud c;
  c.dim = 2;
  for (int i = 0; i < n; ++i) {
    c.positions.push_back(cx + z(gen));
    c.positions.push_back(cy + z(gen));
    c.weights.push_back(1.0);
  }
  return c;
}

mf::WeightedPoints distributed(const HostCloud& c, MPI_Comm comm) {
  int r = 0, p = 1;
  MPI_Comm_rank(comm, &r);
  MPI_Comm_size(comm, &p);
  const int n = static_cast<int>(c.size());
  const int lo = n * r / p, hi = n * (r + 1) / p;
  mf::WeightedPoints w{2, mf::PointsView("x", hi - lo, 2), mf::WeightsView("w", hi - lo)};
  auto hx = Kokkos::create_mirror_view(w.positions);
  auto hw = Kokkos::create_mirror_view(w.weights);
  for (int i = lo; i < hi; ++i) {
    hx(i - lo, 0) = c.positions[2 * i];
    hx(i - lo, 1) = c.positions[2 * i + 1];
    hw(i - lo) = c.weights[i];
  }
  Kokkos::deep_copy(w.positions, hx);
  Kokkos::deep_copy(w.weights, hw);
  return w;
}

// Translation: OT_ε(α, α + τ) = OT_ε(α, α) + |τ|² (the cross terms of |x − y − τ|² are separable and
// cancel between equal means), so S_ε = |τ|² exactly at every ε: an exact value the truncation and the
// bin hierarchy must reproduce, with a shift that is not a whole number of bins.
TEST(MultiscaleSinkhorn, TranslationGivesTheShiftSquaredExactly) {
  const BinLattice lat = unit_square(24);
  const HostCloud x = gaussian_cells(lat, -0.1, 0.05, 0.04);
  HostCloud y = x;
  const double tx = 0.37 * lat.h[0], ty = -0.81 * lat.h[1];
  for (std::size_t i = 0; i < y.size(); ++i) {
    y.positions[2 * i] += tx;
    y.positions[2 * i + 1] += ty;
  }
  mf::ot::MultiscaleOptions opt;
  opt.eps = 2.0 * lat.h[0] * lat.h[0];
  opt.tol = 1e-6;
  const auto r = mf::ot::multiscale_divergence(MPI_COMM_WORLD, x, y, lat, opt);
  const double exact = tx * tx + ty * ty;
  EXPECT_TRUE(r.converged);
  EXPECT_NEAR(r.divergence, exact, 1e-3 * exact);
  EXPECT_NEAR(r.divergence_2eps, exact, 1e-3 * exact);
}

// Grid view vs particle view at ε = 2h²: the dense streaming solver visits all pairs; the truncated
// multiscale one must give the same divergence up to the solvers' tolerances (1e-6 marginals).
TEST(MultiscaleSinkhorn, AgreesWithTheDenseSolver) {
  const BinLattice lat = unit_square(16);
  const HostCloud x = gaussian_cells(lat, 0.1, 0.0, 0.05);
  const HostCloud y = gaussian_samples(800, 0.1, 0.0, 0.05, 7);
  mf::ot::MultiscaleOptions opt;
  opt.eps = 2.0 * lat.h[0] * lat.h[0];
  opt.tol = 1e-6;
  opt.truncation = 20.0;  // kernel below e^-20 where truncated: the difference is the solvers' tolerance
  const auto r = mf::ot::multiscale_divergence(MPI_COMM_WORLD, x, y, lat, opt);
  mf::ot::SinkhornOptions dense;
  dense.eps = opt.eps;
  dense.tol = 1e-6;
  dense.max_iterations = 20000;
  const double s = mf::ot::sinkhorn_divergence(MPI_COMM_WORLD, distributed(x, MPI_COMM_WORLD),
                                               distributed(y, MPI_COMM_WORLD), dense);
  EXPECT_TRUE(r.converged);
  EXPECT_GT(s, 0.0);
  EXPECT_NEAR(r.divergence, s, 1e-3 * s) << "multiscale " << r.divergence << " dense " << s;
}

// Every rank computes a slice of every potential and gathers the rest: the result is bitwise the one
// rank's (MPI_COMM_SELF) result.
TEST(MultiscaleSinkhorn, SameBitsOnEveryRankCount) {
  const BinLattice lat = unit_square(16);
  const HostCloud x = gaussian_cells(lat, 0.0, 0.1, 0.03);
  const HostCloud y = gaussian_samples(1000, 0.02, 0.1, 0.03, 11);
  mf::ot::MultiscaleOptions opt;
  opt.eps = 2.0 * lat.h[0] * lat.h[0];
  const auto all = mf::ot::multiscale_divergence(MPI_COMM_WORLD, x, y, lat, opt);
  const auto one = mf::ot::multiscale_divergence(MPI_COMM_SELF, x, y, lat, opt);
  EXPECT_EQ(all.divergence, one.divergence);
  EXPECT_EQ(all.divergence_2eps, one.divergence_2eps);
  EXPECT_EQ(all.iterations, one.iterations);
  EXPECT_EQ(all.entropic_cost, one.entropic_cost);
  EXPECT_EQ(all.transport_cost, one.transport_cost);
}

// Too many pairs to hold: the kernel is recomputed every sweep (memory O(n)) over the same kept pairs, so
// the result is the stored kernel's up to the order of the row sums.
TEST(MultiscaleSinkhorn, StreamedKernelGivesTheStoredResult) {
  const BinLattice lat = unit_square(16);
  const HostCloud x = gaussian_cells(lat, 0.0, 0.1, 0.03);
  const HostCloud y = gaussian_samples(1000, 0.02, 0.1, 0.03, 11);
  mf::ot::MultiscaleOptions opt;
  opt.eps = 2.0 * lat.h[0] * lat.h[0];
  opt.tol = 1e-6;
  const auto stored = mf::ot::multiscale_divergence(MPI_COMM_WORLD, x, y, lat, opt);
  opt.max_stored_pairs = 0;
  const auto streamed = mf::ot::multiscale_divergence(MPI_COMM_WORLD, x, y, lat, opt);
  EXPECT_GT(stored.kernel_pairs, 0);
  EXPECT_EQ(stored.kernel_pairs, streamed.kernel_pairs);
  EXPECT_NEAR(streamed.divergence, stored.divergence, 1e-10 * stored.divergence);
  EXPECT_NEAR(streamed.transport_cost, stored.transport_cost, 1e-10 * stored.transport_cost);
}

}  // namespace
