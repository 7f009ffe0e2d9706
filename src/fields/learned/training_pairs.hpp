// The training samples of one global batch of pair ids, as this rank sees them: the pairs of the slots
// it owns (coupled over the whole global batch when the coupling is minibatch_ot), their times t and
// the flow-matching regression data (x_t, X1 − X0).
#pragma once
#include <mpi.h>

#include <vector>

#include "fields/learned/slot_reduction.hpp"
#include "measureflow/learned_field.hpp"

namespace mf::fields::detail {

using Column = Kokkos::View<double*>;

struct SlotSamples {
  std::vector<SlotRange> slots;    // all slots of the batch
  int slot_begin = 0, slot_end = 0;  // the ones owned here
  std::vector<int> row_offset;     // first local row of owned slot s (index s − slot_begin); one extra at the end
  Column t;                        // local rows
  FieldPoints xt;                  // (1 − t) X0 + t X1
  FieldPoints target;              // X1 − X0
  int rows() const { return static_cast<int>(t.extent(0)); }
};

class TrainingPairs {
 public:
  TrainingPairs(MPI_Comm comm, const PairSource& source, const CouplingConfig& coupling, std::uint64_t seed);
  // Collective: every rank calls it with the same (first, count, draw).
  SlotSamples draw(long long first, long long count, std::uint64_t draw) const;
  // Every pair of [first, first + count) on this rank alone (no coupling): for calibration.
  void sample_all(long long first, long long count, std::uint64_t draw, FieldPoints& x0, FieldPoints& x1) const;

 private:
  MPI_Comm comm_;
  const PairSource& source_;
  CouplingConfig coupling_;
  std::uint64_t seed_;
};

}  // namespace mf::fields::detail
