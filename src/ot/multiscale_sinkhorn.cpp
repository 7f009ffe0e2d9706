// Multiscale, truncated log-domain Sinkhorn for the cross-view yardstick (multiscale_sinkhorn.hpp).
// Why a second solver beside the dense streaming one: at ε = a few h² the kernel exp(−|x − y|²/ε) is
// below e^-16 beyond a few cells, so visiting all n·m pairs (1.6·10⁹ for 128² cells × 10⁵ particles)
// is wasted work; the bins of the grid find the pairs that matter, and coarse bin levels give the
// ε-scaling stages at large ε their few points.
#include "measureflow/ot/multiscale_sinkhorn.hpp"

#include <Kokkos_Core.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <limits>
#include <stdexcept>
#include <string>

#include "measureflow/errors.hpp"
#include "measureflow/fast_exp.hpp"
#include "measureflow/kokkos_math.hpp"
#include "measureflow/log_event.hpp"

namespace mf::ot {

namespace {

using HostExec = Kokkos::DefaultHostExecutionSpace;
using Real1 = Kokkos::View<double*, Kokkos::HostSpace>;
using Real2 = Kokkos::View<double**, Kokkos::LayoutRight, Kokkos::HostSpace>;
using Int1 = Kokkos::View<int*, Kokkos::HostSpace>;
using Int2 = Kokkos::View<int**, Kokkos::LayoutRight, Kokkos::HostSpace>;

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

// One level of the bin hierarchy: points sorted by bin (x fastest), so the bins of one row of a box are
// one contiguous range of points.
struct Level {
  int dim = 0;
  int nb[3] = {1, 1, 1};
  double s_min = 1.0;  // smallest bin side
  int n = 0;
  Real2 pos;        // n × dim
  Real1 w, lw;      // normalised weight and its log
  Int2 coord;       // n × 3 bin coordinates
  Int1 bin_start;   // bins + 1 offsets into the points
  Int1 parent;      // the point of the next coarser level holding this one (set by coarsen)
  long long bins() const { return static_cast<long long>(nb[0]) * nb[1] * nb[2]; }
  long long lin(int a, int b, int c) const { return a + static_cast<long long>(nb[0]) * (b + static_cast<long long>(nb[1]) * c); }
};

// Sorts points (given with bin coordinates) by bin and fills the level's arrays.
void fill_level(Level& L, const std::vector<double>& pos, const std::vector<double>& w, const std::vector<int>& coord) {
  const int d = L.dim;
  const std::size_t n = w.size();
  std::vector<int> start(L.bins() + 1, 0);
  std::vector<long long> key(n);
  for (std::size_t i = 0; i < n; ++i) {
    key[i] = L.lin(coord[3 * i], coord[3 * i + 1], coord[3 * i + 2]);
    ++start[key[i] + 1];
  }
  for (long long b = 0; b < L.bins(); ++b) start[b + 1] += start[b];
  std::vector<int> fill(start.begin(), start.end() - 1);
  L.n = static_cast<int>(n);
  L.pos = Real2("mf::ot::ms_pos", n, d);
  L.w = Real1("mf::ot::ms_w", n);
  L.lw = Real1("mf::ot::ms_lw", n);
  L.coord = Int2("mf::ot::ms_coord", n, 3);
  for (std::size_t i = 0; i < n; ++i) {
    const int k = fill[key[i]]++;  // stable: equal bins keep their input order
    for (int a = 0; a < d; ++a) L.pos(k, a) = pos[d * i + a];
    for (int a = 0; a < 3; ++a) L.coord(k, a) = coord[3 * i + a];
    L.w(k) = w[i];
    L.lw(k) = std::log(w[i]);
  }
  L.bin_start = Int1("mf::ot::ms_bin_start", start.size());
  for (std::size_t b = 0; b < start.size(); ++b) L.bin_start(b) = start[b];
}

Level finest_level(const HostCloud& c, const BinLattice& lat, const char* name) {
  const int d = lat.dim;
  if (c.dim != d) throw std::invalid_argument(std::string("multiscale_divergence: ") + name + " has the wrong dimension");
  double total = 0.0;
  for (double v : c.weights) {
    if (!(v >= 0.0) || !std::isfinite(v))
      throw std::invalid_argument(std::string("multiscale_divergence: ") + name + " has a negative or non-finite weight");
    total += v;
  }
  if (!(total > 0.0)) throw std::invalid_argument(std::string("multiscale_divergence: ") + name + " has no mass");
  Level L;
  L.dim = d;
  L.s_min = std::numeric_limits<double>::infinity();
  for (int a = 0; a < d; ++a) {
    L.nb[a] = lat.cells[a];
    L.s_min = std::min(L.s_min, lat.h[a]);
  }
  std::vector<double> pos, w;
  std::vector<int> coord;
  for (std::size_t i = 0; i < c.size(); ++i) {
    if (!(c.weights[i] > 0.0)) continue;
    w.push_back(c.weights[i] / total);
    for (int a = 0; a < 3; ++a) {
      int k = 0;
      if (a < d) {
        const double x = c.positions[d * i + a];
        pos.push_back(x);
        const double u = std::floor((x - lat.lower[a]) / lat.h[a]);
        k = u < 0.0 ? 0 : (u >= lat.cells[a] ? lat.cells[a] - 1 : static_cast<int>(u));
      }
      coord.push_back(k);
    }
  }
  fill_level(L, pos, w, coord);
  return L;
}

// The next level: bins twice as wide, one point per non-empty bin at its centre of mass.
Level coarsen(Level& fine) {
  const int d = fine.dim;
  Level C;
  C.dim = d;
  C.s_min = 2.0 * fine.s_min;
  for (int a = 0; a < 3; ++a) C.nb[a] = a < d ? (fine.nb[a] + 1) / 2 : 1;
  std::vector<double> mass(C.bins(), 0.0), moment(C.bins() * d, 0.0);
  for (int i = 0; i < fine.n; ++i) {
    const long long b = C.lin(fine.coord(i, 0) / 2, fine.coord(i, 1) / 2, fine.coord(i, 2) / 2);
    mass[b] += fine.w(i);
    for (int a = 0; a < d; ++a) moment[d * b + a] += fine.w(i) * fine.pos(i, a);
  }
  std::vector<int> index(C.bins(), -1), coord;
  std::vector<double> pos, w;
  for (long long b = 0; b < C.bins(); ++b) {
    if (!(mass[b] > 0.0)) continue;
    index[b] = static_cast<int>(w.size());
    w.push_back(mass[b]);
    for (int a = 0; a < d; ++a) pos.push_back(moment[d * b + a] / mass[b]);
    coord.push_back(static_cast<int>(b % C.nb[0]));
    coord.push_back(static_cast<int>((b / C.nb[0]) % C.nb[1]));
    coord.push_back(static_cast<int>(b / (static_cast<long long>(C.nb[0]) * C.nb[1])));
  }
  fill_level(C, pos, w, coord);  // already in bin order, so the indices above are the sorted ones
  fine.parent = Int1("mf::ot::ms_parent", fine.n);
  for (int i = 0; i < fine.n; ++i)
    fine.parent(i) = index[C.lin(fine.coord(i, 0) / 2, fine.coord(i, 1) / 2, fine.coord(i, 2) / 2)];
  return C;
}

std::vector<Level> hierarchy(const HostCloud& c, const BinLattice& lat, const char* name) {
  std::vector<Level> levels;
  levels.push_back(finest_level(c, lat, name));
  while (std::max({levels.back().nb[0], levels.back().nb[1], levels.back().nb[2]}) > 2)
    levels.push_back(coarsen(levels.back()));
  return levels;
}

// Blocks of B × ... bins (B = the stage's radius in bins) split the pairs symmetrically: points in the
// same or adjacent blocks interact exactly, points in farther blocks through their blocks' centres of
// mass. Both sides see the same kernel matrix (so Sinkhorn has a fixed point), every point sees every
// other one (so a point in an empty tail still has partners), and the far pairs, at least B bins apart,
// carry less than e^-truncation of the kernel.
struct Blocks {
  int B = 1;
  int nk[3] = {1, 1, 1};
  Int1 of;            // block of each point (linear index in the block lattice)
  Real2 centre;       // blocks × dim, centre of mass (meaningful where mass > 0)
  Real1 mass;         // blocks
  long long count() const { return static_cast<long long>(nk[0]) * nk[1] * nk[2]; }
};

Blocks make_blocks(const Level& L, int B) {
  Blocks k;
  k.B = B;
  for (int a = 0; a < 3; ++a) k.nk[a] = (L.nb[a] - 1) / B + 1;
  k.of = Int1("mf::ot::ms_block_of", L.n);
  k.centre = Real2("mf::ot::ms_block_centre", k.count(), L.dim);
  k.mass = Real1("mf::ot::ms_block_mass", k.count());
  for (int i = 0; i < L.n; ++i) {
    const long long b = L.coord(i, 0) / B + static_cast<long long>(k.nk[0]) * (L.coord(i, 1) / B + static_cast<long long>(k.nk[1]) * (L.coord(i, 2) / B));
    k.of(i) = static_cast<int>(b);
    k.mass(b) += L.w(i);
    for (int a = 0; a < L.dim; ++a) k.centre(b, a) += L.w(i) * L.pos(i, a);
  }
  for (long long b = 0; b < k.count(); ++b)
    if (k.mass(b) > 0.0)
      for (int a = 0; a < L.dim; ++a) k.centre(b, a) /= k.mass(b);
  return k;
}

// For each target block K: log Σ over the source blocks K' at least two blocks away of
// Σ_{j ∈ K'} w_j exp((pot_j − |c_K − c_K'|²)/ε), c the blocks' centres of mass (−inf where there are none).
Real1 far_terms(const Level& S, const Blocks& ks, const Blocks& kt, const Real1& pot, double eps) {
  const long long nb = ks.count();
  Real1 lse("mf::ot::ms_block_lse", nb);
  Kokkos::deep_copy(lse, kNegInf);
  for (int j = 0; j < S.n; ++j) lse(ks.of(j)) = std::max(lse(ks.of(j)), S.lw(j) + pot(j) / eps);
  Real1 sum("mf::ot::ms_block_sum", nb);
  for (int j = 0; j < S.n; ++j) sum(ks.of(j)) += std::exp(S.lw(j) + pot(j) / eps - lse(ks.of(j)));
  for (long long b = 0; b < nb; ++b)
    if (sum(b) > 0.0) lse(b) += std::log(sum(b));
  std::vector<long long> live;
  for (long long b = 0; b < nb; ++b)
    if (lse(b) > kNegInf) live.push_back(b);
  Real1 out("mf::ot::ms_far", kt.count());
  const int d = S.dim;
  auto coords = [&](long long b, int* c) {
    c[0] = static_cast<int>(b % ks.nk[0]);
    c[1] = static_cast<int>((b / ks.nk[0]) % ks.nk[1]);
    c[2] = static_cast<int>(b / (static_cast<long long>(ks.nk[0]) * ks.nk[1]));
  };
  std::vector<double> v;
  for (long long K = 0; K < kt.count(); ++K) {
    out(K) = kNegInf;
    if (!(kt.mass(K) > 0.0)) continue;
    int cK[3];
    coords(K, cK);
    v.clear();
    double m = kNegInf;
    for (long long b : live) {
      int c[3];
      coords(b, c);
      if (std::abs(c[0] - cK[0]) <= 1 && std::abs(c[1] - cK[1]) <= 1 && std::abs(c[2] - cK[2]) <= 1) continue;
      double r2 = 0.0;
      for (int a = 0; a < d; ++a) r2 += (kt.centre(K, a) - ks.centre(b, a)) * (kt.centre(K, a) - ks.centre(b, a));
      v.push_back(lse(b) - r2 / eps);
      m = std::max(m, v.back());
    }
    if (!(m > kNegInf)) continue;
    double s = 0.0;
    for (double e : v) s += std::exp(e - m);
    out(K) = m + std::log(s);
  }
  return out;
}

// −ε log Σ_j w_j exp((pot_j − |x_i − y_j|²)/ε) for the targets i in [lo, hi): the sources in i's block and
// the adjacent ones exactly (a box of bins, one contiguous range of points per row), the rest as far(K_i).
// The sum is taken relative to exp(−guess_i/ε) (the target's previous potential, which the new one is
// close to) in one vectorised pass; only if that over- or underflows is it redone with the row maximum.
void softmin_slice(const Level& T, const Blocks& kt, const Level& S, const Real1& pot, const Real1& far,
                   const Real1& guess, double eps, int lo, int hi, const Real1& out) {
  const int d = T.dim;
  const double inv = 1.0 / eps;
  const int nb0 = S.nb[0], nb1 = S.nb[1], nb2 = S.nb[2];
  const int B = kt.B;
  const Real2 tx = T.pos, sy = S.pos;
  const Int2 tc = T.coord;
  const Int1 start = S.bin_start, tblock = kt.of;
  const Real1 slw = S.lw;
  Kokkos::parallel_for(
      "mf::ot::multiscale_softmin", Kokkos::RangePolicy<HostExec>(lo, hi), KOKKOS_LAMBDA(const int i) {
        double x[3] = {0.0, 0.0, 0.0};
        for (int a = 0; a < d; ++a) x[a] = tx(i, a);
        const int n[3] = {nb0, nb1, nb2};
        int b0[3], b1[3];
        for (int a = 0; a < 3; ++a) {
          const int k = tc(i, a) / B;
          b0[a] = (k - 1) * B < 0 ? 0 : (k - 1) * B;
          b1[a] = (k + 2) * B - 1 > n[a] - 1 ? n[a] - 1 : (k + 2) * B - 1;
        }
        const double f = far(tblock(i));
        // Σ over the box and the far term of exp(value − shift).
        auto box_sum = [&](double shift) {
          double s = f > kNegInf ? fast_exp(f - shift) : 0.0;
          for (int c = b0[2]; c <= b1[2]; ++c)
            for (int b = b0[1]; b <= b1[1]; ++b) {
              const long long row = static_cast<long long>(nb0) * (b + static_cast<long long>(nb1) * c);
              const int j0 = start(row + b0[0]), j1 = start(row + b1[0] + 1);
              if (d == 2) {
                const double x0 = x[0], x1 = x[1];
#pragma omp simd reduction(+ : s)
                for (int j = j0; j < j1; ++j) {
                  const double r2 = (x0 - sy(j, 0)) * (x0 - sy(j, 0)) + (x1 - sy(j, 1)) * (x1 - sy(j, 1));
                  s += fast_exp(slw(j) + (pot(j) - r2) * inv - shift);
                }
              } else {
#pragma omp simd reduction(+ : s)
                for (int j = j0; j < j1; ++j) {
                  double r2 = 0.0;
                  for (int a = 0; a < d; ++a) r2 += (x[a] - sy(j, a)) * (x[a] - sy(j, a));
                  s += fast_exp(slw(j) + (pot(j) - r2) * inv - shift);
                }
              }
            }
          return s;
        };
        double shift = -guess(i) * inv;
        double s = box_sum(shift);
        if (!(s > 1e-200 && s < 1e200)) {
          // The guess was far off: the largest exponent as the shift, so nothing overflows.
          double m = f;
          for (int c = b0[2]; c <= b1[2]; ++c)
            for (int b = b0[1]; b <= b1[1]; ++b) {
              const long long row = static_cast<long long>(nb0) * (b + static_cast<long long>(nb1) * c);
              for (int j = start(row + b0[0]); j < start(row + b1[0] + 1); ++j) {
                double r2 = 0.0;
                for (int a = 0; a < d; ++a) r2 += (x[a] - sy(j, a)) * (x[a] - sy(j, a));
                const double v = slw(j) + (pot(j) - r2) * inv;
                m = v > m ? v : m;
              }
            }
          shift = m;
          s = box_sum(shift);
        }
        out(i) = -eps * (shift + kmath::log(s));
      });
  Kokkos::fence();
}

// Softmin on all of T's points: each rank a contiguous slice, then gathered (rank-count independent).
Real1 softmin(MPI_Comm comm, const Level& T, const Blocks& kt, const Level& S, const Blocks& ks, const Real1& pot,
              const Real1& guess, double eps) {
  int rank = 0, size = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  std::vector<int> counts(size), displs(size);
  for (int r = 0; r < size; ++r) {
    displs[r] = static_cast<int>(static_cast<long long>(T.n) * r / size);
    counts[r] = static_cast<int>(static_cast<long long>(T.n) * (r + 1) / size) - displs[r];
  }
  Real1 out("mf::ot::ms_potential", T.n);
  const Real1 far = far_terms(S, ks, kt, pot, eps);
  softmin_slice(T, kt, S, pot, far, guess, eps, displs[rank], displs[rank] + counts[rank], out);
  MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, out.data(), counts.data(), displs.data(), MPI_DOUBLE, comm);
  return out;
}

// Σ_j w_j |exp((old_j − fresh_j)/ε) − 1|: the L1 violation of this side's marginal by the plan built with `old`.
double violation(const Level& L, const Real1& old, const Real1& fresh, double eps) {
  double e = 0.0;
  for (int j = 0; j < L.n; ++j) e += L.w(j) * std::fabs(std::exp((old(j) - fresh(j)) / eps) - 1.0);
  return e;
}

double dot(const Level& L, const Real1& p) {
  double s = 0.0;
  for (int j = 0; j < L.n; ++j) s += L.w(j) * p(j);
  return s;
}

// old ← old + ω (fresh − old).
void relax(Real1& old, const Real1& fresh, double omega) {
  if (old.extent(0) != fresh.extent(0)) {
    old = fresh;
    return;
  }
  for (std::size_t i = 0; i < old.extent(0); ++i) old(i) += omega * (fresh(i) - old(i));
}

// Potentials of the coarser level `from` copied to the points of the finer level (each takes its bin's).
Real1 prolong(const Level& finer, const Real1& coarse) {
  Real1 out("mf::ot::ms_prolonged", finer.n);
  for (int i = 0; i < finer.n; ++i) out(i) = coarse(finer.parent(i));
  return out;
}

struct Stage {
  double eps;
  int level;
  int radius;
  bool recorded;  // 2ε or ε: solved to the final tolerance, dual value kept
};

std::vector<Stage> schedule(const std::vector<Level>& lx, const std::vector<Level>& ly, double diameter2,
                            const MultiscaleOptions& opt) {
  const int levels = static_cast<int>(std::min(lx.size(), ly.size()));
  const int top = std::max(1, static_cast<int>(std::ceil(std::log2(std::max(diameter2 / opt.eps, 1.0)))));
  std::vector<Stage> st;
  for (int k = top; k >= 0; --k) {
    const double eps = opt.eps * std::ldexp(1.0, k);
    const double r = std::sqrt(opt.truncation * eps);
    int level = 0;
    if (k > 1)
      while (level + 1 < levels && std::ceil(r / lx[level].s_min) > opt.max_radius_bins) ++level;
    const int radius = static_cast<int>(std::min(std::ceil(r / lx[level].s_min), 1e6));
    st.push_back({eps, level, radius, k <= 1});
  }
  return st;
}

struct Recorded {
  double value_2eps = 0.0, value_eps = 0.0, error = 0.0;
  int iterations = 0;
  bool converged = true;
};

// OT_ε(x, y) by alternating updates over the stages; dual values ⟨a, f⟩ + ⟨b, g⟩ at 2ε and ε.
Recorded cross_solve(MPI_Comm comm, const std::vector<Level>& X, const std::vector<Level>& Y,
                     const std::vector<Stage>& stages, const MultiscaleOptions& opt) {
  Recorded rec;
  Real1 f, g;
  int cur = -1;
  for (const Stage& s : stages) {
    if (cur < 0) {
      f = Real1("mf::ot::ms_f", X[s.level].n);
      g = Real1("mf::ot::ms_g", Y[s.level].n);
    }
    for (; cur > s.level; --cur) {
      f = prolong(X[cur - 1], f);
      g = prolong(Y[cur - 1], g);
    }
    cur = s.level;
    const Blocks kx = make_blocks(X[cur], s.radius), ky = make_blocks(Y[cur], s.radius);
    const double tol = s.recorded ? opt.tol : std::max(opt.tol, opt.stage_tol);
    double err = std::numeric_limits<double>::infinity();
    int stage_it = 0;
    // Over-relaxed updates on the recorded stages, where the sweeps are many; plain ones as soon as the
    // violation grows, and a plain g update last (the returned plan has exact y marginals).
    double omega = s.recorded ? opt.relaxation : 1.0;
    while (err > tol && rec.iterations < opt.max_iterations) {
      relax(f, softmin(comm, X[cur], kx, Y[cur], ky, g, f, s.eps), omega);
      const Real1 fresh = softmin(comm, Y[cur], ky, X[cur], kx, f, g, s.eps);
      ++stage_it;
      const double previous = err;
      err = violation(Y[cur], g, fresh, s.eps);
      if (err > previous) omega = 1.0;
      relax(g, fresh, err > tol ? omega : 1.0);
      ++rec.iterations;
      if (!std::isfinite(err)) throw SolverError("multiscale Sinkhorn: marginal error is not finite at eps = " + std::to_string(s.eps));
    }
    if (std::getenv("MF_MULTISCALE_TRACE"))
      std::fprintf(stderr, "multiscale cross: eps %.3e level %d radius %d n %d x %d sweeps %d err %.2e\n", s.eps, cur,
                   s.radius, X[cur].n, Y[cur].n, stage_it, err);
    if (s.recorded) {
      rec.converged = rec.converged && err <= tol;
      (s.eps > opt.eps ? rec.value_2eps : rec.value_eps) = dot(X[cur], f) + dot(Y[cur], g);
      rec.error = err;
    }
  }
  return rec;
}

// OT_ε(x, x) by the symmetric averaged fixed point p ← (p + softmin(p)) / 2; dual value 2⟨a, p⟩.
Recorded self_solve(MPI_Comm comm, const std::vector<Level>& X, const std::vector<Stage>& stages,
                    const MultiscaleOptions& opt) {
  Recorded rec;
  Real1 p;
  int cur = -1;
  for (const Stage& s : stages) {
    if (cur < 0) p = Real1("mf::ot::ms_p", X[s.level].n);
    for (; cur > s.level; --cur) p = prolong(X[cur - 1], p);
    cur = s.level;
    const Blocks kx = make_blocks(X[cur], s.radius);
    const double tol = s.recorded ? opt.tol : std::max(opt.tol, opt.stage_tol);
    double err = std::numeric_limits<double>::infinity();
    int stage_it = 0;
    while (err > tol && rec.iterations < opt.max_iterations) {
      const Real1 fresh = softmin(comm, X[cur], kx, X[cur], kx, p, p, s.eps);
      err = violation(X[cur], p, fresh, s.eps);
      for (int i = 0; i < X[cur].n; ++i) p(i) = 0.5 * (p(i) + fresh(i));
      ++rec.iterations;
      if (!std::isfinite(err)) throw SolverError("multiscale Sinkhorn (self term): marginal error is not finite");
      ++stage_it;
    }
    if (std::getenv("MF_MULTISCALE_TRACE"))
      std::fprintf(stderr, "multiscale self: eps %.3e level %d radius %d n %d sweeps %d err %.2e\n", s.eps, cur, s.radius,
                   X[cur].n, stage_it, err);
    if (s.recorded) {
      rec.converged = rec.converged && err <= tol;
      // A last plain update: at the fixed point p = softmin(p), and OT_ε(x, x) = 2⟨a, p⟩.
      p = softmin(comm, X[cur], kx, X[cur], kx, p, p, s.eps);
      (s.eps > opt.eps ? rec.value_2eps : rec.value_eps) = 2.0 * dot(X[cur], p);
    }
  }
  return rec;
}

double squared_box_diagonal(const HostCloud& x, const HostCloud& y) {
  const int d = x.dim;
  double s = 0.0;
  for (int a = 0; a < d; ++a) {
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (const HostCloud* c : {&x, &y})
      for (std::size_t i = 0; i < c->size(); ++i) {
        lo = std::min(lo, c->positions[d * i + a]);
        hi = std::max(hi, c->positions[d * i + a]);
      }
    s += (hi - lo) * (hi - lo);
  }
  return s;
}

}  // namespace

MultiscaleDivergence multiscale_divergence(MPI_Comm comm, const HostCloud& x, const HostCloud& y,
                                           const BinLattice& lattice, const MultiscaleOptions& opt) {
  if (!(opt.eps > 0.0) || !std::isfinite(opt.eps))
    throw std::invalid_argument("multiscale_divergence: eps must be finite and > 0, got " + std::to_string(opt.eps));
  if (lattice.dim < 1 || lattice.dim > 3) throw std::invalid_argument("multiscale_divergence: dimension must be 1, 2 or 3");
  const ScopedLogEvent event("mf::ot::multiscale_divergence");
  const double t0 = MPI_Wtime();
  const std::clock_t c0 = std::clock();
  const std::vector<Level> X = hierarchy(x, lattice, "x");
  const std::vector<Level> Y = hierarchy(y, lattice, "y");
  const std::vector<Stage> stages = schedule(X, Y, squared_box_diagonal(x, y), opt);
  const Recorded xy = cross_solve(comm, X, Y, stages, opt);
  const Recorded xx = self_solve(comm, X, stages, opt);
  const Recorded yy = self_solve(comm, Y, stages, opt);
  MultiscaleDivergence r;
  r.eps = opt.eps;
  r.divergence = xy.value_eps - 0.5 * (xx.value_eps + yy.value_eps);
  r.divergence_2eps = xy.value_2eps - 0.5 * (xx.value_2eps + yy.value_2eps);
  r.marginal_error = xy.error;
  r.iterations = xy.iterations;
  r.converged = xy.converged && xx.converged && yy.converged;
  const double seconds = MPI_Wtime() - t0;
  MPI_Allreduce(&seconds, &r.seconds, 1, MPI_DOUBLE, MPI_MAX, comm);
  const double cpu = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
  MPI_Allreduce(&cpu, &r.cpu_seconds, 1, MPI_DOUBLE, MPI_SUM, comm);
  return r;
}

}  // namespace mf::ot
