#include "network_kernels.hpp"

#include <string>

#include "measureflow/errors.hpp"

namespace mf::mean_field {

namespace {
using ExecSpace = Kokkos::DefaultExecutionSpace;
// Local per-neuron accumulators in the velocity kernel (domain.dim ≤ 64 bounds d_in + d_out).
constexpr int kMaxNeuronDim = 64;

// Neurons are processed in chunks of kChunk with their coordinates transposed (coordinate-major), so
// the inner loops run over neurons with unit stride and vectorise (AVX-512 on this machine); the
// per-chunk accumulators (kMaxNeuronDim × kChunk doubles, 32 kB) stay in L1. A GPU build would pick a
// chunk of 1 (one neuron per thread).
constexpr int kChunk = 64;
using TransposedView = Kokkos::View<double**, Kokkos::LayoutRight>;  // coordinate × neuron

// ut(a, i) = u_i[a]; wvt(b, i) = w_i v_i[b] (forward) and vt(b, i) = v_i[b] (velocity).
void transpose_neurons(const PointsView& x, const WeightsView& w, int din, const TransposedView& ut,
                       const TransposedView& vt, const TransposedView& wvt) {
  const int dout = static_cast<int>(vt.extent(0));
  Kokkos::parallel_for(
      "mf::mean_field::transpose", Kokkos::RangePolicy<ExecSpace>(0, x.extent(0)), KOKKOS_LAMBDA(const int i) {
        for (int a = 0; a < din; ++a) ut(a, i) = x(i, a);
        for (int b = 0; b < dout; ++b) {
          vt(b, i) = x(i, din + b);
          wvt(b, i) = w(i) * x(i, din + b);
        }
      });
  Kokkos::fence();
}

template <class Sigma>
void partial_outputs(const DataView& z, const TransposedView& ut, const TransposedView& wvt, const DataView& g) {
  const int n = static_cast<int>(ut.extent(1));
  const int din = static_cast<int>(z.extent(1)), dout = static_cast<int>(g.extent(1));
  // One data point per work item: it owns its output row, so there is no race.
  Kokkos::parallel_for(
      "mf::mean_field::forward", Kokkos::RangePolicy<ExecSpace>(0, z.extent(0)), KOKKOS_LAMBDA(const int k) {
        double act[kChunk];
        for (int b = 0; b < dout; ++b) g(k, b) = 0.0;
        for (int i0 = 0; i0 < n; i0 += kChunk) {
          const int m = n - i0 < kChunk ? n - i0 : kChunk;
          for (int ii = 0; ii < m; ++ii) act[ii] = 0.0;
          for (int a = 0; a < din; ++a) {
            const double za = z(k, a);
#pragma omp simd
            for (int ii = 0; ii < m; ++ii) act[ii] += za * ut(a, i0 + ii);
          }
#pragma omp simd
          for (int ii = 0; ii < m; ++ii) act[ii] = Sigma::value(act[ii]);
          for (int b = 0; b < dout; ++b) {
            double sum = 0.0;
#pragma omp simd reduction(+ : sum)
            for (int ii = 0; ii < m; ++ii) sum += act[ii] * wvt(b, i0 + ii);
            g(k, b) += sum;
          }
        }
      });
}

template <class Sigma>
void neuron_velocity(const DataView& z, const DataView& r, const TransposedView& ut, const TransposedView& vt,
                     const PointsView& out) {
  const int N = static_cast<int>(z.extent(0)), n = static_cast<int>(ut.extent(1));
  const int din = static_cast<int>(z.extent(1)), dout = static_cast<int>(r.extent(1));
  const double scale = -2.0 / static_cast<double>(N);
  const int chunks = (n + kChunk - 1) / kChunk;
  // One chunk of neurons per work item, a pass over all the data.
  Kokkos::parallel_for(
      "mf::mean_field::velocity", Kokkos::RangePolicy<ExecSpace>(0, chunks), KOKKOS_LAMBDA(const int c) {
        const int i0 = c * kChunk;
        const int m = n - i0 < kChunk ? n - i0 : kChunk;
        double acc[kMaxNeuronDim][kChunk];
        double s[kChunk], du[kChunk];
        for (int a = 0; a < din + dout; ++a)
          for (int ii = 0; ii < kChunk; ++ii) acc[a][ii] = 0.0;
        for (int k = 0; k < N; ++k) {
          for (int ii = 0; ii < m; ++ii) s[ii] = du[ii] = 0.0;
          for (int a = 0; a < din; ++a) {
            const double za = z(k, a);
#pragma omp simd
            for (int ii = 0; ii < m; ++ii) s[ii] += za * ut(a, i0 + ii);
          }
          for (int b = 0; b < dout; ++b) {
            const double rb = r(k, b);
#pragma omp simd
            for (int ii = 0; ii < m; ++ii) du[ii] += rb * vt(b, i0 + ii);
          }
#pragma omp simd
          for (int ii = 0; ii < m; ++ii) {
            du[ii] *= Sigma::slope(s[ii]);  // ⟨r_k, v⟩ σ'(s)
            s[ii] = Sigma::value(s[ii]);    // σ(s)
          }
          for (int a = 0; a < din; ++a) {
            const double za = z(k, a);
#pragma omp simd
            for (int ii = 0; ii < m; ++ii) acc[a][ii] += du[ii] * za;
          }
          for (int b = 0; b < dout; ++b) {
            const double rb = r(k, b);
#pragma omp simd
            for (int ii = 0; ii < m; ++ii) acc[din + b][ii] += s[ii] * rb;
          }
        }
        for (int ii = 0; ii < m; ++ii)
          for (int a = 0; a < din + dout; ++a) out(i0 + ii, a) = scale * acc[a][ii];
      });
}
}  // namespace

NetworkEvaluator::NetworkEvaluator(MPI_Comm comm, TrainingData data, Activation activation)
    : comm_(comm), data_(std::move(data)), activation_(activation) {
  if (data_.d_in + data_.d_out > kMaxNeuronDim)
    throw InputError("mean_field: the neuron space has dimension " + std::to_string(data_.d_in + data_.d_out) +
                     "; at most " + std::to_string(kMaxNeuronDim) + " is supported");
  residual_ = DataView("mf::mean_field::residual", data_.samples, data_.d_out);
}

double NetworkEvaluator::forward(const PointsView& neurons, const WeightsView& weights) {
  const std::size_t n = neurons.extent(0);
  if (ut_.extent(1) != n) {
    ut_ = TransposedView("mf::mean_field::neurons_u", data_.d_in, n);
    vt_ = TransposedView("mf::mean_field::neurons_v", data_.d_out, n);
    wvt_ = TransposedView("mf::mean_field::neurons_wv", data_.d_out, n);
  }
  transpose_neurons(neurons, weights, data_.d_in, ut_, vt_, wvt_);
  with_activation(activation_, [&](auto sigma) { partial_outputs<decltype(sigma)>(data_.z, ut_, wvt_, residual_); });
  Kokkos::fence();
  // The sum over all neurons: an Allreduce of the N × d' outputs (host copy; a no-op mirror on Serial).
  auto host = Kokkos::create_mirror_view(residual_);
  Kokkos::deep_copy(host, residual_);
  MPI_Allreduce(MPI_IN_PLACE, host.data(), static_cast<int>(host.size()), MPI_DOUBLE, MPI_SUM, comm_);
  Kokkos::deep_copy(residual_, host);
  auto r = residual_;
  auto y = data_.y;
  const int dout = data_.d_out;
  double sum = 0.0;
  Kokkos::parallel_reduce(
      "mf::mean_field::residual", Kokkos::RangePolicy<ExecSpace>(0, r.extent(0)),
      KOKKOS_LAMBDA(const int k, double& acc) {
        for (int b = 0; b < dout; ++b) {
          r(k, b) -= y(k, b);
          acc += r(k, b) * r(k, b);
        }
      },
      sum);
  return sum / static_cast<double>(data_.samples);
}

void NetworkEvaluator::velocity(const PointsView& neurons, const PointsView& out) const {
  // The transposed neurons of the last forward (the same neurons, as the contract says).
  with_activation(activation_, [&](auto sigma) { neuron_velocity<decltype(sigma)>(data_.z, residual_, ut_, vt_, out); });
  Kokkos::fence();
}

}  // namespace mf::mean_field
