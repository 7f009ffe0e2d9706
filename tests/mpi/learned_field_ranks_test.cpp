// Rank independence of the learned fields: a field trained on all ranks is the same, to the last bit,
// as the field trained by each rank alone (MPI_COMM_SELF), for every basis and coupling; so the model's
// metrics are the same on 1, 2 and 4 ranks.
#include <gtest/gtest.h>

#include <cmath>

#include "learned_field_fixtures.hpp"

namespace mf {
namespace {

using namespace mf::testing;

void expect_same_field(fields::BasisConfig basis, fields::TrainingConfig tc, fields::CouplingConfig coupling) {
  MixturePairSource src({0.0, 0.0}, Matrix::identity(2), eight_gaussians(), tc.pairs);
  fields::TrainingReport rw, rs;
  const auto world = fields::train_learned_field(MPI_COMM_WORLD, basis, tc, coupling, src, &rw);
  const auto self = fields::train_learned_field(MPI_COMM_SELF, basis, tc, coupling, src, &rs);
  const int n = 200;
  FieldPoints x = held_out_target(src, n), a("a", n, 2), b("b", n, 2);
  double worst = 0.0, scale = 0.0;
  for (double t : {0.0, 0.3, 0.77, 1.0}) {
    world->evaluate(t, x, a);
    self->evaluate(t, x, b);
    auto ha = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), a);
    auto hb = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), b);
    for (int i = 0; i < n; ++i)
      for (int c = 0; c < 2; ++c) {
        worst = std::max(worst, std::abs(ha(i, c) - hb(i, c)));
        scale = std::max(scale, std::abs(hb(i, c)));
      }
  }
  EXPECT_GT(scale, 0.1);  // a real field, not zeros
  EXPECT_EQ(worst, 0.0) << "field differs between the world and a single rank by " << worst;
  EXPECT_EQ(rw.final_loss, rs.final_loss);
  EXPECT_EQ(rw.pairs, rs.pairs);
}

fields::TrainingConfig training(long long pairs, int epochs) {
  fields::TrainingConfig tc;
  tc.pairs = pairs;
  tc.epochs = epochs;
  tc.batch = 100;  // not a multiple of the slot count: uneven slots
  tc.learning_rate = 3e-3;
  return tc;
}

TEST(LearnedFieldRanks, AffineIndependent) { expect_same_field({fields::BasisType::Affine, 6}, training(5003, 2), {}); }

TEST(LearnedFieldRanks, RandomFeaturesIndependent) {
  expect_same_field({fields::BasisType::RandomFeatures, 48}, training(5003, 1), {});
}

TEST(LearnedFieldRanks, RandomFeaturesMinibatchOtExact) {
  expect_same_field({fields::BasisType::RandomFeatures, 48}, training(3001, 1),
                    {fields::CouplingType::MinibatchOt, 128, 0.0});
}

TEST(LearnedFieldRanks, AffineMinibatchOtEntropic) {
  expect_same_field({fields::BasisType::Affine, 4}, training(1000, 1), {fields::CouplingType::MinibatchOt, 100, 0.05});
}

TEST(LearnedFieldRanks, MlpIndependentAndMinibatchOt) {
  expect_same_field({fields::BasisType::Mlp, 16}, training(2001, 2), {});
  expect_same_field({fields::BasisType::Mlp, 16}, training(1000, 1), {fields::CouplingType::MinibatchOt, 64, 0.0});
}

}  // namespace
}  // namespace mf
