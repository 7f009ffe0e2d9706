#include "fields/learned/mlp_network.hpp"

#include <algorithm>
#include <cmath>

#include "measureflow/counter_rng.hpp"

namespace mf::fields::detail {

namespace {

using Unmanaged = Kokkos::View<double**, Kokkos::LayoutRight, Kokkos::MemoryTraits<Kokkos::Unmanaged>>;

KOKKOS_INLINE_FUNCTION double sigmoid(double u) { return 1.0 / (1.0 + kmath::exp(-u)); }

// out(i, o) = b(o) + Σ_j W(o, j) in(i, j); act(i, o) = SiLU(out(i, o)) when act is non-empty.
void dense(const Matrix& in, const double* w, const double* b, int n_out, const Matrix& z, const Matrix& act) {
  const int n_in = static_cast<int>(in.extent(1));
  const bool with_act = act.extent(0) > 0;
  Kokkos::parallel_for(
      "mf::fields::dense_forward", Kokkos::MDRangePolicy<Kokkos::Rank<2>>({0, 0}, {int(in.extent(0)), n_out}),
      KOKKOS_LAMBDA(const int i, const int o) {
        double acc = b[o];
        const double* wo = w + static_cast<size_t>(o) * n_in;
        const double* xi = &in(i, 0);
#pragma omp simd reduction(+ : acc)
        for (int j = 0; j < n_in; ++j) acc += wo[j] * xi[j];
        z(i, o) = acc;
        if (with_act) act(i, o) = acc * sigmoid(acc);
      });
}

// Column-major copy: makes "sum over rows" loops unit-stride (the copy is O(rows · width), the sums
// O(rows · width²)).
Kokkos::View<double**, Kokkos::LayoutLeft> columns(const Matrix& a) {
  Kokkos::View<double**, Kokkos::LayoutLeft> c("mf::fields::columns", a.extent(0), a.extent(1));
  Kokkos::deep_copy(c, a);
  return c;
}

// Gradient of a dense layer given δ = dL/dz (rows × n_out) and its input (rows × n_in):
// gW(o, j) += Σ_i δ(i, o) in(i, j), gb(o) += Σ_i δ(i, o) (sums over rows in a fixed order).
void dense_weight_grad(const Matrix& delta, const Matrix& in, double* gw, double* gb) {
  const int rows = static_cast<int>(delta.extent(0)), n_out = static_cast<int>(delta.extent(1)),
            n_in = static_cast<int>(in.extent(1));
  const auto dc = columns(delta), xc = columns(in);
  Kokkos::parallel_for(
      "mf::fields::dense_weight_gradient", Kokkos::MDRangePolicy<Kokkos::Rank<2>>({0, 0}, {n_out, n_in + 1}),
      KOKKOS_LAMBDA(const int o, const int j) {
        const double* d = &dc(0, o);
        double acc = 0.0;
        if (j < n_in) {
          const double* x = &xc(0, j);
#pragma omp simd reduction(+ : acc)
          for (int i = 0; i < rows; ++i) acc += d[i] * x[i];
          gw[static_cast<size_t>(o) * n_in + j] += acc;
        } else {
#pragma omp simd reduction(+ : acc)
          for (int i = 0; i < rows; ++i) acc += d[i];
          gb[o] += acc;
        }
      });
}

// δ_prev(i, j) = (Σ_o δ(i, o) W(o, j)) · SiLU'(z_prev(i, j)), with Wᵀ copied so the o-loop is unit-stride.
void dense_backprop(const Matrix& delta, const double* w, const Matrix& z_prev, const Matrix& delta_prev) {
  const int n_out = static_cast<int>(delta.extent(1)), n_in = static_cast<int>(z_prev.extent(1));
  Matrix wt("mf::fields::weights_transposed", n_in, n_out);
  Kokkos::parallel_for(
      "mf::fields::transpose_weights", Kokkos::MDRangePolicy<Kokkos::Rank<2>>({0, 0}, {n_out, n_in}),
      KOKKOS_LAMBDA(const int o, const int j) { wt(j, o) = w[static_cast<size_t>(o) * n_in + j]; });
  Kokkos::parallel_for(
      "mf::fields::dense_backprop", Kokkos::MDRangePolicy<Kokkos::Rank<2>>({0, 0}, {int(delta.extent(0)), n_in}),
      KOKKOS_LAMBDA(const int i, const int j) {
        const double* d = &delta(i, 0);
        const double* wj = &wt(j, 0);
        double acc = 0.0;
#pragma omp simd reduction(+ : acc)
        for (int o = 0; o < n_out; ++o) acc += d[o] * wj[o];
        const double u = z_prev(i, j), s = sigmoid(u);
        delta_prev(i, j) = acc * s * (1.0 + u * (1.0 - s));
      });
}

}  // namespace

MlpNetwork::MlpNetwork(MlpShape shape, Standardisation st, std::uint64_t seed)
    : shape_(shape), st_(std::move(st)), params_("mf::fields::mlp_parameters", shape.parameters()) {
  auto p = Kokkos::create_mirror_view(params_);
  Kokkos::deep_copy(p, 0.0);
  const std::uint64_t key = seed ^ 0x94d049bb133111ebULL;
  const auto init = [&](int offset, int rows, int cols) {
    const double sd = 1.0 / std::sqrt(double(cols));
    for (int k = 0; k < rows * cols; ++k)
      p(offset + k) = sd * CounterRng(key, static_cast<std::uint64_t>(offset + k)).normal(0);
  };
  init(shape.w1(), shape.width, shape.in());
  init(shape.w2(), shape.width, shape.width);
  init(shape.w3(), shape.dim, shape.width);
  Kokkos::deep_copy(params_, p);
}

MlpActivations MlpNetwork::forward(const Vector& t, double t_const, const FieldPoints& x, int r0, int n) const {
  const MlpShape s = shape_;
  MlpActivations a;
  a.input = Matrix("mf::fields::mlp_input", n, s.in());
  const Matrix input = a.input;
  const Vector center = st_.center, inv_scale = st_.inv_scale;
  const bool per_row = t.extent(0) > 0;
  const int d = s.dim;
  Kokkos::parallel_for(
      "mf::fields::mlp_input", Kokkos::RangePolicy<>(0, n), KOKKOS_LAMBDA(const int i) {
        input(i, 0) = 2.0 * (per_row ? t(r0 + i) : t_const) - 1.0;
        for (int k = 0; k < d; ++k) input(i, k + 1) = (x(r0 + i, k) - center(k)) * inv_scale(k);
      });
  a.z1 = Matrix("mf::fields::mlp_z1", n, s.width);
  a.a1 = Matrix("mf::fields::mlp_a1", n, s.width);
  a.z2 = Matrix("mf::fields::mlp_z2", n, s.width);
  a.a2 = Matrix("mf::fields::mlp_a2", n, s.width);
  a.out = Matrix("mf::fields::mlp_out", n, s.dim);
  const double* p = params_.data();
  dense(a.input, p + s.w1(), p + s.b1(), s.width, a.z1, a.a1);
  dense(a.a1, p + s.w2(), p + s.b2(), s.width, a.z2, a.a2);
  dense(a.a2, p + s.w3(), p + s.b3(), s.dim, a.out, Matrix());
  const Matrix out = a.out;
  Kokkos::parallel_for(
      "mf::fields::mlp_output_scale", Kokkos::MDRangePolicy<Kokkos::Rank<2>>({0, 0}, {n, d}),
      KOKKOS_LAMBDA(const int i, const int k) { out(i, k) /= inv_scale(k); });
  Kokkos::fence();
  return a;
}

double MlpNetwork::backward(const MlpActivations& a, const FieldPoints& y, int r0, double scale,
                            const Vector& grad) const {
  const MlpShape s = shape_;
  const int n = static_cast<int>(a.out.extent(0)), d = s.dim;
  const Vector inv_scale = st_.inv_scale;
  // δ3 = dL/d(pre-scale output) = scale · 2 (out − y) / s.
  Matrix d3("mf::fields::mlp_delta3", n, d);
  const Matrix out = a.out;
  Kokkos::parallel_for(
      "mf::fields::mlp_output_delta", Kokkos::MDRangePolicy<Kokkos::Rank<2>>({0, 0}, {n, d}),
      KOKKOS_LAMBDA(const int i, const int k) { d3(i, k) = scale * 2.0 * (out(i, k) - y(r0 + i, k)) / inv_scale(k); });
  // Σ |out − y|² as one serial loop in row order (deterministic, and n·d numbers only).
  Kokkos::View<double> loss_sum("mf::fields::mlp_loss");
  Kokkos::parallel_for(
      "mf::fields::mlp_loss", Kokkos::RangePolicy<>(0, 1), KOKKOS_LAMBDA(const int) {
        double acc = 0.0;
        for (int i = 0; i < n; ++i)
          for (int k = 0; k < d; ++k) acc += (out(i, k) - y(r0 + i, k)) * (out(i, k) - y(r0 + i, k));
        loss_sum() = acc;
      });
  const double* p = params_.data();
  double* g = grad.data();
  Matrix d2("mf::fields::mlp_delta2", n, s.width), d1("mf::fields::mlp_delta1", n, s.width);
  dense_weight_grad(d3, a.a2, g + s.w3(), g + s.b3());
  dense_backprop(d3, p + s.w3(), a.z2, d2);
  dense_weight_grad(d2, a.a1, g + s.w2(), g + s.b2());
  dense_backprop(d2, p + s.w2(), a.z1, d1);
  dense_weight_grad(d1, a.input, g + s.w1(), g + s.b1());
  double loss = 0.0;
  Kokkos::deep_copy(loss, loss_sum);
  return loss;
}

void MlpField::evaluate(double t, const FieldPoints& x, const FieldPoints& out) const {
  const int n = static_cast<int>(x.extent(0)), d = dim();
  constexpr int kChunk = 8192;  // rows per pass: bounds the activations' memory (4 × 8192 × h doubles)
  for (int r0 = 0; r0 < n; r0 += kChunk) {
    const int m = std::min(kChunk, n - r0);
    const MlpActivations a = net_.forward(Vector(), t, x, r0, m);
    const Matrix v = a.out;
    Kokkos::parallel_for(
        "mf::fields::evaluate_mlp_field", Kokkos::MDRangePolicy<Kokkos::Rank<2>>({0, 0}, {m, d}),
        KOKKOS_LAMBDA(const int i, const int k) { out(r0 + i, k) = v(i, k); });
  }
  Kokkos::fence();
}

}  // namespace mf::fields::detail
