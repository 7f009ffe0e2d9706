#pragma once
// The geometry of a Grid and of this rank's block, copied by value into a struct a Kokkos kernel can
// capture (a Grid, with its DM and std::vectors, cannot be). Per axis a (x = 0); unused axes hold one cell.
#include "measureflow/grid.hpp"

namespace mf {

struct GridKernelGeometry {
  int dim;
  bool periodic;
  double lower[3], upper[3], h[3];
  long n[3];                  // global cells per axis
  long start[3];              // owned block start (global index)
  long gstart[3], gcount[3];  // ghosted block
  long offset[3];             // owned start − ghosted start (an owned index + offset indexes a ghosted View)
};

inline GridKernelGeometry kernel_geometry(const Grid& g) {
  GridKernelGeometry G{};
  G.dim = g.dim();
  G.periodic = g.periodic();
  for (int a = 0; a < 3; ++a) {
    G.lower[a] = g.spec().lower[a];
    G.upper[a] = g.spec().upper[a];
    G.h[a] = g.h(a);
    G.n[a] = g.spec().cells[a];
    G.start[a] = g.owned().start[a];
    G.gstart[a] = g.ghosted().start[a];
    G.gcount[a] = g.ghosted().count[a];
    G.offset[a] = g.owned().start[a] - g.ghosted().start[a];
  }
  return G;
}

}  // namespace mf
