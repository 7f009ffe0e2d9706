#include "blob_pairwise.hpp"

#include "measureflow/ring_pairs.hpp"

namespace mf::gradient_flow {

namespace {

using ExecSpace = Kokkos::DefaultExecutionSpace;

// Ring pair functors: φ_δ(z) into the first component (a scalar sum carried in a d-vector), and ∇φ_δ(z).
struct MollifierValue {
  Mollifier phi;
  int dim;
  KOKKOS_INLINE_FUNCTION void operator()(const double* z, double* g) const {
    double r2 = 0.0;
    for (int a = 0; a < dim; ++a) r2 += z[a] * z[a];
    g[0] += phi.value(r2);
  }
};
struct MollifierGradient {
  Mollifier phi;
  int dim;
  KOKKOS_INLINE_FUNCTION void operator()(const double* z, double* g) const {
    double r2 = 0.0;
    for (int a = 0; a < dim; ++a) r2 += z[a] * z[a];
    const double f = phi.gradient_factor(r2);
    for (int a = 0; a < dim; ++a) g[a] += f * z[a];
  }
};

}  // namespace

double blob_velocities_pairwise(const ParticleSet& p, MPI_Comm comm, const LocalEnergy& e, const Mollifier& phi,
                                PointsView v) {
  const int d = p.dim();
  const int nl = static_cast<int>(p.size());
  // Pass 1: ρ_δ(x_i) = Σ_j w_j φ_δ(x_i − x_j).
  PointsView rho("pairwise_rho", nl, d);
  ring_pair_sum(p, comm, MollifierValue{phi, d}, rho);
  // The pair term w_j ∇φ_δ(x_i − x_j)[F'_i + F'_j] splits into F'_i Σ_j w_j ∇φ_δ and Σ_j (w_j F'_j) ∇φ_δ:
  // two ring sums, the second over the same positions carrying weights w_j F'(ρ_δ(x_j)).
  ParticleSet scaled(d, 0);
  scaled.positions = p.positions;
  scaled.ids = p.ids;
  scaled.weights = WeightsView("pairwise_wdF", nl);
  Kokkos::View<double*> dF("pairwise_dF", nl);
  auto w = p.weights;
  auto sw = scaled.weights;
  Kokkos::parallel_for(
      "mf::gradient_flow::blob_pairwise_dF", Kokkos::RangePolicy<ExecSpace>(0, nl), KOKKOS_LAMBDA(const int i) {
        dF(i) = blob_dF(e, rho(i, 0));
        sw(i) = w(i) * dF(i);
      });
  PointsView g1("pairwise_grad", nl, d), g2("pairwise_grad_dF", nl, d);
  ring_pair_sum(p, comm, MollifierGradient{phi, d}, g1);
  ring_pair_sum(scaled, comm, MollifierGradient{phi, d}, g2);
  auto x = p.positions;
  Kokkos::parallel_for(
      "mf::gradient_flow::blob_pairwise_velocity", Kokkos::RangePolicy<ExecSpace>(0, nl), KOKKOS_LAMBDA(const int i) {
        double y[3] = {0, 0, 0};
        for (int a = 0; a < d; ++a) y[a] = x(i, a);
        for (int a = 0; a < d; ++a) v(i, a) = -e.dV(y, a) - (dF(i) * g1(i, a) + g2(i, a));
      });
  double local_max = 0.0, global_max = 0.0;
  Kokkos::parallel_reduce(
      "mf::gradient_flow::blob_pairwise_rho_max", Kokkos::RangePolicy<ExecSpace>(0, nl),
      KOKKOS_LAMBDA(const int i, double& m) { m = rho(i, 0) > m ? rho(i, 0) : m; }, Kokkos::Max<double>(local_max));
  MPI_Allreduce(&local_max, &global_max, 1, MPI_DOUBLE, MPI_MAX, comm);
  return global_max;
}

}  // namespace mf::gradient_flow
