// raftsim: leadership over a whole run (see leadership.h).
#include "sim/checkers/leadership.h"

#include <algorithm>
#include <cmath>

#include "raft/base/check.h"

namespace raftsim::sim {

namespace {

constexpr std::int64_t kPpm = 1'000'000;

// Round trips a stable leader needs after its timer fires: pre-vote, vote, and the first entry
// of its term replicated and committed (each leg a link delay plus an fsync), with room for one
// lost message.
constexpr std::int64_t kElectionRoundTrips = 8;

// The drift the bounds assume: what the cores tolerate, clamped so a clock never stops.
std::int64_t tolerated_drift_ppm(const ServiceClusterOptions& options) {
  return std::min<std::int64_t>(options.raft.clock_drift_max_ppm, kPpm / 2);
}

}  // namespace

Time worst_link_delay(const LinkConfig& link) {
  return link.latency_max + link.extra_latency +
         (link.reorder.numerator > 0 ? link.reorder_delay_max : 0);
}

Time shortest_election_timeout(const ServiceClusterOptions& options) {
  const std::int64_t drift = tolerated_drift_ppm(options);
  const Time nominal = options.tick_ns * options.raft.election_timeout_ticks_min;
  return nominal * (kPpm - drift) / kPpm;
}

double election_separation_chance(std::uint32_t voters, std::uint32_t values,
                                  std::uint32_t gap_ticks) {
  if (voters <= 1) return 1.0;
  // P(one voter draws m and every other draws m + gap or later), summed over m and the voter.
  double chance = 0;
  for (std::uint32_t m = 0; m + gap_ticks < values; ++m) {
    const double later = static_cast<double>(values - m - gap_ticks) / values;
    chance += std::pow(later, voters - 1) / values;
  }
  return std::min(1.0, voters * chance);
}

Time default_stable_leader_bound(const ServiceClusterOptions& options) {
  const std::int64_t drift = tolerated_drift_ppm(options);
  const Time longest_timeout =
      options.tick_ns * options.raft.election_timeout_ticks_max * kPpm / (kPpm - drift);
  const Time round_trip = 2 * worst_link_delay(options.link) + options.disk.sync_latency_max;
  // An election settles when one voter's timer fires a round trip before every other's (its
  // votes are in before anyone else campaigns). Timeouts are whole ticks drawn from [min, max)
  // after every reset, and two nodes' ticks may be out of phase by up to a tick, so the draws
  // must differ by the round trip in ticks plus one. Elections are independent draws, so the
  // bound allows as many as leave a false alarm below kLivenessFalseAlarm, at least
  // kStableLeaderBoundTimeouts; a timing that needs more than kElectionsBoundMax promises no
  // leader worth a bound (the racing-elections profile draws such timings on purpose).
  const std::uint32_t values =
      options.raft.election_timeout_ticks_max - options.raft.election_timeout_ticks_min;
  const auto gap_ticks =
      static_cast<std::uint32_t>((round_trip + options.tick_ns - 1) / options.tick_ns) + 1;
  const double chance = election_separation_chance(
      static_cast<std::uint32_t>(options.server_slots()), values, gap_ticks);
  if (chance <= 0) return 0;
  const double needed =
      chance >= 1 ? 1 : std::ceil(std::log(kLivenessFalseAlarm) / std::log1p(-chance));
  if (needed > kElectionsBoundMax) return 0;
  const auto elections =
      std::max<std::int64_t>(kStableLeaderBoundTimeouts, static_cast<std::int64_t>(needed));
  return elections * longest_timeout + kElectionRoundTrips * round_trip;
}

void LeadershipTracker::count_change(LeadershipWindow& window, Time now) {
  ++window.leader_changes;
  if (window.change_times.size() < kChangeTimesMax) window.change_times.push_back(now);
}

void LeadershipTracker::add_leaderless(LeadershipWindow& window, Time elapsed, Time stretch) {
  window.leaderless += elapsed;
  window.longest_leaderless = std::max(window.longest_leaderless, stretch);
}

void LeadershipTracker::observe(Time now, bool live_majority,
                                std::optional<std::pair<NodeIndex, Term>> leader) {
  RAFTSIM_CHECK_MSG(!observed_ || now >= last_, "samples come in time order");
  const Time elapsed = observed_ ? now - last_ : 0;
  // Time since the previous sample is charged to what that sample saw.
  if (observed_ && !had_leader_) {
    if (run_.started) add_leaderless(run_, elapsed, now - std::max(leaderless_since_, run_.from));
    for (LeadershipWindow& window : marks_) {
      add_leaderless(window, std::min(elapsed, now - window.from),
                     now - std::max(leaderless_since_, window.from));
    }
  }
  if (leader) {
    if (last_leader_ && *last_leader_ != *leader) {
      if (run_.started) count_change(run_, now);
      for (LeadershipWindow& window : marks_) count_change(window, now);
    }
    if (!first_leader_at_) {
      first_leader_at_ = now;
      run_.started = true;
      run_.from = now;
    }
    last_leader_ = leader;
  } else if (!observed_ || had_leader_) {
    leaderless_since_ = now;
  }
  // The liveness bound: a live majority, no stable leader, for longer than the bound.
  if (live_majority && !leader) {
    if (!live_since_) live_since_ = now;
    longest_live_leaderless_ = std::max(longest_live_leaderless_, now - *live_since_);
    if (bound_ > 0 && !breach_ && now - *live_since_ > bound_) {
      breach_ = LivenessBreach{*live_since_, now};
    }
  } else {
    live_since_.reset();
  }
  had_leader_ = leader.has_value();
  last_ = now;
  observed_ = true;
}

bool LeadershipTracker::mark(Time now, std::size_t label) {
  RAFTSIM_CHECK_MSG(!observed_ || now >= last_, "marks come in time order");
  if (marks_.size() >= kMarksMax) return false;
  LeadershipWindow window;
  window.label = label;
  window.from = now;
  window.started = true;
  marks_.push_back(window);
  return true;
}

const LeadershipWindow* LeadershipTracker::window(std::size_t label) const {
  for (const LeadershipWindow& window : marks_) {
    if (window.label == label) return &window;
  }
  return nullptr;
}

}  // namespace raftsim::sim
