// The affine basis: v(t, x) = b(t) + A(t)(x − c), b and A polynomials in t of degree time_terms − 1.
// With Gaussian endpoints the flow-matching field is exactly of this form for every t (Prop. 3.2 of the
// survey; A(t) is smooth on [0, 1]), and for any α1 the least-squares fit of this form is the Prop. 3.2
// field of the Gaussian with α1's mean and covariance (the best affine predictor of X1 − X0 from x_t
// only sees first and second moments).
#include "fields/learned/linear_basis.hpp"

#include "measureflow/errors.hpp"

namespace mf::fields::detail {

LinearBasis make_affine_basis(int dim, int time_terms, const Standardisation& st) {
  if (dim < 1 || dim > LinearBasis::kMaxDim)
    throw InputError("learned field: dimension " + std::to_string(dim) + " is outside 1 .. " +
                     std::to_string(LinearBasis::kMaxDim));
  LinearBasis b;
  b.dim = dim;
  b.time_terms = time_terms;
  b.center = st.center;
  b.inv_scale = st.inv_scale;
  b.frequency = Kokkos::View<double**, Kokkos::LayoutRight>("mf::fields::frequency", 0, dim + 1);
  b.phase = Kokkos::View<double*>("mf::fields::phase", 0);
  return b;
}

}  // namespace mf::fields::detail
