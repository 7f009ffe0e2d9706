// The exact flow-matching field v_t(x) = E[X1 − X0 | x_t = x] of the independent coupling, with
// x_t = (1 − t)X0 + tX1, X0 ~ α0 = N(m0, Σ0) (survey eq. 7), in closed form:
//   Gaussian / mixture target Σ π_k N(μ_k, Σ_k): given component k, x_t ~ N(m_k, S_k) with
//     m_k = (1 − t)m0 + tμ_k,  S_k = (1 − t)²Σ0 + t²Σ_k,  and the field is Prop. 3.2's
//     v_k(x) = μ_k − m0 + A_k(x − m_k),  A_k = (−(1 − t)Σ0 + tΣ_k) S_k⁻¹;
//   v = Σ_k w_k(x) v_k(x) with the posterior w_k ∝ π_k N(x; m_k, S_k) (one component: Prop. 3.2).
//   Point set {y_j, w_j} (Σ_k = 0): v = (D_t(x) − x)/(1 − t), D_t(x) = E[X1 | x_t = x] = Σ_j p_j y_j, the
//     softmax p_j ∝ w_j exp(aᵀ(t y_j) − t²/2 y_jᵀS⁻¹y_j), a = S⁻¹(x − (1 − t)m0), S = (1 − t)²Σ0, computed by
//     the streaming log-sum-exp over the data blocks of the ranks (never an n × N matrix).
#pragma once
#include <mpi.h>

#include <vector>

#include "flow_field.hpp"
#include "flow_matching_targets.hpp"

namespace mf::flow_matching {

class ExactField : public FlowField {
 public:
  // ∇log α_t(x) at every point (the input of the score field). Collective like evaluate.
  virtual void score(double t, const FieldPoints& x, const FieldPoints& out) const = 0;
  const GaussianSource& source() const { return source_; }
  const Vector& target_mean() const { return target_mean_; }

 protected:
  ExactField(GaussianSource source, Vector target_mean) : source_(std::move(source)), target_mean_(std::move(target_mean)) {}
  GaussianSource source_;
  Vector target_mean_;
};

// Gaussian (one component) or mixture target.
class MixtureField : public ExactField {
 public:
  MixtureField(GaussianSource source, std::vector<GaussianComponent> components);
  int dim() const override { return static_cast<int>(source_.mean.size()); }
  void evaluate(double t, const FieldPoints& x, const FieldPoints& out) const override;
  void score(double t, const FieldPoints& x, const FieldPoints& out) const override;
  const std::vector<GaussianComponent>& components() const { return components_; }

 private:
  void apply(double t, const FieldPoints& x, const FieldPoints& out, bool velocity) const;
  std::vector<GaussianComponent> components_;  // weights normalised
};

// Point-set target (data set or file), its points spread over the ranks of comm.
class PointSetField : public ExactField {
 public:
  PointSetField(MPI_Comm comm, GaussianSource source, DataBlock data, Vector data_mean);
  int dim() const override { return data_.dim; }
  // Throws SolverError at t ≥ 1 (singular); samplers take the last step with posterior_mean instead.
  void evaluate(double t, const FieldPoints& x, const FieldPoints& out) const override;
  void score(double t, const FieldPoints& x, const FieldPoints& out) const override;
  // E[X1 | x_t = x] directly from the softmax (finite as t → 1⁻, unlike v).
  void posterior_mean(double t, const FieldPoints& x, const FieldPoints& out) const override;
  bool singular_at_one() const override { return true; }
  const DataBlock& data() const { return data_; }
  MPI_Comm comm() const { return comm_; }

 private:
  MPI_Comm comm_;
  DataBlock data_;
  Matrix source_precision_;  // Σ0⁻¹
};

// Builds the exact field of the configured target (collective for point sets).
std::unique_ptr<ExactField> make_exact_field(MPI_Comm comm, const FlowMatchingConfig& config);

}  // namespace mf::flow_matching
