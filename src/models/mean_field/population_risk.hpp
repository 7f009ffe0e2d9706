// The population risk of a ReLU network (N = ∞) for Gaussian inputs z ~ N(0, I_d) and a ReLU teacher
// y(z) = Σ_j relu(⟨w_j, z⟩) on every output: with the arc-cosine kernel
//   K(u, u') = E[relu(⟨z, u⟩) relu(⟨z, u'⟩)] = |u||u'| (sin θ + (π − θ) cos θ) / (2π),  θ = ∠(u, u'),
//   ∇_u K(u, u') = ((π − θ) u' + |u'| sin θ · u/|u|) / (2π),
// the risk f(α) = ∫∫⟨v, v'⟩K dα dα − 2 Σ_j ∫⟨v, 1⟩K(u, w_j) dα + d' Σ_{j,l} K(w_j, w_l) and its first
// variation are exact, without sampling noise. The student–student term is an all-pairs sum over the
// neurons of every rank (the project's ring, ring_visit); the teacher's m neurons are known to all.
#pragma once
#include "network_kernels.hpp"

namespace mf::mean_field {

class PopulationReluRisk : public RiskModel {
 public:
  // teacher: m × d unit directions (rows); outputs: d'.
  PopulationReluRisk(MPI_Comm comm, Matrix teacher, int outputs);
  double risk(const PointsView& neurons, const WeightsView& weights) override;
  double velocity(const PointsView& neurons, const WeightsView& weights, const PointsView& out) override;
  MPI_Comm comm() const override { return comm_; }
  int input_dim() const override { return dim_; }

 private:
  // Fills out (if it has rows) and returns the risk.
  double evaluate(const PointsView& neurons, const WeightsView& weights, const PointsView& out, bool want_velocity);
  MPI_Comm comm_;
  int dim_, outputs_;
  Kokkos::View<double**, Kokkos::LayoutRight> teacher_;  // m × d
  double teacher_energy_ = 0.0;                           // d' Σ_{j,l} K(w_j, w_l)
};

// K(u, u') and ∇_u K for the ReLU arc-cosine kernel, given |u|, |u'| and ⟨u, u'⟩ (for tests and kernels).
KOKKOS_INLINE_FUNCTION double relu_kernel(double nu, double nv, double uv) {
  if (nu <= 0.0 || nv <= 0.0) return 0.0;
  double c = uv / (nu * nv);
  c = c > 1.0 ? 1.0 : (c < -1.0 ? -1.0 : c);
  const double theta = kmath::acos(c), s = kmath::sqrt(1.0 - c * c);
  return nu * nv * (s + (3.141592653589793 - theta) * c) / 6.283185307179586;
}

}  // namespace mf::mean_field
