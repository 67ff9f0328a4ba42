// raftsim: per-run knobs of generated scenarios (see generate_knobs.h).
#include "sim/fuzz/generate_knobs.h"

#include <algorithm>
#include <utility>

#include "raft/base/check.h"
#include "sim/fuzz/fault_steps.h"

namespace raftsim::sim {
namespace {

using fuzz_steps::fields;
using fuzz_steps::ms;
using fuzz_steps::step_at;

// Snapshot thresholds: a snapshot every few entries (installs and compaction all the time) or
// only every several hundred (long logs behind a snapshot).
constexpr std::int64_t kSnapshotEverySmallMax = 8, kSnapshotEveryLargeMin = 200,
                       kSnapshotEveryLargeMax = 2'000;
// WAL segment sizes drawn: small enough to roll many times in a 2-5 s run.
constexpr std::uint64_t kWalSegmentBytes[] = {256, 512, 1'024, 2'048, 4'096, 16'384};

const char* on_off(bool on) {
  return on ? "on" : "off";
}

// The read/write mix of a key-value run: as drawn before, read-heavy or write-heavy.
std::string draw_kv_mix(Random& random, Scenario& scenario) {
  KvWorkload& workload = scenario.cluster.workload;
  const std::int64_t mix = random.between(0, 2);
  if (scenario.cluster.raft.lease_read || mix == 0) return "kv mix as drawn";
  if (mix == 1) {  // reads: where stale state shows
    workload.get_weight = 20;
    workload.put_weight = 1;
    workload.append_weight = 1;
    workload.cas_weight = 0;
    return "read-heavy";
  }
  // Writes: long logs, full appends, many entries of each term behind every election.
  workload.get_weight = 1;
  workload.put_weight = 6;
  workload.append_weight = 6;
  workload.cas_weight = 2;
  workload.think_time_max = ms(random.between(0, 3));
  return "write-heavy";
}

// The mix of a queue run: as drawn, enqueue-heavy (long queues) or worker-heavy (leases raced).
std::string draw_queue_mix(Random& random, Scenario& scenario) {
  QueueWorkload& queue = scenario.cluster.queue;
  const std::int64_t mix = random.between(0, 2);
  if (mix == 0) return "queue mix as drawn";
  if (mix == 1) {
    queue.producers = 2;
    queue.workers = 1;
    queue.jobs_per_producer = static_cast<std::uint64_t>(random.between(60, 150));
    return "enqueue-heavy";
  }
  queue.producers = 1;
  queue.workers = static_cast<std::uint32_t>(random.between(3, 4));
  queue.jobs_per_producer = static_cast<std::uint64_t>(random.between(5, 20));
  return "worker-heavy";
}

// Queue runs: in half, delayed jobs (not_before); in half, jobs whose max_attempts is drawn per
// job down to 1, so dead-lettering on the first failure, and snapshots holding such jobs, occur.
// A stream of its own, so every other knob keeps its value.
void draw_queue_timing(std::uint64_t run_seed, Scenario& scenario) {
  if (scenario.cluster.workload_type != ServiceClusterOptions::Workload::queue) return;
  Random random = Random::stream(run_seed, "fuzz/generate/knobs/queue-timing");
  QueueWorkload& queue = scenario.cluster.queue;
  if (random.chance(Ratio{1, 2})) {
    queue.delayed_percent = static_cast<std::uint32_t>(random.between(10, 50));
    queue.delay_min = ms(random.between(0, 100));
    queue.delay_max = queue.delay_min + ms(random.between(50, 400));
  }
  if (random.chance(Ratio{1, 2})) {
    queue.max_attempts_min = 1;
    queue.max_attempts = static_cast<std::uint32_t>(random.between(2, 5));
  }
}

void draw_snapshot_thresholds(Random& random, ServiceClusterOptions& cluster) {
  if (cluster.snapshot_every_entries == 0) return;
  const std::int64_t size = random.between(0, 2);
  if (size == 1) {
    cluster.snapshot_every_entries =
        static_cast<std::uint64_t>(random.between(2, kSnapshotEverySmallMax));
  } else if (size == 2) {
    cluster.snapshot_every_entries =
        static_cast<std::uint64_t>(random.between(kSnapshotEveryLargeMin, kSnapshotEveryLargeMax));
  }
  if (random.chance(Ratio{1, 2})) {
    cluster.raft.entries_kept_after_snapshot = static_cast<std::size_t>(random.between(0, 2));
  }
}

// The index of a delay_messages kind named `name` (a name from kKindNames).
std::uint8_t kind_index(std::string_view name) {
  const auto* names = std::begin(DelayMessagesFault::kKindNames);
  const auto* found = std::find(names, std::end(DelayMessagesFault::kKindNames), name);
  RAFTSIM_CHECK(found != std::end(DelayMessagesFault::kKindNames));
  return static_cast<std::uint8_t>(found - names);
}

Time election_timeout_max(const Scenario& scenario) {
  return scenario.cluster.tick_ns * scenario.cluster.raft.election_timeout_ticks_max;
}

// One to three windows in which one kind of Raft message on some links is held back longer
// than the largest election timeout: vote replies that arrive after the candidate has moved on,
// append replies that come back after the leader has retried or lost its lease.
std::string draw_message_delays(Random& random, Scenario& scenario) {
  // Reply kinds twice as likely: the issue is replies that outlive the request's purpose.
  static constexpr std::string_view kKinds[] = {"vote_response",
                                                "vote_response",
                                                "pre_vote_response",
                                                "pre_vote_response",
                                                "append_response",
                                                "append_response",
                                                "append",
                                                "vote_request",
                                                "heartbeat_response"};
  static constexpr const char* kSenders[] = {"all", "random", "follower", "leader"};
  const Time timeout_max = election_timeout_max(scenario);
  const Time end = scenario.duration - ms(100);
  Time at = ms(random.between(300, 1'500));
  const std::int64_t windows = random.between(1, 3);
  std::string text;
  for (std::int64_t window = 0; window < windows && at < end; ++window) {
    DelayMessagesFault delay;
    delay.kind = kind_index(kKinds[random.below(std::size(kKinds))]);
    delay.from = {kSenders[random.below(std::size(kSenders))]};
    delay.to = {"all"};
    delay.delay = timeout_max + random.between(ms(1), 2 * timeout_max);
    const Time hold = random.between(timeout_max, 4 * timeout_max);
    scenario.faults.push_back(step_at(at, delay, "message delay"));
    DelayMessagesFault undo = delay;
    undo.from = {"all"};  // the sender selector may resolve differently now
    undo.delay = 0;
    scenario.faults.push_back(step_at(std::min(at + hold, end), undo, "message delay ends"));
    text += (text.empty() ? "" : ", ") + std::string(delay.kind_name()) + " +" +
            std::to_string(delay.delay / kMillisecond) + " ms";
    at += hold + ms(random.between(100, 1'000));
  }
  return "delayed " + text;
}

// A follower's sealed WAL segment (or its last record) takes a bit flip, then the node crashes
// and restarts: recovery must find the damage and stop the node rather than use a log with a hole
// in it. One node per run, so a majority is always left.
std::string draw_aimed_corruption(Random& random, Scenario& scenario) {
  const Time end = scenario.duration - ms(100);
  Time at = ms(random.between(800, 2'000));
  if (at + ms(50) >= end) return "";
  const std::string name = "corrupted";
  DiskFault corrupt;
  corrupt.target = "follower";
  corrupt.kind = DiskFault::Kind::corrupt;
  corrupt.aim = random.chance(Ratio{1, 2}) ? DiskFault::Aim::sealed_segment
                                           : DiskFault::Aim::last_record_of_sealed_segment;
  FaultStep step = step_at(at, corrupt, "aimed corruption");
  step.bind_as = name;
  scenario.faults.push_back(step);
  at += ms(random.between(0, 200));
  scenario.faults.push_back(step_at(at, CrashFault{name}, "aimed corruption"));
  at = std::min(at + ms(random.between(1, 300)), end);
  scenario.faults.push_back(step_at(at, RestartFault{name}, "aimed corruption"));
  return std::string(DiskFault::kAimNames[static_cast<std::size_t>(corrupt.aim)]) + " corrupted";
}

// Client faults: each episode pauses one client, crashes it (back after a while, or with two or
// more clients sometimes only at the final recovery) or, in queue runs, stalls its workers past
// their lease. One client a time and short holds: other clients keep serving, so recovery
// measurements still see operations succeed.
std::string draw_client_episode(Random& random, Scenario& scenario, Time at, Time end) {
  const ServiceClusterOptions& cluster = scenario.cluster;
  const std::string client = "c" + std::to_string(random.below(cluster.clients));
  const bool queue = cluster.workload_type == ServiceClusterOptions::Workload::queue;
  const std::int64_t kind = random.between(0, queue ? 2 : 1);  // pause, crash, stall
  if (kind == 0) {
    scenario.faults.push_back(step_at(at, PauseClientFault{client}, "client pause"));
    const Time resume = std::min(at + ms(random.between(20, 600)), end);
    scenario.faults.push_back(step_at(resume, ResumeClientFault{client}, "client pause ends"));
    return "pause " + client;
  }
  if (kind == 1) {
    scenario.faults.push_back(step_at(at, CrashClientFault{client}, "client crash"));
    if (cluster.clients >= 2 && random.chance(Ratio{1, 4})) return "crash " + client;
    const Time restart = std::min(at + ms(random.between(0, 400)), end);
    scenario.faults.push_back(step_at(restart, RestartClientFault{client}, "client restart"));
    return "crash-restart " + client;
  }
  StallWorkersFault stall;
  stall.target = client;
  // Past the lease, so the stalled workers come back to an expired lease (and often a job that
  // was leased again): their late heartbeat or completion meets the fencing.
  stall.duration =
      cluster.queue.lease + random.between(cluster.queue.lease / 4, cluster.queue.lease);
  const std::uint32_t workers = cluster.queue.workers;
  // With one client, stall all but one worker when there are several, so work goes on.
  if (cluster.clients == 1 && workers >= 2) {
    stall.workers = static_cast<std::uint32_t>(random.between(1, workers - 1));
  }
  scenario.faults.push_back(step_at(at, stall, "worker stall"));
  return "stall " + client + " workers";
}

}  // namespace

std::string draw_client_faults(std::uint64_t run_seed, Scenario& scenario) {
  Random random = Random::stream(run_seed, "fuzz/generate/knobs/clients");
  if (scenario.cluster.clients == 0 || !random.chance(kClientFaultRuns)) return "";
  const Time end = scenario.duration - ms(100);
  Time at = ms(random.between(300, 1'500));
  const std::int64_t episodes = random.between(1, 3);
  std::string text;
  for (std::int64_t episode = 0; episode < episodes && at < end; ++episode) {
    text += (text.empty() ? "" : ", ") + draw_client_episode(random, scenario, at, end);
    at += ms(random.between(300, 1'500));
  }
  return text;
}

std::string draw_torn_writes(std::uint64_t run_seed, Scenario& scenario) {
  Random random = Random::stream(run_seed, "fuzz/generate/knobs/torn-writes");
  if (!random.chance(kTornWriteRuns)) return "";
  const std::int64_t percent = random.between(50, 100);
  scenario.cluster.disk.torn_write_on_crash = Ratio::percent(percent);
  return "torn writes " + std::to_string(percent) + "%";
}

std::uint32_t draw_one_to_64_log_uniform(Random& random) {
  const std::int64_t octave = random.between(0, 6);
  if (octave == 0) return 1;
  const std::int64_t low = (std::int64_t{1} << (octave - 1)) + 1;
  return static_cast<std::uint32_t>(random.between(low, std::int64_t{1} << octave));
}

std::string draw_config_knobs(std::uint64_t run_seed, Scenario& scenario) {
  Random random = Random::stream(run_seed, "fuzz/generate/knobs/config");
  ServiceClusterOptions& cluster = scenario.cluster;
  RaftConfig& raft = cluster.raft;
  raft.entries_per_message_max = draw_one_to_64_log_uniform(random);
  raft.inflight_messages_max = draw_one_to_64_log_uniform(random);
  raft.pre_vote = random.chance(Ratio{1, 2});
  // Lease reads rest on CheckQuorum: a leader that cannot hear a majority must step down.
  raft.check_quorum = random.chance(Ratio{1, 2}) || raft.lease_read;
  draw_snapshot_thresholds(random, cluster);
  const std::string mix = cluster.workload_type == ServiceClusterOptions::Workload::kv
                              ? draw_kv_mix(random, scenario)
                              : draw_queue_mix(random, scenario);
  if (random.chance(Ratio{1, 3})) {
    cluster.wal_segment_bytes = kWalSegmentBytes[random.below(std::size(kWalSegmentBytes))];
  }
  draw_queue_timing(run_seed, scenario);
  return mix;
}

std::string describe_knobs(const Scenario& scenario) {
  const ServiceClusterOptions& cluster = scenario.cluster;
  const RaftConfig& raft = cluster.raft;
  std::string text = "batch " + std::to_string(raft.entries_per_message_max) + "x" +
                     std::to_string(raft.inflight_messages_max) + ", pre-vote " +
                     on_off(raft.pre_vote) + ", check-quorum " + on_off(raft.check_quorum);
  if (cluster.snapshot_every_entries != 0) {
    text += ", snapshot every " + std::to_string(cluster.snapshot_every_entries) + " keep " +
            std::to_string(raft.entries_kept_after_snapshot);
  }
  if (cluster.wal_segment_bytes != 0) {
    text += ", wal segments of " + std::to_string(cluster.wal_segment_bytes) + " bytes";
  }
  if (cluster.workload_type == ServiceClusterOptions::Workload::queue) {
    const QueueWorkload& queue = cluster.queue;
    if (queue.delayed_percent > 0) {
      text += ", " + std::to_string(queue.delayed_percent) + "% delayed jobs";
    }
    if (queue.max_attempts_min > 0) {
      text += ", max attempts " + std::to_string(queue.max_attempts_min) + "-" +
              std::to_string(queue.max_attempts);
    }
  }
  return text;
}

std::string draw_fault_knobs(std::uint64_t run_seed, Scenario& scenario) {
  Random random = Random::stream(run_seed, "fuzz/generate/knobs/faults");
  std::string text;
  if (random.chance(Ratio{1, 4})) text = draw_message_delays(random, scenario);
  if (scenario.cluster.wal_segment_bytes != 0 && random.chance(Ratio{1, 2})) {
    const std::string corrupted = draw_aimed_corruption(random, scenario);
    if (!corrupted.empty()) text += (text.empty() ? "" : ", ") + corrupted;
  }
  const std::string clients = draw_client_faults(run_seed, scenario);
  if (!clients.empty()) text += (text.empty() ? "" : ", ") + clients;
  const std::string torn = draw_torn_writes(run_seed, scenario);
  if (!torn.empty()) text += (text.empty() ? "" : ", ") + torn;
  return text;
}

}  // namespace raftsim::sim
