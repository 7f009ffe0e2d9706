// The neuron density on a grid in (u, v) (neuron spaces of dimension ≤ 3, e.g. d = d' = 1): the cell
// centres are the quadrature nodes of the network g_ρ(z) = Σ_cells m_c v_c σ(⟨z, u_c⟩) (each rank sums
// its cells, then the same Allreduce as for particles) and the evaluation points of the velocity, which
// is averaged to the faces and transported by the project's MUSCL/SSP-RK3 FvAdvection (explicit midpoint
// in the coupling: the velocity from ρⁿ, a half step, the velocity from ρ^{n+½}, the full step).
#pragma once
#include <memory>

#include "measureflow/cell_centred_velocity.hpp"
#include "measureflow/fv_advection.hpp"
#include "measureflow/model.hpp"
#include "measureflow/petsc_handle.hpp"
#include "network_kernels.hpp"

namespace mf::mean_field {

class MeanFieldEulerian : public EulerianView {
 public:
  MeanFieldEulerian(const GridSpec& spec, MPI_Comm comm, const Measure& initial, std::shared_ptr<RiskModel> risk,
                    Limiter limiter, double cfl);
  const Grid& grid() const override { return grid_; }
  Vec density() const override { return density_; }
  double stable_dt(double t) override;
  void advance(double t, double dt) override;
  std::vector<std::pair<std::string, Vec>> extra_fields() override;
  // The risk f(ρ_h) by the midpoint rule over the cells (collective).
  double risk();
  // Restart: the density is the whole state (the velocity is recomputed from it).
  RestartSupport restart_support() const override { return RestartSupport::yes(); }
  void restore_state(const ViewStateReader&) override { have_velocity_ = false; }

 private:
  void cell_masses(Vec rho);
  void update_velocity(Vec rho);  // at cell centres, then to the ghosted local vectors
  Grid grid_;
  VecHandle density_, saved_;
  std::shared_ptr<RiskModel> risk_;
  double cfl_;
  PointsView centres_, velocity_;
  WeightsView mass_;
  CellCentredVelocity cell_velocity_;  // −∇δf at the centres → the transport's face velocities
  std::unique_ptr<FvAdvection> fv_;
  bool have_velocity_ = false;
};

}  // namespace mf::mean_field
