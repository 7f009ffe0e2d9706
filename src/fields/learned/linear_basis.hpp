// A basis of functions of (t, x) in which the affine and random-features fields are linear:
//   v(t, x) = Σ_a W_a φ_a(t, x),  W_a ∈ R^d,
//   φ = [ P_k(τ) · (1, x̃_1, ..., x̃_d) ]_{k < time_terms}  ++  [ A cos(ω_j·(τ, x̃) + b_j) ]_{j < n_cos},
// with τ = 2t − 1 ∈ [−1, 1], P_k the Legendre polynomials normalised to unit mean square on [−1, 1]
// (so the Gram matrix of uniform t is well conditioned), and x̃ = (x − c) ⊙ s the data standardised by
// a calibration sample (mean c, 1/std s). The time-dependent affine block is what makes the affine basis
// able to reproduce the Gaussian flow-matching field b(t) + A(t)x exactly in the limit of many terms.
#pragma once
#include <Kokkos_Core.hpp>

#include "measureflow/kokkos_math.hpp"

namespace mf::fields::detail {

struct LinearBasis {
  int dim = 0;
  int time_terms = 0;  // Legendre polynomials multiplying (1, x̃)
  int n_cos = 0;       // random Fourier features
  double amplitude = 0.0;
  Kokkos::View<double*> center, inv_scale;                // dim
  Kokkos::View<double**, Kokkos::LayoutRight> frequency;  // n_cos × (dim + 1): (ω_τ, ω_x)
  Kokkos::View<double*> phase;                            // n_cos

  int size() const { return time_terms * (dim + 1) + n_cos; }

  // Calls f(a, φ_a) for a = 0 .. size() − 1 at (t, x(i, :)). Device code; no storage of its own beyond
  // the standardised point (dim ≤ kMaxDim).
  static constexpr int kMaxDim = 16;
  template <class Points, class F>
  KOKKOS_INLINE_FUNCTION void visit(double t, const Points& x, int i, F&& f) const {
    double xs[kMaxDim];
    for (int k = 0; k < dim; ++k) xs[k] = (x(i, k) - center(k)) * inv_scale(k);
    const double tau = 2.0 * t - 1.0;
    double p_prev = 0.0, p = 1.0;  // unnormalised Legendre P_{k−1}, P_k
    int a = 0;
    for (int k = 0; k < time_terms; ++k) {
      const double pk = p * kmath::sqrt(2.0 * k + 1.0);
      f(a++, pk);
      for (int c = 0; c < dim; ++c) f(a++, pk * xs[c]);
      const double next = ((2.0 * k + 1.0) * tau * p - k * p_prev) / (k + 1.0);
      p_prev = p;
      p = next;
    }
    for (int j = 0; j < n_cos; ++j) {
      double arg = phase(j) + frequency(j, 0) * tau;
      for (int c = 0; c < dim; ++c) arg += frequency(j, c + 1) * xs[c];
      f(a++, amplitude * kmath::cos(arg));
    }
  }
};

// Mean and 1/std of each coordinate of the pooled endpoints X0 ∪ X1 (rows × dim, host or device).
struct Standardisation {
  Kokkos::View<double*> center, inv_scale;
};

// The two bases (affine_basis.cpp, random_features_basis.cpp).
LinearBasis make_affine_basis(int dim, int time_terms, const Standardisation& st);
// n_cos features with frequencies ω ~ N(0, I / ℓ²) in the standardised (τ, x̃) variables and phases
// b ~ U(0, 2π), drawn from the counter RNG by (seed, feature index): the same on every rank. The basis
// also keeps the affine block with time_terms = 2 (linear in t), so it contains the affine field of
// degree 1 in t and only has to learn the non-linear rest.
LinearBasis make_random_features_basis(int dim, int n_cos, double lengthscale, std::uint64_t seed,
                                       const Standardisation& st);

}  // namespace mf::fields::detail
