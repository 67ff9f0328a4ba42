// raftsim: escaping text for markup (HTML, XML, SVG, Graphviz HTML labels). One definition for
// every report writer: &, <, > and " become entities; everything else passes through unchanged.
#pragma once

#include <string>
#include <string_view>

namespace raftsim {

inline std::string escape_markup(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace raftsim
