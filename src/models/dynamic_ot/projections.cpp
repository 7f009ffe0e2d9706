#include "projections.hpp"

#include <petscdmda.h>

#include <array>
#include <cmath>

#include "measureflow/errors.hpp"
#include "poisson_multigrid.hpp"

namespace mf::dynamic_ot {

namespace {

using Index4 = std::array<PetscInt, 4>;

// Calls f(global logical index) for every owned cell.
template <class F>
void each_owned(const SpaceTimeGrid& grid, F&& f) {
  const Box4& o = grid.owned();
  for (PetscInt k = 0; k < o.count[2]; ++k)
    for (PetscInt j = 0; j < o.count[1]; ++j)
      for (PetscInt i = 0; i < o.count[0]; ++i)
        for (PetscInt t = 0; t < o.count[3]; ++t)
          f(Index4{o.start[0] + i, o.start[1] + j, o.start[2] + k, o.start[3] + t});
}

// Adds `value` at (row cell, column cell) of A; both are owned or ghosted cells of this rank.
void add_entry(const SpaceTimeGrid& grid, Mat A, const Index4& row, const Index4& col, PetscScalar value) {
  const PetscInt r = grid.local_to_global()[grid.local_offset(row)];
  const PetscInt c = grid.local_to_global()[grid.local_offset(col)];
  PetscCallThrow(MatSetValues(A, 1, &r, 1, &c, &value, ADD_VALUES));
}

}  // namespace

PoissonMethod parse_poisson_method(const std::string& s) {
  if (s == "auto") return PoissonMethod::Auto;
  if (s == "fft") return PoissonMethod::Transform;
  if (s == "ksp") return PoissonMethod::Krylov;
  throw InputError("dynamic_ot: Poisson solver '" + s + "' is not one of auto, fft, ksp");
}

std::string to_string(PoissonMethod m) {
  return m == PoissonMethod::Transform ? "fft" : m == PoissonMethod::Krylov ? "ksp" : "auto";
}

namespace {

// Auto: -dot_projection fft|ksp from the options database, fft when absent.
PoissonMethod resolve(PoissonMethod m) {
  if (m != PoissonMethod::Auto) return m;
  char value[16] = "fft";
  PetscBool set = PETSC_FALSE;
  PetscCallThrow(PetscOptionsGetString(nullptr, nullptr, "-dot_projection", value, sizeof value, &set));
  const PoissonMethod r = parse_poisson_method(value);
  if (r == PoissonMethod::Auto)
    throw InputError("dynamic_ot: -dot_projection must be fft or ksp, got 'auto'");
  return r;
}

}  // namespace

ContinuityProjection::ContinuityProjection(StaggeredOps& ops, PoissonMethod method)
    : ops_(ops), method_(resolve(method)) {
  const SpaceTimeGrid& grid = ops.grid();
  const int nc = ops.components();
  rhs_ = grid.create_global();
  phi_ = grid.create_global();
  // Scale of the data for the relative residual: ‖D(0)‖, the boundary densities' divergence.
  {
    Field zero = ops_.make_field();
    ops_.divergence(zero, rhs_);
    PetscReal n;
    PetscCallThrow(VecNorm(rhs_, NORM_2, &n));
    data_norm_ = n > 0 ? n : 1.0;
  }
  if (method_ == PoissonMethod::Transform) {
    transform_ = std::make_unique<PoissonTransform>(grid);
    return;
  }
  A_ = grid.create_matrix(2 * nc + 1);
  // Assembly is a host loop at set-up only. A periodic neighbour is a ghost slot of the DMDA (its
  // global index wraps); on the dof (time) axis of d = 3 neighbours are other dofs of the same point.
  each_owned(grid, [&](const Index4& g) {
    for (int c = 0; c < nc; ++c) {
      const double w = 1.0 / (grid.h(c) * grid.h(c));
      for (int side = -1; side <= 1; side += 2) {
        Index4 nb = g;
        nb[c] += side;
        if (!grid.periodic(c) && (nb[c] < 0 || nb[c] >= grid.cells(c))) continue;  // fixed boundary face
        add_entry(grid, A_, g, g, w);
        add_entry(grid, A_, g, nb, -w);
      }
    }
  });
  PetscCallThrow(MatAssemblyBegin(A_, MAT_FINAL_ASSEMBLY));
  PetscCallThrow(MatAssemblyEnd(A_, MAT_FINAL_ASSEMBLY));
  // Neumann in time (and walls or periodic in space): the constants are the null space.
  PetscHandle<MatNullSpace, MatNullSpaceDestroy> null_space;
  PetscCallThrow(MatNullSpaceCreate(grid.comm(), PETSC_TRUE, 0, nullptr, null_space.out()));
  PetscCallThrow(MatSetNullSpace(A_, null_space));

  PetscCallThrow(KSPCreate(grid.comm(), ksp_.out()));
  PetscCallThrow(KSPSetOptionsPrefix(ksp_, "dot_"));
  PetscCallThrow(KSPSetOperators(ksp_, A_, A_));
  PetscCallThrow(KSPSetType(ksp_, KSPCG));
  PC pc;
  PetscCallThrow(KSPGetPC(ksp_, &pc));
  // GAMG: measured 5× faster per projection than hypre BoomerAMG's defaults on 64²×32 (docs); hypre
  // stays one option away (-dot_pc_type hypre).
  PetscCallThrow(PCSetType(pc, PCGAMG));
  // Near convergence the right-hand side D V tends to zero while the warm start is good: an absolute
  // floor tied to the data scale, and no divergence test relative to the (tiny) ‖b‖.
  PetscCallThrow(KSPSetTolerances(ksp_, 1e-10, 1e-13 * data_norm_, 1e30, 500));
  PetscCallThrow(KSPSetInitialGuessNonzero(ksp_, PETSC_TRUE));
  prepare_geometric_mg(ksp_, A_, grid);  // -dot_pc_type mg: PCMG on the DMDA hierarchy
  PetscCallThrow(KSPSetFromOptions(ksp_));
}

void ContinuityProjection::apply(Field& V) {
  ops_.divergence(V, rhs_);
  if (transform_) {
    transform_->solve(rhs_, phi_);
    last_iterations_ = 0;
    ops_.subtract_divergence_adjoint(phi_, V);
    return;
  }
  PetscInt its = 0;
  PetscCallThrow(KSPSolve(ksp_, rhs_, phi_));
  KSPConvergedReason reason;
  PetscCallThrow(KSPGetConvergedReason(ksp_, &reason));
  PetscCallThrow(KSPGetIterationNumber(ksp_, &its));
  if (reason < 0)
    throw SolverError("dynamic_ot: space-time Poisson solve (prefix -dot_) diverged, KSPConvergedReason " +
                      std::to_string(static_cast<int>(reason)) + " after " + std::to_string(its) + " iterations");
  last_iterations_ = static_cast<int>(its);
  total_iterations_ += its;
  ops_.subtract_divergence_adjoint(phi_, V);
}

double ContinuityProjection::relative_residual(const Field& V) {
  ops_.divergence(V, rhs_);
  PetscReal n;
  PetscCallThrow(VecNorm(rhs_, NORM_2, &n));
  return n / data_norm_;
}

InterpolationProjection::InterpolationProjection(StaggeredOps& ops) : ops_(ops) {
  const SpaceTimeGrid& grid = ops.grid();
  const int nc = ops.components();
  for (int c = 0; c < nc; ++c) {
    MatHandle M = grid.create_matrix(3);
    each_owned(grid, [&](const Index4& g) {
      if (!grid.periodic(c) && g[c] == 0) {  // unused boundary slot: identity keeps it at zero
        add_entry(grid, M, g, g, 1.0);
        return;
      }
      add_entry(grid, M, g, g, 1.5);
      for (int side = -1; side <= 1; side += 2) {
        Index4 nb = g;
        nb[c] += side;
        if (!grid.periodic(c) && (nb[c] < 1 || nb[c] >= grid.cells(c))) continue;  // boundary face: fixed
        add_entry(grid, M, g, nb, 0.25);
      }
    });
    PetscCallThrow(MatAssemblyBegin(M, MAT_FINAL_ASSEMBLY));
    PetscCallThrow(MatAssemblyEnd(M, MAT_FINAL_ASSEMBLY));
    KSPHandle ksp;
    PetscCallThrow(KSPCreate(grid.comm(), ksp.out()));
    PetscCallThrow(KSPSetOptionsPrefix(ksp, "dot_interp_"));
    PetscCallThrow(KSPSetOperators(ksp, M, M));
    PetscCallThrow(KSPSetType(ksp, KSPCG));
    PC pc;
    PetscCallThrow(KSPGetPC(ksp, &pc));
    PetscCallThrow(PCSetType(pc, PCJACOBI));
    PetscCallThrow(KSPSetTolerances(ksp, 1e-12, 1e-15, 1e30, 200));
    PetscCallThrow(KSPSetInitialGuessNonzero(ksp, PETSC_TRUE));
    PetscCallThrow(KSPSetFromOptions(ksp));
    M_.push_back(std::move(M));
    ksp_.push_back(std::move(ksp));
  }
  offset_ = ops_.make_field();
  work_u_ = ops_.make_field();
  work_v_ = ops_.make_field();
  solution_ = ops_.make_field();
  Field zero = ops_.make_field();
  ops_.interp(zero, offset_, true);  // I(0): the boundary densities' share of the centred density
}

void InterpolationProjection::apply(Field& U, Field& V) {
  copy(U, work_u_);
  axpby(-1.0, offset_, 1.0, work_u_);
  ops_.interp_adjoint(work_u_, work_v_);
  axpby(1.0, V, 1.0, work_v_);
  for (std::size_t c = 0; c < V.size(); ++c) {
    PetscCallThrow(KSPSolve(ksp_[c], work_v_[c], solution_[c]));
    KSPConvergedReason reason;
    PetscCallThrow(KSPGetConvergedReason(ksp_[c], &reason));
    if (reason < 0) throw SolverError("dynamic_ot: interpolation projection (prefix -dot_interp_) diverged");
    PetscInt its;
    PetscCallThrow(KSPGetIterationNumber(ksp_[c], &its));
    total_iterations_ += its;
  }
  copy(solution_, V);
  ops_.interp(V, U, true);
}

}  // namespace mf::dynamic_ot
