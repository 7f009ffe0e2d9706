#include "fields/field_on_faces.hpp"

#include "measureflow/errors.hpp"

namespace mf::fields {

namespace {
using ExecSpace = Kokkos::DefaultExecutionSpace;
}

FieldOnFaces::FieldOnFaces(const Grid& grid, const VelocityField& field) : grid_(grid), field_(field) {
  if (field.dim() != grid.dim())
    throw InputError("a velocity field of dimension " + std::to_string(field.dim()) + " cannot move a grid of dimension " +
                     std::to_string(grid.dim()));
}

void FieldOnFaces::build_points(const FaceVelocities& faces) {
  // Face centres in the faces' own (k, j, i) order, so values copy back with one index.
  const FaceGeometry geo = face_geometry(grid_);
  const int d = grid_.dim();
  for (int a = 0; a < d; ++a) {
    const auto& v = faces.v[a];
    const int nx = static_cast<int>(v.extent(2)), ny = static_cast<int>(v.extent(1)), nz = static_cast<int>(v.extent(0));
    points_[a] = FieldPoints("mf::fields::face_points", static_cast<std::size_t>(nx) * ny * nz, d);
    values_[a] = FieldPoints("mf::fields::face_values", static_cast<std::size_t>(nx) * ny * nz, d);
    auto p = points_[a];
    Kokkos::parallel_for(
        "mf::fields::face_centres", Kokkos::MDRangePolicy<ExecSpace, Kokkos::Rank<3>>({0, 0, 0}, {nz, ny, nx}),
        KOKKOS_LAMBDA(const int k, const int j, const int i) {
          double x[3];
          geo.centre(a, i, j, k, x);
          const std::size_t row = (static_cast<std::size_t>(k) * ny + j) * nx + i;
          for (int b = 0; b < d; ++b) p(row, b) = x[b];
        });
  }
  Kokkos::fence();
  built_ = true;
}

void FieldOnFaces::fill(double t, FaceVelocities& faces) {
  if (!built_) build_points(faces);
  for (int a = 0; a < grid_.dim(); ++a) {
    field_.evaluate(t, points_[a], values_[a]);
    auto v = faces.v[a];
    auto val = values_[a];
    const int nx = static_cast<int>(v.extent(2)), ny = static_cast<int>(v.extent(1)), nz = static_cast<int>(v.extent(0));
    Kokkos::parallel_for(
        "mf::fields::face_normal_component", Kokkos::MDRangePolicy<ExecSpace, Kokkos::Rank<3>>({0, 0, 0}, {nz, ny, nx}),
        KOKKOS_LAMBDA(const int k, const int j, const int i) {
          v(k, j, i) = val((static_cast<std::size_t>(k) * ny + j) * nx + i, a);
        });
  }
  Kokkos::fence();
}

FaceVelocityFill FieldOnFaces::as_fill() {
  return [this](double t, FaceVelocities& faces) { fill(t, faces); };
}

}  // namespace mf::fields
