#include "network_kernels.hpp"

#include <string>

#include "measureflow/errors.hpp"

namespace mf::mean_field {

namespace {
using ExecSpace = Kokkos::DefaultExecutionSpace;
// Local per-neuron accumulators in the velocity kernel (domain.dim ≤ 64 bounds d_in + d_out).
constexpr int kMaxNeuronDim = 64;

template <class Sigma>
void partial_outputs(const DataView& z, const PointsView& x, const WeightsView& w, const DataView& g) {
  const int n = static_cast<int>(x.extent(0));
  const int din = static_cast<int>(z.extent(1)), dout = static_cast<int>(g.extent(1));
  // One data point per work item: it owns its output row, so there is no race.
  Kokkos::parallel_for(
      "mf::mean_field::forward", Kokkos::RangePolicy<ExecSpace>(0, z.extent(0)), KOKKOS_LAMBDA(const int k) {
        for (int b = 0; b < dout; ++b) g(k, b) = 0.0;
        for (int i = 0; i < n; ++i) {
          double s = 0.0;
          for (int a = 0; a < din; ++a) s += z(k, a) * x(i, a);
          const double act = w(i) * Sigma::value(s);
          for (int b = 0; b < dout; ++b) g(k, b) += act * x(i, din + b);
        }
      });
}

template <class Sigma>
void neuron_velocity(const DataView& z, const DataView& r, const PointsView& x, const PointsView& out) {
  const int N = static_cast<int>(z.extent(0));
  const int din = static_cast<int>(z.extent(1)), dout = static_cast<int>(r.extent(1));
  const double scale = -2.0 / static_cast<double>(N);
  Kokkos::parallel_for(
      "mf::mean_field::velocity", Kokkos::RangePolicy<ExecSpace>(0, x.extent(0)), KOKKOS_LAMBDA(const int i) {
        double acc[kMaxNeuronDim];
        for (int a = 0; a < din + dout; ++a) acc[a] = 0.0;
        for (int k = 0; k < N; ++k) {
          double s = 0.0, rv = 0.0;
          for (int a = 0; a < din; ++a) s += z(k, a) * x(i, a);
          for (int b = 0; b < dout; ++b) rv += r(k, b) * x(i, din + b);
          const double du = rv * Sigma::slope(s), act = Sigma::value(s);
          for (int a = 0; a < din; ++a) acc[a] += du * z(k, a);
          for (int b = 0; b < dout; ++b) acc[din + b] += act * r(k, b);
        }
        for (int a = 0; a < din + dout; ++a) out(i, a) = scale * acc[a];
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
  with_activation(activation_, [&](auto sigma) {
    partial_outputs<decltype(sigma)>(data_.z, neurons, weights, residual_);
  });
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
  with_activation(activation_, [&](auto sigma) {
    neuron_velocity<decltype(sigma)>(data_.z, residual_, neurons, out);
  });
  Kokkos::fence();
}

}  // namespace mf::mean_field
