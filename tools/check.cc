// raftsim check: judge a history for linearizability.
//   raftsim check HISTORY [--format raftsim|porcupine-kv|jepsen] [--model register|cas|kv]
//                 [--failed-cas observe|ignore] [--nil-read value|unknown] [--initial nil|none|V]
//                 [--budget steps=N,memory_mb=M,wall_s=S] [--no-partition] [--out DIR] [--json]
// Exit codes: 0 linearizable, 1 not linearizable, 2 bad input (or an empty history), 4 unknown
// within the budget. `raftsim check --bench DIR` times the check alone (parsing excluded) on the
// porcupine test data in DIR (see results/linearizability.md).
#include <boost/program_options.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

#include "sim/files/text.h"
#include "sim/linearizability/checker.h"
#include "sim/linearizability/import.h"
#include "sim/linearizability/models.h"
#include "sim/linearizability/report.h"
#include "tools/commands.h"
#include "tools/options.h"

namespace raftsim::tools {
namespace {

using namespace raftsim::linearizability;
namespace po = boost::program_options;
namespace fs = std::filesystem;

constexpr int kExitLinearizable = 0;
constexpr int kExitNotLinearizable = 1;
constexpr int kExitBadInput = 2;
constexpr int kExitUnknown = 4;

struct CheckArguments {
  std::string history_path;
  std::string format;
  std::string model;
  std::string budget;
  std::string failed_cas;
  std::string nil_read;
  std::string initial;
  std::string out_dir;
  std::string bench_dir;
  bool no_partition = false;
  bool all_partitions = false;
  bool json = false;
  std::size_t input_limit_bytes = kHistoryFileBytesDefault;
};

// "steps=N,memory_mb=M,wall_s=S", any subset, in any order; each number whole and in range.
SearchBudget parse_budget(const std::string& text) {
  constexpr std::uint64_t kMemoryMbMax = std::uint64_t{1} << 24;  // 16 TiB
  SearchBudget budget;
  std::stringstream stream(text);
  std::string item;
  while (std::getline(stream, item, ',')) {
    const std::size_t equals = item.find('=');
    const std::string name = item.substr(0, equals);
    const std::string value = equals == std::string::npos ? "" : item.substr(equals + 1);
    const std::string what = "--budget " + name;
    if (equals != std::string::npos && name == "steps") {
      budget.search_steps_max =
          parse_whole_number(value, what, 1, std::numeric_limits<std::uint64_t>::max());
    } else if (equals != std::string::npos && name == "memory_mb") {
      budget.memory_bytes_max = parse_whole_number(value, what, 1, kMemoryMbMax) << 20;
    } else if (equals != std::string::npos && name == "wall_s") {
      budget.wall_seconds_max = parse_finite_number(value, what, 0.001, 1e9);
    } else {
      throw UsageError("--budget: expected steps=N, memory_mb=M or wall_s=S, found '" +
                       files::printable(item) + "'");
    }
  }
  return budget;
}

// The format's reading (default_semantics_for), with any option given replacing its part.
Semantics chosen_semantics(const CheckArguments& arguments, HistoryFormat format) {
  Semantics semantics = default_semantics_for(format);
  if (!arguments.failed_cas.empty()) {
    const auto failed_cas = parse_failed_cas(arguments.failed_cas);
    if (!failed_cas) {
      throw UsageError("--failed-cas: expected observe or ignore, found '" +
                       files::printable(arguments.failed_cas) + "'");
    }
    semantics.failed_cas = *failed_cas;
  }
  if (!arguments.nil_read.empty()) {
    const auto nil_read = parse_nil_read(arguments.nil_read);
    if (!nil_read) {
      throw UsageError("--nil-read: expected value or unknown, found '" +
                       files::printable(arguments.nil_read) + "'");
    }
    semantics.nil_read = *nil_read;
  }
  if (!arguments.initial.empty()) {
    auto initial = parse_initial_value(arguments.initial);
    if (!initial.ok())
      throw UsageError("--initial: " + files::printable(initial.status().message()));
    semantics.initial = initial.value();
  }
  return semantics;
}

std::unique_ptr<Model> model_or_throw(const std::string& name, const Semantics& semantics) {
  auto model = make_model(name, semantics);
  if (!model.ok()) throw UsageError(model.status().message());
  return std::move(model).value();
}

int exit_code_for(Verdict verdict) {
  switch (verdict) {
    case Verdict::linearizable:
      return kExitLinearizable;
    case Verdict::not_linearizable:
      return kExitNotLinearizable;
    case Verdict::unknown:
      return kExitUnknown;
    case Verdict::empty:
      return kExitBadInput;
  }
  RAFTSIM_UNREACHABLE("bad verdict");
}

void write_outputs(const std::string& out_dir, const CheckResult& result, const History& history) {
  create_out_directory(out_dir);
  write_output(out_dir + "/result.json", result_to_json(result, history).dump(2) + "\n");
  if (result.violation) {
    write_output(out_dir + "/violation.html", violation_to_html(result, history));
  }
}

// Which budget ended the check, its value and the option that raises it.
std::string budget_hint(const CheckResult& result, const SearchBudget& budget) {
  BudgetExhausted exhausted = BudgetExhausted::none;
  for (const PartitionReport& partition : result.partitions) {
    if (partition.key == result.unknown_partition) exhausted = partition.exhausted;
  }
  const std::string where = "key " + files::printable(result.unknown_partition.value_or("?"));
  switch (exhausted) {
    case BudgetExhausted::memory_bytes:
      return where + " ran out of the memory budget (" +
             std::to_string(budget.memory_bytes_max >> 20) +
             " MiB per partition); raise it with --budget memory_mb=N";
    case BudgetExhausted::wall_clock: {
      char seconds[32];
      std::snprintf(seconds, sizeof seconds, "%g", budget.wall_seconds_max);
      return where + " ran out of the wall-clock guard (" + seconds +
             " s for the whole check); raise it with --budget wall_s=S";
    }
    default:
      return where + " ran out of the step budget (" + std::to_string(budget.search_steps_max) +
             " steps per partition); raise it with --budget steps=N";
  }
}

int check_one(const CheckArguments& arguments) {
  std::optional<HistoryFormat> format;
  if (!arguments.format.empty()) {
    format = parse_history_format(arguments.format);
    if (!format) throw UsageError("--format: expected raftsim, porcupine-kv or jepsen");
  }
  const SearchBudget budget = parse_budget(arguments.budget);
  chosen_semantics(arguments, HistoryFormat::raftsim);  // option errors before a long read
  if (!arguments.out_dir.empty()) create_out_directory(arguments.out_dir);
  auto read = read_history_file(arguments.history_path, format, arguments.input_limit_bytes);
  if (!read.ok()) {
    std::fprintf(stderr, "raftsim check: %s\n", read.status().message().c_str());
    return kExitBadInput;
  }
  const History& history = read.value().history;
  format = read.value().format;
  const Semantics semantics = chosen_semantics(arguments, *format);
  auto model = model_or_throw(
      arguments.model.empty() ? default_model_for(*format, history) : arguments.model, semantics);
  CheckOptions options;
  options.partition_by_key = !arguments.no_partition;
  options.stop_at_first_violation = !arguments.all_partitions;
  options.budget = budget;
  const auto start = std::chrono::steady_clock::now();
  auto result = check_history(history, *model, options);
  const double check_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  if (!result.ok()) {
    std::fprintf(stderr, "raftsim check: %s\n", result.status().message().c_str());
    return kExitBadInput;
  }
  if (!arguments.out_dir.empty()) write_outputs(arguments.out_dir, result.value(), history);
  if (arguments.json) {
    auto json = result_to_json(result.value(), history);
    json["file"] = files::printable(arguments.history_path);
    json["format"] = history_format_name(*format);
    json["semantics"] = {{"failed_cas", failed_cas_name(semantics.failed_cas)},
                         {"nil_read", nil_read_name(semantics.nil_read)},
                         {"initial", initial_value_text(semantics.initial)}};
    json["check_ms"] = check_ms;
    std::printf("%s\n", json.dump().c_str());
  } else {
    std::printf("%s: %s(semantics: %s)\n", files::printable(arguments.history_path).c_str(),
                result_to_text(result.value(), history).c_str(),
                files::printable(semantics_text(semantics)).c_str());
  }
  if (result.value().verdict == Verdict::unknown) {
    std::fprintf(stderr, "raftsim check: %s\n", budget_hint(result.value(), budget).c_str());
  }
  if (result.value().verdict == Verdict::empty) {
    std::fprintf(stderr, "raftsim check: %s: the history has no operations: nothing to check\n",
                 files::printable(arguments.history_path).c_str());
  }
  return exit_code_for(result.value().verdict);
}

}  // namespace

int run_check(const std::vector<std::string>& argument_list) {
  CheckArguments arguments;
  po::options_description options("raftsim check HISTORY [options]", 100);
  add_help_option(options);
  add_json_option(options, arguments.json);
  options.add_options()("format", po::value<std::string>(&arguments.format),
                        "raftsim | porcupine-kv | jepsen (default: detected from the content)")(
      "model", po::value<std::string>(&arguments.model),
      "register | cas | kv (default: the file's model; porcupine-kv -> kv, jepsen -> cas)")(
      "failed-cas", po::value<std::string>(&arguments.failed_cas),
      "observe: a failed cas saw a value other than its 'from' (porcupine); ignore: it carries "
      "no information (Knossos). Default: observe, but ignore for jepsen logs")(
      "nil-read", po::value<std::string>(&arguments.nil_read),
      "value: a read of nil saw nil (porcupine); unknown: its output is unknown (Knossos). "
      "Default: value, but unknown for jepsen logs")(
      "initial", po::value<std::string>(&arguments.initial),
      "the initial value: nil (default), none (unknown; register and cas models), a whole "
      "number, or a string (quote \"42\" for the string 42)")(
      "budget", po::value<std::string>(&arguments.budget),
      "per-partition limits, e.g. steps=200000000,memory_mb=4096,wall_s=600 (verdict unknown, "
      "exit 4, when one runs out; wall_s covers the whole check)")(
      "no-partition", po::bool_switch(&arguments.no_partition),
      "check all keys in one search instead of one search per key")(
      "all-partitions", po::bool_switch(&arguments.all_partitions),
      "keep checking other keys after a violation")(
      "out", po::value<std::string>(&arguments.out_dir),
      "write result.json (and violation.html on a violation) here")(
      "bench", po::value<std::string>(&arguments.bench_dir),
      "time the check on porcupine's test data in this directory");
  po::positional_options_description positional;
  positional.add("history", 1);
  options.add_options()("history", po::value<std::string>(&arguments.history_path),
                        "the history file");
  add_input_limit_option(options);
  const po::variables_map values = parse_arguments(argument_list, options, &positional);
  arguments.input_limit_bytes = input_limit_bytes(values, kHistoryFileBytesDefault);
  if (values.count("help")) {
    std::ostringstream help;
    help << options;
    std::printf(
        "%s\nExit codes: 0 linearizable, 1 not linearizable, 2 bad input or empty "
        "history, 4 unknown within the budget.\n",
        help.str().c_str());
    return 0;
  }
  if (!arguments.bench_dir.empty()) return run_check_bench(arguments.bench_dir, arguments.json);
  if (arguments.history_path.empty()) throw UsageError("expected a HISTORY file");
  return check_one(arguments);
}

}  // namespace raftsim::tools
