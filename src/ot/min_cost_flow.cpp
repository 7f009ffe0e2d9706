// The transportation LP on sparse pairs by LEMON's network simplex (min_cost_flow.hpp).
#include "min_cost_flow.hpp"

#include <lemon/network_simplex.h>
#include <lemon/smart_graph.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace mf::ot::detail {

namespace {

constexpr double kMassUnits = 1099511627776.0;  // 2^40 units of mass per side for non-uniform weights

// Largest-remainder rounding of w (Σ w = 1) to integers summing to exactly `total`.
std::vector<long long> round_masses(const std::vector<double>& w, long long total) {
  const std::size_t n = w.size();
  std::vector<long long> q(n);
  std::vector<double> frac(n);
  long long sum = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double s = w[i] * static_cast<double>(total);
    q[i] = static_cast<long long>(std::floor(s));
    frac[i] = s - static_cast<double>(q[i]);
    sum += q[i];
  }
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  // Ties broken by index: the same integers on every rank and every run.
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return frac[a] > frac[b]; });
  for (std::size_t k = 0; sum < total; k = (k + 1) % n, ++sum) ++q[order[k]];
  for (std::size_t k = n; sum > total; ++sum) {  // only if floor overshot (round-off): take from the largest
    k = k == 0 ? n - 1 : k - 1;
    if (q[order[k]] > 0) --q[order[k]]; else --sum;
  }
  return q;
}

}  // namespace

long long TransportLp::total_mass() const { return std::accumulate(supply.begin(), supply.end(), 0LL); }

void integer_masses(const std::vector<double>& wx, const std::vector<double>& wy, TransportLp& lp) {
  const bool ux = std::all_of(wx.begin(), wx.end(), [&](double w) { return w == wx[0]; });
  const bool uy = std::all_of(wy.begin(), wy.end(), [&](double w) { return w == wy[0]; });
  const long long n = static_cast<long long>(wx.size()), m = static_cast<long long>(wy.size());
  if (ux && uy) {
    const long long g = std::gcd(n, m);
    lp.supply.assign(n, m / g);
    lp.demand.assign(m, n / g);
  } else {
    lp.supply = round_masses(wx, static_cast<long long>(kMassUnits));
    lp.demand = round_masses(wy, static_cast<long long>(kMassUnits));
  }
}

double integer_cost_scale(double max_cost, long long nodes) {
  // LEMON's artificial arcs cost (max c_int + 1) · nodes and its potentials stay within a few of those:
  // max c_int · (nodes + 2) ≤ 2^60 keeps everything below 2^63.
  return std::ldexp(1.0, 60) / (static_cast<double>(nodes + 2) * std::max(max_cost, 1e-300));
}

long long integer_cost(const TransportLp& lp, double c) { return std::llround(c * lp.scale); }

void add_arcs(TransportLp& lp, const std::vector<int>& rows, const std::vector<int>& cols, const std::vector<double>& costs) {
  const std::size_t n = lp.supply.size();
  if (lp.row_start.empty()) lp.row_start.assign(n + 1, 0);
  std::vector<std::vector<std::pair<int, double>>> extra(n);
  for (std::size_t k = 0; k < rows.size(); ++k) extra[rows[k]].push_back({cols[k], costs[k]});
  std::vector<long long> start(n + 1, 0);
  std::vector<int> col;
  std::vector<double> cost;
  col.reserve(lp.col.size() + rows.size());
  cost.reserve(lp.col.size() + rows.size());
  for (std::size_t i = 0; i < n; ++i) {
    std::vector<std::pair<int, double>> row(extra[i]);
    for (long long q = lp.row_start[i]; q < lp.row_start[i + 1]; ++q) row.push_back({lp.col[q], lp.cost[q]});
    std::stable_sort(row.begin(), row.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (std::size_t k = 0; k < row.size(); ++k)
      if (k == 0 || row[k].first != row[k - 1].first) {
        col.push_back(row[k].first);
        cost.push_back(row[k].second);
      }
    start[i + 1] = static_cast<long long>(col.size());
  }
  lp.row_start.swap(start);
  lp.col.swap(col);
  lp.cost.swap(cost);
}

void north_west_corner(const TransportLp& lp, std::vector<int>& rows, std::vector<int>& cols) {
  std::size_t i = 0, j = 0;
  long long left_i = lp.supply.empty() ? 0 : lp.supply[0], left_j = lp.demand.empty() ? 0 : lp.demand[0];
  while (i < lp.supply.size() && j < lp.demand.size()) {
    rows.push_back(static_cast<int>(i));
    cols.push_back(static_cast<int>(j));
    const long long t = std::min(left_i, left_j);
    left_i -= t;
    left_j -= t;
    if (left_i == 0 && ++i < lp.supply.size()) left_i = lp.supply[i];
    if (left_j == 0 && ++j < lp.demand.size()) left_j = lp.demand[j];
  }
}

LpSolution solve_transport_lp(const TransportLp& lp) {
  using Graph = lemon::SmartDigraph;
  const int n = static_cast<int>(lp.supply.size()), m = static_cast<int>(lp.demand.size());
  Graph g;
  g.reserveNode(n + m);
  g.reserveArc(static_cast<int>(lp.arcs()));
  std::vector<Graph::Node> nodes(n + m);
  for (auto& v : nodes) v = g.addNode();
  Graph::NodeMap<long long> supply(g);
  for (int i = 0; i < n; ++i) supply[nodes[i]] = lp.supply[i];
  for (int j = 0; j < m; ++j) supply[nodes[n + j]] = -lp.demand[j];
  Graph::ArcMap<long long> cost(g);
  for (int i = 0; i < n; ++i)
    for (long long q = lp.row_start[i]; q < lp.row_start[i + 1]; ++q)
      cost[g.addArc(nodes[i], nodes[n + lp.col[q]])] = integer_cost(lp, lp.cost[q]);
  lemon::NetworkSimplex<Graph, long long, long long> simplex(g);
  simplex.costMap(cost).supplyMap(supply);
  LpSolution s;
  s.optimal = simplex.run() == lemon::NetworkSimplex<Graph, long long, long long>::OPTIMAL;
  if (!s.optimal) return s;
  // Arcs were added row by row, so arc id q is the CSR index q.
  long double total = 0.0L;
  for (long long q = 0; q < lp.arcs(); ++q) {
    const long long f = simplex.flow(g.arcFromId(static_cast<int>(q)));
    if (f > 0) {
      total += static_cast<long double>(f) * lp.cost[q];
      ++s.support;
    }
  }
  s.cost = static_cast<double>(total / static_cast<long double>(lp.total_mass()));
  // LEMON: reduced cost c + π(source) − π(target) ≥ 0, so u = −π(x), v = π(y); shifted by π(x_0) so the
  // numbers stay near the costs (the sum u_i + v_j is unchanged).
  const long long ref = simplex.potential(nodes[0]);
  s.u.resize(n);
  s.v.resize(m);
  for (int i = 0; i < n; ++i) s.u[i] = -(simplex.potential(nodes[i]) - ref);
  for (int j = 0; j < m; ++j) s.v[j] = simplex.potential(nodes[n + j]) - ref;
  __int128 primal = 0, dual = 0;
  for (long long q = 0; q < lp.arcs(); ++q)
    primal += static_cast<__int128>(simplex.flow(g.arcFromId(static_cast<int>(q)))) * integer_cost(lp, lp.cost[q]);
  for (int i = 0; i < n; ++i) dual += static_cast<__int128>(lp.supply[i]) * s.u[i];
  for (int j = 0; j < m; ++j) dual += static_cast<__int128>(lp.demand[j]) * s.v[j];
  s.strong_duality = primal == dual;
  return s;
}

}  // namespace mf::ot::detail
