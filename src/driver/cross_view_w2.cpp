#include "measureflow/cross_view_w2.hpp"

#include <algorithm>
#include <cmath>
#include <ctime>

#include "measureflow/cloud_sampling.hpp"
#include "measureflow/ot/multiscale_sinkhorn.hpp"
#include "measureflow/ot/quantile_w2_1d.hpp"

namespace mf {

namespace {

// Each cell's mass spread uniformly over the cell (the finite-volume density itself), each particle an atom.
std::vector<ot::Piece1d> pieces_1d(const ot::HostCloud& c, double half_width) {
  std::vector<ot::Piece1d> p(c.size());
  for (std::size_t i = 0; i < c.size(); ++i) p[i] = {c.positions[i] - half_width, c.positions[i] + half_width, c.weights[i]};
  return p;
}

// In 1D the quantile functions give W2 exactly, for every particle, in O(N log N): no ε, no bias, no
// marginal violation, and no reason to subsample. The grid is its piecewise-constant density, not atoms at
// the cell centres: atoms would add their own distance to that density, h/√12, which the entropic solve at
// ε = 2h² (√ε ≈ 1.4 h) never saw (translation_1d: 0.00125 with atoms, 0.00103 with cells, 0.00102 entropic,
// same 10⁴ particles), and which would then dominate the comparison. Every rank computes the same bits.
CrossW2 exact_1d(const Grid& grid, Vec density, const ParticleSet& particles) {
  const double t0 = MPI_Wtime();
  const std::clock_t c0 = std::clock();
  const ot::HostCloud cells = replicated_cells(grid, density);
  const ot::HostCloud parts = replicated_particles(particles, grid.comm(), std::max(1LL, global_count(particles, grid.comm())));
  CrossW2 c;
  c.w2 = std::sqrt(std::max(ot::w2_squared_quantile_1d(pieces_1d(cells, 0.5 * grid.h(0)), pieces_1d(parts, 0.0)), 0.0));
  c.points_eulerian = static_cast<long long>(cells.size());
  c.points_lagrangian = static_cast<long long>(parts.size());
  const double seconds = MPI_Wtime() - t0, cpu = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
  MPI_Allreduce(&seconds, &c.seconds, 1, MPI_DOUBLE, MPI_MAX, grid.comm());
  MPI_Allreduce(&cpu, &c.cpu_seconds, 1, MPI_DOUBLE, MPI_SUM, grid.comm());
  return c;
}

}  // namespace

CrossW2 cross_view_w2(const Grid& grid, Vec density, const ParticleSet& particles, double eps, long long max_particles) {
  if (grid.dim() == 1) return exact_1d(grid, density, particles);
  double h = 0.0;
  for (int a = 0; a < grid.dim(); ++a) h = std::max(h, grid.h(a));
  ot::MultiscaleOptions opt;
  opt.eps = eps > 0.0 ? eps : 2.0 * h * h;
  // Hold the kept pairs up to 4·10⁷ per rank (320 MB per kernel in single precision) rather than stream
  // them: at 10⁵ particles the 2ε stage keeps 3·10⁷ cross pairs, and streaming them (an exponential per pair
  // and sweep) was 80 % of the yardstick (docs/yardstick.md, "What it costs, honestly").
  opt.max_stored_pairs = 40000000;
  // The yardstick's accuracy is set by its bias estimate (a few % of the W2), not by the solver: the two
  // level-0 cross stages were 70–80 % of its time (docs/yardstick.md, "Where the time goes"). A dual value
  // moves by far less than the marginal violation (1e-3 moved the W2 by < 1 % of the bias estimate on every
  // traced 2D deck); θ = 10 drops at most e^{−10} = 4.5e-5 of a row, well inside that tolerance, with 0.7×
  // the pairs of θ = 20; ω = 1.7 roughly halved the sweeps of both stages against 1.5.
  opt.tol = 1e-3;
  opt.truncation = 10.0;
  opt.relaxation = 1.7;
  // ... and raised from there towards the optimum for the contraction each level-0 stage shows (Young's
  // relation): grid_relu_2d's stages contract by 0.98–0.995 per plain sweep, where 1.7 left 121 and 126 sweeps
  // (445 and 149 with all particles, after a drop to plain sweeps in the 2ε stage's transient); adapted, 78 and 93
  // (84 and 94), and the W2 nearer its fully converged value (docs/yardstick.md, "Adaptive over-relaxation").
  opt.adaptive_relaxation = true;
  // ... all the way to the estimated optimum in the sparse-kernel (2D) stages: at 0.95 of the way, shear_2d's ε
  // stage ran at ω = 1.722 with a contraction of 0.885 a sweep, where Young's relation gives 0.775 at its optimum
  // 1.775 (the contraction falls steeply just below the optimum and only as ω − 1 above it): 43 → 35 sweeps, and
  // grid_relu_2d's two stages 78/93 → 55/57 (docs/yardstick.md, "Kernel scans by runs, and ω at the optimum").
  opt.relaxation_toward_optimum = 1.0;
  // In 3D the cross kernel at 2ε (≈ 3500 pairs per particle, an exponential each, rebuilt per stage) was 70 %
  // of linear_3d's run: there the level-0 cross stages contract windows of the grid instead
  // (docs/yardstick.md, "A transform for the 3D cross kernel").
  opt.cross_transform = -1;
  // Those stages contract by 0.48 (2ε) and 0.68 (ε) a plain sweep on linear_3d: ω = 1.7 overshot them through a
  // long transient (11 and 15 sweeps, then plain ones); started at 1.3, near the optimum for those contractions,
  // they take 6 and 8 (docs/yardstick.md, "The 3D yardstick's seventh round").
  opt.transform_relaxation = 1.3;
  // Its figures are the dual values S_ε and S_2ε: the last plan's ⟨π, C⟩, an extra pass over the plan, is not
  // needed (docs/yardstick.md, "The 3D yardstick's eighth round").
  opt.plan_cost = false;
  // Kernel values in single precision: a third less memory per stored pair (the first build's page faults
  // and every sweep's reads); a value off by 2⁻²⁴ moves the W2 by far less than 1 % of its bias estimate
  // (docs/yardstick.md, "The fourth round").
  opt.single_precision_kernel = true;
  const ot::HostCloud cells = replicated_cells(grid, density);
  const ot::HostCloud parts = replicated_particles(particles, grid.comm(), max_particles);
  const ot::MultiscaleDivergence r = ot::multiscale_divergence(grid.comm(), cells, parts, grid_lattice(grid), opt);
  CrossW2 c;
  c.w2 = std::sqrt(std::max(r.divergence, 0.0));
  c.eps = r.eps;
  // The bias left at ε is at most |W(2ε) − W(ε)| when it shrinks at least linearly in ε (a third of it
  // when quadratically, as for smooth densities).
  c.bias_estimate = std::abs(std::sqrt(std::max(r.divergence_2eps, 0.0)) - c.w2);
  c.marginal_error = r.marginal_error;
  c.points_eulerian = static_cast<long long>(cells.size());
  c.points_lagrangian = static_cast<long long>(parts.size());
  c.seconds = r.seconds;
  c.cpu_seconds = r.cpu_seconds;
  return c;
}

void add_cross_w2_metrics(const CrossW2& r, Metrics& m) {
  m["cross.w2_eulerian_lagrangian"] = r.w2;
  m["cross.w2_eps"] = r.eps;
  m["cross.w2_bias_estimate"] = r.bias_estimate;
  m["cross.w2_marginal_error"] = r.marginal_error;
  m["cross.w2_points_eulerian"] = static_cast<double>(r.points_eulerian);
  m["cross.w2_points_lagrangian"] = static_cast<double>(r.points_lagrangian);
  m["cross.w2_seconds"] = r.seconds;
  m["cross.w2_cpu_seconds"] = r.cpu_seconds;
}

}  // namespace mf
