// The flow-matching field from the score ∇log α_t (survey Prop. 3.3, corrected).
// With x_t = (1 − t)X0 + tX1 and X0 ~ N(m0, Σ0) independent of X1: given X1, x_t ~ N((1 − t)m0 + tX1,
// (1 − t)²Σ0), so Tweedie's identity gives ∇log α_t(x) = −[(1 − t)²Σ0]⁻¹(x − (1 − t)m0 − t D_t(x)) with
// D_t(x) = E[X1 | x_t = x]; and X0 = (x_t − tX1)/(1 − t) gives v_t = E[X1 − X0 | x] = (D_t − x)/(1 − t).
// Eliminating D_t:
//   v_t(x) = (x − m0 + (1 − t) Σ0 ∇log α_t(x)) / t          (X0 ~ N(0, I): (x + (1 − t)∇log α_t)/t).
// The survey prints v = x/(1 − t) + t/(1 − t)∇log α_t, which does not give Prop. 3.2 (docs/flow_matching.md).
// At t = 0 the form is 0/0; the field there is its limit E[X1] − x.
#pragma once
#include "exact_fields.hpp"

namespace mf::flow_matching {

class ScoreField : public FlowField {
 public:
  // `scores` supplies ∇log α_t (an exact field's score(); it must outlive this object).
  explicit ScoreField(const ExactField& scores);
  int dim() const override { return scores_.dim(); }
  void evaluate(double t, const FieldPoints& x, const FieldPoints& out) const override;
  // D_t = (x − (1 − t)m0 + (1 − t)²Σ0 ∇log α_t)/t: the score form of the denoiser.
  void posterior_mean(double t, const FieldPoints& x, const FieldPoints& out) const override;
  bool singular_at_one() const override { return scores_.singular_at_one(); }

 private:
  // out ← (x − c m0 + k Σ0 out)/t, out holding the score on entry.
  void combine(double t, double c, double k, const FieldPoints& x, const FieldPoints& out) const;
  const ExactField& scores_;
};

}  // namespace mf::flow_matching
