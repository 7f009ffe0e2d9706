// Richer bases fit the flow-matching field better: on N(0, I) → eight Gaussians the training loss and
// the W2 of generated samples to a held-out sample of α1 fall as the random-features count or the
// network width grows, and both non-linear bases beat the affine floor (the Gaussian field of α1's
// moments, whose samples are a single Gaussian blob).
#include <gtest/gtest.h>

#include <cstdio>

#include "learned_field_fixtures.hpp"

namespace mf {
namespace {

using namespace mf::testing;

struct Fit {
  double loss, w2;
};

Fit fit(fields::BasisType type, int size, long long pairs, int epochs, double lr = 3e-3) {
  MixturePairSource src({0.0, 0.0}, Matrix::identity(2), eight_gaussians(), pairs);
  fields::TrainingConfig tc;
  tc.pairs = pairs;
  tc.epochs = epochs;
  tc.batch = 256;
  tc.learning_rate = lr;
  fields::TrainingReport rep;
  const auto field = fields::train_learned_field(MPI_COMM_SELF, {type, size}, tc, {}, src, &rep);
  const double w2 = w2_between(generate(src, *field, 600, 32, true), held_out_target(src, 600));
  std::printf("basis %d size %4d: loss %.4f  W2 to held-out %.4f  (%.2f s)\n", int(type), size, rep.final_loss, w2,
              rep.seconds);
  return {rep.final_loss, w2};
}

TEST(LearnedFieldBasisSize, RandomFeaturesImproveWithSize) {
  const Fit affine = fit(fields::BasisType::Affine, 4, 20000, 1);
  std::vector<Fit> f;
  for (int size : {16, 64, 256}) f.push_back(fit(fields::BasisType::RandomFeatures, size, 20000, 1));
  for (size_t k = 1; k < f.size(); ++k) {
    EXPECT_LT(f[k].loss, f[k - 1].loss);
    EXPECT_LT(f[k].w2, f[k - 1].w2);
  }
  EXPECT_LT(f.back().w2, 0.5 * affine.w2);
}

TEST(LearnedFieldBasisSize, MlpImprovesWithWidth) {
  const Fit affine = fit(fields::BasisType::Affine, 4, 20000, 1);
  std::vector<Fit> f;
  for (int width : {4, 32}) f.push_back(fit(fields::BasisType::Mlp, width, 10000, 30, 1e-2));
  EXPECT_LT(f[1].loss, f[0].loss);
  EXPECT_LT(f[1].w2, f[0].w2);
  EXPECT_LT(f.back().w2, 0.5 * affine.w2);
}

}  // namespace
}  // namespace mf
