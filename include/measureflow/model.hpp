// What a model gives the Driver: up to three views of one evolving measure (grid, particles, closed
// form) plus any model-specific metrics. The Driver, Diagnostics and Writer are shared by all models.
#pragma once
#include <petscvec.h>

#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "measureflow/grid.hpp"
#include "measureflow/moments.hpp"
#include "measureflow/particles.hpp"
#include "measureflow/view_state.hpp"

namespace mf {

class Deck;
class Schema;
using Metrics = std::map<std::string, double>;

// The density on a distributed grid.
class EulerianView : public RestartableView {
 public:
  virtual ~EulerianView() = default;
  virtual const Grid& grid() const = 0;
  virtual Vec density() const = 0;
  // Largest step the scheme accepts at time t (the Driver takes the minimum over views).
  virtual double stable_dt(double t) { return std::numeric_limits<double>::infinity(); }
  // Advance from t to t + dt (sub-stepping inside if dt exceeds the stable step).
  virtual void advance(double t, double dt) = 0;
  // Further cell fields written beside `density` (e.g. velocity components).
  virtual std::vector<std::pair<std::string, Vec>> extra_fields() { return {}; }
};

// Weighted particles.
class LagrangianView : public RestartableView {
 public:
  virtual ~LagrangianView() = default;
  virtual const ParticleSet& particles() const = 0;
  // For restart from a checkpoint: the particle set the Driver overwrites.
  virtual ParticleSet& mutable_particles() = 0;
  // The grid whose domain decomposition decides which rank owns a particle; nullptr for particle
  // sets spread over ranks by id blocks (no grid).
  virtual const Grid* decomposition() const = 0;
  virtual double stable_dt(double t) { return std::numeric_limits<double>::infinity(); }
  virtual void advance(double t, double dt) = 0;
  // Further per-particle arrays written beside the positions in particles.h5 (e.g. a transport map's
  // displacement): `columns` values per local particle, in the particle set's local order. 3 columns are a
  // vector in the XDMF (ParaView glyphs), 1 a scalar.
  struct ParticleArray {
    std::string name;
    int columns = 1;
    std::vector<double> values;
  };
  virtual std::vector<ParticleArray> extra_arrays() const { return {}; }
};

// The exact answer, where one is known.
class ClosedFormView : public RestartableView {
 public:
  virtual ~ClosedFormView() = default;
  virtual std::optional<Moments> moments(double t) const = 0;
  // Cell averages of the exact density at time t into a global vector of `grid`; false if unknown.
  virtual bool cell_averages(double t, const Grid& grid, Vec out) const { return false; }
  // Exact moments of the particles' own initial empirical measure carried by the exact flow: measures
  // the time integrator alone, without sampling error. nullopt where no exact flow map is known.
  virtual std::optional<Moments> push_forward(double t, const Moments& initial) const { return std::nullopt; }
  // True when the exact α_t is a Gaussian (then W2 to a view's Gaussian fit is the Bures formula).
  virtual bool is_gaussian(double t) const { return false; }
};

// Restart: checkpoint.h5 holds the views' densities/particles and what each view's save_state writes
// (view_state.hpp); nothing of the Model itself. State a model accumulates over a run (e.g. a metric's
// trajectory) belongs in a view, or it is lost on restart.
class Model {
 public:
  virtual ~Model() = default;
  std::unique_ptr<EulerianView> eulerian;
  std::unique_ptr<LagrangianView> lagrangian;
  std::unique_ptr<ClosedFormView> closed_form;
  // Model-specific metrics at an output time (added to the generic ones; dotted names).
  virtual void add_metrics(double t, Metrics& metrics) {}
  // True when add_metrics writes the cross-view yardstick itself (cross.w2_eulerian_lagrangian with its
  // ε, bias estimate, marginal error, points and cost; e.g. dynamic OT's largest slice W2, the exact 1D
  // quantile W2): the Driver then skips its own solve, whose value the model would overwrite.
  virtual bool reports_cross_w2() const { return false; }
  // A fixed output time grid for models that are not time evolutions (empty: use output.every).
  virtual std::vector<double> output_times() const { return {}; }
  // Small text files the model publishes in output.dir beside the standard ones (file name → contents),
  // e.g. an iterative solver's convergence history. The Driver writes them atomically on rank 0 at every
  // publication; the contents must be the same on every rank.
  virtual std::vector<std::pair<std::string, std::string>> extra_text_files() const { return {}; }
};

using ModelFactory = std::function<std::unique_ptr<Model>(const Deck& deck, MPI_Comm comm)>;

// Registers a model's schema (for validation and `measureflow help`) and its factory.
void register_model(const std::string& name, const std::string& one_line_doc,
                    std::function<void(Schema&)> declare_keys, ModelFactory factory);
ModelFactory model_factory(const std::string& name);
// Registers every model the executable ships (explicit, so no static-initialisation order issues).
void register_all_models();

}  // namespace mf
