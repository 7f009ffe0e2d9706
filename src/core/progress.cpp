#include "measureflow/progress.hpp"

#include <cstdio>

namespace mf {

Progress::Progress(bool enabled, double t_end, double interval_seconds)
    : enabled_(enabled), t_end_(t_end), interval_(interval_seconds),
      start_(std::chrono::steady_clock::now()), last_(start_) {}

double Progress::elapsed() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void Progress::update(long long step, double t, double dt, const std::string& extra, bool force) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (!force && printed_ && std::chrono::duration<double>(now - last_).count() < interval_) return;
  last_ = now;
  printed_ = true;
  const double wall = elapsed();
  // ETA from the simulated-time rate so far (steps may change size).
  const double eta = t > 0.0 ? wall * (t_end_ - t) / t : 0.0;
  std::printf("step %8lld  t = %.6g  dt = %.3e  %s  elapsed %.1f s  ETA %.1f s\n", step, t, dt, extra.c_str(), wall,
              eta);
  std::fflush(stdout);
}

}  // namespace mf
