#include "measureflow/small_matrix.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>
#include <stdexcept>

namespace mf {

Matrix::Matrix(int rows, int cols, double fill)
    : rows_(rows), cols_(cols), a_(static_cast<size_t>(rows) * cols, fill) {}

Matrix Matrix::identity(int n) {
  Matrix m(n, n);
  for (int i = 0; i < n; ++i) m(i, i) = 1.0;
  return m;
}

Matrix Matrix::diagonal(const Vector& d) {
  Matrix m(static_cast<int>(d.size()), static_cast<int>(d.size()));
  for (size_t i = 0; i < d.size(); ++i) m(i, i) = d[i];
  return m;
}

Matrix Matrix::from_rows(const std::vector<std::vector<double>>& rows) {
  const int r = static_cast<int>(rows.size());
  const int c = r ? static_cast<int>(rows[0].size()) : 0;
  Matrix m(r, c);
  for (int i = 0; i < r; ++i) {
    if (static_cast<int>(rows[i].size()) != c) throw std::invalid_argument("ragged matrix rows");
    for (int j = 0; j < c; ++j) m(i, j) = rows[i][j];
  }
  return m;
}

std::vector<std::vector<double>> Matrix::to_rows() const {
  std::vector<std::vector<double>> out(rows_, std::vector<double>(cols_));
  for (int i = 0; i < rows_; ++i)
    for (int j = 0; j < cols_; ++j) out[i][j] = (*this)(i, j);
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

static void require_same_shape(const Matrix& a, const Matrix& b) {
  if (a.rows() != b.rows() || a.cols() != b.cols()) throw std::invalid_argument("matrix shapes differ");
}

Matrix operator+(const Matrix& a, const Matrix& b) {
  require_same_shape(a, b);
  Matrix c(a.rows(), a.cols());
  for (int i = 0; i < a.rows() * a.cols(); ++i) c.data()[i] = a.data()[i] + b.data()[i];
  return c;
}

Matrix operator-(const Matrix& a, const Matrix& b) {
  require_same_shape(a, b);
  Matrix c(a.rows(), a.cols());
  for (int i = 0; i < a.rows() * a.cols(); ++i) c.data()[i] = a.data()[i] - b.data()[i];
  return c;
}

Matrix operator*(const Matrix& a, const Matrix& b) {
  if (a.cols() != b.rows()) throw std::invalid_argument("matrix product shapes differ");
  Matrix c(a.rows(), b.cols());
  for (int i = 0; i < a.rows(); ++i)
    for (int k = 0; k < a.cols(); ++k) {
      const double aik = a(i, k);
      for (int j = 0; j < b.cols(); ++j) c(i, j) += aik * b(k, j);
    }
  return c;
}

Matrix operator*(double s, const Matrix& a) {
  Matrix c = a;
  for (int i = 0; i < a.rows() * a.cols(); ++i) c.data()[i] *= s;
  return c;
}

Vector operator*(const Matrix& a, const Vector& x) {
  if (static_cast<int>(x.size()) != a.cols()) throw std::invalid_argument("matrix-vector shapes differ");
  Vector y(a.rows(), 0.0);
  for (int i = 0; i < a.rows(); ++i)
    for (int j = 0; j < a.cols(); ++j) y[i] += a(i, j) * x[j];
  return y;
}

Vector operator+(const Vector& a, const Vector& b) {
  Vector c(a);
  for (size_t i = 0; i < c.size(); ++i) c[i] += b.at(i);
  return c;
}

Vector operator-(const Vector& a, const Vector& b) {
  Vector c(a);
  for (size_t i = 0; i < c.size(); ++i) c[i] -= b.at(i);
  return c;
}

Vector operator*(double s, const Vector& a) {
  Vector c(a);
  for (double& v : c) v *= s;
  return c;
}

Matrix transpose(const Matrix& a) {
  Matrix t(a.cols(), a.rows());
  for (int i = 0; i < a.rows(); ++i)
    for (int j = 0; j < a.cols(); ++j) t(j, i) = a(i, j);
  return t;
}

Matrix symmetrize(const Matrix& a) { return 0.5 * (a + transpose(a)); }

double trace(const Matrix& a) {
  double t = 0.0;
  for (int i = 0; i < std::min(a.rows(), a.cols()); ++i) t += a(i, i);
  return t;
}

double frobenius_norm(const Matrix& a) {
  double s = 0.0;
  for (int i = 0; i < a.rows() * a.cols(); ++i) s += a.data()[i] * a.data()[i];
  return std::sqrt(s);
}

double dot(const Vector& a, const Vector& b) {
  double s = 0.0;
  for (size_t i = 0; i < a.size(); ++i) s += a[i] * b.at(i);
  return s;
}

double norm2(const Vector& x) { return std::sqrt(dot(x, x)); }

Matrix outer(const Vector& a, const Vector& b) {
  Matrix m(static_cast<int>(a.size()), static_cast<int>(b.size()));
  for (size_t i = 0; i < a.size(); ++i)
    for (size_t j = 0; j < b.size(); ++j) m(i, j) = a[i] * b[j];
  return m;
}

SymmetricEigen symmetric_eigen(const Matrix& input) {
  if (input.rows() != input.cols()) throw std::invalid_argument("symmetric_eigen needs a square matrix");
  const int n = input.rows();
  Matrix a = symmetrize(input);
  Matrix v = Matrix::identity(n);
  const double scale = std::max(frobenius_norm(a), 1e-300);
  for (int sweep = 0; sweep < 100; ++sweep) {
    double off = 0.0;
    for (int p = 0; p < n; ++p)
      for (int q = p + 1; q < n; ++q) off += a(p, q) * a(p, q);
    if (std::sqrt(off) <= 1e-16 * scale) break;
    for (int p = 0; p < n; ++p)
      for (int q = p + 1; q < n; ++q) {
        if (a(p, q) == 0.0) continue;
        // Rotation that zeroes a(p,q) (Golub & Van Loan, Alg. 8.4.1), with the stable choice of t.
        const double theta = (a(q, q) - a(p, p)) / (2.0 * a(p, q));
        const double t = (theta >= 0 ? 1.0 : -1.0) / (std::abs(theta) + std::sqrt(theta * theta + 1.0));
        const double c = 1.0 / std::sqrt(t * t + 1.0), s = t * c;
        for (int k = 0; k < n; ++k) {
          const double akp = a(k, p), akq = a(k, q);
          a(k, p) = c * akp - s * akq;
          a(k, q) = s * akp + c * akq;
        }
        for (int k = 0; k < n; ++k) {
          const double apk = a(p, k), aqk = a(q, k);
          a(p, k) = c * apk - s * aqk;
          a(q, k) = s * apk + c * aqk;
        }
        for (int k = 0; k < n; ++k) {
          const double vkp = v(k, p), vkq = v(k, q);
          v(k, p) = c * vkp - s * vkq;
          v(k, q) = s * vkp + c * vkq;
        }
      }
  }
  std::vector<int> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](int i, int j) { return a(i, i) < a(j, j); });
  SymmetricEigen out{Vector(n), Matrix(n, n)};
  for (int j = 0; j < n; ++j) {
    out.values[j] = a(order[j], order[j]);
    for (int i = 0; i < n; ++i) out.vectors(i, j) = v(i, order[j]);
  }
  return out;
}

Matrix symmetric_function(const Matrix& a, double (*f)(double)) {
  const SymmetricEigen e = symmetric_eigen(a);
  const int n = a.rows();
  Matrix out(n, n);
  for (int k = 0; k < n; ++k) {
    const double fk = f(e.values[k]);
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < n; ++j) out(i, j) += e.vectors(i, k) * fk * e.vectors(j, k);
  }
  return out;
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
// In-place LU with partial pivoting; returns the permutation sign, 0 if singular.
int lu_decompose(Matrix& a, std::vector<int>& perm) {
  const int n = a.rows();
  perm.resize(n);
  std::iota(perm.begin(), perm.end(), 0);
  int sign = 1;
  const double scale = std::max(frobenius_norm(a), 1e-300);
  for (int k = 0; k < n; ++k) {
    int piv = k;
    for (int i = k + 1; i < n; ++i)
      if (std::abs(a(i, k)) > std::abs(a(piv, k))) piv = i;
    if (std::abs(a(piv, k)) <= 1e-14 * scale) return 0;
    if (piv != k) {
      for (int j = 0; j < n; ++j) std::swap(a(k, j), a(piv, j));
      std::swap(perm[k], perm[piv]);
      sign = -sign;
    }
    for (int i = k + 1; i < n; ++i) {
      a(i, k) /= a(k, k);
      for (int j = k + 1; j < n; ++j) a(i, j) -= a(i, k) * a(k, j);
    }
  }
  return sign;
}
}  // namespace

Matrix inverse(const Matrix& input) {
  if (input.rows() != input.cols()) throw std::invalid_argument("inverse needs a square matrix");
  const int n = input.rows();
  Matrix lu = input;
  std::vector<int> perm;
  if (lu_decompose(lu, perm) == 0) throw std::domain_error("inverse: matrix is singular");
  Matrix inv(n, n);
  for (int col = 0; col < n; ++col) {
    Vector x(n);
    for (int i = 0; i < n; ++i) x[i] = (perm[i] == col) ? 1.0 : 0.0;
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < i; ++j) x[i] -= lu(i, j) * x[j];
    for (int i = n - 1; i >= 0; --i) {
      for (int j = i + 1; j < n; ++j) x[i] -= lu(i, j) * x[j];
      x[i] /= lu(i, i);
    }
    for (int i = 0; i < n; ++i) inv(i, col) = x[i];
  }
  return inv;
}

double determinant(const Matrix& input) {
  Matrix lu = input;
  std::vector<int> perm;
  const int sign = lu_decompose(lu, perm);
  if (sign == 0) return 0.0;
  double det = sign;
  for (int i = 0; i < lu.rows(); ++i) det *= lu(i, i);
  return det;
}

Matrix expm(const Matrix& a) {
  if (a.rows() != a.cols()) throw std::invalid_argument("expm needs a square matrix");
  const int n = a.rows();
  // Scale so that ‖A/2^s‖ ≤ 1/2: the degree-18 Taylor remainder is then below 1e-22 relative.
  const double norm = frobenius_norm(a);
  int s = 0;
  if (norm > 0.5) s = static_cast<int>(std::ceil(std::log2(norm / 0.5)));
  const Matrix x = std::ldexp(1.0, -s) * a;
  Matrix term = Matrix::identity(n), sum = Matrix::identity(n);
  for (int k = 1; k <= 18; ++k) {
    term = (1.0 / k) * (term * x);
    sum = sum + term;
  }
  for (int i = 0; i < s; ++i) sum = sum * sum;
  return sum;
}

Matrix cholesky(const Matrix& a) {
  if (a.rows() != a.cols()) throw std::invalid_argument("cholesky needs a square matrix");
  const int n = a.rows();
  Matrix l(n, n);
  for (int j = 0; j < n; ++j) {
    double d = a(j, j);
    for (int k = 0; k < j; ++k) d -= l(j, k) * l(j, k);
    if (!(d > 0.0)) throw std::domain_error("cholesky: matrix is not positive definite");
    l(j, j) = std::sqrt(d);
    for (int i = j + 1; i < n; ++i) {
      double v = a(i, j);
      for (int k = 0; k < j; ++k) v -= l(i, k) * l(j, k);
      l(i, j) = v / l(j, j);
    }
  }
  return l;
}

bool is_symmetric(const Matrix& a, double rel_tol) {
  if (a.rows() != a.cols()) return false;
  const double scale = std::max(frobenius_norm(a), 1e-300);
  for (int i = 0; i < a.rows(); ++i)
    for (int j = i + 1; j < a.cols(); ++j)
      if (std::abs(a(i, j) - a(j, i)) > rel_tol * scale) return false;
  return true;
}

bool is_spd(const Matrix& a) {
  if (!is_symmetric(a)) return false;
  try {
    cholesky(a);
    return true;
  } catch (const std::domain_error&) {
    return false;
  }
}

}  // namespace mf
