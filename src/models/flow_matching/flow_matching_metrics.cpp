// Metrics of the flow-matching model that the shared Diagnostics do not know: W2 of the samples to α1,
// the field's L2 error against the exact field, and the distance of the samples to the data.
#include <cmath>
#include <limits>

#include "flow_matching_views.hpp"
#include "measureflow/cloud_sampling.hpp"
#include "measureflow/kokkos_math.hpp"
#include "measureflow/ot/sinkhorn.hpp"
#include "measureflow/ring_exchange.hpp"

namespace mf::flow_matching {

namespace {
using ExecSpace = Kokkos::DefaultExecutionSpace;
}

double field_l2_error(MPI_Comm comm, const VelocityField& field, const VelocityField& exact, const GaussianSource& source,
                      const TargetSampler& target, long long pairs, int nodes, std::uint64_t seed) {
  int rank = 0, size = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  const int d = field.dim();
  const IdRange r = id_block(pairs, rank, size);
  MeasureSpec spec;
  spec.type = "gaussian";
  spec.dim = d;
  spec.mean = source.mean;
  spec.cov = source.cov;
  const auto alpha0 = make_measure(spec);
  FieldPoints x0("mf::flow_matching::l2_x0", r.count, d), x1("mf::flow_matching::l2_x1", r.count, d);
  auto h0 = Kokkos::create_mirror_view(x0);
  auto h1 = Kokkos::create_mirror_view(x1);
  for (std::int64_t i = 0; i < r.count; ++i) {
    alpha0->sample(seed, r.first + i, &h0(i, 0));
    target.sample(seed + 1, r.first + i, &h1(i, 0));
  }
  Kokkos::deep_copy(x0, h0);
  Kokkos::deep_copy(x1, h1);
  std::vector<double> tq, wq;
  gauss_legendre_01(nodes, tq, wq);
  FieldPoints xt("mf::flow_matching::l2_xt", r.count, d), v("mf::flow_matching::l2_v", r.count, d),
      ve("mf::flow_matching::l2_exact", r.count, d);
  double local[2] = {0.0, 0.0};
  for (int q = 0; q < nodes; ++q) {
    const double t = tq[q];
    Kokkos::parallel_for(
        "mf::flow_matching::interpolate_pairs", Kokkos::RangePolicy<ExecSpace>(0, r.count), KOKKOS_LAMBDA(const int i) {
          for (int a = 0; a < d; ++a) xt(i, a) = (1.0 - t) * x0(i, a) + t * x1(i, a);
        });
    Kokkos::fence();
    field.evaluate(t, xt, v);
    exact.evaluate(t, xt, ve);
    double num = 0.0, den = 0.0;
    Kokkos::parallel_reduce(
        "mf::flow_matching::l2_error", Kokkos::RangePolicy<ExecSpace>(0, r.count),
        KOKKOS_LAMBDA(const int i, double& n, double& e) {
          for (int a = 0; a < d; ++a) {
            const double diff = v(i, a) - ve(i, a);
            n += diff * diff;
            e += ve(i, a) * ve(i, a);
          }
        },
        num, den);
    local[0] += wq[q] * num;
    local[1] += wq[q] * den;
  }
  double global[2] = {0.0, 0.0};
  MPI_Allreduce(local, global, 2, MPI_DOUBLE, MPI_SUM, comm);
  return global[1] > 0.0 ? std::sqrt(global[0] / global[1]) : std::sqrt(global[0]);
}

double nearest_data_distance(MPI_Comm comm, const ParticleSet& samples, const DataBlock& data) {
  const int d = samples.dim();
  const std::size_t n = samples.size();
  Kokkos::View<double*> best("mf::flow_matching::nearest_d2", n);
  Kokkos::deep_copy(best, std::numeric_limits<double>::infinity());
  RingBlock rows("mf::flow_matching::data_points", data.positions.extent(0), d);
  Kokkos::deep_copy(rows, Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), data.positions));
  auto x = samples.positions;
  ring_visit(comm, rows, static_cast<long long>(rows.extent(0)), [&](const RingBlock& block, int block_rows, int) {
    // A visiting block has the ring's capacity; its first block_rows rows are the owner's points.
    const int nb = block_rows;
    auto y = Kokkos::create_mirror_view_and_copy(ExecSpace::memory_space(), block);
    Kokkos::parallel_for(
        "mf::flow_matching::nearest_data", Kokkos::RangePolicy<ExecSpace>(0, n), KOKKOS_LAMBDA(const int i) {
          double b = best(i);
          for (int j = 0; j < nb; ++j) {
            double d2 = 0.0;
            for (int a = 0; a < d; ++a) {
              const double diff = x(i, a) - y(j, a);
              d2 += diff * diff;
            }
            b = d2 < b ? d2 : b;
          }
          best(i) = b;
        });
    Kokkos::fence();
  });
  auto w = samples.weights;
  double local[2] = {0.0, 0.0};
  double sum = 0.0, wsum = 0.0;
  Kokkos::parallel_reduce(
      "mf::flow_matching::mean_nearest", Kokkos::RangePolicy<ExecSpace>(0, n),
      KOKKOS_LAMBDA(const int i, double& s, double& ws) {
        s += w(i) * kmath::sqrt(best(i));
        ws += w(i);
      },
      sum, wsum);
  local[0] = sum;
  local[1] = wsum;
  double global[2] = {0.0, 0.0};
  MPI_Allreduce(local, global, 2, MPI_DOUBLE, MPI_SUM, comm);
  return global[0] / global[1];
}

}  // namespace mf::flow_matching
