// raftsim: parse-time selector checks (see selector_check.h).
#include "sim/scenario/selector_check.h"

#include <map>

namespace raftsim::sim {

std::optional<NodeIndex> node_from_name(std::string_view name, NodeIndex nodes) {
  if (name.size() < 2 || name[0] != 'n') return std::nullopt;
  NodeIndex index = 0;
  for (char c : name.substr(1)) {
    if (c < '0' || c > '9' || index > 1000) return std::nullopt;
    index = index * 10 + static_cast<NodeIndex>(c - '0');
  }
  if (name.size() > 2 && name[1] == '0') return std::nullopt;  // "n01"
  return index < nodes ? std::optional<NodeIndex>(index) : std::nullopt;
}

std::optional<NodeIndex> client_from_name(std::string_view name, NodeIndex clients) {
  if (name.empty() || name[0] != 'c') return std::nullopt;
  return node_from_name("n" + std::string(name.substr(1)), clients);
}

bool is_selector_keyword(std::string_view name) {
  static const std::set<std::string, std::less<>> kKeywords = {
      "leader", "new-leader", "follower", "followers", "random",       "all",
      "others", "down",       "paused",   "clients",   "random-client"};
  return kKeywords.count(name) != 0;
}

std::string expected_node_name(NodeIndex nodes) {
  return nodes == 1 ? std::string("the node name \"n0\"")
                    : "a node name from \"n0\" to \"n" + std::to_string(nodes - 1) + "\"";
}

void SelectorChecker::check_client_processes(const std::string& path, const std::string& selector) {
  if (clients_ == 0) {
    errors_.add_message(path,
                        "expected a client process, but the workload has no clients "
                        "(/workload/clients is 0)");
    return;
  }
  if (client_from_name(selector, clients_) || selector == "clients" ||
      selector == "random-client") {
    return;
  }
  std::string found = "\"" + selector + "\"";
  if (client_from_name(selector, 1000)) {
    found += " (the workload has " + std::to_string(clients_) + " clients)";
  } else if (node_from_name(selector, 1000) || is_selector_keyword(selector)) {
    found += " (a cluster node: client faults hit client processes only)";
  }
  const std::string names =
      clients_ == 1 ? std::string("the client \"c0\"")
                    : "a client from \"c0\" to \"c" + std::to_string(clients_ - 1) + "\"";
  errors_.add_message(path,
                      "expected " + names + ", \"clients\" or \"random-client\", found " + found);
}

void SelectorChecker::check(const std::string& path, const std::string& selector, unsigned uses) {
  if (uses == kClientProcesses) {
    check_client_processes(path, selector);
    return;
  }
  if (node_from_name(selector, nodes_)) return;
  if ((uses & kClients) && client_from_name(selector, clients_)) return;
  const bool one = selector == "leader" || selector == "new-leader" || selector == "follower" ||
                   selector == "random" || bound_.count(selector) != 0;
  if ((uses & kOneNode) && one) return;
  if ((uses & kManyNodes) && (selector == "all" || selector == "followers")) return;
  if ((uses & kOthers) && selector == "others") return;
  if ((uses & kDownNodes) && selector == "down") return;
  if ((uses & kPausedNodes) && selector == "paused") return;
  std::string expected = node_names();
  if (uses & kOneNode) expected += ", \"leader\", \"new-leader\", \"follower\", \"random\"";
  if (uses & kManyNodes) expected += ", \"all\", \"followers\"";
  if (uses & kOthers) expected += ", \"others\"";
  if (uses & kDownNodes) expected += ", \"down\"";
  if (uses & kPausedNodes) expected += ", \"paused\"";
  if ((uses & kClients) && clients_ > 0) {
    expected += ", a client from \"c0\" to \"c" + std::to_string(clients_ - 1) + "\"";
  }
  if ((uses & kOneNode) && !bound_.empty()) expected += " or a name bound earlier with \"as\"";
  std::string found = "\"" + selector + "\"";
  if (node_from_name(selector, 1000)) {  // a node name, but not of this cluster
    found += " (the cluster has " + std::to_string(nodes_) + " nodes)";
  } else if (!(uses & kOneNode) || !one) {
    if (pending_bindings_.count(selector) != 0) {
      found += " (bound by \"as\" only at a later time)";
    }
  }
  errors_.add_message(path, "expected " + expected + ", found " + found);
}

void SelectorChecker::read(JsonObjectReader& reader, std::string_view name, Selector& out,
                           unsigned uses, bool required) {
  if (reader.read_string(name, out, true)) {
    check(reader.path_of(name), out, uses);
  } else if (required && !reader.has(name)) {
    reader.error(name, "a node selector (a node name such as \"n0\", or \"leader\", ...)");
  }
}

void SelectorChecker::check_named_once(const Placed& placed) {
  std::map<std::string, const std::string*> first_place;
  for (const auto& [path, selector] : placed) {
    const bool literal = node_from_name(selector, nodes_).has_value() ||
                         client_from_name(selector, clients_).has_value();
    if (!literal) continue;  // roles ("leader", "others") resolve when the step fires
    const auto [seen, inserted] = first_place.emplace(selector, &path);
    if (!inserted) {
      errors_.add_message(
          path, selector + " is also at " + *seen->second + ": a node can be on one side only");
    }
  }
}

void SelectorChecker::add_places(JsonObjectReader& reader, std::string_view name,
                                 const std::vector<Selector>& selectors, Placed& placed) {
  const nlohmann::json* field = reader.field(name);
  const bool array = field != nullptr && field->is_array();
  for (std::size_t i = 0; i < selectors.size(); ++i) {
    placed.emplace_back(reader.path_of(name) + (array ? "/" + std::to_string(i) : std::string()),
                        selectors[i]);
  }
}

void SelectorChecker::read_list(JsonObjectReader& reader, std::string_view name,
                                std::vector<Selector>& out, unsigned uses) {
  if (reader.read_string_list(name, out)) {
    Placed places;
    add_places(reader, name, out, places);
    for (const auto& [path, selector] : places) check(path, selector, uses);
  } else if (!reader.has(name)) {
    reader.error(name, "a node selector or an array of them");
  }
}

}  // namespace raftsim::sim
