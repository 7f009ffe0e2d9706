// Tokens against the Gaussian closure for growing n (acceptance: covariance error ∝ n^{-1/2}), for the 2D
// general-V case of the unit tests at depth t = 0.5:
//   transformer_particle_convergence [--layers T] [--match] seeds n1 n2 ...
// Default: RK4 with dt = 1/8 (16 all-pairs evaluations) against the depth ODE's closure.
// --layers T: the T-layer map x ← x + (t/T)Γ(x) (eq. 26, T evaluations) against that map's exact Gaussian
// image (layer_map_step), so there is no time-discretisation bias and n = 10⁵ costs T evaluations.
// --match: tokens moment-matched to the exact N(m0, Σ0), leaving only the error of the empirical field.
// Prints one line per (n, seed), the RMS over seeds per n, and the least-squares slope of
// log(error) against log(n) over all (n, seed) points with its standard error.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "measureflow/environment.hpp"
#include "measureflow/moments.hpp"
#include "models/transformer/transformer_views.hpp"

using namespace mf;
using namespace mf::transformer;

namespace {

struct Fit {
  double slope, stderr_slope;
};

// Ordinary least squares y = a + b x; the standard error of b from the residual scatter.
Fit fit_slope(const std::vector<double>& x, const std::vector<double>& y) {
  const double k = double(x.size());
  double mx = 0.0, my = 0.0;
  for (std::size_t i = 0; i < x.size(); ++i) mx += x[i] / k, my += y[i] / k;
  double sxx = 0.0, sxy = 0.0;
  for (std::size_t i = 0; i < x.size(); ++i) sxx += (x[i] - mx) * (x[i] - mx), sxy += (x[i] - mx) * (y[i] - my);
  const double b = sxy / sxx;
  double rss = 0.0;
  for (std::size_t i = 0; i < x.size(); ++i) rss += std::pow(y[i] - my - b * (x[i] - mx), 2);
  return {b, x.size() > 2 ? std::sqrt(rss / (k - 2.0) / sxx) : 0.0};
}

}  // namespace

int main(int argc, char** argv) {
  Environment env(argc, argv);
  int layers = 0;
  bool match = false;
  int a = 1;
  for (; a < argc && std::strncmp(argv[a], "--", 2) == 0; ++a) {
    if (std::strcmp(argv[a], "--layers") == 0 && a + 1 < argc) {
      layers = std::atoi(argv[++a]);
    } else if (std::strcmp(argv[a], "--match") == 0) {
      match = true;
    } else {
      if (env.rank() == 0) std::fprintf(stderr, "unknown option %s\n", argv[a]);
      return 2;
    }
  }
  const int seeds = a < argc ? std::atoi(argv[a++]) : 2;
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
  const GaussianState ode = closure_rk4_integrate({l}, {s.mean, s.cov}, 0.0, t).state;
  GaussianState exact = ode;
  if (layers > 0) {
    exact = {s.mean, s.cov};
    for (int k = 0; k < layers; ++k) exact = layer_map_step(l, exact, t / layers);
  }
  const double dt = layers > 0 ? t / layers : 0.125;
  if (env.rank() == 0) {
    std::printf("# %s, t = %.2f, %s, ranks %d; reference: %s\n",
                layers > 0 ? "T-layer map" : "RK4 dt = 0.125", t, match ? "moment-matched" : "iid sample", env.size(),
                layers > 0 ? "exact Gaussian image of the map" : "closure ODE");
    if (layers > 0)
      std::printf("# map image vs ODE closure (time-discretisation gap, not in the errors below): cov %.3e\n",
                  frobenius_norm(exact.S - ode.S) / frobenius_norm(ode.S));
    std::printf("%8s %6s %12s %12s %9s\n", "n", "seed", "cov_error", "mean_error", "seconds");
  }
  Moments m0{1.0, s.mean, s.cov};
  std::vector<double> logn, logerr;
  std::vector<std::pair<long long, double>> rms;
  for (; a < argc; ++a) {
    const long long n = std::atoll(argv[a]);
    double c2 = 0.0;
    for (int seed = 0; seed < seeds; ++seed) {
      const auto t0 = std::chrono::steady_clock::now();
      TransformerLagrangian v(env.comm(), sample_tokens(env.comm(), *mu, n, 100 + seed, match ? &m0 : nullptr), {l},
                              {}, layers > 0 ? ParticleIntegrator::Euler : ParticleIntegrator::RK4, dt);
      v.advance(0.0, t);
      const Moments m = compute_moments(env.comm(), v.particles().as_points());
      const double ce = frobenius_norm(m.cov - exact.S) / frobenius_norm(exact.S);
      const double me = norm2(m.mean - exact.m) / std::sqrt(trace(exact.S));
      const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      c2 += ce * ce / seeds;
      logn.push_back(std::log(double(n)));
      logerr.push_back(std::log(ce));
      if (env.rank() == 0) std::printf("%8lld %6d %12.4e %12.4e %9.1f\n", n, 100 + seed, ce, me, sec);
      std::fflush(stdout);
    }
    rms.emplace_back(n, std::sqrt(c2));
  }
  if (env.rank() == 0) {
    for (const auto& [n, e] : rms) std::printf("rms %8lld %12.4e\n", n, e);
    if (rms.size() > 1) {
      const Fit f = fit_slope(logn, logerr);
      std::printf("slope of log(cov_error) vs log(n) over %zu runs: %.3f ± %.3f (standard error)\n", logn.size(),
                  f.slope, f.stderr_slope);
    }
  }
  return 0;
}
