#include "population_risk.hpp"

#include <cmath>

#include "measureflow/ring_exchange.hpp"

namespace mf::mean_field {

namespace {
using ExecSpace = Kokkos::DefaultExecutionSpace;
constexpr int kMaxNeuronDim = 64;
constexpr double kPi = 3.141592653589793;

// Adds w' K(u, u') and w' ∇_u K(u, u') (the kernel and its gradient) for u' = b[0..d).
KOKKOS_INLINE_FUNCTION void kernel_and_gradient(const double* u, double nu, const double* b, int d, double& K,
                                                double* gradK) {
  double nb = 0.0, ub = 0.0;
  for (int a = 0; a < d; ++a) {
    nb += b[a] * b[a];
    ub += u[a] * b[a];
  }
  nb = kmath::sqrt(nb);
  if (nb <= 0.0) {
    K = 0.0;
    for (int a = 0; a < d; ++a) gradK[a] = 0.0;
    return;
  }
  // At u = 0 the gradient depends on the direction of approach; θ = π/2 (its average) is used.
  double c = nu > 0.0 ? ub / (nu * nb) : 0.0;
  c = c > 1.0 ? 1.0 : (c < -1.0 ? -1.0 : c);
  const double theta = kmath::acos(c), s = kmath::sqrt(1.0 - c * c);
  K = nu * nb * (s + (kPi - theta) * c) / (2.0 * kPi);
  const double su = nu > 0.0 ? nb * s / nu : 0.0;
  for (int a = 0; a < d; ++a) gradK[a] = ((kPi - theta) * b[a] + su * u[a]) / (2.0 * kPi);
}
}  // namespace

PopulationReluRisk::PopulationReluRisk(MPI_Comm comm, Matrix teacher, int outputs)
    : comm_(comm), dim_(teacher.cols()), outputs_(outputs) {
  const int m = teacher.rows();
  teacher_ = Kokkos::View<double**, Kokkos::LayoutRight>("mf::mean_field::teacher", m, dim_);
  auto h = Kokkos::create_mirror_view(teacher_);
  for (int j = 0; j < m; ++j)
    for (int a = 0; a < dim_; ++a) h(j, a) = teacher(j, a);
  Kokkos::deep_copy(teacher_, h);
  for (int j = 0; j < m; ++j)
    for (int l = 0; l < m; ++l) {
      double nj = 0, nl = 0, jl = 0;
      for (int a = 0; a < dim_; ++a) {
        nj += teacher(j, a) * teacher(j, a);
        nl += teacher(l, a) * teacher(l, a);
        jl += teacher(j, a) * teacher(l, a);
      }
      teacher_energy_ += outputs_ * relu_kernel(std::sqrt(nj), std::sqrt(nl), jl);
    }
}

double PopulationReluRisk::risk(const PointsView& neurons, const WeightsView& weights) {
  return evaluate(neurons, weights, PointsView(), false);
}

double PopulationReluRisk::velocity(const PointsView& neurons, const WeightsView& weights, const PointsView& out) {
  return evaluate(neurons, weights, out, true);
}

double PopulationReluRisk::evaluate(const PointsView& x, const WeightsView& w, const PointsView& out, bool want) {
  const int d = dim_, dout = outputs_, D = d + dout;
  const int nl = static_cast<int>(x.extent(0));
  // grad(i, :) accumulates ∇_{(u,v)} δf/δα / 2 at the local neurons; energy(i) = Σ_j w_j ⟨v_i, v_j⟩ K(u_i, u_j).
  Kokkos::View<double**, Kokkos::LayoutRight> grad("mf::mean_field::population_grad", nl, D);
  Kokkos::View<double*> energy("mf::mean_field::population_energy", nl);
  // The travelling block: positions then the weight.
  Kokkos::View<double**, Kokkos::LayoutRight> local("mf::mean_field::population_block", nl, D + 1);
  Kokkos::parallel_for(
      "mf::mean_field::pack_block", Kokkos::RangePolicy<ExecSpace>(0, nl), KOKKOS_LAMBDA(const int i) {
        for (int a = 0; a < D; ++a) local(i, a) = x(i, a);
        local(i, D) = w(i);
      });
  Kokkos::fence();
  ring_visit(comm_, local, [&](const decltype(local)& block, int m, int) {
    Kokkos::parallel_for(
        "mf::mean_field::population_pairs", Kokkos::RangePolicy<ExecSpace>(0, nl), KOKKOS_LAMBDA(const int i) {
          double u[kMaxNeuronDim], b[kMaxNeuronDim], gK[kMaxNeuronDim];
          double nu = 0.0;
          for (int a = 0; a < d; ++a) {
            u[a] = x(i, a);
            nu += u[a] * u[a];
          }
          nu = kmath::sqrt(nu);
          for (int j = 0; j < m; ++j) {
            for (int a = 0; a < d; ++a) b[a] = block(j, a);
            double K = 0.0;
            kernel_and_gradient(u, nu, b, d, K, gK);
            double vv = 0.0;
            for (int c = 0; c < dout; ++c) vv += x(i, d + c) * block(j, d + c);
            const double wj = block(j, D);
            energy(i) += wj * vv * K;
            for (int a = 0; a < d; ++a) grad(i, a) += wj * vv * gK[a];
            for (int c = 0; c < dout; ++c) grad(i, d + c) += wj * K * block(j, d + c);
          }
        });
    Kokkos::fence();
  });
  // The teacher: −Σ_j ⟨v, 1⟩ K(u, w_j) in δf/δα / 2.
  auto teacher = teacher_;
  const int mt = static_cast<int>(teacher.extent(0));
  // energy(i) becomes the neuron's share of the risk: Σ_j w_j⟨v_i, v_j⟩K(u_i, u_j) − 2 Σ_j ⟨v_i, 1⟩K(u_i, w_j).
  Kokkos::parallel_for(
      "mf::mean_field::population_teacher", Kokkos::RangePolicy<ExecSpace>(0, nl), KOKKOS_LAMBDA(const int i) {
        double u[kMaxNeuronDim], b[kMaxNeuronDim], gK[kMaxNeuronDim];
        double nu = 0.0, v1 = 0.0;
        for (int a = 0; a < d; ++a) {
          u[a] = x(i, a);
          nu += u[a] * u[a];
        }
        nu = kmath::sqrt(nu);
        for (int c = 0; c < dout; ++c) v1 += x(i, d + c);
        double t = 0.0;
        for (int j = 0; j < mt; ++j) {
          for (int a = 0; a < d; ++a) b[a] = teacher(j, a);
          double K = 0.0;
          kernel_and_gradient(u, nu, b, d, K, gK);
          t += K;
          for (int a = 0; a < d; ++a) grad(i, a) -= v1 * gK[a];
        }
        for (int c = 0; c < dout; ++c) grad(i, d + c) -= t;
        energy(i) -= 2.0 * v1 * t;
      });
  double sum = 0.0;
  Kokkos::parallel_reduce(
      "mf::mean_field::population_risk", Kokkos::RangePolicy<ExecSpace>(0, nl),
      KOKKOS_LAMBDA(const int i, double& acc) { acc += w(i) * energy(i); }, sum);
  MPI_Allreduce(MPI_IN_PLACE, &sum, 1, MPI_DOUBLE, MPI_SUM, comm_);
  if (want) {
    Kokkos::parallel_for(
        "mf::mean_field::population_velocity", Kokkos::RangePolicy<ExecSpace>(0, nl), KOKKOS_LAMBDA(const int i) {
          for (int a = 0; a < D; ++a) out(i, a) = -2.0 * grad(i, a);
        });
    Kokkos::fence();
  }
  return sum + teacher_energy_;
}

}  // namespace mf::mean_field
