// raftsim: the simulated operator console (see admin_client.h).
#include "sim/workload/admin_client.h"

#include <algorithm>

#include "raft/base/check.h"
#include "raft/base/hash.h"

namespace raftsim::sim {

AdminClient::AdminClient(Runtime& runtime, std::uint32_t cluster_size, const ClientTiming& timing,
                         AdminHistory& history, std::function<bool(NodeId)> is_server)
    : runtime_(runtime),
      cluster_size_(cluster_size),
      timing_(timing),
      history_(history),
      is_server_(std::move(is_server)),
      sessions_(kSessionsMax) {
  RAFTSIM_CHECK(cluster_size >= 1 && timing.attempts_max >= 1);
  for (std::size_t index = 0; index < sessions_.size(); ++index) {
    sessions_[index].client_id = kClientId + index;
    sessions_[index].target = 0;
  }
}

bool AdminClient::idle() const {
  return queued_.empty() && std::all_of(sessions_.begin(), sessions_.end(), [](const Session& s) {
           return !s.current && s.rest.empty() && !s.start_scheduled;
         });
}

bool AdminClient::submit(std::vector<AdminRequest> chain, NodeId leader_guess) {
  RAFTSIM_CHECK(!chain.empty() && chain.size() <= kChainRequestsMax);
  std::size_t waiting = 0;
  for (const Chain& queued : queued_) waiting += queued.requests.size();
  for (const Session& session : sessions_) waiting += session.rest.size();
  if (queued_.size() >= kQueuedMax ||
      history_.operations().size() + waiting + chain.size() >= AdminHistory::kOperationsMax) {
    return false;
  }
  queued_.push_back(Chain{{chain.begin(), chain.end()}, leader_guess});
  for (Session& session : sessions_) {
    if (session.current || !session.rest.empty() || session.start_scheduled) continue;
    // Not inside one of this process's events: start from a timer at the same virtual time.
    session.start_scheduled = true;
    start_session_timer(runtime_, session, index_of(session), 0, ClientSession::kStepTimer);
    break;
  }
  return true;
}

void AdminClient::start_next(Session& session) {
  session.start_scheduled = false;
  if (session.current) return;
  if (session.rest.empty()) {
    if (queued_.empty()) return;
    Chain chain = std::move(queued_.front());
    queued_.pop_front();
    session.rest = std::move(chain.requests);
    if (chain.leader_guess != kNoNode && chain.leader_guess < cluster_size_) {
      session.target = chain.leader_guess;
    }
  }
  AdminRequest next = std::move(session.rest.front());
  session.rest.pop_front();
  open_session_request(session, runtime_.monotonic_now_ns());
  session.current = history_.begin(std::move(next), session.sequence, session.invoked_at);
  RAFTSIM_CHECK_MSG(session.current.has_value(), "submit() keeps the history within its limit");
  send_attempt(session);
}

void AdminClient::send_attempt(Session& session) {
  AdminOperation& operation = history_.at(*session.current);
  ++operation.attempts;
  request_.read_only = false;
  request_.admin = true;
  request_.payload = encode_admin_request(operation.request);
  send_session_attempt(runtime_, session, index_of(session), request_, send_buffer_, timing_);
}

void AdminClient::retry(Session& session, NodeId hint) {
  switch (next_retry(session, hint, runtime_.monotonic_now_ns(), timing_, cluster_size_, is_server_,
                     BounceRule::always)) {
    case RetryStep::give_up:
      finish(session, AdminOutcome::gave_up,
             session.in_doubt ? "no answer (the change may still happen)" : "no leader answered",
             kNoNode);
      return;
    case RetryStep::resend_now:
      send_attempt(session);
      return;
    case RetryStep::back_off:
      start_session_timer(runtime_, session, index_of(session), timing_.retry_backoff,
                          ClientSession::kBackoffTimer);
      return;
  }
}

void AdminClient::finish(Session& session, AdminOutcome outcome, std::string reason, NodeId by) {
  RAFTSIM_CHECK(session.current.has_value());
  history_.end(*session.current, outcome, runtime_.monotonic_now_ns(), std::move(reason), by);
  session.current.reset();
  ++session.timer_generation;  // a pending timeout is now stale
  if (session.timer) runtime_.cancel_timer(*session.timer);
  session.timer.reset();
  start_next(session);  // the rest of its chain, or a queued chain
}

void AdminClient::on_message(NodeId from, std::span<const std::uint8_t> payload) {
  if (!decode_client_response_into(payload, response_)) return;  // noise
  const auto index =
      session_of_response(response_, from, kClientId, sessions_.size(), cluster_size_);
  if (!index) return;  // noise
  Session& session = sessions_[*index];
  if (!session.current || response_.sequence != session.sequence) return;  // a late answer
  const AdminRequest& request = history_.at(*session.current).request;
  switch (response_.status) {
    case ClientStatus::ok:
      finish(session, AdminOutcome::ok, {}, from);
      return;
    case ClientStatus::rejected:
      finish(session, AdminOutcome::rejected,
             std::string(response_.payload.begin(), response_.payload.end()), from);
      return;
    case ClientStatus::failed:
      if (request.kind == AdminRequest::Kind::transfer_leadership) {
        finish(session, AdminOutcome::failed, "the transfer aborted", from);
        return;
      }
      // A change whose entry was overwritten was definitely not applied: ask again.
      retry(session, response_.leader_hint);
      return;
    case ClientStatus::not_leader:
    case ClientStatus::busy:
      retry(session, response_.leader_hint);
      return;
  }
}

void AdminClient::on_timer(std::uint64_t tag) {
  const TimerTag decoded = decode_timer_tag(tag);
  RAFTSIM_CHECK(decoded.session < sessions_.size());
  Session& session = sessions_[decoded.session];
  if (decoded.generation != session.timer_generation) return;  // superseded
  session.timer.reset();
  switch (decoded.purpose) {
    case ClientSession::kStepTimer:
      start_next(session);
      return;
    case ClientSession::kBackoffTimer:
      if (session.current) send_attempt(session);
      return;
    case ClientSession::kTimeoutTimer:
      if (!session.current) return;
      note_timeout(session);
      retry(session, kNoNode);
      return;
    default:
      RAFTSIM_UNREACHABLE("the admin client has no work timer");
  }
}

std::uint64_t AdminClient::state_hash() const {
  Hasher hasher;
  for (const Session& session : sessions_) {
    hasher.add(session.sequence).add(session.target).add(session.attempts);
    hasher.add(session.rest.size());
  }
  hasher.add(queued_.size());
  return hasher.value();
}

}  // namespace raftsim::sim
