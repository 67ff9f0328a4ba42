// raftsim linearizability: format names, detection and file reading (see import.h).
#include "sim/linearizability/import.h"

#include <fstream>
#include <sstream>

namespace raftsim::linearizability {

const char* history_format_name(HistoryFormat format) {
  switch (format) {
    case HistoryFormat::raftsim:
      return "raftsim";
    case HistoryFormat::porcupine_kv:
      return "porcupine-kv";
    case HistoryFormat::jepsen:
      return "jepsen";
  }
  RAFTSIM_UNREACHABLE("bad history format");
}

std::optional<HistoryFormat> parse_history_format(std::string_view name) {
  for (HistoryFormat format :
       {HistoryFormat::raftsim, HistoryFormat::porcupine_kv, HistoryFormat::jepsen}) {
    if (name == history_format_name(format)) return format;
  }
  return std::nullopt;
}

HistoryFormat detect_history_format(std::string_view text) {
  const std::size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return HistoryFormat::raftsim;
  if (text.substr(0, 4096).find("jepsen.util") != std::string_view::npos) {
    return HistoryFormat::jepsen;
  }
  // An EDN map starts with "{:", a JSON object with "{\"" (after optional whitespace).
  const std::size_t second = text.find_first_not_of(" \t\r\n", first + 1);
  if (text[first] == '{' && second != std::string_view::npos && text[second] == ':') {
    return HistoryFormat::porcupine_kv;
  }
  return HistoryFormat::raftsim;
}

std::string default_model_for(HistoryFormat format, const History& history) {
  if (!history.model.empty()) return history.model;
  return format == HistoryFormat::porcupine_kv ? "kv" : "cas";
}

Result<History> parse_history(std::string_view text, HistoryFormat format,
                              const std::string& file_name) {
  switch (format) {
    case HistoryFormat::raftsim:
      return parse_raftsim_json(text, file_name);
    case HistoryFormat::porcupine_kv:
      return parse_porcupine_kv(text, file_name);
    case HistoryFormat::jepsen:
      return parse_jepsen_log(text, file_name);
  }
  RAFTSIM_UNREACHABLE("bad history format");
}

Result<History> read_history_file(const std::string& path, std::optional<HistoryFormat> format) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return Status(StatusCode::not_found, path + ": cannot open file");
  std::ostringstream buffer;
  buffer << file.rdbuf();
  const std::string text = buffer.str();
  if (text.size() > kHistoryFileBytesMax) {
    return Status(StatusCode::out_of_range,
                  path + ": file larger than " + std::to_string(kHistoryFileBytesMax) + " bytes");
  }
  return parse_history(text, format.value_or(detect_history_format(text)), path);
}

}  // namespace raftsim::linearizability
