// raftsim linearizability: Searcher (see search.h).
#include "sim/linearizability/search.h"

#include <algorithm>
#include <chrono>

#include "raft/util/check.h"
#include "raft/util/hash.h"

namespace raftsim::linearizability {
namespace {

// Reading the clock costs more than a step, so the wall-clock guard looks every this many steps.
constexpr std::uint64_t kWallClockCheckSteps = 1 << 16;

// Memory is compared with the budget only when the visited set has grown by this many entries.
constexpr std::uint64_t kMemoryCheckConfigurations = 1 << 12;

// Event sort key: time, then calls before returns (equal times are concurrent), then operation.
struct EventKey {
  TimeNs time;
  int is_return;
  std::uint32_t operation;
  friend auto operator<=>(const EventKey&, const EventKey&) = default;
};

}  // namespace

const char* budget_exhausted_name(BudgetExhausted exhausted) {
  switch (exhausted) {
    case BudgetExhausted::none:
      return "none";
    case BudgetExhausted::search_steps:
      return "search_steps";
    case BudgetExhausted::memory_bytes:
      return "memory_bytes";
    case BudgetExhausted::wall_clock:
      return "wall_clock";
  }
  RAFTSIM_UNREACHABLE("bad budget kind");
}

void Searcher::build_list(std::span<const SearchOperation> operations) {
  // Nodes 1..n are calls of operations 0..n-1; returns follow in operation order.
  const auto count = static_cast<std::int32_t>(operations.size());
  nodes_.assign(1, Node{});
  for (std::int32_t index = 0; index < count; ++index) {
    nodes_.push_back(Node{0, -1, static_cast<std::uint32_t>(index), -1, true});
  }
  for (std::int32_t index = 0; index < count; ++index) {
    if (operations[index].optional) continue;
    nodes_[index + 1].match = static_cast<std::int32_t>(nodes_.size());
    nodes_.push_back(Node{0, -1, static_cast<std::uint32_t>(index), -1, false});
  }
  auto key = [&](std::int32_t node) {
    const Node& entry = nodes_[node];
    const SearchOperation& operation = operations[entry.operation];
    return EventKey{entry.is_call ? operation.invoke_ns : operation.return_ns,
                    entry.is_call ? 0 : 1, entry.operation};
  };
  order_.clear();
  for (std::int32_t node = 1; node < static_cast<std::int32_t>(nodes_.size()); ++node) {
    order_.push_back(node);
  }
  std::sort(order_.begin(), order_.end(),
            [&](std::int32_t a, std::int32_t b) { return key(a) < key(b); });
  std::int32_t previous = 0;
  for (std::int32_t node : order_) {
    nodes_[previous].next = node;
    nodes_[node].prev = previous;
    previous = node;
  }
  nodes_[previous].next = -1;
}

void Searcher::lift(std::int32_t call_node) {
  const Node& call = nodes_[call_node];
  nodes_[call.prev].next = call.next;
  if (call.next >= 0) nodes_[call.next].prev = call.prev;
  if (call.match >= 0) {
    const Node& ret = nodes_[call.match];
    nodes_[ret.prev].next = ret.next;
    if (ret.next >= 0) nodes_[ret.next].prev = ret.prev;
  }
}

void Searcher::unlift(std::int32_t call_node) {
  // Reverse order of lift: the removed nodes still hold their neighbours (dancing links).
  const Node& call = nodes_[call_node];
  if (call.match >= 0) {
    const Node& ret = nodes_[call.match];
    nodes_[ret.prev].next = call.match;
    if (ret.next >= 0) nodes_[ret.next].prev = call.match;
  }
  nodes_[call.prev].next = call_node;
  if (call.next >= 0) nodes_[call.next].prev = call_node;
}

SearchOutcome Searcher::run(Model& model, std::span<const SearchOperation> operations,
                            const SearchBudget& budget) {
  RAFTSIM_CHECK(operations.size() < INT32_MAX / 2);
  build_list(operations);
  const std::size_t words = std::max<std::size_t>(1, (operations.size() + 63) / 64);
  bits_.assign(words, 0);
  zobrist_.clear();
  for (std::size_t index = 0; index < operations.size(); ++index) {
    zobrist_.push_back(mix64(index * 0x9e3779b97f4a7c15ULL + 0x2545f4914f6cdd1dULL));
  }
  stack_.clear();
  stack_.reserve(operations.size());
  visited_.reset(words);
  SearchOutcome outcome = search(model, operations, budget);
  outcome.configurations = visited_.size();
  outcome.memory_bytes = visited_.memory_bytes() + nodes_.size() * sizeof(Node);
  return outcome;
}

void Searcher::record_prefix(SearchOutcome& outcome) const {
  outcome.longest_prefix.clear();
  for (const Frame& frame : stack_) {
    outcome.longest_prefix.push_back(nodes_[frame.call_node].operation);
  }
}

void Searcher::push(std::int32_t call_node, bool forced, ModelState next_state,
                    std::span<const SearchOperation> operations) {
  const std::uint32_t index = nodes_[call_node].operation;
  bits_hash_ ^= zobrist_[index];
  stack_.push_back(Frame{call_node, forced, state_});
  state_ = next_state;
  lift(call_node);
  if (!operations[index].optional) --required_;
}

// Undoes frames until one that was a free choice, and resumes after that choice. Forced frames
// are undone too: if linearizing a legal state-preserving operation led nowhere, nothing from the
// configuration before it can succeed either. False when the stack runs out.
bool Searcher::backtrack(std::span<const SearchOperation> operations, std::int32_t* node) {
  while (!stack_.empty()) {
    const Frame frame = stack_.back();
    stack_.pop_back();
    const std::uint32_t index = nodes_[frame.call_node].operation;
    bits_[index / 64] &= ~(std::uint64_t{1} << (index % 64));
    bits_hash_ ^= zobrist_[index];
    state_ = frame.state_before;
    unlift(frame.call_node);
    if (!operations[index].optional) ++required_;
    if (!frame.forced) {
      *node = nodes_[frame.call_node].next;
      return true;
    }
  }
  return false;
}

bool Searcher::budget_exhausted(const SearchBudget& budget, SearchOutcome& outcome) {
  if (++outcome.steps > budget.search_steps_max) {
    outcome.exhausted = BudgetExhausted::search_steps;
  } else if (outcome.steps % kWallClockCheckSteps == 0 && budget.wall_seconds_max > 0 &&
             std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count() >
                 budget.wall_seconds_max) {
    outcome.exhausted = BudgetExhausted::wall_clock;
  } else if (visited_.size() >= memory_checked_at_ + kMemoryCheckConfigurations) {
    memory_checked_at_ = visited_.size();
    if (visited_.memory_bytes() > budget.memory_bytes_max) {
      outcome.exhausted = BudgetExhausted::memory_bytes;
    }
  }
  return outcome.exhausted != BudgetExhausted::none;
}

SearchOutcome Searcher::search(Model& model, std::span<const SearchOperation> operations,
                               const SearchBudget& budget) {
  SearchOutcome outcome;
  outcome.longest_prefix.reserve(operations.size());
  required_ = 0;
  for (const SearchOperation& operation : operations) required_ += operation.optional ? 0 : 1;
  start_ = std::chrono::steady_clock::now();
  memory_checked_at_ = 0;
  state_ = model.initial_state();
  bits_hash_ = 0;
  std::int32_t node = nodes_[0].next;
  while (required_ > 0) {
    if (budget_exhausted(budget, outcome)) {
      outcome.verdict = SearchVerdict::unknown;
      return outcome;
    }
    RAFTSIM_CHECK(node > 0);  // a required operation's return is always ahead
    const Node& entry = nodes_[node];
    if (!entry.is_call) {
      // The return of an operation not yet linearized: nothing later can precede it.
      if (!backtrack(operations, &node)) break;
      continue;
    }
    const std::uint32_t index = entry.operation;
    const PreparedOperation& prepared = operations[index].prepared;
    ModelState next_state = 0;
    if (!model.step(state_, prepared, &next_state)) {
      node = entry.next;
      continue;
    }
    RAFTSIM_CHECK_MSG(!prepared.state_preserving || next_state == state_,
                      "a state-preserving operation changed the state");
    bits_[index / 64] |= std::uint64_t{1} << (index % 64);
    if (visited_.insert(bits_.data(), bits_hash_ ^ zobrist_[index], next_state)) {
      push(node, prepared.state_preserving, next_state, operations);
      if (stack_.size() > outcome.longest_prefix.size()) record_prefix(outcome);
      node = nodes_[0].next;
      continue;
    }
    bits_[index / 64] &= ~(std::uint64_t{1} << (index % 64));
    // A legal state-preserving operation leads to an explored dead end: so does this branch.
    if (prepared.state_preserving) {
      if (!backtrack(operations, &node)) break;
      continue;
    }
    node = entry.next;
  }
  if (required_ > 0) {
    outcome.verdict = SearchVerdict::not_linearizable;
  } else {
    record_prefix(outcome);  // the witness
  }
  return outcome;
}

}  // namespace raftsim::linearizability
