// raftsim: the disk fault kind. On each target one of: corrupt (flip one bit of a random stored
// file, found on the next restart; or, with an aim, of a sealed WAL segment -- one the WAL no
// longer appends to -- or of that segment's last record), full (capacity = what is used now: the
// next write fails), free (capacity back to the configured size), torn_writes (the chance that a
// crash tears the last unsynced write) and slow_sync (fsync latency). Only recover_all undoes it.
#pragma once

#include <cstdint>

#include "sim/scenario/faults/fault_kind.h"

namespace raftsim::sim {

struct DiskFault {
  static constexpr std::string_view kName = "disk";
  static constexpr bool kBindsName = true;
  enum class Kind : std::uint8_t { corrupt, full, free, torn_writes, slow_sync };
  static constexpr std::string_view kKindNames[] = {"corrupt", "full", "free", "torn_writes",
                                                    "slow_sync"};
  // Where corrupt flips its bit: any stored file (the default), a random sealed WAL segment, or
  // the last record of one (where a WAL that took damage for a torn tail would cut a record out
  // of the middle of the log). No sealed segment: nothing happens.
  enum class Aim : std::uint8_t { any_file, sealed_segment, last_record_of_sealed_segment };
  static constexpr std::string_view kAimNames[] = {"any_file", "sealed_segment",
                                                   "last_record_of_sealed_segment"};
  Selector target;
  Kind kind = Kind::corrupt;
  Aim aim = Aim::any_file;            // corrupt
  Ratio torn_chance = Ratio::zero();  // torn_writes
  Time sync_min = 0, sync_max = 0;    // slow_sync

  std::string_view kind_name() const { return kKindNames[static_cast<std::size_t>(kind)]; }
  void parse(FaultReader& reader);
  void write(nlohmann::ordered_json& out) const;
  void visit_selectors(const SelectorVisitor& visit) const;
  Applied<DiskFault> apply(FaultContext& context) const;
  // Torn writes on a node, then a crash of it; undone by a restart and the old chance.
  static NemesisDraw draw_nemesis(NemesisContext& context);
};

}  // namespace raftsim::sim
