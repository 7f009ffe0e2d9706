// Point clouds of the static solver's tests (certified exact step, bracketed solver): uniform clouds, the
// image of one under a convex-gradient affine map (whose exact discrete W2² is known), and the bins.
#pragma once
#include <algorithm>
#include <cmath>
#include <random>

#include "measureflow/ot/multiscale_sinkhorn.hpp"

namespace mf::testing {

inline mf::ot::HostCloud uniform_cloud(int n, int d, unsigned seed, bool random_weights) {
  std::mt19937_64 gen(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  mf::ot::HostCloud c;
  c.dim = d;
  for (int i = 0; i < n * d; ++i) c.positions.push_back(u(gen));
  for (int i = 0; i < n; ++i) c.weights.push_back(random_weights ? 0.2 + u(gen) : 1.0);
  return c;
}

// y = A x + b, A = R diag(λ) Rᵀ symmetric positive definite with distinct eigenvalues: the gradient of
// the convex ½ xᵀA x + b·x, hence the optimal map between the two uniform clouds.
inline mf::ot::HostCloud convex_gradient_image(const mf::ot::HostCloud& x) {
  const int d = x.dim;
  const double lam[3] = {0.7, 1.25, 0.9}, b[3] = {0.1, -0.05, 0.08}, t = 0.6;
  double R[3][3] = {{std::cos(t), -std::sin(t), 0.0}, {std::sin(t), std::cos(t), 0.0}, {0.0, 0.0, 1.0}};
  if (d == 3) {  // a second rotation so no axis is special
    const double s = 0.4, Q[3][3] = {{1.0, 0.0, 0.0}, {0.0, std::cos(s), -std::sin(s)}, {0.0, std::sin(s), std::cos(s)}};
    double P[3][3] = {};
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j)
        for (int k = 0; k < 3; ++k) P[i][j] += R[i][k] * Q[k][j];
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j) R[i][j] = P[i][j];
  }
  mf::ot::HostCloud y = x;
  for (std::size_t p = 0; p < x.size(); ++p)
    for (int i = 0; i < d; ++i) {
      double s = b[i];
      for (int j = 0; j < d; ++j) {
        double a = 0.0;
        for (int k = 0; k < d; ++k) a += R[i][k] * lam[k] * R[j][k];
        s += a * x.positions[d * p + j];
      }
      y.positions[d * p + i] = s;
    }
  return y;
}

// The bins of [-1, 1]² cut into cells × cells squares (the grid view's lattice in the multiscale tests).
inline mf::ot::BinLattice square_lattice(int cells) {
  mf::ot::BinLattice l;
  l.dim = 2;
  for (int a = 0; a < 2; ++a) {
    l.lower[a] = -1.0;
    l.h[a] = 2.0 / cells;
    l.cells[a] = cells;
  }
  return l;
}

// The lattice's cell centres with the mass of a Gaussian of variances (sx, sy) centred at (cx, cy): a grid view.
inline mf::ot::HostCloud gaussian_cells(const mf::ot::BinLattice& l, double cx, double cy, double sx, double sy) {
  mf::ot::HostCloud c;
  c.dim = 2;
  for (int j = 0; j < l.cells[1]; ++j)
    for (int i = 0; i < l.cells[0]; ++i) {
      const double x = l.lower[0] + (i + 0.5) * l.h[0], y = l.lower[1] + (j + 0.5) * l.h[1];
      c.positions.push_back(x);
      c.positions.push_back(y);
      c.weights.push_back(std::exp(-0.5 * ((x - cx) * (x - cx) / sx + (y - cy) * (y - cy) / sy)));
    }
  return c;
}

inline mf::ot::BinLattice lattice_for(const mf::ot::HostCloud& x, const mf::ot::HostCloud& y, int bins_per_side) {
  mf::ot::BinLattice l;
  l.dim = x.dim;
  for (int a = 0; a < l.dim; ++a) {
    double lo = 1e300, hi = -1e300;
    for (const mf::ot::HostCloud* c : {&x, &y})
      for (std::size_t i = 0; i < c->size(); ++i) {
        lo = std::min(lo, c->positions[l.dim * i + a]);
        hi = std::max(hi, c->positions[l.dim * i + a]);
      }
    l.lower[a] = lo;
    l.cells[a] = bins_per_side;
    l.h[a] = (hi - lo) / bins_per_side;
  }
  return l;
}

// (1/n) Σ |x_i − y_i|²: the exact discrete W2² when y is x's image under a convex gradient.
inline double identity_matching_cost(const mf::ot::HostCloud& x, const mf::ot::HostCloud& y) {
  double s = 0.0;
  for (std::size_t i = 0; i < x.positions.size(); ++i)
    s += (x.positions[i] - y.positions[i]) * (x.positions[i] - y.positions[i]);
  return s / static_cast<double>(x.size());
}

}  // namespace mf::testing
