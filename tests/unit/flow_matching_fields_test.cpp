// The exact flow-matching fields against independent facts: Prop. 3.2 carries N(m0, Σ0) to N(m1, Σ1)
// (moment ODE), the mixture field solves the continuity equation with the mixture path, the streamed
// data-set field is the Σ_k → 0 mixture field, the corrected score formula equals the exact field (and
// the survey's printed one does not), one Euler step lands on E[X1], and the kinetic-energy closed form.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "flow_matching_cases.hpp"
#include "measureflow/errors.hpp"
#include "models/flow_matching/exact_fields.hpp"
#include "models/flow_matching/flow_matching_views.hpp"
#include "models/flow_matching/score_field.hpp"

using namespace mf;
using namespace mf::flow_matching;

namespace {

FieldPoints random_points(int n, int d, double scale, unsigned seed) {
  FieldPoints x("x", n, d);
  std::mt19937 gen(seed);
  std::normal_distribution<double> z(0.0, scale);
  for (int i = 0; i < n; ++i)
    for (int a = 0; a < d; ++a) x(i, a) = z(gen);
  return x;
}

std::unique_ptr<MixtureField> mixture_field(const FlowMatchingConfig& c) {
  auto f = make_exact_field(MPI_COMM_SELF, c);
  return std::unique_ptr<MixtureField>(dynamic_cast<MixtureField*>(f.release()));
}

double max_abs_diff(const FieldPoints& a, const FieldPoints& b) {
  double m = 0.0;
  for (std::size_t i = 0; i < a.extent(0); ++i)
    for (std::size_t k = 0; k < a.extent(1); ++k) m = std::max(m, std::fabs(a(i, k) - b(i, k)));
  return m;
}

}  // namespace

TEST(FlowMatchingFields, Prop32CarriesTheMomentsOfN0ToN1) {
  // m' = v_t(m), Σ' = A_tΣ + ΣA_tᵀ with A_t read off the field (it is affine), integrated by RK4 from
  // (m0, Σ0): the field of Prop. 3.2 must reach (m1, Σ1) at t = 1.
  const FlowMatchingConfig c = cases::noncommuting_gaussian();
  const auto field = mixture_field(c);
  auto rhs = [&](double t, const Vector& m, const Matrix& S, Vector& dm, Matrix& dS) {
    FieldPoints x("x", 3, 2), v("v", 3, 2);
    for (int r = 0; r < 3; ++r)
      for (int a = 0; a < 2; ++a) x(r, a) = m[a] + (r == a + 1 ? 1.0 : 0.0);
    field->evaluate(t, x, v);
    Matrix A(2, 2);
    for (int a = 0; a < 2; ++a)
      for (int b = 0; b < 2; ++b) A(a, b) = v(b + 1, a) - v(0, a);
    dm = {v(0, 0), v(0, 1)};
    dS = A * S + S * transpose(A);
  };
  Vector m = c.initial.mean;
  Matrix S = c.initial.cov;
  const int n = 400;
  const double h = 1.0 / n;
  for (int k = 0; k < n; ++k) {
    const double t = k * h;
    Vector m1, m2, m3, m4;
    Matrix S1, S2, S3, S4;
    rhs(t, m, S, m1, S1);
    rhs(t + h / 2, m + (h / 2) * m1, S + (h / 2) * S1, m2, S2);
    rhs(t + h / 2, m + (h / 2) * m2, S + (h / 2) * S2, m3, S3);
    rhs(t + h, m + h * m3, S + h * S3, m4, S4);
    m = m + (h / 6) * (m1 + 2.0 * m2 + 2.0 * m3 + m4);
    S = S + (h / 6) * (S1 + 2.0 * S2 + 2.0 * S3 + S4);
  }
  EXPECT_LT(norm2(m - c.target.measure.mean), 1e-10);
  EXPECT_LT(frobenius_norm(S - c.target.measure.cov) / frobenius_norm(c.target.measure.cov), 1e-9);
}

TEST(FlowMatchingFields, MixtureFieldSolvesTheContinuityEquationOfTheMixturePath) {
  // ∂_t α_t + div(α_t v_t) = 0 by centred differences at scattered points, with α_t = Σ π_k N(m_k, S_k)
  // from the closed form (an independent formula from the posterior-weighted field).
  FlowMatchingConfig c = cases::eight_gaussians(0.3);
  c.initial.mean = {0.3, -0.2};
  c.initial.cov = Matrix::from_rows({{1.2, 0.3}, {0.3, 0.6}});
  const auto field = mixture_field(c);
  const FlowMatchingClosedForm closed(gaussian_source(c.initial), c.target, Moments{}, false);
  const double dlt = 1e-4;
  const FieldPoints x = random_points(40, 2, 1.5, 3);
  for (double t : {0.2, 0.5, 0.8}) {
    auto density_at = [&](double s) {
      MeasureSpec spec;
      spec.type = "mixture";
      spec.dim = 2;
      spec.components = *closed.mixture(s);
      return make_measure(spec);
    };
    const auto a_now = density_at(t), a_plus = density_at(t + dlt), a_minus = density_at(t - dlt);
    // worst: the field; control: the field scaled by 1.01, which must violate the equation.
    double worst = 0.0, control = 0.0;
    for (std::size_t i = 0; i < x.extent(0); ++i) {
      FieldPoints p("p", 4, 2), v("v", 4, 2);
      for (int r = 0; r < 4; ++r) {
        p(r, 0) = x(i, 0) + (r == 0 ? dlt : r == 1 ? -dlt : 0.0);
        p(r, 1) = x(i, 1) + (r == 2 ? dlt : r == 3 ? -dlt : 0.0);
      }
      field->evaluate(t, p, v);
      double flux = 0.0, scale = 0.0;
      for (int a = 0; a < 2; ++a) {
        const double hi[2] = {p(2 * a, 0), p(2 * a, 1)}, lo[2] = {p(2 * a + 1, 0), p(2 * a + 1, 1)};
        const double fh = a_now->density(hi) * v(2 * a, a), fl = a_now->density(lo) * v(2 * a + 1, a);
        flux += (fh - fl) / (2 * dlt);
        scale += std::fabs(fh - fl) / (2 * dlt);
      }
      const double xi[2] = {x(i, 0), x(i, 1)};
      const double dt_alpha = (a_plus->density(xi) - a_minus->density(xi)) / (2 * dlt);
      const double norm = std::fabs(dt_alpha) + scale + 1e-300;
      worst = std::max(worst, std::fabs(dt_alpha + flux) / norm);
      control = std::max(control, std::fabs(dt_alpha + 1.01 * flux) / norm);
    }
    EXPECT_LT(worst, 1e-5) << "t = " << t;  // O(δ²) differencing error
    EXPECT_GT(control, 1e-3) << "t = " << t;
  }
}

TEST(FlowMatchingFields, StreamedDataSetFieldIsTheZeroCovarianceMixtureField) {
  FlowMatchingConfig c = cases::noncommuting_gaussian();
  const int n = 50;
  const FieldPoints y = random_points(n, 2, 1.0, 11);
  DataBlock data;
  data.dim = 2;
  data.total = n;
  data.positions = PointsView("y", n, 2);
  data.weights = WeightsView("w", n);
  std::vector<GaussianComponent> comps;
  double wsum = 0.0;
  for (int j = 0; j < n; ++j) wsum += 1.0 + j % 3;
  Vector mean(2, 0.0);
  for (int j = 0; j < n; ++j) {
    data.positions(j, 0) = y(j, 0);
    data.positions(j, 1) = y(j, 1);
    data.weights(j) = (1.0 + j % 3) / wsum;
    mean = mean + data.weights(j) * Vector{y(j, 0), y(j, 1)};
    comps.push_back(GaussianComponent{data.weights(j), {y(j, 0), y(j, 1)}, 1e-13 * Matrix::identity(2)});
  }
  const GaussianSource src = gaussian_source(c.initial);
  const PointSetField streamed(MPI_COMM_SELF, src, data, mean);
  const MixtureField mixture(src, comps);
  const FieldPoints x = random_points(64, 2, 1.5, 5);
  FieldPoints a("a", 64, 2), b("b", 64, 2);
  for (double t : {0.0, 0.3, 0.7, 0.95}) {
    streamed.evaluate(t, x, a);
    mixture.evaluate(t, x, b);
    EXPECT_LT(max_abs_diff(a, b), 1e-8) << "t = " << t;
    streamed.score(t, x, a);
    mixture.score(t, x, b);
    EXPECT_LT(max_abs_diff(a, b), 1e-8 * (1.0 + 1.0 / ((1 - t) * (1 - t)))) << "score at t = " << t;
  }
  EXPECT_THROW(streamed.evaluate(1.0, x, a), SolverError);
  // The score form over the streamed softmax reproduces the streamed field (and its denoiser).
  const ScoreField from_score(streamed);
  EXPECT_TRUE(from_score.singular_at_one());
  for (double t : {0.0, 0.3, 0.7, 0.95}) {
    streamed.evaluate(t, x, a);
    from_score.evaluate(t, x, b);
    EXPECT_LT(max_abs_diff(a, b), 1e-9) << "score form at t = " << t;
    if (t > 0.0) {
      streamed.posterior_mean(t, x, a);
      from_score.posterior_mean(t, x, b);
      EXPECT_LT(max_abs_diff(a, b), 1e-9) << "score-form denoiser at t = " << t;
    }
  }
}

TEST(FlowMatchingFields, CorrectedScoreFormulaEqualsTheExactFieldAndThePrintedOneDoesNot) {
  for (const FlowMatchingConfig& c : {cases::noncommuting_gaussian(), cases::eight_gaussians()}) {
    const auto exact = mixture_field(c);
    const ScoreField score(*exact);
    const FieldPoints x = random_points(200, 2, 2.0, 7);
    FieldPoints a("a", 200, 2), b("b", 200, 2), s("s", 200, 2);
    for (double t : {0.0, 0.01, 0.25, 0.5, 0.75, 0.99, 1.0}) {
      exact->evaluate(t, x, a);
      score.evaluate(t, x, b);
      EXPECT_LT(max_abs_diff(a, b), 1e-10) << "t = " << t;
      if (t > 0.0 && t < 1.0) {
        exact->posterior_mean(t, x, a);
        score.posterior_mean(t, x, b);
        EXPECT_LT(max_abs_diff(a, b), 1e-10) << "denoiser at t = " << t;
      }
    }
  }
  // The survey's printed Prop. 3.3, v = x/(1 − t) + t/(1 − t)∇log α_t, from X0 ~ N(0, I): off by O(1).
  FlowMatchingConfig c = cases::noncommuting_gaussian();
  c.initial.mean = {0.0, 0.0};
  c.initial.cov = Matrix::identity(2);
  const auto exact = mixture_field(c);
  const FieldPoints x = random_points(200, 2, 1.0, 9);
  FieldPoints v("v", 200, 2), s("s", 200, 2), printed("p", 200, 2);
  // It is the correct expression with t and 1 − t exchanged, so the two agree at t = 1/2 only.
  for (double t : {0.25, 0.5, 0.75}) {
    exact->evaluate(t, x, v);
    exact->score(t, x, s);
    for (int i = 0; i < 200; ++i)
      for (int a = 0; a < 2; ++a) printed(i, a) = x(i, a) / (1 - t) + t / (1 - t) * s(i, a);
    if (t == 0.5)
      EXPECT_LT(max_abs_diff(v, printed), 1e-12);
    else
      EXPECT_GT(max_abs_diff(v, printed), 0.5) << "t = " << t;
  }
}

TEST(FlowMatchingFields, OneEulerStepSendsEverySampleToTheTargetMean) {
  FlowMatchingConfig c = cases::eight_gaussians();
  for (int k = 0; k < 8; ++k) c.target.measure.components[k].weight = 1.0 + k;  // E[X1] ≠ 0
  c.initial.mean = {0.5, 0.1};
  const auto field = mixture_field(c);
  FieldPoints x = random_points(100, 2, 1.0, 13);
  FieldPoints k[4], stage("stage", 100, 2);
  for (auto& v : k) v = FieldPoints("k", 100, 2);
  EXPECT_EQ(ode_step(*field, Integrator::Euler, 0.0, 1.0, x, k, stage), 1);
  Vector m1(2, 0.0);
  double wsum = 0.0;
  for (const auto& comp : c.target.measure.components) wsum += comp.weight;
  for (const auto& comp : c.target.measure.components) m1 = m1 + (comp.weight / wsum) * comp.mean;
  for (int i = 0; i < 100; ++i)
    for (int a = 0; a < 2; ++a) EXPECT_NEAR(x(i, a), m1[a], 1e-12);
}

TEST(FlowMatchingFields, KineticEnergyOfTheGaussianPathMatchesTheClosedForm) {
  // 1D N(0, 1) → N(0, s²): ∫∫|v|² dα_t dt = 1 + s² − πs/2 (derived in docs/flow_matching.md); the W2-optimal
  // path costs (s − 1)², strictly less for s ≠ 1... and the flow-matching path costs more.
  for (double s : {0.5, 1.0, 2.0, 3.0}) {
    const GaussianSource src{{0.0}, Matrix::identity(1)};
    const double e = gaussian_path_kinetic_energy(src, {0.0}, Matrix::from_rows({{s * s}}));
    EXPECT_NEAR(e, 1.0 + s * s - 3.14159265358979323846 * s / 2.0, 1e-12) << "s = " << s;
    EXPECT_GT(e, (s - 1.0) * (s - 1.0));
  }
  std::vector<double> x, w;
  gauss_legendre_01(7, x, w);
  double integral = 0.0;
  for (int q = 0; q < 7; ++q) integral += w[q] * std::pow(x[q], 13);
  EXPECT_NEAR(integral, 1.0 / 14.0, 1e-15);  // degree 2n − 1 exactly
}
