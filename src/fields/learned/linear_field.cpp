#include "fields/learned/linear_field.hpp"

namespace mf::fields::detail {

void LinearField::evaluate(double t, const FieldPoints& x, const FieldPoints& out) const {
  const LinearBasis basis = basis_;
  const auto w = weights_;
  const int d = basis.dim;
  Kokkos::parallel_for(
      "mf::fields::evaluate_linear_field", Kokkos::RangePolicy<>(0, x.extent(0)), KOKKOS_LAMBDA(const int i) {
        double v[LinearBasis::kMaxDim] = {};
        basis.visit(t, x, i, [&](int a, double phi) {
          for (int c = 0; c < d; ++c) v[c] += phi * w(a, c);
        });
        for (int c = 0; c < d; ++c) out(i, c) = v[c];
      });
  Kokkos::fence();
}

}  // namespace mf::fields::detail
