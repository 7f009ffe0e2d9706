// Tokens against the Gaussian closure for growing n (acceptance: covariance error ∝ n^{-1/2}):
// `transformer_particle_convergence seeds n1 n2 ...` prints n, RMS relative covariance error over the
// seeds, and the mean relative mean error, at t = 0.5 for the 2D general-V case of the unit tests.
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "measureflow/environment.hpp"
#include "measureflow/moments.hpp"
#include "models/transformer/transformer_views.hpp"

using namespace mf;
using namespace mf::transformer;

int main(int argc, char** argv) {
  Environment env(argc, argv);
  const int seeds = argc > 1 ? std::atoi(argv[1]) : 2;
  AttentionLayer l;
  l.Q = Matrix::from_rows({{1.0, 0.4}, {-0.3, 0.8}});
  l.K = Matrix::from_rows({{0.9, 0.1}, {0.2, 1.1}});
  l.V = Matrix::from_rows({{0.6, 0.2}, {-0.3, 0.5}});
  MeasureSpec s;
  s.type = "gaussian";
  s.dim = 2;
  s.mean = {0.2, -0.1};
  s.cov = Matrix::from_rows({{0.30, 0.08}, {0.08, 0.20}});
  const auto mu = make_measure(s);
  const double t = 0.5;
  const ClosureResult exact = closure_rk4_integrate({l}, {s.mean, s.cov}, 0.0, t);
  if (env.rank() == 0) std::printf("%8s %6s %12s %12s\n", "n", "seeds", "cov_error", "mean_error");
  for (int k = 2; k < argc; ++k) {
    const long long n = std::atoll(argv[k]);
    double c2 = 0.0, me = 0.0;
    for (int seed = 0; seed < seeds; ++seed) {
      TransformerLagrangian v(env.comm(), sample_tokens(env.comm(), *mu, n, 100 + seed), {l}, {},
                              ParticleIntegrator::RK4, 0.125);
      v.advance(0.0, t);
      const Moments m = compute_moments(env.comm(), v.particles().as_points());
      c2 += std::pow(frobenius_norm(m.cov - exact.state.S) / frobenius_norm(exact.state.S), 2) / seeds;
      me += norm2(m.mean - exact.state.m) / std::sqrt(trace(exact.state.S)) / seeds;
    }
    if (env.rank() == 0) std::printf("%8lld %6d %12.4e %12.4e\n", n, seeds, std::sqrt(c2), me);
  }
  return 0;
}
