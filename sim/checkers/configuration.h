// raftsim: the configuration checker -- membership changes checked online, after every event,
// beside the Raft safety checker (raft_safety.h), for clusters whose membership may change. It
// watches every running node's core and keeps the sequence of committed configurations. Checks:
//   configuration in force -- a server uses the latest configuration in its log, committed or not
//                             (the bootstrap or snapshot one if its log holds none);
//   one change at a time   -- a leader's log holds at most one uncommitted configuration entry;
//   legal step             -- each committed configuration follows the previous committed one by
//                             a legal step (raft/membership's illegal_step: enter or leave joint,
//                             or a one-server difference);
//   leader membership      -- a leader may lead in its own configuration (a voter, not a witness)
//                             unless it is a removed leader whose C_new has not committed yet;
//                             once that C_new commits it must have stepped down.
// Election safety across configurations (two leaders in a term, whatever their configurations)
// is raft_safety's, which never looks at membership. Cost: amortised O(new entries) per event.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "raft/membership/membership.h"
#include "sim/checkers/raft_safety.h"
#include "sim/kernel/world.h"

namespace raftsim::sim {

class ConfigurationChecker {
 public:
  ConfigurationChecker(NodeIndex cluster_size, Membership bootstrap);

  // Call after every event; the first violation found (and keeps returning it).
  std::optional<Violation> check(World& world);
  // Every committed configuration seen, in index order (index 0: the bootstrap one).
  struct Committed {
    Index index = 0;
    Membership membership;
  };
  const std::vector<Committed>& committed() const { return committed_; }

 private:
  // What the checker has read of one node's log (reset on restart or truncation).
  struct NodeView {
    std::uint64_t incarnation = 0;
    std::uint64_t truncations = 0;
    Index scanned_to = 0;               // entries up to here were looked at
    std::vector<Index> config_indexes;  // config entries still in the log, ascending
    Index latest_decoded = 0;           // the config entry `latest` was decoded from
    Membership latest;
  };
  struct Moment {
    std::uint64_t event_number;
    Time time;
  };

  std::optional<Violation> check_node(const Moment& moment, NodeIndex node, const Raft& raft);
  void scan(NodeView& view, const RaftLog& log);
  std::optional<Violation> record_committed(const Moment& moment, NodeIndex node,
                                            const NodeView& view, const RaftLog& log);
  Violation violation(const Moment& moment, std::string invariant, NodeIndex node,
                      std::string detail) const;

  std::vector<NodeView> nodes_;
  std::vector<Committed> committed_;
  std::optional<Violation> first_violation_;
};

}  // namespace raftsim::sim
