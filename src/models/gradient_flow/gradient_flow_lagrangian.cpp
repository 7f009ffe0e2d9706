#include "gradient_flow_lagrangian.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "blob_pairwise.hpp"
#include "measureflow/counter_rng.hpp"
#include "measureflow/ring_pairs.hpp"
#include "measureflow/particle_sampling.hpp"

namespace mf::gradient_flow {

double lattice_spacing(const GridSpec& box, long long count) {
  double vol = 1.0;
  for (int a = 0; a < box.dim; ++a) vol *= box.upper[a] - box.lower[a];
  return std::pow(vol / static_cast<double>(count), 1.0 / box.dim);
}

ParticleSet lattice_particles(const Measure& initial, const GridSpec& box, long long count, const Grid& grid) {
  const int d = box.dim;
  const double hp = lattice_spacing(box, count);
  long long n[3] = {1, 1, 1};
  double cellvol = 1.0;
  for (int a = 0; a < d; ++a) {
    n[a] = std::max(1LL, static_cast<long long>(std::llround((box.upper[a] - box.lower[a]) / hp)));
    cellvol *= (box.upper[a] - box.lower[a]) / n[a];
  }
  const long long total = n[0] * n[1] * n[2];
  int rank = 0, size = 1;
  MPI_Comm_rank(grid.comm(), &rank);
  MPI_Comm_size(grid.comm(), &size);
  const IdRange ids = id_block(total, rank, size);
  std::vector<double> xs, ws;
  std::vector<std::int64_t> is;
  double local_mass = 0.0;
  for (std::int64_t id = ids.first; id < ids.first + ids.count; ++id) {
    const long long c[3] = {id % n[0], (id / n[0]) % n[1], id / (n[0] * n[1])};
    double x[3] = {0, 0, 0};
    for (int a = 0; a < d; ++a) x[a] = box.lower[a] + (c[a] + 0.5) * (box.upper[a] - box.lower[a]) / n[a];
    const double w = initial.density(x) * cellvol;
    if (!(w > 0.0)) continue;
    for (int a = 0; a < d; ++a) xs.push_back(x[a]);
    ws.push_back(w);
    is.push_back(id);
    local_mass += w;
  }
  double mass = 0.0;
  MPI_Allreduce(&local_mass, &mass, 1, MPI_DOUBLE, MPI_SUM, grid.comm());
  ParticleSet p(d, ws.size());
  auto hx = Kokkos::create_mirror_view(p.positions);
  auto hw = Kokkos::create_mirror_view(p.weights);
  auto hi = Kokkos::create_mirror_view(p.ids);
  for (std::size_t i = 0; i < ws.size(); ++i) {
    for (int a = 0; a < d; ++a) hx(i, a) = xs[i * d + a];
    hw(i) = ws[i] / mass;  // midpoint quadrature misses O(h²) of the mass; the measure has unit mass
    hi(i) = is[i];
  }
  Kokkos::deep_copy(p.positions, hx);
  Kokkos::deep_copy(p.weights, hw);
  Kokkos::deep_copy(p.ids, hi);
  migrate(p, grid);
  return p;
}

GradientFlowLagrangian::GradientFlowLagrangian(const GradientFlowConfig& config, const Grid& decomposition,
                                               const Measure& initial)
    : config_(config), grid_(decomposition), energy_(make_local_energy(config.energy)),
      // Stochastic particles are equal-weight samples (Monte Carlo error 1/√N); the deterministic ones
      // a weighted lattice.
      particles_(config.method == ParticleMethod::Stochastic
                     ? sample_particles(initial, config.particles, config.seed, decomposition)
                     : lattice_particles(initial, config.domain, config.particles, decomposition)) {
  if (config.method == ParticleMethod::Stochastic) {
    if (config.energy.internal != Internal::Entropy)
      throw std::invalid_argument("gradient_flow: lagrangian.method = stochastic needs energy.internal = entropy");
    // The entropy becomes Brownian noise; the deterministic drift keeps only V and W.
    stochastic_ = true;
    energy_.internal = Internal::None;
  }
  const double hp = lattice_spacing(config.domain, config.particles);
  phi_ = make_mollifier(config.domain.dim, config.blob_width > 0.0 ? config.blob_width : 4.0 * hp);
  interaction_ = make_interaction(config.energy, config.domain.dim);
  PointsView v("blob_v", particles_.size(), particles_.dim());
  velocities(particles_, 0.0, v);
}

namespace {
// Σ_j w_j ∇W(x_i − x_j) as a ring pair functor.
struct InteractionPair {
  InteractionKernel k;
  KOKKOS_INLINE_FUNCTION void operator()(const double* z, double* g) const { k.add_gradient(z, g); }
};
}  // namespace

void GradientFlowLagrangian::velocities(const ParticleSet& p, double reach, PointsView v) {
  const int d = p.dim();
  if (energy_.internal != Internal::None && config_.method == ParticleMethod::Pairwise) {
    // All pairs over the ring: no halo, so a predictor's reach needs no widening.
    max_rho_ = blob_velocities_pairwise(p, grid_.comm(), energy_, phi_, v);
    halo_last_ = 0;
  } else if (energy_.internal != Internal::None) {
    const BlobStats st = blob_velocities(p, grid_, energy_, phi_, reach, v);
    max_rho_ = st.max_rho_delta;
    halo_last_ = st.halo_particles;
  } else {
    const LocalEnergy e = energy_;
    auto x = p.positions;
    Kokkos::parallel_for(
        "mf::gradient_flow::confinement", Kokkos::RangePolicy<>(0, p.size()), KOKKOS_LAMBDA(const int i) {
          double y[3] = {0, 0, 0};
          for (int a = 0; a < d; ++a) y[a] = x(i, a);
          for (int a = 0; a < d; ++a) v(i, a) = -e.dV(y, a);
        });
  }
  if (interaction_.type != 0) {
    PointsView grad("interaction_gradient", p.size(), d);
    ring_pair_sum(p, grid_.comm(), InteractionPair{interaction_}, grad);
    Kokkos::parallel_for(
        "mf::gradient_flow::interaction", Kokkos::RangePolicy<>(0, p.size()), KOKKOS_LAMBDA(const int i) {
          for (int a = 0; a < d; ++a) v(i, a) -= grad(i, a);
        });
  }
}

void GradientFlowLagrangian::save_state(ViewStateWriter& out) const {
  out.put_reals("max_blob_density", {max_rho_});
  out.put_integers("halo_particles_last", {halo_last_});
  out.put_integers("noise_steps", {static_cast<long long>(em_steps_)});
}

void GradientFlowLagrangian::restore_state(const ViewStateReader& in) {
  max_rho_ = in.reals("max_blob_density").at(0);
  halo_last_ = in.integers("halo_particles_last").at(0);
  em_steps_ = static_cast<std::uint64_t>(in.integers("noise_steps").at(0));
}

// Explicit steps resolve the regularised diffusion on the blob scale: dt ≲ δ² / (effective diffusivity).
double GradientFlowLagrangian::stable_dt(double /*t*/) {
  double D = 0.0;
  if (energy_.internal == Internal::Porous) D = energy_.m * std::pow(std::max(max_rho_, 1e-300), energy_.m - 1.0);
  if (energy_.internal == Internal::Entropy) D = 1.0;
  double dt = D > 0.0 ? 0.05 * phi_.delta * phi_.delta / D : std::numeric_limits<double>::infinity();
  if (stochastic_) dt = std::min(dt, 0.01);  // Euler–Maruyama: weak order 1, dt sets the bias
  if (energy_.k > 0.0) dt = std::min(dt, 0.2 / energy_.k);
  // Interaction: the attractive part is O(1); the softened repulsion is resolved by substeps.
  if (interaction_.type != 0) dt = std::min(dt, 0.02);
  return dt;
}

void GradientFlowLagrangian::advance(double t, double dt) {
  const double stable = stable_dt(t);
  int n = std::max(config_.particle_substeps, 1);
  if (std::isfinite(stable)) n = std::max(n, static_cast<int>(std::ceil(dt / stable * (1.0 - 1e-12))));
  for (int s = 0; s < n; ++s) {
    if (stochastic_)
      euler_maruyama_step(dt / n);
    else
      heun_step(dt / n);
  }
}

void GradientFlowLagrangian::euler_maruyama_step(double dt) {
  const int d = particles_.dim();
  const std::size_t np = particles_.size();
  PointsView v("em_drift", np, d);
  velocities(particles_, 0.0, v);
  // Noise keyed by (seed, particle id, step, axis): the same path on any rank count. The stream is
  // derived from the seed, not the seed itself: sample_particles drew the initial positions from
  // (seed, id), and reusing those normals would correlate the first step with the initial state.
  auto x = particles_.positions;
  auto ids = particles_.ids;
  const std::uint64_t seed = splitmix64(config_.seed ^ 0x6e6f697365ULL), step = em_steps_++;
  const double noise = std::sqrt(2.0 * dt);
  Kokkos::parallel_for(
      "mf::gradient_flow::euler_maruyama", Kokkos::RangePolicy<>(0, np), KOKKOS_LAMBDA(const int i) {
        const CounterRng rng(seed, static_cast<std::uint64_t>(ids(i)));
        for (int a = 0; a < d; ++a) x(i, a) += dt * v(i, a) + noise * rng.normal(step * 3 + a);
      });
  migrate(particles_, grid_);
}

void GradientFlowLagrangian::heun_step(double dt) {
  const int d = particles_.dim();
  const std::size_t np = particles_.size();
  PointsView v0("blob_v0", np, d), v1("blob_v1", np, d);
  velocities(particles_, 0.0, v0);
  // Predictor positions, shallow-sharing weights and ids; they may leave their owners' subdomains by up
  // to the largest step, which widens the halo by that reach.
  ParticleSet star(d, 0);
  star.positions = PointsView("blob_star", np, d);
  star.weights = particles_.weights;
  star.ids = particles_.ids;
  auto x = particles_.positions;
  auto xs = star.positions;
  double reach_local = 0.0;
  Kokkos::parallel_reduce(
      "mf::gradient_flow::blob_predictor", Kokkos::RangePolicy<>(0, np),
      KOKKOS_LAMBDA(const int i, double& m) {
        double s2 = 0.0;
        for (int a = 0; a < d; ++a) {
          xs(i, a) = x(i, a) + dt * v0(i, a);
          s2 += dt * v0(i, a) * dt * v0(i, a);
        }
        m = s2 > m ? s2 : m;
      },
      Kokkos::Max<double>(reach_local));
  double reach = 0.0;
  reach_local = std::sqrt(reach_local);
  MPI_Allreduce(&reach_local, &reach, 1, MPI_DOUBLE, MPI_MAX, grid_.comm());
  velocities(star, reach, v1);
  Kokkos::parallel_for(
      "mf::gradient_flow::blob_corrector", Kokkos::RangePolicy<>(0, np), KOKKOS_LAMBDA(const int i) {
        for (int a = 0; a < d; ++a) x(i, a) += 0.5 * dt * (v0(i, a) + v1(i, a));
      });
  migrate(particles_, grid_);
}

}  // namespace mf::gradient_flow
