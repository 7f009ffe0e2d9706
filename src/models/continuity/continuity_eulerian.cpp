#include <cmath>

#include "continuity_views.hpp"

namespace mf::continuity {

ContinuityEulerian::ContinuityEulerian(const GridSpec& spec, MPI_Comm comm, const Measure& initial,
                                       const fields::PrescribedField& velocity, Limiter limiter, double cfl)
    : grid_(comm, spec, 2), density_(grid_.create_global()), cfl_(cfl) {
  initial_grid_density(initial, grid_, density_);
  const Grid* g = &grid_;
  FaceVelocityFill fill = [velocity, g](double t, FaceVelocities& faces) {
    velocity.visit([&](const auto& field) { fill_faces_from_field(*g, field, t, faces); });
  };
  fv_ = std::make_unique<FvAdvection>(grid_, limiter, std::move(fill));
}

void ContinuityEulerian::advance(double t, double dt) {
  // The Driver's step may exceed the CFL step (fixed time.dt): sub-step evenly.
  const double stable = fv_->stable_dt(t, cfl_);
  const int n = std::isfinite(stable) ? std::max(1, static_cast<int>(std::ceil(dt / stable * (1.0 - 1e-12)))) : 1;
  const double h = dt / n;
  for (int s = 0; s < n; ++s) fv_->step(density_, t + s * h, h);
}

}  // namespace mf::continuity
