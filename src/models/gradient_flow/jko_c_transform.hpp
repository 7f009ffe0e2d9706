// The c-transform on a uniform grid for the quadratic cost c(x, y) = |x − y|²/(2τ):
//   out(y) = min_x |x − y|²/(2τ) − in(x)   over the grid's cell centres x, at every cell centre y.
// The cost is a sum over axes, so the minimum is taken one axis at a time (d passes over all lines); on
// one line it is the lower envelope of the parabolas g_i + (x_i − y)²/(2τ), found in O(n) by sweeping
// them in order of x_i (equivalently the lower convex hull of x²/(2τ) + g: a discrete Legendre transform).
// Exact for the grid: no interpolation, no approximation of the minimum.
#pragma once
#include <array>
#include <vector>

namespace mf::gradient_flow {

class GridCTransform {
 public:
  // dim axes of n[a] cells of width h[a] (x fastest in storage).
  GridCTransform(int dim, const std::array<long, 3>& n, const std::array<double, 3>& h);
  // out = in^c for the cost |x − y|²/(2τ); in and out may not alias.
  void apply(const std::vector<double>& in, std::vector<double>& out, double tau);

 private:
  int dim_;
  std::array<long, 3> n_, stride_;
  std::array<double, 3> h_;
  long cells_;
  std::vector<double> line_in_, line_out_, breaks_;
  std::vector<long> hull_;
};

// One line: out[j] = min_i g[i] + a ((i − j) h)², a = 1/(2τ) (exposed for the unit test).
void lower_envelope_line(const double* g, double* out, long n, double h, double a, long* hull, double* breaks);

}  // namespace mf::gradient_flow
