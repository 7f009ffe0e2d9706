// Streaming attention against a direct dense evaluation (values, entropy, huge scores), Sinkhorn
// attention's doubly-stochastic property, and the token dynamics against exact answers: the Gaussian
// closure (covariance error ∝ n^{-1/2}), RK4 order, the T-layer Euler map (order 1 in 1/T) and the
// equiangular sphere ODE.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "measureflow/counter_rng.hpp"
#include "measureflow/moments.hpp"
#include "models/transformer/transformer_views.hpp"

using namespace mf;
using namespace mf::transformer;

namespace {

TokenView random_tokens(std::size_t n, int d, std::uint64_t seed, double scale) {
  TokenView x("x", n, d);
  for (std::size_t i = 0; i < n; ++i) {
    const CounterRng rng(seed, i);
    for (int a = 0; a < d; ++a) x(i, a) = scale * rng.normal(a);
  }
  return x;
}

Matrix random_matrix(int d, std::uint64_t seed, double scale) {
  const CounterRng rng(seed, 999);
  Matrix m(d, d);
  for (int i = 0; i < d; ++i)
    for (int j = 0; j < d; ++j) m(i, j) = scale * rng.normal(i * d + j);
  return m;
}

// Direct O(n²) evaluation in long double with the max subtracted per row.
void dense_attention(const AttentionLayer& l, const TokenView& x, const ScalarView& w, std::vector<double>& gamma,
                     std::vector<double>& entropy) {
  const std::size_t n = x.extent(0);
  const int d = x.extent(1);
  gamma.assign(n * d, 0.0);
  entropy.assign(n, 0.0);
  std::vector<long double> s(n);
  for (std::size_t i = 0; i < n; ++i) {
    long double mx = -1e300L;
    for (std::size_t j = 0; j < n; ++j) {
      long double v = std::log(static_cast<long double>(w(j)));
      for (int a = 0; a < d; ++a)
        for (int b = 0; b < d; ++b)
          for (int c = 0; c < d; ++c) v += l.Q(b, a) * x(i, a) * l.K(b, c) * x(j, c);
      s[j] = v;
      mx = std::max(mx, v);
    }
    long double z = 0.0L, es = 0.0L;
    std::vector<long double> acc(d, 0.0L);
    for (std::size_t j = 0; j < n; ++j) {
      const long double e = std::exp(s[j] - mx);
      z += e;
      es += e * s[j];
      for (int a = 0; a < d; ++a)
        for (int c = 0; c < d; ++c) acc[a] += e * l.V(a, c) * x(j, c);
    }
    for (int a = 0; a < d; ++a) gamma[i * d + a] = static_cast<double>(acc[a] / z);
    entropy[i] = static_cast<double>(mx + std::log(z) - es / z);
  }
}

ScalarView equal_weights(std::size_t n) {
  ScalarView w("w", n);
  Kokkos::deep_copy(w, 1.0 / n);
  return w;
}

AttentionLayer make_layer(const Matrix& Q, const Matrix& K, const Matrix& V) {
  AttentionLayer l;
  l.Q = Q;
  l.K = K;
  l.V = V;
  return l;
}

}  // namespace

TEST(TransformerAttention, StreamingMatchesDenseSoftmax) {
  const int d = 5;
  const std::size_t n = 300;
  const TokenView x = random_tokens(n, d, 3, 1.0);
  ScalarView w("w", n);
  for (std::size_t i = 0; i < n; ++i) w(i) = 0.5 + CounterRng(8, i).uniform(0);
  for (double scale : {0.3, 30.0}) {  // 30: scores of several hundred, e^s overflows without the max
    const AttentionLayer l = make_layer(random_matrix(d, 1, scale), random_matrix(d, 2, 1.0), random_matrix(d, 3, 1.0));
    TokenView g("g", n, d);
    ScalarView e("e", n);
    self_attention(MPI_COMM_SELF, l, {}, x, w, g, e);
    std::vector<double> gd, ed;
    dense_attention(l, x, w, gd, ed);
    double err = 0.0, eerr = 0.0, emax = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      for (int a = 0; a < d; ++a) err = std::max(err, std::fabs(g(i, a) - gd[i * d + a]));
      eerr = std::max(eerr, std::fabs(e(i) - ed[i]));
      emax = std::max(emax, ed[i]);
      ASSERT_TRUE(std::isfinite(g(i, 0)));
    }
    EXPECT_LT(err, 1e-12) << "scale " << scale;
    EXPECT_LT(eerr, 1e-11 * std::max(1.0, emax)) << "scale " << scale;
  }
}

TEST(TransformerAttention, ZeroScoresGiveTheMeanAndMaximalEntropy) {
  const int d = 3;
  const std::size_t n = 257;
  const TokenView x = random_tokens(n, d, 4, 2.0);
  const ScalarView w = equal_weights(n);
  const AttentionLayer l = make_layer(Matrix(d, d), Matrix::identity(d), Matrix::identity(d));
  TokenView g("g", n, d);
  ScalarView e("e", n);
  self_attention(MPI_COMM_SELF, l, {}, x, w, g, e);
  std::vector<double> mean(d, 0.0);
  for (std::size_t j = 0; j < n; ++j)
    for (int a = 0; a < d; ++a) mean[a] += x(j, a) / n;
  for (std::size_t i = 0; i < n; ++i) {
    for (int a = 0; a < d; ++a) ASSERT_NEAR(g(i, a), mean[a], 1e-13);
    ASSERT_NEAR(e(i), std::log(double(n)), 1e-12);
  }
}

TEST(TransformerAttention, SinkhornAttentionBecomesDoublyStochastic) {
  // With V = I, a doubly stochastic attention preserves the mean: Σ_i w_i Γ_i = Σ_j w_j x_j.
  const int d = 2;
  const std::size_t n = 200;
  const TokenView x = random_tokens(n, d, 5, 1.0);
  const ScalarView w = equal_weights(n);
  const AttentionLayer l = make_layer(random_matrix(d, 7, 1.5), Matrix::identity(d), Matrix::identity(d));
  std::vector<double> drift;
  for (int iters : {0, 2, 8, 40}) {
    AttentionOptions opt;
    opt.variant = iters == 0 ? Variant::Softmax : Variant::Sinkhorn;
    opt.sinkhorn_iterations = iters;
    TokenView g("g", n, d);
    self_attention(MPI_COMM_SELF, l, opt, x, w, g);
    double dev = 0.0;
    for (int a = 0; a < d; ++a) {
      double s = 0.0;
      for (std::size_t i = 0; i < n; ++i) s += w(i) * (g(i, a) - x(i, a));
      dev += s * s;
    }
    drift.push_back(std::sqrt(dev));
  }
  EXPECT_GT(drift[0], 1e-2);  // plain softmax moves the mean
  EXPECT_LT(drift[2], drift[1]);
  EXPECT_LT(drift[3], 1e-6);
  EXPECT_LT(drift[3], 1e-4 * drift[0]);
}

namespace {

// A 2D softmax case with a general V whose closure is integrated by the closure's RK4.
struct Case2D {
  Matrix S0 = Matrix::from_rows({{0.30, 0.08}, {0.08, 0.20}});
  Vector m0 = {0.2, -0.1};
  AttentionLayer layer = make_layer(Matrix::from_rows({{1.0, 0.4}, {-0.3, 0.8}}), Matrix::from_rows({{0.9, 0.1}, {0.2, 1.1}}),
                                    Matrix::from_rows({{0.6, 0.2}, {-0.3, 0.5}}));
  std::unique_ptr<Measure> measure() const {
    MeasureSpec s;
    s.type = "gaussian";
    s.dim = 2;
    s.mean = m0;
    s.cov = S0;
    return make_measure(s);
  }
};

Moments run_tokens(const Case2D& c, long long n, std::uint64_t seed, double t, double dt, ParticleIntegrator integ,
                   ParticleSet* out = nullptr) {
  const auto mu = c.measure();
  ParticleSet p = sample_tokens(MPI_COMM_SELF, *mu, n, seed);
  TransformerLagrangian view(MPI_COMM_SELF, std::move(p), {c.layer}, {}, integ, dt);
  view.advance(0.0, t);
  if (out) *out = view.particles();
  return compute_moments(MPI_COMM_SELF, view.particles().as_points());
}

}  // namespace

TEST(TransformerAttention, TokenCovarianceApproachesClosureLikeInverseSqrtN) {
  const Case2D c;
  const double t = 0.5;
  const ClosureResult exact = closure_rk4_integrate({c.layer}, {c.m0, c.S0}, 0.0, t);
  ASSERT_FALSE(exact.blew_up);
  std::vector<double> errs;
  // RMS over seeds of the relative covariance error; its observed slope in n must be near −1/2. With 4
  // seeds per n the RMS itself scatters by ~20 % and the slope by ~0.1 (seen when the generator changed to
  // Philox: slope 0.30 with 4 seeds at 256/1024/4096 tokens), so 8 seeds at 128/512/2048 tokens (half the
  // cost: attention is O(n²)); 64 tokens is too few (slope 0.35 over 64/256/1024 with 16 seeds).
  const std::vector<long long> ns = {128, 512, 2048};
  for (long long n : ns) {
    double e2 = 0.0;
    const int seeds = 8;
    for (int s = 0; s < seeds; ++s) {
      const Moments m = run_tokens(c, n, 100 + s, t, 0.125, ParticleIntegrator::RK4);
      e2 += std::pow(frobenius_norm(m.cov - exact.state.S) / frobenius_norm(exact.state.S), 2) / seeds;
    }
    errs.push_back(std::sqrt(e2));
  }
  const double order = -std::log(errs[2] / errs[0]) / std::log(double(ns[2]) / ns[0]);
  std::printf("cov error vs closure: n=128 %.3e  n=512 %.3e  n=2048 %.3e  slope %.2f\n", errs[0], errs[1], errs[2],
              -order);
  EXPECT_GT(order, 0.35);
  EXPECT_LT(order, 0.7);
  // Measured 0.047 at 2048 tokens (0.032 at 4096 with 4 seeds); the bound leaves room for the RMS's scatter.
  EXPECT_LT(errs[2], 0.08);
}

TEST(TransformerAttention, Rk4IsFourthOrderAndTheLayerMapFirstOrderInDepth) {
  const Case2D c;
  const double t = 1.0;
  ParticleSet ref;
  run_tokens(c, 150, 9, t, 1.0 / 256, ParticleIntegrator::RK4, &ref);
  auto err = [&](double dt, ParticleIntegrator integ) {
    ParticleSet p;
    run_tokens(c, 150, 9, t, dt, integ, &p);
    double e = 0.0;
    for (std::size_t i = 0; i < p.size(); ++i)
      for (int a = 0; a < 2; ++a) e = std::max(e, std::fabs(p.positions(i, a) - ref.positions(i, a)));
    return e;
  };
  const double r1 = err(1.0 / 8, ParticleIntegrator::RK4), r2 = err(1.0 / 16, ParticleIntegrator::RK4);
  EXPECT_GT(std::log2(r1 / r2), 3.6);
  // T layers x ← x + Γ(x)/T (eq. 26) against the depth ODE.
  std::vector<double> e;
  for (int T : {8, 16, 32, 64}) e.push_back(err(1.0 / T, ParticleIntegrator::Euler));
  std::printf("T-layer map error: T=8 %.3e 16 %.3e 32 %.3e 64 %.3e\n", e[0], e[1], e[2], e[3]);
  for (int k = 0; k + 1 < 4; ++k) {
    EXPECT_GT(std::log2(e[k] / e[k + 1]), 0.85);
    EXPECT_LT(std::log2(e[k] / e[k + 1]), 1.15);
  }
}

namespace {

// ρ' = 2e^{βρ}(1 − ρ)(1 + (n−1)ρ) / (e^β + (n−1)e^{βρ}) with a fine RK4.
double equiangular_rho(double rho, double beta, int n, double t) {
  auto f = [&](double r) {
    return 2.0 * std::exp(beta * r) * (1.0 - r) * (1.0 + (n - 1) * r) / (std::exp(beta) + (n - 1) * std::exp(beta * r));
  };
  const int steps = 20000;
  const double h = t / steps;
  for (int k = 0; k < steps; ++k) {
    const double k1 = f(rho), k2 = f(rho + 0.5 * h * k1), k3 = f(rho + 0.5 * h * k2), k4 = f(rho + h * k3);
    rho += h / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4);
  }
  return rho;
}

}  // namespace

TEST(TransformerAttention, EquiangularSphereTokensFollowTheScalarOde) {
  // x_i = √(1−c²) u_i + c e_n in R^{n+1}, u_i the unit centred simplex (⟨u_i, u_j⟩ = −1/(n−1)),
  // c² = (ρ0(n−1) + 1)/n: unit vectors with all ⟨x_i, x_j⟩ = ρ0.
  const int n = 12, d = n + 1;
  for (double rho0 : {-0.05, 0.3}) {
    for (double beta : {1.0, 4.0}) {
      ParticleSet p(d, n);
      const double c = std::sqrt((rho0 * (n - 1) + 1.0) / n), un = std::sqrt(1.0 - 1.0 / n);
      for (int i = 0; i < n; ++i) {
        for (int a = 0; a < n; ++a) p.positions(i, a) = std::sqrt(1.0 - c * c) * ((a == i ? 1.0 : 0.0) - 1.0 / n) / un;
        p.positions(i, n) = c;
        p.weights(i) = 1.0 / n;
        p.ids(i) = i;
      }
      AttentionOptions opt;
      opt.variant = Variant::Sphere;
      opt.beta = beta;
      TransformerLagrangian view(MPI_COMM_SELF, p, {make_layer(Matrix::identity(d), Matrix::identity(d), Matrix::identity(d))},
                                 opt, ParticleIntegrator::RK4, 1e-3);
      const double r0 = view.mean_pairwise_inner_product();
      const double rho_start = rho0;
      ASSERT_NEAR(r0, rho_start, 1e-14);
      view.advance(0.0, 1.0);
      const double expect = equiangular_rho(rho_start, beta, n, 1.0);
      EXPECT_NEAR(view.mean_pairwise_inner_product(), expect, 1e-10) << "rho0 " << rho0 << " beta " << beta;
      std::printf("equiangular rho0 %.2f beta %.0f: rho(1) %.12f, particle - ODE %.2e\n", rho0, beta, expect,
                  view.mean_pairwise_inner_product() - expect);
      EXPECT_GT(std::fabs(expect - rho_start), 1e-3);  // the test is not trivially static
      // Every pair, not just the mean, stays equiangular.
      const auto& x = view.particles().positions;
      for (int i = 0; i < n; ++i)
        for (int j = 0; j < i; ++j) {
          double s = 0.0;
          for (int a = 0; a < d; ++a) s += x(i, a) * x(j, a);
          ASSERT_NEAR(s, expect, 1e-10);
        }
    }
  }
}

TEST(TransformerAttention, ClustersAreCounted) {
  ParticleSet p(2, 9);
  for (int i = 0; i < 9; ++i) {
    p.positions(i, 0) = (i % 3) * 1.0 + 1e-4 * i;
    p.positions(i, 1) = 0.0;
    p.weights(i) = 1.0 / 9;
    p.ids(i) = i;
  }
  EXPECT_EQ(count_clusters(MPI_COMM_SELF, p, 0.01), 3);
  EXPECT_EQ(count_clusters(MPI_COMM_SELF, p, 1e-6), 9);
  EXPECT_EQ(count_clusters(MPI_COMM_SELF, p, 5.0), 1);
}

TEST(TransformerAttention, LayersSwitchExactlyAtTheirDepth) {
  // Layers [L1 until 0.5, L2]: a step of 0.3 must not straddle 0.5. The layered run equals L1 on
  // [0, 0.5] followed by L2 on [0.5, 1] (both split into two steps of 0.25).
  const Case2D c;
  AttentionLayer l1 = c.layer, l2 = make_layer(Matrix::from_rows({{0.0, 1.0}, {-1.0, 0.0}}), Matrix::identity(2),
                                               Matrix::from_rows({{0.5, 0.0}, {0.0, 0.5}}));
  l1.t_end = 0.5;
  const auto mu = c.measure();
  for (ParticleIntegrator integ : {ParticleIntegrator::RK4, ParticleIntegrator::Euler}) {
    TransformerLagrangian layered(MPI_COMM_SELF, sample_tokens(MPI_COMM_SELF, *mu, 200, 4), {l1, l2}, {}, integ, 0.3);
    layered.advance(0.0, 1.0);
    TransformerLagrangian first(MPI_COMM_SELF, sample_tokens(MPI_COMM_SELF, *mu, 200, 4), {c.layer}, {}, integ, 0.3);
    first.advance(0.0, 0.5);
    TransformerLagrangian second(MPI_COMM_SELF, first.particles(), {l2}, {}, integ, 0.3);
    second.advance(0.5, 0.5);
    const auto& a = layered.particles().positions;
    const auto& b = second.particles().positions;
    double err = 0.0;
    for (std::size_t i = 0; i < a.extent(0); ++i)
      for (int k = 0; k < 2; ++k) err = std::max(err, std::fabs(a(i, k) - b(i, k)));
    EXPECT_LT(err, 1e-14);
    // And the layer change matters: L1 all the way gives something else.
    TransformerLagrangian only1(MPI_COMM_SELF, sample_tokens(MPI_COMM_SELF, *mu, 200, 4), {c.layer}, {}, integ, 0.3);
    only1.advance(0.0, 1.0);
    EXPECT_GT(std::fabs(only1.particles().positions(0, 0) - a(0, 0)), 1e-3);
  }
}
