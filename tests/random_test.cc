#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "sim/kernel/random.h"

namespace raftsim::sim {
namespace {
TEST(Random, SameSeedSameStream) {
  Random a(7), b(7);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(a.next_u64(), b.next_u64());
}
}  // namespace
}  // namespace raftsim::sim
