// Cross-validation metrics of a run, the same for every model: each view against the exact answer and
// the views against each other. Metric names are pinned (DESIGN.md "Files"); errors are relative unless
// the name ends in _abs. Definitions: docs/metrics.md.
#pragma once
#include <functional>

#include "measureflow/model.hpp"

namespace mf {

struct DiagnosticsOptions {
  // Entropic regularisation for cross-view Wasserstein distances (squared length units); ≤ 0 disables.
  double w2_eps = 0.0;
  // Computes a W2 estimate between two distributed clouds (set by the OT subsystem; empty: skipped).
  std::function<double(MPI_Comm, const WeightedPoints&, const WeightedPoints&, double)> w2;
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
  // Collective. Metrics at time t, including the model's own (Model::add_metrics).
  Metrics evaluate(double t);
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
// Σ|a − b| / Σ|b| over all cells (collective).
double relative_l1(Vec a, Vec b);

}  // namespace mf
