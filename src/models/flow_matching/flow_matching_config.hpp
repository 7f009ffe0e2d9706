// Plain configuration of the flow-matching model (survey §3): one field per deck key, pinned key names
// in the comments. The deck layer fills it; the factory and the tests read it.
#pragma once
#include <cstdint>
#include <string>

#include "measureflow/grid.hpp"
#include "measureflow/measures.hpp"

namespace mf::flow_matching {

// target.type: gaussian | mixture (densities, exact field in closed form), dataset | file (point sets:
// the exact field is a softmax over the points).
enum class TargetKind { Gaussian, Mixture, Dataset, File };
// target.name of a generated data set (2D; generated with the counter RNG, the same on any rank count).
enum class DatasetName { EightGaussians, Moons, Checkerboard, Rings };
DatasetName parse_dataset_name(const std::string& s);  // "eight_gaussians" | "moons" | "checkerboard" | "rings"
std::string to_string(DatasetName n);

struct TargetSpec {
  TargetKind kind = TargetKind::Gaussian;  // target.type
  MeasureSpec measure;                     // gaussian: mean, cov; mixture: components
  DatasetName name = DatasetName::EightGaussians;  // target.name (dataset)
  long long samples = 10000;               // target.samples (dataset)
  std::uint64_t seed = 7;                  // target.seed (dataset)
  std::string path;                        // target.path (file; resolved against the deck's folder)
  int snapshot = -1;                       // target.snapshot (file)
  bool is_point_set() const { return kind == TargetKind::Dataset || kind == TargetKind::File; }
};

enum class FieldType { Exact, Score, Learned };  // field.type
FieldType parse_field_type(const std::string& s);
std::string to_string(FieldType f);

// field.basis and field.training (the learned field; trained by mf::fields::train_learned_field).
struct LearnedSpec {
  std::string basis = "affine";     // field.basis.type: affine | random_features | mlp
  int size = 64;                    // field.basis.size (features or hidden width)
  long long pairs = 10000;          // field.training.pairs (per epoch)
  int epochs = 1;                   // field.training.epochs
  int batch = 256;                  // field.training.batch
  double learning_rate = 1e-3;      // field.training.learning_rate
  std::uint64_t seed = 1;           // field.training.seed
};

enum class Coupling { Independent, MinibatchOt };  // coupling
Coupling parse_coupling(const std::string& s);

enum class Integrator { Euler, Heun, Rk4 };  // time.integrator
Integrator parse_fm_integrator(const std::string& s);
std::string to_string(Integrator i);
int stages(Integrator i);  // field evaluations per step: 1, 2, 4

struct FlowMatchingConfig {
  int dim = 2;             // domain.dim
  GridSpec domain;         // domain.{lower, upper, cells, boundary} (the grid view only)
  MeasureSpec initial;     // initial: α0, a Gaussian N(m0, Σ0)
  TargetSpec target;       // target: α1

  FieldType field = FieldType::Exact;  // field.type
  LearnedSpec learned;                 // field.basis, field.training
  Coupling coupling = Coupling::Independent;  // coupling
  int coupling_batch = 256;                   // coupling_batch
  double coupling_eps = 0.0;                  // coupling_eps (0: exact OT on each batch where the solver allows)

  int steps = 16;                         // time.steps (sampling ODE from t = 0 to 1)
  Integrator integrator = Integrator::Rk4;  // time.integrator
  double cfl = 0.4;                       // time.cfl (the grid view's own sub-steps)
  double output_every = 0.25;             // output.every, snapped to the step grid

  bool eulerian_enabled = true;   // eulerian.enabled
  std::string limiter = "mc";     // eulerian.limiter
  bool lagrangian_enabled = true; // lagrangian.enabled
  long long particles = 10000;    // lagrangian.particles
  std::uint64_t seed = 42;        // lagrangian.seed

  long long w2_points = 1000;  // diagnostics.w2_points (samples entering lagrangian.w2_target)
  double w2_eps = 0.0;         // diagnostics.w2_eps (0: 1e-2 tr Cov(α1) / d)
};

}  // namespace mf::flow_matching
