// Proximal splitting solvers of the discrete Benamou–Brenier problem
//   min_V J(I(V)) subject to ∂_t ρ + div m = 0, ρ(0) = α0, ρ(1) = α1,   J(U) = Σ |m|²/(2ρ) · |cell|,
// on the staggered space-time grid: ALG2 (augmented Lagrangian / ADMM), Douglas–Rachford and
// Chambolle–Pock primal-dual.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "dynamic_ot_config.hpp"
#include "projections.hpp"

namespace mf::dynamic_ot {

struct IterationRecord {
  int iteration;
  double energy;     // ½∫∫ρ|v|² of the centred iterate
  double residual;   // ‖U − I(V)‖ / ‖U‖ (V obeys continuity exactly)
  double energy_change;  // |ΔE| / E
  int ksp_iterations;    // Poisson KSP iterations of this iteration
};

struct SolveStats {
  int iterations = 0;
  bool converged = false;
  double energy = 0.0;      // ½∫∫ρ|v|²
  double w2sq = 0.0;        // 2 × energy (Benamou–Brenier: W2² = min ∫∫ρ|v|²)
  double residual = 0.0;    // final ‖U − I(V)‖ / ‖U‖
  double continuity_residual = 0.0;  // ‖div V‖ / ‖boundary data‖ of the staggered iterate
  long long poisson_iterations = 0;
  double seconds_total = 0.0, seconds_poisson = 0.0, seconds_pointwise = 0.0, seconds_interp = 0.0;
  // Multilevel start (solver.levels): coarse levels solved, their iterations, the same work counted in
  // iterations of this grid (Σ iterations × cells / cells here), and their seconds (in seconds_total).
  int coarse_levels = 0;
  long long coarse_iterations = 0;
  double coarse_work = 0.0;
  double seconds_coarse = 0.0;
};

class BenamouBrenierSolver {
 public:
  struct Options {
    Method method = Method::DouglasRachford;
    double tolerance = 1e-5;
    int max_iterations = 2000;
    double step = 1.0;
    PoissonMethod poisson = PoissonMethod::Auto;  // continuity projection: fft, ksp, or the options' choice
    double relaxation = 1.0;                      // primal_dual: over-relaxation ρ ∈ (0, 2)
    bool progress = false;
  };
  BenamouBrenierSolver(const SpaceTimeGrid& grid, SliceView alpha0, SliceView alpha1, Options options);

  SolveStats solve();
  // Multilevel start: begin from a (prolongated) staggered field, projected onto the continuity
  // constraint here, and, for primal_dual, a dual field on the centred grid. Call before solve().
  void warm_start(const Field& V, const Field& dual);
  const Field& dual() const { return dual_; }    // primal_dual: the dual variable p after solve()
  StaggeredOps& ops() { return ops_; }
  const Field& centred() const { return U_; }    // (m, ρ) at cell centres
  const Field& staggered() const { return V_; }  // (m, ρ) on faces; ρ obeys continuity exactly
  const std::vector<IterationRecord>& history() const { return history_; }
  // Kinetic energy per time cell of the solution (½∫ρ|v|² dx at t_{k+½}).
  std::vector<double> slice_energies();

 private:
  void prox_g1(Field& U, Field& V, double gamma);  // kinetic prox on U, continuity projection on V
  bool record(int it, int ksp_its);

  StaggeredOps ops_;
  ContinuityProjection continuity_;
  InterpolationProjection interpolation_;
  Options opt_;
  Field U_, V_;
  Field dual_;           // primal_dual: p (initial value, then the final one)
  Field residual_work_;  // I(V) − U in record(), kept to avoid allocating every iteration
  std::vector<IterationRecord> history_;
  double last_energy_ = 0.0;
  double t_poisson_ = 0.0, t_pointwise_ = 0.0, t_interp_ = 0.0;
};

}  // namespace mf::dynamic_ot
