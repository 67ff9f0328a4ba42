// raftsim: the simulated operator console (see admin_client.h).
#include "sim/workload/admin_client.h"

#include "raft/base/check.h"
#include "raft/base/hash.h"

namespace raftsim::sim {

AdminClient::AdminClient(Runtime& runtime, std::uint32_t cluster_size, const ClientTiming& timing,
                         AdminHistory& history)
    : runtime_(runtime), cluster_size_(cluster_size), timing_(timing), history_(history) {
  RAFTSIM_CHECK(cluster_size >= 1 && timing.attempts_max >= 1);
  session_.client_id = kClientId;
  session_.target = 0;
}

bool AdminClient::submit(const AdminRequest& request, NodeId leader_guess) {
  if (queued_.size() >= kQueuedMax) return false;
  if (history_.operations().size() + queued_.size() >= AdminHistory::kOperationsMax) return false;
  queued_.push_back(Queued{request, leader_guess});
  if (!session_.current && !start_scheduled_) {
    // Not inside one of this process's events: leave from a timer at the same virtual time.
    start_scheduled_ = true;
    start_session_timer(runtime_, session_, 0, 0, ClientSession::kStepTimer);
  }
  return true;
}

void AdminClient::start_next() {
  start_scheduled_ = false;
  if (session_.current || queued_.empty()) return;
  Queued next = std::move(queued_.front());
  queued_.pop_front();
  ++session_.sequence;
  session_.attempts = 0;
  session_.in_doubt = false;
  session_.invoked_at = runtime_.monotonic_now_ns();
  if (next.leader_guess != kNoNode && next.leader_guess < cluster_size_) {
    session_.target = next.leader_guess;
  }
  session_.current =
      history_.begin(std::move(next.request), session_.sequence, session_.invoked_at);
  RAFTSIM_CHECK_MSG(session_.current.has_value(), "submit() keeps the history within its limit");
  send_attempt();
}

void AdminClient::send_attempt() {
  AdminOperation& operation = history_.at(*session_.current);
  ++operation.attempts;
  request_.read_only = false;
  request_.admin = true;
  request_.payload = encode_admin_request(operation.request);
  send_session_attempt(runtime_, session_, 0, request_, send_buffer_, timing_);
}

void AdminClient::retry(NodeId hint) {
  switch (next_retry(session_, hint, runtime_.monotonic_now_ns(), timing_, cluster_size_)) {
    case RetryStep::give_up:
      finish(AdminOutcome::gave_up,
             session_.in_doubt ? "no answer (the change may still happen)" : "no leader answered",
             kNoNode);
      return;
    case RetryStep::resend_now:
      send_attempt();
      return;
    case RetryStep::back_off:
      start_session_timer(runtime_, session_, 0, timing_.retry_backoff,
                          ClientSession::kBackoffTimer);
      return;
  }
}

void AdminClient::finish(AdminOutcome outcome, std::string reason, NodeId by) {
  RAFTSIM_CHECK(session_.current.has_value());
  history_.end(*session_.current, outcome, runtime_.monotonic_now_ns(), std::move(reason), by);
  session_.current.reset();
  ++session_.timer_generation;  // a pending timeout is now stale
  if (session_.timer) runtime_.cancel_timer(*session_.timer);
  session_.timer.reset();
  if (!queued_.empty()) start_next();
}

void AdminClient::on_message(NodeId from, std::span<const std::uint8_t> payload) {
  if (!decode_client_response_into(payload, response_)) return;  // noise
  if (!session_of_response(response_, from, kClientId, 1, cluster_size_)) return;
  if (!session_.current || response_.sequence != session_.sequence) return;  // a late answer
  const AdminRequest& request = history_.at(*session_.current).request;
  switch (response_.status) {
    case ClientStatus::ok:
      finish(AdminOutcome::ok, {}, from);
      return;
    case ClientStatus::rejected:
      finish(AdminOutcome::rejected,
             std::string(response_.payload.begin(), response_.payload.end()), from);
      return;
    case ClientStatus::failed:
      if (request.kind == AdminRequest::Kind::transfer_leadership) {
        finish(AdminOutcome::failed, "the transfer aborted", from);
        return;
      }
      // A change whose entry was overwritten was definitely not applied: ask again.
      retry(response_.leader_hint);
      return;
    case ClientStatus::not_leader:
    case ClientStatus::busy:
      retry(response_.leader_hint);
      return;
  }
}

void AdminClient::on_timer(std::uint64_t tag) {
  const TimerTag decoded = decode_timer_tag(tag);
  if (decoded.generation != session_.timer_generation) return;  // superseded
  session_.timer.reset();
  switch (decoded.purpose) {
    case ClientSession::kStepTimer:
      start_next();
      return;
    case ClientSession::kBackoffTimer:
      if (session_.current) send_attempt();
      return;
    case ClientSession::kTimeoutTimer:
      if (!session_.current) return;
      session_.in_doubt = true;
      retry(kNoNode);
      return;
    default:
      RAFTSIM_UNREACHABLE("the admin client has no work timer");
  }
}

std::uint64_t AdminClient::state_hash() const {
  Hasher hasher;
  hasher.add(session_.sequence).add(session_.target).add(session_.attempts).add(queued_.size());
  return hasher.value();
}

}  // namespace raftsim::sim
