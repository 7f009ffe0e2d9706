// The flow-matching model (`model: flow_matching`), survey §3. Reads as the steps of a run:
//   1. the endpoints: α0 = N(m0, Σ0) and the target α1 (Gaussian, mixture, data set, file)
//   2. the exact field of the independent coupling, and the field the run follows (exact | score | learned)
//   3. Eulerian view: α0's cell averages carried by that field with finite volumes (d ≤ 3, α1 with a density)
//   4. Lagrangian view: samples of α0 through the sampling ODE (time.steps of euler | heun | rk4)
//   5. closed form: the moments (and mixture density) of α_t; metrics against α1 and the exact field
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "flow_matching_views.hpp"
#include "measureflow/cloud_sampling.hpp"
#include "measureflow/errors.hpp"
#include "measureflow/ot/sinkhorn.hpp"
#include "measureflow/ot/sinkhorn_divergence.hpp"
#include "score_field.hpp"

namespace mf::flow_matching {

namespace {

// Pairs and quadrature nodes of field.l2_error: MC error ≈ 1/√pairs relative, far below the errors it ranks.
constexpr long long kL2Pairs = 4000;
constexpr int kL2Nodes = 8;

bool at_end(double t) { return t >= 1.0 - 1e-12; }

class FlowMatchingModel : public Model {
 public:
  FlowMatchingModel(const FlowMatchingConfig& cfg, MPI_Comm comm) : cfg_(cfg), comm_(comm) {
    const int d = cfg.dim;
    // 1. Endpoints.
    source_ = gaussian_source(cfg.initial);
    target_ = std::make_unique<TargetSampler>(cfg.target, d);
    if (cfg.eulerian_enabled) {
      if (d < 1 || d > 3)
        throw InputError("flow_matching: eulerian.enabled needs domain.dim 1, 2 or 3 (got " + std::to_string(d) + ")");
      if (cfg.target.is_point_set())
        throw InputError("flow_matching: eulerian.enabled: true needs a target with a density (gaussian or mixture); "
                         "set eulerian.enabled: false for a point-set target");
    }
    // 2. Fields.
    exact_ = make_exact_field(comm, cfg);
    switch (cfg.field) {
      case FieldType::Exact:
        field_ = exact_.get();
        break;
      case FieldType::Score:
        score_ = std::make_unique<ScoreField>(*exact_);
        field_ = score_.get();
        break;
      case FieldType::Learned:
        learned_ = std::make_unique<WrappedField>(make_learned_field(comm, cfg, *target_, &training_));
        field_ = learned_.get();
        break;
    }
    if (cfg.field != FieldType::Exact)
      field_l2_ = field_l2_error(comm, *field_, *exact_, source_, *target_, kL2Pairs, kL2Nodes, cfg.seed + 101);
    // 3. Grid view.
    if (cfg.eulerian_enabled) {
      const auto alpha0 = make_measure(cfg.initial);
      auto e = std::make_unique<FlowMatchingEulerian>(cfg.domain, comm, *alpha0, *field_, parse_limiter(cfg.limiter), cfg.cfl);
      grid_ = &e->grid();
      eulerian = std::move(e);
    }
    // 4. Samples.
    if (cfg.lagrangian_enabled) {
      auto l = std::make_unique<FlowMatchingLagrangian>(comm, sample_source(comm, source_, cfg.particles, cfg.seed), *field_,
                                                        cfg.integrator, cfg.steps, grid_);
      lagr_ = l.get();
      lagrangian = std::move(l);
    }
    // 5. Closed form. A minibatch-OT coupling changes the path between the endpoints.
    const bool endpoints_only = cfg.field == FieldType::Learned && cfg.coupling == Coupling::MinibatchOt;
    closed_form = std::make_unique<FlowMatchingClosedForm>(source_, cfg.target, target_->moments(), endpoints_only);
    if (cfg.target.kind == TargetKind::Gaussian)
      kinetic_energy_ = gaussian_path_kinetic_energy(source_, cfg.target.measure.mean, cfg.target.measure.cov);
  }

  std::vector<double> output_times() const override {
    // Multiples of output.every snapped to the step grid k/steps, so the samples land on their steps.
    std::vector<double> times{0.0};
    const double every = cfg_.output_every > 0.0 ? cfg_.output_every : 1.0;
    for (long long k = 1;; ++k) {
      const double t = std::round(k * every * cfg_.steps) / cfg_.steps;
      if (t >= 1.0 - 1e-12) break;
      if (t > times.back()) times.push_back(t);
    }
    times.push_back(1.0);
    return times;
  }

  void add_metrics(double t, Metrics& m) override {
    if (kinetic_energy_) m["closed_form.kinetic_energy"] = *kinetic_energy_;
    // One Euler step of the exact field sends every sample to E[X1]: W2² = tr Cov(α1).
    m["closed_form.one_step_w2"] = std::sqrt(trace(target_->moments().cov));
    if (field_l2_) m["field.l2_error"] = *field_l2_;
    for (const auto& [name, value] : training_) m["field." + name] = value;
    if (!lagr_) return;
    m["lagrangian.nfe"] = static_cast<double>(lagr_->nfe());
    if (!at_end(t)) return;
    const double energy = lagr_->kinetic_energy();
    if (std::isfinite(energy)) m["lagrangian.kinetic_energy"] = energy;
    const auto [w2, eps] = w2_to_target();
    m["lagrangian.w2_target"] = w2;
    m["lagrangian.w2_target_eps"] = eps;
    if (const auto* data = point_set_data()) m["lagrangian.nearest_data_distance"] = nearest_data_distance(comm_, lagr_->particles(), *data);
  }

 private:
  const DataBlock* point_set_data() const {
    const auto* ps = dynamic_cast<const PointSetField*>(exact_.get());
    return ps ? &ps->data() : nullptr;
  }

  // Debiased Sinkhorn W2 between (a stride subsample of) the samples and an independent sample of α1
  // (a held-out sample for a data set), both diagnostics.w2_points large.
  std::pair<double, double> w2_to_target() const {
    int rank = 0, size = 1;
    MPI_Comm_rank(comm_, &rank);
    MPI_Comm_size(comm_, &size);
    const int d = cfg_.dim;
    const WeightedPoints samples = particle_subsample(lagr_->particles(), comm_, cfg_.w2_points);
    const IdRange r = id_block(cfg_.w2_points, rank, size);
    WeightedPoints ref{d, PointsView("mf::flow_matching::reference", r.count, d), WeightsView("mf::flow_matching::reference_w", r.count)};
    auto hx = Kokkos::create_mirror_view(ref.positions);
    auto hw = Kokkos::create_mirror_view(ref.weights);
    for (std::int64_t i = 0; i < r.count; ++i) {
      target_->held_out(cfg_.seed + 7919, r.first + i, &hx(i, 0));
      hw(i) = 1.0 / static_cast<double>(cfg_.w2_points);
    }
    Kokkos::deep_copy(ref.positions, hx);
    Kokkos::deep_copy(ref.weights, hw);
    ot::SinkhornOptions opt;
    // Default ε: 1 % of α1's mean variance per axis (eight Gaussians: half a component's variance), small
    // enough to see the structure of α1, large enough that annealing ends in seconds.
    opt.eps = cfg_.w2_eps > 0.0 ? cfg_.w2_eps : 1e-2 * trace(target_->moments().cov) / d;
    opt.tol = 1e-4;
    opt.max_iterations = 5000;
    const double div = ot::sinkhorn_divergence(comm_, samples, ref, opt);
    return {std::sqrt(std::max(div, 0.0)), opt.eps};
  }

  FlowMatchingConfig cfg_;
  MPI_Comm comm_;
  GaussianSource source_;
  std::unique_ptr<TargetSampler> target_;
  std::unique_ptr<ExactField> exact_;
  std::unique_ptr<ScoreField> score_;
  std::unique_ptr<WrappedField> learned_;
  const FlowField* field_ = nullptr;
  const Grid* grid_ = nullptr;
  FlowMatchingLagrangian* lagr_ = nullptr;
  std::optional<double> field_l2_, kinetic_energy_;
  Metrics training_;  // the learned field's training report (training_loss, training_seconds, ...)
};

}  // namespace

std::unique_ptr<Model> build_flow_matching_model(const FlowMatchingConfig& config, MPI_Comm comm) {
  return std::make_unique<FlowMatchingModel>(config, comm);
}

}  // namespace mf::flow_matching
