// raftsim linearizability: the readings of a history on which checkers differ, as options.
// A failed CAS either observed a different value (porcupine) or carries no information (Knossos
// drops every :fail); a read of nil is a value (porcupine's etcd model) or an unknown output
// (Knossos' cas-register); the register starts nil, at a given value, or at an unknown one.
// Each history format defaults to the reading of the tool it comes from (README.md, Semantics).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "raft/base/status.h"
#include "sim/linearizability/history.h"

namespace raftsim::linearizability {

enum class FailedCas : std::uint8_t {
  observe,  // kept: legal only where the value differs from `from`; changes nothing
  ignore,   // dropped, like every other failed operation
};

enum class NilRead : std::uint8_t {
  value,    // nil is a value the read returned (the initial one, or a written nil)
  unknown,  // the read's output is unknown: it constrains nothing and is dropped
};

struct InitialValue {
  enum class Kind : std::uint8_t {
    nil,    // nil (kv: the empty string, i.e. absent)
    given,  // `value`
    none,   // unknown: any value, the same for every read that sees it (register / cas only)
  };
  Kind kind = Kind::nil;
  Value value;  // when kind == given: nil, an integer or a string
  friend bool operator==(const InitialValue&, const InitialValue&) = default;
};

struct Semantics {
  FailedCas failed_cas = FailedCas::observe;
  NilRead nil_read = NilRead::value;
  InitialValue initial;
  friend bool operator==(const Semantics&, const Semantics&) = default;
};

const char* failed_cas_name(FailedCas failed_cas);
const char* nil_read_name(NilRead nil_read);
std::string initial_value_text(const InitialValue& initial);  // nil, none, 42 or "text"

// "observe" | "ignore"; "value" | "unknown"; nothing for anything else.
std::optional<FailedCas> parse_failed_cas(std::string_view text);
std::optional<NilRead> parse_nil_read(std::string_view text);
// "nil", "none", a whole number (an integer value) or any other text (a string value; quote it
// as "\"42\"" to give the string 42). Errors say what was expected.
Result<InitialValue> parse_initial_value(std::string_view text);

// One line naming the three choices, for reports: "failed-cas observe, nil-read value, initial
// nil".
std::string semantics_text(const Semantics& semantics);

}  // namespace raftsim::linearizability
