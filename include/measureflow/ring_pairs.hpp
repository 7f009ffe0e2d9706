// All-pairs particle sums across ranks by the ring (ring_visit): each rank's block (positions, weights)
// travels P − 1 times to the next rank, and every rank accumulates its particles' sums against each
// visiting block with a Kokkos kernel. A plain weighted sum (no softmax), so it takes the ring but not
// the streaming log-sum-exp kernel. O(N²/P) work per rank, O(N) memory per rank.
#pragma once
#include <mpi.h>

#include <vector>

#include "measureflow/log_event.hpp"
#include "measureflow/particles.hpp"
#include "measureflow/ring_exchange.hpp"

namespace mf {

// out(i, :) += Σ_j w_j pair(x_i − x_j) summed over every particle j on every rank, for the local
// particles i. Pair: device-copyable, `void operator()(const double* z, double* g) const` adding its
// d-vector contribution to g. Collective.
template <class Pair, class ExecSpace = Kokkos::DefaultExecutionSpace>
void ring_pair_sum(const ParticleSet& p, MPI_Comm comm, const Pair& pair, PointsView out) {
  using MemSpace = typename ExecSpace::memory_space;
  static_assert(Kokkos::SpaceAccessibility<ExecSpace, PointsView::memory_space>::accessible,
                "ring_pair_sum: particle views must be readable by the execution space");
  const ScopedLogEvent event("mf::particles::ring_pair_sum");
  const int d = p.dim();
  const int nl = static_cast<int>(p.size());
  // The travelling block: (d + 1) doubles per particle, positions then the weight, packed where the
  // particles live (no host loop over particles).
  Kokkos::View<double**, Kokkos::LayoutRight, MemSpace> local("mf::particles::ring_block", nl, d + 1);
  auto x = p.positions;
  auto wt = p.weights;
  Kokkos::parallel_for(
      "mf::particles::pack_ring_block", Kokkos::RangePolicy<ExecSpace>(0, nl), KOKKOS_LAMBDA(const int i) {
        for (int a = 0; a < d; ++a) local(i, a) = x(i, a);
        local(i, d) = wt(i);
      });
  Kokkos::fence();
  ring_visit(comm, local, [&](const decltype(local)& block, int m, int) {
    Kokkos::parallel_for(
        "mf::particles::ring_pair_sum", Kokkos::RangePolicy<ExecSpace>(0, nl), KOKKOS_LAMBDA(const int i) {
          double g[3] = {0, 0, 0}, z[3] = {0, 0, 0};
          for (int j = 0; j < m; ++j) {
            double gj[3] = {0, 0, 0};
            for (int a = 0; a < d; ++a) z[a] = x(i, a) - block(j, a);
            pair(z, gj);
            for (int a = 0; a < d; ++a) g[a] += block(j, d) * gj[a];
          }
          for (int a = 0; a < d; ++a) out(i, a) += g[a];
        });
    Kokkos::fence();
  });
}

}  // namespace mf
