// The truncated kernel of one ε stage (sparse_kernel.hpp): a descent through a pyramid of bin boxes
// finds, for every target bin, the source bins that can hold a pair with small reduced cost; the
// target's points then scan those bins' points.
#include "sparse_kernel.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <Eigen/Dense>

#include "huge_pages.hpp"
#include "measureflow/fast_exp.hpp"
#include "measureflow/kokkos_math.hpp"

namespace mf::ot::detail {

namespace {

using HostExec = Kokkos::DefaultHostExecutionSpace;
constexpr double kInf = std::numeric_limits<double>::infinity();

// One level of the pyramid over a Level's bins: the tight box of each bin's points, the largest
// potential in it and the range of its point indices (points are sorted by finest bin, so a coarse
// bin's points are not contiguous, but their indices lie in [first, last]).
struct BoxLevel {
  int nb[3] = {1, 1, 1};
  std::vector<double> lo, hi;  // bins × 3
  std::vector<double> top;     // largest potential
  std::vector<int> first, last;
  long long bins() const { return static_cast<long long>(nb[0]) * nb[1] * nb[2]; }
  long long lin(int a, int b, int c) const {
    return a + static_cast<long long>(nb[0]) * (b + static_cast<long long>(nb[1]) * c);
  }
  bool occupied(long long b) const { return first[b] <= last[b]; }
  void resize() {
    lo.assign(bins() * 3, kInf);
    hi.assign(bins() * 3, -kInf);
    top.assign(bins(), -kInf);
    first.assign(bins(), std::numeric_limits<int>::max());
    last.assign(bins(), -1);
  }
};

std::vector<BoxLevel> pyramid(const Level& L, const Real1& pot) {
  std::vector<BoxLevel> P(1);
  BoxLevel& b0 = P[0];
  for (int a = 0; a < 3; ++a) b0.nb[a] = L.nb[a];
  b0.resize();
  for (long long b = 0; b < L.bins(); ++b)
    for (int i = L.bin_start(b); i < L.bin_start(b + 1); ++i) {
      for (int a = 0; a < L.dim; ++a) {
        b0.lo[3 * b + a] = std::min(b0.lo[3 * b + a], L.pos(i, a));
        b0.hi[3 * b + a] = std::max(b0.hi[3 * b + a], L.pos(i, a));
      }
      b0.top[b] = std::max(b0.top[b], pot(i));
      b0.first[b] = std::min(b0.first[b], i);
      b0.last[b] = std::max(b0.last[b], i);
    }
  while (P.back().nb[0] > 1 || P.back().nb[1] > 1 || P.back().nb[2] > 1) {
    const BoxLevel& f = P.back();
    BoxLevel c;
    for (int a = 0; a < 3; ++a) c.nb[a] = (f.nb[a] + 1) / 2;
    c.resize();
    for (int z = 0; z < f.nb[2]; ++z)
      for (int y = 0; y < f.nb[1]; ++y)
        for (int x = 0; x < f.nb[0]; ++x) {
          const long long s = f.lin(x, y, z), t = c.lin(x / 2, y / 2, z / 2);
          if (!f.occupied(s)) continue;
          for (int a = 0; a < 3; ++a) {
            c.lo[3 * t + a] = std::min(c.lo[3 * t + a], f.lo[3 * s + a]);
            c.hi[3 * t + a] = std::max(c.hi[3 * t + a], f.hi[3 * s + a]);
          }
          c.top[t] = std::max(c.top[t], f.top[s]);
          c.first[t] = std::min(c.first[t], f.first[s]);
          c.last[t] = std::max(c.last[t], f.last[s]);
        }
    P.push_back(std::move(c));
  }
  return P;
}

// Squared distance between two boxes (0 where they overlap).
double box_gap2(const BoxLevel& A, long long a, const BoxLevel& B, long long b, int dim) {
  double s = 0.0;
  for (int k = 0; k < dim; ++k) {
    const double g = std::max({0.0, A.lo[3 * a + k] - B.hi[3 * b + k], B.lo[3 * b + k] - A.hi[3 * a + k]});
    s += g * g;
  }
  return s;
}

template <class F>
void children(const BoxLevel& fine, long long parent, const BoxLevel& coarse, F&& visit) {
  const int px = static_cast<int>(parent % coarse.nb[0]);
  const int py = static_cast<int>((parent / coarse.nb[0]) % coarse.nb[1]);
  const int pz = static_cast<int>(parent / (static_cast<long long>(coarse.nb[0]) * coarse.nb[1]));
  for (int z = 2 * pz; z < std::min(2 * pz + 2, fine.nb[2]); ++z)
    for (int y = 2 * py; y < std::min(2 * py + 2, fine.nb[1]); ++y)
      for (int x = 2 * px; x < std::min(2 * px + 2, fine.nb[0]); ++x) {
        const long long c = fine.lin(x, y, z);
        if (fine.occupied(c)) visit(c);
      }
}

// Depth-first descent of the target pyramid; at each level the source bins whose lower bound of the
// reduced cost, gap² − max f̂ − max ĝ, is within the threshold stay candidates of the target bin. The
// candidates of every level are kept in increasing bin order, so a leaf's merge into runs needs no sort.
struct Descent {
  const std::vector<BoxLevel>& tp;
  const std::vector<BoxLevel>& sp;
  int dim;
  double threshold;
  int lo, hi;
  std::vector<std::vector<int>>& leaf_candidates;
  struct Block {
    long long row;  // y + ny·z of one row of child bins
    std::size_t begin, end;
  };
  std::vector<long long> unsorted;  // scratch of sorted_children (not used across the recursion)
  std::vector<Block> blocks;

  // The children of the sorted candidates `cand` (level k of the source pyramid) that stay candidates of the
  // target bin tc (level k − 1), in increasing order, into next. Sorting each leaf's list was a sixth of a
  // 3D kernel build; here the parents of one row (same y and z) give up to 2^(d−1) rows of children, each
  // already in increasing x, and distinct parent rows give distinct child rows: only the rows (a few
  // hundred) are sorted, not the bins.
  void sorted_children(int k, long long tc, const std::vector<long long>& cand, std::vector<long long>& next) {
    const BoxLevel &P = sp[k], &C = sp[k - 1], &T = tp[k - 1];
    unsorted.clear();
    blocks.clear();
    for (std::size_t g0 = 0; g0 < cand.size();) {
      const long long prow = cand[g0] / P.nb[0];
      std::size_t g1 = g0;
      while (g1 < cand.size() && cand[g1] / P.nb[0] == prow) ++g1;
      const int py = static_cast<int>(prow % P.nb[1]), pz = static_cast<int>(prow / P.nb[1]);
      for (int z = 2 * pz; z < std::min(2 * pz + 2, C.nb[2]); ++z)
        for (int y = 2 * py; y < std::min(2 * py + 2, C.nb[1]); ++y) {
          const std::size_t begin = unsorted.size();
          for (std::size_t q = g0; q < g1; ++q) {
            const int px = static_cast<int>(cand[q] % P.nb[0]);
            for (int x = 2 * px; x < std::min(2 * px + 2, C.nb[0]); ++x) {
              const long long sc = C.lin(x, y, z);
              if (C.occupied(sc) && box_gap2(T, tc, C, sc, dim) - T.top[tc] - C.top[sc] <= threshold)
                unsorted.push_back(sc);
            }
          }
          if (unsorted.size() > begin) blocks.push_back({y + static_cast<long long>(C.nb[1]) * z, begin, unsorted.size()});
        }
      g0 = g1;
    }
    std::sort(blocks.begin(), blocks.end(), [](const Block& a, const Block& b) { return a.row < b.row; });
    next.clear();
    for (const Block& b : blocks) next.insert(next.end(), unsorted.begin() + b.begin, unsorted.begin() + b.end);
  }

  void run(int k, long long t, const std::vector<long long>& cand) {
    if (k == 0) {
      // Merged into runs of consecutive bins: one contiguous range of source points each.
      auto& out = leaf_candidates[t];
      for (std::size_t q = 0; q < cand.size(); ++q) {
        if (q > 0 && cand[q] == cand[q - 1] + 1)
          out.back() = static_cast<int>(cand[q]);
        else {
          out.push_back(static_cast<int>(cand[q]));
          out.push_back(static_cast<int>(cand[q]));
        }
      }
      return;
    }
    std::vector<long long> next;
    children(tp[k - 1], t, tp[k], [&](long long tc) {
      if (tp[k - 1].last[tc] < lo || tp[k - 1].first[tc] >= hi) return;  // no row of this slice
      sorted_children(k, tc, cand, next);
      if (!next.empty()) run(k - 1, tc, next);
    });
  }
};

}  // namespace

namespace {

// The descent alone: the candidate runs of every target bin (row_start, col and val left empty).
SparseKernel candidates(const Level& T, const Real1& ft, const Level& S, const Real1& gs, double eps, double threshold,
                        int lo, int hi) {
  const int d = T.dim;
  const std::vector<BoxLevel> tp = pyramid(T, ft), sp = pyramid(S, gs);
  std::vector<std::vector<int>> cand(T.bins());
  if (hi > lo && tp.back().occupied(0) && sp.back().occupied(0)) {
    Descent walk{tp, sp, d, threshold, lo, hi, cand, {}, {}};
    walk.run(static_cast<int>(tp.size()) - 1, 0, {0});
  }
  SparseKernel k;
  k.lo = lo;
  k.hi = hi;
  k.eps = eps;
  k.threshold = threshold;
  k.T = T;
  k.S = S;
  k.ft = ft;
  k.gs = gs;
  k.cand_start.assign(T.bins() + 1, 0);
  for (long long b = 0; b < T.bins(); ++b) {
    k.cand_start[b + 1] = k.cand_start[b] + static_cast<int>(cand[b].size() / 2);
    k.cand.insert(k.cand.end(), cand[b].begin(), cand[b].end());
    std::vector<int>().swap(cand[b]);
  }
  return k;
}

// The candidate pairs of this rank's rows (every point of every candidate run): at least the kept pairs.
long long candidate_pairs(const SparseKernel& k) {
  long long n = 0;
  for (int i = k.lo; i < k.hi; ++i) {
    const long long bt = k.T.lin(k.T.coord(i, 0), k.T.coord(i, 1), k.T.coord(i, 2));
    for (int q = k.cand_start[bt]; q < k.cand_start[bt + 1]; ++q)
      n += k.S.bin_start(k.cand[2 * q + 1] + 1) - k.S.bin_start(k.cand[2 * q]);
  }
  return n;
}

// r_ij = |t_i − s_j|² − (f̂_i + ĝ_j) for the sources j in [j0, j1) (one candidate run), into r[j − j0]: the
// expression of squared_distance and for_each_kept_pair term for term (the same bits), with the dimension a
// compile-time constant so that the loop over the run's sources vectorises.
template <int D>
void run_reduced_costs(const Level& T, int i, double fi, const Level& S, const Real1& gs, int j0, int j1, double* r) {
  double x[D];
  for (int a = 0; a < D; ++a) x[a] = T.pos(i, a);
  const Real2 pos = S.pos;
#pragma omp simd
  for (int j = j0; j < j1; ++j) {
    double c = 0.0;
    for (int a = 0; a < D; ++a) c += (x[a] - pos(j, a)) * (x[a] - pos(j, a));
    r[j - j0] = c - (fi + gs(j));
  }
}

// The kept pairs of row i (r ≤ the threshold) from its candidate runs, in source order: their sources into
// row_col and reduced costs into row_r, both resized to the count. The costs of a whole run are computed first
// (vectorised), then compacted without a branch per pair: the one-pair-at-a-time loop with its test and two
// push_backs per kept pair was most of a build (scan_rows was 5.4 % of shear_2d's one-rank run, the
// descent 3.7 %; docs/yardstick.md, "Kernel scans by runs").
template <int D>
void kept_of_row(const SparseKernel& k, int i, std::vector<double>& run_r, std::vector<int>& row_col,
                 std::vector<double>& row_r) {
  const Level &T = k.T, &S = k.S;
  const long long bt = T.lin(T.coord(i, 0), T.coord(i, 1), T.coord(i, 2));
  const double fi = k.ft(i), thr = k.threshold;
  std::size_t m = 0;
  for (int q = k.cand_start[bt]; q < k.cand_start[bt + 1]; ++q) {
    const int j0 = S.bin_start(k.cand[2 * q]), j1 = S.bin_start(k.cand[2 * q + 1] + 1);
    const std::size_t len = static_cast<std::size_t>(j1 - j0);
    if (run_r.size() < len) run_r.resize(len);
    if (row_col.size() < m + len) {
      row_col.resize(m + len);
      row_r.resize(m + len);
    }
    run_reduced_costs<D>(T, i, fi, S, k.gs, j0, j1, run_r.data());
    int* const c = row_col.data();
    double* const r = row_r.data();
    for (std::size_t t = 0; t < len; ++t) {
      c[m] = j0 + static_cast<int>(t);
      r[m] = run_r[t];
      m += run_r[t] > thr ? 0 : 1;  // (the old test's form: a NaN cost is kept, as it was)
    }
  }
  row_col.resize(m);
  row_r.resize(m);
}

// One pass over every row's candidates: row_start always; while `store` and this rank's pairs stay within
// max_stored, also col and val, appended in row order (k.stored says whether all of them were). Counting and
// storing in separate passes computed every candidate distance twice, and sizing the buffers by resize()
// zero-filled them first: on shear_2d that memset and its page faults were a fifth of the yardstick. Here the
// capacity is reserved for the candidate pairs (an upper bound; pages never written are never touched) and
// the kept pairs appended; a kernel rebuilt into the buffers of the one it replaces writes into pages
// already mapped.
template <int D>
void scan_rows_dim(SparseKernel& k, bool store, long long max_stored) {
  const Level& S = k.S;
  const double inv = 1.0 / k.eps;
  if (store) {
    const long long bound = std::min(candidate_pairs(k), max_stored);
    k.col.clear();
    k.val.clear();
    k.val32.clear();
    k.col.reserve(bound);
    advise_huge_pages(k.col.data(), k.col.capacity() * sizeof(int));
    if (k.single) {
      k.val32.reserve(bound);
      advise_huge_pages(k.val32.data(), k.val32.capacity() * sizeof(float));
    } else {
      k.val.reserve(bound);
      advise_huge_pages(k.val.data(), k.val.capacity() * sizeof(double));
    }
  }
  k.row_start.assign(k.hi - k.lo + 1, 0);
  std::vector<double> run_r, row_r;
  std::vector<int> row_col;
  long long n = 0;
  for (int i = k.lo; i < k.hi; ++i) {
    kept_of_row<D>(k, i, run_r, row_col, row_r);
    const long long m = static_cast<long long>(row_col.size());
    if (store && n + m > max_stored) store = false;
    n += m;
    k.row_start[i - k.lo + 1] = n;
    if (!store) continue;
    // The kernel values b_j exp(−r_ij/ε) of the row, vectorised (the scalar exponential per pair was most of
    // a build), then appended in the precision stored.
    const int* col = row_col.data();
    double* r = row_r.data();
    const Real1 w = S.w;
#pragma omp simd
    for (long long q = 0; q < m; ++q) r[q] = w(col[q]) * fast_exp(-r[q] * inv);
    k.col.insert(k.col.end(), row_col.begin(), row_col.end());
    if (k.single)
      k.val32.insert(k.val32.end(), row_r.begin(), row_r.end());  // rounded to single precision
    else
      k.val.insert(k.val.end(), row_r.begin(), row_r.end());
  }
  k.stored = store;
  if (!store) {
    std::vector<int>().swap(k.col);
    std::vector<double>().swap(k.val);
    std::vector<float>().swap(k.val32);
  }
}

void scan_rows(SparseKernel& k, bool store, long long max_stored) {
  switch (k.T.dim) {
    case 1: return scan_rows_dim<1>(k, store, max_stored);
    case 2: return scan_rows_dim<2>(k, store, max_stored);
    default: return scan_rows_dim<3>(k, store, max_stored);
  }
}

// log Σ_q val[q] v(col[q]) over each of rows [lo, hi) of the stored pairs, for double or single values.
// Four partial sums (pairs q ≡ 0, 1, 2, 3 mod 4 from the row's start, the rest into the first), added in a
// fixed order: one running sum waits out an addition's latency at every pair, and the sweeps were the largest
// part of the yardstick once its builds were cut. The order depends on the row alone, so the bits still do
// not depend on the rank count.
template <class Value>
void stored_log_row_sums(const SparseKernel& k, const Value* val, const Real1& v, const Real1& out) {
  const int lo = k.lo;
  const long long* rs = k.row_start.data();
  const int* col = k.col.data();
  const double* vs = v.data();
  Kokkos::parallel_for(
      "mf::ot::sparse_row_sums", Kokkos::RangePolicy<HostExec>(k.lo, k.hi), KOKKOS_LAMBDA(const int i) {
        double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
        long long q = rs[i - lo];
        const long long end = rs[i - lo + 1];
        for (; q + 4 <= end; q += 4) {
          s0 += static_cast<double>(val[q]) * vs[col[q]];
          s1 += static_cast<double>(val[q + 1]) * vs[col[q + 1]];
          s2 += static_cast<double>(val[q + 2]) * vs[col[q + 2]];
          s3 += static_cast<double>(val[q + 3]) * vs[col[q + 3]];
        }
        for (; q < end; ++q) s0 += static_cast<double>(val[q]) * vs[col[q]];
        const double s = (s0 + s1) + (s2 + s3);
        out(i) = s > 0.0 ? kmath::log(s) : -kInf;
      });
}

}  // namespace

SparseKernel build_kernel(const Level& T, const Real1& ft, const Level& S, const Real1& gs, double eps,
                          double threshold, int lo, int hi) {
  SparseKernel k = candidates(T, ft, S, gs, eps, threshold, lo, hi);
  scan_rows(k, false, 0);
  return k;
}

SparseKernel build_stored_kernel(const Level& T, const Real1& ft, const Level& S, const Real1& gs, double eps,
                                 double threshold, int lo, int hi, long long max_stored, SparseKernel* recycled,
                                 bool single) {
  SparseKernel k = candidates(T, ft, S, gs, eps, threshold, lo, hi);
  k.single = single;
  if (recycled) {
    k.col = std::move(recycled->col);
    k.val = std::move(recycled->val);
    k.val32 = std::move(recycled->val32);
    recycled->stored = false;
  }
  scan_rows(k, true, max_stored);
  return k;
}

void nonpositive_minima(const Level& T, const Real1& ft, const Level& S, const Real1& gs, int lo, int hi,
                        const Real1& row_min, const Real1& col_min) {
  const SparseKernel k = candidates(T, ft, S, gs, 1.0, 0.0, lo, hi);
  for (int i = lo; i < hi; ++i) row_min(i) = 0.0;
  for_each_kept_pair(k, [&](int i, int j, double, double r) {
    row_min(i) = std::min(row_min(i), r);
    col_min(j) = std::min(col_min(j), r);
  });
}

void store_pairs(SparseKernel& k) { scan_rows(k, true, std::numeric_limits<long long>::max()); }

void unstore_pairs(SparseKernel& k) {
  k.stored = false;
  std::vector<int>().swap(k.col);
  std::vector<double>().swap(k.val);
  std::vector<float>().swap(k.val32);
}

void log_row_sums(const SparseKernel& k, const Real1& source_scale, const Real1& out) {
  const int d = k.T.dim;
  const Real1 v = source_scale;
  if (k.stored && k.single) {
    stored_log_row_sums(k, k.val32.data(), v, out);
  } else if (k.stored) {
    stored_log_row_sums(k, k.val.data(), v, out);
  } else {
    // Streamed: the same kept pairs, their values recomputed in one vectorised pass per source bin.
    const Real2 tx = k.T.pos, sy = k.S.pos;
    const Int2 tc = k.T.coord;
    const Int1 start = k.S.bin_start;
    const Real1 sw = k.S.w, ft = k.ft, gs = k.gs;
    const int* cs = k.cand_start.data();
    const int* cand = k.cand.data();
    const int nb0 = k.T.nb[0], nb1 = k.T.nb[1];
    const double inv = 1.0 / k.eps, thr = k.threshold;
    Kokkos::parallel_for(
        "mf::ot::sparse_row_sums_streamed", Kokkos::RangePolicy<HostExec>(k.lo, k.hi), KOKKOS_LAMBDA(const int i) {
          double x[3] = {0.0, 0.0, 0.0};
          for (int a = 0; a < d; ++a) x[a] = tx(i, a);
          const long long bt = tc(i, 0) + static_cast<long long>(nb0) * (tc(i, 1) + static_cast<long long>(nb1) * tc(i, 2));
          const double fi = ft(i);
          double s = 0.0;
          for (int q = cs[bt]; q < cs[bt + 1]; ++q) {
#pragma omp simd reduction(+ : s)
            for (int j = start(cand[2 * q]); j < start(cand[2 * q + 1] + 1); ++j) {
              double c = 0.0;
              for (int a = 0; a < d; ++a) c += (x[a] - sy(j, a)) * (x[a] - sy(j, a));
              const double r = c - (fi + gs(j));
              s += r <= thr ? sw(j) * fast_exp(-r * inv) * v(j) : 0.0;
            }
          }
          out(i) = s > 0.0 ? kmath::log(s) : -kInf;
        });
  }
  Kokkos::fence();
}

void add_column_sums(const SparseKernel& k, const Real1& row_scale, const Real1& sums) {
  for (int i = k.lo; i < k.hi; ++i) {
    const double u = row_scale(i);
    for (long long q = k.row_start[i - k.lo]; q < k.row_start[i - k.lo + 1]; ++q) sums(k.col[q]) += k.val[q] * u;
  }
}

void add_column_moments(const SparseKernel& k, const Real1& row_scale, const Real2& moments) {
  const int d = k.T.dim;
  for (int i = k.lo; i < k.hi; ++i) {
    const double u = row_scale(i);
    for (long long q = k.row_start[i - k.lo]; q < k.row_start[i - k.lo + 1]; ++q) {
      const double w = k.val[q] * u;
      for (int a = 0; a < d; ++a) moments(k.col[q], a) += w * k.T.pos(i, a);
      moments(k.col[q], d) += w;
    }
  }
}

void plan_rows(const SparseKernel& k, const Real1& row_scale, const Real1& col_scale, const Real1& mass,
               const Real1& cost) {
  const Level &T = k.T, &S = k.S;
  const int d = T.dim;
  const double inv = 1.0 / k.eps;
  for (int i = k.lo; i < k.hi; ++i) {
    const long long bt = T.lin(T.coord(i, 0), T.coord(i, 1), T.coord(i, 2));
    double m_sum = 0.0, c_sum = 0.0;
    for (int q = k.cand_start[bt]; q < k.cand_start[bt + 1]; ++q) {
      for (int j = S.bin_start(k.cand[2 * q]); j < S.bin_start(k.cand[2 * q + 1] + 1); ++j) {
        double c = 0.0;
        for (int a = 0; a < d; ++a) c += (T.pos(i, a) - S.pos(j, a)) * (T.pos(i, a) - S.pos(j, a));
        const double r = c - (k.ft(i) + k.gs(j));
        if (r <= k.threshold) {
          const double p = S.w(j) * fast_exp(-r * inv) * col_scale(j);
          m_sum += p;
          c_sum += p * c;
        }
      }
    }
    if (mass.extent(0) > 0) mass(i) = T.w(i) * row_scale(i) * m_sum;
    cost(i) = T.w(i) * row_scale(i) * c_sum;
  }
}

void plan_row_costs(const SparseKernel& k, const Real1& lu, const Real1& lv, const Real1& cost) {
  Real1 eu("mf::ot::plan_row_scale", lu.extent(0)), ev("mf::ot::plan_col_scale", lv.extent(0));
  for (std::size_t i = 0; i < lu.extent(0); ++i) eu(i) = std::exp(lu(i));
  for (std::size_t j = 0; j < lv.extent(0); ++j) ev(j) = std::exp(lv(j));
  plan_rows(k, eu, ev, Real1(), cost);
}

void row_barycentres(const SparseKernel& k, const Real1& lv, const Real2& bary) {
  const Level &T = k.T, &S = k.S;
  const int d = T.dim;
  const double inv = 1.0 / k.eps;
  for (int i = k.lo; i < k.hi; ++i) {
    const long long bt = T.lin(T.coord(i, 0), T.coord(i, 1), T.coord(i, 2));
    double mass = 0.0, moment[3] = {0.0, 0.0, 0.0};
    for (int q = k.cand_start[bt]; q < k.cand_start[bt + 1]; ++q) {
      for (int j = S.bin_start(k.cand[2 * q]); j < S.bin_start(k.cand[2 * q + 1] + 1); ++j) {
        double c = 0.0;
        for (int a = 0; a < d; ++a) c += (T.pos(i, a) - S.pos(j, a)) * (T.pos(i, a) - S.pos(j, a));
        const double r = c - (k.ft(i) + k.gs(j));
        if (r > k.threshold) continue;
        const double w = S.w(j) * fast_exp(-r * inv) * std::exp(lv(j));
        mass += w;
        for (int a = 0; a < d; ++a) moment[a] += w * S.pos(j, a);
      }
    }
    for (int a = 0; a < d; ++a) bary(i, a) = mass > 0.0 ? moment[a] / mass : T.pos(i, a);
  }
}

}  // namespace mf::ot::detail

namespace mf::ot::detail {

namespace {

// An affine fit of the potential on every bin of every pyramid level: g(y) ≤ top_c + L_c·(y − y_c) on the
// bin's points, L_c the least-squares gradient of g there and y_c their centroid. Then, for any z, the
// reduced cost |z − y|² − g(y) over the bin is at least gap²(z + L_c/2, box_c) − L_c·(z − y_c) − |L_c|²/4 −
// top_c (complete the square in |z − y|² − L_c·y). Tight where g is smooth; the plain bound gap²(z, box) −
// max g loses g's variation across the bin (|∇g| × side: at 10⁵ points in 2D ~30 ε on the finest bins), and
// every bin within that reach had to be scanned.
struct AffineFits {
  std::vector<std::vector<double>> slope, centre, top;  // per level: bins × 3, bins × 3, bins
};

// x = (C + λ I)⁻¹ r for the d × d covariance C of a bin's points (d ≤ 3), λ a relative nudge so a flat bin
// (1 point, or points on a line) gets a fit instead of a division by zero; a failed or non-finite solve
// gives x = 0 (any L gives a valid bound, only a looser one). A nearly flat bin can still get a steep slope
// and a loose bound: lower_bound takes the plain one too. Eigen's fixed-capacity types: no heap per bin.
void solve_small(int d, const double C[3][3], const double r[3], double x[3]) {
  using Small = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::ColMajor, 3, 3>;
  using SmallVector = Eigen::Matrix<double, Eigen::Dynamic, 1, Eigen::ColMajor, 3, 1>;
  Small M(d, d);
  SmallVector rhs(d);
  for (int a = 0; a < d; ++a) {
    rhs(a) = r[a];
    for (int b = 0; b < d; ++b) M(a, b) = C[a][b];
  }
  M.diagonal().array() += 1e-9 * M.trace() + 1e-300;
  const Eigen::LDLT<Small> ldlt(M);  // C is positive semi-definite, C + λ I definite
  const SmallVector sol = ldlt.info() == Eigen::Success ? SmallVector(ldlt.solve(rhs)) : SmallVector::Zero(d);
  for (int a = 0; a < d; ++a) x[a] = std::isfinite(sol(a)) ? sol(a) : 0.0;
}

AffineFits affine_fits(const std::vector<BoxLevel>& P, const Level& S, const Real1& g) {
  const int d = S.dim;
  AffineFits A;
  for (std::size_t k = 0; k < P.size(); ++k) {
    const BoxLevel& B = P[k];
    const long long nb = B.bins();
    // Moments of (y, g) per bin: count, Σ y, Σ y yᵀ, Σ g, Σ y g.
    std::vector<double> m(nb * 14, 0.0);
    auto bin_of = [&](int i) { return B.lin(S.coord(i, 0) >> k, S.coord(i, 1) >> k, S.coord(i, 2) >> k); };
    for (int i = 0; i < S.n; ++i) {
      double* q = &m[14 * bin_of(i)];
      q[0] += 1.0;
      q[10] += g(i);
      for (int a = 0; a < d; ++a) {
        q[1 + a] += S.pos(i, a);
        q[11 + a] += S.pos(i, a) * g(i);
        for (int b = 0; b < d; ++b) q[4 + 3 * a + b] += S.pos(i, a) * S.pos(i, b);
      }
    }
    std::vector<double> slope(nb * 3, 0.0), centre(nb * 3, 0.0), top(nb, -kInf);
    for (long long b = 0; b < nb; ++b) {
      const double* q = &m[14 * b];
      if (!(q[0] > 0.0)) continue;
      double C[3][3] = {}, r[3] = {}, x[3] = {};
      for (int a = 0; a < d; ++a) {
        centre[3 * b + a] = q[1 + a] / q[0];
        r[a] = q[11 + a] / q[0] - centre[3 * b + a] * q[10] / q[0];
      }
      for (int a = 0; a < d; ++a)
        for (int c = 0; c < d; ++c) C[a][c] = q[4 + 3 * a + c] / q[0] - centre[3 * b + a] * centre[3 * b + c];
      solve_small(d, C, r, x);
      for (int a = 0; a < d; ++a) slope[3 * b + a] = x[a];
    }
    for (int i = 0; i < S.n; ++i) {
      const long long b = bin_of(i);
      double v = g(i);
      for (int a = 0; a < d; ++a) v -= slope[3 * b + a] * (S.pos(i, a) - centre[3 * b + a]);
      top[b] = std::max(top[b], v);
    }
    A.slope.push_back(std::move(slope));
    A.centre.push_back(std::move(centre));
    A.top.push_back(std::move(top));
  }
  return A;
}

// The lower bound of |z − y|² − g(y) over bin b of pyramid level k (AffineFits), less a rounding margin
// (a bin pruned by a bound rounded up could hold the minimum).
double lower_bound(const BoxLevel& B, const AffineFits& A, std::size_t k, long long b, const double* z, int dim) {
  const double* L = &A.slope[k][3 * b];
  const double* c = &A.centre[k][3 * b];
  double gap = 0.0, lin = 0.0, sq = 0.0;
  for (int a = 0; a < dim; ++a) {
    const double w = z[a] + 0.5 * L[a];
    const double e = std::max({0.0, B.lo[3 * b + a] - w, w - B.hi[3 * b + a]});
    gap += e * e;
    lin += L[a] * (z[a] - c[a]);
    sq += 0.25 * L[a] * L[a];
  }
  const double t = A.top[k][b];
  const double affine = gap - lin - sq - t - 1e-12 * (gap + std::fabs(lin) + sq + std::fabs(t));
  // The plain bound gap²(z, box) − max g as well: both hold, the larger prunes more (a poor fit, e.g. a
  // nearly flat bin with a steep slope across it, then costs nothing).
  double plain = 0.0;
  for (int a = 0; a < dim; ++a) {
    const double e = std::max({0.0, B.lo[3 * b + a] - z[a], z[a] - B.hi[3 * b + a]});
    plain += e * e;
  }
  return std::max(affine, plain - B.top[b]);
}

// |z − y_j|² − g_j, with the expression of squared_distance (sparse_kernel.hpp): the same bits as the
// kernels' passes over the kept pairs.
double reduced_cost(const Level& S, const Real1& g, const double* z, int j) {
  double c = 0.0;
  for (int a = 0; a < S.dim; ++a) c += (z[a] - S.pos(j, a)) * (z[a] - S.pos(j, a));
  return c - g(j);
}

// Visits the level-0 bins of the pyramid whose lower bound of |z − y|² − g over the bin, gap² − max g, is
// at most bound() (re-read at every step, so a bound that shrinks prunes as it goes), smallest bound first.
template <class Bound, class Leaf>
void descend(const std::vector<BoxLevel>& P, const AffineFits& A, const double* z, int dim, Bound&& bound, Leaf&& leaf) {
  if (!P.back().occupied(0)) return;
  struct Node {
    int level;
    long long bin;
    double lower;
  };
  std::vector<Node> stack{{static_cast<int>(P.size()) - 1, 0, -kInf}};
  std::vector<Node> kids;
  while (!stack.empty()) {
    const Node n = stack.back();
    stack.pop_back();
    if (n.lower > bound()) continue;
    if (n.level == 0) {
      leaf(n.bin);
      continue;
    }
    kids.clear();
    children(P[n.level - 1], n.bin, P[n.level], [&](long long c) {
      const double lower = lower_bound(P[n.level - 1], A, n.level - 1, c, z, dim);
      if (lower <= bound()) kids.push_back({n.level - 1, c, lower});
    });
    // Largest bound pushed first: the most promising child is explored first and tightens the bound.
    std::sort(kids.begin(), kids.end(), [](const Node& a, const Node& b) { return a.lower > b.lower; });
    stack.insert(stack.end(), kids.begin(), kids.end());
  }
}

// min_j |z − y_j|² − g_j over every source j: the descent with the best value so far as its bound, so a
// bin is skipped once its lower bound gap² − max g exceeds it (best-first: the nearest bins tighten it early).
// arg: in, a source to start from (−1: none); out, the minimiser. The points of one call come sorted by bin,
// so the previous point's minimiser is a near one: starting from its value prunes from the first step on,
// where the descent otherwise runs down to its first leaf with no bound at all. The minimum is the same
// bits either way (the minimiser's bin is never pruned: its lower bound is below every value in it).
double c_transform_at(const std::vector<BoxLevel>& P, const AffineFits& A, const Level& S, const Real1& g,
                      const double* z, int& arg) {
  double best = arg >= 0 ? reduced_cost(S, g, z, arg) : kInf;
  descend(P, A, z, S.dim, [&] { return best; }, [&](long long b) {
    for (int j = S.bin_start(b); j < S.bin_start(b + 1); ++j) {
      const double r = reduced_cost(S, g, z, j);
      if (r < best) {
        best = r;
        arg = j;
      }
    }
  });
  return best;
}

}  // namespace

void exact_c_transform(const Level& S, const Real1& g, const double* points, int lo, int hi, double* out) {
  const std::vector<BoxLevel> P = pyramid(S, g);
  const AffineFits A = affine_fits(P, S, g);
  int arg = -1;
  for (int i = lo; i < hi; ++i) out[i] = c_transform_at(P, A, S, g, points + static_cast<std::size_t>(i) * S.dim, arg);
}

void windowed_c_transform(const Level& S, const Real1& g, const Level& T, const Real1& f, double window, int lo, int hi,
                          double* out) {
  {
    std::vector<double> best(hi > lo ? hi - lo : 0, kInf);
    const SparseKernel k = candidates(T, f, S, g, 1.0, window, lo, hi);
    for_each_kept_pair(k, [&](int i, int j, double c, double) { best[i - lo] = std::min(best[i - lo], c - g(j)); });
    for (int i = lo; i < hi; ++i) out[i] = best[i - lo];
  }
  std::vector<int> missed;
  for (int i = lo; i < hi; ++i)
    if (!(out[i] < kInf)) missed.push_back(i);
  if (missed.empty()) return;
  const std::vector<BoxLevel> P = pyramid(S, g);
  const AffineFits A = affine_fits(P, S, g);
  int arg = -1;
  for (int i : missed) out[i] = c_transform_at(P, A, S, g, &T.pos(i, 0), arg);
}

void soft_c_transform(const Level& S, const Real1& g, double eps, double theta, const double* points, int lo, int hi,
                      double* f, double* map) {
  const int d = S.dim;
  const std::vector<BoxLevel> P = pyramid(S, g);
  const AffineFits A = affine_fits(P, S, g);
  const double inv = 1.0 / eps, window = theta * eps;
  int arg = -1;
  for (int i = lo; i < hi; ++i) {
    const double* z = points + static_cast<std::size_t>(i) * d;
    const double best = c_transform_at(P, A, S, g, z, arg);
    double mass = 0.0, moment[3] = {0.0, 0.0, 0.0};
    const double cut = best + window;
    descend(P, A, z, d, [&] { return cut; }, [&](long long b) {
      for (int j = S.bin_start(b); j < S.bin_start(b + 1); ++j) {
        const double r = reduced_cost(S, g, z, j) - best;
        if (r > window) continue;
        const double w = S.w(j) * std::exp(-r * inv);
        mass += w;
        for (int a = 0; a < d; ++a) moment[a] += w * S.pos(j, a);
      }
    });
    f[i] = best - eps * std::log(mass);
    for (int a = 0; a < d; ++a) map[static_cast<std::size_t>(i) * d + a] = moment[a] / mass;
  }
}

}  // namespace mf::ot::detail
