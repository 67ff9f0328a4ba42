// raftsim bench snapshot: full versus partial (hot/cold) job-queue snapshots on a large queue.
// Builds a queue of N jobs (default 100,000) of which 90% are completed, through the real
// JobQueue commands, then measures each snapshot kind's size and the time from reading its files
// (checksummed, through SnapshotStore on a simulated disk) to a machine that serves commands --
// against replaying the whole command log with no snapshot. Restored states are compared with the
// original by state hash; a mismatch fails the bench. Measured, not asserted.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "jobqueue/queue/codec.h"
#include "jobqueue/queue/job_queue.h"
#include "raft/storage/snapshot_store.h"
#include "sim/kernel/disk.h"
#include "tools/commands.h"

namespace raftsim::tools {
namespace {

using queue::Command;
using queue::JobQueue;

constexpr int kRepetitions = 5;  // each timing is the median of these
constexpr std::uint64_t kSecondNs = 1'000'000'000;

double median_ms(std::vector<double> samples) {
  std::sort(samples.begin(), samples.end());
  return samples[samples.size() / 2];
}

template <typename Work>
double time_ms(Work&& work) {
  const auto start = std::chrono::steady_clock::now();
  work();
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

// The workload: every command the queue applied, in order, so a restart without a snapshot can
// replay it. Jobs arrive over 48 hours (so idempotency keys of the first day have expired by the
// end), 90% are completed, 5% are leased, 2% failed once and wait to retry, 3% are pending.
struct Workload {
  std::vector<std::vector<std::uint8_t>> commands;
  std::uint64_t jobs = 0;
};

Workload build_workload(std::uint64_t jobs, JobQueue& machine) {
  Workload workload;
  workload.jobs = jobs;
  std::uint64_t now = kSecondNs;
  const std::uint64_t enqueue_step = 48 * 3600 * kSecondNs / jobs;
  Index index = 0;
  auto run = [&](Command command) {
    command.now_ns = now;
    std::vector<std::uint8_t> bytes = queue::encode_command(command);
    const std::vector<std::uint8_t> reply = machine.apply(++index, bytes);
    workload.commands.push_back(std::move(bytes));
    auto decoded = queue::decode_reply(reply);
    if (!decoded) throw std::runtime_error("bench snapshot: a reply did not decode");
    return *decoded;
  };
  const std::uint64_t completed = jobs * 90 / 100, leased = jobs * 5 / 100, failed = jobs * 2 / 100;
  std::uint64_t enqueued = 0, finished = 0;
  // Interleaved like a live queue: workers keep up with producers, staying ~10% behind.
  while (enqueued < jobs) {
    std::string payload = "job-" + std::to_string(enqueued) + "-" + std::string(80, 'p');
    std::optional<std::string> key;
    if (enqueued % 2 == 0) key = "order-" + std::to_string(enqueued);
    run(Command::enqueue(std::move(payload), static_cast<std::uint8_t>(enqueued % 4), 3, key));
    ++enqueued;
    now += enqueue_step;
    while (finished < completed && finished * 10 < enqueued * 9) {
      const queue::Reply lease = run(Command::lease(1 + finished % 64, 300 * kSecondNs));
      if (lease.outcome != queue::Outcome::ok) break;
      run(Command::complete(lease.job.job_id, lease.job.attempt, "done"));
      ++finished;
    }
  }
  for (std::uint64_t i = 0; i < failed; ++i) {
    const queue::Reply lease = run(Command::lease(900 + i % 8, 300 * kSecondNs));
    if (lease.outcome == queue::Outcome::ok) {
      run(Command::fail(lease.job.job_id, lease.job.attempt, "transient"));
    }
  }
  for (std::uint64_t i = 0; i < leased; ++i) run(Command::lease(1000 + i % 32, 3600 * kSecondNs));
  return workload;
}

struct Kind {
  std::string name;
  std::uint64_t bytes = 0;
  double take_ms = 0;        // produce the snapshot bytes
  double serving_ms = 0;     // read + verify files, restore, first command answered
  double background_ms = 0;  // partial: loading the cold part after serving began
  bool state_matches = false;
};

// One file store per part on a fresh simulated disk (snapshot files are read from it as a node
// restarting would read them).
struct Files {
  Files() : disk(0, sim::DiskConfig{}, sim::Random::stream(1, "bench/disk"), scheduler, trace) {}
  sim::Scheduler scheduler;
  sim::Trace trace;
  sim::SimDisk disk;
};

Snapshot load(SnapshotStore& store) {
  auto loaded = store.load_newest();
  if (!loaded.ok() || loaded.value().snapshot.meta.index == 0) {
    throw std::runtime_error("bench snapshot: cannot load a snapshot file back");
  }
  return std::move(loaded.value().snapshot);
}

std::span<const std::uint8_t> view(const Snapshot& snapshot) {
  return {snapshot.data.begin(), snapshot.data.size()};
}

// The first command a restarted node serves: a lease (it touches the live state).
bool serves(JobQueue& machine, Index index, std::uint64_t now) {
  Command lease = Command::lease(5000, 30 * kSecondNs);
  lease.now_ns = now;
  auto reply = queue::decode_reply(machine.apply(index, queue::encode_command(lease)));
  return reply.has_value() && reply->outcome == queue::Outcome::ok;
}

// The queue under test and what every restore is compared with.
struct SnapshotBench {
  JobQueue original;
  Workload workload;
  Index last_index = 0;
  std::uint64_t original_hash = 0;
  std::uint64_t later = 49 * 3600 * kSecondNs;  // when the restarted node serves its first command
  SnapshotMeta meta;
  std::uint64_t hot_bytes = 0, cold_bytes = 0;
};

// No snapshot: a restart replays every command.
Kind measure_log_replay(const SnapshotBench& bench) {
  Kind replay{"log replay (no snapshot)"};
  std::vector<double> samples;
  for (int r = 0; r < kRepetitions; ++r) {
    JobQueue fresh;
    samples.push_back(time_ms([&] {
      Index index = 0;
      for (const auto& command : bench.workload.commands) fresh.apply(++index, command);
      replay.state_matches = fresh.state_hash() == bench.original_hash;
      if (!serves(fresh, bench.last_index + 1, bench.later)) replay.state_matches = false;
    }));
  }
  std::uint64_t log_bytes = 0;
  for (const auto& command : bench.workload.commands) log_bytes += command.size();
  replay.bytes = log_bytes;
  replay.serving_ms = median_ms(samples);
  return replay;
}

Kind measure_full_snapshot(SnapshotBench& bench) {
  Kind full{"full snapshot"};
  std::vector<double> take, serve;
  std::vector<std::uint8_t> bytes;
  for (int r = 0; r < kRepetitions; ++r)
    take.push_back(time_ms([&] { bytes = bench.original.snapshot_full(); }));
  full.bytes = bytes.size();
  Files files;
  SnapshotStore store(files.disk, {});
  if (!store.save(bench.meta, bytes).ok()) throw std::runtime_error("bench snapshot: save failed");
  for (int r = 0; r < kRepetitions; ++r) {
    JobQueue fresh;
    serve.push_back(time_ms([&] {
      const Snapshot snapshot = load(store);
      full.state_matches =
          fresh.restore(view(snapshot)).ok() && fresh.state_hash() == bench.original_hash;
      if (!serves(fresh, bench.last_index + 1, bench.later)) full.state_matches = false;
    }));
  }
  full.take_ms = median_ms(take);
  full.serving_ms = median_ms(serve);
  return full;
}

// Restores the hot part, serves, then loads the cold part; compared with a full restore of the
// original after the same first command. Records the two parts' sizes in `bench`.
Kind measure_partial_snapshot(SnapshotBench& bench) {
  Kind partial{"partial snapshot (hot serves, cold loads after)"};
  std::vector<double> take, serve, background;
  std::vector<std::uint8_t> hot, cold;
  for (int r = 0; r < kRepetitions; ++r) {
    take.push_back(time_ms([&] {
      hot = bench.original.snapshot_hot();
      cold = bench.original.snapshot_cold();
    }));
  }
  bench.hot_bytes = hot.size();
  bench.cold_bytes = cold.size();
  partial.bytes = hot.size() + cold.size();
  Files files;
  SnapshotStore hot_store(files.disk, {"hot", 2, std::uint64_t{1} << 31});
  SnapshotStore cold_store(files.disk, {"cold", 2, std::uint64_t{1} << 31});
  if (!hot_store.save(bench.meta, hot).ok() || !cold_store.save(bench.meta, cold).ok()) {
    throw std::runtime_error("bench snapshot: save failed");
  }
  const Index first = bench.last_index + 1;
  for (int r = 0; r < kRepetitions; ++r) {
    JobQueue fresh;
    bool served = false;
    serve.push_back(time_ms([&] {
      const Snapshot snapshot = load(hot_store);
      served = fresh.restore_hot(view(snapshot)).ok() && serves(fresh, first, bench.later);
    }));
    background.push_back(time_ms([&] {
      const Snapshot snapshot = load(cold_store);
      served = served && fresh.restore_cold(view(snapshot)).ok();
    }));
    JobQueue reference;
    const Snapshot full{bench.meta, SharedBytes(bench.original.snapshot_full()), {}};
    const bool restored = reference.restore(view(full)).ok();
    const bool reference_serves = restored && serves(reference, first, bench.later);
    partial.state_matches =
        served && reference_serves && fresh.state_hash() == reference.state_hash();
  }
  partial.take_ms = median_ms(take);
  partial.serving_ms = median_ms(serve);
  partial.background_ms = median_ms(background);
  return partial;
}

void print_snapshot_json(const SnapshotBench& bench, const std::vector<Kind>& kinds,
                         bool all_match) {
  nlohmann::ordered_json out;
  out["bench"] = "snapshot";
  out["jobs"] = bench.workload.jobs;
  out["commands"] = bench.last_index;
  out["completed"] = bench.original.counters().completions;
  out["live_jobs"] = bench.original.live_jobs();
  out["archived_jobs"] = bench.original.archived_jobs();
  out["hot_bytes"] = bench.hot_bytes;
  out["cold_bytes"] = bench.cold_bytes;
  out["repetitions"] = kRepetitions;
  out["kinds"] = nlohmann::ordered_json::array();
  for (const Kind& kind : kinds) {
    out["kinds"].push_back({{"kind", kind.name},
                            {"bytes", kind.bytes},
                            {"take_ms", kind.take_ms},
                            {"restart_to_serving_ms", kind.serving_ms},
                            {"cold_load_after_serving_ms", kind.background_ms},
                            {"state_matches", kind.state_matches}});
  }
  out["all_states_match"] = all_match;
  std::printf("%s\n", out.dump(2).c_str());
}

void print_snapshot_table(const SnapshotBench& bench, const std::vector<Kind>& kinds) {
  std::printf("queue: %llu jobs, %llu completed, %zu live, %zu archived; %llu commands\n",
              static_cast<unsigned long long>(bench.workload.jobs),
              static_cast<unsigned long long>(bench.original.counters().completions),
              bench.original.live_jobs(), bench.original.archived_jobs(),
              static_cast<unsigned long long>(bench.last_index));
  std::printf("%-48s %12s %10s %12s %10s %6s\n", "kind", "bytes", "take ms", "serving ms",
              "cold ms", "match");
  for (const Kind& kind : kinds) {
    std::printf("%-48s %12llu %10.1f %12.1f %10.1f %6s\n", kind.name.c_str(),
                static_cast<unsigned long long>(kind.bytes), kind.take_ms, kind.serving_ms,
                kind.background_ms, kind.state_matches ? "yes" : "NO");
  }
  std::printf("hot part %llu bytes, cold part %llu bytes\n",
              static_cast<unsigned long long>(bench.hot_bytes),
              static_cast<unsigned long long>(bench.cold_bytes));
}

}  // namespace

int run_bench_snapshot(std::uint64_t jobs, bool json) {
  std::fprintf(stderr, "bench snapshot: building a queue of %llu jobs...\n",
               static_cast<unsigned long long>(jobs));
  SnapshotBench bench;
  bench.workload = build_workload(jobs, bench.original);
  bench.last_index = bench.workload.commands.size();
  bench.original_hash = bench.original.state_hash();
  bench.meta = SnapshotMeta{bench.last_index, 1};

  std::vector<Kind> kinds;
  kinds.push_back(measure_log_replay(bench));
  std::fprintf(stderr, "bench snapshot: full snapshots...\n");
  kinds.push_back(measure_full_snapshot(bench));
  std::fprintf(stderr, "bench snapshot: partial (hot/cold) snapshots...\n");
  kinds.push_back(measure_partial_snapshot(bench));

  bool all_match = true;
  for (const Kind& kind : kinds) all_match = all_match && kind.state_matches;
  if (json) {
    print_snapshot_json(bench, kinds, all_match);
  } else {
    print_snapshot_table(bench, kinds);
  }
  return all_match ? 0 : 1;
}

}  // namespace raftsim::tools
