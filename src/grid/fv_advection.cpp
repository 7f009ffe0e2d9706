#include "measureflow/fv_advection.hpp"

#include <petsclog.h>

#include <cmath>
#include <limits>
#include <stdexcept>

#include "measureflow/grid_field.hpp"
#include "measureflow/kokkos_math.hpp"
#include "measureflow/log_event.hpp"

namespace mf {

namespace {

using ExecSpace = Kokkos::DefaultExecutionSpace;
using MemSpace = ExecSpace::memory_space;

PetscLogEvent fv_flux_event() { return log_event("mf::grid::fv_flux"); }

KOKKOS_INLINE_FUNCTION double minmod(double a, double b) {
  if (a * b <= 0.0) return 0.0;
  return a > 0.0 ? (a < b ? a : b) : (a > b ? a : b);
}

// Monotonised central: minmod(2a, 2b, (a+b)/2).
KOKKOS_INLINE_FUNCTION double mc(double a, double b) {
  if (a * b <= 0.0) return 0.0;
  const double s = a > 0.0 ? 1.0 : -1.0;
  double m = 2.0 * kmath::fabs(a);
  m = kmath::fmin(m, 2.0 * kmath::fabs(b));
  m = kmath::fmin(m, 0.5 * kmath::fabs(a + b));
  return s * m;
}

}  // namespace

Limiter parse_limiter(const std::string& s) {
  if (s == "minmod") return Limiter::Minmod;
  if (s == "mc") return Limiter::MC;
  throw std::invalid_argument("unknown limiter '" + s + "' (allowed: minmod, mc)");
}

FaceGeometry face_geometry(const Grid& grid) {
  FaceGeometry g{};
  for (int a = 0; a < 3; ++a) {
    g.lower[a] = a < grid.dim() ? grid.spec().lower[a] : 0.0;
    g.h[a] = grid.h(a);
    g.start[a] = grid.owned().start[a];
  }
  return g;
}

FvAdvection::FvAdvection(const Grid& grid, Limiter limiter, FaceVelocityFill fill)
    : grid_(grid), limiter_(limiter), fill_(std::move(fill)) {
  if (grid.stencil_width() < 2) throw std::invalid_argument("MUSCL needs a grid with stencil width >= 2");
  const IndexBox& o = grid.owned();
  for (int a = 0; a < grid.dim(); ++a) {
    const size_t nz = o.count[2] + (a == 2), ny = o.count[1] + (a == 1), nx = o.count[0] + (a == 0);
    faces_.v[a] = FaceVelocities::Field("face_velocity", nz, ny, nx);
    flux_[a] = FaceVelocities::Field("face_flux", nz, ny, nx);
  }
  local_ = grid.create_local();
  stage1_ = grid.create_global();
  stage2_ = grid.create_global();
  rhs_ = grid.create_global();
}

double FvAdvection::stable_dt(double t, double cfl) {
  fill_(t, faces_);
  double rate = 0.0;  // Σ_a max|v_a| / h_a
  for (int a = 0; a < grid_.dim(); ++a) {
    auto v = faces_.v[a];
    double vmax = 0.0;
    Kokkos::parallel_reduce(
        "mf::grid::fv_max_speed",
        Kokkos::MDRangePolicy<ExecSpace, Kokkos::Rank<3>>({0, 0, 0}, {v.extent(0), v.extent(1), v.extent(2)}),
        KOKKOS_LAMBDA(const int k, const int j, const int i, double& m) {
          m = kmath::fmax(m, kmath::fabs(v(k, j, i)));
        },
        Kokkos::Max<double>(vmax));
    double global = 0.0;
    MPI_Allreduce(&vmax, &global, 1, MPI_DOUBLE, MPI_MAX, grid_.comm());
    rate += global / grid_.h(a);
  }
  return rate > 0.0 ? cfl / rate : std::numeric_limits<double>::infinity();
}

void FvAdvection::rhs(Vec density, double t, Vec out) {
  PetscCallThrow(PetscLogEventBegin(fv_flux_event(), 0, 0, 0, 0));
  fill_(t, faces_);
  PetscCallThrow(DMGlobalToLocalBegin(grid_.dm(), density, INSERT_VALUES, local_));
  PetscCallThrow(DMGlobalToLocalEnd(grid_.dm(), density, INSERT_VALUES, local_));
  const IndexBox& o = grid_.owned();
  const IndexBox& g = grid_.ghosted();
  const int dim = grid_.dim();
  const bool periodic = grid_.periodic();
  const bool use_mc = limiter_ == Limiter::MC;
  {
    VecBlockRead u_host(local_, g);
    auto u = Kokkos::create_mirror_view_and_copy(MemSpace(), u_host.view());
    for (int a = 0; a < dim; ++a) {
      auto v = faces_.v[a];
      auto flux = flux_[a];
      const PetscInt n_axis = grid_.spec().cells[a];
      // Offsets from block face index to ghosted-array index of the cell just below the face.
      const int off[3] = {static_cast<int>(o.start[0] - g.start[0]), static_cast<int>(o.start[1] - g.start[1]),
                          static_cast<int>(o.start[2] - g.start[2])};
      const PetscInt start_a = o.start[a];
      Kokkos::parallel_for(
          "mf::grid::fv_flux",
          Kokkos::MDRangePolicy<ExecSpace, Kokkos::Rank<3>>({0, 0, 0},
                                                            {flux.extent(0), flux.extent(1), flux.extent(2)}),
          KOKKOS_LAMBDA(const int k, const int j, const int i) {
            const int idx[3] = {i, j, k};
            const PetscInt gface = start_a + idx[a];  // global index of the cell above the face
            if (!periodic && (gface == 0 || gface == n_axis)) {
              flux(k, j, i) = 0.0;  // no-flux wall
              return;
            }
            // Cell values along axis a around the face: c[0..3] = cells gface-2 .. gface+1.
            int p[3] = {i + off[0], j + off[1], k + off[2]};
            double c[4];
            for (int s = 0; s < 4; ++s) {
              int q[3] = {p[0], p[1], p[2]};
              q[a] += s - 2;
              c[s] = u(q[2], q[1], q[0]);
            }
            const double dl0 = c[1] - c[0], dr0 = c[2] - c[1], dr1 = c[3] - c[2];
            double sl = use_mc ? mc(dl0, dr0) : minmod(dl0, dr0);  // slope of the lower cell
            double sr = use_mc ? mc(dr0, dr1) : minmod(dr0, dr1);  // slope of the upper cell
            // Next to a wall the outer neighbour does not exist: first order there.
            if (!periodic && gface - 1 == 0) sl = 0.0;
            if (!periodic && gface + 1 == n_axis) sr = 0.0;
            const double left = c[1] + 0.5 * sl, right = c[2] - 0.5 * sr;
            const double vel = v(k, j, i);
            flux(k, j, i) = vel > 0.0 ? vel * left : vel * right;
          });
    }
  }
  {
    VecBlockWrite out_host(out, o);
    auto r = Kokkos::create_mirror_view_and_copy(MemSpace(), out_host.view());
    FaceVelocities::Field f0 = flux_[0], f1 = flux_[1], f2 = flux_[2];
    const double ih0 = 1.0 / grid_.h(0), ih1 = 1.0 / grid_.h(1), ih2 = 1.0 / grid_.h(2);
    Kokkos::parallel_for(
        "mf::grid::fv_divergence",
        Kokkos::MDRangePolicy<ExecSpace, Kokkos::Rank<3>>({0, 0, 0}, {r.extent(0), r.extent(1), r.extent(2)}),
        KOKKOS_LAMBDA(const int k, const int j, const int i) {
          double d = (f0(k, j, i + 1) - f0(k, j, i)) * ih0;
          if (dim > 1) d += (f1(k, j + 1, i) - f1(k, j, i)) * ih1;
          if (dim > 2) d += (f2(k + 1, j, i) - f2(k, j, i)) * ih2;
          r(k, j, i) = -d;
        });
    Kokkos::deep_copy(out_host.view(), r);
  }
  PetscCallThrow(PetscLogEventEnd(fv_flux_event(), 0, 0, 0, 0));
}

void FvAdvection::step(Vec u, double t, double dt) {
  // Shu–Osher SSP-RK3: each stage is a convex combination of forward-Euler steps, so the
  // positivity of one limited Euler step (cfl ≤ 1/2) carries over.
  rhs(u, t, rhs_);
  PetscCallThrow(VecWAXPY(stage1_, dt, rhs_, u));                 // u1 = u + dt L(u)
  rhs(stage1_, t + dt, rhs_);
  PetscCallThrow(VecAXPY(stage1_, dt, rhs_));                     // u1 + dt L(u1)
  PetscCallThrow(VecCopy(u, stage2_));
  PetscCallThrow(VecAXPBY(stage2_, 0.25, 0.75, stage1_));          // u2 = 3/4 u + 1/4 (...)
  rhs(stage2_, t + 0.5 * dt, rhs_);
  PetscCallThrow(VecAXPY(stage2_, dt, rhs_));                     // u2 + dt L(u2)
  PetscCallThrow(VecAXPBY(u, 2.0 / 3.0, 1.0 / 3.0, stage2_));     // u = 1/3 u + 2/3 (...)
}

}  // namespace mf
