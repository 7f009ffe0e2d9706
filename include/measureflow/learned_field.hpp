// Learned flow-matching velocity fields v_θ(t, x) fitted to sampled pairs (X0, X1) by minimising the
// flow-matching loss E_t E|v_θ(t, x_t) − (X1 − X0)|², x_t = (1 − t)X0 + tX1 (survey eq. 8), and the
// couplings that draw the pairs (independent, or mini-batch OT over a global batch).
//
// Rank independence: every reduction sums partial sums over a FIXED set of blocks ("slots") of global
// pair ids, exchanged with one MPI_Allreduce of zero-padded slot arrays (adding zeros is exact) and then
// added in slot order on every rank; the rank count only decides who computes which slot. A trained
// field is therefore bitwise the same on 1, 2, 4, ... ranks (up to kSlots ranks share the work).
#pragma once
#include <mpi.h>

#include <cstdint>
#include <memory>
#include <utility>

#include "measureflow/velocity_field.hpp"

namespace mf::fields {

enum class BasisType { Affine, RandomFeatures, Mlp };
// size: affine = number of Legendre polynomials in t (the field is b(t) + A(t)x with b, A polynomials of
// degree size − 1); random_features = number of cosine features on (t, x); mlp = hidden width.
struct BasisConfig {
  BasisType type = BasisType::Affine;
  int size = 64;
};
struct TrainingConfig {
  long long pairs = 10000;  // pairs drawn per epoch (each epoch draws fresh ones)
  int epochs = 1;
  int batch = 256;            // mlp: pairs per Adam step (a global batch over all ranks)
  double learning_rate = 1e-3;  // mlp only
  std::uint64_t seed = 1;       // times t, random features, network initialisation
};
enum class CouplingType { Independent, MinibatchOt };
// eps = 0: exact OT (sorting in 1D, assignment in d > 1); eps > 0: entropic (Sinkhorn, barycentric map).
struct CouplingConfig {
  CouplingType type = CouplingType::Independent;
  int batch = 256;
  double eps = 0.0;
};

// Training pairs (X0, X1), rank-independent: the pairs with global ids [first, first+count) are the
// same whatever rank draws them; `draw` (the epoch) gives fresh, independent draws.
class PairSource {
 public:
  virtual ~PairSource() = default;
  virtual int dim() const = 0;
  virtual long long total_pairs() const = 0;  // per epoch
  // The block of global pair ids this rank owns. The trainer does not need it (it splits every global
  // batch into fixed slots itself and asks sample() for exactly those ids), but the model uses it.
  virtual std::pair<long long, long long> local_block(MPI_Comm comm) const = 0;  // first, count
  virtual void sample(long long first, long long count, std::uint64_t draw, const FieldPoints& x0,
                      const FieldPoints& x1) const = 0;
};

struct TrainingReport {
  double final_loss = 0;  // mean |v_θ(t, x_t) − (X1 − X0)|² over the last epoch's pairs
  int epochs = 0;
  double seconds = 0;
  long long pairs = 0;      // pairs seen, all epochs
  int parameters = 0;       // trainable numbers (features × dim, or network weights)
  long long steps = 0;      // mlp: Adam steps; linear bases: 1 (one solve)
  double flops = 0;         // floating-point operations of the training (model count, see docs)
};

// Number of fixed reduction blocks a global batch is split into (the most ranks that share a batch).
constexpr int kSlots = 16;

// Trains v_θ(t, x) on the flow-matching loss with the given basis, training and coupling settings.
// affine / random_features: exact least squares by normal equations (slot sums + one Allreduce, a small
// dense Cholesky solve); mlp: Adam on global minibatches, gradients summed over slots. Collective; every
// rank returns the same field. Throws mf::InputError for bad settings, mf::SolverError on NaN.
std::unique_ptr<VelocityField> train_learned_field(MPI_Comm comm, const BasisConfig&, const TrainingConfig&,
                                                   const CouplingConfig&, const PairSource&,
                                                   TrainingReport* report = nullptr);

}  // namespace mf::fields
