// The blob method of Carrillo–Craig–Patacchini for the internal energy: the energy is regularised as
// E_δ(ρ) = ∫ F(φ_δ∗ρ) dρ with F(ρ) = U(ρ)/ρ, whose particle gradient flow is
//   ẋ_i = −∇V(x_i) − Σ_j w_j ∇φ_δ(x_i − x_j) [F'(ρ_δ(x_i)) + F'(ρ_δ(x_j))],  ρ_δ = Σ_j w_j φ_δ(· − x_j),
// with F' = ρ^{m−2} (porous) or 1/ρ (entropy). φ_δ is compactly supported in the ball of radius δ, so
// the sums run over cell lists of the local particles plus a halo exchanged across subdomains.
#pragma once
#include <petscvec.h>

#include "energy_terms.hpp"
#include "measureflow/cell_list.hpp"
#include "measureflow/grid.hpp"
#include "measureflow/particles.hpp"

namespace mf::gradient_flow {

// Wendland C² mollifier φ_δ(x) = c_d δ^{−d} (1 − q)₊⁴ (1 + 4q), q = |x|/δ, unit mass (c_1 = 3/2,
// c_2 = 7/π, c_3 = 21/(2π)). It is positive definite (φ̂ > 0) in d ≤ 3: with a kernel whose Fourier
// transform changes sign (e.g. (1 − |x|²/δ²)₊³) the blob repulsion is anti-diffusive at some
// wavelengths near δ and the particle lattice goes unstable at rate ∝ 1/δ².
struct Mollifier {
  int dim = 1;
  double delta = 1.0, inv_delta = 1.0, norm = 1.0;
  KOKKOS_INLINE_FUNCTION double value(double r2) const {
    const double q = kmath::sqrt(r2) * inv_delta;
    if (q >= 1.0) return 0.0;
    const double s = 1.0 - q;
    return norm * s * s * s * s * (1.0 + 4.0 * q);
  }
  // ∇φ_δ(y) = gradient_factor(|y|²) · y.
  KOKKOS_INLINE_FUNCTION double gradient_factor(double r2) const {
    const double q = kmath::sqrt(r2) * inv_delta;
    if (q >= 1.0) return 0.0;
    const double s = 1.0 - q;
    return -20.0 * norm * inv_delta * inv_delta * s * s * s;
  }
};
Mollifier make_mollifier(int dim, double delta);

// F'(ρ) of the blob energy.
KOKKOS_INLINE_FUNCTION double blob_dF(const LocalEnergy& e, double rho) {
  if (e.internal == Internal::Porous) return kmath::pow(rho, e.m - 2.0);
  if (e.internal == Internal::Entropy) return 1.0 / rho;
  return 0.0;
}

struct BlobStats {
  double max_rho_delta = 0.0;  // over all ranks
  long long halo_particles = 0;  // received, summed over ranks
};

// Blob velocities of the local particles into v (n_local × dim). `reach`: how far particles may have
// strayed outside their owners' subdomains since the last migration (0 right after migrate). Collective.
BlobStats blob_velocities(const ParticleSet& p, const Grid& grid, const LocalEnergy& e, const Mollifier& phi,
                          double reach, PointsView v);
// The same velocities by a plain all-pairs sum over the given points (one rank; the tests' reference).
void blob_velocities_all_pairs(PointsView x, WeightsView w, int dim, const LocalEnergy& e, const Mollifier& phi,
                               PointsView v);
// ρ_δ at the owned cell centres of `grid` into the global vector `out` (halo exchange, cell lists).
void blob_density_on_grid(const Grid& grid, const ParticleSet& p, const Mollifier& phi, Vec out);

}  // namespace mf::gradient_flow
