// raftsim: checks the node selectors of a scenario's fault steps while it is parsed (what a
// Selector may be: scenario.h). A step's field accepts some kinds of selector (SelectorUse); names
// bound with "as" count only after the step that binds them. Errors go to the parse's JsonErrors
// with the JSON path of the selector, what the field accepts and what was found.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/kernel/network.h"
#include "sim/scenario/json_reader.h"

namespace raftsim::sim {

using Selector = std::string;

// Which selectors a field accepts (see Selector in scenario.h).
enum SelectorUse : unsigned {
  kOneNode = 1,       // n<k>, leader, new-leader, follower, random, bound names
  kManyNodes = 2,     // all, followers
  kOthers = 4,        // others
  kDownNodes = 8,     // down
  kPausedNodes = 16,  // paused
  kClients = 32,      // c<k>: a client process (partitions only)
  // Client processes alone (the client fault kinds, faults/client.h): c<k>, "clients" (every
  // client process), "random-client" (one, drawn when the step fires). No cluster node.
  kClientProcesses = 64
};

// "n<k>" with k < nodes (no leading zero), else nothing.
std::optional<NodeIndex> node_from_name(std::string_view name, NodeIndex nodes);
// "c<k>" with k < clients (no leading zero): the client's number k, else nothing.
std::optional<NodeIndex> client_from_name(std::string_view name, NodeIndex clients);
// "a node name from \"n0\" to \"n4\"" (error messages).
std::string expected_node_name(NodeIndex nodes);
// The selector keywords: no "as" may bind one of these names.
bool is_selector_keyword(std::string_view name);

class SelectorChecker {
 public:
  SelectorChecker(NodeIndex nodes, NodeIndex clients, JsonErrors& errors)
      : nodes_(nodes), clients_(clients), errors_(errors) {}

  // Every name some step binds with "as", whenever it fires: a use before the binding step
  // then says so.
  void expect_binding(const std::string& name) { pending_bindings_.insert(name); }
  void bind(const std::string& name) { bound_.insert(name); }

  // Checks one selector found at `path`.
  void check(const std::string& path, const std::string& selector, unsigned uses);
  // A field that names client processes only (kClientProcesses).
  void check_client_processes(const std::string& path, const std::string& selector);
  // Reads and checks a selector field (an error when absent and required).
  void read(JsonObjectReader& reader, std::string_view name, Selector& out, unsigned uses,
            bool required = true);
  // Reads and checks a field holding one selector or an array of them.
  void read_list(JsonObjectReader& reader, std::string_view name, std::vector<Selector>& out,
                 unsigned uses);
  NodeIndex nodes() const { return nodes_; }
  NodeIndex clients() const { return clients_; }

  // The places (JSON path, selector) of one step that split nodes into sets (partition groups,
  // bridge sides): a node or client named in two of them is an error naming both places.
  using Placed = std::vector<std::pair<std::string, Selector>>;
  void check_named_once(const Placed& placed);
  // The places of the selectors read_list() stored for field `name`, as check_named_once takes.
  static void add_places(JsonObjectReader& reader, std::string_view name,
                         const std::vector<Selector>& selectors, Placed& placed);
  // The workload's clients are queue producers and workers (stall_workers needs workers).
  void set_queue_workload(bool queue) { queue_workload_ = queue; }
  bool queue_workload() const { return queue_workload_; }
  std::string node_names() const { return expected_node_name(nodes_); }

  // The servers a schedule knows, step by step in time order (membership kinds, faults/
  // membership.h): the bootstrap nodes n0..n(b-1), then every slot an earlier step added.
  // By default every node name is a bootstrap node.
  void set_bootstrap_nodes(NodeIndex bootstrap) { bootstrap_ = bootstrap; }
  NodeIndex bootstrap_nodes() const { return bootstrap_ < nodes_ ? bootstrap_ : nodes_; }
  bool known_server(NodeIndex node) const {
    return node < bootstrap_nodes() || added_.count(node) != 0;
  }
  void add_server(NodeIndex node) { added_.insert(node); }

 private:
  NodeIndex nodes_;
  NodeIndex bootstrap_ = UINT32_MAX;
  std::set<NodeIndex> added_;
  NodeIndex clients_;
  bool queue_workload_ = false;
  JsonErrors& errors_;
  std::set<std::string, std::less<>> bound_;
  std::set<std::string, std::less<>> pending_bindings_;
};

}  // namespace raftsim::sim
