// raftsim linearizability: the Wing-Gong / Lowe search over one partition.
// Calls and returns form a doubly linked list ordered by time (calls before returns at equal
// times: equal times are concurrent). The candidates of a configuration are the calls before the
// first return still in the list; the search linearizes one whose model step is legal, unlinks it
// and its return in O(1), and backtracks when no candidate is left, relinking in O(1).
// Configurations already seen are skipped (Lowe's cache). Optional (info) operations have no
// return node and need not be linearized. Reductions that keep completeness: a legal
// state-preserving operation is forced; identical operations go earliest-deadline-first
// (twin_before_); a read the model calls hopeless ends the configuration (see README.md).
// Determinism: the outcome depends only on the inputs and the step / memory budget.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "sim/linearizability/model.h"
#include "sim/linearizability/visited_set.h"

namespace raftsim::linearizability {

// Limits per partition. Steps and bytes are deterministic; the wall clock is only a guard
// against a machine being far slower than expected, and the one limit that can make the same
// input give a different verdict, so its default is generous.
struct SearchBudget {
  std::uint64_t search_steps_max = 200'000'000;
  std::uint64_t memory_bytes_max = std::uint64_t{4} << 30;
  double wall_seconds_max = 600;  // 0 = no wall-clock guard
};

enum class SearchVerdict : std::uint8_t { linearizable, not_linearizable, unknown };
enum class BudgetExhausted : std::uint8_t { none, search_steps, memory_bytes, wall_clock };

const char* budget_exhausted_name(BudgetExhausted exhausted);

struct SearchOperation {
  TimeNs invoke_ns = 0;
  TimeNs return_ns = kTimeInfinite;
  bool optional = false;  // info: may or may not have taken effect, returns at infinity
  PreparedOperation prepared;
};

// How a search starts. The defaults are the fast verdict search; the explanation of a violation
// searches again without the hopeless-read pruning, which can end a configuration before it has
// gone as far as it could, and so would blame an operation too early.
struct SearchStart {
  std::optional<ModelState> initial_state;  // default: the model's initial_state()
  bool prune_hopeless_reads = true;
};

inline constexpr std::uint32_t kNoOperation = UINT32_MAX;

struct SearchOutcome {
  SearchVerdict verdict = SearchVerdict::linearizable;
  BudgetExhausted exhausted = BudgetExhausted::none;
  std::uint64_t steps = 0;
  std::uint64_t configurations = 0;  // entries in the visited set at the end
  std::uint64_t memory_bytes = 0;    // visited set plus list, at the end
  // The configuration that got farthest: the one whose first unlinearized return comes latest
  // (then the one with more operations linearized). Its operations in linearization order
  // (indices into the input): for a linearizable partition, a full witness. Every history prefix
  // ending before that return is linearizable (the path is a linearization of it), so when the
  // search explored without pruning, the operation of that return (`blocked`) is the one whose
  // response makes the history non-linearizable; kNoOperation when every required operation got
  // linearized.
  std::vector<std::uint32_t> longest_prefix;
  std::uint32_t blocked = kNoOperation;
};

// One partition's search. It can pause when its step allowance runs out and resume later with a
// larger one, losing no work, which lets the checker interleave partitions deterministically.
class Searcher {
 public:
  // `model` and `operations` must outlive the searcher.
  Searcher(Model& model, std::span<const SearchOperation> operations,
           const SearchStart& start = {});
  Searcher(const Searcher&) = delete;
  Searcher& operator=(const Searcher&) = delete;

  // Searches until a verdict or a limit. Exhausting budget.search_steps_max only pauses: call
  // again with a larger allowance (steps count from the start). Other limits are final.
  const SearchOutcome& resume(const SearchBudget& budget);

  bool finished() const { return finished_; }
  // Everything the search holds: the visited set, the list, the stack and its per-operation
  // tables (what the memory budget counts).
  std::size_t memory_bytes() const;
  const SearchOutcome& outcome() const { return outcome_; }

 private:
  struct Node {
    std::int32_t prev = 0;
    std::int32_t next = -1;
    std::uint32_t operation = 0;
    std::int32_t match = -1;  // call: its return node or -1 (optional); return: -1
    bool is_call = false;
  };
  struct Frame {
    std::int32_t call_node;
    bool forced;  // a state-preserving operation linearized as soon as it was legal
    ModelState state_before;
  };
  // The candidates of one configuration: the calls before the first unmatched return, in
  // try order, as a slice of candidates_.
  struct Level {
    std::uint32_t begin;
    std::uint32_t count;
    std::uint32_t cursor;
  };

  void build_list();
  void link_twins();
  void lift(std::int32_t call_node);
  void unlift(std::int32_t call_node);
  void set_bit(std::uint32_t index);
  void clear_bit(std::uint32_t index);
  void record_prefix();
  void record_if_farthest();
  void push(std::int32_t call_node, bool forced, ModelState next_state);
  void open_level();
  void promote_enablers(std::uint32_t begin, std::uint32_t count);
  bool next_read_is_hopeless();
  bool backtrack();
  bool budget_exhausted(const SearchBudget& budget);
  void finish(SearchVerdict verdict);
  bool linearized(std::uint32_t index) const { return (bits_[index / 64] >> (index % 64)) & 1; }

  Model& model_;
  std::span<const SearchOperation> operations_;
  std::vector<Node> nodes_;  // nodes_[0] is the head sentinel
  std::vector<Frame> stack_;
  std::vector<Level> levels_;                      // one per configuration on the path: stack_ + 1
  std::vector<std::int32_t> candidates_;           // the levels' slices, back to back
  std::vector<std::uint32_t> waiting_;             // scratch for promote_enablers
  std::vector<const PreparedOperation*> writers_;  // scratch for next_read_is_hopeless
  // Try order of each operation: required before optional (an info operation can always wait),
  // state-preserving first (a legal one is forced, so trying it first spares exploring the other
  // candidates of that configuration at all), then invoke order, then index;
  // promote_enablers() then moves helpful writers forward.
  std::vector<std::uint32_t> try_rank_;
  std::vector<std::uint64_t> bits_;  // the linearized set, one bit per operation
  BitsetBounds bounds_;              // where bits_ is all ones and all zeros (visited_set.h)
  // How many frames of the stack still equal outcome_.longest_prefix (see record_prefix()).
  std::size_t prefix_matching_ = 0;
  // return_rank_[i]: position of operation i's return among the return nodes (list order);
  // frontier_: that rank for the current configuration's first return (required count when
  // none is left), set by open_level(); farthest_: the best (frontier, depth) recorded.
  std::vector<std::uint32_t> return_rank_;
  std::uint32_t frontier_ = 0;
  std::int32_t frontier_node_ = -1;
  std::pair<std::uint32_t, std::size_t> farthest_{0, 0};
  bool recorded_any_ = false;
  bool prune_hopeless_reads_ = true;
  std::vector<std::uint64_t> zobrist_;  // one random word per operation
  // twin_before_[b] = a (or -1): a and b are identical operations, a invoked and returned no
  // later than b, so some linearization (if any exists) puts a before b; the search only
  // linearizes b once a is. Cuts the 2^k subsets of k identical info operations to k + 1.
  std::vector<std::int32_t> twin_before_;
  VisitedSet visited_;
  // The current configuration: model state, the Zobrist hash of bits_, how many required
  // (non-info) operations are still to be linearized.
  ModelState state_ = 0;
  std::uint64_t bits_hash_ = 0;
  std::size_t required_ = 0;
  std::uint64_t next_memory_check_ = 0;  // visited-set size at which memory is next checked
  std::chrono::steady_clock::time_point deadline_;  // lint: allow (wall-clock guard only)
  bool finished_ = false;
  SearchOutcome outcome_;
};

// Runs one search to a verdict or a limit.
SearchOutcome search_partition(Model& model, std::span<const SearchOperation> operations,
                               const SearchBudget& budget, const SearchStart& start = {});

}  // namespace raftsim::linearizability
