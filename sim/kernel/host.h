// raftsim: a simulated machine that runs one node process.
// The host owns the process's lifecycle (boot, crash, restart, pause, resume) and implements the
// Runtime the process sees: its local clock, timers on that clock, the network and its disk. A
// crash destroys the process object (all volatile state, pending timers, unsent messages); only
// the disk survives, and restart() builds a fresh process that must recover from it. While the
// process is paused, or blocked in fsync, arriving messages and expired timers wait in a bounded
// inbox and are handed over in arrival order when it can run again, as one batch followed by
// Process::flush() -- so a process that persists in flush() gets group commit for free. Messages
// a handler sent after an fsync leave when the fsync returns, or at resume if it was paused then.
// Limits: kInboxItemsMax waiting inputs (further messages are dropped, as by a full socket
// buffer; timers are never dropped), kTimersMax live timers (more is a process bug).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "raft/io/runtime.h"
#include "sim/kernel/clock.h"
#include "sim/kernel/disk.h"
#include "sim/kernel/network.h"
#include "sim/kernel/ring_queue.h"
#include "sim/kernel/scheduler.h"
#include "sim/kernel/slot_pool.h"
#include "sim/kernel/trace.h"

namespace raftsim::sim {

using ProcessFactory = std::function<std::unique_ptr<Process>(Runtime&)>;

enum class HostState { down, running, paused };
const char* host_state_name(HostState state);

class Host final : public Runtime, public MessageSink, public EventTarget {
 public:
  static constexpr std::size_t kInboxItemsMax = 4096;
  static constexpr std::size_t kTimersMax = 4096;

  Host(NodeIndex node, std::uint64_t root_seed, Scheduler& scheduler, Network& network,
       SimDisk& disk, NodeClock& clock, Trace& trace, ProcessFactory factory);
  Host(const Host&) = delete;
  Host& operator=(const Host&) = delete;

  // --- lifecycle (driven by the world / scenario engine) ---
  void boot();     // first start; the host must be down
  void crash();    // no-op if already down
  void restart();  // down -> running with a new incarnation; no-op if not down
  void pause();    // running -> paused
  void resume();   // paused -> running
  // The clock's rate changed: re-aim pending timers so they still fire at their local deadline.
  void on_clock_changed();

  HostState state() const { return state_; }
  std::uint64_t incarnation() const { return incarnation_; }
  // The process is blocked in an fsync until then (a time not after now: it is not).
  Time busy_until() const { return busy_until_; }
  Process* process() { return process_.get(); }
  std::uint64_t state_hash() const;

  // --- Runtime ---
  NodeId self() const override { return node_; }
  std::int64_t monotonic_now_ns() const override { return clock_.monotonic(scheduler_.now()); }
  std::int64_t wall_now_ns() const override { return clock_.wall(scheduler_.now()); }
  void send(NodeId to, std::span<const std::uint8_t> payload) override;
  void send_buffer(NodeId to, std::vector<std::uint8_t>& payload) override;
  TimerId start_timer(std::int64_t after_ns, std::uint64_t tag) override;
  void cancel_timer(TimerId timer) override;
  FileSystem& file_system() override { return disk_; }
  std::uint64_t random_seed() const override;

  // --- MessageSink, EventTarget ---
  void on_network_message(NodeIndex from, std::uint64_t message_id,
                          std::span<const std::uint8_t> payload) override;
  void on_network_buffer(NodeIndex from, std::uint64_t message_id,
                         std::vector<std::uint8_t>& payload) override;
  void on_event(std::uint32_t kind, std::uint64_t a, std::uint64_t b) override;

 private:
  enum EventKind : std::uint32_t { kTimerFire = 1, kReleaseSend = 2, kDrainInbox = 3 };
  struct TimerSlot {
    std::uint64_t tag = 0;
    Time local_deadline = 0;  // on the monotonic clock
    EventHandle event;
    std::uint32_t generation = 0;
    bool live = false;
  };
  struct InboxItem {
    bool is_timer = false;
    std::uint32_t timer_slot = 0;  // a timer is re-checked on hand-over: it may be cancelled
    std::uint32_t timer_generation = 0;
    NodeIndex from = 0;
    std::uint64_t message_id = 0;
    std::vector<std::uint8_t> payload;
  };
  // A message sent after an fsync, waiting for the fsync to return. Sends that would have been
  // consecutive events at the same time share one release event (a batch): the first of them
  // carries the event, and running them together is indistinguishable from running them one
  // event after the other.
  struct DeferredSend {
    NodeIndex to = 0;
    std::vector<std::uint8_t> payload;  // capacity is kept when the slot is recycled
    Time release_at = 0;
    bool starts_batch = false;
    EventHandle event;  // the batch's release event (first of a batch only)
  };

  bool can_run_now() const;
  // send() and send_buffer(): with `buffer` (holding the payload) it is swapped, not copied.
  void send_impl(NodeId to, std::span<const std::uint8_t> payload,
                 std::vector<std::uint8_t>* buffer);
  // Hands the message over now, or queues it (taking `buffer` if given, else copying).
  void receive(NodeIndex from, std::uint64_t message_id, std::span<const std::uint8_t> payload,
               std::vector<std::uint8_t>* buffer);
  void ensure_drain_scheduled();
  void deliver_to_process(NodeIndex from, std::uint64_t message_id,
                          std::span<const std::uint8_t> payload);
  void fire_timer_in_process(std::uint32_t slot_index);
  void end_batch();  // flush(), then turn the fsync time spent into busy time
  void on_timer_expired(std::uint32_t slot_index, std::uint32_t generation);
  bool timer_live(std::uint32_t slot_index, std::uint32_t generation) const;
  void free_timer(std::uint32_t slot_index);
  void release_send_batch();
  void send_front_batch();
  void drain_inbox();
  void schedule_timer_event(std::uint32_t slot_index);
  void clear_volatile_state();

  NodeIndex node_;
  std::uint64_t root_seed_;
  Scheduler& scheduler_;
  Network& network_;
  SimDisk& disk_;
  NodeClock& clock_;
  Trace& trace_;
  ProcessFactory factory_;

  HostState state_ = HostState::down;
  std::uint64_t incarnation_ = 0;
  std::unique_ptr<Process> process_;
  Time busy_until_ = 0;
  SlotPool<TimerSlot> timers_;
  std::size_t live_timers_ = 0;
  RingQueue<InboxItem> inbox_;  // items keep their payload capacity when recycled
  EventHandle drain_event_;
  // Messages sent after an fsync in the same handler leave when that fsync returns, in order.
  RingQueue<DeferredSend> deferred_sends_;
  // The sequence number the last batch's release event got (see DeferredSend).
  std::uint64_t last_release_sequence_ = 0;
  // Batches whose fsync returned while the process was paused: a stopped process cannot run the
  // code after its fsync, so they leave when it resumes.
  std::size_t held_send_batches_ = 0;
};

}  // namespace raftsim::sim
