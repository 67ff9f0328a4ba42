// raftsim check: judge a history for linearizability.
//   raftsim check HISTORY [--format raftsim|porcupine-kv|jepsen] [--model register|cas|kv]
//                 [--budget steps=N,memory_mb=M,wall_s=S] [--no-partition] [--out DIR] [--json]
// Exit codes: 0 linearizable, 1 not linearizable, 2 bad input (or an empty history), 4 unknown
// within the budget. `raftsim check --bench DIR` times the check alone (parsing excluded) on the
// porcupine test data in DIR (see results/linearizability.md).
#include <boost/program_options.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "sim/linearizability/checker.h"
#include "sim/linearizability/import.h"
#include "sim/linearizability/models.h"
#include "sim/linearizability/report.h"
#include "tools/options.h"
#include "tools/commands.h"

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
  std::string out_dir;
  std::string bench_dir;
  bool no_partition = false;
  bool all_partitions = false;
  bool json = false;
};

// "steps=N,memory_mb=M,wall_s=S", any subset, in any order.
SearchBudget parse_budget(const std::string& text) {
  SearchBudget budget;
  std::stringstream stream(text);
  std::string item;
  while (std::getline(stream, item, ',')) {
    const std::size_t equals = item.find('=');
    const std::string name = item.substr(0, equals);
    try {
      if (equals == std::string::npos) throw std::invalid_argument("no value");
      const std::string value = item.substr(equals + 1);
      if (name == "steps") {
        budget.search_steps_max = std::stoull(value);
      } else if (name == "memory_mb") {
        budget.memory_bytes_max = std::stoull(value) << 20;
      } else if (name == "wall_s") {
        budget.wall_seconds_max = std::stod(value);
      } else {
        throw std::invalid_argument("unknown name");
      }
    } catch (const std::exception&) {
      throw UsageError("--budget: expected steps=N, memory_mb=M or wall_s=S, found '" + item + "'");
    }
  }
  return budget;
}

std::unique_ptr<Model> model_or_throw(const std::string& name) {
  auto model = make_model(name);
  if (model) return model;
  std::string names;
  for (const std::string& known : model_names()) names += (names.empty() ? "" : ", ") + known;
  throw UsageError("unknown model '" + name + "' (expected one of: " + names + ")");
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

int check_one(const CheckArguments& arguments) {
  std::optional<HistoryFormat> format;
  if (!arguments.format.empty()) {
    format = parse_history_format(arguments.format);
    if (!format) throw UsageError("--format: expected raftsim, porcupine-kv or jepsen");
  }
  auto history = read_history_file(arguments.history_path, format);
  if (!history.ok()) {
    std::fprintf(stderr, "raftsim check: %s\n", history.status().message().c_str());
    return kExitBadInput;
  }
  if (!format) {
    std::ifstream file(arguments.history_path, std::ios::binary);
    std::string head(4096, '\0');
    file.read(head.data(), static_cast<std::streamsize>(head.size()));
    head.resize(static_cast<std::size_t>(file.gcount()));
    format = detect_history_format(head);
  }
  auto model = model_or_throw(arguments.model.empty() ? default_model_for(*format, history.value())
                                                      : arguments.model);
  CheckOptions options;
  options.partition_by_key = !arguments.no_partition;
  options.stop_at_first_violation = !arguments.all_partitions;
  options.budget = parse_budget(arguments.budget);
  const auto start = std::chrono::steady_clock::now();
  auto result = check_history(history.value(), *model, options);
  const double check_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  if (!result.ok()) {
    std::fprintf(stderr, "raftsim check: %s\n", result.status().message().c_str());
    return kExitBadInput;
  }
  if (!arguments.out_dir.empty()) write_outputs(arguments.out_dir, result.value(), history.value());
  if (arguments.json) {
    auto json = result_to_json(result.value(), history.value());
    json["file"] = arguments.history_path;
    json["format"] = history_format_name(*format);
    json["check_ms"] = check_ms;
    std::printf("%s\n", json.dump().c_str());
  } else {
    std::printf("%s: %s", arguments.history_path.c_str(),
                result_to_text(result.value(), history.value()).c_str());
  }
  return exit_code_for(result.value().verdict);
}

}  // namespace

int run_check(const std::vector<std::string>& argument_list) {
  CheckArguments arguments;
  po::options_description options("raftsim check HISTORY [options]", 100);
  options.add_options()("help,h", "show this help")(
      "format", po::value<std::string>(&arguments.format),
      "raftsim | porcupine-kv | jepsen (default: detected from the content)")(
      "model", po::value<std::string>(&arguments.model),
      "register | cas | kv (default: the file's model; porcupine-kv -> kv, jepsen -> cas)")(
      "budget", po::value<std::string>(&arguments.budget),
      "per-partition limits, e.g. steps=200000000,memory_mb=4096,wall_s=600 (verdict unknown, "
      "exit 4, when one runs out; wall_s covers the whole check)")(
      "no-partition", po::bool_switch(&arguments.no_partition),
      "check all keys in one search instead of one search per key")(
      "all-partitions", po::bool_switch(&arguments.all_partitions),
      "keep checking other keys after a violation")(
      "out", po::value<std::string>(&arguments.out_dir),
      "write result.json (and violation.html on a violation) here")(
      "json", po::bool_switch(&arguments.json), "print one JSON object on stdout")(
      "bench", po::value<std::string>(&arguments.bench_dir),
      "time the check on porcupine's test data in this directory");
  po::positional_options_description positional;
  positional.add("history", 1);
  options.add_options()("history", po::value<std::string>(&arguments.history_path),
                        "the history file");
  po::variables_map values;
  try {
    po::store(po::command_line_parser(argument_list).options(options).positional(positional).run(),
              values);
    po::notify(values);
  } catch (const po::error& error) {
    throw UsageError(error.what());
  }
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
