// raftsim: dump(1)-shaped JSON documents written an array element at a time (json_document.h).
#include "sim/files/json_document.h"

#include <utility>

#include "raft/base/check.h"

namespace raftsim::files {

void JsonDocumentText::member_name(std::string_view name) {
  RAFTSIM_CHECK_MSG(!in_array_, "a member inside an open array");
  text_ += first_member_ ? "\n " : ",\n ";
  first_member_ = false;
  text_ += nlohmann::ordered_json(name).dump();
  text_ += ": ";
}

void JsonDocumentText::append_indented(const nlohmann::ordered_json& value, int depth) {
  // JSON text has no raw newline inside a string, so every newline starts a new line of layout.
  for (const char c : value.dump(1)) {
    text_ += c;
    if (c == '\n') text_.append(static_cast<std::size_t>(depth), ' ');
  }
}

void JsonDocumentText::field(std::string_view name, const nlohmann::ordered_json& value) {
  member_name(name);
  append_indented(value, 1);
}

void JsonDocumentText::begin_array(std::string_view name) {
  member_name(name);
  text_ += '[';
  in_array_ = true;
  first_element_ = true;
}

void JsonDocumentText::element(const nlohmann::ordered_json& value) {
  RAFTSIM_CHECK_MSG(in_array_, "an element outside an array");
  text_ += first_element_ ? "\n  " : ",\n  ";
  first_element_ = false;
  append_indented(value, 2);
}

void JsonDocumentText::end_array() {
  RAFTSIM_CHECK_MSG(in_array_, "no array to end");
  in_array_ = false;
  text_ += first_element_ ? "]" : "\n ]";
}

std::string JsonDocumentText::finish() {
  RAFTSIM_CHECK_MSG(!in_array_, "finish inside an open array");
  text_ += first_member_ ? "}" : "\n}";
  return std::move(text_);
}

}  // namespace raftsim::files
