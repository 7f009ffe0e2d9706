// The endpoints of the flow-matching path: the Gaussian source α0 and the target α1 (Gaussian, mixture,
// generated data set, or an HDF5 point set). Every draw is counter-based, a pure function of
// (seed, id), so samples, data sets and training pairs are the same for any rank count.
#pragma once
#include <mpi.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "flow_matching_config.hpp"
#include "measureflow/measures.hpp"
#include "measureflow/weighted_points.hpp"

namespace mf::flow_matching {

// α0 = N(mean, cov).
struct GaussianSource {
  Vector mean;
  Matrix cov;
};
GaussianSource gaussian_source(const MeasureSpec& initial);

// Point number `id` of a generated 2D data set (seed, id) → out[0..2). Definitions (docs/flow_matching.md):
//   eight_gaussians  N(2(cos 2πk/8, sin 2πk/8), 0.2² I), k uniform in 0..7
//   moons            two interleaved half circles (scaled ×2, centred), noise 0.1
//   checkerboard     uniform on the 8 dark squares of a 4×4 board on [−2, 2]²
//   rings            radii 1 and 2 (equal mass), radial noise 0.05
void dataset_point(DatasetName name, std::uint64_t seed, std::int64_t id, double* out);

// The data points of a point-set target held by this rank: the id block of a data set, or the block of
// a file's points. Weights sum to 1 over all ranks.
struct DataBlock {
  int dim = 0;
  long long total = 0;       // over all ranks
  std::int64_t first = 0;    // global index of the first local point
  PointsView positions;      // n_local × dim
  WeightsView weights;       // n_local
};
DataBlock load_data_block(MPI_Comm comm, const TargetSpec& target, int dim);

// α1 as something to draw from: X1 number `id` of stream `seed`. For a data set or file this is a data
// point chosen uniformly (by weight) from the whole set — the empirical α1 the exact field transports
// to — so every rank keeps the file's points (data sets are regenerated from (seed, index) on demand).
// held_out(): a fresh draw from the generating law (data sets: ids beyond `samples`), for W2 to α1
// that does not reward memorisation; a file has no generating law and returns its own points.
class TargetSampler {
 public:
  TargetSampler(const TargetSpec& target, int dim);
  int dim() const { return dim_; }
  void sample(std::uint64_t seed, std::int64_t id, double* out) const;
  void held_out(std::uint64_t seed, std::int64_t id, double* out) const;
  // Exact mean and covariance of α1 (for a point set: of the empirical measure).
  Moments moments() const { return moments_; }
  // The density of α1 (gaussian, mixture), nullptr for point sets.
  const Measure* measure() const { return measure_.get(); }

 private:
  TargetSpec spec_;
  int dim_;
  std::unique_ptr<Measure> measure_;
  std::vector<double> file_points_, file_cumulative_;  // file targets: all points, cumulative weights
  Moments moments_;
};

}  // namespace mf::flow_matching
