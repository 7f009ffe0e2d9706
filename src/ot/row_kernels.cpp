// Fixed-width row kernels (row_kernels.hpp).
#include "row_kernels.hpp"

namespace mf::ot::detail {

namespace {

template <int W>
void weighted_rows_fixed(const double* base, const long long* off, const double* coef, int rows, double* line) {
  double a[W];
  for (int k = 0; k < W; ++k) a[k] = 0.0;
  for (int r = 0; r < rows; ++r) {
    const double* row = base + off[r];
    const double c = coef[r];
#pragma omp simd
    for (int k = 0; k < W; ++k) a[k] += c * row[k];
  }
  for (int k = 0; k < W; ++k) line[k] = a[k];
}

template <int W>
void spread_rows_fixed(double* base, const long long* off, const double* coef, int rows, const double* f) {
  double g[W];
  for (int k = 0; k < W; ++k) g[k] = f[k];
  for (int r = 0; r < rows; ++r) {
    double* row = base + off[r];
    const double c = coef[r];
#pragma omp simd
    for (int k = 0; k < W; ++k) row[k] += c * g[k];
  }
}

}  // namespace

void weighted_rows(const double* base, const long long* off, const double* coef, int rows, int width, double* line) {
  switch (width) {
    case 4: return weighted_rows_fixed<4>(base, off, coef, rows, line);
    case 8: return weighted_rows_fixed<8>(base, off, coef, rows, line);
    case 12: return weighted_rows_fixed<12>(base, off, coef, rows, line);
    case 16: return weighted_rows_fixed<16>(base, off, coef, rows, line);
    case 20: return weighted_rows_fixed<20>(base, off, coef, rows, line);
    case 24: return weighted_rows_fixed<24>(base, off, coef, rows, line);
    case 28: return weighted_rows_fixed<28>(base, off, coef, rows, line);
    case 32: return weighted_rows_fixed<32>(base, off, coef, rows, line);
    default: break;
  }
  for (int k = 0; k < width; ++k) line[k] = 0.0;
  for (int r = 0; r < rows; ++r)
    for (int k = 0; k < width; ++k) line[k] += coef[r] * base[off[r] + k];
}

void spread_rows(double* base, const long long* off, const double* coef, int rows, int width, const double* f) {
  switch (width) {
    case 4: return spread_rows_fixed<4>(base, off, coef, rows, f);
    case 8: return spread_rows_fixed<8>(base, off, coef, rows, f);
    case 12: return spread_rows_fixed<12>(base, off, coef, rows, f);
    case 16: return spread_rows_fixed<16>(base, off, coef, rows, f);
    case 20: return spread_rows_fixed<20>(base, off, coef, rows, f);
    case 24: return spread_rows_fixed<24>(base, off, coef, rows, f);
    case 28: return spread_rows_fixed<28>(base, off, coef, rows, f);
    case 32: return spread_rows_fixed<32>(base, off, coef, rows, f);
    default: break;
  }
  for (int r = 0; r < rows; ++r)
    for (int k = 0; k < width; ++k) base[off[r] + k] += coef[r] * f[k];
}

}  // namespace mf::ot::detail
