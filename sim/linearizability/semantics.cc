// raftsim linearizability: names and parsing of the semantics options (see semantics.h).
#include "sim/linearizability/semantics.h"

#include <charconv>

#include "raft/base/check.h"

namespace raftsim::linearizability {

const char* failed_cas_name(FailedCas failed_cas) {
  return failed_cas == FailedCas::observe ? "observe" : "ignore";
}

const char* nil_read_name(NilRead nil_read) {
  return nil_read == NilRead::value ? "value" : "unknown";
}

std::string initial_value_text(const InitialValue& initial) {
  switch (initial.kind) {
    case InitialValue::Kind::nil:
      return "nil";
    case InitialValue::Kind::none:
      return "none";
    case InitialValue::Kind::given:
      return initial.value.to_string();
  }
  RAFTSIM_UNREACHABLE("bad initial value kind");
}

std::optional<FailedCas> parse_failed_cas(std::string_view text) {
  if (text == "observe") return FailedCas::observe;
  if (text == "ignore") return FailedCas::ignore;
  return std::nullopt;
}

std::optional<NilRead> parse_nil_read(std::string_view text) {
  if (text == "value") return NilRead::value;
  if (text == "unknown") return NilRead::unknown;
  return std::nullopt;
}

Result<InitialValue> parse_initial_value(std::string_view text) {
  if (text == "nil") return InitialValue{};
  if (text == "none") return InitialValue{InitialValue::Kind::none, {}};
  if (text.empty()) {
    return Status(StatusCode::invalid_argument,
                  "expected nil, none, a whole number or a string, found nothing");
  }
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"') {
    return InitialValue{InitialValue::Kind::given,
                        Value::of(std::string(text.substr(1, text.size() - 2)))};
  }
  const bool numeric = text.find_first_not_of("-0123456789") == std::string_view::npos;
  if (numeric) {
    std::int64_t number = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (error != std::errc() || end != text.data() + text.size()) {
      return Status(StatusCode::invalid_argument,
                    "'" + std::string(text) +
                        "' is not a whole number in the 64-bit range (quote it to give a string)");
    }
    return InitialValue{InitialValue::Kind::given, Value::of(number)};
  }
  return InitialValue{InitialValue::Kind::given, Value::of(std::string(text))};
}

std::string semantics_text(const Semantics& semantics) {
  return std::string("failed-cas ") + failed_cas_name(semantics.failed_cas) + ", nil-read " +
         nil_read_name(semantics.nil_read) + ", initial " + initial_value_text(semantics.initial);
}

}  // namespace raftsim::linearizability
