// raftsim: the injected bugs of one layer, as a bit mask over that layer's own bug enum.
// A layer that can carry catalogued bugs names them in its own enum (RaftBug, HostBug, QueueBug)
// and takes a BugSet in its own configuration: no global, nothing shared between runs. A site
// asks one question, `bugs.has(Enum::x)`; sim/bugs/ aggregates the catalogue for the CLI.
// Cost: built with RAFTSIM_BUG_INJECTION=0, has() is a constant false and every site compiles
// away (tests/bug_injection_off_test.cc proves it on a core built that way).
#pragma once

#include <cstdint>
#include <type_traits>

#include "raft/base/check.h"

#ifndef RAFTSIM_BUG_INJECTION
#define RAFTSIM_BUG_INJECTION 1
#endif

namespace raftsim {

template <typename Enum>
class BugSet {
  static_assert(std::is_enum_v<Enum>, "a BugSet is over a layer's bug enum");

 public:
  // Whether injection sites exist in this build at all (RAFTSIM_BUG_INJECTION).
  static constexpr bool kInjectionCompiledIn = RAFTSIM_BUG_INJECTION != 0;

  constexpr BugSet() = default;
  constexpr explicit BugSet(Enum bug) { add(bug); }

  constexpr BugSet& add(Enum bug) {
    bits_ |= bit(bug);
    return *this;
  }
  constexpr bool has(Enum bug) const {
    if constexpr (kInjectionCompiledIn) {
      return (bits_ & bit(bug)) != 0;
    } else {
      return false;
    }
  }
  constexpr bool empty() const { return bits_ == 0; }

  friend constexpr bool operator==(const BugSet&, const BugSet&) = default;

 private:
  static constexpr std::uint32_t bit(Enum bug) {
    const auto position = static_cast<std::uint32_t>(bug);
    RAFTSIM_CHECK_MSG(position < 32, "a layer's bug enum has at most 32 bugs");
    return std::uint32_t{1} << position;
  }

  std::uint32_t bits_ = 0;
};

}  // namespace raftsim
