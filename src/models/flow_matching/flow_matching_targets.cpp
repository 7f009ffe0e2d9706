#include "flow_matching_targets.hpp"

#include <algorithm>
#include <cmath>

#include "measureflow/counter_rng.hpp"
#include "measureflow/errors.hpp"
#include "measureflow/io/readers.hpp"
#include "measureflow/particles.hpp"

namespace mf::flow_matching {

namespace {
constexpr double kPi = 3.14159265358979323846;

// Moments of a weighted point set given row-major.
Moments point_moments(const std::vector<double>& x, const std::vector<double>& w, int d) {
  Moments m;
  m.mass = 1.0;
  m.mean.assign(d, 0.0);
  m.cov = Matrix(d, d);
  double total = 0.0;
  for (std::size_t i = 0; i < w.size(); ++i) {
    total += w[i];
    for (int a = 0; a < d; ++a) m.mean[a] += w[i] * x[i * d + a];
  }
  for (int a = 0; a < d; ++a) m.mean[a] /= total;
  for (std::size_t i = 0; i < w.size(); ++i)
    for (int a = 0; a < d; ++a)
      for (int b = 0; b < d; ++b)
        m.cov(a, b) += w[i] * (x[i * d + a] - m.mean[a]) * (x[i * d + b] - m.mean[b]) / total;
  return m;
}
}  // namespace

GaussianSource gaussian_source(const MeasureSpec& initial) {
  if (initial.type != "gaussian")
    throw InputError("initial.type: '" + initial.type + "': flow_matching needs a Gaussian source (allowed: gaussian)");
  return GaussianSource{initial.mean, initial.cov};
}

void dataset_point(DatasetName name, std::uint64_t seed, std::int64_t id, double* out) {
  const CounterRng r(seed, static_cast<std::uint64_t>(id));
  switch (name) {
    case DatasetName::EightGaussians: {
      const int k = std::min(7, static_cast<int>(8.0 * r.uniform(0)));
      out[0] = 2.0 * std::cos(2.0 * kPi * k / 8.0) + 0.2 * r.normal(1);
      out[1] = 2.0 * std::sin(2.0 * kPi * k / 8.0) + 0.2 * r.normal(2);
      return;
    }
    case DatasetName::Moons: {
      const bool outer = r.uniform(0) < 0.5;
      const double th = kPi * r.uniform(1);
      const double x = outer ? std::cos(th) : 1.0 - std::cos(th);
      const double y = outer ? std::sin(th) : 0.5 - std::sin(th);
      out[0] = 2.0 * (x - 0.5) + 0.1 * r.normal(2);
      out[1] = 2.0 * (y - 0.25) + 0.1 * r.normal(3);
      return;
    }
    case DatasetName::Checkerboard: {
      const int j = std::min(7, static_cast<int>(8.0 * r.uniform(0)));
      const int row = j / 2;
      const int col = 2 * (j % 2) + (row % 2);
      out[0] = -2.0 + col + r.uniform(1);
      out[1] = -2.0 + row + r.uniform(2);
      return;
    }
    case DatasetName::Rings: {
      const double radius = r.uniform(0) < 0.5 ? 1.0 : 2.0;
      const double th = 2.0 * kPi * r.uniform(1);
      const double rr = radius + 0.05 * r.normal(2);
      out[0] = rr * std::cos(th);
      out[1] = rr * std::sin(th);
      return;
    }
  }
}

namespace {

// This rank's id block of `total` data points: point(id, x) writes point id's coordinates to x[0..dim),
// weight(id) is its weight.
template <class Point, class Weight>
DataBlock id_block_of(MPI_Comm comm, long long total, int dim, Point point, Weight weight) {
  int rank = 0, size = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  DataBlock b;
  b.dim = dim;
  b.total = total;
  const IdRange r = id_block(total, rank, size);
  b.first = r.first;
  b.positions = PointsView("mf::flow_matching::data", r.count, dim);
  b.weights = WeightsView("mf::flow_matching::data_weights", r.count);
  auto hx = Kokkos::create_mirror_view(b.positions);
  auto hw = Kokkos::create_mirror_view(b.weights);
  for (std::int64_t i = 0; i < r.count; ++i) {
    point(r.first + i, &hx(i, 0));
    hw(i) = weight(r.first + i);
  }
  Kokkos::deep_copy(b.positions, hx);
  Kokkos::deep_copy(b.weights, hw);
  return b;
}

}  // namespace

DataBlock load_data_block(MPI_Comm comm, const TargetSpec& target, int dim) {
  if (target.kind == TargetKind::Dataset) {
    if (dim != 2) throw InputError("target.type: dataset needs domain.dim = 2 (got " + std::to_string(dim) + ")");
    const double w = 1.0 / static_cast<double>(target.samples);
    return id_block_of(
        comm, target.samples, dim, [&](std::int64_t id, double* x) { dataset_point(target.name, target.seed, id, x); },
        [&](std::int64_t) { return w; });
  }
  if (target.kind != TargetKind::File) throw InputError("flow_matching: a data block needs target.type dataset or file");
  // Every rank reads the (small) file and keeps its id block; the ring then passes blocks around.
  const io::PointSet set = io::read_point_set(target.path, target.snapshot);
  if (set.dim != dim)
    throw InputError("target.path: '" + target.path + "' holds points of dimension " + std::to_string(set.dim) +
                     ", domain.dim is " + std::to_string(dim));
  double wsum = 0.0;
  for (double w : set.weights) wsum += w;
  if (!(wsum > 0.0)) throw InputError("target.path: '" + target.path + "' has no positive weights");
  return id_block_of(
      comm, static_cast<long long>(set.weights.size()), dim,
      [&](std::int64_t id, double* x) {
        for (int a = 0; a < dim; ++a) x[a] = set.positions[id * dim + a];
      },
      [&](std::int64_t id) { return set.weights[id] / wsum; });
}

TargetSampler::TargetSampler(const TargetSpec& target, int dim) : spec_(target), dim_(dim) {
  switch (target.kind) {
    case TargetKind::Gaussian:
    case TargetKind::Mixture: {
      measure_ = make_measure(target.measure);
      moments_ = *measure_->exact_moments();
      break;
    }
    case TargetKind::Dataset: {
      if (dim != 2) throw InputError("target.type: dataset needs domain.dim = 2 (got " + std::to_string(dim) + ")");
      std::vector<double> x(2 * target.samples), w(target.samples, 1.0);
      for (long long i = 0; i < target.samples; ++i) dataset_point(target.name, target.seed, i, &x[2 * i]);
      moments_ = point_moments(x, w, 2);
      break;
    }
    case TargetKind::File: {
      const io::PointSet set = io::read_point_set(target.path, target.snapshot);
      if (set.dim != dim)
        throw InputError("target.path: '" + target.path + "' holds points of dimension " + std::to_string(set.dim) +
                         ", domain.dim is " + std::to_string(dim));
      file_points_ = set.positions;
      file_cumulative_.resize(set.weights.size());
      double c = 0.0;
      for (std::size_t i = 0; i < set.weights.size(); ++i) file_cumulative_[i] = (c += set.weights[i]);
      for (double& v : file_cumulative_) v /= c;
      moments_ = point_moments(set.positions, set.weights, dim);
      break;
    }
  }
}

void TargetSampler::sample(std::uint64_t seed, std::int64_t id, double* out) const {
  switch (spec_.kind) {
    case TargetKind::Gaussian:
    case TargetKind::Mixture:
      measure_->sample(seed, id, out);
      return;
    case TargetKind::Dataset: {
      const CounterRng r(seed, static_cast<std::uint64_t>(id));
      const auto j = std::min<std::int64_t>(spec_.samples - 1, static_cast<std::int64_t>(r.uniform(0) * spec_.samples));
      dataset_point(spec_.name, spec_.seed, j, out);
      return;
    }
    case TargetKind::File: {
      const CounterRng r(seed, static_cast<std::uint64_t>(id));
      const double u = r.uniform(0);
      const auto it = std::lower_bound(file_cumulative_.begin(), file_cumulative_.end(), u);
      const std::size_t j = std::min<std::size_t>(file_cumulative_.size() - 1, it - file_cumulative_.begin());
      for (int a = 0; a < dim_; ++a) out[a] = file_points_[j * dim_ + a];
      return;
    }
  }
}

void TargetSampler::held_out(std::uint64_t seed, std::int64_t id, double* out) const {
  switch (spec_.kind) {
    case TargetKind::Dataset:
      // Ids at and beyond `samples` are points of the same law that are not in the data set.
      dataset_point(spec_.name, spec_.seed, spec_.samples + id, out);
      return;
    default:
      sample(seed, id, out);
  }
}

}  // namespace mf::flow_matching
