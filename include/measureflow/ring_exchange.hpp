// All-pairs ring: every rank's block of rows visits every rank once (r → r+1), so an all-pairs sum over
// a distributed set needs O(n/p) memory per rank and never gathers the whole set. The one ring pass of
// the code: Sinkhorn sweeps, attention, the flow-matching data field and pair interaction sums use it.
#pragma once
#include <mpi.h>

#include <Kokkos_Core.hpp>
#include <type_traits>
#include <utility>

namespace mf {

// A block of rows travelling around the ring (n_rows × row_width, row-major), where the kernels run
// (HostSpace on host backends; ring_visit stages blocks elsewhere through host memory for MPI).
using RingBlock = Kokkos::View<double**, Kokkos::LayoutRight>;

namespace ring_detail {

// What every rank must agree on before the first step. Collective: throws std::invalid_argument when
// the ranks disagree on the row width. capacity: the largest block (rows) over the ranks.
struct RingShape {
  int rank = 0, size = 1;
  long long width = 0, capacity = 0;
};
RingShape ring_shape(MPI_Comm comm, long long width, long long rows);

// Exchanges block sizes with the neighbours (blocking, tiny) and starts the rows' transfer: `send_count`
// doubles to rank + 1, up to `recv_count` doubles from rank − 1 into `recv`. Returns the incoming rows.
long long ring_start(MPI_Comm comm, const RingShape& s, long long rows, const double* send, long long send_count,
                     double* recv, long long recv_capacity, MPI_Request req[2]);

}  // namespace ring_detail

// Calls visit(block, rows, owner) once for the block of every rank of `comm`: the local block first
// (owner = this rank), then the blocks of rank−1, rank−2, ...; the first `rows` rows of `block` are the
// owner's (a row-major block has exactly those rows; a column-major one has the ring's capacity, the
// rows past `rows` being whatever the owner padded with). The next block is received while the current
// one is visited. Collective; every rank must pass the same row width. Two blocks of the largest size
// are held at once. Block: any rank-2 View of doubles; MPI reads host memory, so a block outside
// HostSpace travels through a host mirror and is copied back to its space before each visit.
template <class Block, class Visit>
void ring_visit(MPI_Comm comm, const Block& local, long long rows, Visit&& visit) {
  static_assert(std::is_same<typename Block::non_const_value_type, double>::value, "ring blocks hold doubles");
  static_assert(Block::rank == 2, "ring blocks are rows × row width");
  using Layout = typename Block::array_layout;
  static_assert(std::is_same<Layout, Kokkos::LayoutRight>::value || std::is_same<Layout, Kokkos::LayoutLeft>::value,
                "ring blocks are LayoutRight or LayoutLeft");
  using Space = typename Block::memory_space;
  using Host = Kokkos::View<double**, Layout, Kokkos::HostSpace>;
  using Own = Kokkos::View<double**, Layout, Space>;
  // Blocks in HostSpace (Serial, OpenMP, Threads backends) are handed to MPI and the visit directly.
  constexpr bool host_readable = std::is_same<Space, Kokkos::HostSpace>::value;
  // Row-major blocks send their first rows only; a column-major block's rows are not contiguous, so the
  // whole buffer travels (at most one block's worth of padding).
  constexpr bool rows_contiguous = std::is_same<Layout, Kokkos::LayoutRight>::value;

  const ring_detail::RingShape s =
      ring_detail::ring_shape(comm, static_cast<long long>(local.extent(1)), static_cast<long long>(local.extent(0)));
  if (s.size == 1) {
    visit(Own(local), static_cast<int>(rows), s.rank);
    return;
  }
  const long long width = s.width, cap = s.capacity;
  Host buf[2] = {Host("mf::ring::block_a", cap, width), Host("mf::ring::block_b", cap, width)};
  {
    const auto head = std::make_pair(0LL, rows);
    auto staged = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), local);
    Kokkos::deep_copy(Kokkos::subview(buf[0], head, Kokkos::ALL), Kokkos::subview(staged, head, Kokkos::ALL));
  }
  Own on_space;
  if constexpr (!host_readable) on_space = Own("mf::ring::block_on_space", cap, width);
  int cur = 0;
  for (int step = 0; step < s.size; ++step) {
    const int owner = (s.rank - step + s.size) % s.size;
    const bool more = step + 1 < s.size;
    long long incoming = 0;
    MPI_Request req[2];
    if (more)
      incoming = ring_detail::ring_start(comm, s, rows, buf[cur].data(), rows_contiguous ? rows * width : cap * width,
                                         buf[1 - cur].data(), cap * width, req);
    if constexpr (host_readable) {
      visit(Own(buf[cur]), static_cast<int>(rows), owner);
    } else {
      Kokkos::deep_copy(on_space, buf[cur]);
      visit(on_space, static_cast<int>(rows), owner);
    }
    if (more) {
      Kokkos::fence();  // the visit may still read buf[cur] in a kernel: finish it before the buffer is reused
      MPI_Waitall(2, req, MPI_STATUSES_IGNORE);
      cur = 1 - cur;
      rows = incoming;
    }
  }
}

// The whole local block travels.
template <class Block, class Visit>
void ring_visit(MPI_Comm comm, const Block& local, Visit&& visit) {
  ring_visit(comm, local, static_cast<long long>(local.extent(0)), std::forward<Visit>(visit));
}

}  // namespace mf
