// The dynamic_ot model seen three ways: the Benamou–Brenier geodesic on the space-time grid (played
// back slice by slice), particles moving on straight lines between coupled samples of α0 and α1 (eq. 12),
// and the closed-form elliptical geodesic.
#pragma once
#include <memory>
#include <optional>
#include <vector>

#include "benamou_brenier_solver.hpp"
#include "dynamic_ot_config.hpp"
#include "gaussian_geodesic.hpp"
#include "measureflow/model.hpp"

namespace mf::dynamic_ot {

class DynamicOtEulerian : public EulerianView {
 public:
  // Solves the whole geodesic at construction (collective).
  DynamicOtEulerian(const DynamicOtConfig& config, MPI_Comm comm);
  const Grid& grid() const override { return grid_; }
  Vec density() const override { return density_; }
  // The geodesic is already computed: advancing selects the time slice nearest to t + dt.
  void advance(double t, double dt) override { select_time(t + dt); }
  std::vector<std::pair<std::string, Vec>> extra_fields() override;
  // Restart: the whole geodesic is solved again at construction (deterministic on a given rank count),
  // so the view only goes back to the checkpoint's time slice; nothing else is read by the next step.
  RestartSupport restart_support() const override { return RestartSupport::yes(); }
  void restore_state(const ViewStateReader& in) override { select_time(in.time()); }

  void select_time(double t);
  // α and m on time face k = 0..N_t in natural order (x fastest), identical on every rank (collective).
  std::vector<double> slice_density(PetscInt k);
  std::vector<double> slice_momentum(PetscInt k, int axis);
  const SolveStats& stats() const { return stats_; }
  BenamouBrenierSolver& solver() { return *solver_; }
  PetscInt time_cells() const { return st_.cells(st_.space_dim()); }
  const SpaceTimeGrid& space_time() const { return st_; }
  // 1 − raw mass of the boundary densities inside the box (largest of the two).
  double truncated_mass() const { return truncated_mass_; }
  PetscInt current_face() const { return face_; }

 private:
  void fill_from_natural(const std::vector<double>& natural, Vec out) const;

  DynamicOtConfig config_;
  SpaceTimeGrid st_;
  Grid grid_;
  std::unique_ptr<BenamouBrenierSolver> solver_;
  SolveStats stats_;
  VecHandle density_;
  std::vector<VecHandle> velocity_;
  double truncated_mass_ = 0.0;
  PetscInt face_ = 0;
};

// Default Sinkhorn ε of the entropic particle coupling of the n × dim clouds x → y:
// min(h² of the grid's coarsest axis, λ_min(sample covariances) / 16).
double default_coupling_eps(const Grid& grid, const std::vector<double>& x, const std::vector<double>& y, int dim);

class DynamicOtLagrangian : public LagrangianView {
 public:
  // Samples `particles` points of each measure (counter-based, rank-count independent), couples them
  // (`coupling`: exact permutation, or Sinkhorn at ε = `coupling_eps` with the barycentric projection
  // as T; Auto = exact in 1D, entropic in d ≥ 2; ε ≤ 0 means default_coupling_eps) and starts at
  // t = 0. Every rank ends up with the same end points.
  DynamicOtLagrangian(const Measure& from, const Measure& to, std::int64_t particles, std::uint64_t seed,
                      const Grid& decomposition, Coupling coupling = Coupling::Auto, double coupling_eps = 0.0);
  const ParticleSet& particles() const override { return particles_; }
  ParticleSet& mutable_particles() override { return particles_; }
  const Grid* decomposition() const override { return &decomposition_; }
  void advance(double t, double dt) override { move_to(t + dt); }
  // Restart: the coupling is recomputed at construction; the particles go back to the checkpoint's time.
  RestartSupport restart_support() const override { return RestartSupport::yes(); }
  void restore_state(const ViewStateReader& in) override { move_to(in.time()); }
  // Positions (1 − t) x + t T(x) for every particle, then migration (collective).
  void move_to(double t);
  // W2² estimate: exact coupling Σ w |T(x) − x|²; entropic the debiased divergence S_ε (see the .cpp).
  double w2sq() const { return w2sq_; }
  // ½ Σ w |T(x) − x|²: the particles' (constant) kinetic energy on their straight lines.
  double kinetic_energy() const { return kinetic_; }
  Coupling coupling() const { return coupling_; }  // Exact or Entropic (Auto resolved)
  double coupling_eps() const { return eps_; }     // ε used (0 for exact)
  double coupling_seconds() const { return coupling_seconds_; }
  int coupling_iterations() const { return coupling_iterations_; }  // Sinkhorn iterations (0 for exact)
  // Every particle's position at time t (n × dim, by id), identical on every rank.
  std::vector<double> positions_at(double t) const;

 private:
  ParticleSet particles_;
  const Grid& decomposition_;
  int dim_;
  std::vector<double> start_, end_;  // n × dim, by global id
  double w2sq_ = 0.0, kinetic_ = 0.0;
  Coupling coupling_ = Coupling::Exact;
  double eps_ = 0.0, coupling_seconds_ = 0.0;
  int coupling_iterations_ = 0;
};

class DynamicOtClosedForm : public ClosedFormView {
 public:
  DynamicOtClosedForm(const Measure& from, GaussianGeodesic geodesic) : from_(from), geodesic_(std::move(geodesic)) {}
  std::optional<Moments> moments(double t) const override { return geodesic_.at(t); }
  // Exact push-forward of α0 by x ↦ m_t + ((1 − t)I + tA)(x − m0), averaged over cells.
  bool cell_averages(double t, const Grid& grid, Vec out) const override;
  const GaussianGeodesic& geodesic() const { return geodesic_; }
  // A function of t alone: nothing to save.
  RestartSupport restart_support() const override { return RestartSupport::yes(); }

 private:
  const Measure& from_;
  GaussianGeodesic geodesic_;
};

class DynamicOtModel : public Model {
 public:
  void add_metrics(double t, Metrics& metrics) override;
  std::vector<double> output_times() const override;
  // convergence.csv: the splitting's history (iteration, energy, W2² = 2 × energy, residuals, KSP its).
  std::vector<std::pair<std::string, std::string>> extra_text_files() const override;
  // The cross-view comparison over every face, made once with the views as constructed (t = 0). Made
  // at construction rather than at the first output so that a restarted run, whose particles arrive in
  // another local order, computes it from the same state and gets the same bits.
  void compare_views_at_start();
  // The slices' yardstick is this model's cross.w2_*: the Driver's own final solve would be overwritten.
  bool reports_cross_w2() const override;

  DynamicOtEulerian* grid_view = nullptr;
  DynamicOtLagrangian* particle_view = nullptr;
  DynamicOtClosedForm* exact_view = nullptr;
  std::unique_ptr<Measure> from, to;
  PetscInt time_cells = 0;
  // Cross-view W2 per time face in d ≥ 2 (debiased Sinkhorn; deck diagnostics.w2 != none).
  bool sinkhorn_cross = true;
  double cross_eps = 0.0;          // diagnostics.w2_eps (0: the Driver's default per slice)
  long long cross_particles = 10000;  // diagnostics.w2_particles

 private:
  void compare_views(double t);  // fills the per-face vectors below (collective)
  // Per time face: W2 between the views and both kinetic energies, computed once (all faces at once,
  // since the pinned metric is their maximum and is reported from the first output on).
  std::vector<double> cross_w2_, cross_eps_, cross_bias_, cross_grid_kinetic_, cross_particle_kinetic_;
  std::vector<double> cross_marginal_, cross_points_e_, cross_points_l_;
  double cross_seconds_ = 0.0, cross_cpu_seconds_ = 0.0;  // every face's comparison together
};

// Closed form applies to two Gaussians, or two bumps of equal power (one elliptical family).
bool has_closed_form(const MeasureSpec& a, const MeasureSpec& b);

std::unique_ptr<Model> build_dynamic_ot_model(const DynamicOtConfig& config, MPI_Comm comm);

}  // namespace mf::dynamic_ot
