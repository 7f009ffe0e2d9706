// Conservative finite-volume transport ∂_t ρ + div(ρ v) = 0 on a Grid: MUSCL reconstruction with a
// slope limiter, upwind face fluxes, SSP-RK3 in time. Any model that can give face velocities uses it.
#pragma once
#include <Kokkos_Core.hpp>
#include <functional>
#include <string>

#include "measureflow/grid.hpp"

namespace mf {

enum class Limiter { Minmod, MC };
Limiter parse_limiter(const std::string& s);  // "minmod" | "mc"

// Normal velocity on the faces of this rank's owned cells. v[a](k, j, i) is the velocity along axis a
// on the lower face of cell (i, j, k) of the block; the axis-a extent is one longer (the upper face of
// the last cell). Unused axes have empty views.
struct FaceVelocities {
  using Field = Kokkos::View<double***, Kokkos::LayoutRight>;
  Field v[3];
};

// Fills face velocities at time t. Must fill every face of every used axis.
using FaceVelocityFill = std::function<void(double t, FaceVelocities& faces)>;

class FvAdvection {
 public:
  FvAdvection(const Grid& grid, Limiter limiter, FaceVelocityFill fill);

  // Largest dt with Σ_a max|v_a| dt / h_a ≤ cfl at time t (the MUSCL positivity bound needs cfl ≤ 1/2).
  double stable_dt(double t, double cfl);
  // One SSP-RK3 step of size dt from time t, in place on the global density vector.
  void step(Vec density, double t, double dt);
  const FaceVelocities& faces() const { return faces_; }

 private:
  void rhs(Vec density, double t, Vec out);  // out = −div(F(ρ)) on owned cells

  const Grid& grid_;
  Limiter limiter_;
  FaceVelocityFill fill_;
  FaceVelocities faces_;
  FaceVelocities::Field flux_[3];
  VecHandle local_, stage1_, stage2_, rhs_;
};

// Face-centre coordinate helpers shared by analytic velocity fills.
struct FaceGeometry {
  double lower[3];
  double h[3];
  PetscInt start[3];
  // Coordinates of the centre of face (i, j, k) (block indices) normal to axis a.
  KOKKOS_INLINE_FUNCTION void centre(int a, int i, int j, int k, double x[3]) const {
    const int idx[3] = {i, j, k};
    for (int b = 0; b < 3; ++b)
      x[b] = lower[b] + (static_cast<double>(start[b] + idx[b]) + (b == a ? 0.0 : 0.5)) * h[b];
  }
};
FaceGeometry face_geometry(const Grid& grid);

// Fills faces from an analytic field: Field provides
//   KOKKOS_INLINE_FUNCTION double component(int axis, const double x[3], double t) const.
template <class Field, class ExecSpace = Kokkos::DefaultExecutionSpace>
void fill_faces_from_field(const Grid& grid, const Field& field, double t, FaceVelocities& faces) {
  const FaceGeometry geo = face_geometry(grid);
  for (int a = 0; a < grid.dim(); ++a) {
    auto v = faces.v[a];
    Kokkos::parallel_for(
        "mf::grid::fv_face_velocity",
        Kokkos::MDRangePolicy<ExecSpace, Kokkos::Rank<3>>({0, 0, 0},
                                                          {v.extent(0), v.extent(1), v.extent(2)}),
        KOKKOS_LAMBDA(const int k, const int j, const int i) {
          double x[3];
          geo.centre(a, i, j, k, x);
          v(k, j, i) = field.component(a, x, t);
        });
  }
  Kokkos::fence();
}

}  // namespace mf
