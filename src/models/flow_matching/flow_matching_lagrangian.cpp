// The sampling ODE dx/dt = v_t(x) from t = 0 to 1 for samples of α0.
#include <cmath>

#include "flow_matching_views.hpp"
#include "measureflow/errors.hpp"

namespace mf::flow_matching {

namespace {
using ExecSpace = Kokkos::DefaultExecutionSpace;

// Σ_i w_i |k_i|² (local).
double weighted_square(const FieldPoints& k, const WeightsView& w) {
  const int d = static_cast<int>(k.extent(1));
  double s = 0.0;
  Kokkos::parallel_reduce(
      "mf::flow_matching::energy", Kokkos::RangePolicy<ExecSpace>(0, k.extent(0)),
      KOKKOS_LAMBDA(const int i, double& acc) {
        double v2 = 0.0;
        for (int a = 0; a < d; ++a) v2 += k(i, a) * k(i, a);
        acc += w(i) * v2;
      },
      s);
  return s;
}
}  // namespace

ParticleSet sample_source(MPI_Comm comm, const GaussianSource& source, long long total, std::uint64_t seed) {
  int rank = 0, size = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  MeasureSpec spec;
  spec.type = "gaussian";
  spec.dim = static_cast<int>(source.mean.size());
  spec.mean = source.mean;
  spec.cov = source.cov;
  const auto measure = make_measure(spec);
  const int d = spec.dim;
  const IdRange r = id_block(total, rank, size);
  ParticleSet p(d, static_cast<std::size_t>(r.count));
  auto hx = Kokkos::create_mirror_view(p.positions);
  auto hw = Kokkos::create_mirror_view(p.weights);
  auto hid = Kokkos::create_mirror_view(p.ids);
  for (std::int64_t i = 0; i < r.count; ++i) {
    measure->sample(seed, r.first + i, &hx(i, 0));
    hw(i) = 1.0 / static_cast<double>(total);
    hid(i) = r.first + i;
  }
  Kokkos::deep_copy(p.positions, hx);
  Kokkos::deep_copy(p.weights, hw);
  Kokkos::deep_copy(p.ids, hid);
  return p;
}

int ode_step(const FlowField& field, Integrator method, double t, double h, const FieldPoints& x, FieldPoints k[4],
             const FieldPoints& stage, const WeightsView& w, double* energy) {
  const bool to_one = t + h >= 1.0 - 1e-12;
  if (field.singular_at_one() && to_one) {
    // x(1) = D_t(x(t)) for the frozen denoiser: lands on the posterior mean without touching t = 1.
    field.posterior_mean(t, x, k[0]);
    Kokkos::deep_copy(x, k[0]);
    return 1;
  }
  const bool e = energy && w.extent(0) == x.extent(0);
  auto velocity = [&](double at_t, const FieldPoints& at, const FieldPoints& out) { field.evaluate(at_t, at, out); };
  switch (method) {
    case Integrator::Euler:
      field.evaluate(t, x, k[0]);
      if (e) *energy += h * weighted_square(k[0], w);
      points_axpy(x, x, h, k[0]);
      return 1;
    case Integrator::Heun:
      field.evaluate(t, x, k[0]);
      points_axpy(stage, x, h, k[0]);
      field.evaluate(t + h, stage, k[1]);
      if (e) *energy += 0.5 * h * (weighted_square(k[0], w) + weighted_square(k[1], w));
      {
        auto k0 = k[0], k1 = k[1];
        const int d = static_cast<int>(x.extent(1));
        Kokkos::parallel_for(
            "mf::flow_matching::heun_update", Kokkos::RangePolicy<ExecSpace>(0, x.extent(0)), KOKKOS_LAMBDA(const int i) {
              for (int a = 0; a < d; ++a) x(i, a) += 0.5 * h * (k0(i, a) + k1(i, a));
            });
        Kokkos::fence();
      }
      return 2;
    case Integrator::Rk4:
      break;
  }
  batch_rk4_step(x, t, h, velocity, k, stage);
  if (e)
    *energy += h / 6.0 *
               (weighted_square(k[0], w) + 2.0 * weighted_square(k[1], w) + 2.0 * weighted_square(k[2], w) +
                weighted_square(k[3], w));
  return 4;
}

FlowMatchingLagrangian::FlowMatchingLagrangian(MPI_Comm comm, ParticleSet samples, const FlowField& field,
                                               Integrator integrator, int steps, const Grid* decomposition)
    : comm_(comm),
      samples_(std::move(samples)),
      field_(field),
      integrator_(integrator),
      steps_(steps),
      decomposition_(decomposition) {
  if (decomposition_) migrate(samples_, *decomposition_);
}

void FlowMatchingLagrangian::advance(double t, double dt) {
  const std::size_t n = samples_.size();
  const int d = samples_.dim();
  // Migration changes the local count: (re)size the work arrays to it.
  rk_.fit(n, d);
  const long long m = std::max<long long>(1, std::llround(dt * steps_));
  const double h = dt / static_cast<double>(m);
  for (long long s = 0; s < m; ++s) {
    const double ts = t + static_cast<double>(s) * h;
    if (field_.singular_at_one() && ts + h >= 1.0 - 1e-12) energy_defined_ = false;
    nfe_ += ode_step(field_, integrator_, ts, h, samples_.positions, rk_.k, rk_.stage, samples_.weights, &energy_local_);
  }
  if (decomposition_) migrate(samples_, *decomposition_);
}

double FlowMatchingLagrangian::kinetic_energy() const {
  double global = 0.0;
  MPI_Allreduce(&energy_local_, &global, 1, MPI_DOUBLE, MPI_SUM, comm_);
  return energy_defined_ ? global : std::nan("");
}

}  // namespace mf::flow_matching
