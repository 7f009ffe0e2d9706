// One JKO step on the grid by the back-and-forth method (Jacobs, Lee & Léger, "The back-and-forth
// method for Wasserstein gradient flows", 2021): ρ_{k+1} = argmin_ρ W2²(ρ_k, ρ)/(2τ) + f(ρ),
// f = Σ (U(ρ) + Vρ) |cell|, through its dual (μ = ρ_k, c(x, y) = |x − y|²/(2τ))
//   max_{φ, ψ}  Σ ψ μ − Σ U*(−φ),   φ(x) + ψ(y) ≤ c(x, y),   U*(p) = sup_{r ≥ 0} r (p − V) − U(r),
// whose maximiser gives ρ_{k+1} = (U*)'(−φ): porous medium (U = r^m/(m − 1))
//   ρ = ((m − 1)/m · (−φ − V))₊^{1/(m − 1)},   entropy (U = r log r)  ρ = exp(−φ − V − 1).
// Gradient ascent alternately in φ (with ψ = φ^c) and in ψ (with φ = ψ^c):
//   φ ← φ + σ_φ P (ρ_φ − T_φ#μ),  ψ = φ^c;   ψ ← ψ + σ_ψ P (μ − S_ψ#ρ_{ψ^c}),  φ = ψ^c,
// P = (a I − b Δ)⁻¹ (no-flux cosine transform, neumann_dct_solver.hpp) the H¹-type preconditioner, a the
// slope dρ/dp of the density in the pressure, b = τ ρ̄ (the transport term's; ρ̄ = Σμ²/Σμ). The maps come from the
// c-concave potentials: S(x) = x − τ∇φ(x) sends ρ back to μ, so T#μ(x) = μ(S(x)) det(I − τ D²φ(x)) and
// S#ρ(y) = ρ(y − τ∇ψ(y)) det(I − τ D²ψ(y)) (centred differences; μ and ρ read between cell centres by
// cubic interpolation, which keeps the fronts sharp where a cloud-in-cell deposit would diffuse them by
// O(h) per unit distance travelled). c-transforms exact on the grid (jko_c_transform.hpp). Step sizes σ
// adapted to the measured dual increase; stop when the L1 mismatch Σ|ρ_φ − T_φ#μ| / Σμ ≤ tolerance.
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
  int max_iterations = 2000;  // back-and-forth iterations (a φ half and a ψ half); more is a SolverError
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
  // out(x) = src(x − τ∇pot(x)) det(I − τ D²pot(x)), ≥ 0: the push-forward of src by the inverse of that map.
  void pull_density(const std::vector<double>& src, const std::vector<double>& pot, double tau,
                    std::vector<double>& out) const;

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
  double mu_max_ = 0.0;  // Σμ²/Σμ, the mass-weighted mean density of μ
};

}  // namespace mf::gradient_flow
