// The grid view of the transformer PDE: token density on the DMDA, Γ[ρ] by quadrature over all cells
// through the streaming kernel, finite-volume transport. Its covariance converges to the Gaussian
// closure as h → 0 in 1D and 2D, and a small 3D grid follows it too. Mass is conserved to round-off.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "measureflow/moments.hpp"
#include "models/transformer/transformer_views.hpp"

using namespace mf;
using namespace mf::transformer;

namespace {

AttentionLayer make_layer(const Matrix& Q, const Matrix& K, const Matrix& V) {
  AttentionLayer l;
  l.Q = Q;
  l.K = K;
  l.V = V;
  return l;
}

GridSpec box(int dim, double lo, double hi, PetscInt n) {
  GridSpec g;
  g.dim = dim;
  for (int a = 0; a < dim; ++a) {
    g.lower[a] = lo;
    g.upper[a] = hi;
    g.cells[a] = n;
  }
  g.boundary = Boundary::NoFlux;
  return g;
}

double total_mass(const Grid& g, Vec rho) {
  PetscScalar s = 0.0;
  PetscCallThrow(VecSum(rho, &s));
  return s * g.cell_volume();
}

// Relative covariance error of the grid against the closure at time t, for each resolution.
std::vector<double> grid_errors(const AttentionLayer& l, const Vector& m0, const Matrix& S0, double lo, double hi,
                                const std::vector<PetscInt>& cells, double t) {
  MeasureSpec s;
  s.type = "gaussian";
  s.dim = static_cast<int>(m0.size());
  s.mean = m0;
  s.cov = S0;
  const auto mu = make_measure(s);
  const ClosureResult exact = closure_rk4_integrate({l}, {m0, S0}, 0.0, t);
  EXPECT_FALSE(exact.blew_up);
  std::vector<double> errs;
  for (PetscInt n : cells) {
    TransformerEulerian view(box(s.dim, lo, hi, n), MPI_COMM_SELF, *mu, {l}, {}, Limiter::MC, 0.4);
    const double mass0 = total_mass(view.grid(), view.density());
    view.advance(0.0, t);
    EXPECT_NEAR(total_mass(view.grid(), view.density()), mass0, 1e-12);
    const Moments m = grid_moments(view.grid(), view.density());
    errs.push_back(frobenius_norm(m.cov - exact.state.S) / frobenius_norm(exact.state.S));
  }
  return errs;
}

}  // namespace

TEST(TransformerGrid, CovarianceConvergesToTheClosureIn1D) {
  const AttentionLayer l = make_layer(Matrix::from_rows({{1.5}}), Matrix::from_rows({{1.0}}), Matrix::from_rows({{0.8}}));
  const auto e = grid_errors(l, {0.2}, Matrix::from_rows({{0.2}}), -3.0, 3.0, {32, 64, 128, 256}, 0.5);
  std::printf("1D cov error: N=32 %.3e 64 %.3e 128 %.3e 256 %.3e\n", e[0], e[1], e[2], e[3]);
  for (size_t k = 0; k + 1 < e.size(); ++k) EXPECT_GT(std::log2(e[k] / e[k + 1]), 1.5);
  EXPECT_LT(e.back(), 1e-3);
}

TEST(TransformerGrid, CovarianceConvergesToTheClosureIn2D) {
  const AttentionLayer l = make_layer(Matrix::from_rows({{1.0, 0.4}, {-0.3, 0.8}}), Matrix::from_rows({{0.9, 0.1}, {0.2, 1.1}}),
                                      Matrix::from_rows({{0.6, 0.2}, {-0.3, 0.5}}));
  const auto e = grid_errors(l, {0.2, -0.1}, Matrix::from_rows({{0.30, 0.08}, {0.08, 0.20}}), -3.0, 3.0, {16, 32, 64}, 0.3);
  std::printf("2D cov error: N=16 %.3e 32 %.3e 64 %.3e\n", e[0], e[1], e[2]);
  EXPECT_GT(std::log2(e[0] / e[1]), 1.5);
  EXPECT_GT(std::log2(e[1] / e[2]), 1.5);
}

TEST(TransformerGrid, SmallThreeDimensionalGridFollowsTheClosure) {
  const AttentionLayer l = make_layer(0.8 * Matrix::identity(3), Matrix::from_rows({{1.0, 0.2, 0.0}, {0.0, 0.9, 0.1}, {0.1, 0.0, 1.1}}),
                                      Matrix::identity(3));
  const auto e = grid_errors(l, {0.1, 0.0, -0.1}, Matrix::from_rows({{0.2, 0.02, 0.0}, {0.02, 0.15, 0.0}, {0.0, 0.0, 0.25}}),
                             -2.5, 2.5, {10, 20}, 0.2);
  std::printf("3D cov error: N=10 %.3e 20 %.3e\n", e[0], e[1]);
  EXPECT_GT(std::log2(e[0] / e[1]), 1.5);
  EXPECT_LT(e[1], 0.06);
}
