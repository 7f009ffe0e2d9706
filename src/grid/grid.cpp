#include "measureflow/grid.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "measureflow/dm_vectors.hpp"

namespace mf {

Boundary parse_boundary(const std::string& s) {
  if (s == "periodic") return Boundary::Periodic;
  if (s == "noflux") return Boundary::NoFlux;
  throw std::invalid_argument("unknown boundary '" + s + "' (allowed: periodic, noflux)");
}

std::string to_string(Boundary b) { return b == Boundary::Periodic ? "periodic" : "noflux"; }

Grid::Grid(MPI_Comm comm, const GridSpec& spec, int stencil_width, DMDAStencilType stencil_type)
    : comm_(comm), spec_(spec), stencil_width_(stencil_width) {
  // No-flux boundaries still get ghost slots (GHOSTED) so every kernel indexes the same way; the
  // kernels never read them across a wall (the wall flux is zero and wall slopes are one-sided).
  const DMBoundaryType bt = periodic() ? DM_BOUNDARY_PERIODIC : DM_BOUNDARY_GHOSTED;
  const PetscInt* c = spec_.cells.data();
  for (int a = spec_.dim; a < 3; ++a) spec_.cells[a] = 1;
  switch (spec_.dim) {
    case 1:
      PetscCallThrow(DMDACreate1d(comm, bt, c[0], 1, stencil_width, nullptr, dm_.out()));
      break;
    case 2:
      PetscCallThrow(DMDACreate2d(comm, bt, bt, stencil_type, c[0], c[1], PETSC_DECIDE, PETSC_DECIDE, 1,
                                  stencil_width, nullptr, nullptr, dm_.out()));
      break;
    case 3:
      PetscCallThrow(DMDACreate3d(comm, bt, bt, bt, stencil_type, c[0], c[1], c[2], PETSC_DECIDE,
                                  PETSC_DECIDE, PETSC_DECIDE, 1, stencil_width, nullptr, nullptr, nullptr,
                                  dm_.out()));
      break;
    default:
      throw std::invalid_argument("grid dimension must be 1, 2 or 3");
  }
  // Options such as -da_processors_x reach the DMDA through the options database.
  PetscCallThrow(DMSetFromOptions(dm_));
  PetscCallThrow(DMSetUp(dm_));

  volume_ = 1.0;
  for (int a = 0; a < 3; ++a) {
    h_[a] = a < spec_.dim ? (spec_.upper[a] - spec_.lower[a]) / static_cast<double>(spec_.cells[a]) : 1.0;
    if (a < spec_.dim) volume_ *= h_[a];
  }
  set_boxes(dmda_corners(dm_), owned_, ghosted_);
  PetscInt m, n, p;
  PetscCallThrow(DMDAGetInfo(dm_, nullptr, nullptr, nullptr, nullptr, &m, &n, &p, nullptr, nullptr, nullptr,
                             nullptr, nullptr, nullptr));
  procs_ = {m, n, p};
  const PetscInt *lx = nullptr, *ly = nullptr, *lz = nullptr;
  PetscCallThrow(DMDAGetOwnershipRanges(dm_, &lx, &ly, &lz));
  const PetscInt* l[3] = {lx, ly, lz};
  for (int a = 0; a < 3; ++a) {
    ownership_end_[a].assign(procs_[a], 1);
    PetscInt acc = 0;
    for (PetscInt r = 0; r < procs_[a]; ++r) {
      acc += (a < spec_.dim && l[a]) ? l[a][r] : 1;
      ownership_end_[a][r] = acc;
    }
  }
}

double Grid::wrap(int axis, double x) const {
  if (!periodic()) return x;
  const double lo = spec_.lower[axis], len = spec_.upper[axis] - lo;
  double y = x - len * std::floor((x - lo) / len);
  if (y >= spec_.upper[axis]) y -= len;  // floor round-off at the upper edge
  return y;
}

PetscInt Grid::cell_index(int axis, double x) const {
  if (axis >= spec_.dim) return 0;
  const double y = wrap(axis, x);
  const auto i = static_cast<PetscInt>(std::floor((y - spec_.lower[axis]) / h_[axis]));
  return std::clamp<PetscInt>(i, 0, spec_.cells[axis] - 1);
}

int Grid::owner_of(const double* x) const {
  int coord[3] = {0, 0, 0};
  for (int a = 0; a < spec_.dim; ++a) {
    const PetscInt i = cell_index(a, x[a]);
    const auto& ends = ownership_end_[a];
    coord[a] = static_cast<int>(std::upper_bound(ends.begin(), ends.end(), i) - ends.begin());
  }
  // DMDA numbers ranks with x fastest.
  return coord[0] + static_cast<int>(procs_[0]) * (coord[1] + static_cast<int>(procs_[1]) * coord[2]);
}

VecHandle Grid::create_global() const { return create_global_vector(dm_); }

VecHandle Grid::create_local() const { return create_local_vector(dm_); }

}  // namespace mf
