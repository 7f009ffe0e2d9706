// All-pairs ring: every rank's block of rows visits every rank once (r → r+1), so an all-pairs sum over
// a distributed set needs O(n/p) memory per rank and never gathers the whole set.
#pragma once
#include <mpi.h>

#include <Kokkos_Core.hpp>
#include <functional>

namespace mf {

// A block of rows travelling around the ring (n_rows × row_width, row-major, host-accessible because
// MPI reads it directly).
using RingBlock = Kokkos::View<double**, Kokkos::LayoutRight, Kokkos::HostSpace>;

// Calls visit(block, owner) once for the block of every rank of `comm`, the local block first
// (owner = this rank), then the blocks of rank−1, rank−2, ... The next block is received while the
// current one is visited. Collective; every rank must pass the same row width. Only two blocks of the
// largest size are held at once.
void ring_visit(MPI_Comm comm, const RingBlock& local, const std::function<void(const RingBlock& block, int owner)>& visit);

}  // namespace mf
