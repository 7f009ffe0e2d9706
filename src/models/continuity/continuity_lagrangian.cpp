#include <cmath>
#include <limits>

#include "continuity_views.hpp"

namespace mf::continuity {

ContinuityLagrangian::ContinuityLagrangian(ParticleSet particles, const Grid& decomposition,
                                           const fields::PrescribedField& velocity, ParticleIntegrator integrator,
                                           double substep_dt)
    : particles_(std::move(particles)),
      decomposition_(decomposition),
      velocity_(velocity),
      integrator_(integrator),
      substep_dt_(substep_dt) {}

double ContinuityLagrangian::stable_dt(double) {
  return substep_dt_ > 0.0 ? substep_dt_ : std::numeric_limits<double>::infinity();
}

void ContinuityLagrangian::advance(double t, double dt) {
  const int n = substep_dt_ > 0.0 ? std::max(1, static_cast<int>(std::ceil(dt / substep_dt_ * (1.0 - 1e-12)))) : 1;
  const double h = dt / n;
  for (int s = 0; s < n; ++s)
    velocity_.visit([&](const auto& field) { advect_particles(particles_, field, t + s * h, h, integrator_); });
  // Particles are integrated where they are; ownership is restored once per Driver step.
  migrate(particles_, decomposition_);
}

bool ContinuityClosedForm::cell_averages(double t, const Grid& grid, Vec out) const {
  if (!exact_.has_density()) return false;  // an empirical initial measure has atoms, not a density
  const AffineMap f = exact_.map(t);
  const Matrix inv = inverse(f.E);
  const double det = determinant(f.E);
  fill_cell_averages(grid, [&](const double* x) { return exact_.density(f, inv, det, x); }, out);
  return true;
}

}  // namespace mf::continuity
