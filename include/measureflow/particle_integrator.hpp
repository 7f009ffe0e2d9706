// Classical RK4 (and forward Euler) for particles moved by a prescribed field dx/dt = v(x, t).
#pragma once
#include "measureflow/particles.hpp"

namespace mf {

enum class ParticleIntegrator { RK4, Euler };
ParticleIntegrator parse_integrator(const std::string& s);  // "rk4" | "euler"

// One step of size dt from time t for every local particle. Field: component(axis, x[3], t).
template <class Field, class ExecSpace = Kokkos::DefaultExecutionSpace>
void advect_particles(ParticleSet& p, const Field& field, double t, double dt, ParticleIntegrator method) {
  auto x = p.positions;
  const int d = p.dim();
  const bool rk4 = method == ParticleIntegrator::RK4;
  Kokkos::parallel_for(
      "mf::particles::rk4", Kokkos::RangePolicy<ExecSpace>(0, p.size()), KOKKOS_LAMBDA(const int i) {
        double x0[3] = {0, 0, 0}, k[4][3] = {}, y[3] = {0, 0, 0};
        for (int a = 0; a < d; ++a) x0[a] = x(i, a);
        for (int a = 0; a < d; ++a) k[0][a] = field.component(a, x0, t);
        if (!rk4) {
          for (int a = 0; a < d; ++a) x(i, a) = x0[a] + dt * k[0][a];
          return;
        }
        const double c[3] = {0.5, 0.5, 1.0};
        for (int s = 1; s < 4; ++s) {
          for (int a = 0; a < d; ++a) y[a] = x0[a] + c[s - 1] * dt * k[s - 1][a];
          for (int a = 0; a < d; ++a) k[s][a] = field.component(a, y, t + c[s - 1] * dt);
        }
        for (int a = 0; a < d; ++a)
          x(i, a) = x0[a] + dt / 6.0 * (k[0][a] + 2.0 * k[1][a] + 2.0 * k[2][a] + k[3][a]);
      });
  Kokkos::fence();
}

// Particle systems whose velocity is evaluated for the whole set at once, each evaluation one collective
// call (attention over all tokens, a network's full-batch outputs, a flow-matching field of a data set):
// the stages are whole-set passes, not a per-particle loop as in advect_particles.

// y = x + h k on every row (y may be x).
template <class ExecSpace = Kokkos::DefaultExecutionSpace>
void points_axpy(const PointsView& y, const PointsView& x, double h, const PointsView& k) {
  const int d = static_cast<int>(x.extent(1));
  Kokkos::parallel_for(
      "mf::particles::stage_point", Kokkos::RangePolicy<ExecSpace>(0, x.extent(0)), KOKKOS_LAMBDA(const int i) {
        for (int a = 0; a < d; ++a) y(i, a) = x(i, a) + h * k(i, a);
      });
  Kokkos::fence();
}

// The work views of batch_rk4_step: four stage velocities and one stage point, n × d.
struct BatchRk4Work {
  PointsView k[4], stage;
  // Sized to n × d, also when n = 0: a rank that owns no particle still passes blocks of width d around the
  // ring of ranks in every stage evaluation.
  void fit(std::size_t n, int d) {
    if (k[0].extent(0) == n && k[0].extent(1) == static_cast<std::size_t>(d)) return;
    for (auto& v : k) v = PointsView("mf::particles::rk_stage_velocity", n, d);
    stage = PointsView("mf::particles::rk_stage_point", n, d);
  }
};

// One classical RK4 step of dx/dt = v(t, x) in place: velocity(t, at, out) evaluates the whole set `at`
// into `out`. Leaves the four stage velocities in k (for energies along the step).
template <class Velocity, class ExecSpace = Kokkos::DefaultExecutionSpace>
void batch_rk4_step(const PointsView& x, double t, double h, Velocity&& velocity, PointsView k[4],
                    const PointsView& stage) {
  velocity(t, x, k[0]);
  points_axpy<ExecSpace>(stage, x, 0.5 * h, k[0]);
  velocity(t + 0.5 * h, stage, k[1]);
  points_axpy<ExecSpace>(stage, x, 0.5 * h, k[1]);
  velocity(t + 0.5 * h, stage, k[2]);
  points_axpy<ExecSpace>(stage, x, h, k[2]);
  velocity(t + h, stage, k[3]);
  auto k0 = k[0], k1 = k[1], k2 = k[2], k3 = k[3];
  const int d = static_cast<int>(x.extent(1));
  Kokkos::parallel_for(
      "mf::particles::rk4_update", Kokkos::RangePolicy<ExecSpace>(0, x.extent(0)), KOKKOS_LAMBDA(const int i) {
        for (int a = 0; a < d; ++a) x(i, a) += h / 6.0 * (k0(i, a) + 2.0 * k1(i, a) + 2.0 * k2(i, a) + k3(i, a));
      });
  Kokkos::fence();
}

// One forward Euler step of the same system, x ← x + h v(t, x); k0 receives v.
template <class Velocity, class ExecSpace = Kokkos::DefaultExecutionSpace>
void batch_euler_step(const PointsView& x, double t, double h, Velocity&& velocity, const PointsView& k0) {
  velocity(t, x, k0);
  points_axpy<ExecSpace>(x, x, h, k0);
}

}  // namespace mf
