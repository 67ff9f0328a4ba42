// raftsim: the configuration checker -- membership changes checked online, after every event,
// beside the Raft safety checker (raft_safety.h), for clusters whose membership may change. It
// watches every running node's core and keeps the sequence of committed configurations. Checks:
//   configuration in force -- a server uses the latest configuration in its log, committed or not
//                             (the bootstrap or snapshot one if its log holds none);
//   one change at a time   -- a leader's log holds at most one configuration entry beyond the
//                             highest index committed anywhere;
//   legal step             -- each committed configuration follows the previous committed one by
//                             a legal step (raft/membership's illegal_step: enter or leave joint,
//                             or a one-server difference);
//   leader membership      -- a leader may lead in its own configuration (a voter, not a witness)
//                             unless it is a removed leader whose C_new has not committed yet;
//                             once that C_new commits it must have stepped down;
//   commit quorum          -- when a leader advances its commit index to c, a majority of the
//                             voters of its configuration (of each half while joint) hold entry
//                             c durably (and each configuration entry committed on the way was
//                             held by a majority of its own configuration): learners never count
//                             (thesis §4.2.1), nor does a node that lost its disk. Read from the
//                             nodes' logs, not the leader's bookkeeping; a node that is down
//                             counts (its disk is not read).
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
  // Every committed configuration seen, in index order (index 0: the bootstrap one; a
  // configuration first seen in a snapshot carries the snapshot's index).
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
    Term led_term = 0;          // the term this node was last seen leading in (0: never)
    Index led_commit = 0;       // its commit index then
    Membership led_membership;  // and the configuration in force then
  };
  struct Moment {
    std::uint64_t event_number;
    Time time;
  };

  std::optional<Violation> check_node(const Moment& moment, NodeIndex node, const Raft& raft);
  std::optional<Violation> check_commit_quorum(const Moment& moment, NodeIndex node,
                                               const Raft& raft, const Membership& in_force);
  // Do a majority of `counted_in`'s voters (of each half) hold entry `index` durably?
  std::optional<Violation> check_held(const Moment& moment, NodeIndex node, const Raft& raft,
                                      Index index, const Membership& counted_in) const;
  void scan(NodeView& view, const RaftLog& log);
  std::optional<Violation> record_committed(const Moment& moment, NodeIndex node,
                                            const NodeView& view, const Raft& raft);
  // Appends a newly committed configuration if it follows the last one by a legal step.
  std::optional<Violation> record(const Moment& moment, NodeIndex node, Index index,
                                  Membership committed);
  Violation violation(const Moment& moment, std::string invariant, NodeIndex node,
                      std::string detail) const;

  // The core of every running node (nullptr: down or not a Raft host), refreshed each check.
  std::vector<const Raft*> running_;
  std::vector<NodeView> nodes_;
  std::vector<Committed> committed_;
  std::optional<Violation> first_violation_;
};

}  // namespace raftsim::sim
