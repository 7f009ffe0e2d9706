#include <algorithm>
#include <cmath>

#include "mean_field_views.hpp"
#include "measureflow/particle_sampling.hpp"

namespace mf::mean_field {

ParticleSet sample_neurons(MPI_Comm comm, const Measure& measure, long long total, std::uint64_t seed) {
  return sample_id_block(comm, measure, total, seed);
}

MeanFieldLagrangian::MeanFieldLagrangian(std::shared_ptr<RiskModel> risk, ParticleSet neurons,
                                         ParticleIntegrator integrator, double step, const Grid* decomposition)
    : risk_(std::move(risk)),
      neurons_(std::move(neurons)),
      integrator_(integrator),
      step_(step),
      decomposition_(decomposition) {}

double MeanFieldLagrangian::risk() { return risk_->risk(neurons_.positions, neurons_.weights); }

double MeanFieldLagrangian::velocity(const PointsView& out) {
  return risk_->velocity(neurons_.positions, neurons_.weights, out);
}

void MeanFieldLagrangian::step(double h) {
  rk_.fit(neurons_.size(), neurons_.dim());
  auto w = neurons_.weights;
  // Every stage is a full-batch evaluation: the outputs depend on where all neurons are.
  auto velocity = [&](double, const PointsView& at, const PointsView& k) { risk_->velocity(at, w, k); };
  if (integrator_ == ParticleIntegrator::Euler)  // x ← x − h ∇δf: gradient descent
    batch_euler_step(neurons_.positions, 0.0, h, velocity, rk_.k[0]);
  else
    batch_rk4_step(neurons_.positions, 0.0, h, velocity, rk_.k, rk_.stage);
}

void MeanFieldLagrangian::advance(double, double dt) {
  // Equal sub-steps no longer than the configured step; with output times on multiples of time.dt this
  // is gradient descent with step time.dt exactly.
  const int n = std::max(1, static_cast<int>(std::ceil(dt / step_ * (1.0 - 1e-12))));
  for (int s = 0; s < n; ++s) step(dt / n);
  if (decomposition_) migrate(neurons_, *decomposition_);
}

double MeanFieldLagrangian::teacher_alignment(const Matrix& directions) const {
  const int d = directions.cols(), m = directions.rows(), din = risk_->input_dim();
  auto x = Kokkos::create_mirror_view(neurons_.positions);
  auto w = Kokkos::create_mirror_view(neurons_.weights);
  Kokkos::deep_copy(x, neurons_.positions);
  Kokkos::deep_copy(w, neurons_.weights);
  double sums[2] = {0.0, 0.0};
  for (std::size_t i = 0; i < neurons_.size(); ++i) {
    double uu = 0.0, vv = 0.0;
    for (int a = 0; a < d; ++a) uu += x(i, a) * x(i, a);
    for (int b = din; b < neurons_.dim(); ++b) vv += x(i, b) * x(i, b);
    if (uu == 0.0) continue;
    double best = -1.0;
    for (int j = 0; j < m; ++j) {
      double c = 0.0;
      for (int a = 0; a < d; ++a) c += x(i, a) * directions(j, a);
      best = std::max(best, c / std::sqrt(uu));
    }
    const double mass = w(i) * std::sqrt(uu * vv);
    sums[0] += mass * best;
    sums[1] += mass;
  }
  MPI_Allreduce(MPI_IN_PLACE, sums, 2, MPI_DOUBLE, MPI_SUM, risk_->comm());
  return sums[1] > 0.0 ? sums[0] / sums[1] : 0.0;
}

MeanFieldClosedForm::MeanFieldClosedForm(LinearNetworkClosure closure, Moments initial, bool gaussian)
    : closure_(std::move(closure)), initial_(std::move(initial)), gaussian_(gaussian) {}

}  // namespace mf::mean_field
