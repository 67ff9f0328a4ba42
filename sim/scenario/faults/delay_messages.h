// raftsim: the delay_messages fault kind: every Raft message of one kind (vote replies, append
// replies, ...) sent on the links from -> to takes `delay` longer than the link's own latency,
// until a later delay_messages step of the same kind and links sets 0, or heal / recover_all
// clear every such delay. It stands for a slow path that only some traffic takes: a busy
// responder thread, a priority queue, a middlebox holding one message type.
#pragma once

#include <cstdint>

#include "sim/scenario/faults/fault_kind.h"

namespace raftsim::sim {

struct HealFault;

struct DelayMessagesFault {
  static constexpr std::string_view kName = "delay_messages";
  using UndoneBy = HealFault;
  // The message kinds a step may name, in raft/core/messages.h's MessageType order.
  static constexpr std::string_view kKindNames[] = {
      "pre_vote_request", "pre_vote_response",         "vote_request", "vote_response",
      "append",           "append_response",           "heartbeat",    "heartbeat_response",
      "install_snapshot", "install_snapshot_response", "timeout_now"};
  static constexpr std::size_t kKinds = std::size(kKindNames);
  // The longest delay a file may ask for.
  static constexpr double kDelayMsMax = 60'000;

  std::vector<Selector> from = {"all"}, to = {"all"};
  std::uint8_t kind = 3;  // an index into kKindNames (default: vote_response)
  Time delay = 0;         // 0: messages of this kind on these links go at normal speed again

  std::string_view kind_name() const { return kKindNames[kind]; }
  void parse(FaultReader& reader);
  void write(nlohmann::ordered_json& out) const;
  void visit_selectors(const SelectorVisitor& visit) const;
  Applied<DelayMessagesFault> apply(FaultContext& context) const;
};

}  // namespace raftsim::sim
