// The back-and-forth JKO step (jko_bfm.cpp) against exact JKO steps — Ornstein–Uhlenbeck from a centred
// Gaussian (s' = (s + √(s² + 4τ(1 + kτ)))/(2(1 + kτ))) and the porous medium's Barenblatt dilation — and
// its pieces on their own: the separable c-transform against the brute-force minimum, the no-flux
// cosine-transform preconditioner against its operator, the density as the conjugate's derivative.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <vector>

#include "jko_grid_cases.hpp"
#include "measureflow/measures.hpp"
#include "models/gradient_flow/gradient_flow_closed_form.hpp"
#include "models/gradient_flow/jko_bfm.hpp"
#include "models/gradient_flow/jko_c_transform.hpp"
#include "models/gradient_flow/neumann_dct_solver.hpp"

using namespace mf;
using namespace mf::gradient_flow;
using namespace mf::testing;

namespace {

// Barenblatt cell averages at time t by a 4^d-point midpoint rule per cell.
std::vector<double> barenblatt_cells(const GridSpec& g, double m, double t) {
  const Barenblatt b(g.dim, m);
  std::vector<double> rho(cell_count(g));
  const int k = 4, sub = g.dim == 1 ? k : g.dim == 2 ? k * k : k * k * k;
  for (long q = 0; q < static_cast<long>(rho.size()); ++q) {
    double c[3];
    centre(g, q, c);
    double acc = 0.0;
    for (int p = 0; p < sub; ++p) {
      double x[3] = {0, 0, 0};
      int rest = p;
      for (int a = 0; a < g.dim; ++a) {
        x[a] = c[a] + ((rest % k + 0.5) / k - 0.5) * cell_h(g, a);
        rest /= k;
      }
      acc += b.density(t, x);
    }
    rho[q] = acc / sub;
  }
  return rho;
}

double l1_relative(const std::vector<double>& a, const std::vector<double>& b) {
  double d = 0.0, n = 0.0;
  for (size_t i = 0; i < a.size(); ++i) {
    d += std::abs(a[i] - b[i]);
    n += std::abs(b[i]);
  }
  return d / n;
}

LocalEnergy porous(double m) {
  LocalEnergy e;
  e.internal = Internal::Porous;
  e.m = m;
  return e;
}

}  // namespace

TEST(GradientFlowJkoBfm, CTransformIsTheExactGridMinimum) {
  // in^c(y) = min_x |x − y|²/(2τ) − in(x) over all cell centres, against the brute-force minimum.
  for (int dim : {1, 2, 3}) {
    const GridSpec g = box(dim, 1.0, dim == 3 ? 7 : dim == 2 ? 13 : 40);
    const long n = cell_count(g);
    std::vector<double> in(n), out;
    for (long q = 0; q < n; ++q) in[q] = std::sin(2.3 * q + 0.7) + 0.3 * std::cos(0.37 * q * q);
    std::array<long, 3> cells{1, 1, 1};
    std::array<double, 3> h{1, 1, 1};
    for (int a = 0; a < dim; ++a) {
      cells[a] = g.cells[a];
      h[a] = cell_h(g, a);
    }
    for (double tau : {0.003, 0.05, 1.0}) {
      GridCTransform ct(dim, cells, h);
      ct.apply(in, out, tau);
      double worst = 0.0;
      for (long y = 0; y < n; ++y) {
        double yc[3], best = 1e300;
        centre(g, y, yc);
        for (long x = 0; x < n; ++x) {
          double xc[3], d2 = 0.0;
          centre(g, x, xc);
          for (int a = 0; a < dim; ++a) d2 += (xc[a] - yc[a]) * (xc[a] - yc[a]);
          best = std::min(best, d2 / (2.0 * tau) - in[x]);
        }
        worst = std::max(worst, std::abs(out[y] - best) / (1.0 + std::abs(best)));
      }
      EXPECT_LT(worst, 1e-12) << "dim " << dim << " tau " << tau;
    }
  }
}

TEST(GradientFlowJkoBfm, CosinePreconditionerInvertsItsOperator) {
  for (int dim : {1, 2, 3}) {
    const GridSpec g = box(dim, 1.0, dim == 3 ? 6 : 10);
    const long n = cell_count(g);
    std::vector<double> u(n), r(n), back;
    for (long q = 0; q < n; ++q) u[q] = std::sin(1.7 * q + 0.3);
    const double a = 0.5, b = 0.02;
    long stride = 1;
    for (long q = 0; q < n; ++q) r[q] = a * u[q];
    for (int ax = 0; ax < dim; ++ax) {
      const long c = g.cells[ax];
      const double h2 = cell_h(g, ax) * cell_h(g, ax);
      for (long q = 0; q < n; ++q) {
        const long i = (q / stride) % c;
        if (i > 0) r[q] += b * (u[q] - u[q - stride]) / h2;
        if (i + 1 < c) r[q] += b * (u[q] - u[q + stride]) / h2;
      }
      stride *= c;
    }
    NeumannDctSolver p(g);
    p.solve(r, back, a, b);
    double err = 0.0;
    for (long q = 0; q < n; ++q) err = std::max(err, std::abs(back[q] - u[q]));
    EXPECT_LT(err, 1e-12) << "dim " << dim;
  }
}

TEST(GradientFlowJkoBfm, DensityIsTheDerivativeOfTheConjugate) {
  // ρ_φ = (U*)'(−φ) = −∂/∂φ Σ U*(−φ), checked by central differences, porous m = 1.5, 2, 3 and entropy.
  const GridSpec g = box(1, 1.0, 8);
  std::vector<LocalEnergy> energies = {porous(1.5), porous(2.0), porous(3.0), ou_energy(0.7)};
  for (const LocalEnergy& e : energies) {
    JkoBfmSolver s(g, e, JkoBfmOptions{});
    std::vector<double> phi(8), rho;
    for (int i = 0; i < 8; ++i) phi[i] = -0.85 + 0.3 * i;  // both sides of the porous support edge, not on it
    s.density_from_potential(phi, rho);
    for (int i = 0; i < 8; ++i) {
      std::vector<double> up = phi, down = phi;
      const double d = 1e-6;
      up[i] += d;
      down[i] -= d;
      const double fd = -(s.conjugate_sum(up) - s.conjugate_sum(down)) / (2.0 * d);
      EXPECT_NEAR(rho[i], fd, 1e-7 * (1.0 + rho[i])) << "cell " << i << " m " << e.m;
    }
  }
}

TEST(GradientFlowJkoBfm, OrnsteinUhlenbeckStepFollowsTheExactRecursion) {
  // One step from N(0, 0.3² I), k = 1, τ = 0.01: spread against the exact Gaussian JKO step and the step's
  // W2² (from the map y − τ∇ψ) against d (s' − s)², in 1D, 2D and 3D.
  const double s0 = 0.3, tau = 0.01, k = 1.0, exact = ou_exact(s0, tau, k);
  // 3D (24³) diverges (mismatch 0.28 after 5000 iterations): not claimed.
  for (int dim : {1, 2}) {
    const GridSpec g = box(dim, 2.0, dim == 1 ? 200 : 64);
    JkoBfmOptions opt;
    // The 2D mismatch stalls near 3.7e-4 (the preconditioner's single density scale suits the Gaussian's
    // tails badly), so 2D stops at 5e-4. Measured, not hidden: see docs/gradient_flow.md.
    opt.tolerance = dim == 1 ? 3e-4 : 5e-4;
    opt.max_iterations = 5000;
    JkoBfmSolver solver(g, ou_energy(k), opt);
    std::vector<double> rho = gaussian_cells(g, s0);
    const JkoStepStats st = solver.step(rho, tau);
    const double err = std::abs(spread(g, rho) - exact) / exact;
    const double w2_exact = dim * (exact - s0) * (exact - s0);
    const double w2_err = std::abs(st.w2sq - w2_exact) / w2_exact;
    std::printf("OU %dD, %ld cells: spread error %.2e, W2² error %.2e, %d iterations\n", dim, (long)g.cells[0], err,
                w2_err, st.iterations);
    EXPECT_LT(err, 5e-3);  // measured 1.14e-3 (1D), 1.11e-3 (2D)
    EXPECT_LT(w2_err, 0.05);  // measured 1.01e-2, 1.85e-3
  }
}

TEST(GradientFlowJkoBfm, BarenblattStepW2MatchesTheDilationAsTauShrinks) {
  // Porous m = 2 from the Barenblatt profile at t = 0.1: the step's W2² against the exact
  // ((t+τ)^β − t^β)² M2(1); the JKO step differs from the PDE by O(τ), so the error halves with τ.
  for (int dim : {1, 2}) {
    const double m = 2.0, t = 0.1, beta = 1.0 / (dim * (m - 1.0) + 2.0);
    const GridSpec g = box(dim, 1.5, dim == 1 ? 300 : 96);
    std::vector<double> err;
    for (double tau : {0.004, 0.002, 0.001}) {
      std::vector<double> rho = barenblatt_cells(g, m, t);
      JkoBfmOptions opt;
      opt.tolerance = 1e-4;
      opt.max_iterations = 5000;
      JkoBfmSolver solver(g, porous(m), opt);
      const JkoStepStats st = solver.step(rho, tau);
      const double gap = std::pow(t + tau, beta) - std::pow(t, beta);
      const double exact = gap * gap * barenblatt_unit_second_moment(dim, m);
      err.push_back(std::abs(st.w2sq - exact) / exact);
      std::printf("Barenblatt %dD, τ = %.4f: W2² %.5e exact %.5e (relative %.3e), %d iterations\n", dim, tau, st.w2sq,
                  exact, err.back(), st.iterations);
    }
    // Measured: 1D 2.4e-2, 2.0e-2, 1.3e-2; 2D 4.8e-2, 2.6e-2, 1.5e-2 (first order in τ in 2D; in 1D
    // the h part, 300 cells, is of the same size).
    EXPECT_LT(err[2], 0.02);
    if (dim == 2) EXPECT_LT(err[2], err[0] / 2.5);
    else EXPECT_LT(err[2], err[0]);
  }
}
