// All-pairs particle sums across ranks by a ring: each rank's block (positions, weights) travels
// P − 1 times to the next rank, and every rank accumulates its particles' sums against each visiting
// block with a Kokkos kernel. O(N²/P) work per rank, O(N) memory per rank.
#pragma once
#include <mpi.h>

#include <vector>

#include "measureflow/particles.hpp"

namespace mf {

// out(i, :) += Σ_j w_j pair(x_i − x_j) summed over every particle j on every rank, for the local
// particles i. Pair: device-copyable, `void operator()(const double* z, double* g) const` adding its
// d-vector contribution to g. Collective.
template <class Pair, class ExecSpace = Kokkos::DefaultExecutionSpace>
void ring_pair_sum(const ParticleSet& p, MPI_Comm comm, const Pair& pair, PointsView out) {
  int rank = 0, size = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  const int d = p.dim();
  const int nl = static_cast<int>(p.size());
  int nmax = 0;
  MPI_Allreduce(&nl, &nmax, 1, MPI_INT, MPI_MAX, comm);
  // The travelling block: (d + 1) doubles per particle, positions then the weight.
  Kokkos::View<double**, Kokkos::LayoutRight, Kokkos::HostSpace> block("ring_block", nmax, d + 1), incoming(
                                                                           "ring_incoming", nmax, d + 1);
  auto hx = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), p.positions);
  auto hw = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), p.weights);
  for (int i = 0; i < nl; ++i) {
    for (int a = 0; a < d; ++a) block(i, a) = hx(i, a);
    block(i, d) = hw(i);
  }
  int nb = nl;
  auto x = p.positions;
  for (int step = 0; step < size; ++step) {
    auto dev = Kokkos::create_mirror_view_and_copy(typename ExecSpace::memory_space(), block);
    const int m = nb;
    Kokkos::parallel_for(
        "ring_pair_sum", Kokkos::RangePolicy<ExecSpace>(0, nl), KOKKOS_LAMBDA(const int i) {
          double g[3] = {0, 0, 0}, z[3] = {0, 0, 0};
          for (int j = 0; j < m; ++j) {
            double gj[3] = {0, 0, 0};
            for (int a = 0; a < d; ++a) z[a] = x(i, a) - dev(j, a);
            pair(z, gj);
            for (int a = 0; a < d; ++a) g[a] += dev(j, d) * gj[a];
          }
          for (int a = 0; a < d; ++a) out(i, a) += g[a];
        });
    Kokkos::fence();
    if (step == size - 1) break;
    const int next = (rank + 1) % size, prev = (rank + size - 1) % size;
    int nin = 0;
    MPI_Sendrecv(&nb, 1, MPI_INT, next, 0, &nin, 1, MPI_INT, prev, 0, comm, MPI_STATUS_IGNORE);
    MPI_Sendrecv(block.data(), nb * (d + 1), MPI_DOUBLE, next, 1, incoming.data(), nin * (d + 1), MPI_DOUBLE, prev, 1,
                 comm, MPI_STATUS_IGNORE);
    std::swap(block, incoming);
    nb = nin;
  }
}

}  // namespace mf
