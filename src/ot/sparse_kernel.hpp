// The truncated kernel of one ε stage of the multiscale solver (Schmitzer's sparse scaling): once the
// potentials f̂, ĝ of the previous stage are known, only the pairs whose reduced cost
// r_ij = |x_i − y_j|² − f̂_i − ĝ_j is at most θ·ε are kept, found by descending the bins of both clouds
// together (a pair of bins is dropped when a lower bound of r over it exceeds θ·ε). The kept values
// b_j exp(−r_ij/ε) are computed once per stage; every sweep of the stage is then a sparse product.
//
// Why r ≤ θ·ε and not |x − y|² ≤ θ·ε: the plan's pairs sit along the transport map, not around x, and
// once the potentials are absorbed the kept set follows the map. For the target that was updated last,
// Σ_j b_j exp(−r_ij/ε) = 1, so the dropped pairs carry less than e^−θ of its row (Σ_j b_j = 1).
#pragma once
#include <vector>

#include "bin_hierarchy.hpp"

namespace mf::ot::detail {

// Rows [lo, hi) of the targets T against all sources S. The kept pairs are either stored (compressed by
// rows: the sweeps are sparse products) or, when there are too many to hold, streamed: each sweep scans
// the candidate bins again and recomputes the kept values (the memory stays O(points + bins)).
struct SparseKernel {
  int lo = 0, hi = 0;
  double eps = 1.0, threshold = 0.0;
  Level T, S;    // views (shared, not copied)
  Real1 ft, gs;  // the absorbed potentials f̂, ĝ
  std::vector<int> cand_start;        // per target bin: its runs of candidate source bins,
  std::vector<int> cand;              // run q = bins cand[2q] .. cand[2q + 1] (consecutive, inclusive)
  std::vector<long long> row_start;   // hi − lo + 1: kept pairs per row, cumulated
  bool stored = false;
  std::vector<int> col;     // stored: source point of each kept pair
  std::vector<double> val;  // stored: b_j exp(−r_ij / ε)
  // Stored in single precision instead (val32, val empty): 8 bytes a pair instead of 12, so a third less
  // memory to fault in and to stream through every sweep. Each value is then off by at most 2⁻²⁴ relative:
  // the same as solving with a kernel exp(−(c + δ)/ε), |δ| ≤ 6·10⁻⁸ ε, which moves a dual value by at most
  // that δ (the yardstick's choice, docs/yardstick.md; the transposed products need val).
  bool single = false;
  std::vector<float> val32;
  long long pairs() const { return row_start.empty() ? 0 : row_start.back(); }
};

// Finds the candidate bins and counts the pairs with |x_i − y_j|² − (f̂_i + ĝ_j) ≤ threshold for the
// targets i in [lo, hi). The reduced cost is computed with the same expression in both orientations, so
// the kernel of S against T keeps exactly the transposed pairs (the same numbers, bit for bit): both
// sides see one kernel matrix, and the Sinkhorn iteration has a fixed point.
SparseKernel build_kernel(const Level& T, const Real1& ft, const Level& S, const Real1& gs, double eps,
                          double threshold, int lo, int hi);

// Stores the kept pairs and their values (sweeps become sparse products).
void store_pairs(SparseKernel& k);

// build_kernel and store_pairs in one pass over the candidates, storing while this rank's pairs are at most
// max_stored (k.stored: whether they were; if not, nothing is held and the sweeps stream). recycled: a
// kernel about to be replaced, whose pair buffers are taken over (it is left without stored pairs), so a
// rebuild writes into memory already mapped.
// single: store the values in single precision (SparseKernel::single).
SparseKernel build_stored_kernel(const Level& T, const Real1& ft, const Level& S, const Real1& gs, double eps,
                                 double threshold, int lo, int hi, long long max_stored, SparseKernel* recycled,
                                 bool single = false);

// Drops the stored pairs (the sweeps then stream them).
void unstore_pairs(SparseKernel& k);

// log Σ_j b_j exp(−r_ij/ε) · source_scale(j) over the kept pairs of each row, into out(lo..hi−1);
// −inf for an empty row.
void log_row_sums(const SparseKernel& k, const Real1& source_scale, const Real1& out);

// cost(i) = Σ_j π_ij |x_i − y_j|² over the kept pairs, π_ij = a_i exp(lu_i) b_j exp(−r_ij/ε) exp(lv_j): the
// primal transport cost ⟨π, C⟩ once summed over the rows.
void plan_row_costs(const SparseKernel& k, const Real1& lu, const Real1& lv, const Real1& cost);

// mass(i) = Σ_j π_ij and cost(i) = Σ_j π_ij |x_i − y_j|² over the kept pairs of the scaled plan
// π_ij = a_i row_scale_i b_j exp(−r_ij/ε) col_scale_j (mass may be an empty view: not computed).
void plan_rows(const SparseKernel& k, const Real1& row_scale, const Real1& col_scale, const Real1& mass,
               const Real1& cost);

// The transposed products of a stored kernel, from its own pairs (the kernel of S against T is not built):
// sums(j) += Σ_i val_ij · row_scale(i) over this rank's rows i, val_ij = b_j exp(−r_ij/ε) the stored value,
// and moments(j, a) += Σ_i val_ij · row_scale(i) · x_i[a] (a < dim), moments(j, dim) += sums(j)'s terms
// (moments: S.n × (dim + 1)). The rows of other ranks
// are theirs to add (the caller sums over ranks).
void add_column_sums(const SparseKernel& k, const Real1& row_scale, const Real1& sums);
void add_column_moments(const SparseKernel& k, const Real1& row_scale, const Real2& moments);

// bary(i, ·) = Σ_j K_ij e^{lv_j} y_j / Σ_j K_ij e^{lv_j} for the rows [lo, hi): the barycentric map of the
// plan (where row i's mass goes), from which the gradient of the potential follows, ∇f(x_i) = 2 (x_i − bary_i).
void row_barycentres(const SparseKernel& k, const Real1& lv, const Real2& bary);

// |x_i − y_j|² with the expression every pass over the kept pairs uses (the same bits everywhere).
inline double squared_distance(const Level& X, int i, const Level& Y, int j) {
  double c = 0.0;
  for (int a = 0; a < X.dim; ++a) c += (X.pos(i, a) - Y.pos(j, a)) * (X.pos(i, a) - Y.pos(j, a));
  return c;
}

// visit(i, j, c_ij, r_ij) for every pair, i in the kernel's rows, with r_ij = c_ij − (f̂_i + ĝ_j) ≤ threshold,
// through the bins the descent left as candidates (the same expression as the kernel's, so the same pairs).
template <class Visit>
void for_each_kept_pair(const SparseKernel& k, Visit&& visit) {
  const Level &T = k.T, &S = k.S;
  for (int i = k.lo; i < k.hi; ++i) {
    const long long bt = T.lin(T.coord(i, 0), T.coord(i, 1), T.coord(i, 2));
    for (int q = k.cand_start[bt]; q < k.cand_start[bt + 1]; ++q)
      for (int j = S.bin_start(k.cand[2 * q]); j < S.bin_start(k.cand[2 * q + 1] + 1); ++j) {
        const double c = squared_distance(T, i, S, j);
        const double r = c - (k.ft(i) + k.gs(j));
        if (r <= k.threshold) visit(i, j, c, r);
      }
  }
}

// The smallest reduced cost of each row and each column, r_ij = |x_i − y_j|² − f̂_i − ĝ_j, over the pairs with
// r_ij ≤ 0 only (0 where a row or column has none): min(m_i, 0) exactly, found through the bins like a
// kernel with threshold 0, for the rows [lo, hi) of T. row_min: T.n entries, those of the rows written;
// col_min: S.n entries, each lowered to the minimum over these rows' pairs (the caller takes the minimum
// over ranks). Why not the exact minima: their search (exact_c_transform below) cost a minute per call
// at 10⁶ points in 3D, and a minimum above 0 is clamped to 0 by its one user anyway (the relative window).
void nonpositive_minima(const Level& T, const Real1& ft, const Level& S, const Real1& gs, int lo, int hi,
                        const Real1& row_min, const Real1& col_min);

// The exact c-transform out(i) = min_j |z_i − y_j|² − g_j over EVERY source j at the points z (row-major,
// S.dim columns; rows [lo, hi) written): a best-first branch-and-bound descent of S's box pyramid, a bin
// skipped once its lower bound gap² − max g exceeds the best value found. No threshold to guess, O(log bins
// + the points of the bins visited) per point. The one search behind the bracket's lower bound
// (transport_bracket.hpp) and the soft c-transform below.
void exact_c_transform(const Level& S, const Real1& g, const double* points, int lo, int hi, double* out);

// The same minima as exact_c_transform at the points of T (rows [lo, hi)), found first among the pairs with
// |t_i − s_j|² − f_i − g_j ≤ window, f a partner potential on T (a kernel's descent over bins, shared by the
// points of a bin), and by exact_c_transform's search only for the rows with no such pair. The minimiser of
// row i is the same for c − g and c − f_i − g, so where a row has a pair in the window its minimum is the
// exact one, the same bits. Why: at 10⁵ points in 3D the per-point search cost ~20 µs a point (a descent
// from the root each time); the bracket's potentials keep nearly every row's minimiser within a few ε.
void windowed_c_transform(const Level& S, const Real1& g, const Level& T, const Real1& f, double window, int lo, int hi,
                          double* out);

// The soft c-transform of the potential g on the sources S at arbitrary points z (row-major, `dim`
// columns; rows [lo, hi)), zero-mass points included:
//   f(z) = −ε log Σ_j b_j exp((g_j − |z − y_j|²)/ε),   T(z) = Σ_j b_j e^{(g_j − |z − y_j|²)/ε} y_j / Σ_j (same),
// T being the barycentric map of the plan's row at z (it does not depend on f(z)). Each point first finds
// the exact c-transform f_c(z) = min_j |z − y_j|² − g_j (the search of exact_c_transform),
// then sums over the pairs with |z − y_j|² − g_j − f_c(z) ≤ θ·ε only: the sum holds the minimising pair
// (a term ≥ b_j), so it never underflows however far z is from S's support, and the dropped pairs carry
// less than e^−θ of the mass of b. O(log bins + kept pairs) per point.
void soft_c_transform(const Level& S, const Real1& g, double eps, double theta, const double* points, int lo, int hi,
                      double* f, double* map);

}  // namespace mf::ot::detail
