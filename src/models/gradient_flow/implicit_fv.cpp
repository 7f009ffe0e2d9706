#include "implicit_fv.hpp"

#include <petscdmda.h>

#include <cmath>

#include "measureflow/errors.hpp"
#include "measureflow/grid_field.hpp"

namespace mf::gradient_flow {

namespace {

using ExecSpace = Kokkos::DefaultExecutionSpace;
using ConstGhosted = Kokkos::View<const double***, Kokkos::LayoutRight, Kokkos::HostSpace,
                                  Kokkos::MemoryTraits<Kokkos::Unmanaged>>;
using OwnedOut = Kokkos::View<double***, Kokkos::LayoutRight, Kokkos::HostSpace, Kokkos::MemoryTraits<Kokkos::Unmanaged>>;

// Geometry a kernel needs, by value: axis a of a View index is 2 − a (arrays are [z][y][x]).
struct Geometry {
  int dim;
  bool periodic;
  bool second_order;
  double lower[3], h[3];
  long n[3];       // global cells
  long start[3];   // owned start (global index)
  long offset[3];  // owned start − ghosted start
};

Geometry make_geometry(const Grid& g, bool second_order) {
  Geometry G{};
  G.second_order = second_order;
  G.dim = g.dim();
  G.periodic = g.periodic();
  for (int a = 0; a < 3; ++a) {
    G.lower[a] = g.spec().lower[a];
    G.h[a] = g.h(a);
    G.n[a] = g.spec().cells[a];
    G.start[a] = g.owned().start[a];
    G.offset[a] = g.owned().start[a] - g.ghosted().start[a];
  }
  return G;
}

// Normal flux from cell L to its right neighbour R along one axis. Velocity −(ξ_R − ξ_L)/h is upwinded
// with the (reconstructed) density on the side it leaves; for the entropy, ρ∇log ρ = ∇ρ is taken as a central
// difference (linear, exact at ρ = 0) and only the potential part is upwinded.
// rl, rr: cell averages (they set ξ); fl, fr: reconstructed face values (they are transported).
KOKKOS_INLINE_FUNCTION double face_flux(const LocalEnergy& e, double rl, double rr, double fl, double fr, double vl,
                                        double vr, double h) {
  double xl = vl, xr = vr;
  if (e.internal == Internal::Porous) {
    xl += e.porous_pressure(rl);
    xr += e.porous_pressure(rr);
  }
  const double u = -(xr - xl) / h;
  double f = (u > 0.0 ? u * fl : u * fr);
  if (e.internal == Internal::Entropy) f -= (rr - rl) / h;
  return f;
}

// Residual (ρ − ρ_old)/dt + Σ_a (F_{a,+} − F_{a,−})/h_a on the owned cells; walls carry no flux.
template <class Space = ExecSpace>
void residual_kernel(const Geometry G, const LocalEnergy e, ConstGhosted rho, ConstGhosted phi, bool has_phi,
                     ConstHostBlockView old, OwnedOut out, double dt) {
  Kokkos::parallel_for(
      "mf::gradient_flow::residual",
      Kokkos::MDRangePolicy<Space, Kokkos::Rank<3>>({0, 0, 0}, {out.extent(0), out.extent(1), out.extent(2)}),
      KOKKOS_LAMBDA(const int k, const int j, const int i) {
        const long o[3] = {i, j, k};
        long g[3];
        for (int a = 0; a < 3; ++a) g[a] = o[a] + G.offset[a];
        // ξ part that does not depend on ρ: V at the cell centre plus the frozen potential.
        auto potential = [&](const long* gi, const long* glob) {
          double x[3] = {0, 0, 0};
          for (int a = 0; a < G.dim; ++a) x[a] = G.lower[a] + (glob[a] + 0.5) * G.h[a];
          double v = e.V(x, G.dim);
          if (has_phi) v += phi(gi[2], gi[1], gi[0]);
          return v;
        };
        long glob[3];
        for (int a = 0; a < 3; ++a) glob[a] = o[a] + G.start[a];
        // ρ at cell (offset s along axis a from the centre cell); inside(s) says whether it exists.
        auto at = [&](int a, int s) {
          long gi[3] = {g[0], g[1], g[2]};
          gi[a] += s;
          return rho(gi[2], gi[1], gi[0]);
        };
        auto inside = [&](int a, int s) { return G.periodic || (glob[a] + s >= 0 && glob[a] + s < G.n[a]); };
        // Minmod slope of the cell at offset s (zero next to a wall), so face values stay ≥ 0.
        auto slope = [&](int a, int s) {
          if (!G.second_order || !inside(a, s - 1) || !inside(a, s + 1)) return 0.0;
          const double dl = at(a, s) - at(a, s - 1), dr = at(a, s + 1) - at(a, s);
          if (dl * dr <= 0.0) return 0.0;
          return dl > 0.0 ? (dl < dr ? dl : dr) : (dl > dr ? dl : dr);
        };
        const double rc = rho(g[2], g[1], g[0]);
        const double vc = potential(g, glob);
        double r = (rc - old(k, j, i)) / dt;
        for (int a = 0; a < G.dim; ++a) {
          const double sc = slope(a, 0);
          for (int side = -1; side <= 1; side += 2) {
            if (!inside(a, side)) continue;  // no-flux wall
            long gn[3] = {g[0], g[1], g[2]}, globn[3] = {glob[0], glob[1], glob[2]};
            gn[a] += side;
            globn[a] += side;
            const double rn = rho(gn[2], gn[1], gn[0]);
            const double vn = potential(gn, globn);
            const double sn = slope(a, side);
            // Net outflow F_{+} − F_{−}: F(c → n) on the right face, −F(n → c) on the left one; face
            // values from the limited reconstruction of each side.
            const double f = side > 0 ? face_flux(e, rc, rn, rc + 0.5 * sc, rn - 0.5 * sn, vc, vn, G.h[a])
                                      : -face_flux(e, rn, rc, rn + 0.5 * sn, rc - 0.5 * sc, vn, vc, G.h[a]);
            r += f / G.h[a];
          }
        }
        out(k, j, i) = r;
      });
}

ConstGhosted ghosted_view(const double* base, const IndexBox& gb) {
  return ConstGhosted(base, gb.count[2], gb.count[1], gb.count[0]);
}

}  // namespace

struct ImplicitFv::Context {
  const Grid* grid;
  LocalEnergy energy;
  Geometry geometry;
  Vec old;        // owned global vector of the previous step
  Vec phi_local;  // ghosted frozen potential, or nullptr
  double dt = 1.0;
};

namespace {

// The DMDA hands dimension-dependent arrays (x[i], x[j][i], x[k][j][i]); their storage is contiguous
// from the first ghosted (or owned) cell, so one generic kernel serves 1, 2 and 3D.
const double* base_of(const void* arr, int dim, const DMDALocalInfo* info, bool ghosted) {
  const PetscInt xs = ghosted ? info->gxs : info->xs, ys = ghosted ? info->gys : info->ys,
                 zs = ghosted ? info->gzs : info->zs;
  if (dim == 1) return static_cast<const PetscScalar*>(arr) + xs;
  if (dim == 2) return static_cast<const PetscScalar* const*>(arr)[ys] + xs;
  return static_cast<const PetscScalar* const* const*>(arr)[zs][ys] + xs;
}

PetscErrorCode local_residual(DMDALocalInfo* info, void* x, void* f, void* raw) {
  PetscFunctionBeginUser;
  auto* ctx = static_cast<ImplicitFv::Context*>(raw);
  const Grid& grid = *ctx->grid;
  const ConstGhosted rho = ghosted_view(base_of(x, grid.dim(), info, true), grid.ghosted());
  const IndexBox& ob = grid.owned();
  OwnedOut out(const_cast<double*>(base_of(f, grid.dim(), info, false)), ob.count[2], ob.count[1], ob.count[0]);
  const PetscScalar* old_arr = nullptr;
  PetscCall(VecGetArrayRead(ctx->old, &old_arr));
  ConstHostBlockView old(old_arr, ob.count[2], ob.count[1], ob.count[0]);
  const PetscScalar* phi_arr = nullptr;
  ConstGhosted phi;
  if (ctx->phi_local) {
    PetscCall(VecGetArrayRead(ctx->phi_local, &phi_arr));
    phi = ghosted_view(phi_arr, grid.ghosted());
  }
  residual_kernel(ctx->geometry, ctx->energy, rho, phi, ctx->phi_local != nullptr, old, out, ctx->dt);
  if (ctx->phi_local) PetscCall(VecRestoreArrayRead(ctx->phi_local, &phi_arr));
  PetscCall(VecRestoreArrayRead(ctx->old, &old_arr));
  PetscFunctionReturn(0);
}

}  // namespace

ImplicitFv::ImplicitFv(const Grid& grid, LocalEnergy energy, const std::string& prefix)
    : grid_(grid), energy_(energy), old_(grid.create_global()), local_(grid.create_local()),
      ctx_(std::make_unique<Context>()) {
  if (grid.stencil_width() < 1) throw SolverError("ImplicitFv needs a grid with stencil width >= 1");
  ctx_->grid = &grid_;
  ctx_->energy = energy_;
  ctx_->geometry = make_geometry(grid_, grid.stencil_width() >= 2);
  ctx_->old = old_;
  ctx_->phi_local = nullptr;
  PetscCallThrow(SNESCreate(grid.comm(), snes_.out()));
  PetscCallThrow(SNESSetDM(snes_, grid.dm()));
  PetscCallThrow(DMDASNESSetFunctionLocal(grid.dm(), INSERT_VALUES,
                                          &local_residual,
                                          ctx_.get()));
  // Tight defaults so that decomposed and serial runs agree to ~solver tolerance; all overridable.
  PetscCallThrow(SNESSetTolerances(snes_, 1e-13, 1e-11, 1e-13, 50, 10000));
  KSP ksp = nullptr;
  PetscCallThrow(SNESGetKSP(snes_, &ksp));
  PetscCallThrow(KSPSetTolerances(ksp, 1e-12, 1e-14, PETSC_DEFAULT, 1000));
  PetscCallThrow(SNESSetOptionsPrefix(snes_, prefix.c_str()));
  PetscCallThrow(SNESSetFromOptions(snes_));
}

ImplicitFv::~ImplicitFv() = default;

void ImplicitFv::set_frozen_potential(Vec phi) {
  if (!phi) {
    phi_local_.reset();
    ctx_->phi_local = nullptr;
    return;
  }
  if (!phi_local_) phi_local_ = grid_.create_local();
  // Walls are never crossed, so ghost values beyond a no-flux wall are never read.
  PetscCallThrow(DMGlobalToLocalBegin(grid_.dm(), phi, INSERT_VALUES, phi_local_));
  PetscCallThrow(DMGlobalToLocalEnd(grid_.dm(), phi, INSERT_VALUES, phi_local_));
  ctx_->phi_local = phi_local_;
}

StepStats ImplicitFv::step(Vec density, double dt) {
  PetscCallThrow(VecCopy(density, old_));
  try {
    return solve_from_old(density, dt);
  } catch (const SolverError&) {
    PetscCallThrow(VecCopy(old_, density));
    throw;
  }
}

StepStats ImplicitFv::solve(Vec base, double dt_eff, Vec density) {
  PetscCallThrow(VecCopy(base, old_));
  return solve_from_old(density, dt_eff);
}

StepStats ImplicitFv::solve_from_old(Vec density, double dt) {
  ctx_->dt = dt;
  PetscCallThrow(SNESSolve(snes_, nullptr, density));
  SNESConvergedReason reason;
  PetscCallThrow(SNESGetConvergedReason(snes_, &reason));
  if (reason < 0)
    throw SolverError("gradient_flow: implicit step dt=" + std::to_string(dt) + " did not converge (SNES reason " +
                      std::to_string(static_cast<int>(reason)) + "); try a smaller time.dt");
  StepStats s;
  PetscInt its = 0, lits = 0;
  PetscCallThrow(SNESGetIterationNumber(snes_, &its));
  PetscCallThrow(SNESGetLinearSolveIterations(snes_, &lits));
  s.newton_iterations = static_cast<int>(its);
  s.linear_iterations = static_cast<int>(lits);
  return s;
}

void ImplicitFv::residual(Vec old_density, double dt, Vec state, Vec out) {
  PetscCallThrow(VecCopy(old_density, old_));
  ctx_->dt = dt;
  PetscCallThrow(SNESComputeFunction(snes_, state, out));
}

double ImplicitFv::energy(Vec density) const {
  const Geometry G = ctx_->geometry;
  const LocalEnergy e = energy_;
  const IndexBox& ob = grid_.owned();
  VecBlockRead rho(density, ob);
  const auto r = rho.view();
  const double* phi_arr = nullptr;
  ConstGhosted phi;
  const bool has_phi = ctx_->phi_local != nullptr;
  if (has_phi) {
    PetscCallThrow(VecGetArrayRead(ctx_->phi_local, &phi_arr));
    phi = ghosted_view(phi_arr, grid_.ghosted());
  }
  double local = 0.0;
  Kokkos::parallel_reduce(
      "mf::gradient_flow::energy",
      Kokkos::MDRangePolicy<ExecSpace, Kokkos::Rank<3>>({0, 0, 0}, {r.extent(0), r.extent(1), r.extent(2)}),
      KOKKOS_LAMBDA(const int k, const int j, const int i, double& acc) {
        const long o[3] = {i, j, k};
        double x[3] = {0, 0, 0};
        for (int a = 0; a < G.dim; ++a) x[a] = G.lower[a] + (o[a] + G.start[a] + 0.5) * G.h[a];
        const double rc = r(k, j, i);
        double v = e.U(rc) + e.V(x, G.dim) * rc;
        if (has_phi) v += 0.5 * phi(k + G.offset[2], j + G.offset[1], i + G.offset[0]) * rc;
        acc += v;
      },
      local);
  if (has_phi) PetscCallThrow(VecRestoreArrayRead(ctx_->phi_local, &phi_arr));
  double total = 0.0;
  MPI_Allreduce(&local, &total, 1, MPI_DOUBLE, MPI_SUM, grid_.comm());
  return total * grid_.cell_volume();
}

}  // namespace mf::gradient_flow
