// The over-relaxation ω of one Sinkhorn stage, adapted to the contraction the stage observes (the multiscale
// cross solve's sparse-kernel stages and its grid-transform stages share it; docs/yardstick.md, "Adaptive
// over-relaxation").
//
// Why: the fixed ω = 1.7 of the yardstick, dropped to plain sweeps (ω = 1) for good at the first growing
// violation, left grid_relu_2d's 2ε stage with all 2·10⁴ particles on plain sweeps from its 5th sweep on, each
// contracting the violation by only 0.98–0.995: 445 sweeps, 2.3 of the yardstick's 3 cpu s. Even where it never
// dropped (grid_relu_2d at 10⁴ particles: 121 and 126 sweeps) 1.7 is well below the best ω for such a contraction.
//
// The rule. Sinkhorn's alternating updates are block Gauss–Seidel on the dual; near the fixed point, with both
// updates over-relaxed by ω, the slowest error mode contracts by λ with (λ + ω − 1)² = λ ω² ρ (Young's relation),
// ρ the plain sweep's contraction. So the λ observed under the current ω gives ρ = (λ + ω − 1)²/(λ ω²), and the
// best ω for it, 2/(1 + √(1 − ρ)). After each window of sweeps whose violation fell at every sweep, ω is raised to
// a little under that optimum (where λ stays real: the violation keeps falling, so a rise means trouble), if
// at the observed λ more than kWorthRaising sweeps remain before the tolerance: a raise disturbs the next few
// sweeps, which a fast stage does not win back (the quickstart's 2ε stage took 25 sweeps instead of 16).
//   - A raise makes the violation, measured on potentials overshot further, rise for a sweep or two while the
//     overshoot builds up (3.1e-2 → 5.9e-2 → 6.9e-2 on grid_relu_2d): the sweeps right after it are not judged.
//   - A rise of the violation otherwise: back to the last ω that did not rise (1 after the starting ω), the cap
//     for later raises lowered below the ω that rose; after a few such drops, plain sweeps for the stage.
//   - A rise while the violation is still large (above kTransient: the first sweeps after the move to a finer
//     level) under the starting ω is the transient, not a too large ω: plain sweeps until the violation has
//     fallen below kTransient, then the starting ω again.
// Every rank sees the same violations, so ω and the bits do not depend on the rank count.
#pragma once
#include <vector>

namespace mf::ot::detail {

class OverRelaxation {
 public:
  // omega: the stage's starting ω (1: plain sweeps throughout, as on the annealing stages). adaptive false: the
  // fixed rule (ω until the violation rises, then 1 for good), which `measureflow ot` and the bracketed solver keep.
  // tol: the stage's tolerance (a raise is made only where many sweeps remain before it).
  // toward_optimum: a raise goes to 1 + toward_optimum·(ω_opt − 1) (kBelowOptimum = 0.95 unless told).
  OverRelaxation(double omega, bool adaptive, double tol);
  OverRelaxation(double omega, bool adaptive, double tol, double toward_optimum);
  double omega() const { return omega_; }
  // After each sweep: the L1 marginal violation it left.
  void observe(double err);
  // The kernel was rebuilt (potentials absorbed, pairs truncated afresh): the next violations are measured on
  // another kernel, and a rise there is not ω's (grid_relu_2d, all particles: 6.3e-2 → 0.27 right after its third
  // rebuild, which capped ω at 1.56 for the 150 sweeps left).
  void kernel_rebuilt();

 private:
  void raise_if_slow(double err);

  double start_, omega_;
  bool adaptive_;
  double tol_;
  double toward_;            // the fraction of the way to the estimated optimum a raise goes
  double previous_ = -1.0;   // the fixed rule's last violation
  double cap_;               // no raise above this
  double last_good_ = 1.0;   // the ω before the last raise
  bool raised_ = false;      // ω is one this rule set (not the starting one)
  bool suspended_ = false;   // plain sweeps through a transient, the starting ω back below kTransient
  int settle_ = 0;           // sweeps after a raise, a return or a rebuild that are not judged
  int drops_ = 0;            // rises of the violation under ω > 1
  std::vector<double> since_;  // violations since the window started, each below the one before
};

}  // namespace mf::ot::detail
