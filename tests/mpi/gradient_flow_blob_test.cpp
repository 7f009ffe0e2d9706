// Blob-method particles: the halo-exchanged, cell-list velocities equal a single-rank all-pairs sum on
// any rank count; the particles converge to Barenblatt in the particle count; heat spreads as 2t.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "gradient_flow_fixtures.hpp"
#include "measureflow/diagnostics.hpp"
#include "measureflow/environment.hpp"
#include "models/gradient_flow/gradient_flow_closed_form.hpp"
#include "models/gradient_flow/gradient_flow_lagrangian.hpp"

using namespace mf;
using namespace mf::gradient_flow;

namespace {

// Every rank's particles and velocities on rank 0, keyed by id (empty elsewhere).
struct Gathered {
  std::vector<double> x, w, v;
  std::vector<std::int64_t> id;
};

Gathered gather(const ParticleSet& p, PointsView v, MPI_Comm comm) {
  const int d = p.dim();
  int size = 1, rank = 0;
  MPI_Comm_size(comm, &size);
  MPI_Comm_rank(comm, &rank);
  auto hx = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), p.positions);
  auto hw = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), p.weights);
  auto hi = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), p.ids);
  auto hv = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), v);
  const int n = static_cast<int>(p.size());
  std::vector<int> counts(size), offs(size, 0);
  MPI_Gather(&n, 1, MPI_INT, counts.data(), 1, MPI_INT, 0, comm);
  for (int r = 1; r < size; ++r) offs[r] = offs[r - 1] + counts[r - 1];
  const int total = offs[size - 1] + counts[size - 1];
  Gathered g;
  g.w.resize(rank == 0 ? total : 0);
  g.id.resize(rank == 0 ? total : 0);
  std::vector<double> lx(hx.data(), hx.data() + n * d), lv(hv.data(), hv.data() + n * d);
  MPI_Gatherv(hw.data(), n, MPI_DOUBLE, g.w.data(), counts.data(), offs.data(), MPI_DOUBLE, 0, comm);
  MPI_Gatherv(hi.data(), n, MPI_INT64_T, g.id.data(), counts.data(), offs.data(), MPI_INT64_T, 0, comm);
  for (int r = 0; r < size; ++r) {
    counts[r] *= d;
    offs[r] *= d;
  }
  g.x.resize(rank == 0 ? total * d : 0);
  g.v.resize(rank == 0 ? total * d : 0);
  MPI_Gatherv(lx.data(), n * d, MPI_DOUBLE, g.x.data(), counts.data(), offs.data(), MPI_DOUBLE, 0, comm);
  MPI_Gatherv(lv.data(), n * d, MPI_DOUBLE, g.v.data(), counts.data(), offs.data(), MPI_DOUBLE, 0, comm);
  return g;
}

GradientFlowConfig barenblatt_config(long long lattice) {
  auto c = mf::testing::gf_config(2, 1.5, 24);
  mf::testing::set_barenblatt(c, 2.0, 0.05);
  c.particles = lattice;
  return c;
}

}  // namespace

TEST(GradientFlowBlob, HaloForcesEqualSingleRankAllPairs) {
  for (double m : {2.0, 3.0}) {
    auto c = barenblatt_config(m == 2.0 ? 10000 : 3600);
    c.energy.m = m;
    c.initial.m = m;
    c.initial.center = {0.3, -0.2};
    c.energy.potential = Potential::Quadratic;
    c.energy.potential_strength = 0.7;
    auto measure = make_measure(c.initial);
    const Grid grid(MPI_COMM_WORLD, c.domain, 1);
    GradientFlowLagrangian lag(c, grid, *measure);
    lag.advance(0.0, 0.004);  // a few steps, so particles are off the lattice and have migrated
    const ParticleSet& p = lag.particles();
    PointsView v("v", p.size(), 2);
    const BlobStats st = blob_velocities(p, grid, make_local_energy(c.energy), lag.mollifier(), 0.0, v);
    int size = 1;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (size > 1) EXPECT_GT(st.halo_particles, 0);
    const long long n_global = global_count(p, MPI_COMM_WORLD);
    // A halo, not an all-gather: far fewer copies than every rank receiving every other rank's particles.
    EXPECT_LT(st.halo_particles, (size - 1) * n_global / 2 + 1);
    const Gathered g = gather(p, v, MPI_COMM_WORLD);
    if (mf::world_rank() != 0) continue;
    const int n = static_cast<int>(g.w.size());
    PointsView x("x", n, 2), vr("vr", n, 2);
    WeightsView w("w", n);
    for (int i = 0; i < n; ++i) {
      x(i, 0) = g.x[2 * i];
      x(i, 1) = g.x[2 * i + 1];
      w(i) = g.w[i];
    }
    blob_velocities_all_pairs(x, w, 2, make_local_energy(c.energy), lag.mollifier(), vr);
    double worst = 0.0, scale = 0.0;
    for (int i = 0; i < n; ++i)
      for (int a = 0; a < 2; ++a) {
        worst = std::max(worst, std::abs(vr(i, a) - g.v[2 * i + a]));
        scale = std::max(scale, std::abs(vr(i, a)));
      }
    std::printf("blob m=%.0f: %d particles, halo copies %lld, max |v - v_allpairs| = %.3e (max |v| %.3f)\n", m, n,
                st.halo_particles, worst, scale);
    EXPECT_LE(worst, 1e-12 * scale);
  }
}

TEST(GradientFlowBlob, ConvergesToBarenblattInParticleCount) {
  // m = 2 in 2D from t0 = 0.05 to t0 + 0.1; lattice spacing shrinks by √2 twice (δ = 4 × spacing).
  std::vector<double> l1, cov, hp;
  for (long long lattice : {2500LL, 5000LL, 10000LL}) {
    auto c = barenblatt_config(lattice);
    c.t_end = 0.1;
    auto measure = make_measure(c.initial);
    const Grid grid(MPI_COMM_WORLD, c.domain, 1);
    GradientFlowLagrangian lag(c, grid, *measure);
    lag.advance(0.0, c.t_end);
    auto exact = GradientFlowClosedForm::make(c);
    // Blob density at the centres of a fixed 120² evaluation grid vs exact cell averages.
    auto eval_spec = c.domain;
    eval_spec.cells = {120, 120, 1};
    const Grid eval(MPI_COMM_WORLD, eval_spec, 1);
    VecHandle rho = eval.create_global(), ref = eval.create_global();
    blob_density_on_grid(eval, lag.particles(), lag.mollifier(), rho);
    exact->cell_averages(c.t_end, eval, ref);
    l1.push_back(relative_l1(rho, ref));
    const Moments got = compute_moments(MPI_COMM_WORLD, lag.particles().as_points());
    cov.push_back(relative_cov_error(got, *exact->moments(c.t_end)));
    hp.push_back(lattice_spacing(c.domain, lattice));
    EXPECT_NEAR(global_weight(lag.particles(), MPI_COMM_WORLD), 1.0, 1e-12);
    const long long count = global_count(lag.particles(), MPI_COMM_WORLD);  // collective: outside the if
    if (mf::world_rank() == 0)
      std::printf("blob porous2d lattice=%lld particles=%lld delta=%.4f L1=%.4e cov_err=%.4e\n", lattice, count,
                  lag.mollifier().delta, l1.back(), cov.back());
  }
  for (size_t k = 0; k + 1 < l1.size(); ++k) {
    const double p = mf::testing::observed_order(l1[k], l1[k + 1], hp[k] / hp[k + 1]);
    if (mf::world_rank() == 0) std::printf("blob porous2d L1 order in spacing %.2f\n", p);
    EXPECT_GE(p, 0.8) << l1[k] << " " << l1[k + 1];
    EXPECT_LT(cov[k + 1], cov[k]);
  }
  EXPECT_LT(l1.back(), 0.01);
}

TEST(GradientFlowBlob, HeatEquationVarianceGrowsAsTwoT) {
  auto c = mf::testing::gf_config(1, 3.0, 60);
  mf::testing::set_gaussian(c, {0.1}, Matrix::from_rows({{0.05}}));
  c.particles = 600;
  // The particles spread by 2.2×: the blob must still cover several spacings at the end.
  c.blob_width = 0.1;
  c.t_end = 0.1;
  auto measure = make_measure(c.initial);
  const Grid grid(MPI_COMM_WORLD, c.domain, 1);
  GradientFlowLagrangian lag(c, grid, *measure);
  lag.advance(0.0, c.t_end);
  const Moments got = compute_moments(MPI_COMM_WORLD, lag.particles().as_points());
  auto exact = GradientFlowClosedForm::make(c);
  const double err = relative_cov_error(got, *exact->moments(c.t_end));
  if (mf::world_rank() == 0) std::printf("blob heat1d variance %.5f exact %.5f\n", got.cov(0, 0), exact->moments(c.t_end)->cov(0, 0));
  EXPECT_LT(err, 0.02);
  EXPECT_LT(relative_mean_error(got, *exact->moments(c.t_end)), 1e-3);
}

TEST(GradientFlowBlob, StochasticParticlesMatchOrnsteinUhlenbeckOnAnyRankCount) {
  // Euler–Maruyama for ∂ρ = Δρ + div(ρx): covariance I + (Σ0 − I)e^{−2t}; the noise is keyed by particle
  // id, so the decomposed run equals the serial one exactly.
  auto c = mf::testing::gf_config(2, 4.0, 16);
  mf::testing::set_gaussian(c, {0.5, -0.2}, Matrix::from_rows({{0.1, 0.0}, {0.0, 0.05}}));
  c.energy.potential = Potential::Quadratic;
  c.energy.potential_strength = 1.0;
  c.method = ParticleMethod::Stochastic;
  c.particles = 20000;
  c.t_end = 0.5;
  auto measure = make_measure(c.initial);
  auto run = [&](MPI_Comm comm, std::uint64_t seed = 42) {
    auto cs = c;
    cs.seed = seed;
    const Grid grid(comm, cs.domain, 1);
    auto lag = std::make_unique<GradientFlowLagrangian>(cs, grid, *measure);
    lag->advance(0.0, c.t_end);
    const Moments mo = compute_moments(comm, lag->particles().as_points());
    PointsView v("unused", lag->particles().size(), 2);
    Gathered g = gather(lag->particles(), v, comm);
    return std::make_pair(mo, g);
  };
  const auto par = run(MPI_COMM_WORLD);
  const auto ser = run(MPI_COMM_SELF);
  auto exact = GradientFlowClosedForm::make(c);
  // The errors are averaged over 4 seeds (the one above and 3 more), so no single draw decides.
  const int seeds = 4;
  double cov_err = relative_cov_error(par.first, *exact->moments(c.t_end)) / seeds;
  double mean_err = relative_mean_error(par.first, *exact->moments(c.t_end)) / seeds;
  for (int s = 1; s < seeds; ++s) {
    const Moments m = run(MPI_COMM_WORLD, 1000 + s).first;
    cov_err += relative_cov_error(m, *exact->moments(c.t_end)) / seeds;
    mean_err += relative_mean_error(m, *exact->moments(c.t_end)) / seeds;
    if (mf::world_rank() == 0)
      std::printf("stochastic OU seed %d: cov error %.3e mean error %.3e\n", 1000 + s,
                  relative_cov_error(m, *exact->moments(c.t_end)), relative_mean_error(m, *exact->moments(c.t_end)));
  }
  if (mf::world_rank() == 0)
    std::printf("stochastic OU: mean over %d seeds: cov error %.3e mean error %.3e (seed 42: var %.4f %.4f exact %.4f %.4f)\n",
                seeds, cov_err, mean_err, par.first.cov(0, 0), par.first.cov(1, 1), exact->moments(c.t_end)->cov(0, 0),
                exact->moments(c.t_end)->cov(1, 1));
  // Monte Carlo (≈ √2/√N ≈ 1% for the covariance) plus the O(dt) Euler–Maruyama bias. Measured: cov
  // errors 0.0183, 0.0063, 0.0052, 0.0187 (mean 0.0121), mean errors 0.0010-0.0063 (mean 0.0042); the
  // bounds (single seed, 0.03 each before) are about 1.7x and 1.9x the means.
  EXPECT_LT(cov_err, 0.02);
  EXPECT_LT(mean_err, 0.008);
  if (mf::world_rank() == 0) {
    std::map<std::int64_t, std::pair<double, double>> a;
    for (size_t i = 0; i < ser.second.id.size(); ++i) a[ser.second.id[i]] = {ser.second.x[2 * i], ser.second.x[2 * i + 1]};
    ASSERT_EQ(par.second.id.size(), ser.second.id.size());
    double worst = 0.0;
    for (size_t i = 0; i < par.second.id.size(); ++i) {
      const auto& q = a.at(par.second.id[i]);
      worst = std::max({worst, std::abs(q.first - par.second.x[2 * i]), std::abs(q.second - par.second.x[2 * i + 1])});
    }
    EXPECT_EQ(worst, 0.0);
  }
}
