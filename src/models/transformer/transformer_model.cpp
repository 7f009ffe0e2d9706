#include <cmath>
#include <limits>
#include <optional>
#include <stdexcept>

#include "measureflow/errors.hpp"
#include "measureflow/measures.hpp"
#include "transformer_views.hpp"

namespace mf::transformer {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

class TransformerModel : public Model {
 public:
  TransformerModel(const TransformerConfig& cfg, MPI_Comm comm) : cfg_(cfg), comm_(comm) {
    const AttentionOptions opt{cfg.variant, cfg.beta, cfg.sinkhorn_iterations};
    measure_ = make_measure(cfg.initial);

    if (cfg.eulerian_enabled) {
      auto e = std::make_unique<TransformerEulerian>(cfg.domain, comm, *measure_, cfg.layers, opt,
                                                     cfg.limiter, cfg.cfl);
      euler_ = e.get();
      eulerian = std::move(e);
    }
    if (cfg.lagrangian_enabled) {
      const auto exact = measure_->exact_moments();
      if (cfg.moment_match && !exact) throw InputError("transformer: lagrangian.moment_match needs an initial with known moments");
      ParticleSet tokens = sample_tokens(comm, *measure_, cfg.particles, cfg.seed, cfg.moment_match ? &*exact : nullptr);
      if (cfg.variant == Variant::Sphere) project_to_sphere(tokens);
      const Grid* decomposition = euler_ ? &euler_->grid() : nullptr;
      if (decomposition) migrate(tokens, *decomposition);
      auto l = std::make_unique<TransformerLagrangian>(comm, std::move(tokens), cfg.layers, opt,
                                                       cfg.integrator, cfg.dt, decomposition);
      lagr_ = l.get();
      lagrangian = std::move(l);
    }
    if (cfg.variant == Variant::Softmax && measure_->is_gaussian()) {
      const auto m0 = measure_->exact_moments();
      auto c = std::make_unique<TransformerClosedForm>(cfg.layers, GaussianState{m0->mean, m0->cov});
      closed_ = c.get();
      closed_form = std::move(c);
    }
  }

  void add_metrics(double t, Metrics& metrics) override {
    if (closed_) {
      if (!closed_blowup_) closed_blowup_ = closed_->blowup_time(std::max(cfg_.t_end, 1.0) * 10.0);
      if (std::isfinite(*closed_blowup_)) metrics["closed_form.blowup_time"] = *closed_blowup_;
    }
    if (lagr_) {
      const Moments m = compute_moments(comm_, lagr_->particles().as_points());
      lagr_->trajectory().record(t, m.cov);
      const double tb = trajectory_blowup(lagr_->trajectory());
      if (std::isfinite(tb)) metrics["lagrangian.blowup_time"] = tb;
      metrics["lagrangian.clusters"] = static_cast<double>(count_clusters(comm_, lagr_->particles(), cfg_.cluster_radius));
      metrics["lagrangian.attention_entropy"] = lagr_->attention_entropy(t);
      if (cfg_.variant == Variant::Sphere) metrics["lagrangian.mean_inner_product"] = lagr_->mean_pairwise_inner_product();
    }
    if (euler_) {
      const Moments m = grid_moments(euler_->grid(), euler_->density());
      euler_->trajectory().record(t, m.cov);
      const double tb = trajectory_blowup(euler_->trajectory());
      if (std::isfinite(tb)) metrics["eulerian.blowup_time"] = tb;
    }
  }

 private:
  static void project_to_sphere(ParticleSet& p) {
    for (std::size_t i = 0; i < p.size(); ++i) {
      double r = 0.0;
      for (int a = 0; a < p.dim(); ++a) r += p.positions(i, a) * p.positions(i, a);
      r = std::sqrt(r);
      if (r == 0.0) throw SolverError("transformer: a token at the origin cannot be projected on the sphere");
      for (int a = 0; a < p.dim(); ++a) p.positions(i, a) /= r;
    }
  }
  // The affine fit of Σ⁻¹ only holds while the view still resembles the Gaussian: use the samples up to
  // tr Σ = 4 tr Σ0 (at least three).
  static double trajectory_blowup(const CovarianceTrajectory& trajectory) {
    const std::vector<double>& ts = trajectory.times;
    const std::vector<Matrix>& covs = trajectory.covs;
    std::vector<double> t;
    std::vector<Matrix> c;
    for (size_t k = 0; k < ts.size() && trace(covs[k]) <= 4.0 * trace(covs[0]); ++k) {
      t.push_back(ts[k]);
      c.push_back(covs[k]);
    }
    return t.size() >= 3 ? blowup_time_from_trajectory(t, c) : kInf;
  }

  TransformerConfig cfg_;
  MPI_Comm comm_;
  std::unique_ptr<Measure> measure_;
  TransformerEulerian* euler_ = nullptr;
  TransformerLagrangian* lagr_ = nullptr;
  TransformerClosedForm* closed_ = nullptr;
  std::optional<double> closed_blowup_;  // searched up to 10 max(time.end, 1) once (a function of the deck)
};

}  // namespace

std::unique_ptr<Model> build_transformer_model(const TransformerConfig& config, MPI_Comm comm) {
  return std::make_unique<TransformerModel>(config, comm);
}

}  // namespace mf::transformer
