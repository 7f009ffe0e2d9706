// The two passes of one full-batch gradient evaluation of the mean-field network
//   g_α(z) = ∫ v σ(⟨z, u⟩) dα(u, v),   f(α) = (1/N) Σ_k |g_α(z_k) − y_k|²   (survey eq. 21)
// for neurons x_i = (u_i, v_i) with weights w_i spread over ranks: the outputs at the data (each rank
// sums its neurons, then one Allreduce of the N × d' array), and each neuron's velocity
//   −∇_{(u,v)} δf/δα(u, v) = −(2/N) Σ_k ( ⟨r_k, v⟩ σ'(⟨z_k, u⟩) z_k ,  r_k σ(⟨z_k, u⟩) ),  r_k = g(z_k) − y_k,
// locally (Kokkos kernels, templated on the execution space).
#pragma once
#include <mpi.h>

#include <Kokkos_Core.hpp>

#include "mean_field_config.hpp"
#include "measureflow/kokkos_math.hpp"
#include "measureflow/weighted_points.hpp"
#include "training_data.hpp"

namespace mf::mean_field {

struct ReluActivation {
  KOKKOS_INLINE_FUNCTION static double value(double s) { return s > 0.0 ? s : 0.0; }
  // The subgradient 0 at s = 0 (what autodiff frameworks use, so the benchmark peers agree).
  KOKKOS_INLINE_FUNCTION static double slope(double s) { return s > 0.0 ? 1.0 : 0.0; }
};
struct LinearActivation {
  KOKKOS_INLINE_FUNCTION static double value(double s) { return s; }
  KOKKOS_INLINE_FUNCTION static double slope(double) { return 1.0; }
};
struct TanhActivation {
  KOKKOS_INLINE_FUNCTION static double value(double s) { return kmath::tanh(s); }
  KOKKOS_INLINE_FUNCTION static double slope(double s) {
    const double t = kmath::tanh(s);
    return 1.0 - t * t;
  }
};

// Calls f with the activation functor of `a` (kernels are instantiated per activation).
template <class F>
void with_activation(Activation a, F&& f) {
  switch (a) {
    case Activation::Relu: f(ReluActivation{}); return;
    case Activation::Linear: f(LinearActivation{}); return;
    case Activation::Tanh: f(TanhActivation{}); return;
  }
}

// What the particle view needs of a risk: its value and the neurons' velocity −∇ δf/δα (collective).
class RiskModel {
 public:
  virtual ~RiskModel() = default;
  virtual double risk(const PointsView& neurons, const WeightsView& weights) = 0;
  // out(i, :) = −∇_{(u,v)} δf/δα at the local neuron i; returns the risk at the same neurons.
  virtual double velocity(const PointsView& neurons, const WeightsView& weights, const PointsView& out) = 0;
  virtual MPI_Comm comm() const = 0;
  virtual int input_dim() const = 0;  // d_in: the coordinates of u (bias included)
};

// The empirical risk over a finite training set.
class NetworkEvaluator : public RiskModel {
 public:
  NetworkEvaluator(MPI_Comm comm, TrainingData data, Activation activation);
  // Outputs at the data summed over the neurons of every rank (collective), then the residual r_k; returns
  // the risk (1/N) Σ_k |r_k|² (the same on every rank).
  double forward(const PointsView& neurons, const WeightsView& weights);
  // The velocity of each local neuron, from the residual of the last forward (call forward first, at
  // the same neurons). out: n_local × (d_in + d_out).
  void velocity(const PointsView& neurons, const PointsView& out) const;
  double risk(const PointsView& neurons, const WeightsView& weights) override { return forward(neurons, weights); }
  double velocity(const PointsView& neurons, const WeightsView& weights, const PointsView& out) override {
    const double f = forward(neurons, weights);
    velocity(neurons, out);
    return f;
  }
  int input_dim() const override { return data_.d_in; }
  const TrainingData& data() const { return data_; }
  Activation activation() const { return activation_; }
  MPI_Comm comm() const override { return comm_; }

 private:
  MPI_Comm comm_;
  TrainingData data_;
  Activation activation_;
  DataView residual_;  // N × d_out: g(z_k) − y_k after forward
  // The neurons of the last forward, coordinate-major (u, v and w·v): unit-stride loops over neurons.
  Kokkos::View<double**, Kokkos::LayoutRight> ut_, vt_, wvt_;
};

}  // namespace mf::mean_field
