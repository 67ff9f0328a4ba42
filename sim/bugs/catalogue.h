// raftsim: the bug catalogue for the CLI and the scenario engine. Every catalogued bug belongs to
// one layer, which owns it as configuration (RaftConfig::bugs, NodeHostConfig::bugs, the
// JobQueue's constructor); this unit only names them and turns one chosen bug into the per-layer
// sets a run configures. Exactly one bug (or none) is injected per run.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "jobqueue/queue/queue_bugs.h"
#include "raft/core/raft_bugs.h"
#include "raft/node/host_bugs.h"

namespace raftsim {

// The CLI's names, in the catalogue's historical order (bench tables and scenario files use it).
enum class Bug : unsigned char {
  none = 0,
  commit_prev_term,
  vote_not_persisted,
  no_truncate_on_conflict,
  stale_term_append,
  vote_ignores_log,
  ack_before_fsync,
  read_without_readindex,
  lease_read_no_drift_bound,
  snapshot_overwrites_newer,
  stale_fence_complete,
  partial_snapshot_drops_keys,
  lease_expiry_ignored,
  config_change_before_own_term_commit,
  config_on_commit,
  joint_quorum_new_only,
  removed_leader_keeps_leading,
  learner_counted_in_quorum,
  rejoin_after_wipe,
  election_timer_not_randomized,
  stale_vote_counted,
};

// What each layer is configured with for a run.
struct LayerBugs {
  RaftBugs raft;
  HostBugs host;
  queue::QueueBugs queue;
  friend bool operator==(const LayerBugs&, const LayerBugs&) = default;
};

enum class BugLayer : std::uint8_t { raft_core, node_host, job_queue };

struct BugInfo {
  Bug bug;
  std::string_view name;         // the CLI spelling, e.g. "commit-prev-term"
  std::string_view description;  // one line
  LayerBugs layers;              // the one layer's set holding it; the others empty
  BugLayer layer() const;
};

// Every catalogued bug (Bug::none excluded), in enum order.
std::span<const BugInfo> bug_catalogue();
std::optional<Bug> bug_from_name(std::string_view name);
std::string_view bug_name(Bug bug);  // "none" for Bug::none
std::string_view layer_name(BugLayer layer);
// The per-layer sets that inject `bug` (all empty for Bug::none).
LayerBugs layer_bugs(Bug bug);

}  // namespace raftsim
