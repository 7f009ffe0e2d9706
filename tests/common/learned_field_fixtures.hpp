// Test-only pieces for the learned flow-matching fields, independent of the flow_matching model:
// a counter-based PairSource (Gaussian α0 → Gaussian or Gaussian-mixture α1), the Prop. 3.2 field in
// closed form, a fixed-step ODE sampler (Euler / RK4) and W2 between point sets.
#pragma once
#include <mpi.h>

#include <cmath>
#include <vector>

#include "measureflow/counter_rng.hpp"
#include "measureflow/learned_field.hpp"
#include "measureflow/ot/exact.hpp"
#include "measureflow/small_matrix.hpp"

namespace mf::testing {

struct GaussianComponent {
  double weight;
  Vector mean;
  Matrix cov;
};

// α0 = N(m0, Σ0); α1 = Σ_k π_k N(μ_k, Σ_k) (one component: a Gaussian). Pair id i at draw e is a pure
// function of (seed, e, i): X0 from normals 0..d−1, the component from a uniform, X1 from normals d..2d−1.
class MixturePairSource : public fields::PairSource {
 public:
  MixturePairSource(Vector m0, const Matrix& s0, std::vector<GaussianComponent> target, long long pairs,
                    std::uint64_t seed = 11)
      : m0_(std::move(m0)), l0_(cholesky(s0)), target_(std::move(target)), pairs_(pairs), seed_(seed) {
    for (auto& c : target_) l1_.push_back(cholesky(c.cov));
  }
  int dim() const override { return static_cast<int>(m0_.size()); }
  long long total_pairs() const override { return pairs_; }
  std::pair<long long, long long> local_block(MPI_Comm comm) const override {
    int r = 0, p = 1;
    MPI_Comm_rank(comm, &r);
    MPI_Comm_size(comm, &p);
    const long long b = pairs_ * r / p, e = pairs_ * (r + 1) / p;
    return {b, e - b};
  }
  void sample(long long first, long long count, std::uint64_t draw, const FieldPoints& x0,
              const FieldPoints& x1) const override {
    const int d = dim();
    auto h0 = Kokkos::create_mirror_view(x0);
    auto h1 = Kokkos::create_mirror_view(x1);
    for (long long i = 0; i < count; ++i) {
      const CounterRng rng(seed_ ^ (draw * 0x9e3779b97f4a7c15ULL), static_cast<std::uint64_t>(first + i));
      for (int a = 0; a < d; ++a) {
        double v = m0_[a];
        for (int b = 0; b <= a; ++b) v += l0_(a, b) * rng.normal(b);
        h0(i, a) = v;
      }
      const double u = rng.uniform(1000);
      size_t k = 0;
      for (double acc = target_[0].weight; k + 1 < target_.size() && u > acc; acc += target_[++k].weight) {
      }
      for (int a = 0; a < d; ++a) {
        double v = target_[k].mean[a];
        for (int b = 0; b <= a; ++b) v += l1_[k](a, b) * rng.normal(d + b);
        h1(i, a) = v;
      }
    }
    Kokkos::deep_copy(x0, h0);
    Kokkos::deep_copy(x1, h1);
  }
  // Mean and covariance of α1.
  Vector target_mean() const {
    Vector m(dim(), 0.0);
    for (auto& c : target_) m = m + c.weight * c.mean;
    return m;
  }
  Matrix target_cov() const {
    const Vector m = target_mean();
    Matrix s(dim(), dim());
    for (auto& c : target_) s = s + c.weight * (c.cov + outer(c.mean - m, c.mean - m));
    return s;
  }
  const Vector& source_mean() const { return m0_; }
  Matrix source_cov() const { return l0_ * transpose(l0_); }

 private:
  Vector m0_;
  Matrix l0_;
  std::vector<GaussianComponent> target_;
  std::vector<Matrix> l1_;
  long long pairs_;
  std::uint64_t seed_;
};

// Prop. 3.2 with means: α_t = N(m_t, S_t), S_t = (1−t)²Σ0 + t²Σ1, v_t(x) = m1 − m0 + A_t (x − m_t),
// A_t = (tΣ1 − (1−t)Σ0) S_t⁻¹ (the regression of X1 − X0 on x_t for independent Gaussian endpoints).
struct GaussianFlowField {
  Vector m0, m1;
  Matrix s0, s1;
  Vector mean(double t) const { return (1.0 - t) * m0 + t * m1; }
  Matrix cov(double t) const { return (1.0 - t) * (1.0 - t) * s0 + t * t * s1; }
  Vector operator()(double t, const Vector& x) const {
    const Matrix a = (t * s1 - (1.0 - t) * s0) * inverse(cov(t));
    return (m1 - m0) + a * (x - mean(t));
  }
};

// Relative α_t-weighted L2 distance between a field and the Gaussian field, averaged over t at the
// midpoints of `nt` intervals, with `nx` points x ~ α_t (fixed standard normals) per time.
inline double relative_field_error(const VelocityField& v, const GaussianFlowField& g, int nt = 16, int nx = 512) {
  const int d = static_cast<int>(g.m0.size());
  double err = 0.0, ref = 0.0;
  FieldPoints x("x", nx, d), out("out", nx, d);
  for (int it = 0; it < nt; ++it) {
    const double t = (it + 0.5) / nt;
    const Matrix l = cholesky(g.cov(t));
    const Vector m = g.mean(t);
    std::vector<Vector> pts(nx);
    auto hx = Kokkos::create_mirror_view(x);
    for (int i = 0; i < nx; ++i) {
      const CounterRng rng(777, static_cast<std::uint64_t>(it * nx + i));
      Vector z(d), p = m;
      for (int a = 0; a < d; ++a) z[a] = rng.normal(a);
      p = p + l * z;
      pts[i] = p;
      for (int a = 0; a < d; ++a) hx(i, a) = p[a];
    }
    Kokkos::deep_copy(x, hx);
    v.evaluate(t, x, out);
    auto ho = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), out);
    for (int i = 0; i < nx; ++i) {
      const Vector e = g(t, pts[i]);
      for (int a = 0; a < d; ++a) {
        err += (ho(i, a) - e[a]) * (ho(i, a) - e[a]);
        ref += e[a] * e[a];
      }
    }
  }
  return std::sqrt(err / ref);
}

// x ← x + ∫_0^1 v(t, x) dt with `steps` fixed steps of Euler or classical RK4.
inline void integrate(const VelocityField& v, const FieldPoints& x, int steps, bool rk4) {
  const int n = static_cast<int>(x.extent(0)), d = static_cast<int>(x.extent(1));
  const double h = 1.0 / steps;
  FieldPoints k1("k1", n, d), k2("k2", n, d), k3("k3", n, d), k4("k4", n, d), y("y", n, d);
  const auto axpy = [&](const FieldPoints& out, const FieldPoints& base, double a, const FieldPoints& k) {
    Kokkos::parallel_for(
        "mf::testing::axpy", Kokkos::MDRangePolicy<Kokkos::Rank<2>>({0, 0}, {n, d}),
        KOKKOS_LAMBDA(const int i, const int c) { out(i, c) = base(i, c) + a * k(i, c); });
    Kokkos::fence();
  };
  for (int s = 0; s < steps; ++s) {
    const double t = s * h;
    v.evaluate(t, x, k1);
    if (!rk4) {
      axpy(x, x, h, k1);
      continue;
    }
    axpy(y, x, 0.5 * h, k1);
    v.evaluate(t + 0.5 * h, y, k2);
    axpy(y, x, 0.5 * h, k2);
    v.evaluate(t + 0.5 * h, y, k3);
    axpy(y, x, h, k3);
    v.evaluate(t + h, y, k4);
    Kokkos::parallel_for(
        "mf::testing::rk4_update", Kokkos::MDRangePolicy<Kokkos::Rank<2>>({0, 0}, {n, d}),
        KOKKOS_LAMBDA(const int i, const int c) {
          x(i, c) += h / 6.0 * (k1(i, c) + 2.0 * k2(i, c) + 2.0 * k3(i, c) + k4(i, c));
        });
    Kokkos::fence();
  }
}

// Exact W2 between two uniform point sets of equal size (optimal assignment, O(n³): n up to ~1000).
inline double w2_between(const FieldPoints& a, const FieldPoints& b) {
  const auto flat = [](const FieldPoints& p) {
    const auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), p);
    return std::vector<double>(h.data(), h.data() + h.size());
  };
  return std::sqrt(ot::w2_squared_exact_assignment(flat(a), flat(b), static_cast<int>(a.extent(1))));
}

// Generated samples: α0 draws (ids [0, n) of draw `draw`) pushed through v; and a held-out α1 sample.
inline FieldPoints generate(const fields::PairSource& src, const VelocityField& v, int n, int steps, bool rk4,
                            std::uint64_t draw = 1000) {
  FieldPoints x0("x0", n, src.dim()), x1("x1", n, src.dim());
  src.sample(0, n, draw, x0, x1);
  integrate(v, x0, steps, rk4);
  return x0;
}
inline FieldPoints held_out_target(const fields::PairSource& src, int n, std::uint64_t draw = 2000) {
  FieldPoints x0("x0", n, src.dim()), x1("x1", n, src.dim());
  src.sample(0, n, draw, x0, x1);
  return x1;
}

// Eight Gaussians on a circle of radius r with isotropic variance s², from α0 = N(0, I).
inline std::vector<GaussianComponent> eight_gaussians(double r = 3.0, double s = 0.3) {
  std::vector<GaussianComponent> c;
  for (int k = 0; k < 8; ++k) {
    const double a = 2.0 * M_PI * k / 8.0;
    c.push_back({1.0 / 8.0, {r * std::cos(a), r * std::sin(a)}, Matrix::diagonal({s * s, s * s})});
  }
  return c;
}

}  // namespace mf::testing
