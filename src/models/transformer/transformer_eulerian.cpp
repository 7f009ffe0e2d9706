#include <algorithm>
#include <cmath>
#include <limits>

#include "measureflow/grid_field.hpp"
#include "measureflow/measures.hpp"
#include "transformer_views.hpp"

namespace mf::transformer {

TransformerEulerian::TransformerEulerian(const GridSpec& spec, MPI_Comm comm, const Measure& initial,
                                         std::vector<AttentionLayer> layers, AttentionOptions opt, Limiter limiter,
                                         double cfl)
    : grid_(comm, spec, 2),
      density_(grid_.create_global()),
      saved_(grid_.create_global()),
      layers_(std::move(layers)),
      opt_(opt),
      cfl_(cfl),
      cell_velocity_(grid_) {
  initial_grid_density(initial, grid_, density_);
  const std::size_t n = static_cast<std::size_t>(grid_.owned().size());
  // Cell centres are the quadrature nodes and the evaluation points at once (x fastest, as the Vec).
  centres_ = owned_cell_centres(grid_, "cell_centres");
  gamma_ = TokenView("cell_gamma", n, grid_.dim());
  mass_ = ScalarView("cell_mass", n);
  const CellCentredVelocity* v = &cell_velocity_;
  fv_ = std::make_unique<FvAdvection>(
      grid_, limiter, [v](double, FaceVelocities& faces) { v->fill_faces(faces, "mf::transformer::face_average"); });
}

void TransformerEulerian::update_velocity(double t, Vec rho) {
  const IndexBox& o = grid_.owned();
  {
    VecBlockRead r(rho, o);
    const double vol = grid_.cell_volume();
    for (std::size_t c = 0; c < mass_.extent(0); ++c) mass_(c) = std::max(r.data()[c], 0.0) * vol;
  }
  self_attention(grid_.comm(), layer_at(layers_, t), opt_, centres_, mass_, gamma_);
  cell_velocity_.set(gamma_);
  have_velocity_ = true;
}

double TransformerEulerian::stable_dt(double t) {
  if (!have_velocity_) update_velocity(t, density_);
  const double rate = cell_velocity_.cfl_rate();
  return rate > 0.0 ? cfl_ / rate : std::numeric_limits<double>::infinity();
}

void TransformerEulerian::advance(double t, double dt) {
  const double end = t + dt;
  double s = t;
  while (s < end - 1e-14 * std::max(1.0, std::fabs(end))) {
    update_velocity(s, density_);
    const double rate = cell_velocity_.cfl_rate();
    // The midpoint field can be faster than the start field: keep a margin below the CFL bound.
    double h = std::min(end - s, next_layer_change(layers_, s) - s);
    if (rate > 0.0) h = std::min(h, 0.9 * cfl_ / rate);
    PetscCallThrow(VecCopy(density_, saved_));
    fv_->step(density_, s, 0.5 * h);
    update_velocity(s + 0.5 * h, density_);
    PetscCallThrow(VecCopy(saved_, density_));
    fv_->step(density_, s, h);
    s = (h == end - s) ? end : s + h;
  }
  have_velocity_ = false;
  last_t_ = end;
}

std::vector<std::pair<std::string, Vec>> TransformerEulerian::extra_fields() {
  std::vector<std::pair<std::string, Vec>> out;
  const char* names[3] = {"attention_x", "attention_y", "attention_z"};
  if (!have_velocity_) update_velocity(last_t_, density_);
  for (int a = 0; a < grid_.dim(); ++a) out.emplace_back(names[a], cell_velocity_.component(a));
  return out;
}

void TransformerEulerian::restore_state(const ViewStateReader& in) {
  trajectory_.restore(in);
  // As after advance(): Γ is recomputed from the (restored) density when next needed.
  have_velocity_ = false;
  last_t_ = in.time();
}

}  // namespace mf::transformer
