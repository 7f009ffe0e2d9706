// The transportation linear program on a sparse set of pairs, solved exactly by LEMON's network simplex
// (Debian liblemon-dev; header-only here). The exact step of the static solver (certified_exact.hpp)
// calls it on the pairs that ε-scaling kept, then certifies the duals on all pairs.
//
// LEMON's network simplex needs integer data: supplies are integers (uniform weights exactly: m/g per
// source, n/g per target with g = gcd(n, m); other weights rounded to 2^40 units of mass per side by
// largest remainders), and costs are rounded to integers, c_int = llround(c · scale), with scale chosen
// so that no potential or cost of the method (LEMON's artificial cost is (max c_int + 1) · nodes)
// overflows 64 bits. Optimality and the certificate are exact for these integer data; the cost is
// then evaluated with the unrounded costs.
#pragma once
#include <vector>

namespace mf::ot::detail {

// The integer data of one transportation problem; the arcs grow between solves (violators are added).
struct TransportLp {
  std::vector<long long> supply;  // per source (x), > 0 or 0
  std::vector<long long> demand;  // per target (y); Σ demand = Σ supply
  double scale = 1.0;             // c_int = llround(c · scale)
  // Arcs x_i → y_j by rows (CSR): the targets of row i are col[row_start[i] .. row_start[i + 1]), sorted.
  std::vector<long long> row_start;
  std::vector<int> col;
  std::vector<double> cost;  // unrounded c_ij of each arc
  long long arcs() const { return row_start.empty() ? 0 : row_start.back(); }
  long long total_mass() const;
};

struct LpSolution {
  bool optimal = false;          // LEMON reported OPTIMAL (false: infeasible on these arcs)
  double cost = 0.0;             // Σ flow · c / total_mass (unrounded costs)
  std::vector<long long> u, v;   // integer duals: c_int − u_i − v_j ≥ 0 on every arc, = 0 where flow > 0
  long long support = 0;         // arcs with positive flow
  // Σ flow · c_int = Σ supply_i u_i + Σ demand_j v_j, checked in 128-bit integers: with dual feasibility
  // on all pairs this is the optimality certificate (weak duality bounds every plan by the dual value).
  bool strong_duality = false;
};

// Supplies of normalised weights (both sums 1): exact for uniform weights, else 2^40 units per side.
void integer_masses(const std::vector<double>& wx, const std::vector<double>& wy, TransportLp& lp);

// The cost scale for costs in [0, max_cost] on a graph of `nodes` nodes (no overflow in LEMON).
double integer_cost_scale(double max_cost, long long nodes);

long long integer_cost(const TransportLp& lp, double c);

// Adds arcs (i, j) with their costs (duplicates of existing arcs are ignored); pairs need not be sorted.
void add_arcs(TransportLp& lp, const std::vector<int>& rows, const std::vector<int>& cols, const std::vector<double>& costs);

// The north-west-corner plan of the integer masses in index order: n + m − 1 arcs that make any arc
// set containing them feasible.
void north_west_corner(const TransportLp& lp, std::vector<int>& rows, std::vector<int>& cols);

// Solves the LP on the current arcs (serial).
LpSolution solve_transport_lp(const TransportLp& lp);

}  // namespace mf::ot::detail
