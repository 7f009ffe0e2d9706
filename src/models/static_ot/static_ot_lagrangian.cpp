// The particle view: `particles` samples of α and of β (counter-based streams, so the same sets on any
// rank count), each rank holding the samples its grid block owns, coupled by log-domain Sinkhorn.
#include "measureflow/particle_sampling.hpp"
#include "static_ot_views.hpp"

namespace mf::static_ot {

namespace {

// The local samples with their ids: the global order the multiscale solver replicates them in.
ViewCloud with_ids(const ParticleSet& p, long long total) {
  ViewCloud c;
  c.points = p.as_points();
  c.total = total;
  auto ids = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), p.ids);
  c.index.assign(ids.data(), ids.data() + p.size());
  return c;
}

}  // namespace

StaticOtLagrangian::StaticOtLagrangian(const StaticOtConfig& config, std::shared_ptr<const Grid> decomposition,
                                       const StaticSolveOptions& opt)
    : grid_(std::move(decomposition)),
      source_(sample_particles(*config.initial, config.particles, config.seed, *grid_)),
      target_(sample_particles(*config.target, config.particles, config.target_seed, *grid_)) {
  solution_ = solve_static_ot(grid_->comm(), with_ids(source_, config.particles), with_ids(target_, config.particles),
                              opt, "particle view's");
  const std::size_t n = source_.size();
  const int d = source_.dim();
  auto x = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), source_.positions);
  auto map = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), solution_.map);
  auto f = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), solution_.f);
  ParticleArray displacement{"map", 3, std::vector<double>(3 * n, 0.0)}, potential{"potential_f", 1, std::vector<double>(n)};
  for (std::size_t i = 0; i < n; ++i) {
    for (int a = 0; a < d && a < 3; ++a) displacement.values[3 * i + a] = map(i, a) - x(i, a);
    potential.values[i] = f(i);
  }
  arrays_ = {std::move(displacement), std::move(potential)};
}

}  // namespace mf::static_ot
