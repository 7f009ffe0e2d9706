#include "jko_c_transform.hpp"

#include <limits>

namespace mf::gradient_flow {

void lower_envelope_line(const double* g, double* out, long n, double h, double a, long* hull, double* breaks) {
  // hull[0..k]: the parabolas of the lower envelope from left to right; parabola hull[r] is lowest on
  // [breaks[r], breaks[r + 1]] (positions in units of h). The crossing of parabolas q > p is at
  //   s = (q + p)/2 + (g_q − g_p)/(2 a h² (q − p)),
  // written so that no large a·x² terms cancel (τ is small, a large).
  const double inf = std::numeric_limits<double>::infinity();
  const double inv2ah2 = 1.0 / (2.0 * a * h * h);
  long k = 0;
  hull[0] = 0;
  breaks[0] = -inf;
  breaks[1] = inf;
  for (long q = 1; q < n; ++q) {
    double s = 0.0;
    for (;;) {
      const long p = hull[k];
      s = 0.5 * static_cast<double>(q + p) + (g[q] - g[p]) * inv2ah2 / static_cast<double>(q - p);
      if (s > breaks[k]) break;  // breaks[0] = −∞ ends the loop at k = 0
      --k;                        // parabola p is nowhere lowest: drop it
    }
    ++k;
    hull[k] = q;
    breaks[k] = s;
    breaks[k + 1] = inf;
  }
  long r = 0;
  for (long j = 0; j < n; ++j) {
    while (breaks[r + 1] < static_cast<double>(j)) ++r;
    const double dx = static_cast<double>(j - hull[r]) * h;
    out[j] = g[hull[r]] + a * dx * dx;
  }
}

GridCTransform::GridCTransform(int dim, const std::array<long, 3>& n, const std::array<double, 3>& h)
    : dim_(dim), n_(n), stride_{1, 1, 1}, h_(h), cells_(1) {
  long longest = 1;
  for (int a = 0; a < dim_; ++a) {
    stride_[a] = cells_;
    cells_ *= n_[a];
    if (n_[a] > longest) longest = n_[a];
  }
  line_in_.assign(longest, 0.0);
  line_out_.assign(longest, 0.0);
  breaks_.assign(longest + 1, 0.0);
  hull_.assign(longest, 0);
}

void GridCTransform::apply(const std::vector<double>& in, std::vector<double>& out, double tau) {
  const double a = 0.5 / tau;
  out.resize(cells_);
  for (long i = 0; i < cells_; ++i) out[i] = -in[i];
  // min over x of Σ_a (x_a − y_a)²/(2τ) + g(x): the axes one after the other, each pass on all lines.
  for (int ax = 0; ax < dim_; ++ax) {
    const long n = n_[ax], st = stride_[ax];
    const long outer = cells_ / (n * st);
    for (long o = 0; o < outer; ++o)
      for (long k = 0; k < st; ++k) {
        const long base = o * n * st + k;
        for (long i = 0; i < n; ++i) line_in_[i] = out[base + i * st];
        lower_envelope_line(line_in_.data(), line_out_.data(), n, h_[ax], a, hull_.data(), breaks_.data());
        for (long i = 0; i < n; ++i) out[base + i * st] = line_out_[i];
      }
  }
}

}  // namespace mf::gradient_flow
