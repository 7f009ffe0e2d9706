// Deck keys of the mean_field model (beside the core keys), the deck → MeanFieldConfig mapping, and the
// model's registration.
//   network: {activation: relu | linear | tanh, bias}
//   data: {type: linear (input_cov, weights, noise) | teacher (neurons, inputs), dim, outputs, samples, seed}
//   time: {end, dt};  lagrangian.integrator
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <string>

#include "mean_field_views.hpp"
#include "measureflow/deck.hpp"
#include "measureflow/errors.hpp"
#include "measureflow/model.hpp"
#include "measureflow/schema.hpp"
#include "measureflow/setup_from_deck.hpp"
#include "models/model_list.hpp"

namespace mf::mean_field {

namespace {

// A number from a node already type-checked by the schema (nothing if it is not one).
bool read_number(const YAML::Node& n, double& out) { return n.IsDefined() && n.IsScalar() && YAML::convert<double>::decode(n, out); }

std::string text_of(const YAML::Node& n) {
  YAML::Emitter e;
  e << YAML::Flow << n;
  return e.c_str();
}

// A d_rows × d_cols matrix written row by row as one flat list (the deck's matrix kind is square only).
Matrix flat_matrix(const std::vector<double>& v, int rows, int cols) {
  Matrix m(rows, cols);
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < cols; ++j) m(i, j) = v[static_cast<size_t>(i) * cols + j];
  return m;
}

void declare_data_common(Schema& s) {
  s.integer("dim", Required, "d: the input dimension").min(1);
  s.integer("outputs", 1LL, "d': the output dimension").min(1);
  s.integer("samples", 1000LL, "N: the number of training pairs (every rank holds them all)").min(1);
  s.integer("seed", 1LL, "seed of the data stream (inputs, noise, teacher directions)").min(0);
}

void check_linear_data(const YAML::Node& sec, Errors& e) {
  double d = 0, dout = 0;
  if (!read_number(sec["dim"], d) || !read_number(sec["outputs"], dout)) return;
  const YAML::Node W = sec["weights"], S = sec["input_cov"];
  if (W.IsSequence() && static_cast<double>(W.size()) != d * dout)
    e.add("weights", text_of(W) + " has " + std::to_string(W.size()) + " entries; allowed: outputs × dim = " +
                         std::to_string(static_cast<long long>(dout * d)) + " numbers, the d' × d matrix W row by row",
          W);
  if (S.IsDefined() && S.IsSequence()) {
    if (static_cast<double>(S.size()) != d * d) {
      e.add("input_cov", text_of(S) + " has " + std::to_string(S.size()) + " entries; allowed: dim² = " +
                             std::to_string(static_cast<long long>(d * d)) + " numbers, the d × d covariance row by row",
            S);
      return;
    }
    std::vector<double> v;
    for (const auto& x : S) {
      double a = 0;
      if (!read_number(x, a)) return;
      v.push_back(a);
    }
    const int n = static_cast<int>(d);
    if (!is_spd(flat_matrix(v, n, n)))
      e.add("input_cov", text_of(S) + " is not a symmetric positive definite d × d matrix (row by row)", S);
  }
}

void declare_mean_field_keys(Schema& s) {
  declare_time_end(s);
  s.section("time").real("dt", Required, "step of gradient descent (euler) or of RK4 (output times on multiples of it keep "
                                         "euler exactly gradient descent)").positive();
  declare_particle_integrator(s);
  declare_eulerian_switch(s);
  declare_limiter(s);
  s.section("time").real("cfl", 0.4, "CFL number of the grid view's transport").greater_than(0.0).max(1.0);

  Schema& network = s.section("network", "the two-layer network g(z) = ∫ v σ(⟨z, u⟩) dα(u, v) (survey eq. 21)");
  network.enumeration("activation", {"relu", "linear", "tanh"}, "relu", "σ");
  network.flag("bias", false, "append a constant 1 to the input (u gains one coordinate, after the d inputs)");

  VariantRef data = s.variant("data", Required, "the training pairs (z_k, y_k)");
  Schema& linear = data.option("linear", "z ~ N(0, input_cov), y = W z + noise·ξ, ξ ~ N(0, I)");
  declare_data_common(linear);
  linear.vector("input_cov", Optional, "S: the d × d input covariance row by row (default: identity)").length(-1);
  linear.vector("weights", Required, "W: the d' × d matrix row by row").length(-1);
  linear.real("noise", 0.0, "standard deviation of the label noise").non_negative();
  linear.cross_check(check_linear_data);
  Schema& teacher = data.option("teacher", "y = Σ_j relu(⟨w_j, z⟩) on every output, unit directions w_j drawn from seed");
  declare_data_common(teacher);
  teacher.integer("neurons", 3LL, "m: the teacher's neurons").min(1);
  teacher.enumeration("inputs", {"gaussian", "sphere"}, "gaussian", "z ~ N(0, I_d) or uniform on the unit sphere");
  Schema& population = data.option("population", "the teacher with N = ∞ and z ~ N(0, I_d): the exact risk by the "
                                                  "arc-cosine kernel (relu, no bias)");
  population.integer("dim", Required, "d: the input dimension").min(1);
  population.integer("outputs", 1LL, "d': the output dimension").min(1);
  population.integer("seed", 1LL, "seed of the teacher directions").min(0);
  population.integer("neurons", 3LL, "m: the teacher's neurons").min(1);
  Schema& file = data.option("file", "HDF5 datasets `inputs` (N × dim) and `outputs` (N × outputs)");
  file.string("path", Required, "HDF5 file, relative to the deck's folder").hdf5_file();
  file.integer("dim", Required, "d: the columns of `inputs`").min(1);
  file.integer("outputs", 1LL, "d': the columns of `outputs`").min(1);

  // The neuron space is (u, v): domain.dim must be d + bias + d'.
  s.cross_check([](const YAML::Node& root, Errors& e) {
    const YAML::Node type = root["data"]["type"], act = root["network"]["activation"], bias = root["network"]["bias"];
    if (type.IsDefined() && type.IsScalar() && type.as<std::string>() == "population") {
      if (act.IsScalar() && act.as<std::string>() != "relu")
        e.add("network.activation", "'" + act.as<std::string>() + "' has no closed-form population risk; allowed with "
              "data.type population: relu (or data.type linear | teacher for any activation)", act);
      if (bias.IsScalar() && bias.as<std::string>() == "true")
        e.add("network.bias", "true makes the inputs non-Gaussian (a constant coordinate); allowed with data.type "
              "population: false", bias);
    }
    double D = 0, d = 0, dout = 0;
    const YAML::Node data = root["data"];
    if (!data.IsMap() || !read_number(root["domain"]["dim"], D) || !read_number(data["dim"], d) ||
        !read_number(data["outputs"], dout))
      return;
    const int b = bias.IsDefined() && bias.IsScalar() && bias.as<std::string>() == "true" ? 1 : 0;
    const double want = d + b + dout;
    if (D != want)
      e.add("domain.dim", text_of(root["domain"]["dim"]) + " must be the neuron space's dimension d + bias + d' = " +
                              std::to_string(static_cast<long long>(want)) + " (data.dim " + text_of(data["dim"]) +
                              ", network.bias " + std::to_string(b) + ", data.outputs " + text_of(data["outputs"]) + ")",
            root["domain"]["dim"]);
  });
}

MeanFieldConfig finish_config(const Deck& deck, MeanFieldConfig& c);

MeanFieldConfig config_from_deck(const Deck& deck) {
  MeanFieldConfig c;
  c.activation = parse_activation(deck.text("network.activation"));
  c.bias = deck.flag("network.bias");
  DataSpec& d = c.data;
  const std::string type = deck.text("data.type");
  d.kind = type == "linear"    ? DataKind::Linear
           : type == "teacher" ? DataKind::Teacher
           : type == "file"    ? DataKind::File
                               : DataKind::Population;
  d.dim = static_cast<int>(deck.integer("data.dim"));
  d.outputs = static_cast<int>(deck.integer("data.outputs"));
  if (d.kind == DataKind::File) {
    d.path = deck.resolve_path(deck.text("data.path"));
    return finish_config(deck, c);
  }
  if (d.kind != DataKind::Population) d.samples = deck.integer("data.samples");
  d.seed = static_cast<std::uint64_t>(deck.integer("data.seed"));
  if (d.kind == DataKind::Linear) {
    d.input_cov = deck.has("data.input_cov") ? flat_matrix(deck.vec("data.input_cov"), d.dim, d.dim)
                                             : Matrix::identity(d.dim);
    d.weights = flat_matrix(deck.vec("data.weights"), d.outputs, d.dim);
    d.noise = deck.real("data.noise");
  } else {
    if (d.kind == DataKind::Teacher) d.inputs = deck.text("data.inputs") == "sphere" ? TeacherInputs::Sphere : TeacherInputs::Gaussian;
    d.teacher_neurons = static_cast<int>(deck.integer("data.neurons"));
  }
  return finish_config(deck, c);
}

// The keys every data type shares (network, initial, time, views).
MeanFieldConfig finish_config(const Deck& deck, MeanFieldConfig& c) {
  c.initial = measure_from_deck(deck, "initial");
  c.t_end = deck.real("time.end");
  c.dt = deck.real("time.dt");
  c.eulerian_enabled = deck.flag("eulerian.enabled");
  if (c.eulerian_enabled) {
    c.domain = grid_spec_from_deck(deck);
    c.limiter = parse_limiter(deck.text("eulerian.limiter"));
    c.cfl = deck.real("time.cfl");
  }
  c.domain.dim = static_cast<int>(deck.integer("domain.dim"));
  c.lagrangian_enabled = deck.flag("lagrangian.enabled");
  c.particles = deck.integer("lagrangian.particles");
  c.integrator = parse_integrator(deck.text("lagrangian.integrator"));
  c.seed = static_cast<std::uint64_t>(deck.integer("lagrangian.seed"));
  return c;
}

}  // namespace

Activation parse_activation(const std::string& s) {
  if (s == "relu") return Activation::Relu;
  if (s == "linear") return Activation::Linear;
  if (s == "tanh") return Activation::Tanh;
  throw InputError("network.activation: '" + s + "' is not one of relu, linear, tanh");
}

std::string to_string(Activation a) {
  switch (a) {
    case Activation::Relu: return "relu";
    case Activation::Linear: return "linear";
    case Activation::Tanh: return "tanh";
  }
  return "?";
}

void register_mean_field_model() {
  register_model("mean_field", "two-layer network training as a Wasserstein gradient flow of neurons (survey §6)",
                 declare_mean_field_keys,
                 [](const Deck& deck, MPI_Comm comm) { return build_mean_field_model(config_from_deck(deck), comm); });
}

}  // namespace mf::mean_field
