// Rank-0 progress lines at a steady wall-clock rate: step, t, dt, a key diagnostic, ETA.
#pragma once
#include <chrono>
#include <string>

namespace mf {

class Progress {
 public:
  Progress(bool enabled, double t_end, double interval_seconds = 2.0);
  // Prints if the interval has passed (or force). `extra` is appended (e.g. "mass=1.000000").
  void update(long long step, double t, double dt, const std::string& extra, bool force = false);
  double elapsed() const;

 private:
  bool enabled_;
  double t_end_, interval_;
  std::chrono::steady_clock::time_point start_, last_;
  bool printed_ = false;
};

}  // namespace mf
