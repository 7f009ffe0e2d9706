#include "poisson_transform.hpp"

#include <cmath>

#include "measureflow/errors.hpp"

namespace mf::dynamic_ot {

namespace {

// FFTW's MPI layer registers its planners once per process (after MPI_Init).
void init_fftw_mpi() {
  static bool done = false;
  if (!done) fftw_mpi_init();
  done = true;
}

// Eigenvalues of the 1D operator (2φ_i − φ_{i−1} − φ_{i+1})/h² on n cells, in FFTW's output order:
// DCT-II index j (fixed ends: the end coupling dropped), or the halfcomplex index j of R2HC, which holds
// the real (j ≤ n/2) or imaginary (j > n/2) part of frequency min(j, n − j) (periodic).
std::vector<double> axis_eigenvalues(ptrdiff_t n, double h, bool periodic) {
  const double pi = std::acos(-1.0);
  std::vector<double> e(static_cast<std::size_t>(n));
  for (ptrdiff_t j = 0; j < n; ++j) {
    const double s = periodic ? std::sin(pi * static_cast<double>(std::min(j, n - j)) / static_cast<double>(n))
                              : std::sin(pi * static_cast<double>(j) / (2.0 * static_cast<double>(n)));
    e[static_cast<std::size_t>(j)] = 4.0 * s * s / (h * h);
  }
  return e;
}

}  // namespace

PoissonTransform::PoissonTransform(const SpaceTimeGrid& grid) : grid_(grid) {
  init_fftw_mpi();
  // Row-major axes, slowest first, as the DMDA stores them: its last axis is the slowest and the dof
  // (time when d = 3) the fastest.
  const int d = grid.space_dim();
  const int dmda_axes = d == 3 ? 3 : d + 1;
  for (int a = dmda_axes - 1; a >= 0; --a) logical_[rank_++] = a;
  if (grid.time_is_dof()) logical_[rank_++] = 3;
  std::array<fftw_r2r_kind, 4> fwd{}, bwd{};
  ptrdiff_t rest = 1;
  for (int r = 0; r < rank_; ++r) {
    const int a = logical_[r];
    n_[r] = grid.cells(a);
    if (r > 0) rest *= n_[r];
    const bool periodic = grid.periodic(a);
    fwd[r] = periodic ? FFTW_R2HC : FFTW_REDFT10;  // forward: DFT (real, halfcomplex) or DCT-II
    bwd[r] = periodic ? FFTW_HC2R : FFTW_REDFT01;  // their inverses up to scale: HC2R, DCT-III
    scale_ *= periodic ? static_cast<double>(n_[r]) : 2.0 * static_cast<double>(n_[r]);
    eigen_.push_back(axis_eigenvalues(n_[r], grid.h(a), periodic));
  }
  alloc_ = fftw_mpi_local_size_many_transposed(rank_, n_.data(), 1, FFTW_MPI_DEFAULT_BLOCK, FFTW_MPI_DEFAULT_BLOCK,
                                               grid.comm(), &local_n0_, &local_0_start_, &local_n1_, &local_1_start_);
  buffer_.reset(fftw_alloc_real(static_cast<std::size_t>(alloc_ > 0 ? alloc_ : 1)));
  if (!buffer_) throw SolverError("dynamic_ot: could not allocate the FFTW buffer of the Poisson transform");
  // FFTW_ESTIMATE: the plan depends on the sizes only (FFTW_MEASURE times candidates, so two runs could
  // pick different algorithms and differ in round-off; restarts must repeat the solve bit for bit).
  forward_.reset(fftw_mpi_plan_r2r(rank_, n_.data(), buffer_.get(), buffer_.get(), grid.comm(), fwd.data(),
                                   FFTW_ESTIMATE | FFTW_MPI_TRANSPOSED_OUT));
  backward_.reset(fftw_mpi_plan_r2r(rank_, n_.data(), buffer_.get(), buffer_.get(), grid.comm(), bwd.data(),
                                    FFTW_ESTIMATE | FFTW_MPI_TRANSPOSED_IN));
  if (!forward_ || !backward_) throw SolverError("dynamic_ot: FFTW could not plan the space-time Poisson transform");

  const PetscInt slab_size = static_cast<PetscInt>(local_n0_ * rest);
  PetscCallThrow(VecCreateMPIWithArray(grid.comm(), 1, slab_size, PETSC_DETERMINE, buffer_.get(), slab_.out()));
  // Scatter pairs: the owned DMDA entries in storage order (contiguous PETSc indices from the start of
  // this rank's range) → their row-major (slab) index.
  VecHandle global = grid.create_global();
  PetscInt first, last;
  PetscCallThrow(VecGetOwnershipRange(global, &first, &last));
  const Box4& o = grid.owned();
  std::vector<PetscInt> slab_index;
  slab_index.reserve(static_cast<std::size_t>(o.size()));
  std::array<PetscInt, 4> g{};
  for (PetscInt k = 0; k < o.count[2]; ++k)
    for (PetscInt j = 0; j < o.count[1]; ++j)
      for (PetscInt i = 0; i < o.count[0]; ++i)
        for (PetscInt t = 0; t < o.count[3]; ++t) {
          g = {o.start[0] + i, o.start[1] + j, o.start[2] + k, o.start[3] + t};
          PetscInt idx = 0;
          for (int r = 0; r < rank_; ++r) idx = idx * static_cast<PetscInt>(n_[r]) + g[logical_[r]];
          slab_index.push_back(idx);
        }
  PetscHandle<IS, ISDestroy> from, to;
  PetscCallThrow(ISCreateStride(grid.comm(), last - first, first, 1, from.out()));
  PetscCallThrow(ISCreateGeneral(grid.comm(), static_cast<PetscInt>(slab_index.size()), slab_index.data(),
                                 PETSC_COPY_VALUES, to.out()));
  PetscCallThrow(VecScatterCreate(global, from, slab_, to, to_slab_.out()));
}

void PoissonTransform::solve(Vec b, Vec phi) {
  PetscCallThrow(VecScatterBegin(to_slab_, b, slab_, INSERT_VALUES, SCATTER_FORWARD));
  PetscCallThrow(VecScatterEnd(to_slab_, b, slab_, INSERT_VALUES, SCATTER_FORWARD));
  PetscScalar* a;
  PetscCallThrow(VecGetArray(slab_, &a));  // a is buffer_; Get/Restore marks the Vec as changed
  fftw_execute(forward_.get());
  // Transposed output: row-major axes 1 and 0 swapped, axis 1 split across ranks.
  const ptrdiff_t n0 = n_[0];
  const ptrdiff_t n2 = rank_ > 2 ? n_[2] : 1, n3 = rank_ > 3 ? n_[3] : 1;
  const std::vector<double>& e0 = eigen_[0];
  const std::vector<double>& e1 = eigen_[1];
  static const std::vector<double> zero{0.0};
  const std::vector<double>& e2 = rank_ > 2 ? eigen_[2] : zero;
  const std::vector<double>& e3 = rank_ > 3 ? eigen_[3] : zero;
  const double inv_scale = 1.0 / scale_;
  ptrdiff_t p = 0;
  for (ptrdiff_t i1 = 0; i1 < local_n1_; ++i1) {
    const double l1 = e1[static_cast<std::size_t>(local_1_start_ + i1)];
    for (ptrdiff_t i0 = 0; i0 < n0; ++i0) {
      const double l01 = l1 + e0[static_cast<std::size_t>(i0)];
      for (ptrdiff_t i2 = 0; i2 < n2; ++i2) {
        const double l012 = l01 + e2[static_cast<std::size_t>(i2)];
        for (ptrdiff_t i3 = 0; i3 < n3; ++i3, ++p) {
          const double l = l012 + e3[static_cast<std::size_t>(i3)];
          a[p] = l > 0.0 ? a[p] * inv_scale / l : 0.0;  // the constant mode (l = 0) is the null space
        }
      }
    }
  }
  fftw_execute(backward_.get());
  PetscCallThrow(VecRestoreArray(slab_, &a));
  PetscCallThrow(VecScatterBegin(to_slab_, slab_, phi, INSERT_VALUES, SCATTER_REVERSE));
  PetscCallThrow(VecScatterEnd(to_slab_, slab_, phi, INSERT_VALUES, SCATTER_REVERSE));
}

std::size_t PoissonTransform::bytes() const {
  std::size_t b = static_cast<std::size_t>(alloc_) * sizeof(double);
  for (const auto& e : eigen_) b += e.size() * sizeof(double);
  return b;
}

}  // namespace mf::dynamic_ot
