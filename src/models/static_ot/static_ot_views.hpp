// The static_ot model seen three ways: the grid's cells as a weighted cloud (Eulerian), samples of both
// measures (Lagrangian), each solved by log-domain Sinkhorn at the same ε, and the Gaussian closed forms
// (Bures W2², entropic OT cost, Sinkhorn divergence). Nothing evolves: the views show α (the source)
// with the transport solution beside it, at the single output time t = 0.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "measureflow/model.hpp"
#include "static_ot_config.hpp"
#include "static_ot_solve.hpp"

namespace mf::static_ot {

// Both densities as cell averages on the DMDA; each rank's owned cells are its block of both clouds
// (centre × cell mass), solved at construction (collective).
class StaticOtEulerian : public EulerianView {
 public:
  StaticOtEulerian(const StaticOtConfig& config, std::shared_ptr<const Grid> grid, const StaticSolveOptions& opt);
  const Grid& grid() const override { return *grid_; }
  Vec density() const override { return alpha_; }
  void advance(double, double) override {}  // a static problem: the solution is made at construction
  // target_density (β), potential_f (on α's cells), potential_g (on β's cells), map_x/_y/_z = T(x) − x.
  std::vector<std::pair<std::string, Vec>> extra_fields() override;
  // Solved again at construction, deterministically: nothing to restore.
  RestartSupport restart_support() const override { return RestartSupport::yes(); }
  const StaticSolution& solution() const { return solution_; }

 private:
  std::shared_ptr<const Grid> grid_;
  VecHandle alpha_, beta_, f_, g_;
  std::vector<VecHandle> displacement_;
  StaticSolution solution_;
};

// `particles` samples of α (the particle set, on the grid's decomposition) and as many of β, coupled by
// Sinkhorn at construction (collective); the set is the same on any rank count.
class StaticOtLagrangian : public LagrangianView {
 public:
  StaticOtLagrangian(const StaticOtConfig& config, std::shared_ptr<const Grid> decomposition,
                     const StaticSolveOptions& opt);
  const ParticleSet& particles() const override { return source_; }
  ParticleSet& mutable_particles() override { return source_; }
  const Grid* decomposition() const override { return grid_.get(); }
  void advance(double, double) override {}
  RestartSupport restart_support() const override { return RestartSupport::yes(); }
  // particles.h5 beside each α sample: `map` = T(x) − x (3 columns, zero-padded: a vector ParaView glyphs)
  // and `potential_f`.
  std::vector<ParticleArray> extra_arrays() const override { return arrays_; }
  const StaticSolution& solution() const { return solution_; }
  const ParticleSet& target_samples() const { return target_; }

 private:
  std::shared_ptr<const Grid> grid_;
  ParticleSet source_, target_;
  StaticSolution solution_;
  std::vector<ParticleArray> arrays_;
};

// The Gaussian references at the views' ε, when α and β are both Gaussian.
struct GaussianReference {
  double w2sq = 0.0;            // |m_α − m_β|² + Bures²(Σ_α, Σ_β)
  double entropic_cost = 0.0;   // OT_ε between the Gaussians (Janati et al. 2020)
  double divergence = 0.0;      // S_ε between the Gaussians
};
std::optional<GaussianReference> gaussian_reference(const Measure& alpha, const Measure& beta, double eps);

// The views show α: its exact moments at every t.
class StaticOtClosedForm : public ClosedFormView {
 public:
  StaticOtClosedForm(Moments alpha, GaussianReference reference) : alpha_(std::move(alpha)), reference_(reference) {}
  std::optional<Moments> moments(double) const override { return alpha_; }
  bool is_gaussian(double) const override { return true; }
  RestartSupport restart_support() const override { return RestartSupport::yes(); }
  const GaussianReference& reference() const { return reference_; }

 private:
  Moments alpha_;
  GaussianReference reference_;
};

class StaticOtModel : public Model {
 public:
  void add_metrics(double t, Metrics& metrics) override;
  // Not a time evolution: one output, at t = 0.
  std::vector<double> output_times() const override { return {0.0}; }

  StaticOtEulerian* grid_view = nullptr;
  StaticOtLagrangian* particle_view = nullptr;
  StaticOtClosedForm* exact_view = nullptr;
  double eps = 0.0;
};

std::unique_ptr<Model> build_static_ot_model(const StaticOtConfig& config, MPI_Comm comm);

}  // namespace mf::static_ot
