// Mini-batch OT coupling: the pairs of one global batch are re-paired so that X0_i goes with the X1 the
// batch's optimal plan sends it to (Pooladian et al. 2023, Tong et al. 2023), which straightens the
// flow-matching paths. The batch is the GLOBAL one (its rows gathered from all ranks), and every rank
// computes the same coupling, so the result does not depend on the rank count.
#pragma once
#include <vector>

#include "measureflow/learned_field.hpp"

namespace mf::fields::detail {

// x0, x1: n × dim row-major, the batch in global-id order. On return x1 holds the coupled partners:
//   eps = 0, dim = 1: X1 sorted into the order of X0 (the monotone map, exact 1D OT);
//   eps = 0, dim > 1: X1 permuted by the optimal assignment (mf::ot::w2_squared_exact_assignment, the
//                     Hungarian algorithm, O(n³): batches up to a few thousand);
//   eps > 0:          X1_i replaced by the barycentric image Σ_j π_ij X1_j / Σ_j π_ij of the entropic plan
//                     (mf::ot::sinkhorn, log domain, on this rank alone).
void couple_minibatch(const CouplingConfig& cfg, int dim, int n, const std::vector<double>& x0,
                      std::vector<double>& x1);

}  // namespace mf::fields::detail
