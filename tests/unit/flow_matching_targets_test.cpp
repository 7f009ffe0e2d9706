// The endpoint samplers of flow_matching: generated data sets are pure functions of (seed, id) with the
// shapes their docs describe, a file target reads a particles.h5 back, data blocks tile the set, and
// training pairs do not depend on which block asks for them.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "measureflow/io/particle_file.hpp"
#include "measureflow/particles.hpp"
#include "models/flow_matching/flow_matching_pairs.hpp"

using namespace mf;
using namespace mf::flow_matching;

TEST(FlowMatchingTargets, DataSetsHaveTheirDocumentedShapes) {
  const int n = 4000;
  double p[2], q[2];
  for (auto name : {DatasetName::EightGaussians, DatasetName::Moons, DatasetName::Checkerboard, DatasetName::Rings}) {
    double mx = 0.0, my = 0.0;
    for (int i = 0; i < n; ++i) {
      dataset_point(name, 7, i, p);
      dataset_point(name, 7, i, q);
      ASSERT_EQ(p[0], q[0]);  // a pure function of (seed, id)
      mx += p[0] / n;
      my += p[1] / n;
      const double r = std::hypot(p[0], p[1]);
      switch (name) {
        case DatasetName::Checkerboard: {
          ASSERT_LE(std::fabs(p[0]), 2.0);
          ASSERT_LE(std::fabs(p[1]), 2.0);
          const int col = static_cast<int>(std::floor(p[0] + 2.0)), row = static_cast<int>(std::floor(p[1] + 2.0));
          ASSERT_EQ((col + row) % 2, 0) << "a light square";
          break;
        }
        case DatasetName::Rings:
          ASSERT_LT(std::min(std::fabs(r - 1.0), std::fabs(r - 2.0)), 0.3);
          break;
        case DatasetName::EightGaussians:
          ASSERT_LT(std::fabs(r - 2.0), 1.2);
          break;
        case DatasetName::Moons:
          ASSERT_LT(r, 3.8);  // x ∈ 2·[−1.5, 1.5], y ∈ 2·[−0.75, 0.75], plus noise
          break;
      }
    }
    dataset_point(name, 8, 0, q);
    dataset_point(name, 7, 0, p);
    EXPECT_NE(p[0], q[0]) << "another seed, another set";
    if (name != DatasetName::Moons) {
      EXPECT_NEAR(mx, 0.0, 0.1) << to_string(name);
      EXPECT_NEAR(my, 0.0, 0.1) << to_string(name);
    }
  }
}

TEST(FlowMatchingTargets, FileTargetReadsAParticleFileAndBlocksTileIt) {
  const std::string path = (std::filesystem::temp_directory_path() / "mf_fm_target_points.h5").string();
  const int n = 37;
  std::vector<double> x(2 * n), w(n);
  std::vector<std::int64_t> ids(n);
  for (int i = 0; i < n; ++i) {
    x[2 * i] = i;
    x[2 * i + 1] = -2.0 * i;
    w[i] = 1.0 + (i % 2);
    ids[i] = i;
  }
  {
    io::ParticleFileWriter writer(MPI_COMM_SELF, path, io::RunInfo{}, 2);
    writer.write_snapshot(0.0, n, x.data(), w.data(), ids.data());
    writer.finish();
  }
  TargetSpec spec;
  spec.kind = TargetKind::File;
  spec.path = path;
  const TargetSampler sampler(spec, 2);
  double wsum = 0.0, mean = 0.0;
  for (int i = 0; i < n; ++i) wsum += w[i];
  for (int i = 0; i < n; ++i) mean += w[i] * i / wsum;
  EXPECT_NEAR(sampler.moments().mean[0], mean, 1e-12);
  EXPECT_NEAR(sampler.moments().mean[1], -2.0 * mean, 1e-12);
  double y[2];
  for (int k = 0; k < 20; ++k) {  // draws are data points
    sampler.sample(3, k, y);
    EXPECT_EQ(y[1], -2.0 * y[0]);
    EXPECT_EQ(y[0], std::round(y[0]));
  }
  const DataBlock block = load_data_block(MPI_COMM_SELF, spec, 2);
  EXPECT_EQ(block.total, n);
  double total = 0.0;
  for (std::size_t j = 0; j < block.weights.extent(0); ++j) total += block.weights(j);
  EXPECT_NEAR(total, 1.0, 1e-14);
  std::filesystem::remove(path);
}

TEST(FlowMatchingTargets, TrainingPairsDependOnTheirIdsOnly) {
  TargetSpec spec;
  spec.kind = TargetKind::Dataset;
  spec.name = DatasetName::Moons;
  spec.samples = 500;
  const TargetSampler sampler(spec, 2);
  const FlowMatchingPairs pairs(GaussianSource{{0.0, 0.0}, Matrix::identity(2)}, sampler, 100, 5);
  FieldPoints a0("a0", 100, 2), a1("a1", 100, 2), b0("b0", 40, 2), b1("b1", 40, 2), c0("c0", 100, 2), c1("c1", 100, 2);
  pairs.sample(0, 100, 0, a0, a1);
  pairs.sample(30, 40, 0, b0, b1);  // pairs 30..69 drawn by another "rank"
  for (int i = 0; i < 40; ++i)
    for (int k = 0; k < 2; ++k) {
      EXPECT_EQ(b0(i, k), a0(30 + i, k));
      EXPECT_EQ(b1(i, k), a1(30 + i, k));
    }
  pairs.sample(0, 100, 1, c0, c1);  // another draw (epoch): fresh pairs
  EXPECT_NE(c0(0, 0), a0(0, 0));
  EXPECT_NE(c1(0, 0), a1(0, 0));
  EXPECT_EQ(pairs.total_pairs(), 100);
  EXPECT_EQ(pairs.local_block(MPI_COMM_SELF).second, 100);
}
