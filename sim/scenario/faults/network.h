// raftsim: the network fault kinds -- partitions of every shape and the heal that ends them.
// partition: nodes in different groups cannot talk; unlisted nodes form one more group, clients
//            named in a group are cut off with it, the others keep every link.
// isolate:   a node cut off both ways from every other node.
// one_way:   from -> to closed, to -> from open.
// bridge:    side_a and side_b cut apart; the bridge nodes talk to everyone.
// heal:      every link open again (link settings stay), and every message-kind delay
//            (delay_messages.h) ended. It undoes all four and that.
#pragma once

#include "sim/scenario/faults/fault_kind.h"

namespace raftsim::sim {

struct HealFault {
  static constexpr std::string_view kName = "heal";
  static constexpr bool kRepair = true;
  Applied<HealFault> apply(FaultContext& context) const;
};

struct PartitionFault {
  static constexpr std::string_view kName = "partition";
  using UndoneBy = HealFault;
  std::vector<std::vector<Selector>> groups;

  void parse(FaultReader& reader);
  void write(nlohmann::ordered_json& out) const;
  void visit_selectors(const SelectorVisitor& visit) const;
  Applied<PartitionFault> apply(FaultContext& context) const;
  // A random split into a minority and a majority.
  static NemesisDraw draw_nemesis(NemesisContext& context);
};

struct IsolateFault {
  static constexpr std::string_view kName = "isolate";
  static constexpr bool kBindsName = true;
  using UndoneBy = HealFault;
  Selector target;

  void parse(FaultReader& reader);
  void write(nlohmann::ordered_json& out) const;
  void visit_selectors(const SelectorVisitor& visit) const;
  Applied<IsolateFault> apply(FaultContext& context) const;
  static NemesisDraw draw_nemesis(NemesisContext& context);
};

struct OneWayFault {
  static constexpr std::string_view kName = "one_way";
  using UndoneBy = HealFault;
  std::vector<Selector> from, to;

  void parse(FaultReader& reader);
  void write(nlohmann::ordered_json& out) const;
  void visit_selectors(const SelectorVisitor& visit) const;
  Applied<OneWayFault> apply(FaultContext& context) const;
  // A node that cannot hear, or cannot speak.
  static NemesisDraw draw_nemesis(NemesisContext& context);
};

struct BridgeFault {
  static constexpr std::string_view kName = "bridge";
  using UndoneBy = HealFault;
  std::vector<Selector> side_a, bridge_nodes, side_b;

  void parse(FaultReader& reader);
  void write(nlohmann::ordered_json& out) const;
  void visit_selectors(const SelectorVisitor& visit) const;
  Applied<BridgeFault> apply(FaultContext& context) const;
  // One bridge node between two random halves.
  static NemesisDraw draw_nemesis(NemesisContext& context);
};

}  // namespace raftsim::sim
