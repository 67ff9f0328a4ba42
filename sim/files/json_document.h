// raftsim: writes a JSON document laid out as nlohmann's dump(1) lays it out (one space per
// level), with one big array built an element at a time: a history of a million operations is
// written without ever existing as one JSON tree (which costs several times the text).
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace raftsim::files {

class JsonDocumentText {
 public:
  JsonDocumentText() : text_("{") {}

  // A member of the top-level object.
  void field(std::string_view name, const nlohmann::ordered_json& value);
  // A member that is an array, given element by element between begin and end.
  void begin_array(std::string_view name);
  void element(const nlohmann::ordered_json& value);
  void end_array();
  // The document, as dump(1) of the same tree would have written it.
  std::string finish();

 private:
  void member_name(std::string_view name);
  // Appends `value` dumped with one-space indents, shifted right by `depth` levels.
  void append_indented(const nlohmann::ordered_json& value, int depth);

  std::string text_;
  bool first_member_ = true;
  bool in_array_ = false;
  bool first_element_ = true;
};

}  // namespace raftsim::files
