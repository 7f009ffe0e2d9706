#include <memory>

#include "mean_field_views.hpp"
#include "mean_field_eulerian.hpp"
#include "population_risk.hpp"
#include "measureflow/errors.hpp"
#include "measureflow/moments.hpp"

namespace mf::mean_field {

namespace {

bool has_teacher(const MeanFieldConfig& c) {
  return c.data.kind == DataKind::Teacher || c.data.kind == DataKind::Population;
}

class MeanFieldModel : public Model {
 public:
  MeanFieldModel(const MeanFieldConfig& cfg, MPI_Comm comm) : cfg_(cfg) {
    const int D = neuron_dim(cfg);
    if (cfg.initial->dim() != D)
      throw InputError("mean_field: initial has dimension " + std::to_string(cfg.initial->dim()) +
                       "; the neuron space (u, v) has d + bias + d' = " + std::to_string(D));
    if (has_teacher(cfg)) teacher_ = teacher_directions(cfg.data);
    // 1. The risk: the training set (the same on every rank), or the exact population risk.
    std::shared_ptr<RiskModel> risk;
    if (cfg.data.kind == DataKind::Population) {
      risk = std::make_shared<PopulationReluRisk>(comm, teacher_, cfg.data.outputs);
    } else {
      TrainingData data = make_training_data(cfg.data, cfg.bias);
      // 2. The global minimum where known: least squares for the linear network.
      if (cfg.activation == Activation::Linear) risk_min_ = least_squares_risk(data);
      // 3. The closed form: the linear network's moment ODE, from the initial measure's exact moments.
      const auto m0 = cfg.initial->exact_moments();
      if (cfg.activation == Activation::Linear && m0) {
        auto c = std::make_unique<MeanFieldClosedForm>(LinearNetworkClosure(data.Szz, data.Syz, data.trace_Syy), *m0,
                                                       cfg.initial->is_gaussian());
        closed_ = c.get();
        closed_form = std::move(c);
      }
      risk = std::make_shared<NetworkEvaluator>(comm, std::move(data), cfg.activation);
    }
    // A ReLU student of a noiseless ReLU teacher: the minimum is 0 (the teacher itself is a neuron measure).
    if (cfg.activation == Activation::Relu && has_teacher(cfg)) risk_min_ = 0.0;
    // 4. The neuron density on the grid, moved by the same velocity at the cell centres.
    if (cfg.eulerian_enabled) {
      auto e = std::make_unique<MeanFieldEulerian>(cfg.domain, comm, *cfg.initial, risk, cfg.limiter, cfg.cfl);
      euler_ = e.get();
      eulerian = std::move(e);
    }
    // 5. The neurons as particles spread over ranks by id blocks (by the grid's blocks with a grid).
    if (cfg.lagrangian_enabled) {
      ParticleSet neurons = sample_neurons(comm, *cfg.initial, cfg.particles, cfg.seed);
      const Grid* decomposition = euler_ ? &euler_->grid() : nullptr;
      if (decomposition) migrate(neurons, *decomposition);
      auto l = std::make_unique<MeanFieldLagrangian>(risk, std::move(neurons), cfg.integrator, cfg.dt, decomposition);
      lagr_ = l.get();
      lagrangian = std::move(l);
    }
  }

  void add_metrics(double t, Metrics& metrics) override {
    if (risk_min_) metrics["closed_form.risk_min"] = *risk_min_;
    if (closed_) metrics["closed_form.risk"] = closed_->risk(t);
    if (euler_) metrics["eulerian.risk"] = euler_->risk();
    if (lagr_) {
      metrics["lagrangian.risk"] = lagr_->risk();
      if (has_teacher(cfg_)) metrics["lagrangian.teacher_alignment"] = lagr_->teacher_alignment(teacher_);
    }
  }

 private:
  MeanFieldConfig cfg_;
  Matrix teacher_;
  std::optional<double> risk_min_;
  MeanFieldClosedForm* closed_ = nullptr;
  MeanFieldLagrangian* lagr_ = nullptr;
  MeanFieldEulerian* euler_ = nullptr;
};

}  // namespace

std::unique_ptr<Model> build_mean_field_model(const MeanFieldConfig& config, MPI_Comm comm) {
  return std::make_unique<MeanFieldModel>(config, comm);
}

}  // namespace mf::mean_field
