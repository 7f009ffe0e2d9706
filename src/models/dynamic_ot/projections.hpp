// The two linear projections of the staggered dynamic OT problem, each a PETSc KSP solve on the
// space-time DMDA: onto the continuity constraint (a space-time Poisson equation) and onto U = I(V).
#pragma once
#include <vector>

#include "staggered_ops.hpp"

namespace mf::dynamic_ot {

// V ← argmin |V' − V| subject to ∂_t ρ + div m = 0 with ρ(0) = α0, ρ(1) = α1 and no flux through walls:
// V ← V − Dᵀφ with (D Dᵀ)φ = D V, the Neumann-in-time space-time Laplacian. CG + GAMG by
// default; options prefix -dot_ (e.g. -dot_pc_type hypre, -dot_ksp_rtol 1e-12).
// φ is kept between calls as the initial guess (warm start).
class ContinuityProjection {
 public:
  explicit ContinuityProjection(StaggeredOps& ops);
  void apply(Field& V);
  int last_iterations() const { return last_iterations_; }
  long long total_iterations() const { return total_iterations_; }
  // Relative residual ‖D V‖ / ‖boundary data‖ of a staggered field (continuity violation).
  double relative_residual(const Field& V);

 private:
  StaggeredOps& ops_;
  MatHandle A_;
  KSPHandle ksp_;
  VecHandle phi_, rhs_;
  double data_norm_ = 1.0;
  int last_iterations_ = 0;
  long long total_iterations_ = 0;
};

// (U, V) ← the nearest pair with U = I(V) (affine, boundary densities included): per component
// (Id + I₀ᵀI₀) V = V₀ + I₀ᵀ(U₀ − I(0)), a tridiagonal SPD system along that component's axis with
// spectrum in [1, 2]; CG + Jacobi, prefix -dot_interp_, warm-started.
class InterpolationProjection {
 public:
  explicit InterpolationProjection(StaggeredOps& ops);
  void apply(Field& U, Field& V);
  long long total_iterations() const { return total_iterations_; }

 private:
  StaggeredOps& ops_;
  std::vector<MatHandle> M_;
  std::vector<KSPHandle> ksp_;
  Field offset_, work_u_, work_v_, solution_;
  long long total_iterations_ = 0;
};

}  // namespace mf::dynamic_ot
