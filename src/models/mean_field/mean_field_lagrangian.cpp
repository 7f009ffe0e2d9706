#include <algorithm>
#include <cmath>

#include "mean_field_views.hpp"
#include "measureflow/particle_sampling.hpp"

namespace mf::mean_field {

namespace {
using ExecSpace = Kokkos::DefaultExecutionSpace;

// y = x + h k
void axpy(const PointsView& y, const PointsView& x, double h, const PointsView& k) {
  const int d = static_cast<int>(x.extent(1));
  Kokkos::parallel_for(
      "mf::mean_field::neuron_axpy", Kokkos::RangePolicy<ExecSpace>(0, x.extent(0)), KOKKOS_LAMBDA(const int i) {
        for (int a = 0; a < d; ++a) y(i, a) = x(i, a) + h * k(i, a);
      });
  Kokkos::fence();
}
}  // namespace

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
  const std::size_t n = neurons_.size();
  const int D = neurons_.dim();
  if (k_[0].extent(0) != n || k_[0].extent(1) != static_cast<std::size_t>(D)) {
    for (auto& k : k_) k = PointsView("mf::mean_field::rk_stage", n, D);
    stage_ = PointsView("mf::mean_field::rk_point", n, D);
  }
  auto x = neurons_.positions;
  auto w = neurons_.weights;
  // Every stage is a full-batch evaluation: the outputs depend on where all neurons are.
  auto eval_at = [&](const PointsView& at, const PointsView& k) { risk_->velocity(at, w, k); };
  if (integrator_ == ParticleIntegrator::Euler) {  // x ← x − h ∇δf: gradient descent
    eval_at(x, k_[0]);
    axpy(x, x, h, k_[0]);
    return;
  }
  eval_at(x, k_[0]);
  axpy(stage_, x, 0.5 * h, k_[0]);
  eval_at(stage_, k_[1]);
  axpy(stage_, x, 0.5 * h, k_[1]);
  eval_at(stage_, k_[2]);
  axpy(stage_, x, h, k_[2]);
  eval_at(stage_, k_[3]);
  auto k0 = k_[0], k1 = k_[1], k2 = k_[2], k3 = k_[3];
  Kokkos::parallel_for(
      "mf::mean_field::rk4_update", Kokkos::RangePolicy<ExecSpace>(0, n), KOKKOS_LAMBDA(const int i) {
        for (int a = 0; a < D; ++a) x(i, a) += h / 6.0 * (k0(i, a) + 2.0 * k1(i, a) + 2.0 * k2(i, a) + k3(i, a));
      });
  Kokkos::fence();
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
