// The pointwise proximal maps of the grid JKO step (jko_grid.cpp): the kinetic action |m|²/(2ρ) of one
// space-time cell and the local energy U(ρ) + Vρ of one cell at the final time. Scalar functions, so the
// same source runs inside a Kokkos kernel on any execution space.
#pragma once
#include "energy_terms.hpp"
#include "measureflow/kokkos_math.hpp"

namespace mf::gradient_flow {

// (ρ, m) ← argmin γ|m'|²/(2ρ') + ½|ρ' − ρ|² + ½|m' − m|² (ρ' ≥ 0; (0, 0) when the minimiser is there).
// Stationarity gives m' = ρ' m/(ρ' + γ) with ρ' the largest root of P(r) = (r − ρ)(r + γ)² − γ|m|²/2;
// right of that root P is increasing and convex, so Newton from above decreases monotonically onto it.
// Cancellation: r = u − γ loses digits when r ≪ γ; such cells carry next to no mass.
KOKKOS_INLINE_FUNCTION void prox_kinetic_cell(double gamma, double& rho, double* m, int dim) {
  double m2 = 0.0;
  for (int c = 0; c < dim; ++c) m2 += m[c] * m[c];
  const double q = 0.5 * gamma * m2;
  // In u = r + γ the condition reads f(u) = u²(u − a) − q = 0, a = ρ + γ. Both a + q/a² (a > 0) and
  // a⁺ + q^{1/3} have f ≥ 0; the smaller is the closer start (q < a³ picks the first without a cbrt).
  const double a = rho + gamma;
  double u = a;
  if (q > 0.0) {
    u = (a > 0.0 && q < a * a * a) ? a + q / (a * a) : (a > 0.0 ? a : 0.0) + kmath::cbrt(q);
    for (int it = 0; it < 100; ++it) {
      const double f = u * u * (u - a) - q;
      const double df = u * (3.0 * u - 2.0 * a);
      const double step = f / df;
      u -= step;
      if (!(step > 1e-14 * u)) break;
    }
  }
  const double r = u - gamma;
  if (!(r > 0.0)) {
    rho = 0.0;
    for (int c = 0; c < dim; ++c) m[c] = 0.0;
    return;
  }
  const double shrink = r / u;
  rho = r;
  for (int c = 0; c < dim; ++c) m[c] *= shrink;
}

// argmin_{r ≥ 0} s (U(r) + V r) + ½ (r − w)², U from `e` (the potential's value V at this cell is given).
// Each branch solves r + s(U'(r) + V) = w, increasing in r, with a bracketed Newton iteration.
KOKKOS_INLINE_FUNCTION double prox_energy_cell(const LocalEnergy& e, double s, double V, double w) {
  const double c = w - s * V;  // the right-hand side once the linear part is moved over
  if (e.internal == Internal::Entropy) {
    // r = e^y: f(y) = e^y + s y − (c − s), convex increasing; Newton from a point right of the root.
    const double rhs = c - s;
    double y = rhs > 1.0 ? kmath::log(rhs) : 0.0;  // f(y) ≥ 0 there
    for (int it = 0; it < 200; ++it) {
      const double ey = kmath::exp(y);
      const double step = (ey + s * y - rhs) / (ey + s);
      y -= step;
      if (!(kmath::fabs(step) > 1e-14 * (1.0 + kmath::fabs(y)))) break;
    }
    return kmath::exp(y);
  }
  if (!(c > 0.0)) return 0.0;  // U'(0⁺) = 0 (porous) or U = 0: the minimiser sits at r = 0
  if (e.internal != Internal::Porous) return c;
  // g(r) = r + a r^{m−1} − c, a = s m/(m − 1). m = 2 and m = 3 in closed form (linear, quadratic: the
  // root form without cancellation): this map runs once per cell and Douglas–Rachford iteration, and
  // the Newton loop below costs two pow calls per pass.
  const double a = s * e.m / (e.m - 1.0);
  if (e.m == 2.0) return c / (1.0 + a);
  if (e.m == 3.0) return 2.0 * c / (1.0 + kmath::sqrt(1.0 + 4.0 * a * c));
  // Other m: Newton kept inside the bracket g(0) < 0 ≤ g(c) by bisection.
  double lo = 0.0, hi = c, r = c;
  for (int it = 0; it < 200; ++it) {
    const double pw = kmath::pow(r, e.m - 2.0);
    const double g = r + a * pw * r - c;
    if (g > 0.0) hi = r; else lo = r;
    const double dg = 1.0 + a * (e.m - 1.0) * pw;
    double next = r - g / dg;
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
    const double change = kmath::fabs(next - r);
    r = next;
    if (change <= 1e-15 * (r > 1e-300 ? r : 1e-300) || hi - lo <= 1e-15 * hi) break;
  }
  return r;
}

}  // namespace mf::gradient_flow
