// Discrete operators of the staggered space-time grid (Papadakis–Peyré–Oudet 2014): the staggered
// field V (component c lives on the faces normal to axis c; c < d momentum, c = d density) and the
// centred field U = I(V), their interpolation, divergence, the kinetic-energy proximal step and energy.
#pragma once
#include <Kokkos_Core.hpp>
#include <vector>

#include "space_time_grid.hpp"

namespace mf::dynamic_ot {

// One global Vec per component; component d is the density, 0..d-1 the momentum.
// Staggered storage: slot i of component c holds the lower face i along axis c. On a non-periodic
// axis slot 0 is the boundary face (α0 at t = 0 for the density, zero flux at a wall) and is unused.
using Field = std::vector<VecHandle>;

// Boundary densities on this rank's spatial block, [z][y][x] (unused axes extent 1), unit discrete mass.
using SliceView = Kokkos::View<double***, Kokkos::LayoutRight, Kokkos::HostSpace>;

class StaggeredOps {
 public:
  StaggeredOps(const SpaceTimeGrid& grid, SliceView alpha0, SliceView alpha1);

  const SpaceTimeGrid& grid() const { return grid_; }
  int components() const { return grid_.space_dim() + 1; }
  Field make_field() const;
  const SliceView& alpha0() const { return alpha0_; }
  const SliceView& alpha1() const { return alpha1_; }

  // U = I(V): face averages to cell centres; `affine` adds the prescribed boundary faces (α0, α1).
  void interp(const Field& V, Field& U, bool affine);
  // V = I₀ᵀ U on the unknown faces (zero in unused slots).
  void interp_adjoint(const Field& U, Field& V);
  // Space-time divergence ∂_t ρ + div m per cell, boundary faces included (the affine constraint).
  void divergence(const Field& V, Vec out);
  // V ← V − Dᵀφ on the unknown faces, Dᵀφ at face f = (φ[f−1] − φ[f]) / h.
  void subtract_divergence_adjoint(Vec phi, Field& V);
  // U ← prox_{γ f}(U) per cell, f(ρ, m) = |m|²/(2ρ) (+∞ for ρ < 0, 0 at (0, 0)).
  void prox_kinetic(Field& U, double gamma);
  // ½∫∫ρ|v|² of a centred field (cells with ρ ≤ 0 skipped); per time cell if `per_slice` given.
  double kinetic_energy(const Field& U, std::vector<double>* per_slice = nullptr);

 private:
  const SpaceTimeGrid& grid_;
  SliceView alpha0_, alpha1_;
  std::vector<VecHandle> local_;  // ghosted work vectors, one per component
  VecHandle phi_local_;           // ghosted potential in subtract_divergence_adjoint (every iteration)
};

// Field algebra (collective where a norm is involved).
void copy(const Field& from, Field& to);
void axpby(double a, const Field& x, double b, Field& y);  // y = a x + b y
double norm(const Field& x);
double norm_diff(const Field& x, const Field& y);

}  // namespace mf::dynamic_ot
