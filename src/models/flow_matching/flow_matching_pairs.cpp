#include "flow_matching_pairs.hpp"

#include "measureflow/counter_rng.hpp"
#include "measureflow/particles.hpp"

namespace mf::flow_matching {

FlowMatchingPairs::FlowMatchingPairs(GaussianSource source, const TargetSampler& target, long long pairs_per_draw,
                                     std::uint64_t seed)
    : source_(std::move(source)), target_(target), pairs_(pairs_per_draw), seed_(seed) {
  MeasureSpec spec;
  spec.type = "gaussian";
  spec.dim = static_cast<int>(source_.mean.size());
  spec.mean = source_.mean;
  spec.cov = source_.cov;
  alpha0_ = make_measure(spec);
}

std::pair<long long, long long> FlowMatchingPairs::local_block(MPI_Comm comm) const {
  int rank = 0, size = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  const IdRange r = id_block(pairs_, rank, size);
  return {r.first, r.count};
}

void FlowMatchingPairs::sample(long long first, long long count, std::uint64_t draw, const FieldPoints& x0,
                               const FieldPoints& x1) const {
  // Independent streams for the two ends and for every draw.
  const std::uint64_t s0 = splitmix64(seed_ ^ splitmix64(2 * draw + 1));
  const std::uint64_t s1 = splitmix64(seed_ ^ splitmix64(2 * draw + 2));
  auto h0 = Kokkos::create_mirror_view(x0);
  auto h1 = Kokkos::create_mirror_view(x1);
  for (long long i = 0; i < count; ++i) {
    alpha0_->sample(s0, first + i, &h0(i, 0));
    target_.sample(s1, first + i, &h1(i, 0));
  }
  Kokkos::deep_copy(x0, h0);
  Kokkos::deep_copy(x1, h1);
}

}  // namespace mf::flow_matching
