#include "models/reconstruction/observed_path.hpp"

#include <cmath>
#include <string>

#include "measureflow/deposit_cic.hpp"
#include "measureflow/errors.hpp"
#include "measureflow/grid_field.hpp"
#include "measureflow/io/readers.hpp"
#include "measureflow/measures.hpp"
#include "models/continuity/affine_closed_form.hpp"

namespace mf::reconstruction {

namespace {

constexpr double kPi = 3.14159265358979323846;

// Density and ∂_t ρ = −ρ (tr A + ∇log ρ · (Ax + b)) of N(m, Σ) under v = Ax + b.
struct GaussianAt {
  int d;
  Vector m;
  Matrix inv;
  double norm;
  Matrix A;
  Vector b;
  double trA;
  double density(const double* x) const {
    return norm * std::exp(-0.5 * centred_quadratic_form(inv, m, x));
  }
  double dt_density(const double* x) const {
    double drift = 0;  // ∇log ρ · v = −(x − m)ᵀ Σ⁻¹ (A x + b)
    for (int i = 0; i < d; ++i) {
      double v = b[i];
      for (int j = 0; j < d; ++j) v += A(i, j) * x[j];
      double g = 0;
      for (int j = 0; j < d; ++j) g -= inv(i, j) * (x[j] - m[j]);
      drift += g * v;
    }
    return -density(x) * (trA + drift);
  }
};

GaussianAt gaussian_at(const ReconstructionConfig& c, double t) {
  const Moments mo = gaussian_path_moments(c, t);
  GaussianAt g{c.domain.dim, mo.mean, inverse(mo.cov), 0.0, c.A, c.b, trace(c.A)};
  g.norm = 1.0 / std::sqrt(std::pow(2 * kPi, g.d) * determinant(mo.cov));
  return g;
}

// Rank-local block of a natural-order array [nz][ny][nx] copied into a global vector.
void fill_from_natural(const Grid& grid, const std::vector<double>& natural, Vec out) {
  const IndexBox& o = grid.owned();
  const auto& n = grid.spec().cells;
  VecBlockWrite w(out, o);
  auto v = w.view();
  for (PetscInt k = 0; k < o.count[2]; ++k)
    for (PetscInt j = 0; j < o.count[1]; ++j)
      for (PetscInt i = 0; i < o.count[0]; ++i) {
        const size_t gi = static_cast<size_t>(o.start[0] + i), gj = static_cast<size_t>(o.start[1] + j),
                     gk = static_cast<size_t>(o.start[2] + k);
        v(k, j, i) = natural[(gk * n[1] + gj) * n[0] + gi];
      }
}

// Every snapshot of one file, in order: `read(s)` until it reports (InputError) that there is no snapshot s.
template <class Snapshot, class Read>
std::vector<Snapshot> every_snapshot(Read read) {
  std::vector<Snapshot> all;
  for (int s = 0;; ++s) {
    try {
      all.push_back(read(s));
    } catch (const InputError&) {
      break;
    }
  }
  return all;
}

// The snapshot of `all` at each of `times`, matched by its `time` attribute; `kind` names the snapshots
// ("density", "particle") in the error naming the file and the times it does have.
template <class Snapshot>
std::vector<const Snapshot*> snapshots_at(const std::vector<Snapshot>& all, const std::vector<double>& times,
                                          const std::string& file, const char* kind) {
  std::vector<const Snapshot*> out;
  for (double t : times) {
    const Snapshot* hit = nullptr;
    for (const auto& s : all)
      if (std::abs(s.time - t) <= 1e-9 * std::max(1.0, std::abs(t))) hit = &s;
    if (!hit) {
      std::string have;
      for (const auto& s : all) have += (have.empty() ? "" : ", ") + std::to_string(s.time);
      throw InputError(file + ": no " + kind + " snapshot at path.times value " + std::to_string(t) +
                       " (snapshot times: " + have + ")");
    }
    out.push_back(hit);
  }
  return out;
}

// ∂_t ρ at every observed time by the finite-difference stencil over the observed densities.
void add_time_derivatives(const Grid& grid, ObservedPath& p) {
  for (size_t k = 0; k < p.times.size(); ++k) {
    VecHandle d = grid.create_global();
    PetscCallThrow(VecSet(d, 0.0));
    for (const auto& [idx, w] : derivative_stencil(p.times, static_cast<int>(k)))
      PetscCallThrow(VecAXPY(d, w, p.density[idx]));
    p.dt_density.push_back(std::move(d));
  }
}

ObservedPath observe_run(const ReconstructionConfig& c, const Grid& grid) {
  ObservedPath p;
  p.times = c.times;
  const auto all = every_snapshot<io::GridSnapshot>([&](int s) { return io::read_grid_snapshot(c.file, s); });
  for (const io::GridSnapshot* hit : snapshots_at(all, c.times, c.file, "density")) {
    VecHandle v = grid.create_global();
    fill_from_natural(grid, hit->density, v);
    p.density.push_back(std::move(v));
  }
  add_time_derivatives(grid, p);
  return p;
}

// The point sets of path.files at path.times. One file holding several snapshots (a particles.h5 of a
// run): the snapshots whose `time` attribute matches each path.times value. Otherwise one file per time,
// each a point set (a particles.h5's last snapshot, or root `positions` [+ `weights`]).
std::vector<io::PointSet> read_snapshot_clouds(const ReconstructionConfig& c) {
  std::vector<io::PointSet> out;
  if (c.files.size() == c.times.size() && c.files.size() > 1) {
    for (const auto& f : c.files) out.push_back(io::read_point_set(f));
    return out;
  }
  if (c.files.size() != 1)
    throw InputError("path.files: give one particles.h5 holding the observed times, or one file per path.times entry (" +
                     std::to_string(c.times.size()) + "), not " + std::to_string(c.files.size()));
  const auto all = every_snapshot<io::PointSet>([&](int s) { return io::read_point_set(c.files[0], s); });
  for (const io::PointSet* hit : snapshots_at(all, c.times, c.files[0], "particle")) out.push_back(*hit);
  return out;
}

// This rank's id block of a point set as particles (ids = rows of the file), then sent to their owners.
ParticleSet particles_of(const io::PointSet& ps, const Grid& grid) {
  int rank = 0, size = 1;
  MPI_Comm_rank(grid.comm(), &rank);
  MPI_Comm_size(grid.comm(), &size);
  const std::int64_t n = static_cast<std::int64_t>(ps.weights.size());
  const IdRange r = id_block(n, rank, size);
  ParticleSet p(ps.dim, static_cast<std::size_t>(r.count));
  auto x = Kokkos::create_mirror_view(p.positions);
  auto w = Kokkos::create_mirror_view(p.weights);
  auto id = Kokkos::create_mirror_view(p.ids);
  for (std::int64_t i = 0; i < r.count; ++i) {
    const std::int64_t row = r.first + i;
    for (int a = 0; a < ps.dim; ++a) x(i, a) = ps.positions[static_cast<size_t>(row * ps.dim + a)];
    w(i) = ps.weights[static_cast<size_t>(row)];
    id(i) = row;
  }
  Kokkos::deep_copy(p.positions, x);
  Kokkos::deep_copy(p.weights, w);
  Kokkos::deep_copy(p.ids, id);
  migrate(p, grid);
  return p;
}

ObservedPath observe_snapshots(const ReconstructionConfig& c, const Grid& grid) {
  ObservedPath p;
  p.times = c.times;
  for (const io::PointSet& ps : read_snapshot_clouds(c)) {
    if (ps.dim != grid.dim())
      throw InputError("path.files: point set of dimension " + std::to_string(ps.dim) + " on a grid of dimension " +
                       std::to_string(grid.dim()));
    ParticleSet cloud = particles_of(ps, grid);
    VecHandle rho = grid.create_global();
    deposit_cic(grid, cloud, rho);
    p.density.push_back(std::move(rho));
    p.clouds.push_back(std::move(cloud));
  }
  add_time_derivatives(grid, p);
  return p;
}

ObservedPath observe_gaussian(const ReconstructionConfig& c, const Grid& grid) {
  ObservedPath p;
  p.times = c.times;
  for (double t : c.times) {
    const GaussianAt g = gaussian_at(c, t);
    VecHandle rho = grid.create_global(), drho = grid.create_global();
    fill_cell_averages(grid, [&](const double* x) { return g.density(x); }, rho);
    fill_cell_averages(grid, [&](const double* x) { return g.dt_density(x); }, drho);
    p.density.push_back(std::move(rho));
    p.dt_density.push_back(std::move(drho));
  }
  return p;
}

}  // namespace

PathType parse_path_type(const std::string& s) {
  if (s == "gaussian_linear") return PathType::GaussianLinear;
  if (s == "run") return PathType::Run;
  if (s == "snapshots") return PathType::Snapshots;
  throw std::invalid_argument("unknown path.type '" + s + "' (allowed: gaussian_linear, run, snapshots)");
}

std::vector<std::pair<int, double>> derivative_stencil(const std::vector<double>& t, int k) {
  const int n = static_cast<int>(t.size());
  if (n == 2) {
    const double h = t[1] - t[0];
    return {{0, -1.0 / h}, {1, 1.0 / h}};
  }
  if (k == 0) {
    const double h1 = t[1] - t[0], h2 = t[2] - t[1];
    return {{0, -(2 * h1 + h2) / (h1 * (h1 + h2))}, {1, (h1 + h2) / (h1 * h2)}, {2, -h1 / (h2 * (h1 + h2))}};
  }
  if (k == n - 1) {
    const double h1 = t[n - 1] - t[n - 2], h2 = t[n - 2] - t[n - 3];
    return {{n - 1, (2 * h1 + h2) / (h1 * (h1 + h2))}, {n - 2, -(h1 + h2) / (h1 * h2)}, {n - 3, h1 / (h2 * (h1 + h2))}};
  }
  const double h1 = t[k] - t[k - 1], h2 = t[k + 1] - t[k];
  return {{k - 1, -h2 / (h1 * (h1 + h2))}, {k, (h2 - h1) / (h1 * h2)}, {k + 1, h1 / (h2 * (h1 + h2))}};
}

Moments gaussian_path_moments(const ReconstructionConfig& c, double t) {
  const continuity::AffineMap map = continuity::affine_flow(c.A, c.b, t);
  Moments m;
  m.mean = map.E * c.initial.mean + map.c;
  m.cov = map.E * c.initial.cov * transpose(map.E);
  return m;
}

double gaussian_minimal_energy_rate(const ReconstructionConfig& c, double t) {
  const Moments mo = gaussian_path_moments(c, t);
  const Vector dm = c.A * mo.mean + c.b;
  const Matrix dS = c.A * mo.cov + mo.cov * transpose(c.A);
  // In the eigenbasis of Σ = Q D Qᵀ the Lyapunov equation is diagonal: L̃_ij = S̃′_ij / (d_i + d_j).
  const SymmetricEigen e = symmetric_eigen(mo.cov);
  const Matrix S = transpose(e.vectors) * dS * e.vectors;
  const int d = S.rows();
  double energy = dot(dm, dm);
  for (int i = 0; i < d; ++i)
    for (int j = 0; j < d; ++j) {
      const double l = S(i, j) / (e.values[i] + e.values[j]);
      energy += l * l * e.values[j];  // tr(L̃ D L̃) = Σ_ij L̃_ij² d_j
    }
  return energy;
}

double gaussian_minimal_energy(const ReconstructionConfig& c, double t0, double t1) {
  // 5-point Gauss–Legendre on 64 panels.
  static const double x[5] = {-0.9061798459386640, -0.5384693101056831, 0.0, 0.5384693101056831, 0.9061798459386640};
  static const double w[5] = {0.2369268850561891, 0.4786286704993665, 0.5688888888888889, 0.4786286704993665,
                              0.2369268850561891};
  const int panels = 64;
  const double h = (t1 - t0) / panels;
  double sum = 0;
  for (int p = 0; p < panels; ++p)
    for (int q = 0; q < 5; ++q) sum += 0.5 * h * w[q] * gaussian_minimal_energy_rate(c, t0 + h * (p + 0.5 + 0.5 * x[q]));
  return sum;
}

ObservedPath observe_path(const ReconstructionConfig& config, const Grid& grid) {
  switch (config.path) {
    case PathType::Run: return observe_run(config, grid);
    case PathType::Snapshots: return observe_snapshots(config, grid);
    case PathType::GaussianLinear: break;
  }
  return observe_gaussian(config, grid);
}

}  // namespace mf::reconstruction
