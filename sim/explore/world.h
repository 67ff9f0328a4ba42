// raftsim: what the explorer (model checker) explores -- a "world" as a deterministic step
// function. A world lists its enabled choices in a canonical order, applies one, fingerprints its
// whole state with a fixed 64-bit hash, and reports the first invariant it violates. Worlds are
// values: clone() gives an independent copy, so the explorer copies a state per successor.
// Contract: 1. same state + same choice = same successor; 2. equal fingerprints mean equal
// futures (every field a choice or an invariant reads is hashed); 3. choices are stable values
// (a choice that stays enabled after another step compares equal to itself).
#pragma once

#include <compare>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace raftsim::sim::explore {

// One choice point: a kind (world-specific), the node it happens on, and a key that tells apart
// choices of one kind on one node (for Raft deliveries: the message's content hash).
struct Choice {
  std::uint32_t kind = 0;
  std::uint32_t node = 0;
  std::uint64_t key = 0;
  friend auto operator<=>(const Choice&, const Choice&) = default;
};

struct Violation {
  std::string invariant;  // e.g. "election_safety"
  std::string detail;     // one line for humans
  friend bool operator==(const Violation&, const Violation&) = default;
};

class World {
 public:
  virtual ~World() = default;
  virtual std::unique_ptr<World> clone() const = 0;
  // Every enabled choice, in canonical order, replacing `out`'s contents.
  virtual void enabled_choices(std::vector<Choice>& out) const = 0;
  virtual void apply(const Choice& choice) = 0;
  virtual std::uint64_t fingerprint() const = 0;
  // The first invariant the current state violates (checked when the state was reached).
  virtual std::optional<Violation> violation() const = 0;
  // A stable, human-readable name of an enabled choice; unique among the enabled choices, so a
  // list of them replays (see choice_from_label).
  virtual std::string describe(const Choice& choice) const = 0;
  // A short label that needs no state (for DOT exports of the state graph).
  virtual std::string short_label(const Choice& choice) const = 0;
  // Coverage probes ("sometimes" properties): bit i set if this state shows probe i (named by
  // coverage_names()[i]). The explorer reports which probes some explored state reached: a
  // search that never elects a leader proves nothing.
  // Whether two choices commute exactly (either order reaches the same state, and neither
  // enables or disables the other). Used by sleep sets; false (the default) is always safe.
  virtual bool independent(const Choice&, const Choice&) const { return false; }
  virtual std::uint64_t coverage() const { return 0; }
  virtual std::vector<std::string> coverage_names() const { return {}; }
};

// The enabled choice whose describe() is `label`, if any.
std::optional<Choice> choice_from_label(const World& world, const std::string& label);

}  // namespace raftsim::sim::explore
