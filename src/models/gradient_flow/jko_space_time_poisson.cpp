#include "jko_space_time_poisson.hpp"

#include <fftw3.h>

#include <cmath>
#include <utility>

#include "measureflow/errors.hpp"
#include "neumann_dct_modes.hpp"

namespace mf::gradient_flow {

SpaceTimePoisson::SpaceTimePoisson(const GridSpec& space, int time_cells)
    : nt_(time_cells), ns_(1), dt2_inv_(double(time_cells) * time_cells) {
  const int d = space.dim;
  NeumannDctModes modes = neumann_dct_modes(space);
  ns_ = modes.size;
  scale_ = modes.scale;
  eigen_ = std::move(modes.eigen);
  // Thomas factors of (λ + T), T = dt⁻² tridiag(−1, 2, −1) except row 0 (diagonal 1: the density is given
  // at t = 0, no unknown face below; also when N_t = 1) and φ = 0 beyond row N_t − 1 (free final density).
  const double e = dt2_inv_;
  inv_pivot_.assign(static_cast<size_t>(ns_) * nt_, 0.0);
  upper_.assign(static_cast<size_t>(ns_) * nt_, 0.0);
  for (long s = 0; s < ns_; ++s) {
    double c_prev = 0.0;
    for (int n = 0; n < nt_; ++n) {
      const double diag = eigen_[s] + (n == 0 ? e : 2.0 * e);
      const double pivot = diag + (n == 0 ? 0.0 : e * c_prev);  // diag − (−e)·c_{n−1}
      inv_pivot_[n * ns_ + s] = 1.0 / pivot;
      c_prev = -e / pivot;
      upper_[n * ns_ + s] = c_prev;
    }
  }
  // FFTW_ESTIMATE: planning leaves the buffer alone and picks the same algorithm on every rank, so the
  // replicated solves agree bit for bit across ranks.
  buffer_ = fftw_alloc_real(static_cast<size_t>(ns_) * nt_);
  if (!buffer_) throw SolverError("gradient_flow jko: could not allocate the space-time Poisson buffer");
  forward_ = fftw_plan_many_r2r(d, modes.dims, nt_, buffer_, nullptr, 1, static_cast<int>(ns_), buffer_, nullptr, 1,
                                static_cast<int>(ns_), modes.forward, FFTW_ESTIMATE);
  backward_ = fftw_plan_many_r2r(d, modes.dims, nt_, buffer_, nullptr, 1, static_cast<int>(ns_), buffer_, nullptr, 1,
                                 static_cast<int>(ns_), modes.backward, FFTW_ESTIMATE);
  if (!forward_ || !backward_) throw SolverError("gradient_flow jko: FFTW could not plan the cosine transforms");
}

SpaceTimePoisson::~SpaceTimePoisson() {
  if (forward_) fftw_destroy_plan(static_cast<fftw_plan>(forward_));
  if (backward_) fftw_destroy_plan(static_cast<fftw_plan>(backward_));
  if (buffer_) fftw_free(buffer_);
}

void SpaceTimePoisson::solve() {
  double* phi = buffer_;
  fftw_execute(static_cast<fftw_plan>(forward_));
  // Per mode: (λ + T) x = r̂ by Thomas with the factors of the constructor, time outermost so the inner
  // loops run over contiguous modes.
  const double e = dt2_inv_;
  const long ns = ns_;
  for (long s = 0; s < ns; ++s) phi[s] *= inv_pivot_[s];
  for (int n = 1; n < nt_; ++n) {
    double* x = phi + n * ns;
    const double* below = x - ns;
    const double* ip = inv_pivot_.data() + n * ns;
    for (long s = 0; s < ns; ++s) x[s] = (x[s] + e * below[s]) * ip[s];
  }
  for (int n = nt_ - 2; n >= 0; --n) {
    double* x = phi + n * ns;
    const double* above = x + ns;
    const double* c = upper_.data() + n * ns;
    for (long s = 0; s < ns; ++s) x[s] -= c[s] * above[s];
  }
  fftw_execute(static_cast<fftw_plan>(backward_));
  const long total = ns_ * nt_;
  for (long i = 0; i < total; ++i) phi[i] *= scale_;
}

}  // namespace mf::gradient_flow
