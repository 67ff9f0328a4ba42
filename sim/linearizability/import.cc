// raftsim linearizability: format names, detection and file reading (see import.h).
#include "sim/linearizability/import.h"

#include "sim/files/input_file.h"
#include "sim/files/strict_json.h"
#include "sim/files/text.h"

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

Semantics default_semantics_for(HistoryFormat format) {
  Semantics semantics;
  if (format == HistoryFormat::jepsen) {
    semantics.failed_cas = FailedCas::ignore;
    semantics.nil_read = NilRead::unknown;
  }
  return semantics;
}

Result<History> parse_history(std::string_view text, HistoryFormat format,
                              const std::string& file_name) {
  // The JSON reader checks UTF-8 itself; the line formats are checked here, so no value that
  // could not be written back out as JSON gets in.
  if (format != HistoryFormat::raftsim) {
    if (const std::size_t bad = files::first_invalid_utf8(text); bad != std::string_view::npos) {
      return Status(StatusCode::invalid_argument,
                    file_name + ":" + files::line_and_column(text, bad) + ": invalid UTF-8 (" +
                        files::printable(text.substr(bad, 1)) + ")");
    }
  }
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

Result<ReadHistory> read_history_file(const std::string& path, std::optional<HistoryFormat> format,
                                      std::size_t bytes_max) {
  auto text = files::read_input_file(path, "history file", bytes_max);
  if (!text.ok()) return text.status();
  const HistoryFormat used = format.value_or(detect_history_format(text.value()));
  auto history = parse_history(text.value(), used, files::printable(path));
  if (!history.ok()) return history.status();
  return ReadHistory{std::move(history).value(), used};
}

}  // namespace raftsim::linearizability
