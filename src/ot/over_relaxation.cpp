// Adaptive over-relaxation of a Sinkhorn stage (over_relaxation.hpp).
#include "over_relaxation.hpp"

#include <algorithm>
#include <cmath>

namespace mf::ot::detail {

namespace {

// Sweeps over which the contraction is measured: enough to average a fresh stage's first sweeps, few against
// the 20–450 sweeps of the yardstick's level-0 stages.
constexpr int kWindow = 4;
// Sweeps after a raise or the starting ω's return (a rise is the overshoot building up), and after a kernel
// rebuild (a rise is the new truncation's), that are not judged.
constexpr int kSettle = 3;
// The largest ω ever used (ω → 2 contracts by ω − 1 → 1 whatever ρ).
constexpr double kMaxOmega = 1.95;
// ω is raised to 1 + kBelowOptimum·(ω_opt − 1): just under the optimum the slowest modes stay real.
constexpr double kBelowOptimum = 0.95;
// ω is raised only by more than this (no churn on noise).
constexpr double kMinRaise = 0.02;
// After a rise under ω, later raises stay below 1 + kCapShrink·(ω − 1); after kMaxDrops rises, plain sweeps.
constexpr double kCapShrink = 0.8;
constexpr int kMaxDrops = 3;
// A raise only where, at the observed contraction, more sweeps than this remain before the tolerance: the
// kSettle sweeps after a raise are disturbed, and a raise takes a further kWindow sweeps to be judged.
constexpr double kWorthRaising = 12.0;
// An L1 marginal violation above this is a stage's transient (the tolerances are 1e-2 to 1e-4).
constexpr double kTransient = 0.1;

}  // namespace

OverRelaxation::OverRelaxation(double omega, bool adaptive, double tol)
    : OverRelaxation(omega, adaptive, tol, kBelowOptimum) {}

OverRelaxation::OverRelaxation(double omega, bool adaptive, double tol, double toward_optimum)
    : start_(omega), omega_(omega), adaptive_(adaptive && omega > 1.0), tol_(tol), toward_(toward_optimum), cap_(kMaxOmega) {}

void OverRelaxation::observe(double err) {
  if (!adaptive_) {
    if (previous_ >= 0.0 && err > previous_) omega_ = 1.0;
    previous_ = err;
    return;
  }
  if (suspended_) {
    if (err < kTransient) {
      suspended_ = false;
      omega_ = start_;
      settle_ = kSettle;
    }
    since_.assign(1, err);
    return;
  }
  if (settle_ > 0) {
    --settle_;
    since_.assign(1, err);
    return;
  }
  if (since_.empty() || err < since_.back()) {
    since_.push_back(err);
    raise_if_slow(err);
    return;
  }
  // The violation rose.
  const double before = since_.back();
  since_.assign(1, err);
  if (omega_ == 1.0) return;  // plain sweeps: nothing to lower
  if (!raised_ && before > kTransient) {
    suspended_ = true;
    omega_ = 1.0;
    return;
  }
  cap_ = ++drops_ >= kMaxDrops ? 1.0 : std::min(cap_, 1.0 + kCapShrink * (omega_ - 1.0));
  omega_ = std::min(raised_ ? last_good_ : 1.0, cap_);
  raised_ = false;
}

void OverRelaxation::kernel_rebuilt() {
  if (!adaptive_) return;
  settle_ = kSettle;
  since_.clear();
}

void OverRelaxation::raise_if_slow(double err) {
  if (static_cast<int>(since_.size()) <= kWindow) return;
  const double lambda = std::pow(since_.back() / since_[since_.size() - 1 - kWindow], 1.0 / kWindow);
  if (!(lambda > 0.0 && lambda < 1.0)) return;
  if (err > tol_ && std::log(tol_ / err) / std::log(lambda) < kWorthRaising) return;
  const double rho = std::min((lambda + omega_ - 1.0) * (lambda + omega_ - 1.0) / (lambda * omega_ * omega_), 1.0);
  const double best = 2.0 / (1.0 + std::sqrt(1.0 - rho));
  const double next = std::min(1.0 + toward_ * (best - 1.0), cap_);
  if (!(next > omega_ + kMinRaise)) return;
  last_good_ = omega_;
  omega_ = next;
  raised_ = true;
  settle_ = kSettle;
  since_.assign(1, err);
}

}  // namespace mf::ot::detail
