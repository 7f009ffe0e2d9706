// The space-time Poisson solve (D Dᵀ)φ = b of the continuity projection by fast separable transforms
// (FFTW, distributed with its MPI interface). On the box every axis of D Dᵀ is a 1D three-point
// Laplacian Σ_c (2φ_i − φ_{i−1} − φ_{i+1})/h_c², cell-centred, with the end couplings dropped where the
// face is fixed data (time ends, walls) and wrapped where the axis is periodic. Those 1D operators are
// diagonalised exactly by the DCT-II (fixed ends: eigenvectors cos(πj(i + ½)/n), eigenvalues
// (2 sin(πj/(2n))/h)²) and by the real DFT (periodic: eigenvalues (2 sin(πk/n)/h)² for frequency k), and
// the space-time operator is their Kronecker sum, so φ = T⁻¹ Λ⁺ T b in O(N log N) with no iteration.
// The zero eigenvalue (constants) is dropped: φ has zero mean, which V − Dᵀφ does not see.
//
// Layout: FFTW's MPI plans split the slowest row-major axis across ranks (slabs), the DMDA splits up to
// three axes (blocks); a PETSc VecScatter moves b from blocks to slabs and φ back. The forward plan
// leaves its output transposed (first two axes swapped, FFTW_MPI_TRANSPOSED_OUT) and the backward plan
// starts from that layout, saving two global transposes per solve.
#pragma once
#include <fftw3-mpi.h>

#include <array>
#include <memory>
#include <vector>

#include "space_time_grid.hpp"

namespace mf::dynamic_ot {

class PoissonTransform {
 public:
  explicit PoissonTransform(const SpaceTimeGrid& grid);
  // φ = (D Dᵀ)⁺ b (minimum-norm: the mean of b is dropped, φ has zero mean). Collective.
  void solve(Vec b, Vec phi);
  // Bytes this rank holds for the transform (slab buffer and eigenvalue tables), for the benchmark.
  std::size_t bytes() const;

 private:
  struct PlanDeleter {
    void operator()(fftw_plan_s* p) const { fftw_destroy_plan(p); }
  };
  struct BufferDeleter {
    void operator()(double* p) const { fftw_free(p); }
  };
  using Plan = std::unique_ptr<fftw_plan_s, PlanDeleter>;

  const SpaceTimeGrid& grid_;
  int rank_ = 0;                        // row-major rank of the transform (DMDA axes + dof axis)
  std::array<ptrdiff_t, 4> n_{};        // row-major extents, slowest first
  std::array<int, 4> logical_{};        // logical SpaceTimeGrid axis of each row-major axis
  ptrdiff_t local_n0_ = 0, local_0_start_ = 0, local_n1_ = 0, local_1_start_ = 0, alloc_ = 0;
  std::unique_ptr<double, BufferDeleter> buffer_;
  std::vector<std::vector<double>> eigen_;  // per row-major axis: eigenvalue of each transform index
  double scale_ = 1.0;                      // the unnormalised forward + backward pair multiplies by this
  Plan forward_, backward_;
  VecHandle slab_;                          // PETSc view of buffer_ in the slab layout
  VecScatterHandle to_slab_;                // DMDA block layout → slab layout
};

}  // namespace mf::dynamic_ot
