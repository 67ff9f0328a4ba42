// raftsim: probe names and lookups (see probe.h).
#include "raft/base/probe.h"

namespace raftsim {
namespace {

struct ProbeInfo {
  std::string_view name;
  std::string_view description;
};

constexpr std::array<ProbeInfo, kProbeCount> kProbes = {{
#define RAFTSIM_PROBE_INFO(name, what) {#name, what},
    RAFTSIM_PROBE_LIST(RAFTSIM_PROBE_INFO)
#undef RAFTSIM_PROBE_INFO
}};

}  // namespace

std::string_view probe_name(Probe probe) {
  return kProbes[static_cast<std::size_t>(probe)].name;
}

std::string_view probe_description(Probe probe) {
  return kProbes[static_cast<std::size_t>(probe)].description;
}

std::optional<Probe> probe_by_name(std::string_view name) {
  for (std::size_t i = 0; i < kProbeCount; ++i) {
    if (kProbes[i].name == name) return static_cast<Probe>(i);
  }
  return std::nullopt;
}

std::size_t ProbeCounts::probes_hit() const {
  std::size_t count = 0;
  for (std::uint64_t hit : hits) count += hit > 0 ? 1 : 0;
  return count;
}

}  // namespace raftsim
