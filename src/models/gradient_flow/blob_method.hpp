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

// φ_δ(x) = c_d δ^{−d} (1 − |x|²/δ²)₊³, unit mass (c_1 = 35/32, c_2 = 4/π, c_3 = 315/(64π)).
struct Mollifier {
  int dim = 1;
  double delta = 1.0, inv_delta2 = 1.0, norm = 1.0;
  KOKKOS_INLINE_FUNCTION double value(double r2) const {
    const double s = 1.0 - r2 * inv_delta2;
    return s > 0.0 ? norm * s * s * s : 0.0;
  }
  // ∇φ_δ(y) = gradient_factor(|y|²) · y.
  KOKKOS_INLINE_FUNCTION double gradient_factor(double r2) const {
    const double s = 1.0 - r2 * inv_delta2;
    return s > 0.0 ? -6.0 * norm * inv_delta2 * s * s : 0.0;
  }
};
Mollifier make_mollifier(int dim, double delta);

// F'(ρ) of the blob energy.
KOKKOS_INLINE_FUNCTION double blob_dF(const LocalEnergy& e, double rho) {
  if (e.internal == 2) return kmath::pow(rho, e.m - 2.0);
  if (e.internal == 1) return 1.0 / rho;
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
