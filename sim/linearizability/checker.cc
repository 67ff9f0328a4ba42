// raftsim linearizability: check_history (see checker.h).
#include "sim/linearizability/checker.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <string_view>
#include <tuple>

#include "sim/linearizability/product_model.h"
#include "sim/linearizability/reductions.h"
#include "sim/linearizability/zones.h"

namespace raftsim::linearizability {
namespace {

// One partition's operations: search inputs and the history index of each.
struct Partition {
  std::string key;
  std::vector<SearchOperation> operations;
  std::vector<std::size_t> history_indices;
  std::vector<ModelState> initial_states;  // Model::initial_states(): one search each
  // reduce_pending_writes(): per operation, the history index of the read an info write's
  // return was bounded by (SIZE_MAX if none), and what it did.
  std::vector<std::size_t> bounded_by;
  ReductionCounts reductions;
  bool zones_linearizable = false;  // decided by zones.h without a search
};

Result<std::vector<Partition>> prepare_partitions(const History& history, Model& model,
                                                  bool partition_by_key) {
  // Keys are views into the history (it outlives this function), so no key is copied per
  // operation; a first pass counts each partition, so its vectors are allocated once.
  std::map<std::string_view, std::size_t> partition_of_key;
  std::vector<std::size_t> sizes;
  for (const Operation& operation : history.operations) {
    const std::string_view key = partition_by_key ? std::string_view(operation.key) : "*";
    auto [found, inserted] = partition_of_key.emplace(key, sizes.size());
    if (inserted) sizes.push_back(0);
    ++sizes[found->second];
  }
  std::vector<Partition> partitions(sizes.size());
  for (const auto& [key, position] : partition_of_key) {
    partitions[position].key = std::string(key);
    partitions[position].operations.reserve(sizes[position]);
    partitions[position].history_indices.reserve(sizes[position]);
  }
  for (std::size_t index = 0; index < history.operations.size(); ++index) {
    const Operation& operation = history.operations[index];
    auto prepared = model.prepare(operation);
    if (!prepared.ok()) return prepared.status();
    if (!prepared.value().has_value()) continue;
    const std::string_view key = partition_by_key ? std::string_view(operation.key) : "*";
    const auto found = partition_of_key.find(key);
    Partition& partition = partitions[found->second];
    partition.operations.push_back(SearchOperation{operation.invoke_ns, operation.return_ns,
                                                   operation.status == OperationStatus::info,
                                                   *prepared.value()});
    partition.history_indices.push_back(index);
  }
  // Key order, so reports and the stop-at-first-violation rule are deterministic.
  std::sort(partitions.begin(), partitions.end(),
            [](const Partition& a, const Partition& b) { return a.key < b.key; });
  return partitions;
}

Violation explain_violation(Model& model, const Partition& partition, ModelState initial_state,
                            const SearchOutcome& outcome) {
  RAFTSIM_CHECK_MSG(outcome.blocked != kNoOperation, "a violation without a blocked operation");
  Violation violation;
  violation.key = partition.key;
  ModelState state = initial_state;
  violation.initial_state = model.describe_state(state);
  for (std::uint32_t index : outcome.longest_prefix) {
    ModelState next = 0;
    RAFTSIM_CHECK_MSG(model.step(state, partition.operations[index].prepared, &next),
                      "replaying the longest prefix failed");
    state = next;
    violation.longest_prefix.push_back(
        LinearizationStep{partition.history_indices[index], model.describe_state(state)});
  }
  std::size_t blamed = outcome.blocked;
  // An info write given the return of the read that saw it stands for that read's response.
  if (const std::size_t observer = partition.bounded_by[blamed]; observer != SIZE_MAX) {
    const auto& indices = partition.history_indices;
    blamed = static_cast<std::size_t>(std::lower_bound(indices.begin(), indices.end(), observer) -
                                      indices.begin());
    RAFTSIM_CHECK(blamed < indices.size() && indices[blamed] == observer);
  }
  violation.blamed = partition.history_indices[blamed];
  const SearchOperation& failed = partition.operations[blamed];
  for (std::size_t index = 0; index < partition.operations.size(); ++index) {
    const SearchOperation& operation = partition.operations[index];
    if (index == blamed) continue;
    if (operation.invoke_ns <= failed.return_ns && operation.return_ns >= failed.invoke_ns) {
      violation.concurrent.push_back(partition.history_indices[index]);
    }
  }
  return violation;
}

// Which of two refutations got farther: the later blocked return, then the longer prefix.
bool farther(const Partition& partition, const SearchOutcome& a, const SearchOutcome& b) {
  auto reach = [&](const SearchOutcome& outcome) {
    return std::tuple(partition.operations[outcome.blocked].return_ns, outcome.blocked,
                      outcome.longest_prefix.size());
  };
  return reach(a) > reach(b);
}

std::vector<std::string> sorted_keys(const History& history) {
  std::vector<std::string> keys;
  for (const Operation& operation : history.operations) keys.push_back(operation.key);
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return keys;
}

}  // namespace

const char* verdict_name(Verdict verdict) {
  switch (verdict) {
    case Verdict::linearizable:
      return "linearizable";
    case Verdict::not_linearizable:
      return "not_linearizable";
    case Verdict::unknown:
      return "unknown";
    case Verdict::empty:
      return "empty";
  }
  RAFTSIM_UNREACHABLE("bad verdict");
}

namespace {

// Partitions are searched in rounds with a step allowance that grows by kRoundGrowth; a paused
// search resumes where it stopped. One hard partition thus cannot hide an easy violation in
// another (porcupine gets that from racing goroutines; rounds keep it deterministic).
constexpr std::uint64_t kFirstRoundSteps = 1 << 12;
constexpr std::uint64_t kRoundGrowth = 4;

// One search: a partition from one of its initial states.
struct Job {
  std::size_t partition = 0;
  ModelState initial_state = 0;
  std::unique_ptr<Searcher> searcher;  // built at its first round, freed when it finishes
  bool finished = false;
  SearchVerdict verdict = SearchVerdict::linearizable;
};

// Per partition, what its finished jobs found.
struct PartitionProgress {
  std::size_t jobs_left = 0;
  bool decided = false;
  SearchOutcome unknown;  // the first job that ran out of budget, if any
  bool any_unknown = false;
  std::optional<SearchOutcome> refutation;  // the farthest refutation among its jobs
  ModelState refuted_from = 0;              // ... and the initial state it started from
};

void add_work(PartitionReport& report, const SearchOutcome& outcome) {
  report.steps += outcome.steps;
  report.configurations += outcome.configurations;
  report.memory_bytes = std::max(report.memory_bytes, outcome.memory_bytes);
}

SearchBudget partition_budget(const CheckOptions& options, std::size_t held_bytes,
                              std::chrono::steady_clock::time_point start) {  // lint: allow
  SearchBudget budget = options.budget;
  budget.memory_bytes_max = options.budget.memory_bytes_max > held_bytes
                                ? options.budget.memory_bytes_max - held_bytes
                                : 0;
  if (budget.wall_seconds_max > 0) {
    const auto now = std::chrono::steady_clock::now();  // lint: allow (wall-clock guard)
    const double spent = std::chrono::duration<double>(now - start).count();
    budget.wall_seconds_max = std::max(budget.wall_seconds_max - spent, 1e-9);
  }
  return budget;
}

// The blame: the verdict search prunes, so it may stop short of how far the history really
// gets. A second search of each initial state without pruning finds the farthest configuration;
// if one runs out of budget, the verdict search's farthest stands (blame_exact false).
Violation explain(Model& model, const Partition& partition, const PartitionProgress& progress,
                  const SearchBudget& budget, std::uint64_t* steps) {
  std::optional<SearchOutcome> best;
  ModelState best_from = 0;
  bool exact = true;
  for (ModelState initial : partition.initial_states) {
    Searcher searcher(model, partition.operations, SearchStart{initial, false});
    const SearchOutcome& outcome = searcher.resume(budget);
    *steps += outcome.steps;
    RAFTSIM_CHECK_MSG(outcome.verdict != SearchVerdict::linearizable,
                      "the explanation search linearized a history the verdict search refuted");
    if (outcome.verdict == SearchVerdict::unknown) {
      exact = false;
      break;
    }
    if (!best || farther(partition, outcome, *best)) {
      best = outcome;
      best_from = initial;
    }
  }
  Violation violation =
      exact ? explain_violation(model, partition, best_from, *best)
            : explain_violation(model, partition, progress.refuted_from, *progress.refutation);
  violation.blame_exact = exact;
  return violation;
}

// A partition zones.h found linearizable, decided without a search; but a memory budget the
// history alone exceeds still ends the check, as it would end a search before its first step.
void record_zones_decision(PartitionReport& report, const SearchBudget& budget) {
  report.checked = true;
  if (budget.memory_bytes_max == 0) {
    report.verdict = SearchVerdict::unknown;
    report.exhausted = BudgetExhausted::memory_bytes;
  }
}

// `held_bytes`: what the check holds besides the searches (the parsed history, the partitions);
// the memory budget counts it.
void search_in_rounds(Model& model, const std::vector<Partition>& partitions,
                      const CheckOptions& options, std::size_t held_bytes, CheckResult& result) {
  const auto start = std::chrono::steady_clock::now();  // lint: allow (wall-clock guard only)
  std::vector<Job> jobs;
  std::vector<PartitionProgress> progress(partitions.size());
  for (std::size_t index = 0; index < partitions.size(); ++index) {
    for (ModelState initial : partitions[index].initial_states) {
      jobs.push_back(Job{index, initial, nullptr, false, SearchVerdict::linearizable});
    }
    progress[index].jobs_left = partitions[index].initial_states.size();
  }
  const std::uint64_t steps_max = options.budget.search_steps_max;
  for (std::uint64_t round_steps = kFirstRoundSteps;;
       round_steps = round_steps > steps_max / kRoundGrowth ? steps_max
                                                            : round_steps * kRoundGrowth) {
    bool paused = false;
    for (Job& job : jobs) {
      PartitionProgress& partition = progress[job.partition];
      if (job.finished || partition.decided) continue;
      const Partition& searched = partitions[job.partition];
      if (searched.zones_linearizable) {
        job.finished = partition.decided = true;
        record_zones_decision(result.partitions[job.partition],
                              partition_budget(options, held_bytes, start));
        continue;
      }
      if (!job.searcher) {
        job.searcher = std::make_unique<Searcher>(model, searched.operations,
                                                  SearchStart{job.initial_state, true});
      }
      SearchBudget budget = partition_budget(options, held_bytes, start);
      budget.search_steps_max = std::min(round_steps, steps_max);
      const SearchOutcome& outcome = job.searcher->resume(budget);
      if (!job.searcher->finished() && budget.search_steps_max != steps_max) {
        paused = true;
        continue;
      }
      PartitionReport& report = result.partitions[job.partition];
      job.finished = true;
      job.verdict = outcome.verdict;
      add_work(report, outcome);
      --partition.jobs_left;
      if (outcome.verdict == SearchVerdict::unknown && !partition.any_unknown) {
        partition.any_unknown = true;
        partition.unknown = outcome;
      }
      if (outcome.verdict == SearchVerdict::not_linearizable &&
          (!partition.refutation || farther(searched, outcome, *partition.refutation))) {
        partition.refutation = outcome;
        partition.refuted_from = job.initial_state;
      }
      const SearchVerdict verdict = outcome.verdict;  // `outcome` dies with the searcher
      job.searcher.reset();                           // frees its visited set
      if (verdict != SearchVerdict::linearizable && partition.jobs_left > 0) continue;
      // Decided: one initial state linearizes it, or every one has finished.
      partition.decided = true;
      report.checked = true;
      report.verdict = verdict == SearchVerdict::linearizable ? SearchVerdict::linearizable
                       : partition.any_unknown                ? SearchVerdict::unknown
                                                              : SearchVerdict::not_linearizable;
      report.exhausted = partition.any_unknown && report.verdict == SearchVerdict::unknown
                             ? partition.unknown.exhausted
                             : BudgetExhausted::none;
      if (report.verdict == SearchVerdict::not_linearizable && !result.violation) {
        result.violation =
            explain(model, searched, partition, partition_budget(options, held_bytes, start),
                    &result.explanation_steps);
      }
      if (result.violation && options.stop_at_first_violation) break;
    }
    if (!paused || (result.violation && options.stop_at_first_violation)) break;
  }
  // Searches still paused when a partition was decided or a violation ended the check: their
  // work counts.
  for (Job& job : jobs) {
    if (!job.searcher) continue;
    add_work(result.partitions[job.partition], job.searcher->outcome());
  }
  for (const PartitionReport& report : result.partitions) result.steps += report.steps;
}

}  // namespace

Result<CheckResult> check_history(const History& history, Model& base_model,
                                  const CheckOptions& options) {
  if (Status status = validate_history(history); !status.ok()) return status;
  CheckResult result;
  result.model = base_model.name();
  if (history.operations.empty()) {
    result.verdict = Verdict::empty;
    return result;
  }
  if (!options.partition_by_key && base_model.initial_value_unknown()) {
    return Status(StatusCode::invalid_argument,
                  "an unknown initial value (initial none) needs the check partitioned by key");
  }
  std::optional<ProductModel> product;
  if (!options.partition_by_key) product.emplace(base_model, sorted_keys(history));
  Model& model = product ? static_cast<Model&>(*product) : base_model;
  result.model = model.name();
  auto prepared = prepare_partitions(history, model, options.partition_by_key);
  if (!prepared.ok()) return prepared.status();
  std::vector<Partition>& partitions = prepared.value();
  std::vector<TimedOperation> timed;
  for (Partition& partition : partitions) {
    partition.reductions = reduce_pending_writes(model, partition.operations,
                                                 partition.history_indices, partition.bounded_by);
    timed.clear();
    for (const SearchOperation& operation : partition.operations) {
      timed.push_back(TimedOperation{&operation.prepared, operation.invoke_ns, operation.return_ns,
                                     operation.optional});
    }
    partition.initial_states = model.initial_states(timed);
    // A violation still goes to the search, which explains it.
    partition.zones_linearizable =
        partition.initial_states.size() == 1 &&
        zones_linearizable(model, partition.operations, partition.initial_states[0]) == true;
  }
  for (const Partition& partition : partitions) {
    PartitionReport report{partition.key, partition.operations.size()};
    report.info_writes_dropped = partition.reductions.dropped;
    report.info_writes_bounded = partition.reductions.bounded;
    report.decided_by_zones = partition.zones_linearizable;
    result.partitions.push_back(report);
  }
  std::size_t held_bytes = history_memory_bytes(history);
  for (const Partition& partition : partitions) {
    held_bytes += sizeof(Partition) + partition.operations.capacity() * sizeof(SearchOperation) +
                  (partition.history_indices.capacity() + partition.bounded_by.capacity()) *
                      sizeof(std::size_t);
  }
  search_in_rounds(model, partitions, options, held_bytes, result);
  for (const PartitionReport& report : result.partitions) {
    if (report.checked && report.verdict == SearchVerdict::unknown && !result.unknown_partition) {
      result.unknown_partition = report.key;
    }
  }
  result.verdict = result.violation           ? Verdict::not_linearizable
                   : result.unknown_partition ? Verdict::unknown
                                              : Verdict::linearizable;
  return result;
}

}  // namespace raftsim::linearizability
