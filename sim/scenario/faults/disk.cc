// raftsim: the disk fault kind (see disk.h).
#include "sim/scenario/faults/disk.h"

#include <utility>

#include "sim/kernel/disk.h"
#include "sim/scenario/faults/fault_context.h"

namespace raftsim::sim {
namespace {

// Flips one bit of a random non-empty file (drawn from the faults stream); none: nothing.
void corrupt_one_bit(SimDisk& disk, Random& random) {
  std::vector<std::pair<std::string, std::uint64_t>> files;
  for (const std::string& name : disk.list()) {
    auto size = disk.size(name);
    if (size.ok() && size.value() > 0) files.emplace_back(name, size.value());
  }
  if (files.empty()) return;
  const auto& [name, size] = files[random.below(files.size())];
  RAFTSIM_CHECK(disk.corrupt_bit(name, random.below(size * 8)).ok());
}

}  // namespace

void DiskFault::parse(FaultReader& reader) {
  JsonObjectReader& fields = reader.fields;
  reader.selectors.read(fields, "target", target, kOneNode | kManyNodes);
  const std::vector<std::string_view> names(std::begin(kKindNames), std::end(kKindNames));
  std::string name;
  if (fields.read_choice("fault", name, names)) {
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (names[i] == name) kind = static_cast<Kind>(i);
    }
  } else if (!fields.has("fault")) {
    fields.error("fault",
                 "one of \"corrupt\", \"full\", \"free\", \"torn_writes\", "
                 "\"slow_sync\"");
  }
  if (kind == Kind::torn_writes) {
    std::uint64_t ppm = 1'000'000;
    fields.read_percent_ppm("percent", ppm);
    torn_chance = Ratio::per_million(ppm);
  }
  if (kind == Kind::slow_sync && !fields.read_ms_range("sync_ms", sync_min, sync_max, 0, 10'000) &&
      !fields.has("sync_ms")) {
    fields.error("sync_ms", "[min, max] fsync latency in milliseconds");
  }
}

void DiskFault::write(nlohmann::ordered_json& out) const {
  out["target"] = target;
  out["fault"] = std::string(kind_name());
  if (kind == Kind::torn_writes) out["percent"] = to_percent(torn_chance);
  if (kind == Kind::slow_sync) out["sync_ms"] = {to_ms(sync_min), to_ms(sync_max)};
}

void DiskFault::visit_selectors(const SelectorVisitor& visit) const {
  visit("target", {target});
}

Applied<DiskFault> DiskFault::apply(FaultContext& context) const {
  const std::vector<NodeIndex> nodes = context.selectors.resolve(target, {});
  for (NodeIndex node : nodes) {
    SimDisk& disk = context.world().disk(node);
    DiskConfig& config = context.disk_configs[node];
    if (kind == Kind::full) disk.set_capacity(disk.used_bytes());
    if (kind == Kind::free) disk.set_capacity(context.base.disk.capacity_bytes);
    if (kind == Kind::torn_writes) config.torn_write_on_crash = torn_chance;
    if (kind == Kind::slow_sync) {
      config.sync_latency_min = sync_min;
      config.sync_latency_max = sync_max;
    }
    if (kind == Kind::torn_writes || kind == Kind::slow_sync) disk.set_config(config);
    if (kind == Kind::corrupt) corrupt_one_bit(disk, context.random);
  }
  Applied<DiskFault> outcome = targeted_outcome(*this, nodes);
  outcome.description += " " + std::string(kind_name());
  return outcome;
}

NemesisDraw DiskFault::draw_nemesis(NemesisContext& context) {
  const NodeIndex node = context.victim();
  const std::string target = node_name(node);
  DiskFault torn;
  torn.target = target;
  torn.kind = Kind::torn_writes;
  torn.torn_chance = Ratio::one();
  DiskFault untorn = torn;
  untorn.torn_chance = context.disk_configs[node].torn_write_on_crash;
  return {{step_of(torn), step_of(CrashFault{target})},
          {step_of(RestartFault{target}), step_of(untorn)}};
}

}  // namespace raftsim::sim
