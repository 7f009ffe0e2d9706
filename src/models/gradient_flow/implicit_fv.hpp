// Backward-Euler finite volumes for ∂ρ = div(ρ∇(U'(ρ) + V + Φ)) on a DMDA, solved by PETSc SNES
// (Newton + line search, Jacobian by DMDA finite-difference colouring). Fluxes are upwinded in the
// velocity −∇ξ (Carrillo–Chertock–Huang), so the scheme is mass conservative and positivity
// preserving, and the discrete energy decreases for convex U and any V without a step restriction.
#pragma once
#include <memory>
#include <string>

#include "energy_terms.hpp"
#include "measureflow/grid.hpp"
#include "measureflow/petsc_handle.hpp"

namespace mf::gradient_flow {

struct StepStats {
  int newton_iterations = 0;
  int linear_iterations = 0;
};

class ImplicitFv {
 public:
  // Stencil width 1: first-order upwind; width ≥ 2: minmod-limited linear reconstruction of the
  // transported density (second order where smooth, still positivity preserving). Options under `prefix` (e.g. -gf_snes_monitor) reach the SNES.
  ImplicitFv(const Grid& grid, LocalEnergy energy, const std::string& prefix = "gf_");
  ~ImplicitFv();
  ImplicitFv(const ImplicitFv&) = delete;
  ImplicitFv& operator=(const ImplicitFv&) = delete;

  // One implicit step of size dt, in place. Collective; throws SolverError if Newton fails (the
  // density is then restored).
  StepStats step(Vec density, double dt);
  // Solves (ρ − base)/dt_eff + div F(ρ) = 0 from the initial guess in `density`: a multistep method
  // (BDF2) in backward-Euler form. On failure throws SolverError and leaves the last iterate in
  // `density` (the caller holds the state to restore). Collective.
  StepStats solve(Vec base, double dt_eff, Vec density);
  // Discrete energy h^d Σ [U(ρ_i) + V(x_i) ρ_i + ½ Φ_i ρ_i] (Φ only if set). Collective.
  double energy(Vec density) const;
  // A frozen extra potential Φ in the velocity (a global vector on the grid; e.g. W∗ρ from the last
  // step, making interaction semi-implicit). nullptr clears it. The vector is copied.
  void set_frozen_potential(Vec phi);

  // Residual of the step (ρ − ρ_old)/dt + div F(ρ) for the given state (for tests). Collective.
  void residual(Vec old_density, double dt, Vec state, Vec out);

  struct Context;  // what the local residual callback needs

 private:
  StepStats solve_from_old(Vec density, double dt);  // old_ already holds the base
  const Grid& grid_;
  LocalEnergy energy_;
  SNESHandle snes_;
  VecHandle old_, phi_local_, local_;
  std::unique_ptr<Context> ctx_;
};

}  // namespace mf::gradient_flow
