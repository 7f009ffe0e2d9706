// Small dense matrices (d up to a few dozen) for covariances, linear fields and Gaussian closed forms.
// Host-only: these are per-run quantities, never per-cell or per-particle work.
#pragma once
#include <string>
#include <vector>

namespace mf {

using Vector = std::vector<double>;

class Matrix {
 public:
  Matrix() = default;
  Matrix(int rows, int cols, double fill = 0.0);
  static Matrix identity(int n);
  static Matrix diagonal(const Vector& d);
  // Rows of equal length; throws std::invalid_argument otherwise.
  static Matrix from_rows(const std::vector<std::vector<double>>& rows);

  int rows() const { return rows_; }
  int cols() const { return cols_; }
  double& operator()(int i, int j) { return a_[static_cast<size_t>(i) * cols_ + j]; }
  double operator()(int i, int j) const { return a_[static_cast<size_t>(i) * cols_ + j]; }
  const double* data() const { return a_.data(); }
  double* data() { return a_.data(); }
  std::vector<std::vector<double>> to_rows() const;
  std::string str() const;  // [[a, b], [c, d]]

 private:
  int rows_ = 0;
  int cols_ = 0;
  std::vector<double> a_;
};

Matrix operator+(const Matrix& a, const Matrix& b);
Matrix operator-(const Matrix& a, const Matrix& b);
Matrix operator*(const Matrix& a, const Matrix& b);
Matrix operator*(double s, const Matrix& a);
Vector operator*(const Matrix& a, const Vector& x);
Vector operator+(const Vector& a, const Vector& b);
Vector operator-(const Vector& a, const Vector& b);
Vector operator*(double s, const Vector& a);

Matrix transpose(const Matrix& a);
Matrix symmetrize(const Matrix& a);  // (A + Aᵀ)/2
double trace(const Matrix& a);
double frobenius_norm(const Matrix& a);
double norm2(const Vector& x);
double dot(const Vector& a, const Vector& b);
Matrix outer(const Vector& a, const Vector& b);
// (x − m)ᵀ P (x − m) for the point x[0..m.size()), summed over a then b in plain loops (the exponent of a
// Gaussian density, the level of an elliptical bump).
double centred_quadratic_form(const Matrix& P, const Vector& m, const double* x);

// Eigen-decomposition of a symmetric matrix by cyclic Jacobi rotations: A = V diag(values) Vᵀ,
// values ascending, columns of V orthonormal. Accurate to round-off for the small d we use.
struct SymmetricEigen {
  Vector values;
  Matrix vectors;
};
SymmetricEigen symmetric_eigen(const Matrix& a);

// f applied to the eigenvalues of a symmetric matrix.
Matrix symmetric_function(const Matrix& a, double (*f)(double));
Matrix sqrtm_spd(const Matrix& a);      // throws std::domain_error if not positive semi-definite
Matrix inv_sqrtm_spd(const Matrix& a);  // throws std::domain_error if not positive definite
Matrix inverse(const Matrix& a);        // LU with partial pivoting; throws std::domain_error if singular
double determinant(const Matrix& a);
Matrix expm(const Matrix& a);           // scaling and squaring with a degree-18 Taylor series
Matrix cholesky(const Matrix& a);       // lower factor L, A = L Lᵀ; throws std::domain_error if not SPD
bool is_symmetric(const Matrix& a, double rel_tol = 1e-12);
bool is_spd(const Matrix& a);

}  // namespace mf
