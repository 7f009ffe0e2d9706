#include "fields/reconstruction/snapshot_displacement.hpp"

#include <stdexcept>

#include "measureflow/grid_field.hpp"
#include "measureflow/kokkos_math.hpp"
#include "measureflow/ring_exchange.hpp"
#include "measureflow/streaming_softmax.hpp"

namespace mf::fields {

namespace {

using ExecSpace = Kokkos::DefaultExecutionSpace;

// The Gaussian kernel as the entropic-OT score with zero potentials (s_ij = log a_j − |z_i − m_j|²/ε,
// ε = 2σ²), whose softmax values are the columns stored after the score columns [m, log a, 0].
struct MomentScore : SquaredDistanceScore {
  KOKKOS_INLINE_FUNCTION double value(const int j, const int k) const { return y(j, dim + 2 + k); }
};

double sum_all(MPI_Comm comm, double v) {
  double out = 0.0;
  MPI_Allreduce(&v, &out, 1, MPI_DOUBLE, MPI_SUM, comm);
  return out;
}

}  // namespace

DisplacementSamples displacement_samples(MPI_Comm comm, const WeightedPoints& from, const WeightedPoints& to,
                                         double dt, const ot::SinkhornOptions& opt) {
  if (!(dt > 0.0)) throw std::invalid_argument("displacement_samples: the time step must be positive");
  const ot::SinkhornResult r = ot::sinkhorn(comm, from, to, opt);
  const PointsView target = ot::barycentric_projection(comm, from, to, r, opt.eps);
  const int d = from.dim;
  const size_t n = from.local_size();
  DisplacementSamples s;
  s.origins = from;
  s.targets = target;
  s.midpoints.dim = d;
  s.midpoints.positions = PointsView("mf::reconstruction::midpoints", n, d);
  s.midpoints.weights = from.weights;
  s.velocity = PointsView("mf::reconstruction::sample_velocity", n, d);
  s.sinkhorn_iterations = r.iterations;
  s.converged = r.converged;
  const PointsView x = from.positions, m = s.midpoints.positions, u = s.velocity;
  const WeightsView w = from.weights;
  double energy = 0.0, mass = 0.0;
  Kokkos::parallel_reduce(
      "mf::reconstruction::displacement", Kokkos::RangePolicy<ExecSpace>(0, n),
      KOKKOS_LAMBDA(const int i, double& e, double& a) {
        double sq = 0.0;
        for (int k = 0; k < d; ++k) {
          const double disp = target(i, k) - x(i, k);
          m(i, k) = x(i, k) + 0.5 * disp;
          u(i, k) = disp / dt;
          sq += u(i, k) * u(i, k);
        }
        e += w(i) * sq;
        a += w(i);
      },
      energy, mass);
  s.energy_rate = sum_all(comm, energy) / sum_all(comm, mass);
  return s;
}

DisplacementSamples at_fraction(const DisplacementSamples& s, double theta) {
  DisplacementSamples out = s;
  const int d = s.origins.dim;
  const size_t n = s.origins.local_size();
  out.midpoints.positions = PointsView("mf::reconstruction::interpolated", n, d);
  const PointsView x = s.origins.positions, t = s.targets, m = out.midpoints.positions;
  Kokkos::parallel_for(
      "mf::reconstruction::interpolate_samples", Kokkos::RangePolicy<ExecSpace>(0, n), KOKKOS_LAMBDA(const int i) {
        for (int k = 0; k < d; ++k) m(i, k) = x(i, k) + theta * (t(i, k) - x(i, k));
      });
  Kokkos::fence();
  return out;
}

void regress_velocity(MPI_Comm comm, const DisplacementSamples& s, double bandwidth, const PointsView& targets,
                      const PointsView& out) {
  if (!(bandwidth > 0.0)) throw std::invalid_argument("regress_velocity: the bandwidth must be positive");
  const int d = s.midpoints.dim;
  if (d > 3) throw std::invalid_argument("regress_velocity: at most 3 dimensions");
  const int ns = static_cast<int>(s.midpoints.local_size());
  const int nt = static_cast<int>(targets.extent(0));
  // The kernel-weighted moments of a local-linear fit: values [m, u, m⊗m, m⊗u] after the score columns
  // [m, log a, 0]. Targets: [z, unused, unused] (the score reads the first d columns).
  const int nv = 2 * d + 2 * d * d;
  PointBlock src("mf::reconstruction::regression_sources", ns, d + 2 + nv);
  PointBlock tgt("mf::reconstruction::regression_targets", nt, d + 2);
  const PointsView m = s.midpoints.positions, u = s.velocity;
  const WeightsView w = s.midpoints.weights;
  Kokkos::parallel_for(
      "mf::reconstruction::pack_samples", Kokkos::RangePolicy<ExecSpace>(0, ns), KOKKOS_LAMBDA(const int j) {
        const int v0 = d + 2;
        for (int a = 0; a < d; ++a) {
          src(j, a) = m(j, a);
          src(j, v0 + a) = m(j, a);
          src(j, v0 + d + a) = u(j, a);
          for (int b = 0; b < d; ++b) {
            src(j, v0 + 2 * d + a * d + b) = m(j, a) * m(j, b);
            src(j, v0 + 2 * d + d * d + a * d + b) = m(j, a) * u(j, b);
          }
        }
        src(j, d) = w(j) > 0.0 ? kmath::log(w(j)) : -1e300;
        src(j, d + 1) = 0.0;
      });
  Kokkos::parallel_for(
      "mf::reconstruction::pack_targets", Kokkos::RangePolicy<ExecSpace>(0, nt), KOKKOS_LAMBDA(const int i) {
        for (int k = 0; k < d; ++k) tgt(i, k) = targets(i, k);
        tgt(i, d) = 0.0;
        tgt(i, d + 1) = 0.0;
      });
  Kokkos::fence();
  SoftmaxState st(nt, nv);
  const double inv_eps = 1.0 / (2.0 * bandwidth * bandwidth);
  ring_visit(comm, src, ns, [&](const PointBlock& block, int rows, int) {
    MomentScore score;
    score.x = tgt;
    score.y = block;
    score.dim = d;
    score.inv_eps = inv_eps;
    score.with_own = false;
    softmax_accumulate<SoftmaxShift::Running, MomentScore, ExecSpace>(score, nt, rows, st);
  });
  const auto acc = st.acc;
  const auto sum = st.sum;
  // Ridge of the local covariance: in a well-sampled window the covariance is about σ² I, so the fitted
  // slope keeps 1/(1 + 0.05) of its value; far from the samples the covariance vanishes and the slope
  // with it (the fit falls back to the kernel mean ū, never extrapolates).
  const double ridge = 0.05 * bandwidth * bandwidth;
  Kokkos::parallel_for(
      "mf::reconstruction::local_linear_fit", Kokkos::RangePolicy<ExecSpace>(0, nt), KOKKOS_LAMBDA(const int i) {
        const double W = sum(i);
        if (!(W > 0.0)) {
          for (int b = 0; b < d; ++b) out(i, b) = 0.0;
          return;
        }
        double mu[3], ub[3], S[3][3], X[3][3];
        for (int a = 0; a < d; ++a) {
          mu[a] = acc(i, a) / W;
          ub[a] = acc(i, d + a) / W;
        }
        for (int a = 0; a < d; ++a)
          for (int b = 0; b < d; ++b) {
            S[a][b] = acc(i, 2 * d + a * d + b) / W - mu[a] * mu[b] + (a == b ? ridge : 0.0);
            X[a][b] = acc(i, 2 * d + d * d + a * d + b) / W - mu[a] * ub[b];
          }
        // Solve S B = X (d ≤ 3, symmetric positive definite with the ridge): Gaussian elimination.
        for (int c = 0; c < d; ++c) {
          const double piv = S[c][c];
          for (int r = c + 1; r < d; ++r) {
            const double f = S[r][c] / piv;
            for (int k = c; k < d; ++k) S[r][k] -= f * S[c][k];
            for (int k = 0; k < d; ++k) X[r][k] -= f * X[c][k];
          }
        }
        for (int c = d - 1; c >= 0; --c)
          for (int k = 0; k < d; ++k) {
            double v = X[c][k];
            for (int r = c + 1; r < d; ++r) v -= S[c][r] * X[r][k];
            X[c][k] = v / S[c][c];
          }
        for (int b = 0; b < d; ++b) {
          double v = ub[b];
          for (int a = 0; a < d; ++a) v += (targets(i, a) - mu[a]) * X[a][b];
          out(i, b) = v;
        }
      });
  Kokkos::fence();
}

void regress_onto_faces(const Grid& grid, const DisplacementSamples& s, double bandwidth, FaceVelocities& faces) {
  const int d = grid.dim();
  const IndexBox& o = grid.owned();
  for (int a = 0; a < d; ++a) {
    // Face centres of axis a owned here: count + 1 faces along a, cell centres along the others.
    long cnt[3] = {o.count[0], o.count[1], o.count[2]};
    cnt[a] += 1;
    const long n = cnt[0] * cnt[1] * cnt[2];
    auto pos = Kokkos::create_mirror_view(PointsView("mf::reconstruction::face_centres", n, d));
    for (long k = 0; k < cnt[2]; ++k)
      for (long j = 0; j < cnt[1]; ++j)
        for (long i = 0; i < cnt[0]; ++i) {
          const long idx[3] = {i, j, k};
          const long flat = (k * cnt[1] + j) * cnt[0] + i;
          for (int b = 0; b < d; ++b) {
            const double shift = b == a ? 0.0 : 0.5;
            pos(flat, b) = grid.spec().lower[b] + (static_cast<double>(o.start[b] + idx[b]) + shift) * grid.h(b);
          }
        }
    PointsView targets = Kokkos::create_mirror_view_and_copy(PointsView::memory_space(), pos);
    PointsView v("mf::reconstruction::face_regression", n, d);
    regress_velocity(grid.comm(), s, bandwidth, targets, v);
    auto vh = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), v);
    auto fh = Kokkos::create_mirror_view(faces.v[a]);
    const long ncell = grid.spec().cells[a];
    for (long k = 0; k < cnt[2]; ++k)
      for (long j = 0; j < cnt[1]; ++j)
        for (long i = 0; i < cnt[0]; ++i) {
          const long idx[3] = {i, j, k};
          const long global = o.start[a] + idx[a];
          // Walls carry no flux, as in the FV scheme and the weighted Poisson solve.
          const bool wall = !grid.periodic() && (global == 0 || global == ncell);
          fh(k, j, i) = wall ? 0.0 : vh((k * cnt[1] + j) * cnt[0] + i, a);
        }
    Kokkos::deep_copy(faces.v[a], fh);
  }
}

void regress_onto_cells(const Grid& grid, const DisplacementSamples& s, double bandwidth, Vec out[3]) {
  const int d = grid.dim();
  const IndexBox& o = grid.owned();
  const long n = static_cast<long>(o.size());
  auto pos = Kokkos::create_mirror_view(PointsView("mf::reconstruction::cell_centres", n, d));
  for (long k = 0; k < o.count[2]; ++k)
    for (long j = 0; j < o.count[1]; ++j)
      for (long i = 0; i < o.count[0]; ++i) {
        const long idx[3] = {i, j, k};
        const long flat = (k * o.count[1] + j) * o.count[0] + i;
        for (int b = 0; b < d; ++b)
          pos(flat, b) = grid.spec().lower[b] + (static_cast<double>(o.start[b] + idx[b]) + 0.5) * grid.h(b);
      }
  PointsView targets = Kokkos::create_mirror_view_and_copy(PointsView::memory_space(), pos);
  PointsView v("mf::reconstruction::cell_regression", n, d);
  regress_velocity(grid.comm(), s, bandwidth, targets, v);
  auto vh = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), v);
  for (int a = 0; a < d; ++a) {
    VecBlockWrite w(out[a], o);
    auto view = w.view();
    for (long k = 0; k < o.count[2]; ++k)
      for (long j = 0; j < o.count[1]; ++j)
        for (long i = 0; i < o.count[0]; ++i) view(k, j, i) = vh((k * o.count[1] + j) * o.count[0] + i, a);
  }
}

}  // namespace mf::fields
