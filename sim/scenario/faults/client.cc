// raftsim: the client fault kinds (see client.h).
#include "sim/scenario/faults/client.h"

#include "sim/scenario/faults/fault_context.h"

namespace raftsim::sim {
namespace {

std::string client_names(const std::vector<NodeIndex>& nodes, NodeIndex cluster_size) {
  std::string text;
  for (NodeIndex node : nodes) {
    text += (text.empty() ? "" : ",") + process_name(node, cluster_size);
  }
  return text;
}

// What a client step did: " c1" or " c0,c2 (clients)"; the concrete target is the client's name
// when one was hit; several are recorded one step each (per_node).
template <typename Kind>
Applied<Kind> client_outcome(const Kind& fault, const std::vector<NodeIndex>& nodes,
                             NodeIndex cluster_size, const std::string& skipped) {
  Applied<Kind> outcome(fault);
  outcome.description = " " + client_names(nodes, cluster_size);
  if (nodes.size() != 1 || process_name(nodes[0], cluster_size) != fault.target) {
    outcome.description += " (" + fault.target + ")";
  }
  if (nodes.size() == 1) outcome.concrete.target = process_name(nodes[0], cluster_size);
  if (nodes.size() > 1) {
    for (NodeIndex node : nodes) {
      Kind one = fault;
      one.target = process_name(node, cluster_size);
      outcome.per_node.push_back(one);
    }
  }
  if (nodes.empty()) outcome.skipped_because = "no client matches \"" + fault.target + "\"";
  if (!skipped.empty() && nodes.size() == 1) outcome.skipped_because = skipped;
  if (!skipped.empty() && nodes.size() > 1) outcome.description += ": " + skipped;
  return outcome;
}

}  // namespace

Status pause_client(ServiceCluster& cluster, NodeIndex node) {
  cluster.world().pause(node);
  return Status();
}
Status resume_client(ServiceCluster& cluster, NodeIndex node) {
  cluster.world().resume(node);
  return Status();
}
Status crash_client(ServiceCluster& cluster, NodeIndex node) {
  cluster.crash_client(node);
  return Status();
}
Status restart_client(ServiceCluster& cluster, NodeIndex node) {
  return cluster.restart_client(node);
}

template <const ClientAction& Action, typename Undo>
Applied<ClientFault<Action, Undo>> ClientFault<Action, Undo>::apply(FaultContext& context) const {
  const std::vector<NodeIndex> nodes = context.selectors.resolve(target, {});
  std::string skipped;
  for (NodeIndex node : nodes) {
    RAFTSIM_CHECK(context.cluster.is_client(node));  // the parser admits client names only
    if (Status status = Action.act(context.cluster, node); !status.ok()) {
      skipped = status.message();
    }
  }
  return client_outcome(*this, nodes, context.cluster.size(), skipped);
}

template struct ClientFault<kResumeClient>;
template struct ClientFault<kPauseClient, ResumeClientFault>;
template struct ClientFault<kRestartClient>;
template struct ClientFault<kCrashClient, RestartClientFault>;

void StallWorkersFault::parse(FaultReader& reader) {
  reader.selectors.read(reader.fields, "target", target, kClientProcesses, false);
  if (!reader.fields.has("duration_ms")) {
    reader.fields.error("duration_ms", "how long the workers stall, in milliseconds");
  } else {
    reader.fields.read_ms("duration_ms", duration, 1, kDurationMsMax);
  }
  std::uint64_t count = workers;
  if (reader.fields.read_uint("workers", count, 0,
                              std::uint64_t{1} << ClientSession::kSessionBits)) {
    workers = static_cast<std::uint32_t>(count);
  }
  if (!reader.selectors.queue_workload()) {
    reader.errors.add_message(reader.fields.path_of("action"),
                              "stall_workers stalls queue workers, but this scenario's workload "
                              "is \"kv\" (set /workload/type to \"queue\")");
  }
}

void StallWorkersFault::write(nlohmann::ordered_json& out) const {
  out["target"] = target;
  out["duration_ms"] = to_ms(duration);
  if (workers != 0) out["workers"] = workers;
}

Applied<StallWorkersFault> StallWorkersFault::apply(FaultContext& context) const {
  const std::vector<NodeIndex> nodes = context.selectors.resolve(target, {});
  std::string skipped;
  std::uint32_t stalled = 0;
  for (NodeIndex node : nodes) {
    Result<std::uint32_t> result = context.cluster.stall_workers(node, duration, workers);
    if (result.ok()) {
      stalled += result.value();
    } else {
      skipped = result.status().message();
    }
  }
  Applied<StallWorkersFault> outcome =
      client_outcome(*this, nodes, context.cluster.size(), skipped);
  outcome.description += " for " + std::to_string(duration / kMillisecond) + " ms (" +
                         std::to_string(stalled) + " workers)";
  return outcome;
}

}  // namespace raftsim::sim
