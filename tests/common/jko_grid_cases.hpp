// Grids, exact cell averages and exact JKO steps shared by the unit tests of the two grid JKO solvers
// (jko_grid: dynamic OT per step; jko_bfm: back-and-forth), so both are checked against the same answers.
#pragma once
#include <cmath>
#include <vector>

#include "measureflow/grid.hpp"
#include "models/gradient_flow/energy_terms.hpp"

namespace mf::testing {

// The no-flux box [−half, half]^dim with `cells` cells per axis.
inline GridSpec box(int dim, double half, int cells) {
  GridSpec g;
  g.dim = dim;
  for (int a = 0; a < dim; ++a) {
    g.lower[a] = -half;
    g.upper[a] = half;
    g.cells[a] = cells;
  }
  g.boundary = Boundary::NoFlux;
  return g;
}

inline double cell_h(const GridSpec& g, int a) { return (g.upper[a] - g.lower[a]) / g.cells[a]; }

inline long cell_count(const GridSpec& g) {
  long n = 1;
  for (int a = 0; a < g.dim; ++a) n *= g.cells[a];
  return n;
}

// Centre of cell q (x fastest).
inline void centre(const GridSpec& g, long q, double* x) {
  for (int a = 0; a < g.dim; ++a) {
    x[a] = g.lower[a] + (q % g.cells[a] + 0.5) * cell_h(g, a);
    q /= g.cells[a];
  }
}

// Cell averages of N(0, s²I) by the exact per-axis integrals, unit mass.
inline std::vector<double> gaussian_cells(const GridSpec& g, double s) {
  std::vector<std::vector<double>> axis(g.dim);
  for (int a = 0; a < g.dim; ++a) {
    const double h = cell_h(g, a);
    for (int i = 0; i < g.cells[a]; ++i) {
      const double x0 = g.lower[a] + i * h, x1 = x0 + h;
      axis[a].push_back(0.5 * (std::erf(x1 / (std::sqrt(2.0) * s)) - std::erf(x0 / (std::sqrt(2.0) * s))) / h);
    }
  }
  std::vector<double> rho(cell_count(g));
  double mass = 0.0, vol = 1.0;
  for (int a = 0; a < g.dim; ++a) vol *= cell_h(g, a);
  for (long q = 0; q < static_cast<long>(rho.size()); ++q) {
    long rest = q;
    double v = 1.0;
    for (int a = 0; a < g.dim; ++a) {
      v *= axis[a][rest % g.cells[a]];
      rest /= g.cells[a];
    }
    rho[q] = v;
    mass += v * vol;
  }
  for (double& v : rho) v /= mass;
  return rho;
}

// Per-axis standard deviation of a grid density about 0, with Sheppard's correction (−h²/12).
inline double spread(const GridSpec& g, const std::vector<double>& rho) {
  double m2 = 0.0, mass = 0.0, corr = 0.0;
  for (long q = 0; q < static_cast<long>(rho.size()); ++q) {
    double x[3];
    centre(g, q, x);
    double r2 = 0.0;
    for (int a = 0; a < g.dim; ++a) r2 += x[a] * x[a];
    m2 += rho[q] * r2;
    mass += rho[q];
  }
  for (int a = 0; a < g.dim; ++a) corr += cell_h(g, a) * cell_h(g, a) / 12.0;
  return std::sqrt((m2 / mass - corr) / g.dim);
}

// One exact JKO step of Ornstein–Uhlenbeck (energy ∫ρ log ρ + k|x|²/2 ρ) from N(0, s²I): the standard
// deviation after a step of size τ.
inline double ou_exact(double s, double tau, double k) {
  return (s + std::sqrt(s * s + 4.0 * tau * (1.0 + k * tau))) / (2.0 * (1.0 + k * tau));
}

inline gradient_flow::LocalEnergy ou_energy(double k) {
  gradient_flow::LocalEnergy e;
  e.internal = gradient_flow::Internal::Entropy;
  e.k = k;
  return e;
}

}  // namespace mf::testing
