#include <stdexcept>
#include <string>

#include "measureflow/particle_integrator.hpp"

namespace mf {

ParticleIntegrator parse_integrator(const std::string& s) {
  if (s == "rk4") return ParticleIntegrator::RK4;
  if (s == "euler") return ParticleIntegrator::Euler;
  throw std::invalid_argument("unknown integrator '" + s + "' (allowed: rk4, euler)");
}

}  // namespace mf
