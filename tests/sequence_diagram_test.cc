// Tests for sim/render (sequence diagrams, the Graphviz helper) and sim/kernel/trace_jsonl: what
// the picture shows is what the trace says, heartbeats fold, highlights and the focus window pick
// the right rows, and trace.jsonl reads back to the same events and hash.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "sim/kernel/trace_jsonl.h"
#include "sim/kernel/world.h"
#include "sim/render/graphviz.h"
#include "sim/render/sequence_diagram.h"
#include "sim/toys/gossip.h"

namespace raftsim::sim {
namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::size_t count_of(const std::string& text, const std::string& part) {
  std::size_t count = 0;
  for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) {
    ++count;
  }
  return count;
}

Trace sample_trace() {
  Trace trace;
  trace.record(milliseconds(1), TraceKind::send, 0, 1, 7, 3, 0);
  trace.record(milliseconds(1), TraceKind::send, 1, 2, 8, 3, 0);
  trace.record(milliseconds(2), TraceKind::crash, 2, kNoNode, 0, 1, 0);
  trace.record(milliseconds(3), TraceKind::deliver, 1, 0, 7, 3, 0);
  trace.record(milliseconds(4), TraceKind::drop, 2, 1, 8, 3, 0, "node down");
  trace.record(milliseconds(5), TraceKind::network_change, kNoNode, kNoNode, 0, 0, 0, "heal");
  return trace;
}

TEST(SequenceDiagram, DrawsMessagesDropsAndFaults) {
  const std::string dot = render_sequence_diagram(sample_trace(), 3, DiagramOptions{});
  EXPECT_TRUE(contains(dot, "digraph sequence"));
  EXPECT_TRUE(contains(dot, "label=\"node 2\""));
  EXPECT_TRUE(contains(dot, "CRASH"));
  // Message 7: from node 0's send row (1) to node 1's delivery row (4).
  EXPECT_TRUE(contains(dot, "n0r1 -> n1r4 [constraint=false, color=\"#1f4e9a\""));
  // Message 8: dropped at node 2, drawn with a tee; the time column gives the reason.
  EXPECT_TRUE(contains(dot, "n1r2 -> n2r5"));
  EXPECT_TRUE(contains(dot, "arrowhead=tee"));
  EXPECT_TRUE(contains(dot, "n2 x- n1  #8 dropped (node down)"));
  EXPECT_TRUE(contains(dot, "heal"));
}

TEST(SequenceDiagram, WindowAndRowLimit) {
  DiagramOptions options;
  options.from = milliseconds(2);
  const std::string windowed = render_sequence_diagram(sample_trace(), 3, options);
  EXPECT_FALSE(contains(windowed, "#7"));  // its send lies before the window
  options = DiagramOptions{};
  options.rows_max = 3;
  const std::string cut = render_sequence_diagram(sample_trace(), 3, options);
  EXPECT_TRUE(contains(cut, "rows 1-3 of 6 (cut at rows_max 3)"));
  EXPECT_TRUE(contains(cut, "CRASH"));
  EXPECT_FALSE(contains(cut, "heal"));
  // The sends' outcomes fall outside the window: no row with nothing on it.
  EXPECT_FALSE(contains(cut, "#7"));
}

// 100 notes, one per millisecond: the focus window ends a fifth of rows_max after the focus.
TEST(SequenceDiagram, FocusWindowShowsWhatLedUpToIt) {
  Trace trace;
  for (int ms = 0; ms < 100; ++ms) {
    trace.record(milliseconds(ms), TraceKind::note, kNoNode, kNoNode, 0, 0, 0,
                 "step " + std::to_string(ms));
  }
  DiagramOptions options;
  options.rows_max = 10;
  options.focus = milliseconds(50);
  const std::string dot = render_sequence_diagram(trace, 2, options);
  EXPECT_TRUE(contains(dot, "rows 43-52 of 100"));
  EXPECT_FALSE(contains(dot, "step 41\\l"));
  EXPECT_TRUE(contains(dot, "step 42\\l"));
  EXPECT_TRUE(contains(dot, "step 50   << focus"));
  EXPECT_TRUE(contains(dot, "step 51\\l"));
  EXPECT_FALSE(contains(dot, "step 52\\l"));
  // Near the start there is nothing before to show: the first rows_max rows.
  options.focus = milliseconds(1);
  EXPECT_TRUE(contains(render_sequence_diagram(trace, 2, options), "rows 1-10 of 100"));
  // Without a focus: from the start.
  options.focus.reset();
  EXPECT_TRUE(contains(render_sequence_diagram(trace, 2, options), "step 9\\l"));
}

// A leader (node 0) heartbeating two followers for `rounds` rounds from time `start_ms`.
void heartbeat_rounds(Trace& trace, std::uint64_t& message, int start_ms, int rounds) {
  for (int round = 0; round < rounds; ++round) {
    const Time at = milliseconds(start_ms + 10 * round);
    const std::uint64_t first = message + 1;
    message += 2;
    for (std::uint32_t follower : {1u, 2u}) {
      trace.record(at, TraceKind::send, 0, follower, first + follower - 1, 0, 0, "HB t2 c=5 ctx=0");
    }
    for (std::uint32_t follower : {1u, 2u}) {
      const std::uint64_t id = first + follower - 1;
      trace.record(at + milliseconds(1), TraceKind::deliver, follower, 0, id, 0, 0);
      trace.record(at + milliseconds(1), TraceKind::send, follower, 0, id + 100, 0, 0,
                   "HBResp t2 ctx=0");
    }
    for (std::uint32_t follower : {1u, 2u}) {
      const std::uint64_t id = first + follower - 1 + 100;
      trace.record(at + milliseconds(2), TraceKind::deliver, 0, follower, id, 0, 0);
    }
  }
}

TEST(SequenceDiagram, FoldsRunsOfHeartbeats) {
  Trace trace;
  std::uint64_t message = 0;
  heartbeat_rounds(trace, message, 0, 3);  // 24 events
  trace.record(milliseconds(40), TraceKind::send, 0, 1, 50, 0, 0, "App t2 prev=5/t2 n=1 c=5");
  trace.record(milliseconds(41), TraceKind::deliver, 1, 0, 50, 0, 0);
  heartbeat_rounds(trace, message, 50, 2);  // 16 events
  const std::string folded = render_sequence_diagram(trace, 3, DiagramOptions{});
  EXPECT_TRUE(contains(folded, "24 heartbeat events folded"));
  EXPECT_TRUE(contains(folded, "16 heartbeat events folded"));
  EXPECT_TRUE(contains(folded, "40 heartbeat events folded"));  // the title's total
  EXPECT_TRUE(contains(folded, "App t2 prev=5/t2 n=1 c=5"));    // the run breaker stays
  EXPECT_FALSE(contains(folded, "HBResp"));
  EXPECT_EQ(count_of(folded, "style=dotted"), 2u * 3u);  // 3 lanes into each of 2 fold rows

  DiagramOptions unfolded;
  unfolded.fold_heartbeats = false;
  const std::string full = render_sequence_diagram(trace, 3, unfolded);
  EXPECT_FALSE(contains(full, "folded"));
  EXPECT_EQ(count_of(full, "xlabel=\"HBResp t2\""), 10u);
}

TEST(SequenceDiagram, ShortRunsAndRepliesToNonEmptyAppendsStay) {
  Trace trace;
  // An empty App and its AppResp ok: heartbeat traffic, but a run of 4 only if nothing breaks it.
  trace.record(milliseconds(1), TraceKind::send, 0, 1, 1, 0, 0, "App t2 prev=5/t2 n=0 c=5");
  trace.record(milliseconds(2), TraceKind::deliver, 1, 0, 1, 0, 0);
  trace.record(milliseconds(3), TraceKind::crash, 2, kNoNode, 0, 1, 0);
  trace.record(milliseconds(3), TraceKind::send, 1, 0, 2, 0, 0, "AppResp t2 ok 5");
  trace.record(milliseconds(4), TraceKind::deliver, 0, 1, 2, 0, 0);
  // A non-empty App: its AppResp ok is replication, not a heartbeat.
  trace.record(milliseconds(5), TraceKind::send, 0, 1, 3, 0, 0, "App t2 prev=5/t2 n=2 c=5");
  trace.record(milliseconds(6), TraceKind::deliver, 1, 0, 3, 0, 0);
  trace.record(milliseconds(6), TraceKind::send, 1, 0, 4, 0, 0, "AppResp t2 ok 7");
  trace.record(milliseconds(7), TraceKind::deliver, 0, 1, 4, 0, 0);
  const std::string dot = render_sequence_diagram(trace, 3, DiagramOptions{});
  EXPECT_FALSE(contains(dot, "folded"));
  EXPECT_TRUE(contains(dot, "AppResp t2 ok 5"));
  EXPECT_TRUE(contains(dot, "AppResp t2 ok 7"));
}

TEST(SequenceDiagram, HeartbeatLabels) {
  EXPECT_TRUE(is_heartbeat_label("HB t3 c=10 ctx=0"));
  EXPECT_TRUE(is_heartbeat_label("HBResp t3 ctx=0"));
  EXPECT_TRUE(is_heartbeat_label("App t1 prev=19/t1 n=0 c=19"));
  EXPECT_FALSE(is_heartbeat_label("App t1 prev=19/t1 n=10 c=19"));
  EXPECT_FALSE(is_heartbeat_label("AppResp t1 ok 19"));
  EXPECT_FALSE(is_heartbeat_label("Vote t2 last=40/t1"));
  EXPECT_FALSE(is_heartbeat_label("Req c1#5 put k1"));
}

// Nodes 0-1 form the cluster; node 2 is a client.
Trace client_trace() {
  Trace trace;
  trace.record(milliseconds(1), TraceKind::disk_write, 0, kNoNode, 0, 0, 8, "wal");
  trace.record(milliseconds(1), TraceKind::disk_sync, 1, kNoNode, 0, 0, 0, "wal");
  trace.record(milliseconds(1), TraceKind::send, 2, 0, 1, 0, 0, "Req c1#5 put k1");
  trace.record(milliseconds(2), TraceKind::deliver, 0, 2, 1, 0, 0);
  trace.record(milliseconds(2), TraceKind::send, 0, 1, 2, 0, 0, "App t2 prev=5/t2 n=1 c=5");
  trace.record(milliseconds(3), TraceKind::deliver, 1, 0, 2, 0, 0);
  trace.record(milliseconds(4), TraceKind::send, 0, 2, 3, 0, 0, "Resp c1#5 ok");
  trace.record(milliseconds(5), TraceKind::deliver, 2, 0, 3, 0, 0);
  trace.record(milliseconds(6), TraceKind::send, 2, 0, 4, 0, 0, "Req c1#50 get k1");
  trace.record(milliseconds(7), TraceKind::deliver, 0, 2, 4, 0, 0);
  return trace;
}

TEST(SequenceDiagram, ClientsShareOneLane) {
  const Trace trace = client_trace();
  EXPECT_EQ(infer_cluster_node_count(trace.events()), 2u);
  const std::string dot = render_sequence_diagram(trace, 2, DiagramOptions{});
  EXPECT_TRUE(contains(dot, "label=\"clients (n2+)\""));
  EXPECT_TRUE(contains(dot, "n2r1 -> n0r2 [constraint=false, color=\"#1b9e77\""));  // request
  EXPECT_TRUE(contains(dot, "n0r5 -> n2r6 [constraint=false, color=\"#1b9e77\""));  // response
  DiagramOptions without;
  without.show_clients = false;
  const std::string hidden = render_sequence_diagram(trace, 2, without);
  EXPECT_FALSE(contains(hidden, "clients"));
  EXPECT_FALSE(contains(hidden, "Req c1"));
  EXPECT_TRUE(contains(hidden, "App t2"));
}

TEST(SequenceDiagram, HighlightsBlamedOperations) {
  DiagramOptions options;
  options.highlight = {"c1#5"};
  const std::string dot = render_sequence_diagram(client_trace(), 2, options);
  EXPECT_TRUE(contains(dot, "highlighted: c1#5"));  // the legend
  // The request and the response of c1#5 are bold; c1#50 is not.
  EXPECT_EQ(count_of(dot, "penwidth=2.5"), 2u);
  EXPECT_TRUE(contains(dot, "n2r1 -> n0r2 [constraint=false, color=\"#e8590c\""));
  EXPECT_TRUE(contains(dot, "n2r7 -> n0r8 [constraint=false, color=\"#1b9e77\""));
  options.highlight = {"msg:2"};
  EXPECT_EQ(count_of(render_sequence_diagram(client_trace(), 2, options), "penwidth=2.5"), 1u);
}

TEST(SequenceDiagram, ClientTrafficCanBeLimitedToHighlightedOperations) {
  DiagramOptions options;
  options.highlight = {"c1#5"};
  options.clients_highlighted_only = true;
  const std::string dot = render_sequence_diagram(client_trace(), 2, options);
  EXPECT_TRUE(contains(dot, "Req c1#5 "));
  EXPECT_FALSE(contains(dot, "c1#50"));  // the other operation's request and response are gone
  EXPECT_TRUE(contains(dot, "App t2"));  // Raft traffic stays
  EXPECT_EQ(count_of(dot, "penwidth=2.5"), 2u);
}

TEST(SequenceDiagram, HighlightKeys) {
  EXPECT_TRUE(matches_highlight("c1#5", "Req c1#5 put k", 9));
  EXPECT_TRUE(matches_highlight("c1#5", "Resp c1#5 ok", 9));
  EXPECT_FALSE(matches_highlight("c1#5", "Req c1#50 put k", 9));
  EXPECT_FALSE(matches_highlight("c1#5", "Req c11#5 put k", 9));
  EXPECT_TRUE(matches_highlight("msg:9", "anything", 9));
  EXPECT_FALSE(matches_highlight("msg:9", "anything", 90));
  EXPECT_TRUE(matches_highlight("Vote t3", "Vote t3 last=4/t2", 1));
  EXPECT_FALSE(matches_highlight("", "Vote t3", 1));
}

TEST(SequenceDiagram, SameTraceSamePicture) {
  DiagramOptions options;
  options.highlight = {"c1#5"};
  options.focus = milliseconds(3);
  options.rows_max = 4;
  EXPECT_EQ(render_sequence_diagram(client_trace(), 2, options),
            render_sequence_diagram(client_trace(), 2, options));
  EXPECT_EQ(render_sequence_diagram(sample_trace(), 3, {}),
            render_sequence_diagram(sample_trace(), 3, {}));
}

// --- trace.jsonl ------------------------------------------------------------------------------

Trace gossip_trace() {
  WorldConfig config;
  config.seed = 11;
  config.node_count = 3;
  config.link.loss = Ratio::percent(5);
  config.link.duplicate = Ratio::percent(5);
  config.disk.torn_write_on_crash = Ratio::percent(50);
  GossipOptions options;
  options.node_count = 3;
  World world(config, [options](Runtime& runtime) {
    return std::make_unique<GossipProcess>(runtime, options);
  });
  world.boot_all();
  world.run_until(milliseconds(300));
  world.note("crash \"1\"\tnow");
  world.crash(1);
  world.run_until(milliseconds(600));
  world.restart(1);
  world.set_clock_drift(2, 500);
  world.run_until(milliseconds(900));
  return world.trace();
}

TEST(TraceJsonl, RoundTripKeepsEventsAndHash) {
  const Trace original = gossip_trace();
  ASSERT_GT(original.event_count(), 100u);
  auto parsed = parse_trace_jsonl(original.to_jsonl());
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed.value().events(), original.events());
  EXPECT_EQ(parsed.value().hash(), original.hash());
  EXPECT_EQ(parsed.value().to_jsonl(), original.to_jsonl());
  EXPECT_EQ(render_sequence_diagram(parsed.value(), 3, {}),
            render_sequence_diagram(original, 3, {}));
}

TEST(TraceJsonl, EveryKindRoundTrips) {
  Trace trace;
  for (int kind = 0; kind <= static_cast<int>(TraceKind::note); ++kind) {
    const auto trace_kind = static_cast<TraceKind>(kind);
    EXPECT_EQ(parse_trace_kind(trace_kind_name(trace_kind)), trace_kind);
    trace.record(kind, trace_kind, kind % 2 == 0 ? kNoNode : 1, 2, kind, UINT64_MAX, 0,
                 kind % 3 == 0 ? "" : "d\"e\\tail \xc3\xa9");
  }
  auto parsed = parse_trace_jsonl(trace.to_jsonl());
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed.value().events(), trace.events());
  EXPECT_EQ(parsed.value().hash(), trace.hash());
  EXPECT_FALSE(parse_trace_kind("explode"));
}

void expect_error(const std::string& text, const std::string& message) {
  auto parsed = parse_trace_jsonl(text);
  ASSERT_FALSE(parsed.ok()) << "accepted: " << text;
  EXPECT_EQ(parsed.status().code(), StatusCode::invalid_argument);
  EXPECT_TRUE(contains(parsed.status().message(), message))
      << "got \"" << parsed.status().message() << "\", expected it to contain \"" << message
      << "\"";
}

TEST(TraceJsonl, ErrorsNameTheLineAndTheProblem) {
  const std::string good = R"({"n":0,"t_ns":5,"kind":"crash","node":1,"a":0,"b":0})"
                           "\n";
  expect_error(good + "{\"n\":1,\n", "line 2, column 8: unexpected end of input");
  expect_error(good + R"({"n":1,"t_ns":5,"kind":"explode","a":0,"b":0})",
               "line 2: field \"kind\": expected an event kind");
  expect_error(good + R"({"n":2,"t_ns":5,"kind":"note","a":0,"b":0})",
               "line 2: event number 2, expected 1");
  expect_error(good + R"({"n":1,"t_ns":4,"kind":"note","a":0,"b":0})",
               "line 2: time 4 ns goes back from 5 ns");
  expect_error(good + R"({"n":1,"t_ns":5,"kind":"note","a":0,"b":0,"colour":1})",
               "line 2: unknown field \"colour\"");
  expect_error(good + R"({"n":1,"t_ns":5,"kind":"note","a":0})", "line 2: missing field \"b\"");
  expect_error(good + R"({"n":1,"t_ns":-5,"kind":"note","a":0,"b":0})",
               "line 2: field \"t_ns\": expected a non-negative integer, found a negative number");
  expect_error(good + R"({"n":1,"t_ns":5,"kind":"note","a":0.5,"b":0})",
               "field \"a\": expected a non-negative integer, found a fractional number");
  expect_error(good + R"({"n":1,"t_ns":5,"kind":"note","a":0,"b":0,"detail":3})",
               "line 2: field \"detail\": expected a string, found number");
  expect_error(good + R"({"n":1,"t_ns":5,"kind":"note","node":4294967295,"a":0,"b":0})",
               "line 2: field \"node\": 4294967295 is larger than the maximum");
  expect_error(good + "\n" + good, "line 2: empty line");
  expect_error("[1,2]\n", "line 1: expected a JSON object, found array");
  // A final newline is optional, and CRLF line ends are accepted.
  EXPECT_TRUE(parse_trace_jsonl(good.substr(0, good.size() - 1)).ok());
  EXPECT_TRUE(parse_trace_jsonl(good.substr(0, good.size() - 1) + "\r\n").ok());
  EXPECT_TRUE(parse_trace_jsonl("").ok());
}

TEST(TraceJsonl, ReadsFilesAndNamesMissingOnes) {
  const std::string path = testing::TempDir() + "/trace_jsonl_test.jsonl";
  std::ofstream(path) << sample_trace().to_jsonl();
  auto trace = read_trace_file(path);
  ASSERT_TRUE(trace.ok()) << trace.status().message();
  EXPECT_EQ(trace.value().hash(), sample_trace().hash());
  auto missing = read_trace_file(path + ".missing");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::not_found);
  EXPECT_TRUE(contains(missing.status().message(), "trace_jsonl_test.jsonl.missing"));
  std::filesystem::remove(path);
}

// --- Graphviz helper --------------------------------------------------------------------------

TEST(Graphviz, FormatsByExtension) {
  EXPECT_EQ(image_format_for_path("a/b.svg"), ImageFormat::svg);
  EXPECT_EQ(image_format_for_path("b.png"), ImageFormat::png);
  EXPECT_EQ(image_format_for_path("b.dot"), ImageFormat::dot);
  EXPECT_FALSE(image_format_for_path("b.jpg"));
  EXPECT_FALSE(image_format_for_path(".svg"));
}

TEST(Graphviz, MissingOrFailingGraphvizIsAValue) {
  const std::string directory = testing::TempDir();
  const std::string dot = render_sequence_diagram(sample_trace(), 3, {});
  GraphvizOptions missing;
  missing.program = "/nonexistent/raftsim-no-dot";
  auto result = write_diagram(directory, "graphviz_missing", dot, ImageFormat::svg, missing);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::unavailable);
  EXPECT_TRUE(contains(result.status().message(), "graphviz_missing.dot"));
  EXPECT_TRUE(std::filesystem::exists(directory + "/graphviz_missing.dot"));
  GraphvizOptions failing;
  failing.program = "false";
  result = write_diagram(directory, "graphviz_failing", dot, ImageFormat::png, failing);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::io_error);
  EXPECT_TRUE(contains(result.status().message(), "exit 1"));
  auto bad_extension = write_diagram_to(directory + "/x.jpg", dot);
  ASSERT_FALSE(bad_extension.ok());
  EXPECT_EQ(bad_extension.status().code(), StatusCode::invalid_argument);
}

// A Graphviz that never finishes is stopped at the timeout, and leaves no picture, whole or half.
TEST(Graphviz, ASlowGraphvizIsStoppedAndLeavesNoPicture) {
  const std::string directory = testing::TempDir() + "/graphviz_slow";
  std::filesystem::create_directories(directory);
  const std::string program = directory + "/slow-dot";
  std::ofstream(program) << "#!/bin/sh\nfor a; do out=$a; done\necho partial >\"$out\"\n"
                            "exec sleep 30\n";
  std::filesystem::permissions(program, std::filesystem::perms::owner_all);
  GraphvizOptions slow;
  slow.program = program;
  slow.timeout_seconds = 1;
  auto result = write_diagram(directory, "slow", render_sequence_diagram(sample_trace(), 3, {}),
                              ImageFormat::svg, slow);
  ASSERT_FALSE(result.ok());
  EXPECT_TRUE(contains(result.status().message(), "took longer than 1 s"))
      << result.status().message();
  EXPECT_FALSE(std::filesystem::exists(directory + "/slow.svg"));
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    EXPECT_FALSE(contains(entry.path().filename().string(), ".tmp-")) << entry.path();
  }
  std::filesystem::remove_all(directory);
}

TEST(Graphviz, RendersSvgWhenInstalled) {
  if (std::system("command -v dot >/dev/null 2>&1") != 0) GTEST_SKIP() << "Graphviz not installed";
  const std::string directory = testing::TempDir();
  auto result = write_diagram(directory, "graphviz_svg",
                              render_sequence_diagram(sample_trace(), 3, {}), ImageFormat::svg);
  ASSERT_TRUE(result.ok()) << result.status().message();
  EXPECT_EQ(result.value().image_path, directory + "/graphviz_svg.svg");
  std::ifstream svg(result.value().image_path);
  std::string head(200, '\0');
  svg.read(head.data(), 200);
  EXPECT_TRUE(contains(head, "<?xml") || contains(head, "<svg"));
}

}  // namespace
}  // namespace raftsim::sim
