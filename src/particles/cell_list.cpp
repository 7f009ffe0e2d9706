// Cell list by counting sort: bin of each point, counts by atomics, exclusive scan, scatter.
#include "measureflow/cell_list.hpp"

#include <cmath>
#include <stdexcept>

namespace mf {

CellList build_cell_list(PointsView x, int dim, double cell_size) {
  using ExecSpace = Kokkos::DefaultExecutionSpace;
  if (!(cell_size > 0.0)) throw std::invalid_argument("build_cell_list: cell size must be positive");
  CellList cl;
  cl.dim = dim;
  cl.inv_size = 1.0 / cell_size;
  const int np = static_cast<int>(x.extent(0));
  double lo[3] = {0, 0, 0}, hi[3] = {0, 0, 0};
  for (int a = 0; a < dim; ++a) {
    if (np > 0) {
      Kokkos::parallel_reduce(
          "mf::particles::cell_list_bounds", Kokkos::RangePolicy<ExecSpace>(0, np),
          KOKKOS_LAMBDA(const int i, double& mn, double& mx) {
            mn = x(i, a) < mn ? x(i, a) : mn;
            mx = x(i, a) > mx ? x(i, a) : mx;
          },
          Kokkos::Min<double>(lo[a]), Kokkos::Max<double>(hi[a]));
    }
    cl.origin[a] = lo[a];
    // Bounded bin count: a stray far point must not allocate a huge table (bins then grow, staying
    // cubes of side ≥ cell_size, so the ±1-bin search still covers the cut-off).
    const double span = hi[a] - lo[a];
    const double cap = dim == 3 ? 128.0 : (dim == 2 ? 1024.0 : 1048576.0);
    if (span * cl.inv_size > cap) cl.inv_size = cap / span;
  }
  for (int a = 0; a < dim; ++a) cl.n[a] = static_cast<int>(std::floor((hi[a] - lo[a]) * cl.inv_size)) + 1;
  const int nbins = cl.n[0] * cl.n[1] * cl.n[2];
  cl.offsets = Kokkos::View<int*>("cell_list_offsets", nbins + 1);
  cl.sorted = Kokkos::View<int*>("cell_list_sorted", np);
  Kokkos::View<int*> bin("cell_list_bin", np), cursor("cell_list_cursor", nbins);
  const CellList c = cl;
  auto counts = cl.offsets;
  Kokkos::parallel_for(
      "mf::particles::cell_list_count", Kokkos::RangePolicy<ExecSpace>(0, np), KOKKOS_LAMBDA(const int i) {
        int b[3] = {0, 0, 0};
        for (int a = 0; a < c.dim; ++a) b[a] = c.bin_coord(a, x(i, a));
        bin(i) = (b[2] * c.n[1] + b[1]) * c.n[0] + b[0];
        Kokkos::atomic_increment(&counts(bin(i) + 1));
      });
  Kokkos::parallel_scan(
      "mf::particles::cell_list_scan", Kokkos::RangePolicy<ExecSpace>(0, nbins + 1),
      KOKKOS_LAMBDA(const int b, int& acc, const bool final) {
        acc += counts(b);
        if (final) counts(b) = acc;
      });
  auto sorted = cl.sorted;
  Kokkos::parallel_for(
      "mf::particles::cell_list_fill", Kokkos::RangePolicy<ExecSpace>(0, np), KOKKOS_LAMBDA(const int i) {
        const int slot = Kokkos::atomic_fetch_add(&cursor(bin(i)), 1);
        sorted(counts(bin(i)) + slot) = i;
      });
  return cl;
}

}  // namespace mf
