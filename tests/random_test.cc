// Tests for sim/kernel/random: fixed algorithm, independent named streams, unbiased bounded draws.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <array>

#include "sim/kernel/random.h"

namespace raftsim::sim {
namespace {

TEST(Random, SameSeedGivesSameSequence) {
  Random a(7), b(7);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(a.next_u64(), b.next_u64());
}

TEST(Random, DifferentSeedsGiveDifferentSequences) {
  Random a(7), b(8);
  int equal = 0;
  for (int i = 0; i < 1000; ++i) equal += a.next_u64() == b.next_u64();
  EXPECT_LT(equal, 2);
}

TEST(Random, NamedStreamsDoNotDisturbEachOther) {
  // What "network" draws must not depend on whether "disk/0" exists or how much it drew.
  Random alone = Random::stream(99, "network");
  std::vector<std::uint64_t> expected;
  for (int i = 0; i < 64; ++i) expected.push_back(alone.next_u64());

  Random network = Random::stream(99, "network");
  Random disk = Random::stream(99, "disk/0");
  for (int i = 0; i < 64; ++i) {
    for (int j = 0; j < i % 3; ++j) disk.next_u64();
    ASSERT_EQ(network.next_u64(), expected[i]) << "draw " << i;
  }
  EXPECT_NE(Random::stream(99, "network").next_u64(), Random::stream(99, "disk/0").next_u64());
  EXPECT_NE(Random::stream(99, "network").next_u64(), Random::stream(100, "network").next_u64());
}

TEST(Random, DeriveDependsOnSeedNotPosition) {
  Random parent(5);
  const std::uint64_t before = parent.derive("child").next_u64();
  parent.next_u64();
  EXPECT_EQ(parent.derive("child").next_u64(), before);
}

TEST(Random, ChanceExtremes) {
  Random random(3);
  for (int i = 0; i < 1000; ++i) {
    ASSERT_FALSE(random.chance(Ratio::zero()));
    ASSERT_TRUE(random.chance(Ratio::one()));
  }
}

TEST(Random, BelowIsRoughlyUniform) {
  // Chi-square over 10 buckets with 100k draws: the 99.9% critical value for 9 degrees of
  // freedom is 27.9; a biased or broken reduction lands far above it.
  Random random(11);
  std::array<int, 10> counts{};
  const int draws = 100'000;
  for (int i = 0; i < draws; ++i) ++counts[random.below(10)];
  double chi_square = 0;
  for (int count : counts) {
    const double expected = draws / 10.0;
    chi_square += (count - expected) * (count - expected) / expected;
  }
  EXPECT_LT(chi_square, 27.9);
}

TEST(Random, ChanceMatchesRatio) {
  Random random(13);
  int hits = 0;
  for (int i = 0; i < 100'000; ++i) hits += random.chance(Ratio::percent(25));
  EXPECT_NEAR(hits, 25'000, 600);  // > 4 standard deviations (137) of slack
}

RC_GTEST_PROP(RandomProperty, BelowStaysBelowBound, (std::uint64_t seed, std::uint64_t bound)) {
  RC_PRE(bound > 0);
  Random random(seed);
  for (int i = 0; i < 32; ++i) RC_ASSERT(random.below(bound) < bound);
}

RC_GTEST_PROP(RandomProperty, BetweenIsInclusive,
              (std::uint64_t seed, std::int32_t low, std::uint16_t width)) {
  Random random(seed);
  const std::int64_t high = std::int64_t{low} + width;
  bool saw_low = false, saw_high = false;
  for (int i = 0; i < 4000; ++i) {
    const std::int64_t value = random.between(low, high);
    RC_ASSERT(value >= low);
    RC_ASSERT(value <= high);
    saw_low |= value == low;
    saw_high |= value == high;
  }
  if (width <= 8) {
    RC_ASSERT(saw_low);
    RC_ASSERT(saw_high);
  }
}

}  // namespace
}  // namespace raftsim::sim
