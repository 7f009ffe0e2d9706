// Fixed-width row kernels (row_kernels.hpp).
#include "row_kernels.hpp"

#include <algorithm>
#include <cstring>

namespace mf::ot::detail {

namespace {

// Four doubles. With GCC and Clang a vector type, so that the row loops compile to one fused multiply-add per
// four entries with the line of sums in registers: left to the auto-vectoriser, the loop over the rows (whose
// offsets are indirect) was vectorised with gathers instead, at a fraction of the speed. Elsewhere plain loops.
#if defined(__GNUC__)
typedef double Quad __attribute__((vector_size(32)));
inline Quad load(const double* p) {
  Quad q;
  std::memcpy(&q, p, sizeof q);
  return q;
}
inline void store(double* p, Quad q) { std::memcpy(p, &q, sizeof q); }
inline Quad splat(double c) { return Quad{c, c, c, c}; }
#else
struct Quad {
  double v[4];
  Quad& operator+=(const Quad& o) {
    for (int m = 0; m < 4; ++m) v[m] += o.v[m];
    return *this;
  }
};
inline Quad operator*(const Quad& a, const Quad& b) { return Quad{{a.v[0] * b.v[0], a.v[1] * b.v[1], a.v[2] * b.v[2], a.v[3] * b.v[3]}}; }
inline Quad load(const double* p) { return Quad{{p[0], p[1], p[2], p[3]}}; }
inline void store(double* p, Quad q) { std::memcpy(p, q.v, sizeof q.v); }
inline Quad splat(double c) { return Quad{{c, c, c, c}}; }
#endif

template <int Q>  // Q quads: width 4Q
void window_line_fixed(const double* base, const RowWindow& w, const double* f1, const double* f2, double* line) {
  Quad a[Q];
  for (int b = 0; b < Q; ++b) a[b] = splat(0.0);
  for (int kz = w.kz_lo; kz <= w.kz_hi; ++kz) {
    const double* layer = base + (w.first + kz * w.layer);
    const double cz = f2[kz];
    for (int ky = std::max(w.ylo[kz], w.ky_min); ky <= std::min(w.yhi[kz], w.ky_max); ++ky) {
      const double* row = layer + ky * w.row;
      const Quad c = splat(cz * f1[ky]);
      for (int b = 0; b < Q; ++b) a[b] += c * load(row + 4 * b);
    }
  }
  for (int b = 0; b < Q; ++b) store(line + 4 * b, a[b]);
}

template <int Q>
void window_spread_fixed(double* base, const RowWindow& w, const double* f1, const double* f2, double c, const double* f0) {
  Quad g[Q];
  for (int b = 0; b < Q; ++b) g[b] = load(f0 + 4 * b);
  for (int kz = w.kz_lo; kz <= w.kz_hi; ++kz) {
    double* layer = base + (w.first + kz * w.layer);
    const double cz = c * f2[kz];
    for (int ky = std::max(w.ylo[kz], w.ky_min); ky <= std::min(w.yhi[kz], w.ky_max); ++ky) {
      double* row = layer + ky * w.row;
      const Quad q = splat(cz * f1[ky]);
      for (int b = 0; b < Q; ++b) {
        Quad x = load(row + 4 * b);
        x += q * g[b];
        store(row + 4 * b, x);
      }
    }
  }
}

// Any width: the same sums, entry by entry.
void window_line_any(const double* base, const RowWindow& w, const double* f1, const double* f2, double* line) {
  for (int k = 0; k < w.width; ++k) line[k] = 0.0;
  for (int kz = w.kz_lo; kz <= w.kz_hi; ++kz)
    for (int ky = std::max(w.ylo[kz], w.ky_min); ky <= std::min(w.yhi[kz], w.ky_max); ++ky) {
      const double* row = base + (w.first + kz * w.layer + ky * w.row);
      const double c = f2[kz] * f1[ky];
      for (int k = 0; k < w.width; ++k) line[k] += c * row[k];
    }
}

void window_spread_any(double* base, const RowWindow& w, const double* f1, const double* f2, double c, const double* f0) {
  for (int kz = w.kz_lo; kz <= w.kz_hi; ++kz)
    for (int ky = std::max(w.ylo[kz], w.ky_min); ky <= std::min(w.yhi[kz], w.ky_max); ++ky) {
      double* row = base + (w.first + kz * w.layer + ky * w.row);
      const double q = c * f2[kz] * f1[ky];
      for (int k = 0; k < w.width; ++k) row[k] += q * f0[k];
    }
}

}  // namespace

void window_line(const double* base, const RowWindow& w, const double* f1, const double* f2, double* line) {
  switch (w.width) {
    case 4: return window_line_fixed<1>(base, w, f1, f2, line);
    case 8: return window_line_fixed<2>(base, w, f1, f2, line);
    case 12: return window_line_fixed<3>(base, w, f1, f2, line);
    case 16: return window_line_fixed<4>(base, w, f1, f2, line);
    case 20: return window_line_fixed<5>(base, w, f1, f2, line);
    case 24: return window_line_fixed<6>(base, w, f1, f2, line);
    case 28: return window_line_fixed<7>(base, w, f1, f2, line);
    case 32: return window_line_fixed<8>(base, w, f1, f2, line);
    default: return window_line_any(base, w, f1, f2, line);
  }
}

void window_spread(double* base, const RowWindow& w, const double* f1, const double* f2, double c, const double* f0) {
  switch (w.width) {
    case 4: return window_spread_fixed<1>(base, w, f1, f2, c, f0);
    case 8: return window_spread_fixed<2>(base, w, f1, f2, c, f0);
    case 12: return window_spread_fixed<3>(base, w, f1, f2, c, f0);
    case 16: return window_spread_fixed<4>(base, w, f1, f2, c, f0);
    case 20: return window_spread_fixed<5>(base, w, f1, f2, c, f0);
    case 24: return window_spread_fixed<6>(base, w, f1, f2, c, f0);
    case 28: return window_spread_fixed<7>(base, w, f1, f2, c, f0);
    case 32: return window_spread_fixed<8>(base, w, f1, f2, c, f0);
    default: return window_spread_any(base, w, f1, f2, c, f0);
  }
}

void window_ends_line(const double* base, const RowWindow& w, const double* f1, const double* f2, int span, double* ends) {
  double e0 = 0.0, e1 = 0.0;
  for (int kz = w.kz_lo; kz <= w.kz_hi; ++kz)
    for (int ky = std::max(w.ylo[kz], w.ky_min); ky <= std::min(w.yhi[kz], w.ky_max); ++ky) {
      const double* row = base + (w.first + kz * w.layer + ky * w.row);
      const double c = f2[kz] * f1[ky];
      e0 += c * row[0];
      e1 += c * row[span];
    }
  ends[0] = e0;
  ends[1] = e1;
}

void window_ends_spread(double* base, const RowWindow& w, const double* f1, const double* f2, double c, int span, double e0,
                        double e1) {
  for (int kz = w.kz_lo; kz <= w.kz_hi; ++kz)
    for (int ky = std::max(w.ylo[kz], w.ky_min); ky <= std::min(w.yhi[kz], w.ky_max); ++ky) {
      double* row = base + (w.first + kz * w.layer + ky * w.row);
      const double q = c * f2[kz] * f1[ky];
      row[0] += q * e0;
      row[span] += q * e1;
    }
}

}  // namespace mf::ot::detail
