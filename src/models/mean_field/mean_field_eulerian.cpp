#include "mean_field_eulerian.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "measureflow/grid_field.hpp"
#include "measureflow/measures.hpp"
#include "measureflow/petsc_check.hpp"

namespace mf::mean_field {

MeanFieldEulerian::MeanFieldEulerian(const GridSpec& spec, MPI_Comm comm, const Measure& initial,
                                     std::shared_ptr<RiskModel> risk, Limiter limiter, double cfl)
    : grid_(comm, spec, 2), density_(grid_.create_global()), saved_(grid_.create_global()), risk_(std::move(risk)),
      cfl_(cfl), cell_velocity_(grid_) {
  initial_grid_density(initial, grid_, density_);
  const std::size_t n = static_cast<std::size_t>(grid_.owned().size());
  // Cell centres in the Vec's order (x fastest): the neurons of the grid view, weighted by cell mass.
  centres_ = owned_cell_centres(grid_, "mf::mean_field::cell_centres");
  velocity_ = PointsView("mf::mean_field::cell_velocity", n, grid_.dim());
  mass_ = WeightsView("mf::mean_field::cell_mass", n);
  const CellCentredVelocity* v = &cell_velocity_;
  fv_ = std::make_unique<FvAdvection>(
      grid_, limiter, [v](double, FaceVelocities& faces) { v->fill_faces(faces, "mf::mean_field::face_average"); });
}

void MeanFieldEulerian::cell_masses(Vec rho) {
  VecBlockRead r(rho, grid_.owned());
  const double vol = grid_.cell_volume();
  auto m = Kokkos::create_mirror_view(mass_);
  for (std::size_t c = 0; c < m.extent(0); ++c) m(c) = std::max(r.data()[c], 0.0) * vol;
  Kokkos::deep_copy(mass_, m);
}

double MeanFieldEulerian::risk() {
  cell_masses(density_);
  return risk_->risk(centres_, mass_);
}

void MeanFieldEulerian::update_velocity(Vec rho) {
  cell_masses(rho);
  risk_->velocity(centres_, mass_, velocity_);
  cell_velocity_.set(velocity_);
  have_velocity_ = true;
}

double MeanFieldEulerian::stable_dt(double) {
  if (!have_velocity_) update_velocity(density_);
  const double rate = cell_velocity_.cfl_rate();
  return rate > 0.0 ? cfl_ / rate : std::numeric_limits<double>::infinity();
}

void MeanFieldEulerian::advance(double t, double dt) {
  const double end = t + dt;
  double s = t;
  while (s < end - 1e-14 * std::max(1.0, std::fabs(end))) {
    update_velocity(density_);
    const double rate = cell_velocity_.cfl_rate();
    // The midpoint field can be faster than the start field: keep a margin below the CFL bound.
    double h = end - s;
    if (rate > 0.0) h = std::min(h, 0.9 * cfl_ / rate);
    PetscCallThrow(VecCopy(density_, saved_));
    fv_->step(density_, s, 0.5 * h);
    update_velocity(density_);
    PetscCallThrow(VecCopy(saved_, density_));
    fv_->step(density_, s, h);
    s = (h == end - s) ? end : s + h;
  }
  have_velocity_ = false;
}

std::vector<std::pair<std::string, Vec>> MeanFieldEulerian::extra_fields() {
  const char* names[3] = {"velocity_x", "velocity_y", "velocity_z"};
  if (!have_velocity_) update_velocity(density_);
  std::vector<std::pair<std::string, Vec>> out;
  for (int a = 0; a < grid_.dim(); ++a) out.emplace_back(names[a], cell_velocity_.component(a));
  return out;
}

}  // namespace mf::mean_field
