#include "fields/reconstruction/minimal_field.hpp"

#include <petscdmda.h>
#include <petscksp.h>

#include <algorithm>
#include <stdexcept>

#include "measureflow/errors.hpp"
#include "measureflow/grid_field.hpp"
#include "measureflow/grid_kernel_geometry.hpp"

namespace mf::fields {

namespace {

using ExecSpace = Kokkos::DefaultExecutionSpace;
using MemSpace = ExecSpace::memory_space;

double max_density(Vec density) {
  PetscReal m = 0.0;
  PetscCallThrow(VecMax(density, nullptr, &m));
  return m;
}

}  // namespace

ReconstructionMethod parse_reconstruction_method(const std::string& s) {
  if (s == "least_squares") return ReconstructionMethod::LeastSquares;
  if (s == "dacorogna_moser") return ReconstructionMethod::DacorognaMoser;
  throw std::invalid_argument("unknown reconstruction method '" + s + "' (allowed: least_squares, dacorogna_moser)");
}

std::string to_string(ReconstructionMethod m) {
  return m == ReconstructionMethod::LeastSquares ? "least_squares" : "dacorogna_moser";
}

FaceVelocities make_face_velocities(const Grid& grid) {
  FaceVelocities f;
  const IndexBox& o = grid.owned();
  for (int a = 0; a < grid.dim(); ++a) {
    const size_t nz = o.count[2] + (a == 2), ny = o.count[1] + (a == 1), nx = o.count[0] + (a == 0);
    f.v[a] = FaceVelocities::Field("mf::reconstruction::face_velocity", nz, ny, nx);
  }
  return f;
}

MinimalFieldSolver::MinimalFieldSolver(const Grid& grid, const ReconstructionOptions& options)
    : grid_(grid), options_(options) {
  if (grid.stencil_width() < 1) throw std::invalid_argument("the reconstruction needs one ghost layer");
  PetscCallThrow(DMCreateMatrix(grid.dm(), matrix_.out()));
  PetscCallThrow(MatSetOption(matrix_, MAT_NEW_NONZERO_ALLOCATION_ERR, PETSC_FALSE));
  density_local_ = grid.create_local();
  potential_local_ = grid.create_local();
  rhs_ = grid.create_global();
  PetscCallThrow(KSPCreate(grid.comm(), ksp_.out()));
  PetscCallThrow(KSPSetOptionsPrefix(ksp_, options_.options_prefix.c_str()));
  // −div(ρ∇·) is symmetric positive semi-definite: CG with algebraic multigrid by default.
  PetscCallThrow(KSPSetType(ksp_, KSPCG));
  PC pc;
  PetscCallThrow(KSPGetPC(ksp_, &pc));
  PetscCallThrow(PCSetType(pc, PCGAMG));
  PetscCallThrow(KSPSetTolerances(ksp_, options_.rtol, 1e-50, PETSC_DEFAULT, 10000));
  PetscCallThrow(KSPSetFromOptions(ksp_));
}

// −div(w_f ∇φ) with w_f the face weight: ρ_f (least squares) or 1 (Dacorogna–Moser). Two-point flux
// w_f (φ_R − φ_L)/h² per face; a wall face carries nothing; a periodic face wraps (the DMDA maps the
// out-of-range stencil index to the other side).
void MinimalFieldSolver::assemble(Vec density_local, double floor) {
  PetscCallThrow(MatZeroEntries(matrix_));
  const IndexBox& o = grid_.owned();
  const IndexBox& g = grid_.ghosted();
  const bool weighted = options_.method == ReconstructionMethod::LeastSquares;
  VecBlockRead rho(density_local, g);
  const auto r = rho.view();
  const int dim = grid_.dim();
  for (PetscInt k = o.start[2]; k < o.start[2] + o.count[2]; ++k)
    for (PetscInt j = o.start[1]; j < o.start[1] + o.count[1]; ++j)
      for (PetscInt i = o.start[0]; i < o.start[0] + o.count[0]; ++i) {
        MatStencil row{};
        row.i = i;
        row.j = j;
        row.k = k;
        MatStencil cols[7];
        PetscScalar vals[7];
        int n = 1;
        cols[0] = row;
        vals[0] = 0.0;
        const PetscInt idx[3] = {i, j, k};
        const double rc = r(k - g.start[2], j - g.start[1], i - g.start[0]);
        for (int a = 0; a < dim; ++a) {
          for (int side = -1; side <= 1; side += 2) {
            const PetscInt nb = idx[a] + side;
            if (!grid_.periodic() && (nb < 0 || nb >= grid_.spec().cells[a])) continue;  // wall: no flux
            PetscInt nidx[3] = {i, j, k};
            nidx[a] = nb;
            double w = 1.0;
            if (weighted) {
              const double rn = r(nidx[2] - g.start[2], nidx[1] - g.start[1], nidx[0] - g.start[0]);
              w = std::max(0.5 * (rc + rn), floor);
            }
            const double c = w / (grid_.h(a) * grid_.h(a));
            vals[0] += c;
            cols[n].i = nidx[0];
            cols[n].j = nidx[1];
            cols[n].k = nidx[2];
            vals[n] = -c;
            ++n;
          }
        }
        PetscCallThrow(MatSetValuesStencil(matrix_, 1, &row, n, cols, vals, ADD_VALUES));
      }
  PetscCallThrow(MatAssemblyBegin(matrix_, MAT_FINAL_ASSEMBLY));
  PetscCallThrow(MatAssemblyEnd(matrix_, MAT_FINAL_ASSEMBLY));
  PetscHandle<MatNullSpace, MatNullSpaceDestroy> constants;
  PetscCallThrow(MatNullSpaceCreate(grid_.comm(), PETSC_TRUE, 0, nullptr, constants.out()));
  PetscCallThrow(MatSetNullSpace(matrix_, constants));
}

ReconstructionReport MinimalFieldSolver::solve(Vec density, Vec dt_density, Vec potential, FaceVelocities& faces) {
  ReconstructionReport report;
  const double floor = options_.density_floor * max_density(density);
  PetscCallThrow(DMGlobalToLocalBegin(grid_.dm(), density, INSERT_VALUES, density_local_));
  PetscCallThrow(DMGlobalToLocalEnd(grid_.dm(), density, INSERT_VALUES, density_local_));
  assemble(density_local_, floor);

  // Least squares: −div(ρ∇φ) = ∂_t ρ. Dacorogna–Moser: −Δψ = −∂_t ρ, flux −∇ψ (then v = −∇ψ/ρ).
  PetscCallThrow(VecCopy(dt_density, rhs_));
  if (options_.method == ReconstructionMethod::DacorognaMoser) PetscCallThrow(VecScale(rhs_, -1.0));
  PetscScalar sum = 0.0;
  PetscCallThrow(VecSum(rhs_, &sum));
  PetscInt n = 0;
  PetscCallThrow(VecGetSize(rhs_, &n));
  report.source_mean = sum / static_cast<double>(n);
  PetscCallThrow(VecShift(rhs_, -report.source_mean));
  if (options_.method == ReconstructionMethod::DacorognaMoser) report.source_mean = -report.source_mean;

  PetscCallThrow(KSPSetOperators(ksp_, matrix_, matrix_));
  PetscCallThrow(VecSet(potential, 0.0));
  PetscCallThrow(KSPSolve(ksp_, rhs_, potential));
  KSPConvergedReason reason;
  PetscCallThrow(KSPGetConvergedReason(ksp_, &reason));
  PetscInt its = 0;
  PetscCallThrow(KSPGetIterationNumber(ksp_, &its));
  report.ksp_iterations = static_cast<int>(its);
  if (reason < 0)
    throw SolverError("velocity reconstruction: the " + to_string(options_.method) + " solve did not converge (" +
                      KSPConvergedReasons[reason] + " after " + std::to_string(its) + " iterations)");

  // Face velocities and the kinetic energy Σ_faces w_f |v_f|² · cell volume (a face owned by the
  // cell above it; the upper wall face and, periodic, the face past the last cell are the block's
  // extra face).
  PetscCallThrow(DMGlobalToLocalBegin(grid_.dm(), potential, INSERT_VALUES, potential_local_));
  PetscCallThrow(DMGlobalToLocalEnd(grid_.dm(), potential, INSERT_VALUES, potential_local_));
  const IndexBox& g = grid_.ghosted();
  VecBlockRead phi_host(potential_local_, g);
  VecBlockRead rho_host(density_local_, g);
  auto phi = Kokkos::create_mirror_view_and_copy(MemSpace(), phi_host.view());
  auto rho = Kokkos::create_mirror_view_and_copy(MemSpace(), rho_host.view());
  const GridKernelGeometry G = kernel_geometry(grid_);
  const bool least_squares = options_.method == ReconstructionMethod::LeastSquares;
  const double cutoff = options_.velocity_cutoff * max_density(density);
  double energy = 0.0;
  for (int a = 0; a < G.dim; ++a) {
    auto v = faces.v[a];
    const int ax = 2 - a;
    double e_axis = 0.0;
    Kokkos::parallel_reduce(
        "mf::reconstruction::face_velocity",
        Kokkos::MDRangePolicy<ExecSpace, Kokkos::Rank<3>>({0, 0, 0}, {v.extent(0), v.extent(1), v.extent(2)}),
        KOKKOS_LAMBDA(const int k, const int j, const int i, double& e) {
          const long idx[3] = {i, j, k};  // block index of the cell above this face
          const long global = G.start[a] + idx[a];
          // The block's extra face (past its last cell) is counted by the next block, except at a wall.
          const bool extra = idx[a] == static_cast<long>(v.extent(ax)) - 1;
          if (!G.periodic && (global == 0 || global == G.n[a])) {
            v(k, j, i) = 0.0;
            return;
          }
          long up[3] = {idx[0] + G.offset[0], idx[1] + G.offset[1], idx[2] + G.offset[2]};
          long lo[3] = {up[0], up[1], up[2]};
          lo[a] -= 1;
          const double dphi = phi(up[2], up[1], up[0]) - phi(lo[2], lo[1], lo[0]);
          const double rf = 0.5 * (rho(up[2], up[1], up[0]) + rho(lo[2], lo[1], lo[0]));
          if (rf < cutoff) {
            v(k, j, i) = 0.0;
            return;
          }
          const double rfl = rf > floor ? rf : floor;
          // least squares: v = ∇φ; Dacorogna–Moser: flux = −∇ψ, v = flux / ρ_f.
          const double flux_or_v = (least_squares ? 1.0 : -1.0) * dphi / G.h[a];
          const double vf = least_squares ? flux_or_v : flux_or_v / rfl;
          v(k, j, i) = vf;
          if (!extra) e += rfl * vf * vf;
        },
        e_axis);
    energy += e_axis;
  }
  energy *= grid_.cell_volume();
  MPI_Allreduce(&energy, &report.kinetic_energy, 1, MPI_DOUBLE, MPI_SUM, grid_.comm());
  return report;
}

void MinimalFieldSolver::cell_velocity(const FaceVelocities& faces, Vec out[3]) const {
  const IndexBox& o = grid_.owned();
  for (int a = 0; a < grid_.dim(); ++a) {
    VecBlockWrite w(out[a], o);
    auto host = w.view();
    auto cell = Kokkos::create_mirror_view(MemSpace(), host);
    auto v = faces.v[a];
    Kokkos::parallel_for(
        "mf::reconstruction::cell_velocity",
        Kokkos::MDRangePolicy<ExecSpace, Kokkos::Rank<3>>({0, 0, 0}, {cell.extent(0), cell.extent(1), cell.extent(2)}),
        KOKKOS_LAMBDA(const int k, const int j, const int i) {
          const int up[3] = {i + (a == 0), j + (a == 1), k + (a == 2)};
          cell(k, j, i) = 0.5 * (v(k, j, i) + v(up[2], up[1], up[0]));
        });
    Kokkos::deep_copy(host, cell);
  }
}

}  // namespace mf::fields
