// train_learned_field: checks the settings, standardises the data from a calibration sample, then
// either accumulates and solves the normal equations (affine, random features) or runs Adam on global
// minibatches (mlp). Every global batch of pair ids is cut into fixed slots (slot_reduction.hpp), so the
// trained field is the same on any number of ranks.
#include <chrono>
#include <cmath>
#include <string>

#include "fields/learned/linear_field.hpp"
#include "fields/learned/mlp_network.hpp"
#include "fields/learned/normal_equations.hpp"
#include "fields/learned/training_pairs.hpp"
#include "measureflow/errors.hpp"
#include "measureflow/learned_field.hpp"

namespace mf::fields {

namespace {

using detail::Standardisation;

// Pairs per global batch for the least-squares fits with independent pairs: only the memory of one
// batch's features and the rounding of the sums depend on it.
constexpr long long kLinearBatch = 4096;
// Largest minibatch for the exact O(n³) assignment coupling.
constexpr int kMaxExactCouplingBatch = 4096;
// Random-features bandwidth in standardised units (data scaled to unit variance per coordinate, τ ∈ [−1, 1]).
constexpr double kRandomFeatureLengthscale = 0.5;
// Ridge of the random-features fit, relative to each feature's own Σφ_a²: 1e-2 keeps 1024 features on
// 2·10⁴ pairs from overfitting (moons: W2 0.25 instead of 5.6 with a weak 1e-6 · mean-diagonal ridge).
constexpr double kRandomFeatureRidge = 1e-2;

void check_settings(const BasisConfig& basis, const TrainingConfig& training, const CouplingConfig& coupling, int dim) {
  const auto bad = [](const std::string& key, const std::string& value, const std::string& allowed) {
    throw InputError("learned field: " + key + " = " + value + " is not allowed (" + allowed + ")");
  };
  if (basis.size < 1) bad("field.basis.size", std::to_string(basis.size), "an integer ≥ 1");
  if (training.pairs < 1) bad("field.training.pairs", std::to_string(training.pairs), "an integer ≥ 1");
  if (training.epochs < 1) bad("field.training.epochs", std::to_string(training.epochs), "an integer ≥ 1");
  if (training.batch < 1) bad("field.training.batch", std::to_string(training.batch), "an integer ≥ 1");
  if (!(training.learning_rate > 0.0) || !std::isfinite(training.learning_rate))
    bad("field.training.learning_rate", std::to_string(training.learning_rate), "a number > 0");
  if (coupling.type == CouplingType::MinibatchOt) {
    if (coupling.batch < 2) bad("coupling_batch", std::to_string(coupling.batch), "an integer ≥ 2");
    if (!(coupling.eps >= 0.0)) bad("coupling_eps", std::to_string(coupling.eps), "a number ≥ 0 (0: exact OT)");
    if (coupling.eps == 0.0 && dim > 1 && coupling.batch > kMaxExactCouplingBatch)
      bad("coupling_batch", std::to_string(coupling.batch),
          "at most " + std::to_string(kMaxExactCouplingBatch) + " with coupling_eps = 0 (exact assignment is O(n³)); or set coupling_eps > 0");
  }
  if (dim < 1 || dim > detail::LinearBasis::kMaxDim)
    bad("dimension", std::to_string(dim), "1 .. " + std::to_string(detail::LinearBasis::kMaxDim));
}

// Mean and 1/std per coordinate of X0 ∪ X1 over the first min(pairs, 4096) pairs of draw 0, computed by
// every rank from the same pairs (sampled redundantly): identical on every rank.
Standardisation calibrate(const detail::TrainingPairs& pairs, long long total, int dim) {
  FieldPoints x0, x1;
  const long long n = std::min<long long>(total, 4096);
  pairs.sample_all(0, n, 0, x0, x1);
  auto h0 = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), x0);
  auto h1 = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), x1);
  Standardisation st{Kokkos::View<double*>("mf::fields::center", dim), Kokkos::View<double*>("mf::fields::inv_scale", dim)};
  auto c = Kokkos::create_mirror_view(st.center);
  auto s = Kokkos::create_mirror_view(st.inv_scale);
  for (int k = 0; k < dim; ++k) {
    double sum = 0.0, sq = 0.0;
    for (long long i = 0; i < n; ++i) sum += h0(i, k) + h1(i, k);
    const double mean = sum / (2.0 * n);
    for (long long i = 0; i < n; ++i) sq += (h0(i, k) - mean) * (h0(i, k) - mean) + (h1(i, k) - mean) * (h1(i, k) - mean);
    const double sd = std::sqrt(sq / (2.0 * n));
    c(k) = mean;
    s(k) = sd > 1e-12 ? 1.0 / sd : 1.0;
  }
  Kokkos::deep_copy(st.center, c);
  Kokkos::deep_copy(st.inv_scale, s);
  return st;
}

std::unique_ptr<VelocityField> train_linear(MPI_Comm comm, const detail::LinearBasis& basis, const TrainingConfig& training,
                                            const CouplingConfig& coupling, const detail::TrainingPairs& pairs, int dim,
                                            TrainingReport& rep) {
  // Ridge: the affine basis is well conditioned (orthonormal Legendre in t, standardised x), so 1e-12
  // only guards round-off, far below any Monte Carlo error (checked by the affine-field test). Random
  // features nearly repeat the affine block (low frequencies) and each other; without a real ridge the
  // weights cancel on the data and the field grows linearly off it, so that samples blow up.
  const double ridge = basis.n_cos > 0 ? kRandomFeatureRidge : 1e-12;
  detail::NormalEquations ne(basis, dim, ridge);
  const long long n = training.pairs;
  const long long unit = coupling.type == CouplingType::MinibatchOt ? coupling.batch : kLinearBatch;
  for (int e = 0; e < training.epochs; ++e)
    for (long long first = 0; first < n; first += unit)
      ne.add(pairs.draw(first, std::min(unit, n - first), static_cast<std::uint64_t>(e)));
  const auto sol = ne.solve(comm);
  const double m = basis.size();
  rep.final_loss = sol.loss;
  rep.pairs = sol.rows;
  rep.parameters = static_cast<int>(m) * dim;
  rep.steps = 1;
  // Gram (upper triangle) + right-hand side + features per row, and the Cholesky solve.
  rep.flops = sol.rows * (m * (m + 1) + 2.0 * m * dim + 2.0 * basis.n_cos * (dim + 1)) + m * m * m / 3.0;
  return std::make_unique<detail::LinearField>(basis, sol.weights);
}

std::unique_ptr<VelocityField> train_mlp(MPI_Comm comm, const BasisConfig& bc, const TrainingConfig& training,
                                         const detail::TrainingPairs& pairs, const Standardisation& st, int dim,
                                         TrainingReport& rep) {
  using detail::Vector;
  detail::MlpNetwork net({dim, bc.size}, st, training.seed);
  const int np = net.shape().parameters();
  Vector m1("mf::fields::adam_m", np), m2("mf::fields::adam_v", np), grad("mf::fields::gradient", np);
  const long long n = training.pairs, unit = training.batch;
  const long long steps_per_epoch = (n + unit - 1) / unit, total_steps = steps_per_epoch * training.epochs;
  const double beta1 = 0.9, beta2 = 0.999, adam_eps = 1e-8;
  long long step = 0;
  double epoch_loss = 0.0;
  auto host_grad = Kokkos::create_mirror_view(grad);
  for (int e = 0; e < training.epochs; ++e) {
    epoch_loss = 0.0;
    for (long long first = 0; first < n; first += unit) {
      const long long count = std::min(unit, n - first);
      const detail::SlotSamples s = pairs.draw(first, count, static_cast<std::uint64_t>(e));
      const int nslots = static_cast<int>(s.slots.size());
      std::vector<double> padded(static_cast<size_t>(nslots) * (np + 1), 0.0);
      for (int k = s.slot_begin; k < s.slot_end; ++k) {
        const int r0 = s.row_offset[k - s.slot_begin], rows = s.row_offset[k - s.slot_begin + 1] - r0;
        Kokkos::deep_copy(grad, 0.0);
        const auto act = net.forward(s.t, 0.0, s.xt, r0, rows);
        const double loss = net.backward(act, s.target, r0, 1.0 / count, grad);
        Kokkos::deep_copy(host_grad, grad);
        double* slot = padded.data() + static_cast<size_t>(k) * (np + 1);
        std::copy(host_grad.data(), host_grad.data() + np, slot);
        slot[np] = loss;
      }
      const std::vector<double> total = detail::sum_slots_in_order(comm, padded, nslots, np + 1);
      if (!std::isfinite(total[np]))
        throw SolverError("learned field (mlp): the training loss is not finite at epoch " + std::to_string(e) +
                          "; lower field.training.learning_rate");
      epoch_loss += total[np];
      std::copy(total.begin(), total.begin() + np, host_grad.data());
      Kokkos::deep_copy(grad, host_grad);
      // Adam with a cosine decay of the step size to zero over the whole run.
      ++step;
      const double lr = training.learning_rate * 0.5 * (1.0 + std::cos(M_PI * double(step - 1) / double(total_steps)));
      const double c1 = 1.0 - std::pow(beta1, double(step)), c2 = 1.0 - std::pow(beta2, double(step));
      Vector p = net.parameters();
      Kokkos::parallel_for(
          "mf::fields::adam_update", Kokkos::RangePolicy<>(0, np), KOKKOS_LAMBDA(const int i) {
            const double g = grad(i);
            m1(i) = beta1 * m1(i) + (1.0 - beta1) * g;
            m2(i) = beta2 * m2(i) + (1.0 - beta2) * g * g;
            p(i) -= lr * (m1(i) / c1) / (kmath::sqrt(m2(i) / c2) + adam_eps);
          });
      Kokkos::fence();
    }
  }
  rep.final_loss = epoch_loss / double(n);
  rep.pairs = n * training.epochs;
  rep.parameters = np;
  rep.steps = step;
  // Forward (1 multiply-add per weight and row) + backward (2): 6 flop per weight per row.
  rep.flops = 6.0 * net.shape().forward_macs() * double(rep.pairs);
  return std::make_unique<detail::MlpField>(std::move(net));
}

}  // namespace

std::unique_ptr<VelocityField> train_learned_field(MPI_Comm comm, const BasisConfig& basis, const TrainingConfig& training,
                                                   const CouplingConfig& coupling, const PairSource& source,
                                                   TrainingReport* report) {
  const int dim = source.dim();
  check_settings(basis, training, coupling, dim);
  const auto t0 = std::chrono::steady_clock::now();
  const detail::TrainingPairs pairs(comm, source, coupling, training.seed);
  const Standardisation st = calibrate(pairs, training.pairs, dim);
  TrainingReport rep;
  rep.epochs = training.epochs;
  std::unique_ptr<VelocityField> field;
  switch (basis.type) {
    case BasisType::Affine:
      field = train_linear(comm, detail::make_affine_basis(dim, basis.size, st), training, coupling, pairs, dim, rep);
      break;
    case BasisType::RandomFeatures:
      field = train_linear(comm,
                           detail::make_random_features_basis(dim, basis.size, kRandomFeatureLengthscale, training.seed, st),
                           training, coupling, pairs, dim, rep);
      break;
    case BasisType::Mlp:
      field = train_mlp(comm, basis, training, pairs, st, dim, rep);
      break;
  }
  rep.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  // Rank 0's clock for everyone, so a report compared across ranks is the same.
  MPI_Bcast(&rep.seconds, 1, MPI_DOUBLE, 0, comm);
  if (report) *report = rep;
  return field;
}

}  // namespace mf::fields
