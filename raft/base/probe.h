// raftsim: "sometimes" probes -- named, interesting branches of raft/ and jobqueue/ (a conflicting
// tail truncated, a vote rejected for a stale log, a lease expired, ...) that a run counts so a
// fuzz campaign can say which it never reached. Every probe is named once, in the central list
// below (probe_names.h), so the whole set is known statically: a typo at a site is a compile
// error, and "never hit" lists probes whose code was never even linked into a run.
// Contract: a probe only counts. RAFTSIM_PROBE(name) adds one to the counts of the sink installed
// on this thread (ScopedProbeSink; none installed: nothing happens), so observing never changes
// behaviour or any trace hash. One thread-local pointer, no locks; a run is single-threaded.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "raft/base/probe_names.h"

namespace raftsim {

enum class Probe : std::uint16_t {
#define RAFTSIM_PROBE_ENUM(name, what) name,
  RAFTSIM_PROBE_LIST(RAFTSIM_PROBE_ENUM)
#undef RAFTSIM_PROBE_ENUM
};

inline constexpr std::size_t kProbeCount = 0
#define RAFTSIM_PROBE_ONE(name, what) +1
    RAFTSIM_PROBE_LIST(RAFTSIM_PROBE_ONE)
#undef RAFTSIM_PROBE_ONE
    ;

std::string_view probe_name(Probe probe);
std::string_view probe_description(Probe probe);
std::optional<Probe> probe_by_name(std::string_view name);

// Hit counts of every probe, indexed by Probe: what one run (or a sum of runs) reached.
struct ProbeCounts {
  std::array<std::uint64_t, kProbeCount> hits{};

  std::uint64_t operator[](Probe probe) const { return hits[static_cast<std::size_t>(probe)]; }
  void add(const ProbeCounts& other) {
    for (std::size_t i = 0; i < kProbeCount; ++i) hits[i] += other.hits[i];
  }
  std::size_t probes_hit() const;
  friend bool operator==(const ProbeCounts&, const ProbeCounts&) = default;
};

namespace probe_detail {
// The sink of the current thread; null outside a simulated run.
inline thread_local ProbeCounts* current_sink = nullptr;
inline void hit(Probe probe) {
  if (current_sink != nullptr) ++current_sink->hits[static_cast<std::size_t>(probe)];
}
}  // namespace probe_detail

// Installs `sink` (null: none, probes count nowhere) for this thread while it lives; restores
// the previous one after (runs nest: a campaign's shrinker runs scenarios inside a campaign).
class ScopedProbeSink {
 public:
  explicit ScopedProbeSink(ProbeCounts* sink) : previous_(probe_detail::current_sink) {
    probe_detail::current_sink = sink;
  }
  ~ScopedProbeSink() { probe_detail::current_sink = previous_; }
  ScopedProbeSink(const ScopedProbeSink&) = delete;
  ScopedProbeSink& operator=(const ScopedProbeSink&) = delete;

 private:
  ProbeCounts* previous_;
};

}  // namespace raftsim

// Marks an interesting branch; `name` must be in RAFTSIM_PROBE_LIST (probe_names.h).
#define RAFTSIM_PROBE(name) ::raftsim::probe_detail::hit(::raftsim::Probe::name)
