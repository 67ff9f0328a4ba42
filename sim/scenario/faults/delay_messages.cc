// raftsim: the delay_messages fault kind (see delay_messages.h).
#include "sim/scenario/faults/delay_messages.h"

#include "raft/core/messages.h"
#include "sim/scenario/faults/fault_context.h"

namespace raftsim::sim {

static_assert(DelayMessagesFault::kKinds == static_cast<std::size_t>(MessageType::timeout_now) + 1,
              "one name per Raft message type");

void DelayMessagesFault::parse(FaultReader& reader) {
  JsonObjectReader& fields = reader.fields;
  reader.selectors.read_list(fields, "from", from, kOneNode | kManyNodes | kOthers);
  reader.selectors.read_list(fields, "to", to, kOneNode | kManyNodes | kOthers);
  const std::vector<std::string_view> names(std::begin(kKindNames), std::end(kKindNames));
  std::string name;
  if (fields.read_choice("kind", name, names)) {
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (names[i] == name) kind = static_cast<std::uint8_t>(i);
    }
  } else if (!fields.has("kind")) {
    fields.error("kind", "a Raft message kind, e.g. \"vote_response\" or \"append_response\"");
  }
  if (!fields.read_ms("delay_ms", delay, 0, kDelayMsMax) && !fields.has("delay_ms")) {
    fields.error("delay_ms", "the extra delay in milliseconds (0: back to normal)");
  }
}

void DelayMessagesFault::write(nlohmann::ordered_json& out) const {
  out["from"] = selectors_json(from);
  out["to"] = selectors_json(to);
  out["kind"] = std::string(kind_name());
  out["delay_ms"] = to_ms(delay);
}

void DelayMessagesFault::visit_selectors(const SelectorVisitor& visit) const {
  visit("from", from);
  visit("to", to);
}

Applied<DelayMessagesFault> DelayMessagesFault::apply(FaultContext& context) const {
  const auto [senders, receivers] = context.selectors.resolve_sides(from, to);
  Network& network = context.world().network();
  const std::uint8_t message_class = raft_message_class(static_cast<MessageType>(kind));
  for (NodeIndex a : senders) {
    for (NodeIndex b : receivers) {
      if (a == b || network.class_delay(a, b, message_class) == delay) continue;
      RAFTSIM_CHECK_MSG(network.set_class_delay(a, b, message_class, delay).ok(),
                        "delay validated at parse");
    }
  }
  DelayMessagesFault concrete = *this;
  concrete.from = selectors_of(senders);
  concrete.to = selectors_of(receivers);
  Applied<DelayMessagesFault> outcome(concrete);
  outcome.description = " " + std::string(kind_name()) + " +" +
                        std::to_string(delay / kMillisecond) + " ms " + node_names(senders) +
                        " -> " + node_names(receivers);
  return outcome;
}

}  // namespace raftsim::sim
