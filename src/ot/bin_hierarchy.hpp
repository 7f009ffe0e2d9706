// The bin hierarchy of the multiscale Sinkhorn solver (multiscale_sinkhorn.hpp): level 0 sorts a cloud's
// points by the lattice's bins, level ℓ + 1 merges 2^d bins of level ℓ into one point at their centre of
// mass. The large-ε stages of ε-scaling run on the coarse levels, where a few dozen points suffice.
#pragma once
#include <Kokkos_Core.hpp>
#include <vector>

#include "measureflow/ot/multiscale_sinkhorn.hpp"

namespace mf::ot::detail {

using Real1 = Kokkos::View<double*, Kokkos::HostSpace>;
using Real2 = Kokkos::View<double**, Kokkos::LayoutRight, Kokkos::HostSpace>;
using Int1 = Kokkos::View<int*, Kokkos::HostSpace>;
using Int2 = Kokkos::View<int**, Kokkos::LayoutRight, Kokkos::HostSpace>;

// One level: points sorted by bin (x fastest), so every bin is one contiguous range of points.
struct Level {
  int dim = 0;
  int nb[3] = {1, 1, 1};
  double s_min = 1.0;  // smallest bin side
  int n = 0;
  Real2 pos;       // n × dim
  Real1 w, lw;     // normalised weight and its log
  Int2 coord;      // n × 3 bin coordinates
  Int1 bin_start;  // bins + 1 offsets into the points
  Int1 parent;     // the point of the next coarser level holding this one (set when that level is built)
  long long bins() const { return static_cast<long long>(nb[0]) * nb[1] * nb[2]; }
  long long lin(int a, int b, int c) const {
    return a + static_cast<long long>(nb[0]) * (b + static_cast<long long>(nb[1]) * c);
  }
};

// Level 0 (the lattice's bins) up to a level of at most 2 bins a side. Zero-weight points are dropped,
// weights normalised; throws std::invalid_argument on a wrong dimension or weights that are not ≥ 0.
std::vector<Level> hierarchy(const HostCloud& c, const BinLattice& lattice, const char* name);

// Potentials of a coarser level copied to the points of `finer` (each takes its parent bin's).
Real1 prolong(const Level& finer, const Real1& coarse);

// First-order prolongation: f(x_i) = f(X_P) + 2 ⟨X_P − bary_P, x_i − X_P⟩ with P the parent of i and
// bary the coarse plan's barycentric map (∇f = 2 (x − T(x)) for the squared distance). Piecewise-constant
// potentials are wrong by O(bin · |∇f|) inside each coarse bin, which the first fine stage then spends
// many sweeps removing; the linear correction leaves O(bin²).
Real1 prolong_linear(const Level& finer, const Level& coarse, const Real1& f, const Real2& bary);

// The parent's row of a coarse n × dim array for every finer point.
Real2 prolong_rows(const Level& finer, const Real2& coarse);

}  // namespace mf::ot::detail
