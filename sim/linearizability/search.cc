// raftsim linearizability: Searcher (see search.h).
#include "sim/linearizability/search.h"

#include <algorithm>
#include <chrono>
#include <tuple>

#include "raft/base/check.h"
#include "raft/base/hash.h"

namespace raftsim::linearizability {
namespace {

// Reading the clock costs more than a step, so the wall-clock guard looks every this many steps.
constexpr std::uint64_t kWallClockCheckSteps = 1 << 16;

// How far next_read_is_hopeless() looks down the list: enough for the reads that must be
// linearized soon, bounded so a configuration costs O(1) extra work.
constexpr std::uint32_t kHopelessScanNodes = 32;

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

Searcher::Searcher(Model& model, std::span<const SearchOperation> operations,
                   const SearchStart& start)
    : model_(model), operations_(operations), prune_hopeless_reads_(start.prune_hopeless_reads) {
  RAFTSIM_CHECK(operations.size() < INT32_MAX / 2);
  build_list();
  link_twins();
  std::vector<std::uint32_t> order(operations.size());
  for (std::uint32_t index = 0; index < order.size(); ++index) order[index] = index;
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    return std::tuple(operations[a].optional, !operations[a].prepared.state_preserving,
                      operations[a].invoke_ns, a) <
           std::tuple(operations[b].optional, !operations[b].prepared.state_preserving,
                      operations[b].invoke_ns, b);
  });
  try_rank_.assign(operations.size(), 0);
  for (std::uint32_t rank = 0; rank < order.size(); ++rank) try_rank_[order[rank]] = rank;
  const std::size_t words = std::max<std::size_t>(1, (operations.size() + 63) / 64);
  bits_.assign(words, 0);
  bounds_ = BitsetBounds{};
  zobrist_.reserve(operations.size());
  for (std::size_t index = 0; index < operations.size(); ++index) {
    zobrist_.push_back(mix64(index * 0x9e3779b97f4a7c15ULL + 0x2545f4914f6cdd1dULL));
  }
  stack_.reserve(operations.size());
  visited_.reset(words);
  outcome_.longest_prefix.reserve(operations.size());
  for (const SearchOperation& operation : operations) required_ += operation.optional ? 0 : 1;
  state_ = start.initial_state.value_or(model.initial_state());
  candidates_.reserve(8 * operations.size());
  waiting_.reserve(64);
  writers_.reserve(64);
  levels_.reserve(operations.size() + 1);
  open_level();
  record_if_farthest();
  if (required_ == 0) finish(SearchVerdict::linearizable);
}

void Searcher::build_list() {
  // Nodes 1..n are calls of operations 0..n-1; returns follow in operation order.
  const auto count = static_cast<std::int32_t>(operations_.size());
  nodes_.reserve(1 + 2 * operations_.size());
  nodes_.push_back(Node{});
  for (std::int32_t index = 0; index < count; ++index) {
    nodes_.push_back(Node{0, -1, static_cast<std::uint32_t>(index), -1, true});
  }
  for (std::int32_t index = 0; index < count; ++index) {
    if (operations_[index].optional) continue;
    nodes_[index + 1].match = static_cast<std::int32_t>(nodes_.size());
    nodes_.push_back(Node{0, -1, static_cast<std::uint32_t>(index), -1, false});
  }
  // Keys computed once, sorted with their nodes (cheaper than recomputing per comparison).
  std::vector<std::pair<EventKey, std::int32_t>> order;
  order.reserve(nodes_.size());
  for (std::int32_t node = 1; node < static_cast<std::int32_t>(nodes_.size()); ++node) {
    const Node& entry = nodes_[node];
    const SearchOperation& operation = operations_[entry.operation];
    order.emplace_back(EventKey{entry.is_call ? operation.invoke_ns : operation.return_ns,
                                entry.is_call ? 0 : 1, entry.operation},
                       node);
  }
  std::sort(order.begin(), order.end());
  std::int32_t previous = 0;
  for (const auto& [key, node] : order) {
    nodes_[previous].next = node;
    nodes_[node].prev = previous;
    previous = node;
  }
  nodes_[previous].next = -1;
  return_rank_.assign(operations_.size(), 0);
  std::uint32_t rank = 0;
  for (const auto& [key, node] : order) {
    if (!nodes_[node].is_call) return_rank_[nodes_[node].operation] = rank++;
  }
}

// Identical prepared operations behave identically in every state (the Model contract), so their
// linearization points can be handed out earliest-deadline-first: among identical operations, an
// available one with an earlier return (then earlier invoke) always takes the earlier point. Hence
// b needs only wait for its nearest identical predecessor a with a.invoke <= b.invoke and
// a.return <= b.return (ties broken by operation index, as in the list).
void Searcher::link_twins() {
  const auto count = operations_.size();
  twin_before_.assign(count, -1);
  auto identity = [&](std::size_t index) {
    const PreparedOperation& p = operations_[index].prepared;
    return std::tuple(p.function, p.output_known, p.failed, p.state_preserving, p.key_slot,
                      p.argument, p.argument2, p.output);
  };
  auto time_order = [&](std::size_t index) {
    return std::tuple(operations_[index].invoke_ns, operations_[index].return_ns, index);
  };
  using Key = decltype(std::tuple(identity(0), time_order(0)));
  std::vector<Key> keys;
  keys.reserve(count);
  for (std::size_t index = 0; index < count; ++index) {
    keys.push_back(std::tuple(identity(index), time_order(index)));
  }
  std::sort(keys.begin(), keys.end());
  for (std::size_t position = 1; position < count; ++position) {
    const auto later = static_cast<std::uint32_t>(std::get<2>(std::get<1>(keys[position])));
    for (std::size_t back = position; back-- > 0;) {
      const auto earlier = static_cast<std::uint32_t>(std::get<2>(std::get<1>(keys[back])));
      if (std::get<0>(keys[back]) != std::get<0>(keys[position])) break;
      // Returns compared as the list orders them (time, then operation), so a always returns
      // first in the list: the farthest configuration (record_if_farthest) is never one the
      // reduction skips.
      if (std::pair(operations_[earlier].return_ns, earlier) <
          std::pair(operations_[later].return_ns, later)) {
        twin_before_[later] = static_cast<std::int32_t>(earlier);
        break;
      }
    }
  }
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

std::size_t Searcher::memory_bytes() const {
  return visited_.memory_bytes() + nodes_.capacity() * sizeof(Node) +
         stack_.capacity() * sizeof(Frame) + levels_.capacity() * sizeof(Level) +
         (candidates_.capacity() + twin_before_.capacity()) * sizeof(std::int32_t) +
         (waiting_.capacity() + try_rank_.capacity() + return_rank_.capacity()) *
             sizeof(std::uint32_t) +
         writers_.capacity() * sizeof(const PreparedOperation*) +
         (bits_.capacity() + zobrist_.capacity()) * sizeof(std::uint64_t) +
         outcome_.longest_prefix.capacity() * sizeof(std::uint32_t);
}

void Searcher::set_bit(std::uint32_t index) {
  bits_[index / 64] |= std::uint64_t{1} << (index % 64);
  bounds_.used = std::max<std::size_t>(bounds_.used, index / 64 + 1);
}

void Searcher::clear_bit(std::uint32_t index) {
  bits_[index / 64] &= ~(std::uint64_t{1} << (index % 64));
  bounds_.full = std::min<std::size_t>(bounds_.full, index / 64);
}

// Copies only the frames that differ from the prefix recorded last: the first
// prefix_matching_ frames still equal it (backtracking lowers that mark), so a search that only
// goes forward records each frame once instead of copying the whole stack on every step.
void Searcher::record_prefix() {
  std::vector<std::uint32_t>& prefix = outcome_.longest_prefix;
  prefix.resize(std::min(prefix_matching_, prefix.size()));
  for (std::size_t depth = prefix.size(); depth < stack_.size(); ++depth) {
    prefix.push_back(nodes_[stack_[depth].call_node].operation);
  }
  prefix_matching_ = stack_.size();
}

void Searcher::push(std::int32_t call_node, bool forced, ModelState next_state) {
  const std::uint32_t index = nodes_[call_node].operation;
  bits_hash_ ^= zobrist_[index];
  stack_.push_back(Frame{call_node, forced, state_});
  state_ = next_state;
  lift(call_node);
  if (!operations_[index].optional) --required_;
  open_level();
  record_if_farthest();
}

// A configuration whose first return comes later has linearized a longer prefix of the history
// (every operation returning before it); among equals, the one with more operations.
void Searcher::record_if_farthest() {
  const std::pair<std::uint32_t, std::size_t> reach{frontier_, stack_.size()};
  if (recorded_any_ && reach <= farthest_) return;
  recorded_any_ = true;
  farthest_ = reach;
  outcome_.blocked = frontier_node_ > 0 ? nodes_[frontier_node_].operation : kNoOperation;
  record_prefix();
}

void Searcher::open_level() {
  const auto begin = static_cast<std::uint32_t>(candidates_.size());
  std::int32_t node = nodes_[0].next;
  for (; node > 0 && nodes_[node].is_call; node = nodes_[node].next) {
    // Insertion sort by try rank: windows are small, and this allocates nothing once the
    // arena has grown.
    candidates_.push_back(node);
    const std::uint32_t rank = try_rank_[nodes_[node].operation];
    std::size_t position = candidates_.size() - 1;
    while (position > begin && try_rank_[nodes_[candidates_[position - 1]].operation] > rank) {
      candidates_[position] = candidates_[position - 1];
      --position;
    }
    candidates_[position] = node;
  }
  frontier_node_ = node > 0 ? node : -1;
  frontier_ = node > 0 ? return_rank_[nodes_[node].operation]
                       : static_cast<std::uint32_t>(operations_.size());
  auto count = static_cast<std::uint32_t>(candidates_.size()) - begin;
  if (prune_hopeless_reads_ && next_read_is_hopeless()) count = 0;  // dead end: backtrack
  promote_enablers(begin, count);
  levels_.push_back(Level{begin, count, 0});
}

// A read must be linearized before every call that follows its return in the list, so only the
// calls before its return node can act before it. If such a read is illegal now and the model
// says those calls can never make it legal, the configuration is dead. Looks at the first
// kHopelessScanNodes nodes of the list (bounded work per configuration).
bool Searcher::next_read_is_hopeless() {
  writers_.clear();
  std::uint32_t scanned = 0;
  for (std::int32_t node = nodes_[0].next; node > 0 && scanned < kHopelessScanNodes;
       node = nodes_[node].next, ++scanned) {
    const PreparedOperation& operation = operations_[nodes_[node].operation].prepared;
    if (nodes_[node].is_call) {
      if (!operation.state_preserving) writers_.push_back(&operation);
      continue;
    }
    ModelState unused = 0;
    if (!operation.state_preserving || model_.step(state_, operation, &unused)) continue;
    if (!model_.may_become_legal(state_, operation, writers_)) return true;
  }
  return false;
}

// One-step lookahead: a state-changing candidate after which some waiting read (a candidate
// state-preserving operation, illegal now) becomes legal moves to the front, keeping order
// otherwise. A read pins the state it saw, so the operation that produces that state is
// usually the next one in the witness.
void Searcher::promote_enablers(std::uint32_t begin, std::uint32_t count) {
  waiting_.clear();
  for (std::uint32_t slot = begin; slot < begin + count; ++slot) {
    const PreparedOperation& read = operations_[nodes_[candidates_[slot]].operation].prepared;
    ModelState unused = 0;
    if (read.state_preserving && !model_.step(state_, read, &unused)) waiting_.push_back(slot);
  }
  if (waiting_.empty()) return;
  // Two tiers move forward, each keeping the try order: writers after which a waiting read is
  // legal, then writers the model calls on the way to one (on_the_way_to).
  // State-preserving candidates sort first (try_rank_) and stay there.
  std::uint32_t first_writer = begin;
  while (first_writer < begin + count &&
         operations_[nodes_[candidates_[first_writer]].operation].prepared.state_preserving) {
    ++first_writer;
  }
  std::uint32_t enabling_end = first_writer;
  std::uint32_t hinted_end = first_writer;
  for (std::uint32_t slot = first_writer; slot < begin + count; ++slot) {
    const std::uint32_t index = nodes_[candidates_[slot]].operation;
    const PreparedOperation& writer = operations_[index].prepared;
    const std::int32_t twin = twin_before_[index];
    // Only a writer of a key some read waits on can help it (key_slot differs only when one
    // search covers several keys).
    bool same_key = false;
    for (std::uint32_t read_slot : waiting_) {
      same_key |= operations_[nodes_[candidates_[read_slot]].operation].prepared.key_slot ==
                  writer.key_slot;
    }
    ModelState next = 0;
    if (!same_key || writer.state_preserving ||
        (twin >= 0 && !linearized(static_cast<std::uint32_t>(twin))) ||
        !model_.step(state_, writer, &next) || next == state_) {
      continue;
    }
    int tier = 2;
    for (std::uint32_t read_slot : waiting_) {
      const PreparedOperation& read =
          operations_[nodes_[candidates_[read_slot]].operation].prepared;
      if (read.key_slot != writer.key_slot) continue;
      ModelState unused = 0;
      if (model_.step(next, read, &unused)) {
        tier = 0;
        break;
      }
      if (tier == 2 && model_.on_the_way_to(next, read)) tier = 1;
    }
    if (tier == 2) continue;
    // Rotate the writer to the end of its tier (waiting reads sit before first_writer).
    const std::uint32_t target = tier == 0 ? enabling_end : hinted_end;
    std::rotate(candidates_.begin() + target, candidates_.begin() + slot,
                candidates_.begin() + slot + 1);
    if (tier == 0) ++enabling_end;
    ++hinted_end;
  }
}

// The current configuration has no candidate left. Undoes frames until one that was a free
// choice; its parent configuration then tries its next candidate. Forced frames are undone too:
// if linearizing a legal state-preserving operation led nowhere, nothing from the configuration
// before it can succeed either. False when the path runs out.
bool Searcher::backtrack() {
  while (true) {
    candidates_.resize(levels_.back().begin);
    levels_.pop_back();
    if (stack_.empty()) return false;
    const Frame frame = stack_.back();
    stack_.pop_back();
    prefix_matching_ = std::min(prefix_matching_, stack_.size());
    const std::uint32_t index = nodes_[frame.call_node].operation;
    clear_bit(index);
    bits_hash_ ^= zobrist_[index];
    state_ = frame.state_before;
    unlift(frame.call_node);
    if (!operations_[index].optional) ++required_;
    if (!frame.forced) return true;
  }
}

bool Searcher::budget_exhausted(const SearchBudget& budget) {
  if (outcome_.steps >= budget.search_steps_max) {
    outcome_.exhausted = BudgetExhausted::search_steps;
  } else if (outcome_.steps % kWallClockCheckSteps == 0 && budget.wall_seconds_max > 0 &&
             std::chrono::steady_clock::now() > deadline_) {  // lint: allow (wall-clock guard only)
    outcome_.exhausted = BudgetExhausted::wall_clock;
  } else if (visited_.size() >= next_memory_check_) {
    // Checked before the first step too: a budget the history alone exceeds ends it at once.
    next_memory_check_ = visited_.size() + kMemoryCheckConfigurations;
    if (memory_bytes() > budget.memory_bytes_max) {
      outcome_.exhausted = BudgetExhausted::memory_bytes;
    }
  }
  return outcome_.exhausted != BudgetExhausted::none;
}

void Searcher::finish(SearchVerdict verdict) {
  finished_ = true;
  outcome_.verdict = verdict;
  if (verdict == SearchVerdict::linearizable) {  // the witness
    record_prefix();
    outcome_.blocked = kNoOperation;
  }
  outcome_.configurations = visited_.size();
  outcome_.memory_bytes = memory_bytes();
}

const SearchOutcome& Searcher::resume(const SearchBudget& budget) {
  if (finished_) return outcome_;
  outcome_.exhausted = BudgetExhausted::none;
  deadline_ =
      std::chrono::steady_clock::now() +  // lint: allow (wall-clock guard only)
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(  // lint: allow (wall-clock
                                                                        // guard only)
          std::chrono::duration<double>(budget.wall_seconds_max));
  while (required_ > 0) {
    if (budget_exhausted(budget)) {
      outcome_.verdict = SearchVerdict::unknown;
      if (outcome_.exhausted != BudgetExhausted::search_steps) finish(SearchVerdict::unknown);
      outcome_.configurations = visited_.size();
      return outcome_;
    }
    ++outcome_.steps;
    Level& level = levels_.back();
    if (level.cursor == level.count) {
      if (!backtrack()) break;
      continue;
    }
    const std::int32_t call_node = candidates_[level.begin + level.cursor++];
    const std::uint32_t index = nodes_[call_node].operation;
    const PreparedOperation& prepared = operations_[index].prepared;
    const std::int32_t twin = twin_before_[index];
    ModelState next_state = 0;
    if ((twin >= 0 && !linearized(static_cast<std::uint32_t>(twin))) ||
        !model_.step(state_, prepared, &next_state)) {
      continue;
    }
    RAFTSIM_CHECK_MSG(!prepared.state_preserving || next_state == state_,
                      "a state-preserving operation changed the state");
    set_bit(index);
    if (visited_.insert(bits_.data(), bounds_, bits_hash_ ^ zobrist_[index], next_state)) {
      push(call_node, prepared.state_preserving, next_state);
      continue;
    }
    clear_bit(index);
    // A legal state-preserving operation leads to an explored dead end: so does this branch.
    if (prepared.state_preserving) {
      level.cursor = level.count;
    }
  }
  finish(required_ > 0 ? SearchVerdict::not_linearizable : SearchVerdict::linearizable);
  return outcome_;
}

SearchOutcome search_partition(Model& model, std::span<const SearchOperation> operations,
                               const SearchBudget& budget, const SearchStart& start) {
  Searcher searcher(model, operations, start);
  return searcher.resume(budget);
}

}  // namespace raftsim::linearizability
