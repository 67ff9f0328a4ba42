// raftsim: the membership fault kinds -- changes an operator makes while the cluster runs, sent
// through the cluster's operator console (AdminClient) to the leader, answered when the change
// commits (the run goes on meanwhile; the admin history records the outcome):
// add_node:  a never-started slot starts with an empty disk and a joining configuration, and the
//            leader is asked to add it as a learner (add_witness: as a voting witness);
// promote:   a learner becomes a voter;        remove_node: a member leaves (it keeps running);
// transfer_leadership: the leader hands over to the target (a voter);
// change_voters: a joint change to a new voter set (never-started slots among them start fresh);
// wipe:      a node loses its whole disk and restarts empty (a restart, not an initial start);
// membership: the nemesis's kind -- a transfer, or a voter (or the leader) replaced by a fresh
//            slot (remove, add as learner, promote), drawn when it fires and recorded resolved.
// Parse-time checks (exit 2 with the JSON path): add_node names a slot beyond the bootstrap nodes
// not added before; the others name a server of the cluster (bootstrap or added earlier).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "raft/membership/membership.h"
#include "sim/scenario/faults/fault_kind.h"

namespace raftsim::sim {

// add_node and add_witness: start a fresh server and ask for it to join.
template <ConfChangeType Type>
struct JoinFault {
  static constexpr std::string_view kName =
      Type == ConfChangeType::add_witness ? "add_witness" : "add_node";
  static constexpr bool kNeedsAdmin = true;
  Selector target;  // a node name

  void parse(FaultReader& reader);
  void write(nlohmann::ordered_json& out) const { out["target"] = target; }
  void visit_selectors(const SelectorVisitor& visit) const { visit("target", {target}); }
  Applied<JoinFault> apply(FaultContext& context) const;
};
using AddNodeFault = JoinFault<ConfChangeType::add_learner>;
using AddWitnessFault = JoinFault<ConfChangeType::add_witness>;
extern template struct JoinFault<ConfChangeType::add_learner>;
extern template struct JoinFault<ConfChangeType::add_witness>;

// promote, remove_node and transfer_leadership: one request about one member.
enum class MemberAction : std::uint8_t { promote, remove, transfer };
template <MemberAction Action>
struct MemberFault {
  static constexpr std::string_view kName = Action == MemberAction::promote ? "promote"
                                            : Action == MemberAction::remove
                                                ? "remove_node"
                                                : "transfer_leadership";
  static constexpr bool kNeedsAdmin = true;
  static constexpr bool kBindsName = true;
  Selector target;

  void parse(FaultReader& reader);
  void write(nlohmann::ordered_json& out) const { out["target"] = target; }
  void visit_selectors(const SelectorVisitor& visit) const { visit("target", {target}); }
  Applied<MemberFault> apply(FaultContext& context) const;
};
using PromoteFault = MemberFault<MemberAction::promote>;
using RemoveNodeFault = MemberFault<MemberAction::remove>;
using TransferLeadershipFault = MemberFault<MemberAction::transfer>;
extern template struct MemberFault<MemberAction::promote>;
extern template struct MemberFault<MemberAction::remove>;
extern template struct MemberFault<MemberAction::transfer>;

struct ChangeVotersFault {
  static constexpr std::string_view kName = "change_voters";
  static constexpr bool kNeedsAdmin = true;
  std::vector<Selector> voters;  // node names: C_new
  bool auto_leave = true;

  void parse(FaultReader& reader);
  void write(nlohmann::ordered_json& out) const;
  void visit_selectors(const SelectorVisitor& visit) const { visit("voters", voters); }
  Applied<ChangeVotersFault> apply(FaultContext& context) const;
};

struct WipeFault {
  static constexpr std::string_view kName = "wipe";
  static constexpr bool kBindsName = true;
  Selector target;

  void parse(FaultReader& reader);
  void write(nlohmann::ordered_json& out) const { out["target"] = target; }
  void visit_selectors(const SelectorVisitor& visit) const { visit("target", {target}); }
  Applied<WipeFault> apply(FaultContext& context) const;
};

struct MembershipNemesisFault {
  static constexpr std::string_view kName = "membership";
  static constexpr bool kNeedsAdmin = true;
  // "transfer", "replace" (a voter that does not lead) or "replace_leader".
  std::string change = "transfer";
  // Resolved when it fires (empty before): the member removed, the slot added, the transfer's
  // target. A recorded step replays them as they were.
  Selector remove, add, to;

  void parse(FaultReader& reader);
  void write(nlohmann::ordered_json& out) const;
  void visit_selectors(const SelectorVisitor& visit) const;
  Applied<MembershipNemesisFault> apply(FaultContext& context) const;
  // One change; nothing to undo (the hold is the time before the next).
  static NemesisDraw draw_nemesis(NemesisContext& context);
};

}  // namespace raftsim::sim
