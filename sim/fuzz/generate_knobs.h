// raftsim: per-run knobs of generated scenarios that the catalogue never pushes on: how many
// entries an append carries and how many appends are in flight (1-64 each), PreVote and
// CheckQuorum on or off, snapshot thresholds, read- or write-heavy workloads, long delays of one
// Raft message kind, small WAL segments with corruption aimed at sealed ones, writes torn by a
// crash, and client faults (pauses, crashes, worker stalls). Each part
// draws from a stream of its own, so the other draws of a run keep their values.
#pragma once

#include <cstdint>
#include <string>

#include "sim/kernel/random.h"
#include "sim/scenario/scenario.h"

namespace raftsim::sim {

// A number in [1, 64], log-uniform by octave: each of {1}, {2}, {3-4}, {5-8}, {9-16}, {17-32},
// {33-64} is drawn with chance 1/7, then uniformly inside it.
std::uint32_t draw_one_to_64_log_uniform(Random& random);

// The cluster settings (before the profiles, which override them where they overlap: small
// batches, Figure 8 and lease reads set batches, PreVote or CheckQuorum of their own). Lease reads
// keep CheckQuorum on. Returns the workload mix drawn ("read-heavy", "write-heavy", ...).
std::string draw_config_knobs(std::uint64_t run_seed, Scenario& scenario);
// The knobs' final values (after the profiles), for the scenario's description.
std::string describe_knobs(const Scenario& scenario);

// Fault steps that need the final timing (after the profiles): in a quarter of the runs one to
// three windows where messages of one Raft kind (vote, pre-vote or append replies, appends,
// vote requests, heartbeat replies) on some links take longer than the largest election timeout;
// in the runs with small WAL segments, half the time, corruption aimed at one follower's sealed
// segment or its last record, then a crash and restart of that node so recovery reads it.
// Returns a short description.
std::string draw_fault_knobs(std::uint64_t run_seed, Scenario& scenario);

// In kClientFaultRuns of the runs (a stream of its own), one to three client fault episodes a few
// hundred milliseconds apart, each on one client: a pause of up to 600 ms; a crash with a
// restart within 400 ms (with two or more clients, a quarter of crashes last until the final
// recovery); in queue runs also a stall of the client's workers (one less than all of them when
// a single client holds several) for 1.25-2 leases. Returns a short description, or "".
inline constexpr Ratio kClientFaultRuns{3, 20};
std::string draw_client_faults(std::uint64_t run_seed, Scenario& scenario);

// In kTornWriteRuns of the runs (a stream of its own), a crash tears the last unsynced write of
// each file with a chance of 50-100%: WAL recovery must cut a torn final record away and count
// it, never call it corruption or lose a synced record. Returns a short description, or "".
inline constexpr Ratio kTornWriteRuns{1, 3};
std::string draw_torn_writes(std::uint64_t run_seed, Scenario& scenario);

}  // namespace raftsim::sim
