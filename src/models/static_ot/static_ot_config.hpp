// Plain configuration of the static_ot model: one field per deck key (key path in comments). Tests
// build it directly, without a deck.
#pragma once
#include <cstdint>
#include <memory>

#include "measureflow/grid.hpp"
#include "measureflow/measures.hpp"

namespace mf::static_ot {

// solver.method: which Sinkhorn solves both views (docs/static_ot.md, "Solvers").
enum class StaticMethod { Auto, Dense, Multiscale };

// The dense solver visits every pair once per sweep (n² work): above this many points it would run for
// hours, so the deck refuses it. The multiscale one visits the pairs of small reduced cost only, O(n) per
// sweep; its limit is what was measured to run in minutes and a few GB (512² cells; docs/static_ot.md).
constexpr long long kMaxDensePoints = 65536;
constexpr long long kMaxMultiscalePoints = 262144;
// solver.method auto: dense up to this many points per cloud (the shipped decks' 48² and their tests
// keep their numbers), multiscale above, where it is the faster (measured crossover in docs/static_ot.md).
constexpr long long kAutoDenseMaxPoints = 4096;
// solver.max_stored_pairs: the multiscale kernel's pairs stored per rank and orientation (12 bytes each, both
// orientations stored: at most 2.4 GB a rank). Above it a stage's kernel is recomputed every sweep, ~5x slower
// per sweep. 10⁸ holds the first level-0 stage of the 512² limit at ε = h² on one rank (~358 pairs a row,
// 9.4·10⁷): the limit deck then stores on every rank count, where the model's former 2·10⁷ streamed it for
// thousands of sweeps (docs/static_ot.md, "512² in minutes").
constexpr long long kDefaultMaxStoredPairs = 100000000;

struct StaticOtConfig {
  GridSpec domain;                          // domain.{dim, lower, upper, cells, boundary}
  std::shared_ptr<const Measure> initial;   // initial: α (any measure type, `file` included)
  std::shared_ptr<const Measure> target;    // target:  β (the same schema)
  double eps = 0.0;                         // solver.eps: ε in length² (0: h² of the grid's coarsest axis)
  double tolerance = 1e-6;                  // solver.tolerance: L1 marginal violation of the final plan
  int max_iterations = 20000;               // solver.max_iterations: Sinkhorn sweeps, all ε stages together
  StaticMethod method = StaticMethod::Auto; // solver.method: auto | dense | multiscale
  long long max_stored_pairs = kDefaultMaxStoredPairs;  // solver.max_stored_pairs (multiscale only)
  bool eulerian_enabled = true;             // eulerian.enabled: the grid view (cells as a weighted cloud)
  bool lagrangian_enabled = true;           // lagrangian.enabled: the particle view (samples of α and β)
  long long particles = 2000;               // lagrangian.particles: samples of each measure
  std::uint64_t seed = 42;                  // lagrangian.seed: α's sample stream
  // β's sample stream. The deck gives seed + 1 (independent of α's); a test may give the same stream to
  // draw β as an exact transform of α's samples (the translation case).
  std::uint64_t target_seed = 43;
};

// The ε both views solve at: solver.eps, or h² of the grid's coarsest axis when it is 0 (the grid
// resolves nothing finer, so a blur of one cell is the smallest ε the Eulerian view can mean).
double resolved_eps(const StaticOtConfig& config);

}  // namespace mf::static_ot
