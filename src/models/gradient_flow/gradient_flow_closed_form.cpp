#include "gradient_flow_closed_form.hpp"

#include <cmath>

#include "measureflow/measures.hpp"

namespace mf::gradient_flow {

std::unique_ptr<GradientFlowClosedForm> GradientFlowClosedForm::make(const GradientFlowConfig& c) {
  if (c.energy.interaction != Interaction::None) return nullptr;
  std::unique_ptr<GradientFlowClosedForm> cf(new GradientFlowClosedForm());
  cf->dim_ = c.domain.dim;
  const MeasureSpec& s = c.initial;
  if (c.energy.internal == Internal::Porous && c.energy.potential == Potential::None && s.type == "barenblatt" &&
      std::abs(s.m - c.energy.m) < 1e-14) {
    cf->kind_ = Kind::Barenblatt;
    cf->center_ = s.center;
    cf->m_ = s.m;
    cf->t0_ = s.t0;
    return cf;
  }
  if (c.energy.internal == Internal::Entropy && s.type == "gaussian") {
    cf->kind_ = Kind::Gaussian;
    cf->center_ = s.mean;
    cf->cov0_ = s.cov;
    cf->k_ = c.energy.potential == Potential::Quadratic ? c.energy.potential_strength : 0.0;
    return cf;
  }
  return nullptr;
}

// ∂ρ = Δρ + k div(ρx): mean m e^{−kt}, covariance I/k + (Σ0 − I/k) e^{−2kt} (k → 0: Σ0 + 2tI).
Moments GradientFlowClosedForm::gaussian_at(double t) const {
  Moments mo;
  const Matrix I = Matrix::identity(dim_);
  if (k_ == 0.0) {
    mo.mean = center_;
    mo.cov = cov0_ + (2.0 * t) * I;
  } else {
    const double e1 = std::exp(-k_ * t), e2 = std::exp(-2.0 * k_ * t);
    mo.mean = center_;
    for (auto& v : mo.mean) v *= e1;
    mo.cov = (1.0 / k_) * I + e2 * (cov0_ - (1.0 / k_) * I);
  }
  mo.mass = 1.0;
  return mo;
}

std::optional<Moments> GradientFlowClosedForm::moments(double t) const {
  if (kind_ == Kind::Gaussian) return gaussian_at(t);
  // Radial profile (1 − |y|²/R²)₊^p: per-axis variance R²/(d + 2p + 2).
  const double R = support_radius(t), p = 1.0 / (m_ - 1.0);
  Moments mo;
  mo.mean = center_;
  mo.cov = (R * R / (dim_ + 2.0 * p + 2.0)) * Matrix::identity(dim_);
  mo.mass = 1.0;
  return mo;
}

double GradientFlowClosedForm::support_radius(double t) const { return Barenblatt(dim_, m_).support_radius(t0_ + t); }

double GradientFlowClosedForm::density(double t, const double* x) const {
  if (kind_ == Kind::Barenblatt) {
    double y[3] = {0, 0, 0};
    for (int a = 0; a < dim_; ++a) y[a] = x[a] - center_[a];
    return Barenblatt(dim_, m_).density(t0_ + t, y);
  }
  const Moments mo = gaussian_at(t);
  const Matrix P = inverse(mo.cov);
  double q = 0.0;
  for (int a = 0; a < dim_; ++a)
    for (int b = 0; b < dim_; ++b) q += (x[a] - mo.mean[a]) * P(a, b) * (x[b] - mo.mean[b]);
  return std::exp(-0.5 * q) / std::sqrt(std::pow(2.0 * M_PI, dim_) * determinant(mo.cov));
}

bool GradientFlowClosedForm::cell_averages(double t, const Grid& grid, Vec out) const {
  if (kind_ == Kind::Gaussian) {
    const Moments mo = gaussian_at(t);
    const Matrix P = inverse(mo.cov);
    const double norm = 1.0 / std::sqrt(std::pow(2.0 * M_PI, dim_) * determinant(mo.cov));
    fill_cell_averages(grid, [&](const double* x) {
      double q = 0.0;
      for (int a = 0; a < dim_; ++a)
        for (int b = 0; b < dim_; ++b) q += (x[a] - mo.mean[a]) * P(a, b) * (x[b] - mo.mean[b]);
      return norm * std::exp(-0.5 * q);
    }, out);
    return true;
  }
  // The Barenblatt profile has a kink at its free boundary: more quadrature points per axis.
  fill_cell_averages(grid, [&](const double* x) { return density(t, x); }, out, 8);
  return true;
}

double barenblatt_unit_second_moment(int dim, double m) {
  const Barenblatt b(dim, m);
  const double p = 1.0 / (m - 1.0), h = 0.5 * dim;
  return std::pow(M_PI, h) * h * std::tgamma(p + 1.0) / std::tgamma(h + p + 2.0) * std::pow(b.k, -h - 1.0) *
         std::pow(b.C, h + p + 1.0);
}

}  // namespace mf::gradient_flow
