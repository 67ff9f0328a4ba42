// raftsim: the explored state graph (Boost.Graph adjacency list, BFS for shortest paths).
#include "sim/explore/state_graph.h"

#include <algorithm>
#include <boost/graph/breadth_first_search.hpp>
#include <sstream>

#include "raft/base/check.h"

namespace raftsim::sim::explore {

bool StateGraph::add_state(std::uint32_t id) {
  if (!complete_) return false;
  if (boost::num_vertices(graph_) >= vertices_max_) {
    complete_ = false;
    return false;
  }
  const auto vertex = boost::add_vertex(graph_);
  RAFTSIM_CHECK(vertex == id);
  return true;
}

void StateGraph::add_transition(std::uint32_t from, std::uint32_t to, const Choice& choice) {
  if (!complete_) return;
  boost::add_edge(from, to, choice, graph_);
}

std::uint64_t StateGraph::vertex_count() const {
  return boost::num_vertices(graph_);
}
std::uint64_t StateGraph::edge_count() const {
  return boost::num_edges(graph_);
}

std::optional<std::vector<Choice>> StateGraph::shortest_path(std::uint32_t target) const {
  const std::size_t count = boost::num_vertices(graph_);
  if (!complete_ || target >= count || count == 0) return std::nullopt;
  using Edge = Graph::edge_descriptor;
  std::vector<std::optional<Edge>> via(count);
  std::vector<boost::default_color_type> colors(count);
  struct Recorder : boost::default_bfs_visitor {
    std::vector<std::optional<Edge>>* via;
    void tree_edge(Edge edge, const Graph& graph) { (*via)[boost::target(edge, graph)] = edge; }
  } recorder;
  recorder.via = &via;
  boost::breadth_first_search(graph_, boost::vertex(0, graph_),
                              boost::visitor(recorder).color_map(boost::make_iterator_property_map(
                                  colors.begin(), boost::get(boost::vertex_index, graph_))));
  if (target != 0 && !via[target]) return std::nullopt;
  std::vector<Choice> path;
  for (std::size_t at = target; at != 0;) {
    const Edge edge = *via[at];
    path.push_back(graph_[edge]);
    at = boost::source(edge, graph_);
  }
  std::reverse(path.begin(), path.end());
  return path;
}

std::string StateGraph::to_dot(const std::function<std::string(const Choice&)>& label) const {
  std::ostringstream out;
  out << "digraph states {\n  node [shape=circle, width=0.25, label=\"\"];\n";
  out << "  0 [shape=box, label=\"init\"];\n";
  for (std::uint32_t id : violations_) {
    if (id < boost::num_vertices(graph_)) out << "  " << id << " [style=filled, fillcolor=red];\n";
  }
  for (auto [it, end] = boost::edges(graph_); it != end; ++it) {
    out << "  " << boost::source(*it, graph_) << " -> " << boost::target(*it, graph_)
        << " [label=\"" << label(graph_[*it]) << "\"];\n";
  }
  out << "}\n";
  return out.str();
}

}  // namespace raftsim::sim::explore
