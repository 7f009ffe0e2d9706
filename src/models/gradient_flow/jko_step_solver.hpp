// The interface of a grid JKO step solver (eulerian.jko_solver dynamic_ot or back_and_forth): one step
// ρ_k ↦ ρ_{k+1} = argmin_ρ W2²(ρ_k, ρ)/(2τ) + f(ρ) on the whole grid, solved replicated on every rank.
#pragma once
#include <vector>

namespace mf::gradient_flow {

struct JkoStepStats {
  int iterations = 0;
  double w2sq = 0.0;          // W2²(ρ_k, ρ_{k+1}) as the solver measures it (path action or transport map)
  double residual = 0.0;      // final stopping quantity of the solver
  double clipped_mass = 0.0;  // negative mass of the final density removed before renormalising
  double seconds = 0.0;
};

class JkoStepSolver {
 public:
  virtual ~JkoStepSolver() = default;
  // rho: the whole grid's cell averages (x fastest), unit mass or not; replaced by ρ_{k+1} (same mass).
  virtual JkoStepStats step(std::vector<double>& rho, double tau) = 0;
  // What the next step starts from (warm start), for checkpoints.
  virtual std::vector<double> state() const = 0;
  virtual void set_state(const std::vector<double>& s) = 0;
};

}  // namespace mf::gradient_flow
