// raftsim: names of enum values, both ways, read from one table per enum.
// Each enum that appears in text (JSON, traces, the CLI) lists its values once with their names;
// to-name and from-name read the same table, so they cannot drift apart, and adding a value is
// one table line. Invariants: 1. every value of the enum is in its table (a missing one is a
// programmer error and fails a check); 2. names are unique within a table.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "raft/base/check.h"

namespace raftsim {

template <typename Enum>
struct EnumName {
  Enum value;
  const char* name;
};

// The name of `value`. Tables listed in value order starting at 0 (the usual case) are read in
// constant time; any other order still works, by a scan.
template <typename Enum, std::size_t N>
constexpr const char* enum_name(const EnumName<Enum> (&table)[N], Enum value) {
  const auto index = static_cast<std::size_t>(static_cast<std::underlying_type_t<Enum>>(value));
  if (index < N && table[index].value == value) return table[index].name;
  for (const EnumName<Enum>& entry : table) {
    if (entry.value == value) return entry.name;
  }
  RAFTSIM_UNREACHABLE("an enum value is missing from its name table");
}

// The value named `name`, or nothing when no value has that name.
template <typename Enum, std::size_t N>
constexpr std::optional<Enum> enum_from_name(const EnumName<Enum> (&table)[N],
                                             std::string_view name) {
  for (const EnumName<Enum>& entry : table) {
    if (name == entry.name) return entry.value;
  }
  return std::nullopt;
}

// The names for an error message: "\"a\", \"b\" or \"c\"" (`joiner` before the last one).
template <typename Enum, std::size_t N>
std::string enum_name_list(const EnumName<Enum> (&table)[N], std::string_view joiner = " or ") {
  std::string text;
  for (std::size_t i = 0; i < N; ++i) {
    if (i > 0) text += i + 1 == N ? std::string(joiner) : std::string(", ");
    text += '"';
    text += table[i].name;
    text += '"';
  }
  return text;
}

}  // namespace raftsim
