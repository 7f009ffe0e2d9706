#include "velocity_fields.hpp"

#include <stdexcept>

namespace mf::continuity {

LinearField make_linear_field(const Matrix& A, const Vector& b, const Matrix& A_rate) {
  LinearField f;
  f.dim = A.rows();
  if (f.dim < 1 || f.dim > 3 || A.cols() != f.dim || static_cast<int>(b.size()) != f.dim)
    throw std::invalid_argument("linear field needs A (d×d) and b (d) with d in 1..3");
  for (int i = 0; i < f.dim; ++i) {
    f.b[i] = b[i];
    for (int j = 0; j < f.dim; ++j) {
      f.A[i][j] = A(i, j);
      f.A_rate[i][j] = A_rate.rows() == f.dim ? A_rate(i, j) : 0.0;
    }
  }
  return f;
}

}  // namespace mf::continuity
