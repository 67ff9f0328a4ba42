// Tests for sim/render/sequence_diagram: what the picture shows is what the trace says.
#include <gtest/gtest.h>

#include "sim/render/sequence_diagram.h"

namespace raftsim::sim {
namespace {

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
  EXPECT_NE(dot.find("digraph sequence"), std::string::npos);
  EXPECT_NE(dot.find("label=\"node 2\""), std::string::npos);
  EXPECT_NE(dot.find("CRASH"), std::string::npos);
  // Message 7: from node 0's send row (1) to node 1's delivery row (4).
  EXPECT_NE(dot.find("n0r1 -> n1r4 [constraint=false, color=\"#1f4e9a\""), std::string::npos);
  // Message 8: dropped at node 2, drawn with a tee and the reason.
  EXPECT_NE(dot.find("n1r2 -> n2r5"), std::string::npos);
  EXPECT_NE(dot.find("#8 (node down)"), std::string::npos);
  EXPECT_NE(dot.find("heal"), std::string::npos);
}

TEST(SequenceDiagram, WindowAndRowLimit) {
  DiagramOptions options;
  options.from = milliseconds(2);
  const std::string windowed = render_sequence_diagram(sample_trace(), 3, options);
  EXPECT_EQ(windowed.find("#7"), std::string::npos);  // its send lies before the window
  options = DiagramOptions{};
  options.rows_max = 2;
  const std::string cut = render_sequence_diagram(sample_trace(), 3, options);
  EXPECT_NE(cut.find("cut at 2 rows"), std::string::npos);
  EXPECT_EQ(cut.find("CRASH"), std::string::npos);
}

TEST(SequenceDiagram, SameTraceSamePicture) {
  EXPECT_EQ(render_sequence_diagram(sample_trace(), 3, {}),
            render_sequence_diagram(sample_trace(), 3, {}));
}

}  // namespace
}  // namespace raftsim::sim
