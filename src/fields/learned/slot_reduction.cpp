#include "fields/learned/slot_reduction.hpp"

#include <algorithm>

#include "measureflow/learned_field.hpp"

namespace mf::fields::detail {

std::vector<SlotRange> split_slots(long long first, long long count) {
  const long long n = std::min<long long>(kSlots, count);
  std::vector<SlotRange> slots;
  slots.reserve(static_cast<size_t>(n));
  for (long long s = 0, begin = first; s < n; ++s) {
    const long long size = count / n + (s < count % n ? 1 : 0);
    slots.push_back({begin, size});
    begin += size;
  }
  return slots;
}

std::pair<int, int> owned_slots(MPI_Comm comm, int nslots) {
  int rank = 0, size = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  const auto start = [&](int r) { return static_cast<int>((static_cast<long long>(nslots) * r) / size); };
  return {start(rank), start(rank + 1)};
}

std::vector<double> sum_slots_in_order(MPI_Comm comm, std::vector<double>& padded, int nslots, int m) {
  MPI_Allreduce(MPI_IN_PLACE, padded.data(), nslots * m, MPI_DOUBLE, MPI_SUM, comm);
  std::vector<double> out(padded.begin(), padded.begin() + m);
  for (int s = 1; s < nslots; ++s) {
    const double* p = padded.data() + static_cast<size_t>(s) * m;
    for (int k = 0; k < m; ++k) out[k] += p[k];
  }
  return out;
}

}  // namespace mf::fields::detail
