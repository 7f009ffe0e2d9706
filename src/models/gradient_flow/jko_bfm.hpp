// One JKO step on the grid by the back-and-forth method (Jacobs, Lee & Léger, "The back-and-forth
// method for Wasserstein gradient flows", 2021): ρ_{k+1} = argmin_ρ W2²(ρ_k, ρ)/(2τ) + f(ρ),
// f = Σ (U(ρ) + Vρ) |cell|, through its dual (μ = ρ_k, c(x, y) = |x − y|²/(2τ))
//   max_{φ, ψ}  Σ ψ μ − Σ U*(−φ),   φ(x) + ψ(y) ≤ c(x, y),   U*(p) = sup_{r ≥ 0} r (p − V) − U(r),
// whose maximiser gives ρ_{k+1} = (U*)'(−φ): porous medium (U = r^m/(m − 1))
//   ρ = ((m − 1)/m · (−φ − V))₊^{1/(m − 1)},   entropy (U = r log r)  ρ = exp(−φ − V − 1).
// Preconditioned gradient ascent in φ (ψ = φ^c), the φ half of the back-and-forth iteration:
//   φ ← φ + σ P (ρ_φ − T#μ),
// P = (a I − b Δ)⁻¹ (no-flux cosine transform, neumann_dct_solver.hpp), a the slope dρ/dp of the density in
// the pressure, b = τ ρ̄ (the transport term's; ρ̄ = Σμ²/Σμ), so σ = 1 is a Newton step of the linearised
// problem. T#μ is conservative: each cell's mass μ_i goes to its image y = x_i + τ∇φ(y) (the inverse of
// S = id − τ∇φ, solved by fixed point; centred ∇φ, cubic interpolation), deposited by the transpose of the
// Catmull–Rom weights (mass exact, no numerical diffusion), negative lobes moved to the neighbours. φ is made
// c-concave (φ^cc, exact grid c-transforms, jko_c_transform.hpp) once before the loop, not inside it. Stop
// when the L1 mismatch Σ|ρ_φ − T#μ| / Σμ ≤ tolerance. The ψ half, the paper's dual-increase step rule and the
// Monge–Ampère push-forward μ(S(x)) det DS(x) were tried and dropped (docs/gradient_flow.md says why).
// Replicated on every rank like the Douglas–Rachford solver (same answer on any rank count).
#pragma once
#include <array>
#include <memory>
#include <vector>

#include "energy_terms.hpp"
#include "jko_c_transform.hpp"
#include "jko_step_solver.hpp"
#include "measureflow/grid.hpp"
#include "neumann_dct_solver.hpp"

namespace mf::gradient_flow {

struct JkoBfmOptions {
  double tolerance = 1e-3;    // Σ|ρ_φ − T_φ#μ| / Σμ at which the step stops
  int max_iterations = 2000;  // ascent iterations per step; more is a SolverError
  bool warm_start = true;     // start from the previous step's φ (false: the pressure of ρ_k)
};

class JkoBfmSolver : public JkoStepSolver {
 public:
  JkoBfmSolver(const GridSpec& space, const LocalEnergy& energy, const JkoBfmOptions& options);
  JkoStepStats step(std::vector<double>& rho, double tau) override;
  std::vector<double> state() const override;  // φ and a started flag
  void set_state(const std::vector<double>& s) override;

  // Pieces, public for the unit tests.
  void density_from_potential(const std::vector<double>& phi, std::vector<double>& rho) const;  // (U*)'(−φ)
  double conjugate_sum(const std::vector<double>& phi) const;                                   // Σ U*(−φ)
  // out = T#src, T the forward map y = x + τ∇pot(y) (the inverse of x − τ∇pot(x)): each cell's mass
  // deposited at its image by Catmull–Rom transpose weights, negative deposits moved to the neighbours.
  void push_density(const std::vector<double>& src, const std::vector<double>& pot, double tau, std::vector<double>& out);

 private:
  double interpolate(const std::vector<double>& f, const double* index_coordinates) const;
  void derivatives(const std::vector<double>& pot, long cell, double* grad, double hess[3][3]) const;
  double slope() const;  // a of the preconditioner: dρ/dp at the mean density of μ

  GridSpec space_;
  LocalEnergy energy_;
  JkoBfmOptions opt_;
  int d_;
  long ns_;
  std::array<long, 3> n_{1, 1, 1}, stride_{1, 1, 1};
  std::array<double, 3> h_{1, 1, 1}, lower_{0, 0, 0};
  std::vector<double> potential_;  // V at the cell centres
  std::vector<double> mu_, phi_, psi_, rho_, pushed_, grad_, step_;
  GridCTransform ctransform_;
  NeumannDctSolver precond_;
  bool started_ = false;
  std::array<std::vector<double>, 3> grad_field_;  // ∇φ at the cell centres (push_density)
  double rho_bar_ = 0.0;  // Σμ²/Σμ, the mass-weighted mean density of μ
};

}  // namespace mf::gradient_flow
