#include <array>

#include "measureflow/grid_field.hpp"
#include "measureflow/measures.hpp"

namespace mf {

namespace {
// Gauss–Legendre nodes and weights on [-1/2, 1/2] (weights sum to 1).
void gauss_legendre(int q, std::array<double, 5>& x, std::array<double, 5>& w) {
  switch (q) {
    case 1: x = {0.0}; w = {1.0}; break;
    case 2: x = {-0.2886751345948129, 0.2886751345948129}; w = {0.5, 0.5}; break;
    case 3: x = {-0.3872983346207417, 0.0, 0.3872983346207417}; w = {5.0 / 18, 8.0 / 18, 5.0 / 18}; break;
    case 4:
      x = {-0.4305681557970263, -0.1699905217924281, 0.1699905217924281, 0.4305681557970263};
      w = {0.1739274225687269, 0.3260725774312731, 0.3260725774312731, 0.1739274225687269};
      break;
    default:
      x = {-0.4530899229693320, -0.2692346550528416, 0.0, 0.2692346550528416, 0.4530899229693320};
      w = {0.1184634425280945, 0.2393143352496832, 0.2844444444444444, 0.2393143352496832, 0.1184634425280945};
      q = 5;
  }
}
}  // namespace

// Host loop: run once per initial condition or diagnostic output, not per step.
void fill_cell_averages(const Grid& grid, const std::function<double(const double*)>& density, Vec out, int q) {
  std::array<double, 5> gx{}, gw{};
  if (q < 1) q = 1;
  if (q > 5) q = 5;
  gauss_legendre(q, gx, gw);
  const int d = grid.dim();
  const int qa[3] = {q, d > 1 ? q : 1, d > 2 ? q : 1};
  const IndexBox& o = grid.owned();
  VecBlockWrite rho(out, o);
  const auto& r = rho.view();
  for (PetscInt k = 0; k < o.count[2]; ++k)
    for (PetscInt j = 0; j < o.count[1]; ++j)
      for (PetscInt i = 0; i < o.count[0]; ++i) {
        const PetscInt idx[3] = {o.start[0] + i, o.start[1] + j, o.start[2] + k};
        double sum = 0.0;
        for (int c = 0; c < qa[2]; ++c)
          for (int b = 0; b < qa[1]; ++b)
            for (int a = 0; a < qa[0]; ++a) {
              const int node[3] = {a, b, c};
              double x[3] = {0, 0, 0}, w = 1.0;
              for (int ax = 0; ax < d; ++ax) {
                x[ax] = grid.center(ax, idx[ax]) + gx[node[ax]] * grid.h(ax);
                w *= gw[node[ax]];
              }
              sum += w * density(x);
            }
        r(k, j, i) = sum;
      }
}

}  // namespace mf
