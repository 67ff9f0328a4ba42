// raftsim bench kernel: events per second of the simulation kernel, measured, not asserted.
// (a) timer churn: thousands of pending timers, each firing re-arms itself and every other firing
//     cancels and re-arms another (as election timeouts are reset by heartbeats);
// (b) message delivery: a 5-node World of gossip processes that answer every message, over links
//     with loss, duplication, reordering and jitter, with partitions changing every 50 ms.
// Both phases warm up first, then count events, wall time and heap allocations.
#include <boost/program_options.hpp>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>

#include "sim/cluster/service_cluster.h"
#include "sim/kernel/world.h"
#include "sim/toys/gossip.h"
#include "tools/commands.h"
#include "tools/options.h"

namespace raftsim::tools {
namespace {

using namespace raftsim::sim;
namespace po = boost::program_options;

double wall_seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

struct Measurement {
  std::uint64_t events = 0;
  std::uint64_t messages = 0;
  double wall_s = 0;
  unsigned long long allocations = 0;
  std::uint64_t trace_hash = 0;
};

class TimerChurn final : public EventTarget {
 public:
  static constexpr std::uint32_t kTimers = 4096;

  TimerChurn(Scheduler& scheduler, Trace& trace)
      : scheduler_(scheduler), trace_(trace), random_(Random::stream(1, "bench/timers")) {
    handles_.resize(kTimers);
    for (std::uint32_t timer = 0; timer < kTimers; ++timer) arm(timer);
  }

  void on_event(std::uint32_t /*kind*/, std::uint64_t timer, std::uint64_t /*b*/) override {
    trace_.record(scheduler_.now(), TraceKind::timer_fire, static_cast<std::uint32_t>(timer % 5),
                  kNoNode, 0, timer);
    arm(static_cast<std::uint32_t>(timer));
    if (++fired_ % 2 == 0) {
      const auto other = static_cast<std::uint32_t>(random_.below(kTimers));
      if (scheduler_.cancel(handles_[other])) arm(other);
    }
  }

 private:
  void arm(std::uint32_t timer) {
    handles_[timer] = scheduler_.schedule_after(
        1 + static_cast<Time>(random_.below(milliseconds(1))), *this, 0, timer);
  }

  Scheduler& scheduler_;
  Trace& trace_;
  Random random_;
  std::vector<EventHandle> handles_;
  std::uint64_t fired_ = 0;
};

// Runs step_batch for `seconds` of wall time after a warm-up; message_count() is cumulative.
template <typename StepBatch, typename MessageCount>
Measurement measure(double seconds, Scheduler& scheduler, StepBatch step_batch,
                    MessageCount message_count) {
  for (int warmup = 0; warmup < 3; ++warmup) step_batch();
  Measurement result;
  const std::uint64_t events_before = scheduler.events_run();
  const std::uint64_t messages_before = message_count();
  const unsigned long long allocations_before = allocation_count();
  const auto start = std::chrono::steady_clock::now();
  do {
    step_batch();
  } while (wall_seconds_since(start) < seconds);
  result.wall_s = wall_seconds_since(start);
  result.events = scheduler.events_run() - events_before;
  result.allocations = allocation_count() - allocations_before;
  result.messages = message_count() - messages_before;
  return result;
}

Measurement bench_timer_churn(double seconds) {
  Scheduler scheduler;
  Trace trace(/*recording=*/false);
  TimerChurn churn(scheduler, trace);
  Measurement result = measure(
      seconds, scheduler, [&] { scheduler.run_until_idle(1'000'000); },
      [] { return std::uint64_t{0}; });
  result.trace_hash = trace.hash();
  return result;
}

// Changes the partition every 50 ms: a random node isolated, a random one-way cut, or healed.
class PartitionFlipper final : public EventTarget {
 public:
  explicit PartitionFlipper(World& world)
      : world_(world), random_(Random::stream(world.seed(), "bench/nemesis")) {
    world_.scheduler().schedule_after(milliseconds(50), *this, 0);
  }
  void on_event(std::uint32_t, std::uint64_t, std::uint64_t) override {
    Network& network = world_.network();
    const auto node = static_cast<NodeIndex>(random_.below(network.node_count()));
    switch (random_.below(3)) {
      case 0:
        network.heal();
        break;
      case 1:
        (void)network.isolate(node);
        break;
      default:
        (void)network.block_one_way(node, (node + 1) % network.node_count());
        break;
    }
    world_.scheduler().schedule_after(milliseconds(50), *this, 0);
  }

 private:
  World& world_;
  Random random_;
};

Measurement bench_message_delivery(double seconds) {
  WorldConfig config;
  config.seed = 42;
  config.node_count = 5;
  config.record_trace = false;
  config.link.latency_min = microseconds(500);
  config.link.latency_max = milliseconds(5);
  config.link.loss = Ratio::percent(1);
  config.link.duplicate = Ratio::percent(1);
  config.link.reorder = Ratio::percent(5);
  config.link.reorder_delay_max = milliseconds(10);
  GossipOptions options;
  options.node_count = config.node_count;
  options.interval = milliseconds(1);
  options.payload_bytes = 32;
  options.reply_to_every_message = true;
  options.persist = false;
  World world(config, [options](Runtime& runtime) {
    return std::make_unique<GossipProcess>(runtime, options);
  });
  world.boot_all();
  PartitionFlipper flipper(world);
  Measurement result = measure(
      seconds, world.scheduler(), [&] { world.scheduler().run_until_idle(1'000'000); },
      [&] { return world.network().messages_delivered(); });
  result.trace_hash = world.trace().hash();
  return result;
}

struct RaftMeasurement {
  double wall_s = 0;
  Time virtual_ns = 0;
  std::uint64_t messages = 0;
  std::uint64_t operations_ok = 0;
  std::uint64_t committed_entries = 0;
  std::uint64_t events = 0;
  unsigned long long allocations = 0;
  std::uint64_t trace_hash = 0;
};

// The full stack: 5 NodeHosts with KvStores on simulated disks, closed-loop client sessions.
RaftMeasurement bench_raft(Time virtual_duration) {
  ServiceClusterOptions options;
  options.seed = 1;
  options.nodes = 5;
  options.clients = 10;
  options.workload.sessions = 16;
  options.workload.think_time_max = 0;
  options.workload.keys = 100;
  options.link.latency_min = options.link.latency_max = milliseconds(1);
  options.disk.sync_latency_min = options.disk.sync_latency_max = microseconds(100);
  options.record_trace = false;
  options.check_every_event = false;
  ServiceCluster cluster(options);
  cluster.start();
  (void)cluster.run_until(seconds(1));  // elect, warm up
  const auto leader = cluster.leader();
  const Index committed_before = leader ? cluster.raft(*leader)->log().committed() : 0;
  const std::uint64_t messages_before = cluster.world().network().messages_delivered();
  const std::size_t ok_before = cluster.history().count(OperationStatus::ok);
  const std::uint64_t events_before = cluster.world().scheduler().events_run();
  const unsigned long long allocations_before = allocation_count();
  const Time start_virtual = cluster.world().now();
  const auto start = std::chrono::steady_clock::now();
  (void)cluster.run_until(start_virtual + virtual_duration);
  RaftMeasurement result;
  result.wall_s = wall_seconds_since(start);
  result.virtual_ns = cluster.world().now() - start_virtual;
  result.messages = cluster.world().network().messages_delivered() - messages_before;
  result.operations_ok = cluster.history().count(OperationStatus::ok) - ok_before;
  const auto leader_after = cluster.leader();
  if (leader_after)
    result.committed_entries = cluster.raft(*leader_after)->log().committed() - committed_before;
  result.events = cluster.world().scheduler().events_run() - events_before;
  result.allocations = allocation_count() - allocations_before;
  result.trace_hash = cluster.world().trace().hash();
  return result;
}

int report_raft_bench(double seconds_virtual, bool json) {
  std::fprintf(
      stderr,
      "bench raft: 5 nodes, 160 client sessions (10 clients x 16), %.0f s of virtual time...\n",
      seconds_virtual);
  const RaftMeasurement m = bench_raft(static_cast<Time>(seconds_virtual * kSecond));
  const double virtual_s = static_cast<double>(m.virtual_ns) / kSecond;
  const double messages_per_s = m.messages / m.wall_s;
  const double ops_per_virtual_s = m.operations_ok / virtual_s;
  const double commits_per_virtual_s = m.committed_entries / virtual_s;
  const double speed_ratio = virtual_s / m.wall_s;
  if (json) {
    nlohmann::ordered_json out;
    out["bench"] = "raft";
    out["messages_per_s"] = static_cast<std::uint64_t>(messages_per_s);
    out["operations_ok_per_virtual_s"] = static_cast<std::uint64_t>(ops_per_virtual_s);
    out["committed_entries_per_virtual_s"] = static_cast<std::uint64_t>(commits_per_virtual_s);
    out["virtual_to_wall_ratio"] = speed_ratio;
    out["events_per_s"] = static_cast<std::uint64_t>(m.events / m.wall_s);
    out["allocations_per_message"] = static_cast<double>(m.allocations) / m.messages;
    out["virtual_ms"] = m.virtual_ns / kMillisecond;
    out["wall_ms"] = static_cast<std::uint64_t>(m.wall_s * 1000);
    out["trace_hash"] = m.trace_hash;
    out["trace_hash_string"] = std::to_string(m.trace_hash);
    out["target_messages_per_s"] = 1'000'000;
    out["target_operations_per_virtual_s"] = 20'000;
    std::printf("%s\n", out.dump(2).c_str());
  } else {
    std::printf("messages delivered per wall second: %.0f (target 1,000,000)\n", messages_per_s);
    std::printf("client operations ok per virtual second: %.0f (target 20,000)\n",
                ops_per_virtual_s);
    std::printf("entries committed per virtual second: %.0f\n", commits_per_virtual_s);
    std::printf("virtual-to-wall speed ratio: %.2f\n", speed_ratio);
    std::printf("events per wall second: %.0f, heap allocations per message: %.1f\n",
                m.events / m.wall_s, static_cast<double>(m.allocations) / m.messages);
    std::printf("trace hash: %llu\n", static_cast<unsigned long long>(m.trace_hash));
  }
  return 0;
}

int report_kernel_bench(double seconds, bool json) {
  std::fprintf(stderr, "bench kernel: timer churn for %.1f s...\n", seconds);
  const Measurement timers = bench_timer_churn(seconds);
  std::fprintf(stderr, "bench kernel: message delivery for %.1f s...\n", seconds);
  const Measurement delivery = bench_message_delivery(seconds);

  const double timer_rate = timers.events / timers.wall_s;
  const double delivery_rate = delivery.events / delivery.wall_s;
  const double message_rate = delivery.messages / delivery.wall_s;
  const double timer_allocs = static_cast<double>(timers.allocations) / timers.events;
  const double delivery_allocs = static_cast<double>(delivery.allocations) / delivery.events;
  if (json) {
    nlohmann::ordered_json out;
    out["bench"] = "kernel";
    out["timer_events_per_s"] = static_cast<std::uint64_t>(timer_rate);
    out["timer_events"] = timers.events;
    out["timer_allocations_per_event"] = timer_allocs;
    out["delivery_events_per_s"] = static_cast<std::uint64_t>(delivery_rate);
    out["messages_per_s"] = static_cast<std::uint64_t>(message_rate);
    out["delivery_events"] = delivery.events;
    out["delivery_allocations_per_event"] = delivery_allocs;
    out["measured_wall_ms"] = static_cast<std::uint64_t>((timers.wall_s + delivery.wall_s) * 1000);
    out["target_timer_events_per_s"] = 10'000'000;
    out["target_delivery_events_per_s"] = 3'000'000;
    std::printf("%s\n", out.dump(2).c_str());
  } else {
    std::printf("%-28s %14s %12s %16s\n", "phase", "events/s", "events", "allocs/event");
    std::printf("%-28s %14.0f %12llu %16.6f\n", "(a) timer churn", timer_rate,
                static_cast<unsigned long long>(timers.events), timer_allocs);
    std::printf("%-28s %14.0f %12llu %16.6f\n", "(b) message delivery", delivery_rate,
                static_cast<unsigned long long>(delivery.events), delivery_allocs);
    std::printf("    messages delivered/s: %.0f\n", message_rate);
    std::printf("targets: (a) >= 10,000,000 events/s, (b) >= 3,000,000 events/s, 0 allocs/event\n");
  }
  return 0;
}

struct BenchOptions {
  bool json = false;
  double seconds = 2.0;
  std::uint64_t seeds = 100;
  std::uint64_t jobs = 100'000;
  std::string suite;
  bool seconds_defaulted = true;
};

void add_bench_options(po::options_description& options, BenchOptions& bench) {
  add_help_option(options);
  add_json_option(options, bench.json);
  options.add_options()(
      "seconds", po::value<double>(&bench.seconds),
      "kernel: measured wall time per phase (default 2, at most 600); raft: virtual seconds to "
      "run (default 10, at most 600); queue: virtual seconds measured per cluster size "
      "(default 1, 0.1 to 1.5)")(
      "seeds", po::value<std::uint64_t>(&bench.seeds)->default_value(100),
      "queue: leader-crash runs per cluster size; membership: runs per row (1 to 100000)")(
      "jobs", po::value<std::uint64_t>(&bench.jobs)->default_value(100'000),
      "snapshot: jobs in the queue, 90% completed (100 to 10000000)");
}

void require_seconds_in_range(const BenchOptions& bench) {
  if (!(bench.seconds > 0 && bench.seconds <= 600)) {
    throw UsageError("--seconds must be in (0, 600]");
  }
}

void require_seeds_in_range(const BenchOptions& bench) {
  if (bench.seeds < 1 || bench.seeds > 100'000) throw UsageError("--seeds must be in [1, 100000]");
}

// Runs the suite the options name (each suite's own default for --seconds where it differs).
int run_bench_suite(const BenchOptions& bench) {
  const std::string& suite = bench.suite;
  if (suite == "raft") {
    require_seconds_in_range(bench);
    return report_raft_bench(bench.seconds_defaulted ? 10.0 : bench.seconds, bench.json);
  }
  if (suite == "explore") return run_bench_explore(bench.json, "results");
  if (suite == "queue") {
    require_seeds_in_range(bench);
    return run_bench_queue(bench.seconds_defaulted ? 1.0 : bench.seconds, bench.seeds, bench.json);
  }
  if (suite == "membership") {
    require_seeds_in_range(bench);
    return run_bench_membership(bench.seeds, bench.json);
  }
  if (suite == "snapshot") {
    if (bench.jobs < 100 || bench.jobs > 10'000'000) {
      throw UsageError("--jobs must be in [100, 10000000]");
    }
    return run_bench_snapshot(bench.jobs, bench.json);
  }
  if (suite != "kernel") {
    throw UsageError("unknown or missing suite '" + suite +
                     "' (known: kernel, raft, queue, snapshot, membership, explore)");
  }
  require_seconds_in_range(bench);
  return report_kernel_bench(bench.seconds, bench.json);
}

}  // namespace

int run_bench(const std::vector<std::string>& arguments) {
  if (!arguments.empty() && arguments[0] == "bugs") {
    return run_bench_bugs(std::vector<std::string>(arguments.begin() + 1, arguments.end()));
  }
  po::options_description options("raftsim bench SUITE [options]");
  BenchOptions bench;
  add_bench_options(options, bench);
  const po::variables_map values =
      parse_arguments_with_positional(arguments, options, "suite", bench.suite);
  if (values.count("help")) {
    std::printf(
        "%s\nsuites: kernel, raft, queue, snapshot, membership, explore, bugs (raftsim bench "
        "bugs --help)\n",
        help_text(options).c_str());
    return 0;
  }
  bench.seconds_defaulted = values.count("seconds") == 0;
  return run_bench_suite(bench);
}

}  // namespace raftsim::tools
