// Fixed-width row kernels of the window transforms (grid_cross_transform.hpp, grid_gauss_transform.hpp): a
// window is a set of rows along x of one 3D array, each `width` entries long (a multiple of 4, padded with zero
// factors), weighted by a factor per layer and one per row.
//
// Why: the windows' rows are short (7–20 entries) and there are hundreds per point; a loop whose length is
// known only at run time and a running sum that waits out an addition's latency on every row ran at about
// 1 Gflop/s. With the width a compile-time constant the compiler keeps the line of sums in vector
// registers and fully unrolls each row. The order of every addition depends on the window alone (not on
// the rank, nor on the alignment), so the bits do not depend on the rank count. The rows are walked in place
// (no list of offsets and coefficients built per point: that cost about as much as the rows' arithmetic).
#pragma once

namespace mf::ot::detail {

// A window of rows along x in a 3D array (rows of stride `row`, layers of stride `layer`, from the index
// `first` of its cell (0, 0, 0), which may lie before the array when the rows read lie in it):
// in layer kz ∈ [kz_lo, kz_hi] the rows ky ∈ [max(ylo[kz], ky_min), min(yhi[kz], ky_max)] (none where that is
// empty), each `width` entries long (a multiple of 4; its factors along x are zero past the window).
struct RowWindow {
  const int* ylo = nullptr;
  const int* yhi = nullptr;
  int kz_lo = 0, kz_hi = -1, ky_min = 0, ky_max = -1;
  long long first = 0, row = 0, layer = 0;
  int width = 4;
};

// line[k] = Σ_{kz, ky} (f2[kz] f1[ky]) base[first + kz·layer + ky·row + k] for k < width, in increasing kz, then ky.
void window_line(const double* base, const RowWindow& w, const double* f1, const double* f2, double* line);

// base[first + kz·layer + ky·row + k] += ((c f2[kz]) f1[ky]) f0[k] for k < width, over the window's rows.
void window_spread(double* base, const RowWindow& w, const double* f1, const double* f2, double c, const double* f0);

// The two end cells of each row (entries 0 and `span`) alone: ends[0] = Σ (f2[kz] f1[ky]) row[0] and
// ends[1] = Σ (f2[kz] f1[ky]) row[span] over the window's rows, in increasing kz, then ky (the window's outermost
// layer along x, where its inner rows are concerned; grid_cross_transform.hpp).
void window_ends_line(const double* base, const RowWindow& w, const double* f1, const double* f2, int span, double* ends);

// row[0] += ((c f2[kz]) f1[ky]) e0 and row[span] += ((c f2[kz]) f1[ky]) e1 over the window's rows.
void window_ends_spread(double* base, const RowWindow& w, const double* f1, const double* f2, double c, int span, double e0,
                        double e1);

// A row width rounded up to a multiple of 4. The kernels are compiled for the widths 4 to 32; wider rows run
// a generic loop (the same sums).
inline int padded_width(int w) { return (w + 3) / 4 * 4; }

}  // namespace mf::ot::detail
