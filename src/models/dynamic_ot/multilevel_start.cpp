#include "multilevel_start.hpp"

#include <mpi.h>

#include "boundary_densities.hpp"
#include "level_transfer.hpp"

namespace mf::dynamic_ot {

namespace {

double space_time_cells(const SpaceTimeGrid& g) {
  return static_cast<double>(g.space_cells()) * static_cast<double>(g.cells(g.time_axis()));
}

}  // namespace

CoarseWork multilevel_start(BenamouBrenierSolver& fine_solver, const SpaceTimeGrid& fine, const DensityFn& d0,
                            const DensityFn& d1, const BenamouBrenierSolver::Options& opt, int levels) {
  CoarseWork work;
  if (levels <= 1) return work;
  const int d = fine.space_dim();
  GridSpec space = fine.space();
  for (int a = 0; a < d; ++a) {
    if (space.cells[a] % 2 != 0 || space.cells[a] / 2 < 8) return work;
    space.cells[a] /= 2;
  }
  const PetscInt nt = fine.cells(d);
  if (nt % 2 != 0 || nt / 2 < 4) return work;
  const double start = MPI_Wtime();
  SpaceTimeGrid coarse(fine.comm(), space, nt / 2);
  BenamouBrenierSolver solver(coarse, boundary_density(coarse, d0), boundary_density(coarse, d1), opt);
  work = multilevel_start(solver, coarse, d0, d1, opt, levels - 1);
  const SolveStats s = solver.solve();
  work.w2sq = s.w2sq;
  fine_solver.set_reference(s.w2sq);  // solver.tolerance: auto (the coarsest level used the fixed rule)
  work.levels += 1;
  work.iterations += s.iterations;
  work.cell_iterations += s.iterations * space_time_cells(coarse);
  StaggeredOps& ops = fine_solver.ops();
  Field V = ops.make_field(), p = ops.make_field();
  prolong_staggered(coarse, solver.staggered(), fine, V);
  prolong_centred(coarse, solver.dual(), fine, p);
  fine_solver.warm_start(V, p);
  work.seconds = MPI_Wtime() - start;  // this level and the ones below it
  return work;
}

}  // namespace mf::dynamic_ot
