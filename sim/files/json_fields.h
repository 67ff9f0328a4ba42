// raftsim: the "unknown field" rule the history readers share. A field no reader asks for was
// misspelt or does not belong there; either way it would be dropped silently, so each reader
// turns the message below into its own error.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "sim/files/text.h"

namespace raftsim::files {

// "PATH/NAME: unknown field (allowed: a, b, c)" for the first field of `object` (an nlohmann
// object of either kind) not in `allowed`, or nothing when every field is allowed.
template <typename Json>
std::optional<std::string> unknown_field_message(const Json& object, const std::string& path,
                                                 std::initializer_list<std::string_view> allowed) {
  for (const auto& item : object.items()) {
    bool known = false;
    for (std::string_view field : allowed) known = known || item.key() == field;
    if (known) continue;
    std::string list;
    for (std::string_view field : allowed) list += (list.empty() ? "" : ", ") + std::string(field);
    return path + "/" + printable(item.key()) + ": unknown field (allowed: " + list + ")";
  }
  return std::nullopt;
}

}  // namespace raftsim::files
