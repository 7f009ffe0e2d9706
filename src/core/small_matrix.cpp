// mf::Matrix kernels on Eigen 3.4: the storage stays a row-major std::vector (the public API and its
// callers are unchanged), each operation maps it as an Eigen matrix and lets Eigen do the algebra.
#include "measureflow/small_matrix.hpp"

// GCC 12 reports a false -Wmaybe-uninitialized inside its own AVX-512 intrinsics (avx512fintrin.h) when
// Eigen's vectorised reductions are instantiated with -march=native; nothing in this file is affected.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include <Eigen/Cholesky>
#include <Eigen/Dense>
#include <Eigen/Eigenvalues>
#include <Eigen/LU>
#include <unsupported/Eigen/MatrixFunctions>
#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>

namespace mf {

namespace {
using Dense = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using DenseMap = Eigen::Map<Dense>;
using ConstDenseMap = Eigen::Map<const Dense>;
using ConstVectorMap = Eigen::Map<const Eigen::VectorXd>;

ConstDenseMap view(const Matrix& a) { return ConstDenseMap(a.data(), a.rows(), a.cols()); }
DenseMap view(Matrix& a) { return DenseMap(a.data(), a.rows(), a.cols()); }
ConstVectorMap view(const Vector& x) { return ConstVectorMap(x.data(), static_cast<Eigen::Index>(x.size())); }

template <class Expr>
Matrix to_matrix(const Expr& e) {
  Matrix m(static_cast<int>(e.rows()), static_cast<int>(e.cols()));
  view(m) = e;
  return m;
}

Vector to_vector(const Eigen::VectorXd& v) { return Vector(v.data(), v.data() + v.size()); }

void require_square(const Matrix& a, const char* what) {
  if (a.rows() != a.cols()) throw std::invalid_argument(std::string(what) + " needs a square matrix");
}

void require_same_shape(const Matrix& a, const Matrix& b) {
  if (a.rows() != b.rows() || a.cols() != b.cols()) throw std::invalid_argument("matrix shapes differ");
}

void require_same_length(const Vector& a, const Vector& b) {
  if (a.size() != b.size()) throw std::invalid_argument("vector lengths differ");
}
}  // namespace

Matrix::Matrix(int rows, int cols, double fill)
    : rows_(rows), cols_(cols), a_(static_cast<size_t>(rows) * cols, fill) {}

Matrix Matrix::identity(int n) { return to_matrix(Dense::Identity(n, n)); }

Matrix Matrix::diagonal(const Vector& d) { return to_matrix(Dense(view(d).asDiagonal())); }

Matrix Matrix::from_rows(const std::vector<std::vector<double>>& rows) {
  const int r = static_cast<int>(rows.size());
  const int c = r ? static_cast<int>(rows[0].size()) : 0;
  Matrix m(r, c);
  for (int i = 0; i < r; ++i) {
    if (static_cast<int>(rows[i].size()) != c) throw std::invalid_argument("ragged matrix rows");
    std::copy(rows[i].begin(), rows[i].end(), m.data() + static_cast<size_t>(i) * c);
  }
  return m;
}

std::vector<std::vector<double>> Matrix::to_rows() const {
  std::vector<std::vector<double>> out(rows_);
  for (int i = 0; i < rows_; ++i) out[i].assign(a_.begin() + static_cast<long>(i) * cols_, a_.begin() + static_cast<long>(i + 1) * cols_);
  return out;
}

std::string Matrix::str() const {
  std::ostringstream os;
  os.precision(6);
  os << "[";
  for (int i = 0; i < rows_; ++i) {
    os << (i ? ", [" : "[");
    for (int j = 0; j < cols_; ++j) os << (j ? ", " : "") << (*this)(i, j);
    os << "]";
  }
  os << "]";
  return os.str();
}

Matrix operator+(const Matrix& a, const Matrix& b) {
  require_same_shape(a, b);
  return to_matrix(view(a) + view(b));
}

Matrix operator-(const Matrix& a, const Matrix& b) {
  require_same_shape(a, b);
  return to_matrix(view(a) - view(b));
}

Matrix operator*(const Matrix& a, const Matrix& b) {
  if (a.cols() != b.rows()) throw std::invalid_argument("matrix product shapes differ");
  return to_matrix(view(a) * view(b));
}

Matrix operator*(double s, const Matrix& a) { return to_matrix(s * view(a)); }

Vector operator*(const Matrix& a, const Vector& x) {
  if (static_cast<int>(x.size()) != a.cols()) throw std::invalid_argument("matrix-vector shapes differ");
  return to_vector(view(a) * view(x));
}

Vector operator+(const Vector& a, const Vector& b) {
  require_same_length(a, b);
  return to_vector(view(a) + view(b));
}

Vector operator-(const Vector& a, const Vector& b) {
  require_same_length(a, b);
  return to_vector(view(a) - view(b));
}

Vector operator*(double s, const Vector& a) { return to_vector(s * view(a)); }

Matrix transpose(const Matrix& a) { return to_matrix(view(a).transpose()); }

Matrix symmetrize(const Matrix& a) {
  require_square(a, "symmetrize");
  return to_matrix(0.5 * (view(a) + view(a).transpose()));
}

double trace(const Matrix& a) { return view(a).trace(); }

double frobenius_norm(const Matrix& a) { return view(a).norm(); }

double dot(const Vector& a, const Vector& b) {
  require_same_length(a, b);
  return view(a).dot(view(b));
}

double norm2(const Vector& x) { return view(x).norm(); }

double centred_quadratic_form(const Matrix& P, const Vector& m, const double* x) {
  const int d = static_cast<int>(m.size());
  double q = 0.0;
  for (int a = 0; a < d; ++a)
    for (int b = 0; b < d; ++b) q += (x[a] - m[a]) * P(a, b) * (x[b] - m[b]);
  return q;
}

Matrix outer(const Vector& a, const Vector& b) { return to_matrix(view(a) * view(b).transpose()); }

SymmetricEigen symmetric_eigen(const Matrix& input) {
  require_square(input, "symmetric_eigen");
  // Symmetrised first so a round-off asymmetry cannot matter; Eigen returns ascending eigenvalues.
  const Eigen::SelfAdjointEigenSolver<Dense> solver(view(symmetrize(input)));
  if (solver.info() != Eigen::Success) throw std::domain_error("symmetric_eigen: no convergence");
  return SymmetricEigen{to_vector(solver.eigenvalues()), to_matrix(solver.eigenvectors())};
}

Matrix symmetric_function(const Matrix& a, double (*f)(double)) {
  const SymmetricEigen e = symmetric_eigen(a);
  Eigen::VectorXd fv(e.values.size());
  for (size_t k = 0; k < e.values.size(); ++k) fv[static_cast<Eigen::Index>(k)] = f(e.values[k]);
  const ConstDenseMap v = view(e.vectors);
  return to_matrix(v * fv.asDiagonal() * v.transpose());
}

Matrix sqrtm_spd(const Matrix& a) {
  const SymmetricEigen e = symmetric_eigen(a);
  const double tol = 1e-12 * std::max(std::abs(e.values.back()), 1e-300);
  if (e.values.front() < -tol) throw std::domain_error("sqrtm_spd: matrix is not positive semi-definite");
  return symmetric_function(a, [](double x) { return std::sqrt(std::max(x, 0.0)); });
}

Matrix inv_sqrtm_spd(const Matrix& a) {
  if (symmetric_eigen(a).values.front() <= 0.0) throw std::domain_error("inv_sqrtm_spd: matrix is not positive definite");
  return symmetric_function(a, [](double x) { return 1.0 / std::sqrt(x); });
}

namespace {
// LU with partial pivoting, plus the same singularity test as before the switch to Eigen: a pivot
// below 1e-14 ‖A‖_F means singular (Eigen itself would divide by it).
struct Lu {
  Eigen::PartialPivLU<Dense> lu;
  bool singular;
};
Lu lu_of(const Matrix& a) {
  require_square(a, "LU");
  Lu out{Eigen::PartialPivLU<Dense>(view(a)), false};
  const double scale = std::max(frobenius_norm(a), 1e-300);
  out.singular = a.rows() > 0 && out.lu.matrixLU().diagonal().cwiseAbs().minCoeff() <= 1e-14 * scale;
  return out;
}
}  // namespace

Matrix inverse(const Matrix& a) {
  const Lu f = lu_of(a);
  if (f.singular) throw std::domain_error("inverse: matrix is singular");
  return to_matrix(f.lu.inverse());
}

double determinant(const Matrix& a) {
  const Lu f = lu_of(a);
  return f.singular ? 0.0 : f.lu.determinant();
}

Matrix expm(const Matrix& a) {
  require_square(a, "expm");
  // Eigen's MatrixExponential: Padé approximant with scaling and squaring (Higham 2005).
  return to_matrix(Dense(view(a).exp()));
}

Matrix cholesky(const Matrix& a) {
  require_square(a, "cholesky");
  const Eigen::LLT<Dense> llt(view(a));
  if (llt.info() != Eigen::Success) throw std::domain_error("cholesky: matrix is not positive definite");
  return to_matrix(Dense(llt.matrixL()));
}

bool is_symmetric(const Matrix& a, double rel_tol) {
  if (a.rows() != a.cols()) return false;
  if (a.rows() == 0) return true;
  const double scale = std::max(frobenius_norm(a), 1e-300);
  return (view(a) - view(a).transpose()).cwiseAbs().maxCoeff() <= rel_tol * scale;
}

bool is_spd(const Matrix& a) {
  if (!is_symmetric(a)) return false;
  return Eigen::LLT<Dense>(view(a)).info() == Eigen::Success;
}

}  // namespace mf
