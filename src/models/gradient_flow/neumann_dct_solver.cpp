#include "neumann_dct_solver.hpp"

#include <fftw3.h>

#include <cmath>

#include "measureflow/errors.hpp"

namespace mf::gradient_flow {

NeumannDctSolver::NeumannDctSolver(const GridSpec& space) : ns_(1), scale_(1.0) {
  const int d = space.dim;
  int dims[3];
  fftw_r2r_kind fwd[3], bwd[3];
  for (int k = 0; k < d; ++k) {  // FFTW wants row-major extents, slowest first
    const int a = d - 1 - k;
    dims[k] = static_cast<int>(space.cells[a]);
    fwd[k] = FFTW_REDFT10;
    bwd[k] = FFTW_REDFT01;
    scale_ /= 2.0 * static_cast<double>(space.cells[a]);
    ns_ *= space.cells[a];
  }
  eigen_.assign(ns_, 0.0);
  for (long idx = 0; idx < ns_; ++idx) {
    long rest = idx;
    double lam = 0.0;
    for (int a = 0; a < d; ++a) {
      const long n = space.cells[a];
      const long k = rest % n;
      rest /= n;
      const double h = (space.upper[a] - space.lower[a]) / static_cast<double>(n);
      const double s = std::sin(M_PI * static_cast<double>(k) / (2.0 * static_cast<double>(n)));
      lam += 4.0 * s * s / (h * h);
    }
    eigen_[idx] = lam;
  }
  // FFTW_ESTIMATE: the same algorithm on every rank, so replicated solves agree bit for bit.
  buffer_ = fftw_alloc_real(static_cast<size_t>(ns_));
  if (!buffer_) throw SolverError("gradient_flow jko: could not allocate the cosine-transform buffer");
  forward_ = fftw_plan_r2r(d, dims, buffer_, buffer_, fwd, FFTW_ESTIMATE);
  backward_ = fftw_plan_r2r(d, dims, buffer_, buffer_, bwd, FFTW_ESTIMATE);
  if (!forward_ || !backward_) throw SolverError("gradient_flow jko: FFTW could not plan the cosine transforms");
}

NeumannDctSolver::~NeumannDctSolver() {
  if (forward_) fftw_destroy_plan(static_cast<fftw_plan>(forward_));
  if (backward_) fftw_destroy_plan(static_cast<fftw_plan>(backward_));
  if (buffer_) fftw_free(buffer_);
}

void NeumannDctSolver::solve(const std::vector<double>& in, std::vector<double>& out, double a, double b) {
  for (long i = 0; i < ns_; ++i) buffer_[i] = in[i];
  fftw_execute(static_cast<fftw_plan>(forward_));
  for (long i = 0; i < ns_; ++i) buffer_[i] *= scale_ / (a + b * eigen_[i]);
  fftw_execute(static_cast<fftw_plan>(backward_));
  out.assign(buffer_, buffer_ + ns_);
}

}  // namespace mf::gradient_flow
