// raftsim: what a leader knows about each follower's log (Raft paper Figure 2, nextIndex and
// matchIndex) plus the flow control that keeps a slow follower from being flooded: in `probe`
// state one append is outstanding until answered; in `replicate` state appends are pipelined up
// to a fixed window of in-flight messages; in `snapshot` state the follower needs entries the
// leader has compacted, so it is sent a snapshot, one chunk outstanding at a time.
// Invariant: match < next.
#pragma once

#include <cstdint>
#include <vector>

#include "raft/core/types.h"

namespace raftsim {

// A fixed-capacity ring of the last index carried by each in-flight append.
class Inflights {
 public:
  explicit Inflights(std::uint32_t capacity = 1) : ring_(capacity) {}
  bool full() const { return count_ == ring_.size(); }
  std::uint32_t count() const { return count_; }
  // The last index of the position-th oldest in-flight append (0 = the oldest).
  Index at(std::uint32_t position) const { return ring_[(start_ + position) % ring_.size()]; }
  void add(Index last_index);
  // An acknowledgement up to `index` frees every message that carried nothing beyond it.
  void free_up_to(Index index);
  void clear() { start_ = count_ = 0; }

 private:
  std::vector<Index> ring_;
  std::uint32_t start_ = 0;
  std::uint32_t count_ = 0;
};

struct Progress {
  enum class State : std::uint8_t { probe, replicate, snapshot };

  Index match = 0;
  Index next = 1;
  State state = State::probe;
  bool probe_sent = false;                 // probe: an append is outstanding; wait for its answer
  bool recent_active = false;              // heard from since the last CheckQuorum round
  std::uint64_t acked_heartbeat_tick = 0;  // leader tick of the newest heartbeat it answered
  std::uint64_t acked_read_round = 0;      // context of the newest heartbeat it answered
  Inflights inflights;
  // replicate: heartbeats answered since an append was last acknowledged while appends were in
  // flight; a follower that answers heartbeats but not appends lost them (see kStalledHeartbeats).
  std::uint32_t heartbeats_while_stalled = 0;
  // snapshot state: the snapshot being sent (kept, even if the leader takes a newer one meanwhile,
  // so a long transfer is not restarted) and the offset the follower asked for next.
  Snapshot sending;
  std::uint64_t sending_offset = 0;

  bool paused() const { return state == State::replicate ? inflights.full() : probe_sent; }
  void become_probe() {
    state = State::probe;
    probe_sent = false;
    sending = Snapshot{};
    inflights.clear();
    heartbeats_while_stalled = 0;
    next = match + 1;
  }
  void become_replicate() {
    state = State::replicate;
    probe_sent = false;
    heartbeats_while_stalled = 0;
    next = match + 1;
  }
  void become_snapshot(Snapshot snapshot) {
    state = State::snapshot;
    probe_sent = false;
    inflights.clear();
    sending = std::move(snapshot);
    sending_offset = 0;
  }
};

}  // namespace raftsim
