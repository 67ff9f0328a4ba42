// raftsim: the disk fault kind (see disk.h).
#include "sim/scenario/faults/disk.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "raft/storage/wal.h"
#include "raft/storage/wal_format.h"
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

// The WAL's sealed segments on `disk` (every segment but the newest), oldest first.
std::vector<std::string> sealed_segments(const SimDisk& disk) {
  const std::string prefix = WalOptions{}.prefix;
  std::vector<std::pair<std::uint64_t, std::string>> segments;
  for (const std::string& name : disk.list()) {
    auto sequence = wal_format::parse_segment_name(prefix, name);
    if (sequence.ok() && sequence.value()) segments.emplace_back(*sequence.value(), name);
  }
  std::sort(segments.begin(), segments.end());
  std::vector<std::string> sealed;
  for (std::size_t i = 0; i + 1 < segments.size(); ++i) sealed.push_back(segments[i].second);
  return sealed;
}

// Where the last whole record frame of a segment image starts and how long it is; nothing if the
// segment holds no record (or its first length word is already damaged).
std::optional<std::pair<std::uint64_t, std::uint64_t>> last_record(
    std::span<const std::uint8_t> image) {
  std::optional<std::pair<std::uint64_t, std::uint64_t>> last;
  std::uint64_t offset = wal_limits::kSegmentHeaderBytes;
  while (offset + wal_limits::kRecordHeaderBytes <= image.size()) {
    const auto length = wal_format::decode_length_word(wal_format::get_u32(image, offset));
    if (!length) break;
    const std::uint64_t frame = wal_limits::kRecordHeaderBytes + *length;
    if (offset + frame > image.size()) break;
    last.emplace(offset, frame);
    offset += frame;
  }
  return last;
}

// Flips one bit of a sealed segment, anywhere in it or in its last record. Returns false if
// there is no such segment (or record) to hit.
bool corrupt_sealed_segment(SimDisk& disk, Random& random, bool last_record_only) {
  const std::vector<std::string> sealed = sealed_segments(disk);
  if (sealed.empty()) return false;
  const std::string& name = sealed[random.below(sealed.size())];
  auto size = disk.size(name);
  RAFTSIM_CHECK(size.ok());
  if (!last_record_only) {
    if (size.value() == 0) return false;
    RAFTSIM_CHECK(disk.corrupt_bit(name, random.below(size.value() * 8)).ok());
    return true;
  }
  auto image = disk.read(name, 0, size.value());
  RAFTSIM_CHECK(image.ok());
  const auto record = last_record(image.value());
  if (!record) return false;
  const auto [offset, bytes] = *record;
  RAFTSIM_CHECK(disk.corrupt_bit(name, offset * 8 + random.below(bytes * 8)).ok());
  return true;
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
  if (kind == Kind::corrupt) {
    const std::vector<std::string_view> aims(std::begin(kAimNames), std::end(kAimNames));
    std::string aim_name;
    if (fields.read_choice("aim", aim_name, aims)) {
      for (std::size_t i = 0; i < aims.size(); ++i) {
        if (aims[i] == aim_name) aim = static_cast<Aim>(i);
      }
    }
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
  if (kind == Kind::corrupt && aim != Aim::any_file) {
    out["aim"] = std::string(kAimNames[static_cast<std::size_t>(aim)]);
  }
  if (kind == Kind::torn_writes) out["percent"] = to_percent(torn_chance);
  if (kind == Kind::slow_sync) out["sync_ms"] = {to_ms(sync_min), to_ms(sync_max)};
}

void DiskFault::visit_selectors(const SelectorVisitor& visit) const {
  visit("target", {target});
}

Applied<DiskFault> DiskFault::apply(FaultContext& context) const {
  const std::vector<NodeIndex> nodes = context.selectors.resolve(target, {});
  std::size_t hits = 0;  // aimed corruption: nodes that had a sealed segment to hit
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
    if (kind == Kind::corrupt && aim == Aim::any_file) corrupt_one_bit(disk, context.random);
    if (kind == Kind::corrupt && aim != Aim::any_file) {
      hits +=
          corrupt_sealed_segment(disk, context.random, aim == Aim::last_record_of_sealed_segment)
              ? 1
              : 0;
    }
  }
  Applied<DiskFault> outcome = targeted_outcome(*this, nodes);
  outcome.description += " " + std::string(kind_name());
  if (kind == Kind::corrupt && aim != Aim::any_file) {
    outcome.description += " (" + std::string(kAimNames[static_cast<std::size_t>(aim)]) + ", " +
                           std::to_string(hits) + " hit)";
  }
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
