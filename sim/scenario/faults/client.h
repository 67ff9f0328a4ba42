// raftsim: the client fault kinds. pause_client freezes a client process (its timers and the
// answers sent to it wait, as pause does for a node) and resume_client thaws it; crash_client
// ends every request the client has in flight as unknown and drops its volatile state, and
// restart_client starts it again under fresh client ids (ServiceCluster::first_client_id);
// stall_workers stops a queue client's worker sessions for `duration`, after which they carry on
// with the lease tokens they held. Targets name client processes only: "c<k>", "clients" (every
// one) or "random-client" (one, drawn from the faults stream when the step fires); several
// clients are recorded as one concrete step each, so an exported schedule replays exactly.
#pragma once

#include <cstdint>

#include "raft/base/status.h"
#include "sim/scenario/faults/fault_kind.h"

namespace raftsim::sim {

class ServiceCluster;

struct ClientAction {
  std::string_view name;
  bool repair = false;
  Status (*act)(ServiceCluster& cluster, NodeIndex node) = nullptr;
};
Status pause_client(ServiceCluster& cluster, NodeIndex node);
Status resume_client(ServiceCluster& cluster, NodeIndex node);
Status crash_client(ServiceCluster& cluster, NodeIndex node);
Status restart_client(ServiceCluster& cluster, NodeIndex node);

inline constexpr ClientAction kPauseClient{"pause_client", false, &pause_client};
inline constexpr ClientAction kResumeClient{"resume_client", true, &resume_client};
inline constexpr ClientAction kCrashClient{"crash_client", false, &crash_client};
inline constexpr ClientAction kRestartClient{"restart_client", true, &restart_client};

// `Undo`: the kind that undoes this one on the same target (void: none).
template <const ClientAction& Action, typename Undo = void>
struct ClientFault {
  static constexpr std::string_view kName = Action.name;
  static constexpr bool kRepair = Action.repair;
  using UndoneBy = Undo;
  Selector target;

  void parse(FaultReader& reader) {
    reader.selectors.read(reader.fields, "target", target, kClientProcesses);
  }
  void write(nlohmann::ordered_json& out) const { out["target"] = target; }
  void visit_selectors(const SelectorVisitor& visit) const { visit("target", {target}); }
  Applied<ClientFault> apply(FaultContext& context) const;
};

using ResumeClientFault = ClientFault<kResumeClient>;
using PauseClientFault = ClientFault<kPauseClient, ResumeClientFault>;
using RestartClientFault = ClientFault<kRestartClient>;
using CrashClientFault = ClientFault<kCrashClient, RestartClientFault>;

extern template struct ClientFault<kResumeClient>;
extern template struct ClientFault<kPauseClient, ResumeClientFault>;
extern template struct ClientFault<kRestartClient>;
extern template struct ClientFault<kCrashClient, RestartClientFault>;

// stall_workers (queue workloads only): the target's first `workers` worker sessions (0: all)
// stop leasing, heartbeating and completing for `duration`, then do what was due with the token
// they held: a lease that ran out meanwhile meets the queue's expiry and stale-token fencing.
// It ends by itself; recover_all does not cut it short.
struct StallWorkersFault {
  static constexpr std::string_view kName = "stall_workers";
  static constexpr double kDurationMsMax = 600'000;  // ten minutes: a stall, not an outage

  Selector target = "clients";
  Time duration = 0;
  std::uint32_t workers = 0;  // per targeted client; 0: every worker session

  void parse(FaultReader& reader);
  void write(nlohmann::ordered_json& out) const;
  void visit_selectors(const SelectorVisitor& visit) const { visit("target", {target}); }
  Applied<StallWorkersFault> apply(FaultContext& context) const;
};

}  // namespace raftsim::sim
