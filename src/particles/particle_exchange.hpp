// The one way particles travel between ranks: their positions, weights and ids packed in host buffers,
// moved by Alltoallv with per-rank counts in particles, and copied back into Kokkos views. Migration
// (ownership changes) and the halo (copies near a subdomain) differ only in which particles they pick.
#pragma once
#include <mpi.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "measureflow/particles.hpp"

namespace mf::particle_exchange {

// Particles in flat host buffers: x is n × dim, row-major.
struct Packed {
  int dim = 0;
  std::vector<double> x, w;
  std::vector<std::int64_t> id;

  Packed(int d, std::size_t n) : dim(d), x(n * static_cast<std::size_t>(d)), w(n), id(n) {}
  std::size_t size() const { return w.size(); }
  template <class X, class W, class I>
  void put(std::size_t slot, const X& xs, const W& ws, const I& ids, std::size_t i) {
    for (int a = 0; a < dim; ++a) x[slot * dim + a] = xs(i, a);
    w[slot] = ws(i);
    id[slot] = ids(i);
  }
};

// Per-rank counts and offsets, in particles, of one Alltoallv.
struct Plan {
  std::vector<int> send_count, send_offset, recv_count, recv_offset;
  std::size_t received() const {
    return recv_count.empty() ? 0 : static_cast<std::size_t>(recv_offset.back() + recv_count.back());
  }
};

// Alltoallv of `per` values per particle (the plan's counts scaled to values).
template <class T>
void alltoallv_values(MPI_Comm comm, const std::vector<T>& send, std::vector<T>& recv, const Plan& plan, int per,
                      MPI_Datatype type) {
  const std::size_t size = plan.send_count.size();
  std::vector<int> sc(size), so(size), rc(size), ro(size);
  for (std::size_t r = 0; r < size; ++r) {
    sc[r] = plan.send_count[r] * per;
    so[r] = plan.send_offset[r] * per;
    rc[r] = plan.recv_count[r] * per;
    ro[r] = plan.recv_offset[r] * per;
  }
  MPI_Alltoallv(send.data(), sc.data(), so.data(), type, recv.data(), rc.data(), ro.data(), type, comm);
}

// The receive side of a plan from its send counts (an Alltoall of the counts, then prefix sums).
void complete_plan(MPI_Comm comm, Plan& plan);

// Sends `out` (packed in send_offset order) and returns what this rank receives.
Packed alltoallv(MPI_Comm comm, const Packed& out, const Plan& plan);

// Copies packed particles into views already sized to in.size() rows.
void unpack(const Packed& in, PointsView positions, WeightsView weights, IdsView ids);

}  // namespace mf::particle_exchange
