// raftsim linearizability: the entry point that judges a whole history against a model.
// It validates the history, lets the model prepare every operation, splits the history by key
// (P-compositionality: a history is linearizable iff every per-key sub-history is) unless told
// not to, searches each partition in key order within the budget, and on a violation explains it.
// Determinism: the same history, model and step / memory budget always give the same result.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sim/linearizability/history.h"
#include "sim/linearizability/model.h"
#include "sim/linearizability/search.h"

namespace raftsim::linearizability {

struct CheckOptions {
  bool partition_by_key = true;
  // Stop once a partition is found not linearizable (partitions are searched in rounds of
  // growing step allowances; see checker.cc), as porcupine stops at its first failure.
  bool stop_at_first_violation = true;
  SearchBudget budget;  // steps and memory per partition; wall clock for the whole check
};

enum class Verdict : std::uint8_t { linearizable, not_linearizable, unknown, empty };

const char* verdict_name(Verdict verdict);

struct PartitionReport {
  std::string key;  // "" for a single-object history; "*" when checked without partitioning
  std::size_t operations = 0;  // after dropping operations that carry no information
  bool checked = false;        // false when a violation elsewhere ended the check first
  SearchVerdict verdict = SearchVerdict::linearizable;
  BudgetExhausted exhausted = BudgetExhausted::none;
  std::uint64_t steps = 0;
  std::uint64_t configurations = 0;
  std::uint64_t memory_bytes = 0;
  std::size_t info_writes_dropped = 0;  // reductions.h, rule 1
  std::size_t info_writes_bounded = 0;  // reductions.h, rule 2
  bool decided_by_zones = false;        // linearizable by zones.h, without a search
};

struct LinearizationStep {
  std::size_t operation = 0;  // index into History::operations
  std::string state_after;
};

struct Violation {
  std::string key;
  // Index into History::operations: the operation whose response makes the history
  // non-linearizable (every prefix of the history ending before its return is linearizable).
  std::size_t blamed = 0;
  std::string initial_state;
  // A linearization of the history up to the blamed operation's return, the one that linearized
  // the most operations.
  std::vector<LinearizationStep> longest_prefix;
  std::vector<std::size_t> concurrent;  // operations of the partition overlapping the blamed one
  // True when the blame comes from a search without pruning (the history up to the blamed
  // operation's return is then proven linearizable); false when that search ran out of budget
  // and the verdict search's farthest configuration is shown instead.
  bool blame_exact = true;
};

struct CheckResult {
  Verdict verdict = Verdict::linearizable;
  std::string model;
  std::vector<PartitionReport> partitions;  // in key order
  std::optional<Violation> violation;  // the first violating partition found (round, key order)
  std::optional<std::string> unknown_partition;  // the first partition that ran out of budget
  std::uint64_t steps = 0;                       // over all partitions
  std::uint64_t explanation_steps = 0;           // the search that found the blame (not in `steps`)
};

// Errors: invalid history (bad times) or an operation the model cannot interpret.
Result<CheckResult> check_history(const History& history, Model& model,
                                  const CheckOptions& options);

}  // namespace raftsim::linearizability
