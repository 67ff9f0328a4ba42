// raftsim: swarm scenario generation (see generate.h). Every draw comes from the run's own
// `fuzz/generate` stream, so adding a knob here changes generated scenarios but never the
// simulator's own streams.
#include "sim/fuzz/generate.h"

#include <algorithm>
#include <string>

#include "raft/base/check.h"
#include "sim/checkers/leadership.h"
#include "sim/fuzz/fault_steps.h"
#include "sim/fuzz/generate_knobs.h"
#include "sim/fuzz/generate_membership.h"
#include "sim/kernel/random.h"
#include "sim/scenario/parse.h"

namespace raftsim::sim {
namespace {

// Generated runs are short: a campaign should do tens of runs per second per core.
constexpr std::int64_t kDurationMsMin = 2'000, kDurationMsMax = 5'000;
// The largest static clock drift drawn; equals RaftConfig::clock_drift_max_ppm, the drift lease
// reads are built to tolerate, so correct code must pass at this bound.
constexpr std::int64_t kDriftPpmMax = 300'000;
constexpr std::uint64_t kLinearizabilityStepsMax = 2'000'000;  // unknown beyond: not a failure

Scenario defaults() {
  auto parsed = parse_scenario(R"({"version": 1, "name": "fuzz"})", "<fuzz>");
  RAFTSIM_CHECK(parsed.ok());
  return std::move(parsed).value();
}

using fuzz_steps::fields;
using fuzz_steps::ms;
using fuzz_steps::step_at;

void draw_timing(Random& random, Scenario& scenario) {
  ServiceClusterOptions& cluster = scenario.cluster;
  const std::uint32_t timeout_min = static_cast<std::uint32_t>(random.between(15, 40));
  cluster.raft.election_timeout_ticks_min = timeout_min;
  // A narrow timeout range makes elections punctual: windows between a lease and the next
  // election are then the same every time rather than smeared out.
  cluster.raft.election_timeout_ticks_max =
      random.chance(Ratio{1, 2}) ? timeout_min * 2
                                 : timeout_min + static_cast<std::uint32_t>(random.between(2, 6));
  cluster.raft.heartbeat_ticks = static_cast<std::uint32_t>(random.between(2, timeout_min / 3));
  const std::int64_t latency_max = random.chance(Ratio{1, 2}) ? 5 : random.between(5, 25);
  cluster.link.latency_min = ms(1);
  cluster.link.latency_max = ms(latency_max);
  if (random.chance(Ratio{1, 4})) {
    cluster.link.reorder = Ratio::percent(random.between(1, 20));
    cluster.link.reorder_delay_max = ms(random.between(5, 50));
  }
  // Slow disks widen every window between a write and its fsync.
  if (random.chance(Ratio{1, 3})) {
    cluster.disk.sync_latency_min = ms(random.between(1, 5));
    cluster.disk.sync_latency_max = cluster.disk.sync_latency_min + ms(random.between(5, 40));
  }
  // Lease reads are only as good as the clocks: with them on, always draw some drift.
  if (cluster.raft.lease_read || random.chance(Ratio{1, 2})) {
    cluster.clocks.assign(cluster.nodes, ClockConfig{});
    for (ClockConfig& clock : cluster.clocks) {
      if (!random.chance(Ratio{1, 2})) continue;
      clock.drift_ppm = random.chance(Ratio{1, 2})
                            ? (random.chance(Ratio{1, 2}) ? 1 : -1) * kDriftPpmMax
                            : random.between(-kDriftPpmMax, kDriftPpmMax);
      clock.wall_offset = ms(random.between(-2'000, 2'000));
    }
  }
}

void draw_workload(Random& random, Scenario& scenario) {
  ServiceClusterOptions& cluster = scenario.cluster;
  cluster.clients = static_cast<NodeIndex>(random.between(1, 4));
  KvWorkload& workload = cluster.workload;
  workload.think_time_max = ms(random.between(0, 20));
  workload.request_timeout = ms(random.chance(Ratio{1, 2}) ? 100 : 300);
  if (random.chance(Ratio{1, 2})) {
    cluster.workload_type = ServiceClusterOptions::Workload::queue;
    QueueWorkload& queue = cluster.queue;
    queue.producers = static_cast<std::uint32_t>(random.between(1, 2));
    queue.workers = static_cast<std::uint32_t>(random.between(1, 3));
    queue.jobs_per_producer = static_cast<std::uint64_t>(random.between(10, 60));
    queue.lease = ms(random.between(100, 600));
    queue.work_max = ms(random.between(20, 300));
    queue.work_min = ms(5);
    queue.abandon_percent = static_cast<std::uint32_t>(random.between(0, 10));
    queue.stall_percent = static_cast<std::uint32_t>(random.between(0, 10));
    queue.fail_percent = static_cast<std::uint32_t>(random.between(0, 20));
    return;
  }
  workload.keys = static_cast<std::uint32_t>(random.between(1, 4));
  workload.sessions = static_cast<std::uint32_t>(random.between(1, 2));
  cluster.raft.lease_read = random.chance(Ratio{1, 2});
  // Read-heavy: reads are where stale state shows, above all with lease reads.
  if (random.chance(cluster.raft.lease_read ? Ratio{2, 3} : Ratio{1, 3})) {
    workload.get_weight = 20;
    workload.put_weight = 1;
    workload.append_weight = 1;
    workload.cas_weight = 0;
  }
  // PreVote and CheckQuorum: drawn with the other knobs (generate_knobs.h), for queue runs too.
}

void draw_nemesis(Random& random, Scenario& scenario) {
  Nemesis nemesis;
  while (nemesis.kinds.empty()) {
    // Membership changes need spare server slots and the operator console: not drawn here.
    for (std::size_t kind = 0; kind < kNemesisKindsWithoutMembership; ++kind) {
      if (random.chance(Ratio{1, 2}))
        nemesis.kinds.push_back(NemesisKind{static_cast<std::uint8_t>(kind)});
    }
  }
  nemesis.kind_budgets.assign(kNemesisKinds, UINT32_MAX);
  nemesis.start = ms(random.between(200, 1'000));
  nemesis.stop = scenario.duration;
  nemesis.interval_min = ms(random.between(10, 300));
  nemesis.interval_max = nemesis.interval_min + ms(random.between(0, 1'000));
  nemesis.hold_min = ms(random.between(50, 500));
  nemesis.hold_max = nemesis.hold_min + ms(random.between(0, 1'500));
  nemesis.faults_max = static_cast<std::uint32_t>(random.between(1, 12));
  scenario.nemesis = nemesis;
}

// Every node loses power at once (unsynced writes gone), then all restart: the one fault the
// one-at-a-time nemesis cannot produce.
void draw_power_loss(Random& random, Scenario& scenario) {
  const Time at = ms(random.between(500, scenario.duration / kMillisecond - 200));
  FaultStep crash;
  crash.at = at;
  crash.fault = CrashFault{"all"};
  crash.comment = "power loss";
  FaultStep restart = crash;
  restart.at = std::min(at + ms(random.between(10, 300)), scenario.duration - ms(1));
  restart.fault = RestartFault{"down"};
  scenario.faults.push_back(crash);
  scenario.faults.push_back(restart);
}

// The leader (and in a 5-node cluster one follower) cut off at `at` together with some clients,
// which can then reach only that minority: what a datacenter split does to application servers
// too. With `slow_clock` the leader's clock is first slowed down to the drift bound (and maybe
// the others' sped up), so its lease, if it reads with one, runs as long as the bound allows.
// Returns when it heals.
Time draw_leader_split(Random& random, Scenario& scenario, Time at, bool slow_clock,
                       const std::string& name) {
  const NodeIndex clients = scenario.cluster.clients;
  RAFTSIM_CHECK(clients >= 2);
  FaultStep split;
  split.at = at;
  split.fault = PartitionFault{};
  std::vector<Selector> minority = {"leader"};
  if (slow_clock) {
    const Time slow_at = split.at - ms(random.between(100, 400));
    ClockFault slowed;
    slowed.target = "leader";
    slowed.drift_ppm = random.chance(Ratio{1, 2}) ? -kDriftPpmMax
                                                  : -random.between(kDriftPpmMax / 2, kDriftPpmMax);
    FaultStep slow = step_at(slow_at, slowed, "");
    slow.bind_as = name;
    scenario.faults.push_back(slow);
    if (random.chance(Ratio{1, 2})) {  // and the others' clocks fast: both ends of the bound
      FaultStep fast = slow;
      fields<ClockFault>(fast).target = "followers";
      fast.bind_as.clear();
      fields<ClockFault>(fast).drift_ppm = kDriftPpmMax;
      scenario.faults.push_back(fast);
    }
    minority = {name};
  }
  if (scenario.cluster.nodes >= 5 && random.chance(Ratio{1, 2})) minority.push_back("follower");
  const NodeIndex confined = static_cast<NodeIndex>(random.between(1, clients - 1));
  for (NodeIndex client = 0; client < confined; ++client) {
    minority.push_back("c" + std::to_string(client));
  }
  fields<PartitionFault>(split).groups = {minority, {"others"}};
  split.comment = "leader and clients split off";
  FaultStep heal;
  heal.at = std::min(split.at + ms(random.between(300, 3'000)), scenario.duration - ms(1));
  heal.fault = HealFault{};
  scenario.faults.push_back(split);
  scenario.faults.push_back(heal);
  return heal.at;
}

void draw_client_partition(Random& random, Scenario& scenario) {
  if (scenario.cluster.clients < 2) return;
  const Time at = ms(random.between(500, scenario.duration / kMillisecond - 500));
  // Lease reads go wrong when a leader that still trusts its lease is cut off.
  const bool slow_clock =
      random.chance(scenario.cluster.raft.lease_read ? Ratio{3, 4} : Ratio{1, 2});
  draw_leader_split(random, scenario, at, slow_clock, "drifted");
}

// Log compaction in half the runs: frequent snapshots, few entries kept and small chunks, so
// lagging or restarted nodes go through snapshot install and snapshot recovery often, and now and
// then a duplicating link so late copies of old chunks arrive. Drawn from a stream of its own, so
// the other knobs of a run are what they were before this one existed.
void draw_snapshots(std::uint64_t seed, Scenario& scenario) {
  Random random = Random::stream(seed, "fuzz/generate/snapshots");
  ServiceClusterOptions& cluster = scenario.cluster;
  // Producers that re-send old keyed enqueues test that idempotency keys survive everything,
  // snapshots included.
  if (cluster.workload_type == ServiceClusterOptions::Workload::queue &&
      random.chance(Ratio{1, 2})) {
    cluster.queue.resend_percent = static_cast<std::uint32_t>(random.between(5, 30));
  }
  if (!random.chance(Ratio{1, 2})) return;
  cluster.snapshot_every_entries = static_cast<std::uint64_t>(random.between(8, 80));
  cluster.raft.entries_kept_after_snapshot = static_cast<std::size_t>(random.between(0, 10));
  const std::int64_t chunk_bytes[] = {64, 256, 1024, 4096, 65536};
  cluster.raft.snapshot_chunk_bytes_max =
      static_cast<std::size_t>(chunk_bytes[random.between(0, 4)]);
  if (random.chance(Ratio{1, 3})) {
    cluster.link.duplicate = Ratio::percent(random.between(1, 10));
    cluster.link.reorder = Ratio::percent(random.between(5, 30));
    cluster.link.reorder_delay_max = ms(random.between(20, 200));
  }
}

Time election_timeout(const Scenario& scenario) {
  return scenario.cluster.tick_ns * scenario.cluster.raft.election_timeout_ticks_min;
}

// Candidates of one term race when their timeouts fire within a link latency of each other:
// a range of a few ticks after a shared heartbeat makes that the rule. The links are slow and
// jittery enough that vote requests stay in flight for tens of milliseconds, yet an election
// (two link delays) still fits in the timeout many times over, so correct code stays live.
void draw_racing_elections(Random& random, Scenario& scenario) {
  RaftConfig& raft = scenario.cluster.raft;
  const std::int64_t latency_max = random.between(10, 40);
  scenario.cluster.link.latency_min = ms(1);
  scenario.cluster.link.latency_max = ms(latency_max);
  const std::int64_t tick_ms = scenario.cluster.tick_ns / kMillisecond;
  const std::int64_t timeout_ticks_min = std::max<std::int64_t>(10, 6 * latency_max / tick_ms);
  raft.election_timeout_ticks_min =
      static_cast<std::uint32_t>(random.between(timeout_ticks_min, timeout_ticks_min + 10));
  raft.election_timeout_ticks_max =
      raft.election_timeout_ticks_min + static_cast<std::uint32_t>(random.between(1, 3));
  raft.heartbeat_ticks = static_cast<std::uint32_t>(
      random.between(2, std::max<std::int64_t>(2, raft.election_timeout_ticks_min / 4)));
}

// Figure 8's engine: leaders crash soon after they are elected (a "leader" step waits for the
// next one), with entries of their term on only some followers, and come back a little later.
void draw_leader_churn(Random& random, Scenario& scenario) {
  const Time timeout = election_timeout(scenario);
  const Time end = scenario.duration - ms(100);
  Time at = ms(random.between(300, 800));
  const std::int64_t rounds = random.between(2, 8);
  for (std::int64_t round = 0; round < rounds && at < end; ++round) {
    const std::string name = "churn" + std::to_string(round);
    FaultStep crash = step_at(at, CrashFault{"leader"}, "leader churn");
    crash.bind_as = name;
    const Time down = random.between(ms(5), std::max(ms(10), 2 * timeout));
    scenario.faults.push_back(crash);
    scenario.faults.push_back(
        step_at(std::min(at + down, end), RestartFault{name}, "leader churn"));
    at += down + random.between(ms(1), std::max(ms(2), 3 * timeout));
  }
}

// The leader cut off with a minority (in a 5-node cluster, one follower too): it keeps taking
// writes of its term and replicating them to that minority, while the majority elects a newer
// leader: the divergent logs Figure 8 starts from.
void draw_minority_leader(Random& random, Scenario& scenario) {
  const Time end = scenario.duration - ms(100);
  Time at = ms(random.between(300, 1'500));
  const std::int64_t rounds = random.between(1, 4);
  for (std::int64_t round = 0; round < rounds && at < end; ++round) {
    FaultStep split = step_at(at, PartitionFault{}, "leader cut off with a minority");
    std::vector<Selector> minority = {"leader"};
    if (scenario.cluster.nodes >= 5 && random.chance(Ratio{3, 4})) minority.push_back("follower");
    fields<PartitionFault>(split).groups = {minority, {"others"}};
    const Time hold = ms(random.between(50, 800));
    scenario.faults.push_back(split);
    scenario.faults.push_back(step_at(std::min(at + hold, end), HealFault{}, "heal"));
    at += hold + ms(random.between(50, 800));
  }
}

// A follower crashes as an election ends (the step waits for the new leader) and is back within
// milliseconds, on disks with slow fsyncs: the crash lands while a vote or an append is being made
// durable, and requests of a rival candidate may still be on their way to it.
void draw_voter_crashes(Random& random, Scenario& scenario) {
  scenario.cluster.disk.sync_latency_min = ms(random.between(1, 5));
  scenario.cluster.disk.sync_latency_max =
      scenario.cluster.disk.sync_latency_min + ms(random.between(5, 30));
  const Time end = scenario.duration - ms(100);
  Time at = ms(random.between(200, 1'000));
  const std::int64_t rounds = random.between(2, 10);
  for (std::int64_t round = 0; round < rounds && at < end; ++round) {
    const std::string name = "voter" + std::to_string(round);
    FaultStep crash = step_at(at, CrashFault{"follower"}, "voter crash");
    crash.bind_as = name;
    const Time down = ms(random.between(1, 30));
    scenario.faults.push_back(crash);
    scenario.faults.push_back(step_at(std::min(at + down, end), RestartFault{name}, "voter crash"));
    at += down + ms(random.between(50, 600));
  }
}

void draw_small_batches(Random& random, Scenario& scenario) {
  scenario.cluster.raft.entries_per_message_max = static_cast<std::size_t>(random.between(1, 3));
  scenario.cluster.raft.inflight_messages_max = static_cast<std::uint32_t>(random.between(1, 4));
}

// Figure 8 as the model checker finds it (scenarios/explore-commit-prev-term.json), replayed on
// a timed cluster. One round: (1) the leader A is cut off with one follower F and keeps taking
// writes of its term, then crashes: a tail of old-term entries on F only; (2) the next leader B
// is cut off and crashed as soon as it is elected (the step waits for it; links are slow
// meanwhile, so B's first appends are still in flight and the cut drops them): B holds an entry
// of a newer term nobody else has; (3) on fast links F (or another node) is elected, sends the
// old tail one entry per append to the nodes lacking it and is cut off and crashed within
// milliseconds of its election, before its own term's entry reaches a majority; (4) B comes
// back and can win with the votes of nodes that hold the old tail but no entry of F's term.
// Correct code never commits the tail by counting, so B overwriting it is legal.
void draw_figure_8_rounds(Random& random, Scenario& scenario) {
  RaftConfig& raft = scenario.cluster.raft;
  raft.entries_per_message_max = 1;
  raft.inflight_messages_max = 1;
  // Fast links fit the elected node's probe, the rejection and the first old entry's round
  // trip into the 10 ms the "leader" step waits between polls.
  scenario.cluster.link.latency_min = Time{300'000};  // 0.3 ms
  scenario.cluster.link.latency_max = ms(1);
  scenario.cluster.link.reorder = Ratio::zero();
  const Time end = scenario.duration - ms(100);
  Time at = ms(random.between(300, 800));
  const std::int64_t rounds = random.between(2, 4);
  // A round spans at most 1,154 ms of schedule: start one only if all of it fits, so no restart
  // is clamped before the crash that binds its name.
  constexpr std::int64_t kRoundMsMax = 150 + 4 + 1'000;
  for (std::int64_t round = 0; round < rounds && at + ms(kRoundMsMax) < end; ++round) {
    const std::string tag = "f8r" + std::to_string(round) + "-";
    const std::string comment = "figure-8 round";
    FaultStep split = step_at(at, PartitionFault{}, comment);
    fields<PartitionFault>(split).groups = {{"leader", "follower"}, {"others"}};
    scenario.faults.push_back(split);
    at += ms(random.between(30, 150));  // the tail grows; shorter than an election timeout
    FaultStep crash_a = step_at(at, CrashFault{"leader"}, comment);
    crash_a.bind_as = tag + "a";
    scenario.faults.push_back(crash_a);
    scenario.faults.push_back(step_at(at, HealFault{}, comment));
    FaultStep slow = step_at(at, LinkFault{}, comment);
    fields<LinkFault>(slow).from = {"all"};
    fields<LinkFault>(slow).to = {"all"};
    fields<LinkFault>(slow).change.latency_min = ms(15);
    fields<LinkFault>(slow).change.latency_max = ms(30);
    scenario.faults.push_back(slow);
    FaultStep cut_b = step_at(at + ms(1), IsolateFault{"leader"}, comment);
    cut_b.bind_as = tag + "b";
    scenario.faults.push_back(cut_b);
    scenario.faults.push_back(step_at(at + ms(2), CrashFault{tag + "b"}, comment));
    FaultStep fast = step_at(at + ms(2), LinkFault{}, comment);
    fields<LinkFault>(fast).from = {"all"};
    fields<LinkFault>(fast).to = {"all"};
    fields<LinkFault>(fast).change.reset = true;
    scenario.faults.push_back(fast);
    FaultStep cut_c = step_at(at + ms(3), IsolateFault{"leader"}, comment);
    cut_c.bind_as = tag + "c";
    scenario.faults.push_back(cut_c);
    scenario.faults.push_back(step_at(at + ms(4), CrashFault{tag + "c"}, comment));
    scenario.faults.push_back(step_at(at + ms(4), HealFault{}, comment));
    scenario.faults.push_back(step_at(at + ms(4), RestartFault{tag + "b"}, comment));
    // A and F's successor stay down while B campaigns; the steps above may wait for elections,
    // so these come well after them (later steps wait behind earlier ones anyway).
    at += ms(random.between(700, 1'000));
    scenario.faults.push_back(step_at(at, RestartFault{tag + "a"}, comment));
    scenario.faults.push_back(step_at(at, RestartFault{tag + "c"}, comment));
    at += ms(random.between(200, 500));
  }
}

// A leader serving lease reads to some clients is cut off with them, one to three times, its
// clock slowed to the drift bound first: if its lease outlives the majority's election timeout
// (by real time), a newer leader takes writes that its readers never see. A read-heavy key-value
// workload with lease reads on, and no process pauses (a paused leader's lease is unsafe by
// design; see draw_workload's caller).
void draw_lease_reads(Random& random, Scenario& scenario) {
  ServiceClusterOptions& cluster = scenario.cluster;
  cluster.workload_type = ServiceClusterOptions::Workload::kv;
  cluster.raft.lease_read = true;
  cluster.raft.check_quorum = true;
  // Never fewer clients than drawn: earlier steps may name them.
  cluster.clients = std::max(cluster.clients, static_cast<NodeIndex>(random.between(2, 4)));
  cluster.workload.keys = static_cast<std::uint32_t>(random.between(1, 4));
  cluster.workload.sessions = 1;
  cluster.workload.get_weight = 20;
  cluster.workload.put_weight = 1;
  cluster.workload.append_weight = 1;
  cluster.workload.cas_weight = 0;
  if (scenario.nemesis) {
    std::erase(scenario.nemesis->kinds, NemesisKind::of<PauseFault>());
    if (scenario.nemesis->kinds.empty())
      scenario.nemesis->kinds.push_back(NemesisKind::of<CrashFault>());
  }
  const Time end = scenario.duration - ms(100);
  Time at = ms(random.between(600, 1'200));
  const std::int64_t rounds = random.between(1, 3);
  for (std::int64_t round = 0; round < rounds && at < end; ++round) {
    const Time healed =
        draw_leader_split(random, scenario, at, true, "lease-holder" + std::to_string(round));
    at = healed + ms(random.between(400, 1'000));
  }
}

// Figure 8 on three nodes with three faults a round, the form the model checker finds
// (scenarios/explore-commit-prev-term.json): (1) the leader A is cut off while its latest
// entries are still being made durable (fsyncs are slow, and a leader sends only after its
// own): they stay on A alone; (2) the next leader B is cut off within a millisecond of its
// election, before its first entry leaves (a "new-leader" step), and the same partition lets A
// back to the third node C; (3) A wins the next term with C's vote, sends C its old-term entries
// one per append, and is crashed once it has led for 80-200 ms: after C holds some of them but,
// often, before A's own-term entry reaches C; (4) B returns and wins with C's vote (its last
// term is newer), overwriting what C holds of A's entries. Correct code never commits those
// entries by counting, so that is legal.
void draw_figure_8_three_nodes(Random& random, Scenario& scenario) {
  RaftConfig& raft = scenario.cluster.raft;
  raft.entries_per_message_max = 1;
  raft.inflight_messages_max = 1;
  raft.pre_vote = true;
  raft.check_quorum = true;
  scenario.cluster.disk.sync_latency_min = ms(random.between(5, 12));
  scenario.cluster.disk.sync_latency_max =
      scenario.cluster.disk.sync_latency_min + ms(random.between(10, 25));
  scenario.cluster.link.latency_min = ms(1);
  scenario.cluster.link.latency_max = ms(random.between(2, 6));
  scenario.cluster.link.reorder = Ratio::zero();
  Time at = ms(random.between(300, 800));
  const std::int64_t rounds = random.between(1, 2);
  // Room for every round (at most 2 s each) and for the last one's aftermath.
  scenario.duration = std::max(scenario.duration, at + rounds * ms(2'000) + ms(500));
  for (std::int64_t round = 0; round < rounds; ++round) {
    const std::string comment = "figure-8 round (3 nodes)";
    scenario.faults.push_back(step_at(at, IsolateFault{"leader"}, comment));
    FaultStep split = step_at(at + ms(1), PartitionFault{}, comment);
    fields<PartitionFault>(split).groups = {{"new-leader"}, {"others"}};
    scenario.faults.push_back(split);
    FaultStep crash = step_at(at + ms(2), CrashFault{"new-leader"}, comment);
    crash.leading_min = ms(random.between(80, 200));
    crash.bind_as = "f8r" + std::to_string(round) + "-a";
    scenario.faults.push_back(crash);
    scenario.faults.push_back(step_at(at + ms(3), HealFault{}, comment));
    // The steps above wait for elections; this one comes after them (later steps wait anyway).
    at += ms(random.between(1'000, 1'500));
    scenario.faults.push_back(step_at(at, RestartFault{crash.bind_as}, comment));
    at += ms(random.between(200, 500));
  }
}

// Applies the run's profiles after the base draws, which they override where they overlap.
void apply_profiles(const FuzzProfiles& profiles, std::uint64_t seed, Scenario& scenario) {
  Random random = Random::stream(seed, "fuzz/generate/profiles/apply");
  // Figure 8 on five nodes as in the paper, or on three as the model checker finds it.
  const bool figure_8_on_three = profiles.figure_8 && random.chance(Ratio{1, 2});
  if (profiles.figure_8) {
    scenario.cluster.nodes = figure_8_on_three ? 3 : 5;
    if (!scenario.cluster.clocks.empty()) scenario.cluster.clocks.resize(scenario.cluster.nodes);
  }
  if (profiles.racing_elections) draw_racing_elections(random, scenario);
  if (profiles.small_batches) draw_small_batches(random, scenario);
  if (profiles.leader_churn) draw_leader_churn(random, scenario);
  if (profiles.minority_leader) draw_minority_leader(random, scenario);
  if (profiles.figure_8 && !figure_8_on_three) draw_figure_8_rounds(random, scenario);
  if (figure_8_on_three) draw_figure_8_three_nodes(random, scenario);
  if (profiles.voter_crashes) draw_voter_crashes(random, scenario);
  if (profiles.lease_reads) draw_lease_reads(random, scenario);
  if (profiles.membership) draw_membership(seed, scenario);
}

}  // namespace

std::string FuzzProfiles::describe() const {
  std::string text;
  const std::pair<bool, const char*> named[] = {
      {racing_elections, "racing-elections"}, {leader_churn, "leader-churn"},
      {minority_leader, "minority-leader"},   {voter_crashes, "voter-crashes"},
      {small_batches, "small-batches"},       {figure_8, "figure-8"},
      {lease_reads, "lease-reads"},           {membership, "membership"}};
  for (const auto& [on, name] : named) {
    if (on) text += (text.empty() ? "" : ", ") + std::string(name);
  }
  return text.empty() ? "none" : text;
}

FuzzProfiles draw_fuzz_profiles(std::uint64_t run_seed, const FuzzProfileWeights& weights) {
  Random random = Random::stream(run_seed, "fuzz/generate/profiles");
  FuzzProfiles profiles;
  profiles.racing_elections = random.chance(weights.of(SteeredProfile::racing_elections));
  profiles.leader_churn = random.chance(weights.of(SteeredProfile::leader_churn));
  profiles.minority_leader = random.chance(weights.of(SteeredProfile::minority_leader));
  profiles.voter_crashes = random.chance(weights.of(SteeredProfile::voter_crashes));
  profiles.small_batches = random.chance(weights.of(SteeredProfile::small_batches));
  profiles.figure_8 = random.chance(weights.of(SteeredProfile::figure_8));
  // Crashes, churn and cut-offs of their own would end the lease before the split it needs.
  if (random.chance(weights.of(SteeredProfile::lease_reads)))
    profiles = FuzzProfiles{.lease_reads = true};
  // Figure 8 and lease reads choreograph a fixed cluster; the membership profile resizes it.
  const bool membership = random.chance(weights.of(SteeredProfile::membership));
  profiles.membership = membership && !profiles.lease_reads && !profiles.figure_8;
  return profiles;
}

// Generated runs judge liveness: a live majority must have a stable leader within the bound the
// drawn timing gives; a fault still unrecovered after as much healthy time fails too; and the
// run settles for longer than both, so a cluster that never converges fails `liveness` instead
// of ending unknown with no stable leader.
void set_liveness_bounds(Scenario& scenario) {
  const Time bound = default_stable_leader_bound(scenario.cluster);
  scenario.checks.stable_leader_bound = bound;
  if (bound == 0) return;  // timing that promises no leader (default_stable_leader_bound)
  scenario.checks.liveness_timeout = bound;
  scenario.settle_max = std::max(scenario.settle_max, bound + kSettlePastLivenessBound);
}

bool draw_fuzz_perturb(std::uint64_t run_seed, const FuzzProfileWeights& weights) {
  return Random::stream(run_seed, "fuzz/generate/perturb")
      .chance(weights.of(SteeredProfile::perturb));
}

std::uint64_t fuzz_events_max(const Scenario& scenario) {
  const std::uint64_t simulated_s =
      static_cast<std::uint64_t>((scenario.duration + scenario.settle_max) / seconds(1)) + 1;
  return std::min(kScenarioEventsMax, simulated_s * kFuzzEventsPerSimulatedSecondMax);
}

std::uint64_t fuzz_run_seed(std::uint64_t campaign_seed, std::uint64_t run_index) {
  Random random = Random::stream(campaign_seed, "fuzz/run/" + std::to_string(run_index));
  const std::uint64_t seed = random.next_u64() >> 1;  // positive as a JSON integer too
  return seed == 0 ? 1 : seed;
}

Scenario generate_scenario(const FuzzRunSpec& spec) {
  const std::uint64_t seed = fuzz_run_seed(spec.campaign_seed, spec.run_index);
  Random random = Random::stream(seed, "fuzz/generate");
  Scenario scenario = spec.base != nullptr ? *spec.base : defaults();
  scenario.seed = seed;
  scenario.name = (spec.base != nullptr ? spec.base->name : std::string("fuzz")) + "-" +
                  std::to_string(spec.campaign_seed) + "-" + std::to_string(spec.run_index);
  scenario.file =
      "fuzz:" + std::to_string(spec.campaign_seed) + "/" + std::to_string(spec.run_index);
  scenario.bug = spec.bug != Bug::none ? spec.bug : scenario.bug;
  scenario.expect = Expectation{};
  if (spec.base != nullptr) {
    if (scenario.events_max == 0) scenario.events_max = fuzz_events_max(scenario);
    if (!scenario.nemesis && scenario.faults.empty()) draw_nemesis(random, scenario);
    return scenario;
  }
  const FuzzProfileWeights weights = spec.weights != nullptr ? *spec.weights : FuzzProfileWeights{};
  const FuzzProfiles profiles = draw_fuzz_profiles(seed, weights);
  scenario.cluster.perturb = draw_fuzz_perturb(seed, weights);
  scenario.description =
      "generated by raftsim fuzz (swarm testing); profiles: " + profiles.describe() +
      (scenario.cluster.perturb ? "; perturbed" : "");
  scenario.duration = ms(random.between(kDurationMsMin, kDurationMsMax));
  scenario.settle_max = seconds(5);
  scenario.cluster.nodes = random.chance(Ratio{1, 2}) ? 3 : 5;
  draw_workload(random, scenario);
  draw_timing(random, scenario);
  draw_nemesis(random, scenario);
  if (scenario.cluster.raft.lease_read) {
    // A paused leader's ticks stop, so its lease outlives real time: lease reads are unsafe
    // across process pauses by design (scenarios/lease-read-with-paused-leader.json shows it).
    std::erase(scenario.nemesis->kinds, NemesisKind::of<PauseFault>());
    if (scenario.nemesis->kinds.empty())
      scenario.nemesis->kinds.push_back(NemesisKind::of<CrashFault>());
  }
  if (random.chance(Ratio{1, 4})) draw_power_loss(random, scenario);
  // Lease reads go wrong when a leader that still trusts its lease is cut off: split often.
  const Ratio split = scenario.cluster.raft.lease_read ? Ratio{3, 4} : Ratio{1, 2};
  if (random.chance(split)) draw_client_partition(random, scenario);
  draw_snapshots(seed, scenario);
  // (The lease-reads profile replaces the workload with its own read-heavy one.)
  const std::string drawn_mix = draw_config_knobs(seed, scenario);
  const std::string mix =
      profiles.lease_reads ? std::string("read-heavy (lease reads)") : drawn_mix;
  apply_profiles(profiles, seed, scenario);
  const std::string fault_knobs = draw_fault_knobs(seed, scenario);
  scenario.description += "; knobs: " + describe_knobs(scenario) + ", " + mix +
                          (fault_knobs.empty() ? "" : ", " + fault_knobs);
  std::stable_sort(scenario.faults.begin(), scenario.faults.end(),
                   [](const FaultStep& a, const FaultStep& b) { return a.at < b.at; });
  set_liveness_bounds(scenario);
  scenario.checks.linearizability_steps_max = kLinearizabilityStepsMax;
  scenario.events_max = fuzz_events_max(scenario);
  return scenario;
}

}  // namespace raftsim::sim
