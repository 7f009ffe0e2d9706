#include "training_data.hpp"

#include <cmath>

#include "measureflow/counter_rng.hpp"
#include "measureflow/errors.hpp"

namespace mf::mean_field {

namespace {
// Separate streams for the inputs, the label noise and the teacher's directions (same seed).
constexpr std::uint64_t kTeacherStream = 0x7eac4e55d1e2c7b1ULL;
constexpr std::uint64_t kNoiseStream = 0x4015e5a7c0ffee11ULL;

// A standard normal vector of length n for sample `id` of the stream.
void normal_vector(std::uint64_t seed, std::int64_t id, int n, double* out) {
  const CounterRng rng(seed, static_cast<std::uint64_t>(id));
  for (int a = 0; a < n; ++a) out[a] = rng.normal(static_cast<std::uint64_t>(a));
}
}  // namespace

Matrix teacher_directions(const DataSpec& spec) {
  Matrix w(spec.teacher_neurons, spec.dim);
  Vector g(spec.dim);
  for (int j = 0; j < spec.teacher_neurons; ++j) {
    normal_vector(spec.seed ^ kTeacherStream, j, spec.dim, g.data());
    const double r = norm2(g);
    for (int a = 0; a < spec.dim; ++a) w(j, a) = g[a] / r;
  }
  return w;
}

TrainingData make_training_data(const DataSpec& spec, bool bias) {
  TrainingData data;
  const int d = spec.dim, dout = spec.outputs;
  data.d_in = d + (bias ? 1 : 0);
  data.d_out = dout;
  data.samples = spec.samples;
  const long long N = spec.samples;
  data.z = DataView("mf::mean_field::data_z", N, data.d_in);
  data.y = DataView("mf::mean_field::data_y", N, dout);
  auto z = Kokkos::create_mirror_view(data.z);
  auto y = Kokkos::create_mirror_view(data.y);

  Matrix L;
  if (spec.kind == DataKind::Linear) L = cholesky(spec.input_cov);
  if (spec.kind == DataKind::Teacher) data.teacher_directions = teacher_directions(spec);
  Vector g(d), zk(d), xi(dout);
  for (long long k = 0; k < N; ++k) {
    normal_vector(spec.seed, k, d, g.data());
    if (spec.kind == DataKind::Linear) {
      zk = L * g;
      normal_vector(spec.seed ^ kNoiseStream, k, dout, xi.data());
      const Vector wz = spec.weights * zk;
      for (int b = 0; b < dout; ++b) y(k, b) = wz[b] + spec.noise * xi[b];
    } else {
      zk = g;
      if (spec.inputs == TeacherInputs::Sphere) zk = (1.0 / norm2(g)) * g;
      double out = 0.0;
      for (int j = 0; j < spec.teacher_neurons; ++j) {
        double s = 0.0;
        for (int a = 0; a < d; ++a) s += data.teacher_directions(j, a) * zk[a];
        out += std::max(s, 0.0);
      }
      for (int b = 0; b < dout; ++b) y(k, b) = out;
    }
    for (int a = 0; a < d; ++a) z(k, a) = zk[a];
    if (bias) z(k, d) = 1.0;
  }

  // Empirical moments (host, once).
  data.Szz = Matrix(data.d_in, data.d_in);
  data.Syz = Matrix(dout, data.d_in);
  for (long long k = 0; k < N; ++k) {
    for (int a = 0; a < data.d_in; ++a) {
      for (int c = 0; c < data.d_in; ++c) data.Szz(a, c) += z(k, a) * z(k, c);
      for (int b = 0; b < dout; ++b) data.Syz(b, a) += y(k, b) * z(k, a);
    }
    for (int b = 0; b < dout; ++b) data.trace_Syy += y(k, b) * y(k, b);
  }
  data.Szz = (1.0 / N) * data.Szz;
  data.Syz = (1.0 / N) * data.Syz;
  data.trace_Syy /= static_cast<double>(N);

  Kokkos::deep_copy(data.z, z);
  Kokkos::deep_copy(data.y, y);
  return data;
}

double least_squares_risk(const TrainingData& data) {
  const Matrix fit = data.Syz * inverse(data.Szz) * transpose(data.Syz);
  return data.trace_Syy - trace(fit);
}

}  // namespace mf::mean_field
