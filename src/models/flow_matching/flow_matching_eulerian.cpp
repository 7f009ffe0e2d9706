// α0's cell averages carried by the flow-matching field with the finite-volume scheme (MUSCL + SSP-RK3),
// the field given pointwise at the face centres.
#include <algorithm>
#include <cmath>

#include "flow_matching_views.hpp"

namespace mf::flow_matching {

FlowMatchingEulerian::FlowMatchingEulerian(const GridSpec& spec, MPI_Comm comm, const Measure& initial,
                                           const FlowField& field, Limiter limiter, double cfl)
    : grid_(comm, spec, 2), density_(grid_.create_global()), faces_(grid_, field), cfl_(cfl) {
  initial_grid_density(initial, grid_, density_);
  fv_ = std::make_unique<FvAdvection>(grid_, limiter, faces_.as_fill());
}

void FlowMatchingEulerian::advance(double t, double dt) {
  const double end = t + dt;
  double s = t;
  while (s < end - 1e-14 * std::max(1.0, std::fabs(end))) {
    // The field changes with t: a margin below the CFL bound for the stages at later times.
    const double h = std::min(end - s, 0.9 * fv_->stable_dt(s, cfl_));
    fv_->step(density_, s, h);
    s = (h == end - s) ? end : s + h;
  }
}

}  // namespace mf::flow_matching
