// Rank-count-independent sums: a global batch of pair ids is cut into a fixed number of slots that
// depends only on the batch, never on the number of ranks; each rank computes the partial sums of the
// slots it owns, and the slot partials are combined in slot order on every rank.
#pragma once
#include <mpi.h>

#include <utility>
#include <vector>

namespace mf::fields::detail {

struct SlotRange {
  long long first = 0;  // global pair id
  long long count = 0;
};

// [first, first + count) cut into min(kSlots, count) consecutive slots whose sizes differ by at most one.
std::vector<SlotRange> split_slots(long long first, long long count);

// The slots [begin, end) of `nslots` that this rank works on: contiguous, near-equal shares.
std::pair<int, int> owned_slots(MPI_Comm comm, int nslots);

// `padded` holds nslots × m numbers, this rank's slots filled and the others zero. One MPI_Allreduce
// (x + 0 is exact, so every slot arrives bitwise as its owner computed it), then the slots are added in
// slot order: out = ((s_0 + s_1) + s_2) + ... on every rank.
std::vector<double> sum_slots_in_order(MPI_Comm comm, std::vector<double>& padded, int nslots, int m);

}  // namespace mf::fields::detail
