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
      cfl_(cfl) {
  initial_grid_density(initial, grid_, density_);
  const IndexBox& o = grid_.owned();
  const int d = grid_.dim();
  const std::size_t n = static_cast<std::size_t>(o.size());
  // Cell centres in the Vec's order (x fastest): the neurons of the grid view, weighted by cell mass.
  centres_ = PointsView("mf::mean_field::cell_centres", n, d);
  velocity_ = PointsView("mf::mean_field::cell_velocity", n, d);
  mass_ = WeightsView("mf::mean_field::cell_mass", n);
  auto c_host = Kokkos::create_mirror_view(centres_);
  std::size_t c = 0;
  for (PetscInt k = 0; k < o.count[2]; ++k)
    for (PetscInt j = 0; j < o.count[1]; ++j)
      for (PetscInt i = 0; i < o.count[0]; ++i, ++c) {
        const PetscInt idx[3] = {o.start[0] + i, o.start[1] + j, o.start[2] + k};
        for (int a = 0; a < d; ++a) c_host(c, a) = grid_.center(a, idx[a]);
      }
  Kokkos::deep_copy(centres_, c_host);
  for (int a = 0; a < d; ++a) {
    cell_v_[a] = grid_.create_global();
    cell_v_local_[a] = grid_.create_local();
  }
  const MeanFieldEulerian* self = this;
  fv_ = std::make_unique<FvAdvection>(grid_, limiter, [self](double, FaceVelocities& faces) { self->fill_faces(faces); });
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
  auto v_host = Kokkos::create_mirror_view(velocity_);
  Kokkos::deep_copy(v_host, velocity_);
  const IndexBox& o = grid_.owned();
  for (int a = 0; a < grid_.dim(); ++a) {
    {
      VecBlockWrite v(cell_v_[a], o);
      for (std::size_t c = 0; c < v_host.extent(0); ++c) v.data()[c] = v_host(c, a);
    }
    PetscCallThrow(DMGlobalToLocalBegin(grid_.dm(), cell_v_[a], INSERT_VALUES, cell_v_local_[a]));
    PetscCallThrow(DMGlobalToLocalEnd(grid_.dm(), cell_v_[a], INSERT_VALUES, cell_v_local_[a]));
  }
  have_velocity_ = true;
}

void MeanFieldEulerian::fill_faces(FaceVelocities& faces) const {
  const IndexBox& o = grid_.owned();
  const IndexBox& g = grid_.ghosted();
  const bool periodic = grid_.periodic();
  for (int a = 0; a < grid_.dim(); ++a) {
    VecBlockRead vl(cell_v_local_[a], g);
    const auto& u = vl.view();
    auto v = faces.v[a];
    const int off[3] = {static_cast<int>(o.start[0] - g.start[0]), static_cast<int>(o.start[1] - g.start[1]),
                        static_cast<int>(o.start[2] - g.start[2])};
    const PetscInt start_a = o.start[a], n_axis = grid_.spec().cells[a];
    // Face value = mean of the two cell-centre values beside it (second order); walls carry nothing.
    Kokkos::parallel_for(
        "mf::mean_field::face_average",
        Kokkos::MDRangePolicy<Kokkos::DefaultHostExecutionSpace, Kokkos::Rank<3>>({0, 0, 0},
                                                                                  {v.extent(0), v.extent(1), v.extent(2)}),
        [=](const int k, const int j, const int i) {
          const int idx[3] = {i, j, k};
          const PetscInt gface = start_a + idx[a];
          if (!periodic && (gface == 0 || gface == n_axis)) {
            v(k, j, i) = 0.0;
            return;
          }
          int hi[3] = {i + off[0], j + off[1], k + off[2]};
          int lo[3] = {hi[0], hi[1], hi[2]};
          lo[a] -= 1;
          v(k, j, i) = 0.5 * (u(lo[2], lo[1], lo[0]) + u(hi[2], hi[1], hi[0]));
        });
  }
}

double MeanFieldEulerian::cfl_rate() const {
  auto v_host = Kokkos::create_mirror_view(velocity_);
  Kokkos::deep_copy(v_host, velocity_);
  double rate = 0.0;
  for (int a = 0; a < grid_.dim(); ++a) {
    double vmax = 0.0, global = 0.0;
    for (std::size_t c = 0; c < v_host.extent(0); ++c) vmax = std::max(vmax, std::fabs(v_host(c, a)));
    MPI_Allreduce(&vmax, &global, 1, MPI_DOUBLE, MPI_MAX, grid_.comm());
    rate += global / grid_.h(a);
  }
  return rate;
}

double MeanFieldEulerian::stable_dt(double) {
  if (!have_velocity_) update_velocity(density_);
  const double rate = cfl_rate();
  return rate > 0.0 ? cfl_ / rate : std::numeric_limits<double>::infinity();
}

void MeanFieldEulerian::advance(double t, double dt) {
  const double end = t + dt;
  double s = t;
  while (s < end - 1e-14 * std::max(1.0, std::fabs(end))) {
    update_velocity(density_);
    const double rate = cfl_rate();
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
  for (int a = 0; a < grid_.dim(); ++a) out.emplace_back(names[a], cell_v_[a].get());
  return out;
}

}  // namespace mf::mean_field
