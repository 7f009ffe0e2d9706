// Distributed Sinkhorn and exact 1D OT: against POT, against Gaussian closed forms, and across rank counts.
#include <gtest/gtest.h>
#include <mpi.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "measureflow/ot/exact.hpp"
#include "measureflow/ot/gaussian.hpp"
#include "measureflow/ot/sinkhorn.hpp"
#include "measureflow/ot/sinkhorn_divergence.hpp"
#include "mpi_comm_info.hpp"

namespace {

using mf::testing::rank_of;
using mf::testing::size_of;

struct Cloud {
  int dim = 0;
  std::vector<double> pos;  // n × dim
  std::vector<double> w;
  int size() const { return static_cast<int>(w.size()); }
};


// Rank r of P owns a block proportional to r + 1: deliberately unequal blocks.
std::pair<int, int> block_range(int n, int r, int P) {
  const long total = static_cast<long>(P) * (P + 1) / 2;
  const long before = static_cast<long>(r) * (r + 1) / 2;
  return {static_cast<int>(n * before / total), static_cast<int>(n * (before + r + 1) / total)};
}

mf::WeightedPoints local_block(MPI_Comm comm, const Cloud& c) {
  const auto [lo, hi] = block_range(c.size(), rank_of(comm), size_of(comm));
  mf::WeightedPoints wp;
  wp.dim = c.dim;
  wp.positions = mf::PointsView("pos", hi - lo, c.dim);
  wp.weights = mf::WeightsView("w", hi - lo);
  auto p = Kokkos::create_mirror_view(wp.positions);
  auto w = Kokkos::create_mirror_view(wp.weights);
  for (int i = lo; i < hi; ++i) {
    for (int k = 0; k < c.dim; ++k) p(i - lo, k) = c.pos[static_cast<size_t>(i) * c.dim + k];
    w(i - lo) = c.w[i];
  }
  Kokkos::deep_copy(wp.positions, p);
  Kokkos::deep_copy(wp.weights, w);
  return wp;
}

Cloud uniform_cloud(int n, int dim, unsigned seed, bool random_weights, double shift = 0.0) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> U(0.0, 1.0);
  Cloud c{dim, std::vector<double>(static_cast<size_t>(n) * dim), std::vector<double>(n)};
  for (auto& v : c.pos) v = U(rng) + shift;
  for (auto& v : c.w) v = random_weights ? 0.2 + U(rng) : 1.0;
  return c;
}

// N(mean, diag(std²)) samples, uniform weights.
Cloud gaussian_cloud(int n, const std::vector<double>& mean, const std::vector<double>& sd, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> N(0.0, 1.0);
  const int d = static_cast<int>(mean.size());
  Cloud c{d, std::vector<double>(static_cast<size_t>(n) * d), std::vector<double>(n, 1.0)};
  for (int i = 0; i < n; ++i)
    for (int k = 0; k < d; ++k) c.pos[static_cast<size_t>(i) * d + k] = mean[k] + sd[k] * N(rng);
  return c;
}

const char* kPotScript = R"PY(
import sys
import numpy as np
try:
    import ot
except ImportError:
    sys.exit(3)
inp, out, mode = sys.argv[1], sys.argv[2], sys.argv[3]
with open(inp) as fh:
    n, m, d = map(int, fh.readline().split())
    eps = float(fh.readline())
    data = np.loadtxt(fh, ndmin=2)
X, a = data[:n, :d], data[:n, d]
Y, b = data[n:n + m, :d], data[n:n + m, d]
a, b = a / a.sum(), b / b.sum()
M = ot.dist(X, Y)
if mode == 'sinkhorn':
    G = ot.sinkhorn(a, b, M, eps, method='sinkhorn_log', numItermax=500000, stopThr=1e-14)
    T = (G * M).sum()
    mask = G > 0
    P = G[mask]
    E = T + eps * ((P * np.log(P / np.outer(a, b)[mask])).sum() - G.sum() + 1.0)
    res = [T, E]
else:
    res = [ot.emd2(a, b, M, numItermax=10000000)]
np.savetxt(out, np.array(res), fmt='%.17e')
)PY";

// POT's answer on rank 0, broadcast; false (on every rank) when python3-pot is unavailable.
bool pot_oracle(const Cloud& x, const Cloud& y, double eps, const std::string& mode, std::vector<double>& out) {
  int ok = 0;
  out.assign(2, 0.0);
  if (rank_of(MPI_COMM_WORLD) == 0) {
    const std::string base = "/tmp/mf_ot_pot_" + std::to_string(getpid());
    {
      std::ofstream py(base + ".py");
      py << kPotScript;
      std::ofstream in(base + ".in");
      in.precision(17);
      in << x.size() << ' ' << y.size() << ' ' << x.dim << '\n' << eps << '\n';
      for (const Cloud* c : {&x, &y})
        for (int i = 0; i < c->size(); ++i) {
          for (int k = 0; k < c->dim; ++k) in << c->pos[static_cast<size_t>(i) * c->dim + k] << ' ';
          in << c->w[i] << '\n';
        }
    }
    const std::string cmd = "/usr/bin/python3 " + base + ".py " + base + ".in " + base + ".out " + mode;
    if (std::system(cmd.c_str()) == 0) {
      std::ifstream res(base + ".out");
      for (size_t k = 0; k < out.size() && (res >> out[k]); ++k) {
      }
      ok = 1;
    }
    for (const char* ext : {".py", ".in", ".out"}) std::remove((base + ext).c_str());
  }
  MPI_Bcast(&ok, 1, MPI_INT, 0, MPI_COMM_WORLD);
  MPI_Bcast(out.data(), static_cast<int>(out.size()), MPI_DOUBLE, 0, MPI_COMM_WORLD);
  return ok == 1;
}

double rel(double a, double b) { return std::abs(a - b) / std::abs(b); }

TEST(OtSinkhorn, MatchesPotAtModerateEps) {
  const Cloud x = uniform_cloud(180, 2, 1, true), y = uniform_cloud(150, 2, 2, true, 0.3);
  const double eps = 0.05;
  std::vector<double> pot;
  if (!pot_oracle(x, y, eps, "sinkhorn", pot)) GTEST_SKIP() << "python3-pot not available";
  mf::ot::SinkhornOptions opt;
  opt.eps = eps;
  opt.tol = 1e-13;
  const auto r = mf::ot::sinkhorn(MPI_COMM_WORLD, local_block(MPI_COMM_WORLD, x), local_block(MPI_COMM_WORLD, y), opt);
  EXPECT_TRUE(r.converged);
  EXPECT_LT(r.marginal_error, 1e-12);
  EXPECT_LT(rel(r.transport_cost, pot[0]), 1e-8) << r.transport_cost << " vs POT " << pot[0];
  EXPECT_LT(rel(r.entropic_cost, pot[1]), 1e-8) << r.entropic_cost << " vs POT " << pot[1];
}

TEST(OtSinkhorn, SameResultOnEveryRankCount) {
  const Cloud x = uniform_cloud(150, 3, 3, true), y = uniform_cloud(130, 3, 4, false, -0.2);
  mf::ot::SinkhornOptions opt;
  opt.eps = 0.02;
  opt.tol = 1e-10;
  const auto serial = mf::ot::sinkhorn(MPI_COMM_SELF, local_block(MPI_COMM_SELF, x), local_block(MPI_COMM_SELF, y), opt);
  const auto dist = mf::ot::sinkhorn(MPI_COMM_WORLD, local_block(MPI_COMM_WORLD, x), local_block(MPI_COMM_WORLD, y), opt);
  EXPECT_LT(rel(dist.transport_cost, serial.transport_cost), 1e-12);
  EXPECT_LT(rel(dist.entropic_cost, serial.entropic_cost), 1e-12);
  EXPECT_EQ(dist.iterations, serial.iterations);
  const auto [lo, hi] = block_range(x.size(), rank_of(MPI_COMM_WORLD), size_of(MPI_COMM_WORLD));
  auto fs = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), serial.f);
  auto fd = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), dist.f);
  ASSERT_EQ(static_cast<int>(fd.extent(0)), hi - lo);
  for (int i = lo; i < hi; ++i) EXPECT_NEAR(fd(i - lo), fs(i), 1e-11);
}

TEST(OtSinkhorn, AnnealingDoesNotChangeTheAnswer) {
  // Without ε-scaling the first sweeps start from zero potentials at small ε with clouds about 1
  // apart, so shifted sums underflow (checked: 16 and 17 rows in the first two sweeps) and the online
  // log-sum-exp fallback runs.
  const Cloud x = uniform_cloud(50, 2, 12, true), y = uniform_cloud(40, 2, 13, true, 1.0);  // C/ε up to 4000
  mf::ot::SinkhornOptions opt;
  opt.eps = 2e-3;
  opt.tol = 1e-11;
  opt.max_iterations = 100000;
  const auto X = local_block(MPI_COMM_WORLD, x), Y = local_block(MPI_COMM_WORLD, y);
  const auto annealed = mf::ot::sinkhorn(MPI_COMM_WORLD, X, Y, opt);
  opt.eps_scaling = false;
  const auto direct = mf::ot::sinkhorn(MPI_COMM_WORLD, X, Y, opt);
  ASSERT_TRUE(annealed.converged && direct.converged);
  EXPECT_LT(rel(annealed.entropic_cost, direct.entropic_cost), 1e-9);
  EXPECT_LT(rel(annealed.transport_cost, direct.transport_cost), 1e-8);
  if (rank_of(MPI_COMM_WORLD) == 0)
    std::printf("[ measured ] eps 2e-3: %d iterations with annealing, %d without\n", annealed.iterations,
                direct.iterations);
}

TEST(OtSinkhorn, OverRelaxationKeepsTheAnswerWithFewerIterations) {
  // Over-relaxation changes the path to the fixed point, not the fixed point: same costs as plain
  // Sinkhorn at a tolerance far below the difference it would otherwise show, in fewer iterations.
  const Cloud x = uniform_cloud(300, 2, 21, true), y = uniform_cloud(280, 2, 22, true, 0.1);
  mf::ot::SinkhornOptions opt;
  opt.eps = 0.01;
  opt.tol = 1e-10;
  opt.max_iterations = 100000;
  const auto X = local_block(MPI_COMM_WORLD, x), Y = local_block(MPI_COMM_WORLD, y);
  const auto relaxed = mf::ot::sinkhorn(MPI_COMM_WORLD, X, Y, opt);
  opt.relaxation = 1.0;
  const auto plain = mf::ot::sinkhorn(MPI_COMM_WORLD, X, Y, opt);
  ASSERT_TRUE(relaxed.converged && plain.converged);
  EXPECT_LT(relaxed.marginal_error, 1e-9);
  EXPECT_LT(rel(relaxed.entropic_cost, plain.entropic_cost), 1e-9);
  EXPECT_LT(rel(relaxed.transport_cost, plain.transport_cost), 1e-8);
  EXPECT_LT(relaxed.iterations, 0.7 * plain.iterations);
  if (rank_of(MPI_COMM_WORLD) == 0)
    std::printf("[ measured ] eps 0.01, tol 1e-10: %d iterations relaxed (omega 1.5), %d plain\n", relaxed.iterations,
                plain.iterations);
}

TEST(OtSinkhorn, GaussianGrid1DMatchesClosedForm) {
  // Grid measures with Gaussian weights: the trapezoid rule is spectrally accurate for Gaussians, so
  // the discrete entropic problem reproduces the continuous closed form to round-off.
  const double m0 = 0.0, s0 = 1.0, m1 = 1.0, s1 = 1.5, eps = 0.5;
  Cloud x{1, {}, {}}, y{1, {}, {}};
  for (double t = -11.0; t <= 14.0 + 1e-9; t += 0.1) {
    x.pos.push_back(t);
    x.w.push_back(std::exp(-0.5 * (t - m0) * (t - m0) / (s0 * s0)));
    y.pos.push_back(t);
    y.w.push_back(std::exp(-0.5 * (t - m1) * (t - m1) / (s1 * s1)));
  }
  mf::ot::SinkhornOptions opt;
  opt.eps = eps;
  opt.tol = 1e-14;
  const auto r = mf::ot::sinkhorn(MPI_COMM_WORLD, local_block(MPI_COMM_WORLD, x), local_block(MPI_COMM_WORLD, y), opt);
  const mf::Matrix A = mf::Matrix::diagonal({s0 * s0}), B = mf::Matrix::diagonal({s1 * s1});
  const double exact = mf::ot::entropic_ot_gaussian({m0}, A, {m1}, B, eps);
  EXPECT_LT(rel(r.entropic_cost, exact), 1e-10) << r.entropic_cost << " vs " << exact;
  const double div = mf::ot::sinkhorn_divergence(MPI_COMM_WORLD, local_block(MPI_COMM_WORLD, x),
                                                 local_block(MPI_COMM_WORLD, y), opt);
  const double div_exact = mf::ot::sinkhorn_divergence_gaussian({m0}, A, {m1}, B, eps);
  EXPECT_LT(rel(div, div_exact), 1e-10) << div << " vs " << div_exact;
}

TEST(OtSinkhorn, StableAtTinyEpsAndCloseToExactOT) {
  const int n = 60;
  const Cloud x = uniform_cloud(n, 2, 5, false), y = uniform_cloud(n, 2, 6, false, 0.25);
  mf::ot::SinkhornOptions opt;
  opt.eps = 1e-4 * 2.0 * 1.25 * 1.25;  // 1e-4 of the squared diameter of the joint box
  opt.tol = 1e-4;
  opt.max_iterations = 4000;
  const auto r = mf::ot::sinkhorn(MPI_COMM_WORLD, local_block(MPI_COMM_WORLD, x), local_block(MPI_COMM_WORLD, y), opt);
  ASSERT_TRUE(std::isfinite(r.transport_cost) && std::isfinite(r.entropic_cost));
  const double exact = mf::ot::w2_squared_exact_assignment(x.pos, y.pos, 2);
  if (rank_of(MPI_COMM_WORLD) == 0)
    std::printf("[ measured ] eps %.3g: %d iterations, marginal error %.3g, cost %.8f vs exact %.8f\n", opt.eps,
                r.iterations, r.marginal_error, r.transport_cost, exact);
  EXPECT_TRUE(r.converged) << r.iterations << " iterations, error " << r.marginal_error;
  EXPECT_LT(r.marginal_error, 1e-3);
  EXPECT_GT(r.transport_cost, exact * (1 - 1e-5));  // an entropic plan cannot beat the optimum ...
  EXPECT_LT(r.transport_cost - exact, 2e-3 * exact);  // ... and is close to it at this ε
}

TEST(OtSinkhorn, BarycentricProjectionOfATranslationIsTheTranslation) {
  Cloud x = uniform_cloud(100, 2, 8, false);
  Cloud y = x;
  const double s[2] = {0.3, -0.2};
  for (int i = 0; i < y.size(); ++i)
    for (int k = 0; k < 2; ++k) y.pos[2 * i + k] += s[k];
  mf::ot::SinkhornOptions opt;
  opt.eps = 2e-3;
  opt.tol = 1e-7;
  const auto X = local_block(MPI_COMM_WORLD, x), Y = local_block(MPI_COMM_WORLD, y);
  const auto r = mf::ot::sinkhorn(MPI_COMM_WORLD, X, Y, opt);
  const auto T = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(),
                                                     mf::ot::barycentric_projection(MPI_COMM_WORLD, X, Y, r, opt.eps));
  const auto P = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), X.positions);
  double worst = 0.0;
  for (size_t i = 0; i < T.extent(0); ++i)
    for (int k = 0; k < 2; ++k) worst = std::max(worst, std::abs(T(i, k) - P(i, k) - s[k]));
  MPI_Allreduce(MPI_IN_PLACE, &worst, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
  EXPECT_LT(worst, 0.02);  // ≪ |s| = 0.36 and ≪ the mean spacing 0.1
}

TEST(OtSinkhorn, DivergenceConvergesToGaussianClosedFormAtMonteCarloRate) {
  const double eps = 1.0;
  // Equal means: a mean shift adds a linear fluctuation 2Δm·(x̄ − ȳ) that needs many seeds to average.
  const mf::Matrix A = mf::Matrix::diagonal({1.0, 0.25}), B = mf::Matrix::diagonal({0.5, 1.0});
  const double exact = mf::ot::sinkhorn_divergence_gaussian({0.0, 0.0}, A, {0.0, 0.0}, B, eps);
  mf::ot::SinkhornOptions opt;
  opt.eps = eps;
  opt.tol = 1e-8;
  auto mean_error = [&](int n) {
    double sum = 0.0;
    const int seeds = 8;
    for (int s = 0; s < seeds; ++s) {
      const Cloud x = gaussian_cloud(n, {0.0, 0.0}, {1.0, 0.5}, 100 + s);
      const Cloud y = gaussian_cloud(n, {0.0, 0.0}, {std::sqrt(0.5), 1.0}, 200 + s);
      sum += std::abs(mf::ot::sinkhorn_divergence(MPI_COMM_WORLD, local_block(MPI_COMM_WORLD, x),
                                                  local_block(MPI_COMM_WORLD, y), opt) - exact);
    }
    return sum / seeds;
  };
  const double coarse = mean_error(25), fine = mean_error(400);
  if (rank_of(MPI_COMM_WORLD) == 0)
    std::printf("[ measured ] S_eps closed form %.6f, mean |error| n=25: %.4g, n=400: %.4g, ratio %.3g\n", exact,
                coarse, fine, coarse / fine);
  // n^{-1/2} predicts a ratio of 4 for 16× more points; the O(1/n) bias, dominant at n = 25, makes it
  // larger (8.6 measured, the mean over 8 seeds: an observed order of 0.78). Asserted: an order between
  // 0.4 (ratio 3; the former bound 2 was an order of 0.25) and 1 (ratio 16, the bias alone).
  EXPECT_GT(coarse / fine, 3.0) << coarse << " -> " << fine;
  EXPECT_LT(coarse / fine, 16.0) << coarse << " -> " << fine;
  EXPECT_LT(fine, 0.2 * exact);
}

TEST(OtExact1D, MatchesPot) {
  Cloud x = uniform_cloud(300, 1, 9, true), y = uniform_cloud(200, 1, 10, true, 0.4);
  for (auto& v : y.pos) v = v * v * 3.0;
  std::vector<double> pot;
  if (!pot_oracle(x, y, 0.0, "emd", pot)) GTEST_SKIP() << "python3-pot not available";
  const double w = mf::ot::w2_squared_exact_1d(MPI_COMM_WORLD, local_block(MPI_COMM_WORLD, x),
                                               local_block(MPI_COMM_WORLD, y));
  EXPECT_LT(rel(w, pot[0]), 1e-12) << w << " vs POT " << pot[0];
}

}  // namespace
