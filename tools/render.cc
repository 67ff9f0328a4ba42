// raftsim render: draw a recorded trace.jsonl as a message-sequence diagram.
//   raftsim render TRACE.jsonl -o OUT.{svg,png,dot} [--nodes N] [--from-ms A] [--until-ms B]
//                  [--focus-ms T] [--rows-max R] [--show-timers] [--show-disk]
//                  [--no-fold-heartbeats] [--no-clients] [--highlight KEY...] [--title T]
// Exit codes: 0 written, 2 bad input or usage (missing file, bad JSONL line, unknown extension),
// 3 Graphviz missing or failing (the DOT text is still written next to OUT).
#include <boost/program_options.hpp>
#include <cstdio>
#include <filesystem>

#include "sim/files/text.h"
#include "sim/kernel/trace_jsonl.h"
#include "sim/render/graphviz.h"
#include "sim/render/sequence_diagram.h"
#include "tools/commands.h"
#include "tools/options.h"

namespace raftsim::tools {
namespace {

using namespace raftsim::sim;
namespace po = boost::program_options;

constexpr int kExitBadInput = 2;
constexpr int kExitGraphviz = 3;
// Beyond this many rows Graphviz takes minutes and the picture is too tall to read.
constexpr std::size_t kRowsMaxLimit = 2000;

struct RenderArguments {
  std::string trace_path;
  std::string out_path;
  std::size_t input_limit_bytes = kTraceFileBytesDefault;
  std::uint32_t nodes = 0;  // 0: infer from the trace
  double from_ms = 0;
  double until_ms = -1;  // negative: to the end
  double focus_ms = -1;  // negative: no focus
  std::size_t rows_max = DiagramOptions{}.rows_max;
  bool show_timers = false;
  bool show_disk = false;
  bool no_fold = false;
  bool no_clients = false;
  std::vector<std::string> highlight;
  std::string title;
};

Time from_ms(double value) {
  return static_cast<Time>(value * static_cast<double>(kMillisecond));
}

// The diagram options the arguments ask for; usage errors throw UsageError (exit 2).
DiagramOptions diagram_options(const RenderArguments& arguments) {
  if (arguments.rows_max == 0 || arguments.rows_max > kRowsMaxLimit) {
    throw UsageError("--rows-max: expected 1.." + std::to_string(kRowsMaxLimit) + ", found " +
                     std::to_string(arguments.rows_max));
  }
  if (arguments.from_ms < 0) throw UsageError("--from-ms: expected a time >= 0");
  if (arguments.until_ms >= 0 && arguments.until_ms < arguments.from_ms) {
    throw UsageError("--until-ms must not be before --from-ms");
  }
  DiagramOptions options;
  options.from = from_ms(arguments.from_ms);
  if (arguments.until_ms >= 0) options.until = from_ms(arguments.until_ms);
  if (arguments.focus_ms >= 0) options.focus = from_ms(arguments.focus_ms);
  options.rows_max = arguments.rows_max;
  options.show_timers = arguments.show_timers;
  options.show_disk = arguments.show_disk;
  options.show_clients = !arguments.no_clients;
  options.fold_heartbeats = !arguments.no_fold;
  options.highlight = arguments.highlight;
  options.title = arguments.title;
  return options;
}

int render(const RenderArguments& arguments) {
  DiagramOptions options = diagram_options(arguments);
  if (!image_format_for_path(arguments.out_path)) {
    throw UsageError("-o " + arguments.out_path +
                     ": unknown picture format (expected a .svg, .png or .dot file)");
  }
  const std::filesystem::path parent = std::filesystem::path(arguments.out_path).parent_path();
  if (!parent.empty() && !std::filesystem::is_directory(parent)) {
    throw UsageError("-o " + arguments.out_path + ": directory " + parent.string() +
                     " does not exist");
  }
  auto trace = read_trace_file(arguments.trace_path, arguments.input_limit_bytes);
  if (!trace.ok()) {
    std::fprintf(stderr, "raftsim render: %s\n", trace.status().message().c_str());
    return kExitBadInput;
  }
  const std::vector<TraceEvent>& events = trace.value().events();
  if (events.empty()) {
    std::fprintf(stderr, "raftsim render: %s: the trace has no events\n",
                 files::printable(arguments.trace_path).c_str());
    return kExitBadInput;
  }
  const std::uint32_t nodes =
      arguments.nodes > 0 ? arguments.nodes : infer_cluster_node_count(events);
  if (nodes > kDiagramNodeLanesMax) {
    std::fprintf(stderr,
                 "raftsim render: %s: the trace names node %u; a diagram draws at most %u node "
                 "lanes (--nodes N draws ids from N on as clients)\n",
                 files::printable(arguments.trace_path).c_str(), nodes - 1, kDiagramNodeLanesMax);
    return kExitBadInput;
  }
  if (options.title.empty()) {
    options.title = files::printable(arguments.trace_path) + " (" + std::to_string(nodes) +
                    " nodes, " + std::to_string(events.size()) + " events)";
  }
  const std::string dot = render_sequence_diagram(events, nodes, options);
  auto files = write_diagram_to(arguments.out_path, dot);
  if (!files.ok()) {
    std::fprintf(stderr, "raftsim render: %s\n", files.status().message().c_str());
    return kExitGraphviz;
  }
  if (files.value().image_path.empty()) {
    std::printf("wrote %s\n", files.value().dot_path.c_str());
  } else {
    std::printf("wrote %s (DOT text in %s)\n", files.value().image_path.c_str(),
                files.value().dot_path.c_str());
  }
  return 0;
}

}  // namespace

int run_render(const std::vector<std::string>& argument_list) {
  RenderArguments arguments;
  po::options_description options("raftsim render TRACE.jsonl -o OUT.{svg,png,dot} [options]", 100);
  add_help_option(options);
  options.add_options()(
      "out,o", po::value<std::string>(&arguments.out_path),
      "the picture to write: .svg or .png (the DOT text is kept beside it), or .dot")(
      "nodes", po::value<std::uint32_t>(&arguments.nodes),
      "cluster size: nodes >= N are clients (default: inferred, nodes that wrote to disk)")(
      "from-ms", po::value<double>(&arguments.from_ms), "start of the time window, ms")(
      "until-ms", po::value<double>(&arguments.until_ms), "end of the time window, ms")(
      "focus-ms", po::value<double>(&arguments.focus_ms),
      "point of interest, ms: draw the rows leading up to it (and a few after)")(
      "rows-max", po::value<std::size_t>(&arguments.rows_max)->default_value(arguments.rows_max),
      "events per diagram; the rest is cut and the title says so")(
      "show-timers", po::bool_switch(&arguments.show_timers), "draw timer firings")(
      "show-disk", po::bool_switch(&arguments.show_disk), "draw disk writes and syncs")(
      "no-fold-heartbeats", po::bool_switch(&arguments.no_fold),
      "draw every heartbeat instead of folding runs of them into one row")(
      "no-clients", po::bool_switch(&arguments.no_clients), "leave client traffic out")(
      "highlight", po::value<std::vector<std::string>>(&arguments.highlight)->multitoken(),
      "messages to draw bold: c<client>#<seq>, msg:<id>, or a label substring")(
      "title", po::value<std::string>(&arguments.title), "the diagram's title");
  add_input_limit_option(options);
  const po::variables_map values =
      parse_arguments_with_positional(argument_list, options, "trace", arguments.trace_path);
  arguments.input_limit_bytes = input_limit_bytes(values, kTraceFileBytesDefault);
  if (values.count("help")) {
    std::printf("%s\nExit codes: 0 written, 2 bad input or usage, 3 Graphviz missing or failed.\n",
                help_text(options).c_str());
    return 0;
  }
  if (arguments.trace_path.empty()) throw UsageError("expected a TRACE.jsonl file");
  if (values.count("nodes") && (arguments.nodes == 0 || arguments.nodes > kDiagramNodeLanesMax)) {
    throw UsageError("--nodes: expected 1 to " + std::to_string(kDiagramNodeLanesMax));
  }
  if (arguments.out_path.empty()) throw UsageError("expected -o OUT.svg, OUT.png or OUT.dot");
  return render(arguments);
}

}  // namespace raftsim::tools
