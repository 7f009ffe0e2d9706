// Fixed-width row kernels (row_kernels.hpp).
#include "row_kernels.hpp"

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
void weighted_rows_fixed(const double* base, const long long* off, const double* coef, int rows, double* line) {
  Quad a[Q];
  for (int b = 0; b < Q; ++b) a[b] = splat(0.0);
  for (int r = 0; r < rows; ++r) {
    const double* row = base + off[r];
    const Quad c = splat(coef[r]);
    for (int b = 0; b < Q; ++b) a[b] += c * load(row + 4 * b);
  }
  for (int b = 0; b < Q; ++b) store(line + 4 * b, a[b]);
}

template <int Q>
void spread_rows_fixed(double* base, const long long* off, const double* coef, int rows, const double* f) {
  Quad g[Q];
  for (int b = 0; b < Q; ++b) g[b] = load(f + 4 * b);
  for (int r = 0; r < rows; ++r) {
    double* row = base + off[r];
    const Quad c = splat(coef[r]);
    for (int b = 0; b < Q; ++b) {
      Quad x = load(row + 4 * b);
      x += c * g[b];
      store(row + 4 * b, x);
    }
  }
}

}  // namespace

void weighted_rows(const double* base, const long long* off, const double* coef, int rows, int width, double* line) {
  switch (width) {
    case 4: return weighted_rows_fixed<1>(base, off, coef, rows, line);
    case 8: return weighted_rows_fixed<2>(base, off, coef, rows, line);
    case 12: return weighted_rows_fixed<3>(base, off, coef, rows, line);
    case 16: return weighted_rows_fixed<4>(base, off, coef, rows, line);
    case 20: return weighted_rows_fixed<5>(base, off, coef, rows, line);
    case 24: return weighted_rows_fixed<6>(base, off, coef, rows, line);
    case 28: return weighted_rows_fixed<7>(base, off, coef, rows, line);
    case 32: return weighted_rows_fixed<8>(base, off, coef, rows, line);
    default: break;
  }
  for (int k = 0; k < width; ++k) line[k] = 0.0;
  for (int r = 0; r < rows; ++r)
    for (int k = 0; k < width; ++k) line[k] += coef[r] * base[off[r] + k];
}

void spread_rows(double* base, const long long* off, const double* coef, int rows, int width, const double* f) {
  switch (width) {
    case 4: return spread_rows_fixed<1>(base, off, coef, rows, f);
    case 8: return spread_rows_fixed<2>(base, off, coef, rows, f);
    case 12: return spread_rows_fixed<3>(base, off, coef, rows, f);
    case 16: return spread_rows_fixed<4>(base, off, coef, rows, f);
    case 20: return spread_rows_fixed<5>(base, off, coef, rows, f);
    case 24: return spread_rows_fixed<6>(base, off, coef, rows, f);
    case 28: return spread_rows_fixed<7>(base, off, coef, rows, f);
    case 32: return spread_rows_fixed<8>(base, off, coef, rows, f);
    default: break;
  }
  for (int r = 0; r < rows; ++r)
    for (int k = 0; k < width; ++k) base[off[r] + k] += coef[r] * f[k];
}

}  // namespace mf::ot::detail
