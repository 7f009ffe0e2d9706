// Random Fourier features on (τ, x̃) (Rahimi & Recht 2007): cos(ω·z + b) with Gaussian ω approximates
// the Gaussian kernel of bandwidth ℓ, so the least-squares fit is kernel ridge regression with a
// growing number of features: richer as n_cos grows, always solved exactly by normal equations.
#include <cmath>

#include "fields/learned/linear_basis.hpp"
#include "measureflow/counter_rng.hpp"
#include "measureflow/errors.hpp"

namespace mf::fields::detail {

LinearBasis make_random_features_basis(int dim, int n_cos, double lengthscale, std::uint64_t seed,
                                       const Standardisation& st) {
  LinearBasis b = make_affine_basis(dim, 2, st);
  b.n_cos = n_cos;
  b.amplitude = std::sqrt(2.0 / n_cos);
  b.frequency = Kokkos::View<double**, Kokkos::LayoutRight>("mf::fields::frequency", n_cos, dim + 1);
  b.phase = Kokkos::View<double*>("mf::fields::phase", n_cos);
  auto f = Kokkos::create_mirror_view(b.frequency);
  auto p = Kokkos::create_mirror_view(b.phase);
  const std::uint64_t key = seed ^ 0x2545f4914f6cdd1dULL;
  for (int j = 0; j < n_cos; ++j) {
    const CounterRng rng(key, static_cast<std::uint64_t>(j));
    for (int c = 0; c <= dim; ++c) f(j, c) = rng.normal(static_cast<std::uint64_t>(c)) / lengthscale;
    p(j) = 2.0 * M_PI * rng.uniform(static_cast<std::uint64_t>(2 * (dim + 1)));
  }
  Kokkos::deep_copy(b.frequency, f);
  Kokkos::deep_copy(b.phase, p);
  return b;
}

}  // namespace mf::fields::detail
