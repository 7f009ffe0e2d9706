// One JKO step on the grid (survey §5.1, eq. 13), ρ_{k+1} = argmin_ρ W2²(ρ_k, ρ)/(2τ) + f(ρ), f = ∫U(ρ) + ∫Vρ,
// written as the dynamic (Benamou–Brenier) problem on N_t time cells of [0, 1]
//   min Σ |m|²/(2ρ) |cell| + τ f(ρ(1))   subject to ∂_t ρ + div m = 0, ρ(0) = ρ_k, no flux through walls,
// with ρ(1) free. Staggered grid as in Papadakis–Peyré–Oudet: V = (m on spatial faces, ρ on time faces,
// face 0 = ρ_k), U = (m, ρ) at space-time cell centres, W = the final density. Douglas–Rachford on
//   G1(U, V, W) = Σ|m|²/(2ρ)|cell| + ι{D V = 0}(V) + τ f(W)      (pointwise, a Poisson solve, pointwise)
//   G2(U, V, W) = ι{U = I(V), W = ρ_{N_t}(V)}                     (tridiagonal solves along lines)
// warm-started from the previous step's iterate. The problem is small (one density) and is solved
// replicated on every rank: same answer on any rank count, no communication inside the iteration.
#pragma once
#include <vector>

#include "energy_terms.hpp"
#include "jko_space_time_poisson.hpp"
#include "jko_step_solver.hpp"
#include "measureflow/grid.hpp"

namespace mf::gradient_flow {

struct JkoGridOptions {
  int time_cells = 4;         // N_t
  double tolerance = 1e-3;    // stop when ‖r − z‖ (Douglas–Rachford fixed-point residual) / ‖z − standing still‖ is below
  int max_iterations = 5000;  // more is a SolverError
  double step = 1.0;          // γ of the proximal maps (inner product weighted by the space-time cell volume)
  double relaxation = 1.8;    // α in w ← w + α (prox_G2(2z − w) − z), 0 < α < 2
  double final_weight = 1.0;  // weight of W in the inner product, relative to a space-time cell
  bool warm_start = true;     // start each step from the previous step's iterate (false: from standing still)
};


class JkoGridSolver : public JkoStepSolver {
 public:
  JkoGridSolver(const GridSpec& space, const LocalEnergy& energy, const JkoGridOptions& options);
  // rho: the whole grid's cell averages (x fastest), unit mass or not; replaced by ρ_{k+1} (same mass).
  JkoStepStats step(std::vector<double>& rho, double tau) override;
  // The Douglas–Rachford iterate carried between steps (warm start) and the last τ, for checkpoints.
  std::vector<double> state() const override;
  void set_state(const std::vector<double>& w) override;

 private:
  void prox_g1(double tau);  // z = prox_{γ G1}(w)
  void project_g2();         // r = proj_{G2}(y), y = 2z − w
  void project_continuity(double* vm, double* vr);
  void interpolate(const double* vm, const double* vr, double* u) const;  // U = I(V), affine
  double path_w2sq(const double* u) const;

  GridSpec space_;
  LocalEnergy energy_;
  JkoGridOptions opt_;
  int d_, nt_;
  long ns_, cells_;                  // spatial cells; space-time cells N_t · N_s
  std::array<long, 3> n_{1, 1, 1}, stride_{1, 1, 1};
  std::array<double, 3> h_{1, 1, 1};
  double cell_volume_ = 1.0;         // spatial
  long off_vm_, off_vr_, off_w_, size_;
  std::vector<double> w_, z_, y_, r_;
  std::vector<double> potential_;    // V at cell centres
  std::vector<double> axis_ip_[3], axis_up_[3], time_ip_, time_up_;  // Thomas factors of the G2 lines
  SpaceTimePoisson poisson_;
  bool started_ = false;
  double last_tau_ = 0.0;  // τ of the previous step (warm start scaling)
};

}  // namespace mf::gradient_flow
