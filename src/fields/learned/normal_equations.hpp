// Least squares for a field linear in its parameters, min_W Σ_i |Φ_i W − y_i|², by the normal equations
// G W = R with G = Σ φφᵀ, R = Σ φ yᵀ. Each slot of every global batch keeps its own running sums (rows
// added in global-id order), so the sums are the same numbers whichever rank holds the slot; one
// MPI_Allreduce of the zero-padded slot sums and an in-order addition give every rank the same G, R.
#pragma once
#include <mpi.h>

#include <vector>

#include "fields/learned/linear_basis.hpp"
#include "fields/learned/training_pairs.hpp"

namespace mf::fields::detail {

class NormalEquations {
 public:
  // ridge: λ relative to each diagonal entry (G_aa ← (1 + λ) G_aa).
  NormalEquations(const LinearBasis& basis, int dim, double ridge);
  // Adds the rows of the owned slots of one global batch (slot k of every batch goes to accumulator k).
  void add(const SlotSamples& s);
  struct Solution {
    Kokkos::View<double**, Kokkos::LayoutRight> weights;  // features × dim
    double loss = 0.0;                                      // mean squared residual over all rows
    long long rows = 0;
  };
  // Collective. Throws SolverError when G is not positive definite (fewer pairs than features).
  Solution solve(MPI_Comm comm) const;
  int features() const { return m_; }

 private:
  int packed_length() const { return m_ * (m_ + 1) / 2 + m_ * d_ + d_; }
  LinearBasis basis_;
  int m_, d_;
  double ridge_;
  // kSlots × packed_length: [upper triangle of G row by row | R (m × d) | Σ y_k² per k]
  Kokkos::View<double**, Kokkos::LayoutRight> sums_;
  std::vector<long long> slot_rows_;
};

}  // namespace mf::fields::detail
