// The bin hierarchy (bin_hierarchy.hpp): sorting points by bin and merging bins level by level.
#include "bin_hierarchy.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace mf::ot::detail {

namespace {

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

}  // namespace

std::vector<Level> hierarchy(const HostCloud& c, const BinLattice& lat, const char* name) {
  std::vector<Level> levels;
  levels.push_back(finest_level(c, lat, name));
  while (std::max({levels.back().nb[0], levels.back().nb[1], levels.back().nb[2]}) > 2)
    levels.push_back(coarsen(levels.back()));
  return levels;
}

Real1 prolong(const Level& finer, const Real1& coarse) {
  Real1 out("mf::ot::ms_prolonged", finer.n);
  for (int i = 0; i < finer.n; ++i) out(i) = coarse(finer.parent(i));
  return out;
}

Real1 prolong_linear(const Level& finer, const Level& coarse, const Real1& f, const Real2& bary) {
  Real1 out("mf::ot::ms_prolonged_linear", finer.n);
  for (int i = 0; i < finer.n; ++i) {
    const int p = finer.parent(i);
    double v = f(p);
    for (int a = 0; a < finer.dim; ++a) v += 2.0 * (coarse.pos(p, a) - bary(p, a)) * (finer.pos(i, a) - coarse.pos(p, a));
    out(i) = v;
  }
  return out;
}

Real2 prolong_rows(const Level& finer, const Real2& coarse) {
  Real2 out("mf::ot::ms_prolonged_rows", finer.n, coarse.extent(1));
  for (int i = 0; i < finer.n; ++i)
    for (std::size_t a = 0; a < coarse.extent(1); ++a) out(i, a) = coarse(finer.parent(i), a);
  return out;
}

}  // namespace mf::ot::detail
