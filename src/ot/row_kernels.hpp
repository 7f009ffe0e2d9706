// Fixed-width row kernels of the window transforms (grid_cross_transform.hpp): a window is a list of rows
// along x, each `width` entries long (a multiple of 4, padded with zero factors), at offsets into one array.
//
// Why: the windows' rows are short (7–20 entries) and there are hundreds per point; a loop whose length is
// known only at run time and a running sum that waits out an addition's latency on every row ran at about
// 1 Gflop/s. With the width a compile-time constant the compiler keeps the line of sums in vector
// registers and fully unrolls each row. The order of every addition depends on the row list alone (not on
// the rank, nor on the alignment), so the bits do not depend on the rank count.
#pragma once

namespace mf::ot::detail {

// line[k] = Σ_r coef[r] · base[off[r] + k] for k < width, the rows added in list order.
void weighted_rows(const double* base, const long long* off, const double* coef, int rows, int width, double* line);

// base[off[r] + k] += coef[r] · f[k] for k < width, the rows in list order.
void spread_rows(double* base, const long long* off, const double* coef, int rows, int width, const double* f);

// The widths the kernels are compiled for (wider rows run a generic loop); a row width rounded up to a
// multiple of 4.
constexpr int kMaxUnrolledWidth = 32;
inline int padded_width(int w) { return (w + 3) / 4 * 4; }

}  // namespace mf::ot::detail
