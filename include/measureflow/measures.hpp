// Initial (and target) measures: densities to fill a grid and counter-based samplers for particles.
// Types follow the pinned deck schema `initial.type`: gaussian, mixture, uniform_box, uniform_ball,
// bump, barenblatt, file.
#pragma once
#include <petscvec.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "measureflow/grid.hpp"
#include "measureflow/moments.hpp"
#include "measureflow/small_matrix.hpp"

namespace mf {

struct GaussianComponent {
  double weight = 1.0;
  Vector mean;
  Matrix cov;
};

// Plain description of a measure, filled from a deck section (see measure_from_deck.hpp).
struct MeasureSpec {
  std::string type;
  int dim = 1;
  Vector mean;                               // gaussian, bump
  Matrix cov;                                // gaussian
  std::vector<GaussianComponent> components; // mixture
  Vector lower, upper;                       // uniform_box
  Vector center;                             // uniform_ball, barenblatt
  double radius = 0.0;                       // uniform_ball
  Matrix shape;                              // bump: density ∝ (1 − (x−m)ᵀS⁻¹(x−m))₊^power
  double power = 1.0;                        // bump
  double m = 2.0, t0 = 0.1;                  // barenblatt (unit mass)
  std::string path;                          // file (resolved)
  int snapshot = -1;                         // file
};

class Measure {
 public:
  virtual ~Measure() = default;
  virtual int dim() const = 0;
  // Probability density at x (integrates to 1 over R^d). For `file` measures: the stored density.
  virtual double density(const double* x) const = 0;
  // Sample number `id` of the stream `seed`, written to out[0..dim). Pure function of (seed, id).
  virtual void sample(std::uint64_t seed, std::int64_t id, double* out) const = 0;
  // Exact mean and covariance, when known in closed form.
  virtual std::optional<Moments> exact_moments() const { return std::nullopt; }
  // True for a Gaussian (the closed-form views need it).
  virtual bool is_gaussian() const { return false; }
  // Total mass (1 for the analytic measures; what the file holds for `file`).
  virtual double mass() const { return 1.0; }
  // An empirical measure (a particle file) has atoms instead of a density: n points, row-major n×dim,
  // and their weights. nullptr for measures with a density.
  struct Atoms {
    std::vector<double> positions, weights;
  };
  virtual const Atoms* atoms() const { return nullptr; }
  // Writes cell values directly when the measure is itself a density on exactly this grid (a stored
  // snapshot of the same grid), so a continued run starts from the stored numbers bit for bit.
  virtual bool copy_onto(const Grid& grid, Vec out) const { return false; }
};

// The grid density of a measure: cell averages of its density, or the CIC deposit of its atoms.
void initial_grid_density(const Measure& measure, const Grid& grid, Vec out);

// Builds the measure for every type but `file` (see file_measure.hpp).
std::unique_ptr<Measure> make_measure(const MeasureSpec& spec);

// Barenblatt profile of ∂ρ = Δρ^m at time t (unit mass), d = 1, 2, 3.
struct Barenblatt {
  int dim;
  double m;
  double alpha, beta, k, C;
  Barenblatt(int dim, double m);
  double density(double t, const double* x_minus_center) const;
  double support_radius(double t) const;
};

// Cell averages of a density over the cells of a rank's block, by tensor Gauss–Legendre quadrature
// with q points per axis (q = 4: exact for polynomials of degree 7 per axis).
void fill_cell_averages(const Grid& grid, const std::function<double(const double*)>& density, Vec out, int q = 4);

}  // namespace mf
