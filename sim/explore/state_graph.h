// raftsim: the explored state graph as a Boost.Graph graph -- one vertex per distinct state (its
// id), one edge per transition with the choice taken. Gives the shortest path from the initial
// state to any explored state (a breadth-first search over the graph) and a DOT export. Kept up
// to vertices_max states: beyond it the graph stops growing (complete() turns false) and the
// explorer falls back on its parent pointers; memory is ~40 bytes per edge.
#pragma once

#include <boost/graph/adjacency_list.hpp>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sim/explore/world.h"

namespace raftsim::sim::explore {

class StateGraph {
 public:
  explicit StateGraph(std::uint64_t vertices_max) : vertices_max_(vertices_max) {}

  // Adds vertex `id` (ids come 0, 1, 2, ...); false once the limit is reached.
  bool add_state(std::uint32_t id);
  void add_transition(std::uint32_t from, std::uint32_t to, const Choice& choice);
  void mark_violation(std::uint32_t id) { violations_.push_back(id); }

  bool complete() const { return complete_; }
  std::uint64_t vertex_count() const;
  std::uint64_t edge_count() const;
  // The choices of a shortest path from state 0 to `target`, or nothing if unreachable in the
  // graph (or the graph is incomplete).
  std::optional<std::vector<Choice>> shortest_path(std::uint32_t target) const;
  // DOT text: states as points (violations red, the initial state a box), edges labelled.
  std::string to_dot(const std::function<std::string(const Choice&)>& label) const;

 private:
  using Graph =
      boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS, boost::no_property, Choice>;
  Graph graph_;
  std::uint64_t vertices_max_;
  bool complete_ = true;
  std::vector<std::uint32_t> violations_;
};

}  // namespace raftsim::sim::explore
