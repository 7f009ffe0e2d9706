// The local parts of the energy (internal U and confinement V) as a device-copyable functor, shared by
// the grid solver and the particles.
#pragma once
#include "gradient_flow_config.hpp"
#include "measureflow/kokkos_math.hpp"

namespace mf::gradient_flow {

struct LocalEnergy {
  Internal internal = Internal::None;
  double m = 2.0;
  double k = 0.0;    // V(x) = k|x|²/2

  // U(ρ): ρ log ρ or ρ^m/(m−1).
  KOKKOS_INLINE_FUNCTION double U(double rho) const {
    if (rho <= 0.0) return 0.0;
    if (internal == Internal::Entropy) return rho * kmath::log(rho);
    if (internal == Internal::Porous) return kmath::pow(rho, m) / (m - 1.0);
    return 0.0;
  }
  // U'(ρ) for the porous medium, m ρ^{m−1}/(m−1); Newton may visit ρ < 0, where it is continued
  // oddly so the residual stays smooth enough for finite-difference Jacobians.
  KOKKOS_INLINE_FUNCTION double porous_pressure(double rho) const {
    const double a = rho < 0.0 ? -rho : rho;
    const double p = m / (m - 1.0) * kmath::pow(a, m - 1.0);
    return rho < 0.0 ? -p : p;
  }
  KOKKOS_INLINE_FUNCTION double V(const double* x, int dim) const {
    double r2 = 0.0;
    for (int a = 0; a < dim; ++a) r2 += x[a] * x[a];
    return 0.5 * k * r2;
  }
  KOKKOS_INLINE_FUNCTION double dV(const double* x, int axis) const { return k * x[axis]; }
};

inline LocalEnergy make_local_energy(const EnergyConfig& e) {
  LocalEnergy l;
  l.internal = e.internal;
  l.m = e.m;
  l.k = e.potential == Potential::Quadratic ? e.potential_strength : 0.0;
  return l;
}

}  // namespace mf::gradient_flow
