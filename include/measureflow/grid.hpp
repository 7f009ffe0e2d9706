// The Eulerian grid: a uniform cell-centred box in 1, 2 or 3D distributed by a PETSc DMDA.
#pragma once
#include <petscdmda.h>

#include <array>
#include <string>
#include <vector>

#include "measureflow/petsc_handle.hpp"

namespace mf {

enum class Boundary { Periodic, NoFlux };
Boundary parse_boundary(const std::string& s);  // "periodic" | "noflux"
std::string to_string(Boundary b);

struct GridSpec {
  int dim = 1;
  std::array<double, 3> lower{0, 0, 0};
  std::array<double, 3> upper{1, 1, 1};
  std::array<PetscInt, 3> cells{1, 1, 1};  // unused axes hold 1
  Boundary boundary = Boundary::Periodic;
};

// Index ranges of this rank's block, axis order x, y, z; unused axes have start 0 and count 1.
struct IndexBox {
  std::array<PetscInt, 3> start{0, 0, 0};
  std::array<PetscInt, 3> count{1, 1, 1};
  PetscInt size() const { return count[0] * count[1] * count[2]; }
};

class Grid {
 public:
  // stencil_width: ghost layers (2 for MUSCL reconstruction). stencil_type: DMDA_STENCIL_STAR for
  // axis-only stencils (fewer colours for finite-difference Jacobians, smaller matrices).
  Grid(MPI_Comm comm, const GridSpec& spec, int stencil_width = 2, DMDAStencilType stencil_type = DMDA_STENCIL_BOX);

  MPI_Comm comm() const { return comm_; }
  DM dm() const { return dm_; }
  const GridSpec& spec() const { return spec_; }
  int dim() const { return spec_.dim; }
  bool periodic() const { return spec_.boundary == Boundary::Periodic; }
  double h(int axis) const { return h_[axis]; }
  double cell_volume() const { return volume_; }
  PetscInt global_cells() const { return spec_.cells[0] * spec_.cells[1] * spec_.cells[2]; }
  double center(int axis, PetscInt i) const { return spec_.lower[axis] + (i + 0.5) * h_[axis]; }
  const IndexBox& owned() const { return owned_; }
  const IndexBox& ghosted() const { return ghosted_; }
  int stencil_width() const { return stencil_width_; }

  // Rank that owns the cell containing x (periodic axes wrapped, others clamped to the box).
  int owner_of(const double* x) const;
  // Cell index along an axis for coordinate x (clamped to [0, cells-1] after periodic wrapping).
  PetscInt cell_index(int axis, double x) const;
  // Wraps periodic coordinates into [lower, upper).
  double wrap(int axis, double x) const;

  VecHandle create_global() const;
  VecHandle create_local() const;

 private:
  MPI_Comm comm_;
  GridSpec spec_;
  int stencil_width_;
  DMHandle dm_;
  std::array<double, 3> h_{1, 1, 1};
  double volume_ = 1.0;
  IndexBox owned_, ghosted_;
  std::array<PetscInt, 3> procs_{1, 1, 1};
  std::array<std::vector<PetscInt>, 3> ownership_end_;  // cumulative cell ownership per axis
};

}  // namespace mf

namespace mf {
// The whole field in natural order (x fastest, C order [nz][ny][nx]) on rank 0; empty elsewhere.
// Collective. For tests and small-grid diagnostics, not for output (the writers are parallel).
std::vector<double> gather_natural(const Grid& grid, Vec global);

// Where gather_natural_dm puts the natural-order values: on rank 0 only, or on every rank.
enum class GatherTo { Root, All };
// Every entry of a global Vec of any DMDA `dm` (dof fastest, then x, y, z, ...) in natural order, on rank 0
// (empty elsewhere) or on every rank. Collective. The Grid overload is this on the Grid's DMDA, to rank 0.
std::vector<double> gather_natural_dm(DM dm, Vec global, GatherTo to);
}  // namespace mf
