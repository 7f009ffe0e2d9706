// A velocity known at the cell centres of a grid (an interaction field evaluated on the density itself:
// the transformer's attention Γ[ρ], the mean-field network's −∇δf(ρ)) made into the face velocities of
// the finite-volume transport: face value = mean of the two centre values beside it, zero at walls.
#pragma once
#include <Kokkos_Core.hpp>

#include "measureflow/fv_advection.hpp"
#include "measureflow/grid.hpp"
#include "measureflow/petsc_handle.hpp"
#include "measureflow/weighted_points.hpp"

namespace mf {

// The centres of this rank's owned cells, n × dim in the Vec's order (x fastest).
PointsView owned_cell_centres(const Grid& grid, const char* label);

class CellCentredVelocity {
 public:
  // `grid` must outlive this object; its stencil width must be ≥ 1 (the face average reads one ghost).
  explicit CellCentredVelocity(const Grid& grid);
  // Takes the velocity at the owned cell centres (n × dim, the Vec's order) and updates the ghosts.
  // Collective (a ghost update per axis).
  void set(Kokkos::View<const double**, Kokkos::LayoutRight> velocity);
  // Normal components on every owned face (FvAdvection's fill); `label` names the kernel.
  void fill_faces(FaceVelocities& faces, const char* label) const;
  // Σ_a max|v_a| / h_a over all ranks (collective): the CFL rate of the last set().
  double cfl_rate() const;
  // The centre values of axis a as a global Vec (for output).
  Vec component(int axis) const { return cell_v_[axis].get(); }

 private:
  const Grid& grid_;
  VecHandle cell_v_[3], cell_v_local_[3];
  double local_max_[3] = {0.0, 0.0, 0.0};  // max |v_a| on this rank's cells
};

}  // namespace mf
