#include <memory>

#include "mean_field_views.hpp"
#include "measureflow/errors.hpp"
#include "measureflow/moments.hpp"

namespace mf::mean_field {

namespace {

class MeanFieldModel : public Model {
 public:
  MeanFieldModel(const MeanFieldConfig& cfg, MPI_Comm comm) : cfg_(cfg) {
    // 1. The training set, the same on every rank.
    TrainingData data = make_training_data(cfg.data, cfg.bias);
    if (cfg.initial->dim() != data.d_in + data.d_out)
      throw InputError("mean_field: initial has dimension " + std::to_string(cfg.initial->dim()) +
                       "; the neuron space (u, v) has d + bias + d' = " + std::to_string(data.d_in + data.d_out));
    teacher_ = data.teacher_directions;
    // 2. The global minimum where known: least squares for the linear network; 0 for a ReLU student of a
    //    ReLU teacher without noise (the teacher itself is a neuron measure).
    if (cfg.activation == Activation::Linear) risk_min_ = least_squares_risk(data);
    if (cfg.activation == Activation::Relu && cfg.data.kind == DataKind::Teacher) risk_min_ = 0.0;
    // 3. The closed form: the linear network's moment ODE, from the initial measure's exact moments.
    const auto m0 = cfg.initial->exact_moments();
    if (cfg.activation == Activation::Linear && m0) {
      auto c = std::make_unique<MeanFieldClosedForm>(LinearNetworkClosure(data.Szz, data.Syz, data.trace_Syy), *m0,
                                                     cfg.initial->is_gaussian());
      closed_ = c.get();
      closed_form = std::move(c);
    }
    // 4. The neurons as particles spread over ranks by id blocks.
    if (cfg.lagrangian_enabled) {
      ParticleSet neurons = sample_neurons(comm, *cfg.initial, cfg.particles, cfg.seed);
      auto l = std::make_unique<MeanFieldLagrangian>(NetworkEvaluator(comm, std::move(data), cfg.activation),
                                                     std::move(neurons), cfg.integrator, cfg.dt);
      lagr_ = l.get();
      lagrangian = std::move(l);
    }
  }

  void add_metrics(double t, Metrics& metrics) override {
    if (risk_min_) metrics["closed_form.risk_min"] = *risk_min_;
    if (closed_) metrics["closed_form.risk"] = closed_->risk(t);
    if (lagr_) {
      metrics["lagrangian.risk"] = lagr_->risk();
      if (cfg_.data.kind == DataKind::Teacher) metrics["lagrangian.teacher_alignment"] = lagr_->teacher_alignment(teacher_);
    }
  }

 private:
  MeanFieldConfig cfg_;
  Matrix teacher_;
  std::optional<double> risk_min_;
  MeanFieldClosedForm* closed_ = nullptr;
  MeanFieldLagrangian* lagr_ = nullptr;
};

}  // namespace

std::unique_ptr<Model> build_mean_field_model(const MeanFieldConfig& config, MPI_Comm comm) {
  return std::make_unique<MeanFieldModel>(config, comm);
}

}  // namespace mf::mean_field
