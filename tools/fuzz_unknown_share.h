// raftsim CLI: a campaign's unknown share -- runs that ended neither passed nor failed (verdict
// unknown, or stopped by their event budget) -- against its ceiling. An unknown run is a finding
// to explain (a stall, a search budget), so a campaign with too many of them fails (exit 1).
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace raftsim::tools {

inline constexpr double kUnknownSharePercentMaxDefault = 2.0;

struct UnknownShare {
  double percent = 0;
  bool exceeded = false;
};

inline UnknownShare judge_unknown_share(std::uint64_t runs, std::uint64_t undecided,
                                        double percent_max) {
  UnknownShare share;
  if (runs == 0) return share;
  share.percent = 100.0 * static_cast<double>(undecided) / static_cast<double>(runs);
  share.exceeded = share.percent > percent_max;
  return share;
}

inline std::string describe_unknown_share(const UnknownShare& share, std::uint64_t undecided,
                                          double percent_max) {
  char text[200];
  std::snprintf(text, sizeof text,
                "unknown share %.2f%% (%llu runs unknown or over budget; %s %.2f%%)", share.percent,
                static_cast<unsigned long long>(undecided),
                share.exceeded ? "FAILS: above the ceiling" : "ceiling", percent_max);
  return text;
}

}  // namespace raftsim::tools
