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
  // solver.tolerance: auto: the W2² of the grid twice as coarse the estimate was made from (0 when the
  // fixed tolerance ruled), and the final estimate of the relative discretisation error of W2².
  double reference_w2sq = 0.0;
  double error_estimate = 0.0;
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
    // solver.tolerance: auto (primal_dual with a multilevel start): once set_reference() has given the
    // W2² of the grid twice as coarse, stop when W2² has moved by less than auto_fraction × the estimated
    // discretisation error over the last auto_window iterations; until then (coarsest grid) `tolerance`.
    bool auto_tolerance = false;
    double auto_fraction = 0.1;
    int auto_window = 20;
  };
  BenamouBrenierSolver(const SpaceTimeGrid& grid, SliceView alpha0, SliceView alpha1, Options options);

  SolveStats solve();
  // Multilevel start: begin from a (prolongated) staggered field, projected onto the continuity
  // constraint here, and, for primal_dual, a dual field on the centred grid. Call before solve().
  void warm_start(const Field& V, const Field& dual);
  // The W2² of the same problem on the grid twice as coarse (multilevel start): with auto_tolerance the
  // stopping rule estimates the discretisation error from it.
  void set_reference(double coarse_w2sq) { reference_w2sq_ = coarse_w2sq; }
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
  bool converged_auto();  // solver.tolerance: auto (after record() appended this iteration)

  StaggeredOps ops_;
  ContinuityProjection continuity_;
  InterpolationProjection interpolation_;
  Options opt_;
  Field U_, V_;
  Field dual_;           // primal_dual: p (initial value, then the final one)
  Field residual_work_;  // I(V) − U in record(), kept to avoid allocating every iteration
  std::vector<IterationRecord> history_;
  double last_energy_ = 0.0;
  double reference_w2sq_ = 0.0;  // 0: no coarse W2², the fixed tolerance rules
  double error_estimate_ = 0.0;  // latest relative discretisation error estimate (auto)
  double t_poisson_ = 0.0, t_pointwise_ = 0.0, t_interp_ = 0.0;
};

}  // namespace mf::dynamic_ot
