// The cosine-transform modes of the cell-centred Laplacian Δ_h with no-flux walls on a box, shared by the
// Douglas–Rachford JKO step's space-time Poisson solve (jko_space_time_poisson.hpp) and the back-and-forth
// preconditioner (neumann_dct_solver.hpp): FFTW's extents, the normalisation of a DCT-II → DCT-III round
// trip, the DCT kinds (REDFT10 forward, REDFT01 backward) and the eigenvalue of −Δ_h per mode.
#pragma once
#include <fftw3.h>

#include <vector>

#include "measureflow/grid.hpp"

namespace mf::gradient_flow {

struct NeumannDctModes {
  int dims[3] = {1, 1, 1};    // FFTW's row-major extents, slowest axis first ((z, y, x) for x-fastest storage)
  fftw_r2r_kind forward[3] = {FFTW_REDFT10, FFTW_REDFT10, FFTW_REDFT10};   // DCT-II
  fftw_r2r_kind backward[3] = {FFTW_REDFT01, FFTW_REDFT01, FFTW_REDFT01};  // DCT-III
  double scale = 1.0;         // 1 / Π 2n_a: FFTW's unnormalised round trip
  long size = 1;              // cells of the box = modes
  std::vector<double> eigen;  // Σ_a (2/h_a)² sin²(π k_a / 2n_a) per mode, x fastest
};

NeumannDctModes neumann_dct_modes(const GridSpec& space);

}  // namespace mf::gradient_flow
