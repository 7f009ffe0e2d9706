// Velocity fields recovered from an observed density and its time derivative (survey §2.1, §5.4):
// any v with ∂_t ρ + div(ρ v) = 0 explains the evolution; two choices are solved here on the grid.
//   least squares (eq. 4–6): v = ∇φ with div(ρ ∇φ) = −∂_t ρ, the field of least kinetic energy ∫ρ|v|²;
//   Dacorogna–Moser (eq. 3): flux ρv = −∇ψ with Δψ = ∂_t ρ, i.e. v = −∇Δ⁻¹∂_t ρ / ρ.
// Both are cell-centred two-point schemes: φ (or ψ) in cells, velocities on faces, ρ on a face the
// mean of its two cells (floored where the density vanishes). Walls carry no flux; periodic boxes wrap.
// The operator has the constants as null space, so ∂_t ρ must have zero mean: its mean (a mass drift
// of the observations) is removed and reported.
#pragma once
#include <string>

#include "measureflow/fv_advection.hpp"
#include "measureflow/grid.hpp"
#include "measureflow/petsc_handle.hpp"

namespace mf::fields {

enum class ReconstructionMethod { LeastSquares, DacorognaMoser };
ReconstructionMethod parse_reconstruction_method(const std::string& s);  // least_squares | dacorogna_moser
std::string to_string(ReconstructionMethod m);

struct ReconstructionOptions {
  ReconstructionMethod method = ReconstructionMethod::LeastSquares;
  // Face densities below this (relative to the largest cell density) are raised to it, so the
  // weighted operator stays invertible where α vanishes; velocities there are then bounded.
  double density_floor = 1e-6;
  // The field matters only where α lives (v is defined α-a.e.): on faces whose density is below this
  // fraction of the largest one the velocity is set to 0. Without it, the tiny far-field masses that a
  // finite-volume run spreads make the least-squares velocity there (flux / ρ) huge, and the CFL step of
  // any transport by the field collapses. Its energy share is below the cut-off's.
  double velocity_cutoff = 1e-5;
  double rtol = 1e-10;
  std::string options_prefix = "recon_";  // -recon_ksp_type, -recon_pc_type, ...
};

struct ReconstructionReport {
  double kinetic_energy = 0.0;   // ∫ ρ|v|² dx (face quadrature)
  double source_mean = 0.0;      // the mean of ∂_t ρ removed before the solve
  int ksp_iterations = 0;
};

// One solver for one grid: the matrix structure and the KSP are kept between calls (a path has many
// observation times).
class MinimalFieldSolver {
 public:
  MinimalFieldSolver(const Grid& grid, const ReconstructionOptions& options);

  // potential: φ (least squares) or ψ (Dacorogna–Moser), a global vector of the grid. faces: the
  // recovered velocity on this rank's faces (the layout FvAdvection consumes). Collective.
  ReconstructionReport solve(Vec density, Vec dt_density, Vec potential, FaceVelocities& faces);

  // Cell-centred velocity components (mean of the two faces of each cell), for output.
  void cell_velocity(const FaceVelocities& faces, Vec out[3]) const;

  const Grid& grid() const { return grid_; }

 private:
  void assemble(Vec density_local, double floor);

  const Grid& grid_;
  ReconstructionOptions options_;
  MatHandle matrix_;
  KSPHandle ksp_;
  VecHandle density_local_, potential_local_, rhs_;
};

// Allocates face velocity views for this rank's block (as FvAdvection does).
FaceVelocities make_face_velocities(const Grid& grid);

}  // namespace mf::fields
