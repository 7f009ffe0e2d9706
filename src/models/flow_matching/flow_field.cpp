#include "flow_field.hpp"

namespace mf::flow_matching {

void FlowField::posterior_mean(double t, const FieldPoints& x, const FieldPoints& out) const {
  evaluate(t, x, out);
  const int d = static_cast<int>(x.extent(1));
  Kokkos::parallel_for(
      "mf::flow_matching::denoise", Kokkos::RangePolicy<Kokkos::DefaultExecutionSpace>(0, x.extent(0)),
      KOKKOS_LAMBDA(const int i) {
        for (int a = 0; a < d; ++a) out(i, a) = x(i, a) + (1.0 - t) * out(i, a);
      });
  Kokkos::fence();
}

}  // namespace mf::flow_matching
