#include "sim/kernel/determinism.h"

#include "raft/base/check.h"

namespace raftsim::sim {

DeterminismReport check_determinism(const TracedRun& run, std::uint64_t seed) {
  const Trace first = run(seed);
  const Trace second = run(seed);
  DeterminismReport report;
  report.seed = seed;
  report.first_hash = first.hash();
  report.second_hash = second.hash();
  report.events = first.event_count();
  if (first.recording() && second.recording()) {
    report.divergence = first_divergence(first, second);
  }
  // Equal per-event hashes imply equal running hashes; a mismatch here is a Trace bug.
  RAFTSIM_CHECK(report.divergence.has_value() || !first.recording() || !second.recording() ||
                report.first_hash == report.second_hash);
  return report;
}

std::string DeterminismReport::describe() const {
  if (deterministic()) {
    return "deterministic: seed " + std::to_string(seed) + ", " + std::to_string(events) +
           " events, trace hash " + std::to_string(first_hash);
  }
  std::string text = "NOT deterministic: seed " + std::to_string(seed) + ", hashes " +
                     std::to_string(first_hash) + " vs " + std::to_string(second_hash);
  if (divergence) text += "\n" + divergence->describe();
  return text;
}

}  // namespace raftsim::sim
