// raftsim linearizability: reading histories from files in the three supported formats.
// raftsim: the simulator's JSON ({"version":1,"model":..,"operations":[..]}); porcupine-kv: one
// EDN map per line ({:process 3, :type :invoke, :f :get, :key "1", :value nil}); jepsen: Jepsen
// log lines ("INFO  jepsen.util - 3 :invoke :cas [1 2]"). Line formats use the line number as
// time. Errors name the file, line and column (or JSON path) and what was expected.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "raft/base/status.h"
#include "sim/linearizability/history.h"
#include "sim/linearizability/semantics.h"

namespace raftsim::linearizability {

enum class HistoryFormat : std::uint8_t { raftsim, porcupine_kv, jepsen };

// The default cap on a history file's size (about two million operations in raftsim JSON), so a
// wrong file cannot exhaust memory before the checker's own limits; --input-limit-mb changes it.
constexpr std::size_t kHistoryFileBytesDefault = std::size_t{256} << 20;

const char* history_format_name(HistoryFormat format);
std::optional<HistoryFormat> parse_history_format(std::string_view name);

// Guesses from content: a JSON object -> raftsim, an EDN map -> porcupine-kv, "jepsen.util"
// lines -> jepsen. Empty text counts as raftsim (and then parses to an empty history).
HistoryFormat detect_history_format(std::string_view text);

// The model a format implies when the file and the user do not name one.
std::string default_model_for(HistoryFormat format, const History& history);

// The reading of the tool a format comes from: jepsen -> Knossos (a :fail operation is dropped,
// a cas included; a read of nil is unknown); raftsim and porcupine-kv -> porcupine (a failed cas
// observed a different value; nil is a value). Initial value nil in all three.
Semantics default_semantics_for(HistoryFormat format);

Result<History> parse_history(std::string_view text, HistoryFormat format,
                              const std::string& file_name);

struct ReadHistory {
  History history;
  HistoryFormat format;  // as given, or as detected
};
// Reads (files::read_input_file) and parses a file; format nullopt = detect.
Result<ReadHistory> read_history_file(const std::string& path, std::optional<HistoryFormat> format,
                                      std::size_t bytes_max = kHistoryFileBytesDefault);

// The inverse of parse_raftsim_json: what the simulator writes (origins are not written).
std::string write_raftsim_json(const History& history);

// Format-specific parsers (import_lines.cc, import_raftsim.cc).
Result<History> parse_jepsen_log(std::string_view text, const std::string& file_name);
Result<History> parse_porcupine_kv(std::string_view text, const std::string& file_name);
Result<History> parse_raftsim_json(std::string_view text, const std::string& file_name);

}  // namespace raftsim::linearizability
