// raftsim: the world as a node process sees it, and the process as the world drives it.
// A Process is production code (a Raft node host, a job-queue server); a Runtime is what runs it:
// the simulator's hosts in sim/kernel, or a real event loop. Time is the node's *local* clock,
// which may be skewed, drift or jump; the process never sees anything else. All calls happen on
// one thread, one input at a time.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "raft/core/types.h"
#include "raft/io/file_system.h"

namespace raftsim {

using TimerId = std::uint64_t;

class Runtime {
 public:
  virtual ~Runtime() = default;
  virtual NodeId self() const = 0;
  // Local monotonic time in nanoseconds: never goes backwards, runs fast or slow with drift.
  virtual std::int64_t monotonic_now_ns() const = 0;
  // Local wall-clock time in nanoseconds: skew, drift and jumps (forwards or backwards).
  virtual std::int64_t wall_now_ns() const = 0;
  // Fire-and-forget datagram; may be lost, duplicated, delayed or reordered.
  virtual void send(NodeId to, std::span<const std::uint8_t> payload) = 0;
  // The same for a payload in a buffer the process is done with: the runtime may take the buffer
  // instead of copying the payload, leaving a spare buffer (any contents) in its place.
  virtual void send_buffer(NodeId to, std::vector<std::uint8_t>& payload) { send(to, payload); }
  // Calls Process::on_timer(tag) once local monotonic time has advanced by after_ns.
  virtual TimerId start_timer(std::int64_t after_ns, std::uint64_t tag) = 0;
  // Cancelling a timer that already fired or was cancelled is a no-op.
  virtual void cancel_timer(TimerId timer) = 0;
  virtual FileSystem& file_system() = 0;
  // Seed for the process's own deterministic random stream; differs per incarnation.
  virtual std::uint64_t random_seed() const = 0;
};

class Process {
 public:
  virtual ~Process() = default;
  // Called once per incarnation, after construction (recover from file_system() here).
  virtual void start() = 0;
  virtual void on_message(NodeId from, std::span<const std::uint8_t> payload) = 0;
  virtual void on_timer(std::uint64_t tag) = 0;
  // Called after the runtime has handed over every input available at this moment (one, or a
  // batch that queued up while the process was busy). A process that batches work -- one fsync
  // for many messages (group commit) -- does it here.
  virtual void flush() {}
  // Folds every field an invariant may read into a fingerprint (fixed algorithm: Hasher).
  virtual std::uint64_t state_hash() const = 0;
};

}  // namespace raftsim
