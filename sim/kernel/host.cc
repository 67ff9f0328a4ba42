#include "sim/kernel/host.h"

#include <algorithm>

#include "raft/base/check.h"
#include "raft/base/enum_names.h"

namespace raftsim::sim {

namespace {
constexpr EnumName<HostState> kHostStateNames[] = {
    {HostState::down, "down"}, {HostState::running, "running"}, {HostState::paused, "paused"}};
}  // namespace

const char* host_state_name(HostState state) {
  return enum_name(kHostStateNames, state);
}

Host::Host(NodeIndex node, std::uint64_t root_seed, Scheduler& scheduler, Network& network,
           SimDisk& disk, NodeClock& clock, Trace& trace, ProcessFactory factory)
    : node_(node),
      root_seed_(root_seed),
      scheduler_(scheduler),
      network_(network),
      disk_(disk),
      clock_(clock),
      trace_(trace),
      factory_(std::move(factory)) {
  RAFTSIM_CHECK(factory_ != nullptr);
  network_.attach(node_, *this);
}

std::uint64_t Host::random_seed() const {
  return Hasher(root_seed_).add_string("process").add(node_).add(incarnation_).value();
}

// ---------------------------------------------------------------------------------------------
// Lifecycle

void Host::boot() {
  RAFTSIM_CHECK_MSG(state_ == HostState::down && incarnation_ == 0, "boot() runs once");
  restart();
}

void Host::restart() {
  if (state_ != HostState::down) return;
  state_ = HostState::running;
  ++incarnation_;
  trace_.record(scheduler_.now(), TraceKind::restart, node_, kNoNode, 0, incarnation_);
  process_ = factory_(*this);
  RAFTSIM_CHECK_MSG(process_ != nullptr, "process factory returned nothing");
  process_->start();
  end_batch();
}

void Host::crash() {
  if (state_ == HostState::down) return;
  trace_.record(scheduler_.now(), TraceKind::crash, node_, kNoNode, 0, incarnation_, inbox_.size());
  state_ = HostState::down;
  process_.reset();
  clear_volatile_state();
  disk_.crash();
}

void Host::clear_volatile_state() {
  for (std::uint32_t slot = 0; slot < timers_.size(); ++slot) {
    if (timers_[slot].live) {
      scheduler_.cancel(timers_[slot].event);
      free_timer(slot);
    }
  }
  for (std::size_t position = 0; position < inbox_.size(); ++position) {
    const InboxItem& item = inbox_[position];
    if (!item.is_timer) {
      trace_.record(scheduler_.now(), TraceKind::drop, node_, item.from, item.message_id,
                    item.payload.size(), 0, "crashed before handling");
    }
  }
  inbox_.clear();
  for (std::size_t position = 0; position < deferred_sends_.size(); ++position) {
    const DeferredSend& deferred = deferred_sends_[position];
    if (deferred.starts_batch) scheduler_.cancel(deferred.event);  // never reached the wire
  }
  deferred_sends_.clear();
  held_send_batches_ = 0;
  scheduler_.cancel(drain_event_);
  drain_event_ = {};
  busy_until_ = 0;
}

void Host::pause() {
  if (state_ != HostState::running) return;
  state_ = HostState::paused;
  trace_.record(scheduler_.now(), TraceKind::pause, node_);
}

void Host::resume() {
  if (state_ != HostState::paused) return;
  state_ = HostState::running;
  trace_.record(scheduler_.now(), TraceKind::resume, node_, kNoNode, 0, inbox_.size());
  for (; held_send_batches_ > 0; --held_send_batches_) send_front_batch();
  ensure_drain_scheduled();
}

void Host::on_clock_changed() {
  for (std::uint32_t slot = 0; slot < timers_.size(); ++slot) {
    // Timers that already expired and wait in the inbox keep their place.
    if (timers_[slot].live && scheduler_.cancel(timers_[slot].event)) {
      schedule_timer_event(slot);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Runtime

void Host::send(NodeId to, std::span<const std::uint8_t> payload) {
  send_impl(to, payload, nullptr);
}

void Host::send_buffer(NodeId to, std::vector<std::uint8_t>& payload) {
  send_impl(to, payload, &payload);
}

void Host::send_impl(NodeId to, std::span<const std::uint8_t> payload,
                     std::vector<std::uint8_t>* buffer) {
  RAFTSIM_CHECK_MSG(state_ != HostState::down, "a crashed process cannot send");
  RAFTSIM_CHECK_MSG(to < network_.node_count(), "send to a node that does not exist");
  const Time blocked_for = disk_.busy_time();
  if (blocked_for == 0) {
    if (buffer != nullptr) {
      network_.send_buffer(node_, to, *buffer);
    } else {
      network_.send(node_, to, payload);
    }
    return;
  }
  // The process called fsync earlier in this handler; in real time the send happens after it.
  const Time release_at = scheduler_.now() + blocked_for;
  // Join the last batch if its release event is the very last event scheduled and is due at the
  // same time: this send's own event would have run right after it.
  const bool joins_last_batch = !deferred_sends_.empty() &&
                                deferred_sends_.back().release_at == release_at &&
                                scheduler_.next_sequence() == last_release_sequence_ + 1;
  DeferredSend& deferred = deferred_sends_.push_back();
  deferred.to = to;
  if (buffer != nullptr) {
    deferred.payload.swap(*buffer);
  } else {
    deferred.payload.assign(payload.begin(), payload.end());
  }
  deferred.release_at = release_at;
  deferred.starts_batch = !joins_last_batch;
  if (deferred.starts_batch) {
    deferred.event = scheduler_.schedule_at(release_at, *this, kReleaseSend);
    last_release_sequence_ = scheduler_.next_sequence() - 1;
  }
}

void Host::schedule_timer_event(std::uint32_t slot_index) {
  TimerSlot& timer = timers_[slot_index];
  const Time fire_at =
      clock_.virtual_time_when_monotonic_reaches(timer.local_deadline, scheduler_.now());
  timer.event = scheduler_.schedule_at(fire_at, *this, kTimerFire, slot_index, timer.generation);
}

TimerId Host::start_timer(std::int64_t after_ns, std::uint64_t tag) {
  RAFTSIM_CHECK_MSG(state_ != HostState::down, "a crashed process cannot start timers");
  RAFTSIM_CHECK_MSG(after_ns >= 0, "timer delay must not be negative");
  RAFTSIM_CHECK_MSG(live_timers_ < kTimersMax, "too many live timers (kTimersMax)");
  const std::uint32_t slot_index = timers_.acquire();
  TimerSlot& timer = timers_[slot_index];
  timer.tag = tag;
  timer.local_deadline = monotonic_now_ns() + after_ns;
  timer.live = true;
  ++live_timers_;
  schedule_timer_event(slot_index);
  return (static_cast<TimerId>(timer.generation) << 32) | slot_index;
}

bool Host::timer_live(std::uint32_t slot_index, std::uint32_t generation) const {
  return slot_index < timers_.size() && timers_[slot_index].live &&
         timers_[slot_index].generation == generation;
}

void Host::free_timer(std::uint32_t slot_index) {
  TimerSlot& timer = timers_[slot_index];
  RAFTSIM_CHECK(timer.live);
  timer.live = false;
  ++timer.generation;
  --live_timers_;
  timers_.release(slot_index);
}

void Host::cancel_timer(TimerId timer) {
  const auto slot_index = static_cast<std::uint32_t>(timer & 0xffffffffu);
  const auto generation = static_cast<std::uint32_t>(timer >> 32);
  if (!timer_live(slot_index, generation)) return;
  scheduler_.cancel(timers_[slot_index].event);
  free_timer(slot_index);
}

// ---------------------------------------------------------------------------------------------
// Inputs

bool Host::can_run_now() const {
  return state_ == HostState::running && scheduler_.now() >= busy_until_ && inbox_.empty();
}

void Host::ensure_drain_scheduled() {
  if (state_ != HostState::running || inbox_.empty() || scheduler_.is_pending(drain_event_)) {
    return;
  }
  drain_event_ =
      scheduler_.schedule_at(std::max(scheduler_.now(), busy_until_), *this, kDrainInbox);
}

void Host::on_network_message(NodeIndex from, std::uint64_t message_id,
                              std::span<const std::uint8_t> payload) {
  receive(from, message_id, payload, nullptr);
}

void Host::on_network_buffer(NodeIndex from, std::uint64_t message_id,
                             std::vector<std::uint8_t>& payload) {
  receive(from, message_id, payload, &payload);
}

void Host::receive(NodeIndex from, std::uint64_t message_id, std::span<const std::uint8_t> payload,
                   std::vector<std::uint8_t>* buffer) {
  if (state_ == HostState::down) {
    trace_.record(scheduler_.now(), TraceKind::drop, node_, from, message_id, payload.size(), 0,
                  "node down");
    return;
  }
  if (can_run_now()) {
    // Only the span from here on: the process may send, which may move the network's buffers
    // (not their bytes).
    deliver_to_process(from, message_id, payload);
    end_batch();
    return;
  }
  if (inbox_.size() >= kInboxItemsMax) {
    trace_.record(scheduler_.now(), TraceKind::drop, node_, from, message_id, payload.size(), 0,
                  "inbox full");
    return;
  }
  InboxItem& item = inbox_.push_back();
  item.is_timer = false;
  item.from = from;
  item.message_id = message_id;
  if (buffer != nullptr) {
    item.payload.swap(*buffer);
  } else {
    item.payload.assign(payload.begin(), payload.end());
  }
  ensure_drain_scheduled();
}

void Host::deliver_to_process(NodeIndex from, std::uint64_t message_id,
                              std::span<const std::uint8_t> payload) {
  trace_.record(scheduler_.now(), TraceKind::deliver, node_, from, message_id, payload.size());
  process_->on_message(from, payload);
}

void Host::fire_timer_in_process(std::uint32_t slot_index) {
  const std::uint64_t tag = timers_[slot_index].tag;
  free_timer(slot_index);
  trace_.record(scheduler_.now(), TraceKind::timer_fire, node_, kNoNode, 0, tag);
  process_->on_timer(tag);
}

void Host::end_batch() {
  if (state_ == HostState::down) return;
  process_->flush();
  const Time busy = disk_.take_busy_time();
  if (busy > 0) busy_until_ = scheduler_.now() + busy;
  ensure_drain_scheduled();
}

void Host::on_timer_expired(std::uint32_t slot_index, std::uint32_t generation) {
  if (!timer_live(slot_index, generation)) return;
  RAFTSIM_CHECK(state_ != HostState::down);  // crash cancels every timer
  if (can_run_now()) {
    fire_timer_in_process(slot_index);
    end_batch();
    return;
  }
  // Paused or busy: the timer waits its turn but can still be cancelled meanwhile.
  InboxItem& item = inbox_.push_back();
  item.is_timer = true;
  item.timer_slot = slot_index;
  item.timer_generation = generation;
  item.payload.clear();
  ensure_drain_scheduled();
}

void Host::release_send_batch() {
  RAFTSIM_CHECK(!deferred_sends_.empty() && deferred_sends_.front().starts_batch);
  if (state_ == HostState::paused) {
    ++held_send_batches_;
    return;
  }
  send_front_batch();
}

void Host::send_front_batch() {
  RAFTSIM_CHECK(!deferred_sends_.empty() && deferred_sends_.front().starts_batch);
  do {
    DeferredSend& deferred = deferred_sends_.front();
    RAFTSIM_CHECK(deferred.release_at <= scheduler_.now());
    network_.send_buffer(node_, deferred.to, deferred.payload);  // trades buffers, no copy
    deferred_sends_.pop_front();
  } while (!deferred_sends_.empty() && !deferred_sends_.front().starts_batch);
}

void Host::drain_inbox() {
  if (state_ != HostState::running || scheduler_.now() < busy_until_ || inbox_.empty()) {
    ensure_drain_scheduled();
    return;
  }
  // Everything that queued up is one batch, unless the process blocks in an fsync midway: then
  // the rest waits until the fsync returns, as it would in a real single-threaded server.
  while (!inbox_.empty() && disk_.busy_time() == 0) {
    InboxItem& item = inbox_.front();
    if (item.is_timer) {
      const std::uint32_t slot = item.timer_slot;
      const std::uint32_t generation = item.timer_generation;
      inbox_.pop_front();
      if (timer_live(slot, generation)) fire_timer_in_process(slot);
    } else {
      // The process cannot push into its own inbox while it runs (its sends and timers become
      // events), so the item stays put until it has been handed over; then its slot is recycled.
      const std::size_t before = inbox_.size();
      deliver_to_process(item.from, item.message_id, item.payload);
      RAFTSIM_CHECK(inbox_.size() == before);
      inbox_.pop_front();
    }
  }
  end_batch();
}

void Host::on_event(std::uint32_t kind, std::uint64_t a, std::uint64_t b) {
  switch (kind) {
    case kTimerFire:
      on_timer_expired(static_cast<std::uint32_t>(a), static_cast<std::uint32_t>(b));
      return;
    case kReleaseSend:
      release_send_batch();
      return;
    case kDrainInbox:
      drain_event_ = {};
      drain_inbox();
      return;
  }
  RAFTSIM_UNREACHABLE("unknown host event kind");
}

std::uint64_t Host::state_hash() const {
  Hasher hasher;
  hasher.add(node_).add(static_cast<std::uint64_t>(state_)).add(incarnation_);
  hasher.add(static_cast<std::uint64_t>(busy_until_)).add(inbox_.size());
  for (const TimerSlot& timer : timers_) {
    if (timer.live) hasher.add(timer.tag).add(static_cast<std::uint64_t>(timer.local_deadline));
  }
  if (process_ != nullptr) hasher.add(process_->state_hash());
  return hasher.value();
}

}  // namespace raftsim::sim
