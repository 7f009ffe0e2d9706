#include "gradient_flow_eulerian.hpp"

#include <cmath>
#include <algorithm>
#include <numeric>

#include "measureflow/grid_field.hpp"

namespace mf::gradient_flow {

GradientFlowEulerian::GradientFlowEulerian(const GradientFlowConfig& config, MPI_Comm comm, const Measure& initial)
    : config_(config), grid_(comm, config.domain, config.second_order ? 2 : 1, DMDA_STENCIL_STAR), density_(grid_.create_global()),
      fv_(grid_, make_local_energy(config.energy)) {
  initial_grid_density(initial, grid_, density_);
  if (config.energy.interaction != Interaction::None) {
    convolution_ = std::make_unique<GridConvolution>(grid_, make_interaction(config.energy, grid_.dim()));
    phi_ = grid_.create_global();
    refresh_interaction();
  }
  energies_.push_back(fv_.energy(density_));
}

void GradientFlowEulerian::refresh_interaction() {
  if (!convolution_) return;
  convolution_->apply(density_, phi_);
  fv_.set_frozen_potential(phi_);
}

void GradientFlowEulerian::advance(double /*t*/, double dt) {
  const int n = std::max(1, static_cast<int>(std::ceil(dt / config_.dt * (1.0 - 1e-12))));
  const double h = dt / n;
  for (int s = 0; s < n; ++s) {
    const StepStats st = fv_.step(density_, h);
    newton_.push_back(st.newton_iterations);
    linear_.push_back(st.linear_iterations);
    refresh_interaction();
    energies_.push_back(fv_.energy(density_));
  }
}

bool GradientFlowEulerian::energy_monotone(double relative_slack) const {
  for (size_t i = 1; i < energies_.size(); ++i)
    if (energies_[i] > energies_[i - 1] + relative_slack * std::abs(energies_[i - 1])) return false;
  return true;
}

double GradientFlowEulerian::newton_iterations_mean() const {
  return newton_.empty() ? 0.0 : std::accumulate(newton_.begin(), newton_.end(), 0.0) / newton_.size();
}

double GradientFlowEulerian::linear_iterations_mean() const {
  return linear_.empty() ? 0.0 : std::accumulate(linear_.begin(), linear_.end(), 0.0) / linear_.size();
}

}  // namespace mf::gradient_flow

namespace mf::gradient_flow {

double support_radius(const Grid& grid, Vec density, const Vector& center, double rel_threshold) {
  PetscReal max_rho = 0.0;
  PetscCallThrow(VecMax(density, nullptr, &max_rho));
  const double cut = rel_threshold * max_rho;
  const IndexBox& ob = grid.owned();
  VecBlockRead rho(density, ob);
  const auto r = rho.view();
  double local = 0.0;
  for (PetscInt k = 0; k < ob.count[2]; ++k)
    for (PetscInt j = 0; j < ob.count[1]; ++j)
      for (PetscInt i = 0; i < ob.count[0]; ++i) {
        if (r(k, j, i) <= cut) continue;
        const PetscInt idx[3] = {ob.start[0] + i, ob.start[1] + j, ob.start[2] + k};
        double d2 = 0.0;
        for (int a = 0; a < grid.dim(); ++a) {
          const double dx = grid.center(a, idx[a]) - center[a];
          d2 += dx * dx;
        }
        local = std::max(local, std::sqrt(d2));
      }
  double global = 0.0;
  MPI_Allreduce(&local, &global, 1, MPI_DOUBLE, MPI_MAX, grid.comm());
  return global;
}

}  // namespace mf::gradient_flow
