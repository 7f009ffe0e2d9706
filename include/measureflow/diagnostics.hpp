// Cross-validation metrics of a run, the same for every model: each view against the exact answer and
// the views against each other. Metric names are pinned (DESIGN.md "Files"); errors are relative unless
// the name ends in _abs. Definitions: docs/metrics.md.
#pragma once
#include <functional>

#include "measureflow/model.hpp"

namespace mf {

struct DiagnosticsOptions {
  enum class W2When { None, Final, Outputs };
  W2When w2_when = W2When::Final;  // deck diagnostics.w2
  double w2_eps = 0.0;             // final entropic ε (squared length units); 0: 2 h_max²
  long long w2_points = 1000;      // points per view of the models' own (dense) Sinkhorn W2s
  long long w2_particles = 100000; // particles entering the cross-view W2 (every cell enters)
};

// What Diagnostics remembers from t = 0 (kept in checkpoints so a restarted run measures drift from
// the original start).
struct DiagnosticsBaseline {
  double grid_mass0 = 0.0;
  Moments particles0;
};

class Diagnostics {
 public:
  // Records the initial masses and the particles' initial empirical moments.
  Diagnostics(Model& model, MPI_Comm comm, DiagnosticsOptions options = {});
  // Collective. Metrics at time t, including the model's own (Model::add_metrics). The Sinkhorn W2
  // between views is computed at the final output, or at every output, as the options say.
  Metrics evaluate(double t, bool final_output = false);
  // Throws SolverError naming the view and the problem if a view holds NaN/inf or negative mass.
  void check_health(double t) const;
  DiagnosticsBaseline baseline() const;
  void restore(const DiagnosticsBaseline& b);

 private:
  Model& model_;
  MPI_Comm comm_;
  DiagnosticsOptions options_;
  DiagnosticsBaseline baseline_;
  VecHandle scratch_;
};

// Relative error helpers shared with tests.
double relative_mean_error(const Moments& got, const Moments& exact);  // |m − m*| / sqrt(tr Σ*)
double relative_cov_error(const Moments& got, const Moments& exact);   // ‖Σ − Σ*‖_F / ‖Σ*‖_F
// W2 between the Gaussian with a view's mean and covariance and the exact Gaussian (Bures), over
// sqrt(tr Σ*).
double gaussian_w2_error(const Moments& got, const Moments& exact);
// Σ|a − b| / Σ|b| over all cells (collective).
double relative_l1(Vec a, Vec b);

}  // namespace mf
