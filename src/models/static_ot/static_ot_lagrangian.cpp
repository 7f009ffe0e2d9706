// The particle view: `particles` samples of α and of β (counter-based streams, so the same sets on any
// rank count), each rank holding the samples its grid block owns, coupled by log-domain Sinkhorn.
#include "measureflow/particle_sampling.hpp"
#include "static_ot_views.hpp"

namespace mf::static_ot {

StaticOtLagrangian::StaticOtLagrangian(const StaticOtConfig& config, std::shared_ptr<const Grid> decomposition,
                                       double eps)
    : grid_(std::move(decomposition)),
      source_(sample_particles(*config.initial, config.particles, config.seed, *grid_)),
      target_(sample_particles(*config.target, config.particles, config.target_seed, *grid_)) {
  solution_ = solve_static_ot(grid_->comm(), source_.as_points(), target_.as_points(), eps, config.tolerance,
                              config.max_iterations, "particle view's");
}

}  // namespace mf::static_ot
