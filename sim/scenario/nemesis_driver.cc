// raftsim: the nemesis stage (see nemesis_driver.h).
#include "sim/scenario/nemesis_driver.h"

#include <utility>

#include "sim/scenario/faults/fault_context.h"

namespace raftsim::sim {

NemesisDriver::NemesisDriver(const Nemesis& nemesis, Random& random, ServiceCluster& cluster,
                             SelectorResolver& selectors, const ServiceClusterOptions& base)
    : nemesis_(nemesis),
      random_(random),
      cluster_(cluster),
      selectors_(selectors),
      base_(base),
      budgets_(nemesis.kind_budgets) {
  budgets_.resize(kNemesisKinds, UINT32_MAX);
  next_ = nemesis_.start + draw(nemesis_.interval_min, nemesis_.interval_max);
}

Time NemesisDriver::draw(Time low, Time high) {
  return low >= high ? low : random_.between(low, high);
}

void NemesisDriver::fire(Time now, FaultApplier& applier) {
  if (now < next_) return;
  if (!undo_.empty()) {
    for (const FaultStep& step : undo_) applier.apply(step, "nemesis");
    undo_.clear();
    next_ = now + draw(nemesis_.interval_min, nemesis_.interval_max);
    return;
  }
  if (now >= nemesis_.stop || used_ >= nemesis_.faults_max) {
    next_ = kTimeNever;
    return;
  }
  std::vector<NemesisKind> available;
  for (NemesisKind kind : nemesis_.kinds) {
    if (budgets_[kind.index] > 0) available.push_back(kind);
  }
  if (available.empty()) {
    next_ = kTimeNever;
    return;
  }
  const NemesisKind kind = available[random_.below(available.size())];
  --budgets_[kind.index];
  ++used_;
  NemesisDraw drawn = draw_fault(kind, applier.disk_configs());
  undo_ = std::move(drawn.undo);
  for (const FaultStep& step : drawn.inject) applier.apply(step, "nemesis");
  next_ = now + draw(nemesis_.hold_min, nemesis_.hold_max);
}

NemesisDraw NemesisDriver::draw_fault(NemesisKind kind,
                                      const std::vector<DiskConfig>& disk_configs) {
  const NodeIndex nodes = cluster_.size();
  std::vector<NodeIndex> shuffled = selectors_.all_nodes();
  for (std::size_t i = shuffled.size(); i > 1; --i) {
    std::swap(shuffled[i - 1], shuffled[random_.below(i)]);
  }
  // Half the time the leader, when there is one: faults on leaders find the most bugs.
  auto victim = [&]() -> NodeIndex {
    const auto leader = selectors_.current_leader();
    if (leader && random_.chance(Ratio{1, 2})) return *leader;
    return static_cast<NodeIndex>(random_.below(nodes));
  };
  NemesisContext context{random_, nodes, std::move(shuffled), victim, base_, disk_configs};
  return draw_nemesis(kind, context);
}

}  // namespace raftsim::sim
