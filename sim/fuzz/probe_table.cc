// raftsim: a campaign's probe table (see probe_table.h).
#include "sim/fuzz/probe_table.h"

#include <cstdio>

namespace raftsim::sim {

void ProbeTable::add_run(const ProbeCounts& run) {
  ++runs_;
  for (std::size_t i = 0; i < kProbeCount; ++i) {
    runs_hit_.hits[i] += run.hits[i] > 0 ? 1 : 0;
    totals_.hits[i] += run.hits[i];
  }
}

void ProbeTable::merge(const ProbeTable& other) {
  runs_ += other.runs_;
  runs_hit_.add(other.runs_hit_);
  totals_.add(other.totals_);
}

Status ProbeTable::merge_json(const nlohmann::json& json) {
  if (!json.is_object() || !json.contains("runs") || !json.contains("probes")) {
    return Status(StatusCode::invalid_argument, "probe table: expected {runs, probes}");
  }
  ProbeTable other;
  other.runs_ = json.at("runs").get<std::uint64_t>();
  for (const auto& row : json.at("probes")) {
    const std::string name = row.at("probe").get<std::string>();
    const std::optional<Probe> probe = probe_by_name(name);
    if (!probe) {
      return Status(StatusCode::invalid_argument,
                    "probe table: unknown probe '" + name + "' (written by another build?)");
    }
    other.runs_hit_.hits[index(*probe)] = row.at("runs").get<std::uint64_t>();
    other.totals_.hits[index(*probe)] = row.at("hits").get<std::uint64_t>();
  }
  merge(other);
  return Status();
}

std::vector<Probe> ProbeTable::never_hit() const {
  std::vector<Probe> out;
  for (std::size_t i = 0; i < kProbeCount; ++i) {
    if (runs_hit_.hits[i] == 0) out.push_back(static_cast<Probe>(i));
  }
  return out;
}

std::vector<Probe> ProbeTable::rarely_hit() const {
  std::vector<Probe> out;
  for (std::size_t i = 0; i < kProbeCount; ++i) {
    if (runs_hit_.hits[i] > 0 && runs_hit_.hits[i] * 100 < runs_) {
      out.push_back(static_cast<Probe>(i));
    }
  }
  return out;
}

nlohmann::ordered_json ProbeTable::to_json() const {
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (std::size_t i = 0; i < kProbeCount; ++i) {
    rows.push_back({{"probe", std::string(probe_name(static_cast<Probe>(i)))},
                    {"runs", runs_hit_.hits[i]},
                    {"hits", totals_.hits[i]}});
  }
  nlohmann::ordered_json never = nlohmann::ordered_json::array();
  for (Probe probe : never_hit()) never.push_back(std::string(probe_name(probe)));
  return {{"runs", runs_},
          {"probes_known", kProbeCount},
          {"never_hit_count", never.size()},
          {"rarely_hit_count", rarely_hit().size()},
          {"never_hit", never},
          {"probes", rows}};
}

std::string ProbeTable::to_markdown() const {
  std::string out = "## Probes: " + std::to_string(kProbeCount) + " known, " +
                    std::to_string(kProbeCount - never_hit().size()) + " hit, " +
                    std::to_string(rarely_hit().size()) + " hit by fewer than 1% of " +
                    std::to_string(runs_) +
                    " runs\n\n| probe | runs | % of runs | hits |\n"
                    "|---|---:|---:|---:|\n";
  for (std::size_t i = 0; i < kProbeCount; ++i) {
    char percent[32];
    const double share =
        runs_ > 0 ? 100.0 * static_cast<double>(runs_hit_.hits[i]) / static_cast<double>(runs_)
                  : 0.0;
    std::snprintf(percent, sizeof percent, "%.1f", share);
    out += "| " + std::string(probe_name(static_cast<Probe>(i))) + " | " +
           std::to_string(runs_hit_.hits[i]) + " | " + percent + " | " +
           std::to_string(totals_.hits[i]) + " |\n";
  }
  out += "\nNever hit:";
  const std::vector<Probe> never = never_hit();
  if (never.empty()) out += " none";
  for (Probe probe : never) {
    out += "\n- " + std::string(probe_name(probe)) + ": " + std::string(probe_description(probe));
  }
  return out + "\n";
}

}  // namespace raftsim::sim
