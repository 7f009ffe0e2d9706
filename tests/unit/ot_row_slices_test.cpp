// Rows split by weight (src/ot/row_slices.hpp, balanced_starts): the slices cover every row once, in order,
// and each weighs less than total/parts + the heaviest row (the bound that makes the split worth it); equal
// weights give the split by count; a split that ignored the weights fails on the skewed rows below.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>
#include <vector>

#include "ot/row_slices.hpp"

using mf::ot::detail::balanced_starts;

namespace {

// Each slice's weight, checking that the starts run from 0 to n without going back.
std::vector<long long> shares(const std::vector<long long>& w, const std::vector<int>& start) {
  std::vector<long long> s;
  EXPECT_EQ(start.front(), 0);
  EXPECT_EQ(start.back(), static_cast<int>(w.size()));
  for (std::size_t r = 0; r + 1 < start.size(); ++r) {
    EXPECT_LE(start[r], start[r + 1]);
    s.push_back(std::accumulate(w.begin() + start[r], w.begin() + start[r + 1], 0LL));
  }
  return s;
}

TEST(RowSlices, EachSliceWeighsLessThanItsShareAndTheHeaviestRow) {
  std::mt19937_64 gen(7);
  for (int parts : {1, 2, 3, 4, 7}) {
    for (int n : {0, 1, 5, 100, 10000}) {
      // Rows like shear_2d's 2ε stage: few pairs at both ends of the order, many in the middle.
      std::vector<long long> w(n);
      for (int i = 0; i < n; ++i) {
        const bool middle = i > n / 8 && i < n - n / 8;
        w[i] = std::uniform_int_distribution<long long>(0, middle ? 400 : 20)(gen);
      }
      const std::vector<int> start = balanced_starts(w, parts);
      ASSERT_EQ(static_cast<int>(start.size()), parts + 1);
      const std::vector<long long> s = shares(w, start);
      const long long total = std::accumulate(w.begin(), w.end(), 0LL);
      const long long heaviest = w.empty() ? 0 : *std::max_element(w.begin(), w.end());
      EXPECT_EQ(std::accumulate(s.begin(), s.end(), 0LL), total);
      for (long long share : s) EXPECT_LT(share, static_cast<double>(total) / parts + heaviest + 1e-9);
    }
  }
}

TEST(RowSlices, SkewedRowsAreSplitByWeightNotByCount) {
  // The first and last quarters of the rows weigh 1, the middle half 20: by count, the middle ranks of 4
  // would hold 20/(1 + 20 + 20 + 1) of the weight each; balanced, each holds about a quarter.
  std::vector<long long> w(4000, 1);
  for (int i = 1000; i < 3000; ++i) w[i] = 20;
  const std::vector<long long> s = shares(w, balanced_starts(w, 4));
  const long long total = std::accumulate(w.begin(), w.end(), 0LL);
  for (long long share : s) EXPECT_LE(share, total / 4 + 20);
  EXPECT_LT(*std::max_element(s.begin(), s.end()), 0.6 * 20 * 1000);  // by count: 20 000
}

TEST(RowSlices, EqualWeightsGiveTheSplitByCount) {
  for (int n : {10, 17, 1000}) {
    const std::vector<int> start = balanced_starts(std::vector<long long>(n, 3), 4);
    for (int r = 0; r <= 4; ++r) EXPECT_NEAR(start[r], static_cast<double>(n) * r / 4, 1.0);
  }
}

}  // namespace
