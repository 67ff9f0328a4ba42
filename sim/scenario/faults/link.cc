// raftsim: the link fault kind (see link.h).
#include "sim/scenario/faults/link.h"

#include "sim/scenario/faults/fault_context.h"

namespace raftsim::sim {
namespace {

constexpr double kLinkMsMax = 60'000;  // the longest latency or delay a file may ask for

}  // namespace

void change_links(Network& network, const std::vector<NodeIndex>& from,
                  const std::vector<NodeIndex>& to, const LinkChange& change,
                  const LinkConfig& base) {
  for (NodeIndex a : from) {
    for (NodeIndex b : to) {
      if (a == b) continue;
      LinkConfig config = change.reset ? base : network.link(a, b);
      if (change.latency_min) config.latency_min = *change.latency_min;
      if (change.latency_max) config.latency_max = *change.latency_max;
      if (change.loss) config.loss = *change.loss;
      if (change.duplicate) config.duplicate = *change.duplicate;
      if (change.reorder) config.reorder = *change.reorder;
      if (change.reorder_delay_max) config.reorder_delay_max = *change.reorder_delay_max;
      if (change.extra_latency) config.extra_latency = *change.extra_latency;
      if (network.link(a, b) == config) continue;
      RAFTSIM_CHECK_MSG(network.set_link(a, b, config).ok(), "link change validated at parse");
    }
  }
}

void LinkFault::parse(FaultReader& reader) {
  JsonObjectReader& fields = reader.fields;
  reader.selectors.read_list(fields, "from", from, kOneNode | kManyNodes | kOthers);
  reader.selectors.read_list(fields, "to", to, kOneNode | kManyNodes | kOthers);
  Time low = 0, high = 0;
  if (fields.read_ms_range("latency_ms", low, high, 0, kLinkMsMax)) {
    change.latency_min = low;
    change.latency_max = high;
  }
  std::uint64_t ppm = 0;
  if (fields.read_percent_ppm("loss_percent", ppm)) change.loss = Ratio::per_million(ppm);
  if (fields.read_percent_ppm("duplicate_percent", ppm)) {
    change.duplicate = Ratio::per_million(ppm);
  }
  if (fields.read_percent_ppm("reorder_percent", ppm)) change.reorder = Ratio::per_million(ppm);
  Time delay = 0;
  if (fields.read_ms("reorder_delay_ms", delay, 0, kLinkMsMax)) change.reorder_delay_max = delay;
  if (fields.read_ms("extra_latency_ms", delay, 0, kLinkMsMax)) change.extra_latency = delay;
  fields.read_bool("reset", change.reset);
}

void LinkFault::write(nlohmann::ordered_json& out) const {
  out["from"] = selectors_json(from);
  out["to"] = selectors_json(to);
  if (change.reset) out["reset"] = true;
  if (change.latency_min) {
    out["latency_ms"] = {to_ms(*change.latency_min), to_ms(*change.latency_max)};
  }
  if (change.loss) out["loss_percent"] = to_percent(*change.loss);
  if (change.duplicate) out["duplicate_percent"] = to_percent(*change.duplicate);
  if (change.reorder) out["reorder_percent"] = to_percent(*change.reorder);
  if (change.reorder_delay_max) out["reorder_delay_ms"] = to_ms(*change.reorder_delay_max);
  if (change.extra_latency) out["extra_latency_ms"] = to_ms(*change.extra_latency);
}

void LinkFault::visit_selectors(const SelectorVisitor& visit) const {
  visit("from", from);
  visit("to", to);
}

Applied<LinkFault> LinkFault::apply(FaultContext& context) const {
  const auto [senders, receivers] = context.selectors.resolve_sides(from, to);
  change_links(context.world().network(), senders, receivers, change, context.base.link);
  Applied<LinkFault> outcome(LinkFault{selectors_of(senders), selectors_of(receivers), change});
  outcome.description = " " + node_names(senders) + " -> " + node_names(receivers);
  return outcome;
}

NemesisDraw LinkFault::draw_nemesis(NemesisContext& context) {
  Random& random = context.random;
  const NodeIndex node = context.victim();
  LinkFault out;
  out.from = {node_name(node)};
  out.to = {"all"};
  out.change.loss = Ratio::percent(5 + random.below(26));
  out.change.duplicate = Ratio::percent(random.below(11));
  out.change.extra_latency = milliseconds(random.between(0, 50));
  LinkFault in = out;
  in.from = {"all"};
  in.to = {node_name(node)};
  const LinkFault reset{{"all"}, {"all"}, LinkChange::reset_all()};
  return {{step_of(out), step_of(in)}, {step_of(reset)}};
}

}  // namespace raftsim::sim
