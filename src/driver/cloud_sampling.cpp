#include "measureflow/cloud_sampling.hpp"

#include <cmath>
#include <map>
#include <vector>

namespace mf {

WeightedPoints particle_subsample(const ParticleSet& p, MPI_Comm comm, long long max_points) {
  const long long total = global_count(p, comm);
  const long long stride = std::max(1LL, (total + max_points - 1) / max_points);
  const int d = p.dim();
  auto x = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), p.positions);
  auto w = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), p.weights);
  auto id = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), p.ids);
  std::vector<size_t> keep;
  for (size_t i = 0; i < p.size(); ++i)
    if (id(i) % stride == 0) keep.push_back(i);
  WeightedPoints out{d, PointsView("w2_particles", keep.size(), d), WeightsView("w2_particle_weights", keep.size())};
  auto ox = Kokkos::create_mirror_view(out.positions);
  auto ow = Kokkos::create_mirror_view(out.weights);
  for (size_t k = 0; k < keep.size(); ++k) {
    for (int a = 0; a < d; ++a) ox(k, a) = x(keep[k], a);
    ow(k) = w(keep[k]);
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

}  // namespace mf
