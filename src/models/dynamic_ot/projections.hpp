// The two linear projections of the staggered dynamic OT problem, each a PETSc KSP solve on the
// space-time DMDA: onto the continuity constraint (a space-time Poisson equation) and onto U = I(V).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "poisson_transform.hpp"
#include "staggered_ops.hpp"

namespace mf::dynamic_ot {

// How (D Dᵀ)φ = D V is solved: by fast transforms (exact, PoissonTransform), by a PETSc KSP, or as the
// options database says (-dot_projection fft|ksp; fft when absent).
enum class PoissonMethod { Auto, Transform, Krylov };
PoissonMethod parse_poisson_method(const std::string& s);  // "auto" | "fft" | "ksp"
std::string to_string(PoissonMethod m);

// V ← argmin |V' − V| subject to ∂_t ρ + div m = 0 with ρ(0) = α0, ρ(1) = α1 and no flux through walls:
// V ← V − Dᵀφ with (D Dᵀ)φ = D V, the Neumann-in-time space-time Laplacian. By default the fast
// transform solve (DCT in time and at walls, real DFT on periodic axes); with PoissonMethod::Krylov
// (or -dot_projection ksp) CG + GAMG, options prefix -dot_ (e.g. -dot_pc_type hypre, -dot_ksp_rtol 1e-12),
// φ kept between calls as the initial guess (warm start).
class ContinuityProjection {
 public:
  explicit ContinuityProjection(StaggeredOps& ops, PoissonMethod method = PoissonMethod::Auto);
  void apply(Field& V);
  PoissonMethod method() const { return method_; }  // Transform or Krylov (Auto resolved)
  int last_iterations() const { return last_iterations_; }  // KSP iterations (0 for the transform)
  long long total_iterations() const { return total_iterations_; }
  // Relative residual ‖D V‖ / ‖boundary data‖ of a staggered field (continuity violation).
  double relative_residual(const Field& V);

 private:
  StaggeredOps& ops_;
  PoissonMethod method_;
  std::unique_ptr<PoissonTransform> transform_;  // Transform
  MatHandle A_;                                  // Krylov: D Dᵀ assembled, and its solver
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
