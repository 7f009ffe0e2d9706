#include "training_data.hpp"

#include <cmath>

#include "measureflow/counter_rng.hpp"
#include "measureflow/errors.hpp"
#include "measureflow/io/hdf5_handle.hpp"

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

namespace {
// Reads dataset `name` of the data file: N × cols doubles.
std::vector<double> read_matrix(hid_t file, const std::string& path, const std::string& name, long long& rows,
                                int cols, const std::string& key) {
  if (!io::h5::path_exists(file, name))
    throw InputError("data.path: '" + path + "' has no dataset `" + name + "`; allowed: an HDF5 file with datasets "
                     "`inputs` (N × data.dim) and `outputs` (N × data.outputs)");
  io::h5::Handle d(H5Dopen2(file, name.c_str(), H5P_DEFAULT), H5Dclose);
  const std::vector<hsize_t> shape = io::h5::dataset_shape(d);
  const long long r = shape.empty() ? 0 : static_cast<long long>(shape[0]);
  const int c = shape.size() == 2 ? static_cast<int>(shape[1]) : (shape.size() == 1 ? 1 : -1);
  if (c != cols || r < 1)
    throw InputError("data.path: dataset `" + name + "` of '" + path + "' has shape " + std::to_string(r) + " × " +
                     std::to_string(c) + "; " + key + " = " + std::to_string(cols) + " asks for N × " +
                     std::to_string(cols) + " (N ≥ 1)");
  if (rows >= 0 && r != rows)
    throw InputError("data.path: '" + path + "' has " + std::to_string(rows) + " inputs but " + std::to_string(r) +
                     " outputs; allowed: the same number of rows");
  rows = r;
  std::vector<double> v(static_cast<std::size_t>(r) * cols);
  MF_H5(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()));
  return v;
}
}  // namespace

TrainingData training_data_from_arrays(const std::vector<double>& zin, const std::vector<double>& yin, long long N,
                                       int d, int dout, bool bias) {
  TrainingData data;
  data.d_in = d + (bias ? 1 : 0);
  data.d_out = dout;
  data.samples = N;
  data.z = DataView("mf::mean_field::data_z", N, data.d_in);
  data.y = DataView("mf::mean_field::data_y", N, dout);
  auto z = Kokkos::create_mirror_view(data.z);
  auto y = Kokkos::create_mirror_view(data.y);
  for (long long k = 0; k < N; ++k) {
    for (int a = 0; a < d; ++a) z(k, a) = zin[static_cast<std::size_t>(k) * d + a];
    if (bias) z(k, d) = 1.0;
    for (int b = 0; b < dout; ++b) y(k, b) = yin[static_cast<std::size_t>(k) * dout + b];
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

TrainingData make_training_data(const DataSpec& spec, bool bias) {
  const int d = spec.dim, dout = spec.outputs;
  if (spec.kind == DataKind::File) {
    io::h5::QuietErrors quiet;
    io::h5::Handle file(H5Fopen(spec.path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
    if (!file.valid()) throw InputError("data.path: cannot open '" + spec.path + "' as an HDF5 file");
    long long N = -1;
    const std::vector<double> z = read_matrix(file, spec.path, "inputs", N, d, "data.dim");
    const std::vector<double> y = read_matrix(file, spec.path, "outputs", N, dout, "data.outputs");
    return training_data_from_arrays(z, y, N, d, dout, bias);
  }
  const long long N = spec.samples;
  std::vector<double> z(static_cast<std::size_t>(N) * d), y(static_cast<std::size_t>(N) * dout);
  Matrix L, teacher;
  if (spec.kind == DataKind::Linear) L = cholesky(spec.input_cov);
  if (spec.kind != DataKind::Linear) teacher = teacher_directions(spec);
  Vector g(d), zk(d), xi(dout);
  for (long long k = 0; k < N; ++k) {
    normal_vector(spec.seed, k, d, g.data());
    double* yk = y.data() + static_cast<std::size_t>(k) * dout;
    if (spec.kind == DataKind::Linear) {
      zk = L * g;
      normal_vector(spec.seed ^ kNoiseStream, k, dout, xi.data());
      const Vector wz = spec.weights * zk;
      for (int b = 0; b < dout; ++b) yk[b] = wz[b] + spec.noise * xi[b];
    } else {
      zk = g;
      if (spec.inputs == TeacherInputs::Sphere) zk = (1.0 / norm2(g)) * g;
      double out = 0.0;
      for (int j = 0; j < spec.teacher_neurons; ++j) {
        double s = 0.0;
        for (int a = 0; a < d; ++a) s += teacher(j, a) * zk[a];
        out += std::max(s, 0.0);
      }
      for (int b = 0; b < dout; ++b) yk[b] = out;
    }
    for (int a = 0; a < d; ++a) z[static_cast<std::size_t>(k) * d + a] = zk[a];
  }
  TrainingData data = training_data_from_arrays(z, y, N, d, dout, bias);
  data.teacher_directions = teacher;
  return data;
}

double least_squares_risk(const TrainingData& data) {
  const Matrix fit = data.Syz * inverse(data.Szz) * transpose(data.Syz);
  return data.trace_Syy - trace(fit);
}

}  // namespace mf::mean_field
