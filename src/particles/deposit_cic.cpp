#include "measureflow/deposit_cic.hpp"

#include <cmath>

#include "measureflow/grid_field.hpp"
#include "measureflow/kokkos_math.hpp"

namespace mf {

void deposit_cic(const Grid& grid, const ParticleSet& particles, Vec density) {
  using ExecSpace = Kokkos::DefaultExecutionSpace;
  VecHandle local = grid.create_local();
  const IndexBox g = grid.ghosted();
  const int d = grid.dim();
  const bool periodic = grid.periodic();
  double lower[3] = {0, 0, 0}, h[3] = {1, 1, 1};
  PetscInt n[3] = {1, 1, 1};
  for (int a = 0; a < d; ++a) {
    lower[a] = grid.spec().lower[a];
    h[a] = grid.h(a);
    n[a] = grid.spec().cells[a];
  }
  const PetscInt gs[3] = {g.start[0], g.start[1], g.start[2]};
  const double inv_volume = 1.0 / grid.cell_volume();
  {
    VecBlockWrite acc_host(local, g);
    auto acc = Kokkos::create_mirror_view_and_copy(ExecSpace::memory_space(), acc_host.view());
    auto x = particles.positions;
    auto w = particles.weights;
    Kokkos::parallel_for(
        "mf::particles::deposit_cic", Kokkos::RangePolicy<ExecSpace>(0, particles.size()), KOKKOS_LAMBDA(const int p) {
          PetscInt i0[3] = {0, 0, 0};
          double f[3] = {0, 0, 0};
          for (int a = 0; a < d; ++a) {
            const double s = (x(p, a) - lower[a]) / h[a] - 0.5;
            const double fl = kmath::floor(s);
            i0[a] = static_cast<PetscInt>(fl);
            f[a] = s - fl;
          }
          const int corners = 1 << d;
          for (int c = 0; c < corners; ++c) {
            double wc = w(p) * inv_volume;
            PetscInt idx[3] = {0, 0, 0};
            for (int a = 0; a < d; ++a) {
              const int up = (c >> a) & 1;
              wc *= up ? f[a] : 1.0 - f[a];
              PetscInt i = i0[a] + up;
              // Periodic images land in DMDA ghosts and are summed back by ADD_VALUES; at a wall the
              // outside share stays in the wall cell.
              if (!periodic) i = i < 0 ? 0 : (i >= n[a] ? n[a] - 1 : i);
              idx[a] = i - gs[a];
            }
            Kokkos::atomic_add(&acc(idx[2], idx[1], idx[0]), wc);
          }
        });
    Kokkos::deep_copy(acc_host.view(), acc);
  }
  PetscCallThrow(VecSet(density, 0.0));
  PetscCallThrow(DMLocalToGlobalBegin(grid.dm(), local, ADD_VALUES, density));
  PetscCallThrow(DMLocalToGlobalEnd(grid.dm(), local, ADD_VALUES, density));
}

}  // namespace mf
