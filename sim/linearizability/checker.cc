// raftsim linearizability: check_history (see checker.h).
#include "sim/linearizability/checker.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <string_view>

#include "sim/linearizability/product_model.h"

namespace raftsim::linearizability {
namespace {

// One partition's operations: search inputs and the history index of each.
struct Partition {
  std::string key;
  std::vector<SearchOperation> operations;
  std::vector<std::size_t> history_indices;
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

// The operation that blocks the longest prefix: of the required operations left, the one that
// returns first (the search met its return before it could linearize it).
std::size_t blamed_operation(const Partition& partition, const std::vector<bool>& in_prefix) {
  std::size_t blamed = partition.operations.size();
  for (std::size_t index = 0; index < partition.operations.size(); ++index) {
    const SearchOperation& operation = partition.operations[index];
    if (in_prefix[index] || operation.optional) continue;
    if (blamed == partition.operations.size() ||
        operation.return_ns < partition.operations[blamed].return_ns) {
      blamed = index;
    }
  }
  RAFTSIM_CHECK_MSG(blamed < partition.operations.size(), "violation without a blocked op");
  return blamed;
}

Violation explain_violation(Model& model, const Partition& partition,
                            const SearchOutcome& outcome) {
  Violation violation;
  violation.key = partition.key;
  ModelState state = model.initial_state();
  violation.initial_state = model.describe_state(state);
  std::vector<bool> in_prefix(partition.operations.size(), false);
  for (std::uint32_t index : outcome.longest_prefix) {
    in_prefix[index] = true;
    ModelState next = 0;
    RAFTSIM_CHECK_MSG(model.step(state, partition.operations[index].prepared, &next),
                      "replaying the longest prefix failed");
    state = next;
    violation.longest_prefix.push_back(
        LinearizationStep{partition.history_indices[index], model.describe_state(state)});
  }
  const std::size_t blamed = blamed_operation(partition, in_prefix);
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

void record(PartitionReport& report, const SearchOutcome& outcome) {
  report.checked = true;
  report.verdict = outcome.verdict;
  report.exhausted = outcome.exhausted;
  report.steps = outcome.steps;
  report.configurations = outcome.configurations;
  report.memory_bytes = outcome.memory_bytes;
}

// `held_bytes`: what the check holds besides the searches (the parsed history, the partitions);
// the memory budget counts it.
void search_in_rounds(Model& model, const std::vector<Partition>& partitions,
                      const CheckOptions& options, std::size_t held_bytes, CheckResult& result) {
  const auto start = std::chrono::steady_clock::now();  // lint: allow (wall-clock guard only)
  // A searcher is built when its partition's first round starts and freed when it finishes, so
  // a history of many small partitions reuses one searcher's memory instead of holding them all.
  std::vector<std::unique_ptr<Searcher>> searchers(partitions.size());
  std::vector<bool> finished(partitions.size(), false);
  const std::uint64_t steps_max = options.budget.search_steps_max;
  for (std::uint64_t round_steps = kFirstRoundSteps;;
       round_steps = round_steps > steps_max / kRoundGrowth ? steps_max
                                                            : round_steps * kRoundGrowth) {
    bool paused = false;
    for (std::size_t index = 0; index < partitions.size(); ++index) {
      if (finished[index]) continue;
      if (!searchers[index]) {
        searchers[index] = std::make_unique<Searcher>(model, partitions[index].operations);
      }
      SearchBudget budget = options.budget;
      budget.search_steps_max = std::min(round_steps, options.budget.search_steps_max);
      budget.memory_bytes_max = options.budget.memory_bytes_max > held_bytes
                                    ? options.budget.memory_bytes_max - held_bytes
                                    : 0;
      if (budget.wall_seconds_max > 0) {
        const auto now = std::chrono::steady_clock::now();  // lint: allow (wall-clock guard)
        const double spent = std::chrono::duration<double>(now - start).count();
        budget.wall_seconds_max = std::max(budget.wall_seconds_max - spent, 1e-9);
      }
      const SearchOutcome& outcome = searchers[index]->resume(budget);
      const bool final_limit = budget.search_steps_max == options.budget.search_steps_max;
      if (!searchers[index]->finished() && !final_limit) {
        paused = true;
        continue;
      }
      record(result.partitions[index], outcome);
      result.steps += outcome.steps;
      if (outcome.verdict == SearchVerdict::not_linearizable && !result.violation) {
        result.violation = explain_violation(model, partitions[index], outcome);
      }
      searchers[index].reset();  // frees its visited set
      finished[index] = true;
      if (result.violation && options.stop_at_first_violation) break;
    }
    if (!paused || (result.violation && options.stop_at_first_violation)) break;
  }
  // Searches still paused when a violation ended the check stay unchecked; their work counts.
  for (const auto& searcher : searchers) {
    if (searcher) result.steps += searcher->outcome().steps;
  }
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
  std::optional<ProductModel> product;
  if (!options.partition_by_key) product.emplace(base_model, sorted_keys(history));
  Model& model = product ? static_cast<Model&>(*product) : base_model;
  result.model = model.name();
  auto prepared = prepare_partitions(history, model, options.partition_by_key);
  if (!prepared.ok()) return prepared.status();
  const std::vector<Partition>& partitions = prepared.value();
  for (const Partition& partition : partitions) {
    result.partitions.push_back(PartitionReport{partition.key, partition.operations.size()});
  }
  std::size_t held_bytes = history_memory_bytes(history);
  for (const Partition& partition : partitions) {
    held_bytes += sizeof(Partition) + partition.operations.capacity() * sizeof(SearchOperation) +
                  partition.history_indices.capacity() * sizeof(std::size_t);
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
