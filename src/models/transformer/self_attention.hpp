// Self-attention of a distributed weighted token set, Γ[α](x_i) = Σ_j w_j e^{⟨Qx_i, Kx_j⟩} V x_j / Z_i,
// computed with the streaming ring (no n×n storage, O(n/p · d) memory per rank). Variants: softmax,
// sphere (scores β⟨x, y⟩, values y, projected on the tangent space at x) and Sinkhorn (a few Sinkhorn
// passes make the attention doubly stochastic with respect to the token weights before the last row
// normalisation).
#pragma once
#include <mpi.h>

#include "measureflow/streaming_softmax.hpp"
#include "transformer_config.hpp"

namespace mf::transformer {

struct AttentionOptions {
  Variant variant = Variant::Softmax;
  double beta = 1.0;            // sphere
  int sinkhorn_iterations = 3;  // sinkhorn: column+row passes before the final row normalisation
};

// gamma (n_local × d) = the attention field at every local token; entropy (optional, n_local) = the
// entropy −Σ_j P_ij log P_ij of each token's attention row. Tokens with weight 0 attend but are not
// attended to. Collective over comm.
void self_attention(MPI_Comm comm, const AttentionLayer& layer, const AttentionOptions& opt, const TokenView& x,
                    const ScalarView& weights, const TokenView& gamma, const ScalarView& entropy = ScalarView());

// Weighted mean over all tokens of the per-token attention entropy (collective).
double mean_attention_entropy(MPI_Comm comm, const ScalarView& entropy, const ScalarView& weights);

}  // namespace mf::transformer
