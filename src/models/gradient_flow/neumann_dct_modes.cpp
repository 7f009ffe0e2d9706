#include "neumann_dct_modes.hpp"

#include <cmath>

namespace mf::gradient_flow {

NeumannDctModes neumann_dct_modes(const GridSpec& space) {
  const int d = space.dim;
  NeumannDctModes m;
  for (int k = 0; k < d; ++k) {
    const int a = d - 1 - k;
    m.dims[k] = static_cast<int>(space.cells[a]);
    m.scale /= 2.0 * static_cast<double>(space.cells[a]);
    m.size *= space.cells[a];
  }
  m.eigen.assign(m.size, 0.0);
  for (long idx = 0; idx < m.size; ++idx) {
    long rest = idx;
    double lam = 0.0;
    for (int a = 0; a < d; ++a) {
      const long n = space.cells[a];
      const long k = rest % n;
      rest /= n;
      const double h = (space.upper[a] - space.lower[a]) / static_cast<double>(n);
      const double s = std::sin(M_PI * static_cast<double>(k) / (2.0 * static_cast<double>(n)));
      lam += 4.0 * s * s / (h * h);
    }
    m.eigen[idx] = lam;
  }
  return m;
}

}  // namespace mf::gradient_flow
