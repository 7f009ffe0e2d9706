#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "measureflow/measures.hpp"
#include "measureflow/moments.hpp"
#include "measureflow/particle_sampling.hpp"
#include "transformer_views.hpp"

namespace mf::transformer {

ParticleSet sample_tokens(MPI_Comm comm, const Measure& measure, long long total, std::uint64_t seed,
                          const Moments* match) {
  ParticleSet p = sample_id_block(comm, measure, total, seed);
  const int d = measure.dim();
  if (match) {
    // x ← m* + L* L̂⁻¹ (x − m̂): the empirical mean and covariance become exactly m*, Σ*.
    const Moments got = compute_moments(comm, p.as_points());
    const Matrix T = cholesky(match->cov) * inverse(cholesky(got.cov));
    for (std::size_t i = 0; i < p.size(); ++i) {
      Vector y(d);
      for (int a = 0; a < d; ++a) y[a] = p.positions(i, a) - got.mean[a];
      const Vector z = T * y;
      for (int a = 0; a < d; ++a) p.positions(i, a) = match->mean[a] + z[a];
    }
  }
  return p;
}

TransformerLagrangian::TransformerLagrangian(MPI_Comm comm, ParticleSet tokens, std::vector<AttentionLayer> layers,
                                             AttentionOptions opt, ParticleIntegrator integrator, double substep_dt,
                                             const Grid* decomposition)
    : comm_(comm),
      tokens_(std::move(tokens)),
      layers_(std::move(layers)),
      opt_(opt),
      integrator_(integrator),
      substep_dt_(substep_dt),
      decomposition_(decomposition) {}

double TransformerLagrangian::stable_dt(double) {
  return substep_dt_ > 0.0 ? substep_dt_ : std::numeric_limits<double>::infinity();
}

void TransformerLagrangian::velocity(double t, const TokenView& out, ScalarView entropy) {
  self_attention(comm_, layer_at(layers_, t), opt_, tokens_.positions, tokens_.weights, out, entropy);
}

double TransformerLagrangian::attention_entropy(double t) {
  TokenView g("attention_gamma", tokens_.size(), tokens_.dim());
  ScalarView e("attention_entropy", tokens_.size());
  velocity(t, g, e);
  return mean_attention_entropy(comm_, e, tokens_.weights);
}

void TransformerLagrangian::step(double t, double h, const AttentionLayer& layer) {
  rk_.fit(tokens_.size(), tokens_.dim());
  auto w = tokens_.weights;
  // Every stage is a full all-pairs evaluation: the field depends on where all tokens are. One layer per
  // step (steps never straddle a layer change), so the stage times are not needed.
  auto velocity = [&](double, const TokenView& at, const TokenView& k) { self_attention(comm_, layer, opt_, at, w, k); };
  if (integrator_ == ParticleIntegrator::Euler)
    batch_euler_step(tokens_.positions, t, h, velocity, rk_.k[0]);
  else
    batch_rk4_step(tokens_.positions, t, h, velocity, rk_.k, rk_.stage);
}

void TransformerLagrangian::advance(double t, double dt) {
  const double end = t + dt;
  double s = t;
  // Steps never straddle a layer change (the field is discontinuous in depth there).
  while (s < end - 1e-14 * std::max(1.0, std::fabs(end))) {
    const double seg_end = std::min(end, next_layer_change(layers_, s));
    const double len = seg_end - s;
    const int n = substep_dt_ > 0.0 ? std::max(1, static_cast<int>(std::ceil(len / substep_dt_ * (1.0 - 1e-12)))) : 1;
    const double h = len / n;
    const AttentionLayer& layer = layer_at(layers_, s);
    for (int k = 0; k < n; ++k) step(s + k * h, h, layer);
    s = seg_end;
  }
  if (decomposition_) migrate(tokens_, *decomposition_);
}

double TransformerLagrangian::mean_pairwise_inner_product() const {
  const int d = tokens_.dim();
  std::vector<double> loc(d + 2, 0.0), glob(d + 2);
  for (std::size_t i = 0; i < tokens_.size(); ++i) {
    for (int a = 0; a < d; ++a) {
      loc[a] += tokens_.positions(i, a);
      loc[d] += tokens_.positions(i, a) * tokens_.positions(i, a);
    }
    loc[d + 1] += 1.0;
  }
  MPI_Allreduce(loc.data(), glob.data(), d + 2, MPI_DOUBLE, MPI_SUM, comm_);
  double s2 = 0.0;
  for (int a = 0; a < d; ++a) s2 += glob[a] * glob[a];
  const double n = glob[d + 1];
  return n > 1.0 ? (s2 - glob[d]) / (n * (n - 1.0)) : 0.0;
}

long long count_clusters(MPI_Comm comm, const ParticleSet& p, double radius, long long max_tokens) {
  int rank = 0, size = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  const long long total = global_count(p, comm);
  if (total > max_tokens) return -1;
  const int d = p.dim();
  const int row = d + 1;
  std::vector<double> mine(p.size() * row);
  for (std::size_t i = 0; i < p.size(); ++i) {
    mine[i * row] = static_cast<double>(p.ids(i));
    for (int a = 0; a < d; ++a) mine[i * row + 1 + a] = p.positions(i, a);
  }
  int n = static_cast<int>(mine.size());
  std::vector<int> counts(size), offs(size, 0);
  MPI_Gather(&n, 1, MPI_INT, counts.data(), 1, MPI_INT, 0, comm);
  for (int r = 1; r < size; ++r) offs[r] = offs[r - 1] + counts[r - 1];
  std::vector<double> all(rank == 0 ? offs[size - 1] + counts[size - 1] : 0);
  MPI_Gatherv(mine.data(), n, MPI_DOUBLE, all.data(), counts.data(), offs.data(), MPI_DOUBLE, 0, comm);
  long long clusters = 0;
  if (rank == 0) {
    const std::size_t m = all.size() / row;
    std::vector<std::size_t> order(m);
    for (std::size_t i = 0; i < m; ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return all[a * row] < all[b * row]; });
    std::vector<std::size_t> leaders;
    const double r2 = radius * radius;
    for (std::size_t i : order) {
      bool joined = false;
      for (std::size_t l : leaders) {
        double dist = 0.0;
        for (int a = 0; a < d && dist <= r2; ++a) {
          const double diff = all[i * row + 1 + a] - all[l * row + 1 + a];
          dist += diff * diff;
        }
        if (dist <= r2) {
          joined = true;
          break;
        }
      }
      if (!joined) leaders.push_back(i);
    }
    clusters = static_cast<long long>(leaders.size());
  }
  MPI_Bcast(&clusters, 1, MPI_LONG_LONG, 0, comm);
  return clusters;
}

}  // namespace mf::transformer
