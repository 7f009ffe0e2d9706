#include "measureflow/cloud_sampling.hpp"

#include <cmath>
#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <numeric>
#include <vector>

namespace mf {

namespace {

// Visits, with host copies x, w, id, each of this rank's particles i whose id is a multiple of the stride
// that keeps at most max_points of the global count: the same particles whatever the ranks.
template <class Visit>
void visit_id_stride(const ParticleSet& p, MPI_Comm comm, long long max_points, Visit visit) {
  const long long total = global_count(p, comm);
  const long long stride = std::max(1LL, (total + max_points - 1) / max_points);
  auto x = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), p.positions);
  auto w = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), p.weights);
  auto id = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), p.ids);
  for (size_t i = 0; i < p.size(); ++i)
    if (id(i) % stride == 0) visit(x, w, id, i);
}

}  // namespace

WeightedPoints particle_subsample(const ParticleSet& p, MPI_Comm comm, long long max_points) {
  const int d = p.dim();
  std::vector<double> kept_x, kept_w;
  visit_id_stride(p, comm, max_points, [&](const auto& x, const auto& w, const auto&, size_t i) {
    for (int a = 0; a < d; ++a) kept_x.push_back(x(i, a));
    kept_w.push_back(w(i));
  });
  WeightedPoints out{d, PointsView("w2_particles", kept_w.size(), d), WeightsView("w2_particle_weights", kept_w.size())};
  auto ox = Kokkos::create_mirror_view(out.positions);
  auto ow = Kokkos::create_mirror_view(out.weights);
  for (size_t k = 0; k < kept_w.size(); ++k) {
    for (int a = 0; a < d; ++a) ox(k, a) = kept_x[k * d + a];
    ow(k) = kept_w[k];
  }
  Kokkos::deep_copy(out.positions, ox);
  Kokkos::deep_copy(out.weights, ow);
  return out;
}

WeightedPoints grid_cloud(const Grid& grid, Vec density, long long max_points) {
  const std::vector<double> field = gather_natural(grid, density);  // rank 0 only
  const int d = grid.dim();
  WeightedPoints out{d, PointsView("w2_cells", 0, d), WeightsView("w2_cell_weights", 0)};
  int rank = 0;
  MPI_Comm_rank(grid.comm(), &rank);
  if (rank != 0) return out;
  const auto& n = grid.spec().cells;
  long long nonzero = 0;
  for (double v : field) nonzero += v > 0.0;
  long long b = 1;
  while (nonzero > max_points) {
    // Non-empty blocks at block size b+1 are at most ceil(nonzero / (b+1)^d)·2^d; try the next size.
    ++b;
    std::map<long long, int> blocks;
    for (long long k = 0; k < n[2]; ++k)
      for (long long j = 0; j < n[1]; ++j)
        for (long long i = 0; i < n[0]; ++i)
          if (field[i + n[0] * (j + n[1] * k)] > 0.0) blocks[(i / b) + (n[0] / b + 1) * ((j / b) + (n[1] / b + 1) * (k / b))] = 1;
    nonzero = static_cast<long long>(blocks.size());
  }
  // Mass and first moments per block.
  std::map<long long, std::vector<double>> acc;  // block -> [mass, Σ m x_a]
  const double vol = grid.cell_volume();
  for (long long k = 0; k < n[2]; ++k)
    for (long long j = 0; j < n[1]; ++j)
      for (long long i = 0; i < n[0]; ++i) {
        const double m = field[i + n[0] * (j + n[1] * k)] * vol;
        if (!(m > 0.0)) continue;
        const long long key = (i / b) + (n[0] / b + 1) * ((j / b) + (n[1] / b + 1) * (k / b));
        auto& a = acc[key];
        if (a.empty()) a.assign(1 + d, 0.0);
        const long long idx[3] = {i, j, k};
        a[0] += m;
        for (int ax = 0; ax < d; ++ax) a[1 + ax] += m * grid.center(ax, idx[ax]);
      }
  out.positions = PointsView("w2_cells", acc.size(), d);
  out.weights = WeightsView("w2_cell_weights", acc.size());
  auto ox = Kokkos::create_mirror_view(out.positions);
  auto ow = Kokkos::create_mirror_view(out.weights);
  size_t c = 0;
  for (const auto& [key, a] : acc) {
    ow(c) = a[0];
    for (int ax = 0; ax < d; ++ax) ox(c, ax) = a[1 + ax] / a[0];
    ++c;
  }
  Kokkos::deep_copy(out.positions, ox);
  Kokkos::deep_copy(out.weights, ow);
  return out;
}

ot::HostCloud replicated_cells(const Grid& grid, Vec density) {
  std::vector<double> field = gather_natural(grid, density);  // rank 0 only
  long long count = static_cast<long long>(field.size());
  MPI_Bcast(&count, 1, MPI_LONG_LONG, 0, grid.comm());
  field.resize(count);
  MPI_Bcast(field.data(), static_cast<int>(count), MPI_DOUBLE, 0, grid.comm());
  const int d = grid.dim();
  const auto& n = grid.spec().cells;
  const double vol = grid.cell_volume();
  // Cells lighter than the round-off of the total mass (2⁻⁵³ of it) are left out: all of them together
  // carry at most (cells)·2⁻⁵³ of the mass, so they move W2² by less than that times the squared diameter
  // (~1e-11 on 128²), while an FV density's far tails would otherwise double the points of a Gaussian
  // run (16 384 → 8 358 cells at the quickstart's final time) and the yardstick's cost with them.
  double total = 0.0;
  for (const double rho : field)
    if (rho > 0.0) total += rho * vol;
  const double floor = total * std::numeric_limits<double>::epsilon() / 2.0;
  ot::HostCloud c;
  c.dim = d;
  for (PetscInt k = 0; k < n[2]; ++k)
    for (PetscInt j = 0; j < n[1]; ++j)
      for (PetscInt i = 0; i < n[0]; ++i) {
        const double m = field[i + n[0] * (j + n[1] * k)] * vol;
        if (!(m > floor)) continue;
        const PetscInt idx[3] = {i, j, k};
        for (int a = 0; a < d; ++a) c.positions.push_back(grid.center(a, idx[a]));
        c.weights.push_back(m);
      }
  return c;
}

ot::HostCloud replicated_particles(const ParticleSet& p, MPI_Comm comm, long long max_points) {
  const int d = p.dim();
  // Each kept particle as d + 2 doubles: id (exact below 2^53), weight, coordinates.
  const int width = d + 2;
  std::vector<double> mine;
  visit_id_stride(p, comm, max_points, [&](const auto& x, const auto& w, const auto& id, size_t i) {
    mine.push_back(static_cast<double>(id(i)));
    mine.push_back(w(i));
    for (int a = 0; a < d; ++a) mine.push_back(x(i, a));
  });
  int size = 1;
  MPI_Comm_size(comm, &size);
  int count = static_cast<int>(mine.size());
  std::vector<int> counts(size), displs(size, 0);
  MPI_Allgather(&count, 1, MPI_INT, counts.data(), 1, MPI_INT, comm);
  for (int r = 1; r < size; ++r) displs[r] = displs[r - 1] + counts[r - 1];
  std::vector<double> all(displs.back() + counts.back());
  MPI_Allgatherv(mine.data(), count, MPI_DOUBLE, all.data(), counts.data(), displs.data(), MPI_DOUBLE, comm);
  const std::size_t n = all.size() / width;
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return all[a * width] < all[b * width]; });
  ot::HostCloud c;
  c.dim = d;
  c.weights.reserve(n);
  c.positions.reserve(n * d);
  for (std::size_t k : order) {
    c.weights.push_back(all[k * width + 1]);
    for (int a = 0; a < d; ++a) c.positions.push_back(all[k * width + 2 + a]);
  }
  return c;
}

ot::BinLattice grid_lattice(const Grid& grid) {
  ot::BinLattice l;
  l.dim = grid.dim();
  for (int a = 0; a < l.dim; ++a) {
    l.lower[a] = grid.spec().lower[a];
    l.h[a] = grid.h(a);
    l.cells[a] = static_cast<int>(grid.spec().cells[a]);
  }
  return l;
}

}  // namespace mf
