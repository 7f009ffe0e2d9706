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

}  // namespace mf
