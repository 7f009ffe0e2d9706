#include "self_attention.hpp"

#include <petsclog.h>

#include <cmath>
#include <stdexcept>

#include "measureflow/kokkos_math.hpp"
#include "measureflow/log_event.hpp"
#include "measureflow/petsc_check.hpp"

namespace mf::transformer {

namespace {

using ExecSpace = Kokkos::DefaultExecutionSpace;
using SmallMatrixView = Kokkos::View<double**, Kokkos::LayoutRight>;


SmallMatrixView to_view(const Matrix& m) {
  SmallMatrixView v("attention_matrix", m.rows(), m.cols());
  auto h = Kokkos::create_mirror_view(v);
  for (int i = 0; i < m.rows(); ++i)
    for (int j = 0; j < m.cols(); ++j) h(i, j) = m(i, j);
  Kokkos::deep_copy(v, h);
  return v;
}

// out(i, col0 + r) = Σ_c A(r, c) x(i, c): token i mapped by a d×d matrix into columns of a row block.
template <class Out>
void map_tokens(const SmallMatrixView& A, const TokenView& x, const Out& out, int col0) {
  const int d = static_cast<int>(x.extent(1));
  Kokkos::parallel_for(
      "mf::transformer::map_tokens", Kokkos::RangePolicy<ExecSpace>(0, x.extent(0)), KOKKOS_LAMBDA(const int i) {
        for (int r = 0; r < d; ++r) {
          double s = 0.0;
          for (int c = 0; c < d; ++c) s += A(r, c) * x(i, c);
          out(i, col0 + r) = s;
        }
      });
}

// Last column of a source block: log weight + potential (−inf for weight 0, skipped by the kernel).
void fill_log_weights(const RingBlock& rows, const ScalarView& w, const ScalarView& potential, int col) {
  const bool with_potential = potential.extent(0) == w.extent(0);
  Kokkos::parallel_for(
      "mf::transformer::log_weights", Kokkos::RangePolicy<ExecSpace>(0, w.extent(0)), KOKKOS_LAMBDA(const int i) {
        const double lw = w(i) > 0.0 ? kmath::log(w(i)) : -HUGE_VAL;
        rows(i, col) = lw + (with_potential ? potential(i) : 0.0);
      });
}

}  // namespace

void self_attention(MPI_Comm comm, const AttentionLayer& layer, const AttentionOptions& opt, const TokenView& x,
                    const ScalarView& w, const TokenView& gamma, const ScalarView& entropy) {
  const ScopedLogEvent event("mf::transformer::attention");
  const int d = static_cast<int>(x.extent(1));
  const std::size_t n = x.extent(0);
  Matrix Q = layer.Q, K = layer.K, V = layer.V;
  if (opt.variant == Variant::Sphere) {
    Q = opt.beta * Matrix::identity(d);
    K = V = Matrix::identity(d);
  }
  if (Q.rows() != d || K.rows() != d || V.rows() != d)
    throw std::invalid_argument("self_attention: Q, K, V must be " + std::to_string(d) + "×" + std::to_string(d));
  // Queries a_i = Q x_i stay home; keys K x_j and values V x_j travel.
  TokenView a("attention_queries", n, d);
  map_tokens(to_view(Q), x, a, 0);
  const SourceLayout rows_layout{d, d};
  RingBlock rows("attention_sources", n, rows_layout.width());
  map_tokens(to_view(K), x, rows, 0);
  map_tokens(to_view(V), x, rows, d);
  Kokkos::fence();

  ScalarView g;  // column potentials g_j (Sinkhorn)
  if (opt.variant == Variant::Sinkhorn && opt.sinkhorn_iterations > 0) {
    ScalarView f("sinkhorn_f", n);
    g = ScalarView("sinkhorn_g", n);
    const SourceLayout col_layout{d, 0};
    RingBlock cols("sinkhorn_sources", n, col_layout.width());
    TokenView keys("sinkhorn_keys", n, d);
    Kokkos::parallel_for(
        "mf::transformer::sinkhorn_copy_keys", Kokkos::RangePolicy<ExecSpace>(0, n), KOKKOS_LAMBDA(const int i) {
          for (int k = 0; k < d; ++k) {
            keys(i, k) = rows(i, k);
            cols(i, k) = a(i, k);
          }
        });
    for (int it = 0; it < opt.sinkhorn_iterations; ++it) {
      // Column pass: g_j = −log Σ_i w_i e^{s_ij + f_i}; row pass: f_i = −log Σ_j w_j e^{s_ij + g_j}.
      fill_log_weights(cols, w, f, d);
      SoftmaxState c = streaming_softmax(comm, keys, cols, col_layout);
      Kokkos::parallel_for(
          "mf::transformer::sinkhorn_col_potential", Kokkos::RangePolicy<ExecSpace>(0, n),
          KOKKOS_LAMBDA(const int j) { g(j) = -(c.max(j) + kmath::log(c.sum(j))); });
      fill_log_weights(rows, w, g, 2 * d);
      SoftmaxState r = streaming_softmax(comm, a, rows, rows_layout);
      Kokkos::parallel_for(
          "mf::transformer::sinkhorn_row_potential", Kokkos::RangePolicy<ExecSpace>(0, n),
          KOKKOS_LAMBDA(const int i) { f(i) = -(r.max(i) + kmath::log(r.sum(i))); });
    }
  }
  fill_log_weights(rows, w, g, 2 * d);
  const SoftmaxState st = streaming_softmax(comm, a, rows, rows_layout);
  const bool sphere = opt.variant == Variant::Sphere;
  const bool want_entropy = entropy.extent(0) == n;
  auto ent = entropy;
  Kokkos::parallel_for(
      "mf::transformer::attention_finish", Kokkos::RangePolicy<ExecSpace>(0, n), KOKKOS_LAMBDA(const int i) {
        const double inv = 1.0 / st.sum(i);
        double xg = 0.0;
        for (int k = 0; k < d; ++k) {
          gamma(i, k) = st.acc(i, k) * inv;
          xg += x(i, k) * gamma(i, k);
        }
        if (sphere)  // tangent projection P_x(Γ) = Γ − ⟨x, Γ⟩ x
          for (int k = 0; k < d; ++k) gamma(i, k) -= xg * x(i, k);
        if (want_entropy) ent(i) = st.max(i) + kmath::log(st.sum(i)) - st.score(i) * inv;
      });
  Kokkos::fence();
}

double mean_attention_entropy(MPI_Comm comm, const ScalarView& entropy, const ScalarView& w) {
  static_assert(Kokkos::SpaceAccessibility<Kokkos::HostSpace, ScalarView::memory_space>::accessible,
                "mean_attention_entropy reads the views on the host");
  double loc[2] = {0.0, 0.0}, glob[2];
  for (std::size_t i = 0; i < w.extent(0); ++i) {
    loc[0] += w(i) * entropy(i);
    loc[1] += w(i);
  }
  MPI_Allreduce(loc, glob, 2, MPI_DOUBLE, MPI_SUM, comm);
  return glob[1] > 0.0 ? glob[0] / glob[1] : 0.0;
}

}  // namespace mf::transformer
