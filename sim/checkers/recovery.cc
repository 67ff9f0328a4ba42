#include "sim/checkers/recovery.h"

#include "sim/checkers/leadership.h"

#include <algorithm>
#include <bit>

namespace raftsim::sim {

namespace {

// The configuration recovery is judged against: the leader's membership, else that of the
// running node with the freshest log (last term, then last index: the log an election would
// pick; the highest term may belong to a node that missed the latest configuration); nothing if
// no node runs. Only clusters whose membership may change look (membership_enabled).
const Membership* judged_membership(ServiceCluster& cluster) {
  if (auto leader = cluster.leader()) return &cluster.raft(*leader)->membership();
  const Raft* newest = nullptr;
  for (NodeIndex node = 0; node < cluster.size(); ++node) {
    const Raft* raft = cluster.raft(node);
    if (raft == nullptr) continue;
    if (newest == nullptr || raft->log().last_term() > newest->log().last_term() ||
        (raft->log().last_term() == newest->log().last_term() &&
         raft->log().last_index() > newest->log().last_index())) {
      newest = raft;
    }
  }
  return newest != nullptr ? &newest->membership() : nullptr;
}

std::uint32_t node_mask(const std::vector<NodeId>& nodes) {
  std::uint32_t mask = 0;
  for (NodeId node : nodes) mask |= 1u << node;
  return mask;
}

// Does `subset` hold a majority of each voter set (one set, or both halves while joint)?
bool majority_of_each(std::uint32_t subset, const std::vector<std::uint32_t>& voter_sets) {
  for (std::uint32_t voters : voter_sets) {
    if (2 * std::popcount(subset & voters) <= std::popcount(voters)) return false;
  }
  return true;
}

// Is some subset of `candidates` holding a majority of each voter set a clique in `links`, and
// accepted by `accept`? Subsets of the candidates, largest masks first.
template <typename Accept>
bool has_majority_clique(std::uint32_t candidates, const std::vector<std::uint32_t>& links,
                         const std::vector<std::uint32_t>& voter_sets, Accept accept) {
  if (!majority_of_each(candidates, voter_sets)) return false;
  for (std::uint32_t subset = candidates; subset != 0; subset = (subset - 1) & candidates) {
    if (!majority_of_each(subset, voter_sets)) continue;
    bool clique = true;
    for (std::uint32_t rest = subset; rest != 0 && clique; rest &= rest - 1) {
      clique = (links[std::countr_zero(rest)] & subset) == subset;
    }
    if (clique && accept(subset)) return true;
  }
  return false;
}

// A link fit for elections: its base delay (latency, extra latency) is within `limit`, and at
// most 10% of its messages are lost or reordered beyond it (a late message counts as lost).
bool link_fit(const LinkConfig& link, Time limit) {
  if (link.latency_max + link.extra_latency > limit) return false;
  const Ratio late = worst_link_delay(link) > limit ? link.reorder : Ratio::zero();
  auto share = [](Ratio ratio) {
    return static_cast<double>(ratio.numerator) / static_cast<double>(ratio.denominator);
  };
  return share(link.loss) + share(late) <= 0.1 + 1e-9;
}

// A live majority: a clique of live voters over links fit for elections and, unless `guarded`
// (PreVote and CheckQuorum), no other running node touching it. The clique is made of voters
// only: a removed server that still runs is an outsider, and without the guards its campaigns
// can disrupt the voters (its votes never count).
bool has_live_majority(std::uint32_t live, const std::vector<std::uint32_t>& fast,
                       std::uint32_t running, const std::vector<std::uint32_t>& touching,
                       const std::vector<std::uint32_t>& voter_sets, bool guarded) {
  std::uint32_t voters = 0;
  for (std::uint32_t set : voter_sets) voters |= set;
  return has_majority_clique(live & voters, fast, voter_sets, [&](std::uint32_t clique) {
    if (guarded) return true;
    for (std::uint32_t rest = running & ~clique; rest != 0; rest &= rest - 1) {
      if ((touching[std::countr_zero(rest)] & clique) != 0) return false;
    }
    return true;
  });
}

}  // namespace

ClusterHealth observe_health(ServiceCluster& cluster) {
  const NodeIndex nodes = cluster.size();
  World& world = cluster.world();
  Network& network = world.network();
  const ServiceClusterOptions& options = cluster.options();
  // The voter sets a majority is counted in: every node, unless the membership may change.
  std::vector<std::uint32_t> voter_sets{(nodes >= 32 ? 0u : (1u << nodes)) - 1u};
  if (options.membership_enabled()) {
    if (const Membership* membership = judged_membership(cluster)) {
      voter_sets = {node_mask(membership->voters)};
      if (membership->joint()) voter_sets.push_back(node_mask(membership->outgoing));
    }
  }
  // The live test's limits: Raft's timing requirement and the cores' clock tolerance.
  const Time fast_enough = shortest_election_timeout(options) / 4;
  const std::int64_t drift_max = options.raft.clock_drift_max_ppm;
  std::uint32_t running = 0;
  std::uint32_t live = 0;
  for (NodeIndex node = 0; node < nodes; ++node) {
    if (world.host(node).state() != HostState::running || cluster.node(node) == nullptr) continue;
    running |= 1u << node;
    const std::int64_t drift = world.clock(node).drift_ppm();
    if ((drift < 0 ? -drift : drift) <= drift_max &&
        world.disk(node).config().sync_latency_max <= fast_enough) {
      live |= 1u << node;
    }
  }
  // connected[a]: the nodes a talks to both ways; fast[a]: ...over links fit for elections;
  // touching[a]: the nodes with an open link to or from a.
  std::vector<std::uint32_t> connected(nodes, 0), fast(nodes, 0), touching(nodes, 0);
  for (NodeIndex a = 0; a < nodes; ++a) {
    for (NodeIndex b = 0; b < nodes; ++b) {
      const bool both = a == b || (network.link_open(a, b) && network.link_open(b, a));
      if (both) connected[a] |= 1u << b;
      if (a != b && (network.link_open(a, b) || network.link_open(b, a))) touching[a] |= 1u << b;
      if (both && (a == b || (link_fit(network.link(a, b), fast_enough) &&
                              link_fit(network.link(b, a), fast_enough)))) {
        fast[a] |= 1u << b;
      }
    }
  }

  ClusterHealth health;
  const bool guarded = options.raft.pre_vote && options.raft.check_quorum;
  health.live_majority = has_live_majority(live, fast, running, touching, voter_sets, guarded);
  // A live majority is a healthy one (live nodes run, fast links are open both ways): the
  // second clique search is needed only when the first found none.
  health.healthy_majority =
      health.live_majority ||
      has_majority_clique(running, connected, voter_sets, [](std::uint32_t) { return true; });

  if (auto leader = cluster.leader()) {
    const Raft* core = cluster.raft(*leader);
    const Index committed = core->log().committed();
    if (world.host(*leader).state() == HostState::running && committed > 0 &&
        core->log().term_at(committed) == core->term()) {
      std::uint32_t reach = 0;
      for (NodeIndex node = 0; node < nodes; ++node) {
        const Raft* other = cluster.raft(node);
        if (other != nullptr && world.host(node).state() == HostState::running &&
            other->term() == core->term() && ((connected[*leader] >> node) & 1u)) {
          reach |= 1u << node;
        }
      }
      if (majority_of_each(reach, voter_sets)) {
        health.stable_leader = leader;
        health.stable_leader_term = core->term();
      }
    }
  }
  return health;
}

std::vector<ChangeUnavailability> measure_changes(const std::vector<AdminOperation>& operations,
                                                  const std::vector<Time>& ok_write_times) {
  std::vector<ChangeUnavailability> changes;
  for (const AdminOperation& operation : operations) {
    ChangeUnavailability change;
    change.change = describe_admin_request(operation.request);
    change.outcome = operation.outcome;
    change.requested_at = operation.requested_at;
    change.answered_at = operation.answered_at;
    if (operation.outcome == AdminOutcome::ok) {
      auto again =
          std::lower_bound(ok_write_times.begin(), ok_write_times.end(), *operation.answered_at);
      if (again != ok_write_times.end()) change.writes_again_at = *again;
    }
    // The longest stretch without a served write from the request to the writes served again.
    Time previous = operation.requested_at;
    const Time end = change.writes_again_at.value_or(
        ok_write_times.empty() ? previous : std::max(previous, ok_write_times.back()));
    for (auto write = std::upper_bound(ok_write_times.begin(), ok_write_times.end(), previous);
         write != ok_write_times.end() && *write <= end; ++write) {
      change.write_gap = std::max(change.write_gap, *write - previous);
      previous = *write;
    }
    changes.push_back(std::move(change));
  }
  return changes;
}

void RecoveryTracker::on_event(Time now, std::string description) {
  if (measurements_.size() >= kMeasurementsMax) {
    ++unmeasured_;
    return;
  }
  RecoveryMeasurement measurement;
  measurement.event = std::move(description);
  measurement.at = now;
  measurements_.push_back(std::move(measurement));
  ++open_count_;
}

void RecoveryTracker::observe(Time now, const ClusterHealth& health,
                              const std::vector<Time>& ok_times) {
  RAFTSIM_CHECK(now >= last_observed_);
  // The time since the last observation counts as healthy if it was healthy then.
  const Time healthy_span = last_healthy_ ? now - last_observed_ : 0;
  const Time live_span = last_live_ ? now - last_observed_ : 0;
  last_observed_ = now;
  last_healthy_ = health.healthy_majority;
  last_live_ = health.live_majority;
  for (std::size_t i = first_open_; i < measurements_.size(); ++i) {
    RecoveryMeasurement& measurement = measurements_[i];
    if (measurement.recovered_at) continue;
    measurement.healthy_time += std::min(healthy_span, now - measurement.at);
    measurement.live_time += std::min(live_span, now - measurement.at);
    if (!measurement.leader_at && health.stable_leader) measurement.leader_at = now;
    if (!measurement.commit_at) {
      auto after = std::upper_bound(ok_times.begin(), ok_times.end(), measurement.at);
      if (after != ok_times.end()) measurement.commit_at = *after;
    }
    // Recovered: a stable leader now, and (with clients) an operation that succeeded once the
    // leader was there (an answer from before the new leader settled proves nothing).
    const bool committed = !need_commit_ || (measurement.commit_at && measurement.leader_at &&
                                             ok_times.back() >= *measurement.leader_at);
    if (measurement.leader_at && health.stable_leader && committed) {
      if (need_commit_) {
        auto after = std::lower_bound(ok_times.begin(), ok_times.end(), *measurement.leader_at);
        measurement.commit_at = *after;
      }
      measurement.recovered_at = now;
      --open_count_;
    }
    if (!failed_early_ && recovery_max_ && measurement.healthy_time > *recovery_max_) {
      failed_early_ = RecoveryVerdict{
          "\"" + measurement.event + "\" at " + std::to_string(measurement.at / kMillisecond) +
              " ms: not recovered within " + std::to_string(*recovery_max_ / kMillisecond) +
              " ms of healthy-majority time",
          std::nullopt, now};
    }
  }
  while (first_open_ < measurements_.size() && measurements_[first_open_].recovered_at) {
    ++first_open_;
  }
}

RecoveryVerdict RecoveryTracker::verdict() const {
  RecoveryVerdict verdict;
  if (failed_early_) verdict = *failed_early_;
  for (std::size_t i = first_open_; i < measurements_.size(); ++i) {
    const RecoveryMeasurement& measurement = measurements_[i];
    if (measurement.recovered_at || measurement.live_time < liveness_timeout_) continue;
    verdict.liveness_failure =
        "\"" + measurement.event + "\" at " + std::to_string(measurement.at / kMillisecond) +
        " ms: no recovery after " + std::to_string(measurement.live_time / kMillisecond) +
        " ms with a live majority (" +
        (measurement.leader_at ? "a stable leader appeared, but no client "
                                 "operation succeeded"
                               : "no stable leader") +
        ")";
    if (!verdict.recovery_failure) verdict.failure_at = last_observed_;
    break;
  }
  return verdict;
}

std::vector<Time> RecoveryTracker::recovery_times() const {
  std::vector<Time> times;
  for (const RecoveryMeasurement& measurement : measurements_) {
    if (measurement.recovered_at) times.push_back(measurement.recovery_time());
  }
  std::sort(times.begin(), times.end());
  return times;
}

Time RecoveryTracker::percentile(const std::vector<Time>& sorted, unsigned percent) {
  if (sorted.empty()) return 0;
  // Nearest rank: the smallest value with at least percent% of the values at or below it.
  std::size_t rank = (sorted.size() * percent + 99) / 100;
  if (rank == 0) rank = 1;
  return sorted[std::min(rank, sorted.size()) - 1];
}

}  // namespace raftsim::sim
