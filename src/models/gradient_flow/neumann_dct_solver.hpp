// (a I − b Δ_h)⁻¹ on the cell-centred grid with no-flux walls (Δ_h the 2d+1-point Laplacian with Neumann
// ends), by a cosine transform (DCT-II/III, FFTW) that diagonalises Δ_h. The preconditioner of the
// back-and-forth JKO solver (jko_bfm.hpp): a > 0 keeps the constant mode, which Δ_h alone cannot invert.
#pragma once
#include <vector>

#include "measureflow/grid.hpp"

namespace mf::gradient_flow {

class NeumannDctSolver {
 public:
  explicit NeumannDctSolver(const GridSpec& space);
  ~NeumannDctSolver();
  NeumannDctSolver(const NeumannDctSolver&) = delete;
  NeumannDctSolver& operator=(const NeumannDctSolver&) = delete;

  // out = (a I − b Δ_h)⁻¹ in (sizes: the grid's cells, x fastest).
  void solve(const std::vector<double>& in, std::vector<double>& out, double a, double b);

 private:
  long ns_;
  std::vector<double> eigen_;  // eigenvalue of −Δ_h per mode
  double scale_;               // 1 / Π 2n_a: FFTW's unnormalised DCT round trip
  void* forward_ = nullptr;    // fftw_plan (fftw3.h stays in the .cpp)
  void* backward_ = nullptr;
  double* buffer_ = nullptr;
};

}  // namespace mf::gradient_flow
