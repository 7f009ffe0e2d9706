// Plain configuration of the mean_field model (survey §6): one field per deck key (pinned key names in
// comments). The deck layer fills it; tests build it directly.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "measureflow/fv_advection.hpp"
#include "measureflow/grid.hpp"
#include "measureflow/measures.hpp"
#include "measureflow/particle_integrator.hpp"
#include "measureflow/small_matrix.hpp"

namespace mf::mean_field {

enum class Activation { Relu, Linear, Tanh };
Activation parse_activation(const std::string& s);  // "relu" | "linear" | "tanh"
std::string to_string(Activation a);

enum class DataKind { Linear, Teacher, Population, File };
enum class TeacherInputs { Gaussian, Sphere };

// `data:` — the training set (z_k, y_k), k < N, drawn once from the counter-based stream `seed`, so every
// rank holds the same set whatever the rank count.
struct DataSpec {
  DataKind kind = DataKind::Linear;  // data.type: linear | teacher | population (the teacher with N = ∞) | file
  int dim = 1;                       // data.dim (d)
  int outputs = 1;                   // data.outputs (d')
  long long samples = 1000;          // data.samples (N)
  std::uint64_t seed = 1;            // data.seed
  // linear: z ~ N(0, S), y = W z + noise·ξ, ξ ~ N(0, I_d')
  Matrix input_cov;                  // data.input_cov (d × d, row-major in the deck)
  Matrix weights;                    // data.weights (d' × d, row-major in the deck)
  double noise = 0.0;                // data.noise
  // teacher: y = Σ_j σ_relu(⟨w_j, z⟩) · 1_{d'}, unit directions w_j drawn from the seed
  int teacher_neurons = 3;                        // data.neurons
  TeacherInputs inputs = TeacherInputs::Gaussian;  // data.inputs: z ~ N(0, I_d) | uniform on the unit sphere
  // file: HDF5 datasets `inputs` (N × d) and `outputs` (N × d'), every rank reads the whole file
  std::string path;                               // data.path (resolved against the deck's folder)
};

struct MeanFieldConfig {
  Activation activation = Activation::Relu;  // network.activation
  bool bias = false;                         // network.bias: the input gains a constant 1 coordinate
  DataSpec data;                             // data.*
  std::shared_ptr<const Measure> initial;    // initial: the neuron measure on (u, v), dim d (+1) + d'
  double t_end = 1.0;                        // time.end (gradient-flow time)
  double dt = 0.01;                          // time.dt (the step of gradient descent / RK4)
  bool eulerian_enabled = false;             // eulerian.enabled (neuron spaces of dimension ≤ 3)
  GridSpec domain;                           // domain.{dim, lower, upper, cells, boundary} (with a grid)
  Limiter limiter = Limiter::MC;             // eulerian.limiter: minmod | mc
  double cfl = 0.4;                          // time.cfl (the grid's transport step)
  bool lagrangian_enabled = true;            // lagrangian.enabled
  long long particles = 1000;                // lagrangian.particles (neurons n)
  ParticleIntegrator integrator = ParticleIntegrator::RK4;  // lagrangian.integrator: rk4 | euler
  std::uint64_t seed = 42;                   // lagrangian.seed
};

// The dimension of the neuron space: d + bias + d'.
inline int neuron_dim(const MeanFieldConfig& c) { return c.data.dim + (c.bias ? 1 : 0) + c.data.outputs; }

}  // namespace mf::mean_field
