// The space-time Poisson solve of the grid JKO step: (D Dᵀ) φ = r on N_t time cells × the spatial grid,
// D the staggered space-time divergence with the density fixed at t = 0 (a Neumann end in time), free at
// t = 1 (a Dirichlet end: φ = 0 beyond the last cell) and no flux through the walls (Neumann in space).
// Direct: a cosine transform (DCT-II, FFTW) of every time slice diagonalises the cell-centred Neumann
// Laplacian, leaving one N_t × N_t tridiagonal system per spatial mode.
#pragma once
#include <array>
#include <vector>

#include "measureflow/grid.hpp"

namespace mf::gradient_flow {

class SpaceTimePoisson {
 public:
  // cells[a] for a < dim (the rest 1), spacing h[a]; time step dt = 1/N_t.
  SpaceTimePoisson(const GridSpec& space, int time_cells);
  ~SpaceTimePoisson();
  SpaceTimePoisson(const SpaceTimePoisson&) = delete;
  SpaceTimePoisson& operator=(const SpaceTimePoisson&) = delete;

  // In place on buffer(): r on entry (slice n at offset n·N_s, x fastest), φ on return. The buffer is
  // FFTW-allocated (aligned as the plans assume).
  double* buffer() { return buffer_; }
  void solve();
  long space_cells() const { return ns_; }

 private:
  int nt_;
  long ns_;
  double dt2_inv_;
  std::vector<double> eigen_;  // eigenvalue of −Δ_h per spatial mode
  double scale_;               // 1 / Π 2n_a: FFTW's unnormalised DCT-II → DCT-III round trip
  void* forward_ = nullptr;    // fftw_plan (kept opaque: fftw3.h stays in the .cpp)
  void* backward_ = nullptr;
  std::vector<double> inv_pivot_, upper_;  // Thomas factors per (time cell, mode)
  double* buffer_ = nullptr;
};

}  // namespace mf::gradient_flow
