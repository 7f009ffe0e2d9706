#include "grid_convolution.hpp"

#include <petscdmda.h>

#include "measureflow/grid_field.hpp"

namespace mf::gradient_flow {

GridConvolution::GridConvolution(const Grid& grid, InteractionKernel kernel) : grid_(grid), kernel_(kernel) {
  PetscCallThrow(DMDAGlobalToNaturalAllCreate(grid.dm(), to_all_.out()));
  PetscCallThrow(VecCreateSeq(PETSC_COMM_SELF, grid.global_cells(), all_.out()));
}

void GridConvolution::apply(Vec density, Vec phi) {
  using ExecSpace = Kokkos::DefaultExecutionSpace;
  PetscCallThrow(VecScatterBegin(to_all_, density, all_, INSERT_VALUES, SCATTER_FORWARD));
  PetscCallThrow(VecScatterEnd(to_all_, density, all_, INSERT_VALUES, SCATTER_FORWARD));
  const PetscScalar* all_arr = nullptr;
  PetscCallThrow(VecGetArrayRead(all_, &all_arr));
  const auto& s = grid_.spec();
  Kokkos::View<const double*, Kokkos::HostSpace, Kokkos::MemoryTraits<Kokkos::Unmanaged>> rho(all_arr,
                                                                                             grid_.global_cells());
  const IndexBox ob = grid_.owned();
  VecBlockWrite out(phi, ob);
  const auto o = out.view();
  const InteractionKernel k = kernel_;
  const int dim = grid_.dim();
  const long nx = s.cells[0], ny = s.cells[1], n = grid_.global_cells();
  double h[3];
  long start[3];
  for (int a = 0; a < 3; ++a) {
    h[a] = grid_.h(a);
    start[a] = ob.start[a];
  }
  const double vol = grid_.cell_volume();
  Kokkos::parallel_for(
      "mf::gradient_flow::direct_convolution",
      Kokkos::MDRangePolicy<ExecSpace, Kokkos::Rank<3>>({0, 0, 0}, {o.extent(0), o.extent(1), o.extent(2)}),
      KOKKOS_LAMBDA(const int kk, const int j, const int i) {
        const long gi[3] = {i + start[0], j + start[1], kk + start[2]};
        double acc = 0.0, z[3] = {0, 0, 0};
        for (long q = 0; q < n; ++q) {
          const long qi[3] = {q % nx, (q / nx) % ny, q / (nx * ny)};
          for (int a = 0; a < dim; ++a) z[a] = (gi[a] - qi[a]) * h[a];
          acc += k.W(z) * rho(q);
        }
        o(kk, j, i) = acc * vol;
      });
  PetscCallThrow(VecRestoreArrayRead(all_, &all_arr));
}

}  // namespace mf::gradient_flow
