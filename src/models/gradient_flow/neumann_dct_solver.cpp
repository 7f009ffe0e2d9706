#include "neumann_dct_solver.hpp"

#include <fftw3.h>

#include <cmath>
#include <utility>

#include "measureflow/errors.hpp"
#include "neumann_dct_modes.hpp"

namespace mf::gradient_flow {

NeumannDctSolver::NeumannDctSolver(const GridSpec& space) {
  const int d = space.dim;
  NeumannDctModes modes = neumann_dct_modes(space);
  ns_ = modes.size;
  scale_ = modes.scale;
  eigen_ = std::move(modes.eigen);
  // FFTW_ESTIMATE: the same algorithm on every rank, so replicated solves agree bit for bit.
  buffer_ = fftw_alloc_real(static_cast<size_t>(ns_));
  if (!buffer_) throw SolverError("gradient_flow jko: could not allocate the cosine-transform buffer");
  forward_ = fftw_plan_r2r(d, modes.dims, buffer_, buffer_, modes.forward, FFTW_ESTIMATE);
  backward_ = fftw_plan_r2r(d, modes.dims, buffer_, buffer_, modes.backward, FFTW_ESTIMATE);
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
