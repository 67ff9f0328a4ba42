// raftsim: the one place that acts on a Raft core's Ready, in the order the core requires:
//   1. a snapshot the leader sent is installed (made durable, state machine restored) first;
//   2. the hard state and entries are persisted -- nothing leaves the node before that;
//   3. messages are sent; 4. committed entries are applied; 5. confirmed reads are handed over;
//   6. the core is told (advance).
// What "persist", "send" and "apply" mean is the caller's: NodeHost writes a WAL and encodes to
// the wire, the explorer keeps a modelled disk and a multiset of messages, tests keep vectors.
// The host's injected bugs act here, at the persist step, for every caller alike: under
// ack_before_fsync step 2 runs after step 5; under vote_not_persisted the hard state is written
// without the vote just granted (the core is not told). A failed durable step ends the round at
// once: the core is not advanced, and neither it nor the Ready is touched again.
#pragma once

#include <optional>
#include <span>

#include "raft/base/status.h"
#include "raft/core/raft.h"
#include "raft/node/host_bugs.h"

namespace raftsim {

// What a Ready is acted on with. Calls arrive in the order above, once per item.
class ReadySink {
 public:
  virtual ~ReadySink() = default;
  // Makes `snapshot` durable, together with the hard state that came with it (if any), and
  // restores the state machine from it. The log in the same Ready follows it.
  virtual Status install_snapshot(const Snapshot& snapshot,
                                  const std::optional<HardState>& hard_state) = 0;
  // Makes durable: the hard state (if any), then the log cut before `rewrite_from` (if nonzero),
  // then `entries` appended (an entry at an index already held replaces it and what follows).
  virtual Status persist(const std::optional<HardState>& hard_state, Index rewrite_from,
                         std::span<const Entry> entries) = 0;
  virtual void send(const Message& message) = 0;
  virtual void apply(const Entry& entry) = 0;
  // A read confirmed by a quorum: serve it once the state machine has applied read.read_index.
  virtual void read_ready(const ReadState& read) = 0;
};

class ReadyDriver {
 public:
  explicit ReadyDriver(HostBugs bugs = {}) : bugs_(bugs) {}

  // One Ready of `core`, taken into `ready` (reused from round to round, so its buffers keep their
  // capacity) and acted on through `sink`. Returns the failed durable step's status, else ok.
  // Call it while core.has_ready().
  Status run_round(Raft& core, Ready& ready, ReadySink& sink) const;

  HostBugs bugs() const { return bugs_; }

 private:
  // The hard state the persist step writes (see vote_not_persisted above).
  std::optional<HardState> written_hard_state(const Raft& core, const Ready& ready) const;

  HostBugs bugs_;
};

}  // namespace raftsim
