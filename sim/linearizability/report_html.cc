// raftsim linearizability: the violation picture, a self-contained HTML page with inline SVG
// (no Graphviz, no scripts, no network): one row per client over the time window around the
// blamed operation; green bars are the longest partial linearization (numbered in order), the red
// bar is the operation that cannot be linearized, grey bars are other concurrent operations.
#include <algorithm>
#include <map>
#include <set>

#include "sim/linearizability/report.h"
#include "sim/markup/markup.h"

namespace raftsim::linearizability {
namespace {

constexpr int kSvgWidthPx = 1100;
// Room right of the plot, so the label of a bar that ends at the edge is not clipped.
constexpr int kLabelOverflowPx = 320;
constexpr int kLabelWidthPx = 90;
constexpr int kRowHeightPx = 30;
constexpr int kBarHeightPx = 18;
constexpr int kMarginPx = 20;

struct Window {
  TimeNs begin = kTimeInfinite;
  TimeNs end = 0;  // last finite time shown; indeterminate bars run to the right edge
};

Window window_of(const History& history, const Violation& violation) {
  Window window;
  std::vector<std::size_t> shown = violation.concurrent;
  shown.push_back(violation.blamed);
  for (std::size_t index : shown) {
    const Operation& operation = history.operations[index];
    window.begin = std::min(window.begin, operation.invoke_ns);
    window.end = std::max(window.end, operation.invoke_ns);
    if (operation.return_ns != kTimeInfinite) {
      window.end = std::max(window.end, operation.return_ns);
    }
  }
  return window;
}

std::string bar(const Operation& operation, int row, const Window& window, const char* fill,
                const std::string& label) {
  const double span = static_cast<double>(std::max<TimeNs>(1, window.end - window.begin));
  const double plot_px = kSvgWidthPx - kLabelWidthPx - 2 * kMarginPx;
  auto x_of = [&](TimeNs time) {
    const TimeNs clamped = std::clamp(time, window.begin, window.end);
    return kLabelWidthPx + kMarginPx + plot_px * static_cast<double>(clamped - window.begin) / span;
  };
  const double x0 = x_of(operation.invoke_ns);
  const double x1 = operation.return_ns == kTimeInfinite
                        ? kSvgWidthPx - kMarginPx / 2
                        : std::max(x0 + 3, x_of(operation.return_ns));
  const int y = kMarginPx + row * kRowHeightPx;
  std::string svg = "<g><title>" + escape_markup(operation.origin + ": " + operation.describe()) +
                    "</title><rect x=\"" + std::to_string(x0) + "\" y=\"" + std::to_string(y) +
                    "\" width=\"" + std::to_string(x1 - x0) + "\" height=\"" +
                    std::to_string(kBarHeightPx) + "\" fill=\"" + fill + "\" stroke=\"#333\"" +
                    (operation.return_ns == kTimeInfinite ? " stroke-dasharray=\"4 3\"" : "") +
                    "/>";
  svg += "<text x=\"" + std::to_string(x0 + 3) + "\" y=\"" + std::to_string(y + 13) +
         "\" font-size=\"11\">" + escape_markup(label) + "</text></g>\n";
  return svg;
}

std::string svg_of(const History& history, const Violation& violation) {
  const Window window = window_of(history, violation);
  std::map<std::size_t, std::size_t> order;  // operation -> position in the partial order
  for (std::size_t step = 0; step < violation.longest_prefix.size(); ++step) {
    order[violation.longest_prefix[step].operation] = step + 1;
  }
  std::set<std::size_t> shown(violation.concurrent.begin(), violation.concurrent.end());
  shown.insert(violation.blamed);
  for (const auto& [index, position] : order) {
    const Operation& operation = history.operations[index];
    if (operation.invoke_ns <= window.end && operation.return_ns >= window.begin) {
      shown.insert(index);
    }
  }
  std::map<std::uint64_t, int> rows;
  for (std::size_t index : shown) rows.emplace(history.operations[index].client, 0);
  int next_row = 0;
  for (auto& [client, row] : rows) row = next_row++;
  const int height = 2 * kMarginPx + next_row * kRowHeightPx;
  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" +
                    std::to_string(kSvgWidthPx + kLabelOverflowPx) + "\" height=\"" +
                    std::to_string(height) + "\" font-family=\"monospace\">\n";
  for (const auto& [client, row] : rows) {
    svg += "<text x=\"4\" y=\"" + std::to_string(kMarginPx + row * kRowHeightPx + 13) +
           "\" font-size=\"12\">client " + std::to_string(client) + "</text>\n";
  }
  for (std::size_t index : shown) {
    const Operation& operation = history.operations[index];
    const auto found = order.find(index);
    const bool blamed = index == violation.blamed;
    const char* fill = blamed ? "#f28b82" : found != order.end() ? "#a8dab5" : "#dddddd";
    std::string label = operation.describe();
    label = label.substr(label.find(' ', 7) + 1);  // drop "client N ": the row says it
    if (found != order.end()) label = "#" + std::to_string(found->second) + " " + label;
    if (blamed) label = "BLAMED " + label;
    svg += bar(operation, rows[operation.client], window, fill, label);
  }
  return svg + "</svg>\n";
}

}  // namespace

std::string violation_to_html(const CheckResult& result, const History& history) {
  if (!result.violation) return "";
  const Violation& violation = *result.violation;
  std::string html =
      "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>linearizability "
      "violation</title></head>\n<body style=\"font-family:sans-serif\">\n<h1>Not "
      "linearizable: key " +
      escape_markup(nlohmann::json(violation.key).dump()) + "</h1>\n<p>Red: the operation that " +
      "cannot be linearized. Green: the longest partial linearization, numbered in order " +
      "(hover for details). Grey: other concurrent operations. Dashed: indeterminate " +
      "(returns never).</p>\n";
  html += svg_of(history, violation);
  html += "<pre>" + escape_markup(result_to_text(result, history)) + "</pre>\n</body></html>\n";
  return html;
}

}  // namespace raftsim::linearizability
