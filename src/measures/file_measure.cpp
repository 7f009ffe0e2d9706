// `initial.type: file`: a grid snapshot (fields.h5) or a particle set (particles.h5 or any HDF5 file
// with root `positions`) written by an earlier run, as a measure.
#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "measureflow/counter_rng.hpp"
#include "measureflow/deck.hpp"
#include "measureflow/deposit.hpp"
#include "measureflow/errors.hpp"
#include "measureflow/grid_field.hpp"
#include "measureflow/io/readers.hpp"
#include "measureflow/setup_from_deck.hpp"

namespace mf {

namespace {

// Piecewise-constant density of a stored grid snapshot; sampling by inverse CDF over cell masses.
class GridFileMeasure : public Measure {
 public:
  explicit GridFileMeasure(io::GridSnapshot snap) : snap_(std::move(snap)) {
    const int d = snap_.grid.dim;
    volume_ = 1.0;
    for (int a = 0; a < d; ++a) {
      h_[a] = (snap_.grid.upper[a] - snap_.grid.lower[a]) / static_cast<double>(snap_.grid.cells[a]);
      volume_ *= h_[a];
    }
    cumulative_.resize(snap_.density.size());
    double acc = 0.0;
    for (size_t i = 0; i < snap_.density.size(); ++i) {
      acc += std::max(snap_.density[i], 0.0) * volume_;
      cumulative_[i] = acc;
    }
    mass_ = acc;
  }
  int dim() const override { return snap_.grid.dim; }
  double mass() const override { return mass_; }
  double density(const double* x) const override {
    long long flat = 0, stride = 1;
    for (int a = 0; a < dim(); ++a) {
      const double s = (x[a] - snap_.grid.lower[a]) / h_[a];
      if (s < 0.0 || s >= static_cast<double>(snap_.grid.cells[a])) return 0.0;
      flat += static_cast<long long>(s) * stride;
      stride *= snap_.grid.cells[a];
    }
    return snap_.density[flat];
  }
  bool copy_onto(const Grid& grid, Vec out) const override {
    const GridSpec& g = grid.spec();
    if (g.dim != snap_.grid.dim) return false;
    for (int a = 0; a < g.dim; ++a)
      if (g.cells[a] != snap_.grid.cells[a] || g.lower[a] != snap_.grid.lower[a] || g.upper[a] != snap_.grid.upper[a])
        return false;
    const IndexBox& o = grid.owned();
    VecBlockWrite rho(out, o);
    for (PetscInt k = 0; k < o.count[2]; ++k)
      for (PetscInt j = 0; j < o.count[1]; ++j)
        for (PetscInt i = 0; i < o.count[0]; ++i) {
          const long long gi = o.start[0] + i, gj = o.start[1] + j, gk = o.start[2] + k;
          rho.view()(k, j, i) = snap_.density[gi + g.cells[0] * (gj + g.cells[1] * gk)];
        }
    return true;
  }
  void sample(std::uint64_t seed, std::int64_t id, double* out) const override {
    const CounterRng rng(seed, id);
    const double u = rng.uniform(0) * mass_;
    const size_t cell = std::min<size_t>(std::lower_bound(cumulative_.begin(), cumulative_.end(), u) - cumulative_.begin(),
                                         cumulative_.size() - 1);
    long long rem = static_cast<long long>(cell);
    for (int a = 0; a < dim(); ++a) {
      const long long i = rem % snap_.grid.cells[a];
      rem /= snap_.grid.cells[a];
      out[a] = snap_.grid.lower[a] + (static_cast<double>(i) + rng.uniform(1 + a)) * h_[a];
    }
  }

 private:
  io::GridSnapshot snap_;
  double h_[3] = {1, 1, 1};
  double volume_ = 1.0, mass_ = 0.0;
  std::vector<double> cumulative_;
};

// An empirical measure: sample id k is atom k when k < n (so `lagrangian.particles: n` reproduces the
// file), otherwise a counter-based draw in proportion to the weights.
class PointFileMeasure : public Measure {
 public:
  explicit PointFileMeasure(io::PointSet pts) : dim_(pts.dim) {
    atoms_.positions = std::move(pts.positions);
    atoms_.weights = std::move(pts.weights);
    double acc = 0.0;
    for (double w : atoms_.weights) cumulative_.push_back(acc += w);
    mass_ = acc;
  }
  int dim() const override { return dim_; }
  double mass() const override { return mass_; }
  double density(const double*) const override {
    throw std::logic_error("a particle-set measure has no density; use initial_grid_density");
  }
  const Atoms* atoms() const override { return &atoms_; }
  void sample(std::uint64_t seed, std::int64_t id, double* out) const override {
    const size_t n = atoms_.weights.size();
    size_t k = static_cast<size_t>(id);
    if (k >= n) {
      const double u = CounterRng(seed, id).uniform(0) * mass_;
      k = std::min<size_t>(std::lower_bound(cumulative_.begin(), cumulative_.end(), u) - cumulative_.begin(), n - 1);
    }
    for (int a = 0; a < dim_; ++a) out[a] = atoms_.positions[k * dim_ + a];
  }

 private:
  int dim_;
  Atoms atoms_;
  std::vector<double> cumulative_;
  double mass_ = 0.0;
};

}  // namespace

std::shared_ptr<const Measure> measure_from_deck(const Deck& deck, const std::string& section) {
  const MeasureSpec spec = measure_spec_from_deck(deck, section);
  if (spec.type != "file") return std::shared_ptr<const Measure>(make_measure(spec));
  const std::string key = section + ".path";
  std::shared_ptr<const Measure> m;
  // The readers name the file and the dataset; the deck file and key are added here.
  auto from_deck = [&](auto read) {
    try {
      return read();
    } catch (const InputError& e) {
      throw InputError(deck.path() + ": key '" + key + "': " + e.what());
    }
  };
  if (io::has_grid_snapshots(spec.path))
    m = std::make_shared<GridFileMeasure>(from_deck([&] { return io::read_grid_snapshot(spec.path, spec.snapshot); }));
  else if (io::has_particle_data(spec.path))
    m = std::make_shared<PointFileMeasure>(from_deck([&] { return io::read_point_set(spec.path, spec.snapshot); }));
  else
    throw InputError(deck.path() + ": key '" + key + "': " + spec.path +
                     " holds neither grid snapshots (snapshots/*/density) nor a point set (positions)");
  if (m->dim() != spec.dim)
    throw InputError(deck.path() + ": key '" + key + "': " + spec.path + " is " + std::to_string(m->dim()) +
                     "-dimensional, domain.dim is " + std::to_string(spec.dim));
  return m;
}

}  // namespace mf
