#include "blob_method.hpp"

#include <cmath>

#include "measureflow/grid_field.hpp"
#include "measureflow/halo.hpp"

namespace mf::gradient_flow {

namespace {

using ExecSpace = Kokkos::DefaultExecutionSpace;

// Local particles followed by the halo copies, as one source set for the cell list.
struct Sources {
  PointsView x;
  WeightsView w;
};

Sources concatenate(const ParticleSet& p, const Halo& h) {
  const int d = p.dim();
  const int nl = static_cast<int>(p.size()), nh = static_cast<int>(h.size());
  Sources s{PointsView("blob_sources", nl + nh, d), WeightsView("blob_source_weights", nl + nh)};
  auto px = p.positions, hx = h.positions;
  auto pw = p.weights, hw = h.weights;
  auto sx = s.x;
  auto sw = s.w;
  Kokkos::parallel_for(
      "mf::gradient_flow::blob_concatenate", Kokkos::RangePolicy<ExecSpace>(0, nl + nh), KOKKOS_LAMBDA(const int i) {
        for (int a = 0; a < d; ++a) sx(i, a) = i < nl ? px(i, a) : hx(i - nl, a);
        sw(i) = i < nl ? pw(i) : hw(i - nl);
      });
  return s;
}

// ρ_δ(y_i) = Σ_j w_j φ_δ(y_i − x_j) over the sources near each target point.
template <class Space = ExecSpace>
void density_at(PointsView targets, const Sources& s, const CellList& cl, const Mollifier& phi, WeightsView out) {
  const int d = phi.dim;
  auto sx = s.x;
  auto sw = s.w;
  Kokkos::parallel_for(
      "mf::gradient_flow::blob_density", Kokkos::RangePolicy<Space>(0, targets.extent(0)), KOKKOS_LAMBDA(const int i) {
        double y[3] = {0, 0, 0};
        for (int a = 0; a < d; ++a) y[a] = targets(i, a);
        double acc = 0.0;
        cl.for_each_neighbour(y, [&](const int j) {
          double r2 = 0.0;
          for (int a = 0; a < d; ++a) r2 += (y[a] - sx(j, a)) * (y[a] - sx(j, a));
          acc += sw(j) * phi.value(r2);
        });
        out(i) = acc;
      });
}

}  // namespace

Mollifier make_mollifier(int dim, double delta) {
  Mollifier m;
  m.dim = dim;
  m.delta = delta;
  m.inv_delta = 1.0 / delta;
  const double c = dim == 1 ? 1.5 : (dim == 2 ? 7.0 / M_PI : 21.0 / (2.0 * M_PI));
  m.norm = c / std::pow(delta, dim);
  return m;
}

BlobStats blob_velocities(const ParticleSet& p, const Grid& grid, const LocalEnergy& e, const Mollifier& phi,
                          double reach, PointsView v) {
  const int d = p.dim();
  const int nl = static_cast<int>(p.size());
  // Pass 1: ρ_δ at the local particles from local + halo sources.
  const Halo halo = exchange_halo(p, grid, phi.delta + reach);
  const Sources src = concatenate(p, halo);
  const CellList cl = build_cell_list(src.x, d, phi.delta);
  WeightsView rho("blob_rho_local", nl);
  density_at(p.positions, src, cl, phi, rho);
  // Pass 2: F'(ρ_δ) of every source; the halo copies get theirs from their owners.
  Kokkos::View<double*> dF("mf::gradient_flow::blob_dF", src.x.extent(0));
  const auto halo_rho = halo_values(halo, rho);
  Kokkos::parallel_for(
      "mf::gradient_flow::blob_dF", Kokkos::RangePolicy<ExecSpace>(0, src.x.extent(0)), KOKKOS_LAMBDA(const int i) {
        dF(i) = blob_dF(e, i < nl ? rho(i) : halo_rho(i - nl));
      });
  auto x = p.positions;
  auto sx = src.x;
  auto sw = src.w;
  Kokkos::parallel_for(
      "mf::gradient_flow::blob_velocity", Kokkos::RangePolicy<ExecSpace>(0, nl), KOKKOS_LAMBDA(const int i) {
        double y[3] = {0, 0, 0}, acc[3] = {0, 0, 0};
        for (int a = 0; a < d; ++a) y[a] = x(i, a);
        const double fi = dF(i);
        cl.for_each_neighbour(y, [&](const int j) {
          double r2 = 0.0;
          for (int a = 0; a < d; ++a) r2 += (y[a] - sx(j, a)) * (y[a] - sx(j, a));
          const double g = sw(j) * phi.gradient_factor(r2) * (fi + dF(j));
          for (int a = 0; a < d; ++a) acc[a] += g * (y[a] - sx(j, a));
        });
        for (int a = 0; a < d; ++a) v(i, a) = -e.dV(y, a) - acc[a];
      });
  BlobStats st;
  double local_max = 0.0;
  Kokkos::parallel_reduce(
      "mf::gradient_flow::blob_rho_max", Kokkos::RangePolicy<ExecSpace>(0, nl),
      KOKKOS_LAMBDA(const int i, double& m) { m = rho(i) > m ? rho(i) : m; }, Kokkos::Max<double>(local_max));
  MPI_Allreduce(&local_max, &st.max_rho_delta, 1, MPI_DOUBLE, MPI_MAX, grid.comm());
  long long nh = static_cast<long long>(halo.size());
  MPI_Allreduce(&nh, &st.halo_particles, 1, MPI_LONG_LONG, MPI_SUM, grid.comm());
  return st;
}

void blob_velocities_all_pairs(PointsView x, WeightsView w, int d, const LocalEnergy& e, const Mollifier& phi,
                               PointsView v) {
  const int n = static_cast<int>(x.extent(0));
  Kokkos::View<double*> dF("blob_dF_all", n);
  Kokkos::parallel_for(
      "mf::gradient_flow::blob_density_all_pairs", Kokkos::RangePolicy<ExecSpace>(0, n), KOKKOS_LAMBDA(const int i) {
        double acc = 0.0;
        for (int j = 0; j < n; ++j) {
          double r2 = 0.0;
          for (int a = 0; a < d; ++a) r2 += (x(i, a) - x(j, a)) * (x(i, a) - x(j, a));
          acc += w(j) * phi.value(r2);
        }
        dF(i) = blob_dF(e, acc);
      });
  Kokkos::parallel_for(
      "mf::gradient_flow::blob_velocity_all_pairs", Kokkos::RangePolicy<ExecSpace>(0, n), KOKKOS_LAMBDA(const int i) {
        double y[3] = {0, 0, 0}, acc[3] = {0, 0, 0};
        for (int a = 0; a < d; ++a) y[a] = x(i, a);
        for (int j = 0; j < n; ++j) {
          double r2 = 0.0;
          for (int a = 0; a < d; ++a) r2 += (y[a] - x(j, a)) * (y[a] - x(j, a));
          const double g = w(j) * phi.gradient_factor(r2) * (dF(i) + dF(j));
          for (int a = 0; a < d; ++a) acc[a] += g * (y[a] - x(j, a));
        }
        for (int a = 0; a < d; ++a) v(i, a) = -e.dV(y, a) - acc[a];
      });
}

void blob_density_on_grid(const Grid& grid, const ParticleSet& p, const Mollifier& phi, Vec out) {
  const int d = p.dim();
  const Halo halo = exchange_halo(p, grid, phi.delta);
  const Sources src = concatenate(p, halo);
  const CellList cl = build_cell_list(src.x, d, phi.delta);
  const IndexBox& ob = grid.owned();
  PointsView centres("blob_grid_centres", ob.size(), d);
  auto hc = Kokkos::create_mirror_view(centres);
  for (PetscInt k = 0, c = 0; k < ob.count[2]; ++k)
    for (PetscInt j = 0; j < ob.count[1]; ++j)
      for (PetscInt i = 0; i < ob.count[0]; ++i, ++c) {
        const PetscInt idx[3] = {ob.start[0] + i, ob.start[1] + j, ob.start[2] + k};
        for (int a = 0; a < d; ++a) hc(c, a) = grid.center(a, idx[a]);
      }
  Kokkos::deep_copy(centres, hc);
  WeightsView rho("blob_grid_rho", ob.size());
  density_at(centres, src, cl, phi, rho);
  auto hr = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), rho);
  VecBlockWrite o(out, ob);
  for (PetscInt c = 0; c < ob.size(); ++c) o.data()[c] = hr(c);
}

}  // namespace mf::gradient_flow
