#include "entropic_coupling.hpp"

#include <stdexcept>

#include "measureflow/ot/sinkhorn.hpp"
#include "measureflow/ot/sinkhorn_divergence.hpp"
#include "measureflow/particles.hpp"
#include "measureflow/weighted_points.hpp"

namespace mf::dynamic_ot {

namespace {

// This rank's id block of an n × dim cloud as uniform weighted points (weights 1/n: sinkhorn normalises
// anyway, and equal weights are what the exact coupling's permutation assumes too).
WeightedPoints block_cloud(const std::vector<double>& pts, int dim, const IdRange& r, std::int64_t n) {
  WeightedPoints w;
  w.dim = dim;
  w.positions = PointsView("mf::dynamic_ot::coupling_points", static_cast<std::size_t>(r.count), dim);
  w.weights = WeightsView("mf::dynamic_ot::coupling_weights", static_cast<std::size_t>(r.count));
  auto p = Kokkos::create_mirror_view(w.positions);
  auto m = Kokkos::create_mirror_view(w.weights);
  for (std::int64_t i = 0; i < r.count; ++i) {
    for (int a = 0; a < dim; ++a) p(i, a) = pts[static_cast<std::size_t>(r.first + i) * dim + a];
    m(i) = 1.0 / static_cast<double>(n);
  }
  Kokkos::deep_copy(w.positions, p);
  Kokkos::deep_copy(w.weights, m);
  return w;
}

// Every rank's block of projected points, in id order, on every rank (blocks are contiguous id ranges
// in rank order, so Allgatherv lays them out by global id).
std::vector<double> gather_blocks(MPI_Comm comm, const PointsView& local, int dim, std::int64_t n) {
  int size = 1;
  MPI_Comm_size(comm, &size);
  std::vector<int> counts(size), displs(size);
  for (int q = 0; q < size; ++q) {
    const IdRange b = id_block(n, q, size);
    counts[q] = static_cast<int>(b.count * dim);
    displs[q] = static_cast<int>(b.first * dim);
  }
  auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), local);
  std::vector<double> mine(h.extent(0) * dim);
  for (std::size_t i = 0; i < h.extent(0); ++i)
    for (int a = 0; a < dim; ++a) mine[i * dim + a] = h(i, a);
  std::vector<double> all(static_cast<std::size_t>(n) * dim);
  MPI_Allgatherv(mine.data(), static_cast<int>(mine.size()), MPI_DOUBLE, all.data(), counts.data(), displs.data(),
                 MPI_DOUBLE, comm);
  return all;
}

}  // namespace

EntropicCoupling entropic_coupling(MPI_Comm comm, const std::vector<double>& x, const std::vector<double>& y,
                                   int dim, double eps, bool debias, double tol) {
  if (dim < 1 || x.size() != y.size() || x.size() % dim != 0 || x.empty())
    throw std::invalid_argument("entropic_coupling: point clouds of different or zero sizes");
  const double t0 = MPI_Wtime();
  const std::int64_t n = static_cast<std::int64_t>(x.size() / dim);
  int rank = 0, size = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  const IdRange r = id_block(n, rank, size);
  const WeightedPoints X = block_cloud(x, dim, r, n), Y = block_cloud(y, dim, r, n);

  // Marginal L1 tolerance 1e-5 by default: T divides by the computed row mass, so end points stay
  // barycentres at any tolerance, and the W2² terms move by ≈ tol × (squared diameter) ≈ 1e-5, far below
  // the sampling error; 1e-6 cost ~5× the time (30 s vs 0.7 s at n = 1000) for no visible change.
  ot::SinkhornOptions opt;
  opt.eps = eps;
  opt.tol = tol;
  const ot::SinkhornResult xy = ot::sinkhorn(comm, X, Y, opt);
  EntropicCoupling c;
  c.transport_cost = xy.transport_cost;
  c.marginal_error = xy.marginal_error;
  c.iterations = xy.iterations;
  c.converged = xy.converged;
  c.end = gather_blocks(comm, ot::barycentric_projection(comm, X, Y, xy, eps), dim, n);
  // Summed in id order over the gathered points: the same operations, hence the same bits, on every rank.
  double s = 0.0;
  for (std::size_t k = 0; k < x.size(); ++k) s += (c.end[k] - x[k]) * (c.end[k] - x[k]);
  c.displacement = s / static_cast<double>(n);
  c.seconds = MPI_Wtime() - t0;
  MPI_Allreduce(MPI_IN_PLACE, &c.seconds, 1, MPI_DOUBLE, MPI_MAX, comm);
  if (debias) {
    const double t1 = MPI_Wtime();
    c.divergence = ot::sinkhorn_divergence(comm, X, Y, opt, xy);
    c.debias_seconds = MPI_Wtime() - t1;
    MPI_Allreduce(MPI_IN_PLACE, &c.debias_seconds, 1, MPI_DOUBLE, MPI_MAX, comm);
  }
  return c;
}

}  // namespace mf::dynamic_ot
