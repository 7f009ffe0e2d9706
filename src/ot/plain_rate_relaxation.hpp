// The over-relaxation ω of a cross stage's sweeps chosen from the observed rate of plain ones
// (MultiscaleOptions::relaxation_from_plain_rate; the yardstick's rule is over_relaxation.hpp).
//
// Why: a Sinkhorn sweep (the x update, then the y update) is one two-block Gauss–Seidel step, whose
// linearisation is 2-cyclic and consistently ordered; Young's SOR theory then gives, from the rate ρ of the
// plain sweeps, the best ω* = 2 / (1 + √(1 − ρ)) and the rate ω* − 1 with it. At ε = h² the plain rate is
// close to 1 (ρ ≈ 0.99895 measured at 512²: ~9000 sweeps from 10⁻² to 10⁻⁶), ω* ≈ 1.94 (~150). A fixed
// ω = 1.5 is far from ω* there, and the all-or-nothing safeguard (ω → 1 at the first growth of the violation)
// drops it on the first sweeps' transient anyway (docs/static_ot.md, "512² in minutes").
//
// How: plain sweeps until the rate measured over the last kWindow sweeps agrees with the one over the kWindow
// before (to kAgree of its logarithm); then Young's ω* of that rate, at most kMaxOmega. Why the cap: at 512²
// (ε = h²) ω* of the measured rate, 1.952, grew the violation elevenfold in 7 sweeps (just below ω* the SOR
// iteration is nearly defective, with a large transient), and 1.974 (an overshoot above ω*) drove the
// scalings of the grid's far tail past the rebuild threshold at every few sweeps, each rebuild a kernel of
// 9·10⁷ pairs; 1.90 is what the 256² deck's ω* came to (1.9014) and its rate at 512² is still ~20x plain's.
// Over-relaxed sweeps need not decrease the violation every sweep, so the safeguard is a loss of the progress
// made: a violation above kGrowth times the smallest since ω was set halves ω − 1 (plain sweeps below 1.05).
// Only the violation is read, which every rank holds the same: ω is the same on every rank.
#pragma once
#include <algorithm>
#include <cmath>
#include <vector>

namespace mf::ot::detail {

class PlainRateRelaxation {
 public:
  static constexpr int kWindow = 10;
  static constexpr double kAgree = 0.1;
  static constexpr double kGrowth = 30.0;
  static constexpr double kMaxOmega = 1.9;

  double omega() const { return omega_; }

  // The ω of the next updates, after a sweep whose marginal violation was err (> 0, finite).
  double next(double err) {
    if (state_ == State::Relaxed) {
      best_ = std::min(best_, err);
      if (err > kGrowth * best_) {
        omega_ = 1.0 + 0.5 * (omega_ - 1.0);
        best_ = err;
        if (omega_ < 1.05) {
          state_ = State::Plain;
          omega_ = 1.0;
        }
      }
      return omega_;
    }
    if (state_ == State::Plain) return omega_;
    history_.push_back(std::log(err));
    const std::size_t n = history_.size();
    if (n <= 2 * kWindow) return omega_;
    const double recent = (history_[n - 1] - history_[n - 1 - kWindow]) / kWindow;  // log ρ, last window
    const double before = (history_[n - 1 - kWindow] - history_[n - 1 - 2 * kWindow]) / kWindow;
    if (recent < 0.0 && std::fabs(recent - before) <= kAgree * std::fabs(recent)) {
      const double rho = std::exp(recent);
      omega_ = std::min(kMaxOmega, 2.0 / (1.0 + std::sqrt(1.0 - rho)));
      state_ = State::Relaxed;
      best_ = err;
    }
    return omega_;
  }

 private:
  enum class State { Estimating, Relaxed, Plain };
  State state_ = State::Estimating;
  double omega_ = 1.0;
  double best_ = 0.0;
  std::vector<double> history_;  // log of each plain sweep's violation
};

}  // namespace mf::ot::detail
