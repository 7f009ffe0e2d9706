// Training pairs (X0, X1) for the learned field, drawn from the model's endpoint samplers: pair number
// `id` of draw `draw` (e.g. the epoch) is a pure function of (seed, draw, id), so the pairs with global
// ids [first, first + count) are the same whichever rank draws them. The learned-field library
// (include/measureflow/learned_field.hpp) consumes them through mf::fields::PairSource.
#pragma once
#include <mpi.h>

#include <cstdint>
#include <utility>

#include "flow_matching_targets.hpp"
#include "measureflow/learned_field.hpp"

namespace mf::flow_matching {

class FlowMatchingPairs : public mf::fields::PairSource {
 public:
  // target must outlive this object.
  FlowMatchingPairs(GaussianSource source, const TargetSampler& target, long long pairs_per_draw, std::uint64_t seed);
  int dim() const override { return static_cast<int>(source_.mean.size()); }
  long long total_pairs() const override { return pairs_; }
  // This rank's id block of [0, total_pairs()).
  std::pair<long long, long long> local_block(MPI_Comm comm) const override;
  // Rows 0..count−1 of x0, x1 (host-accessible, n ≥ count × dim) = pairs first..first+count−1 of `draw`.
  void sample(long long first, long long count, std::uint64_t draw, const FieldPoints& x0,
              const FieldPoints& x1) const override;

 private:
  GaussianSource source_;
  const TargetSampler& target_;
  long long pairs_;
  std::uint64_t seed_;
  std::unique_ptr<Measure> alpha0_;
};

}  // namespace mf::flow_matching
