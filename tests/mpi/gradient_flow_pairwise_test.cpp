// lagrangian.method = pairwise: the blob forces summed over all pairs by the ring of ranks equal the
// cell-list + halo ones (method blob) to round-off, on every rank count, and so do whole runs.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "gradient_flow_fixtures.hpp"
#include "measureflow/environment.hpp"
#include "models/gradient_flow/blob_pairwise.hpp"
#include "models/gradient_flow/gradient_flow_model.hpp"

using namespace mf;
using namespace mf::gradient_flow;

namespace {

double global_max(double v) {
  double g = 0.0;
  MPI_Allreduce(&v, &g, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
  return g;
}

// max_i |v_blob − v_pairwise| / max_i |v_blob| over every particle on every rank.
double relative_difference(const GradientFlowConfig& c) {
  auto measure = make_measure(c.initial);
  const Grid grid(MPI_COMM_WORLD, c.domain, 1);
  const ParticleSet p = lattice_particles(*measure, c.domain, c.particles, grid);
  const int d = p.dim();
  const LocalEnergy e = make_local_energy(c.energy);
  const Mollifier phi = make_mollifier(d, 4.0 * lattice_spacing(c.domain, c.particles));
  PointsView a("cells", p.size(), d), b("pairs", p.size(), d);
  const BlobStats st = blob_velocities(p, grid, e, phi, 0.0, a);
  const double rho_max = blob_velocities_pairwise(p, MPI_COMM_WORLD, e, phi, b);
  EXPECT_NEAR(rho_max, st.max_rho_delta, 1e-13 * st.max_rho_delta);
  auto ha = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), a);
  auto hb = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), b);
  double diff = 0.0, scale = 0.0;
  for (std::size_t i = 0; i < p.size(); ++i)
    for (int k = 0; k < d; ++k) {
      diff = std::max(diff, std::abs(ha(i, k) - hb(i, k)));
      scale = std::max(scale, std::abs(ha(i, k)));
    }
  return global_max(diff) / global_max(scale);
}

}  // namespace

TEST(GradientFlowPairwise, SameBlobForcesAsCellListsOnAnyRankCount) {
  auto porous2 = mf::testing::gf_config(2, 1.5, 16);
  mf::testing::set_barenblatt(porous2, 2.0, 0.05);
  porous2.particles = 2500;
  auto porous3 = porous2;
  mf::testing::set_barenblatt(porous3, 3.0, 0.05);
  porous3.energy.potential = Potential::Quadratic;  // −∇V enters both the same way
  auto heat = mf::testing::gf_config(1, 3.0, 60);
  mf::testing::set_gaussian(heat, {0.1}, Matrix(1, 1, 0.05));
  heat.particles = 600;
  for (const auto* c : {&porous2, &porous3, &heat}) {
    const double rel = relative_difference(*c);
    if (mf::world_rank() == 0) std::printf("pairwise vs cell lists (dim %d): max relative difference %.2e\n", c->domain.dim, rel);
    EXPECT_LT(rel, 1e-13);
  }
}

TEST(GradientFlowPairwise, WholeRunMatchesTheBlobMethod) {
  auto c = mf::testing::gf_config(2, 1.5, 24);
  mf::testing::set_barenblatt(c, 2.0, 0.05);
  c.particles = 2500;
  c.dt = 0.01;
  c.eulerian_enabled = false;
  Metrics m[2];
  for (int k = 0; k < 2; ++k) {
    c.method = k == 0 ? ParticleMethod::Blob : ParticleMethod::Pairwise;
    auto model = build_gradient_flow_model(c, MPI_COMM_WORLD);
    model->lagrangian->advance(0.0, 0.05);
    model->add_metrics(0.05, m[k]);
  }
  if (mf::world_rank() == 0)
    std::printf("blob L1 %.12e, pairwise L1 %.12e\n", m[0].at("lagrangian.l1_error"), m[1].at("lagrangian.l1_error"));
  EXPECT_NEAR(m[1].at("lagrangian.l1_error"), m[0].at("lagrangian.l1_error"), 1e-10 * m[0].at("lagrangian.l1_error"));
  EXPECT_EQ(m[1].at("lagrangian.halo_particles"), 0.0);  // no halo: all pairs
}
