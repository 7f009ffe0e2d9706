// Plain configuration of the continuity model, one field per deck key it reads (built from the
// validated deck by config_from_deck, continuity_deck.hpp: the one place that reads the deck).
#pragma once
#include <cstdint>
#include <memory>

#include "measureflow/fv_advection.hpp"
#include "measureflow/grid.hpp"
#include "measureflow/measures.hpp"
#include "measureflow/particle_integrator.hpp"
#include "measureflow/prescribed_fields.hpp"

namespace mf::continuity {

struct ContinuityConfig {
  GridSpec domain;                           // domain.{dim, lower, upper, cells, boundary}
  std::shared_ptr<const Measure> initial;    // initial: (any measure type, `file` included)
  fields::PrescribedField velocity;          // velocity.{type: linear (A, b, A_rate) | swirl (period)}
  bool eulerian_enabled = true;              // eulerian.enabled
  Limiter limiter = Limiter::MC;             // eulerian.limiter: minmod | mc
  double cfl = 0.4;                          // time.cfl (absent: 0.4)
  bool lagrangian_enabled = true;            // lagrangian.enabled
  long long particles = 100000;              // lagrangian.particles
  std::uint64_t seed = 42;                   // lagrangian.seed
  ParticleIntegrator integrator = ParticleIntegrator::RK4;  // lagrangian.integrator: rk4 | euler
  double substep_dt = 0.0;                   // lagrangian.dt (absent, ≤ 0: one step per Driver step)
};

}  // namespace mf::continuity
