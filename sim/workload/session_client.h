// raftsim: the half of a simulated client process that does not depend on what it asks. It owns
// the sessions (client ids first_client_id, first_client_id + 1, ...), sends attempts, matches
// answers to the attempt in flight, runs the timeout and back-off timers and the retry policy
// (ClientSession, next_retry). KvClient and QueueClient derive from it and say only what a
// request carries, what an answer means, what giving up records and what their own timers do.
// Invariant: a session has at most one request in flight (`current`) and one live timer.
#pragma once

#include <cstdint>
#include <span>
#include <type_traits>
#include <utility>
#include <vector>

#include "raft/base/check.h"
#include "raft/io/runtime.h"
#include "raft/node/wire.h"
#include "sim/workload/client_session.h"

namespace raftsim::sim {

// Session: a ClientSession with whatever else the client keeps per session.
template <typename Session>
class SessionClient : public Process {
 public:
  void on_message(NodeId from, std::span<const std::uint8_t> payload) final;
  void on_timer(std::uint64_t tag) final;
  // Which slots are servers (a cluster that may grow has slots never started): a retry that goes
  // round skips the others. Unset: every slot is tried.
  void set_server_filter(std::function<bool(NodeId)> is_server) {
    is_server_ = std::move(is_server);
  }

 protected:
  SessionClient(Runtime& runtime, std::uint32_t cluster_size, std::uint64_t first_client_id,
                const ClientTiming& timing, std::size_t session_count);

  // Writes the session's current request into request.payload and request.read_only.
  virtual void fill_request(Session& session, ClientRequest& request) = 0;
  // The cluster applied (or read) the current request: `reply` is the state machine's answer.
  virtual void on_applied(Session& session, std::span<const std::uint8_t> reply) = 0;
  // The current request ran out of attempts or time without an answer.
  virtual void give_up(Session& session) = 0;
  // A live timer whose purpose the client chose (kStepTimer, kWorkTimer).
  virtual void on_session_timer(Session& session, std::uint64_t purpose) = 0;

  // A new request on the session: the next sequence number, a fresh retry budget.
  void open_request(Session& session);
  // Records the request opened last in `history` (invoked now), then sends its first attempt.
  // A full history stops the session: nothing is sent.
  // `operation` is taken by reference and moved into the history: one move, no copy of its text.
  template <typename History, typename Operation>
  void record_and_send(Session& session, History& history, Operation&& operation);
  void send_attempt(Session& session);
  // After a refusal (hint: who the node thinks leads) or a timeout (hint = kNoNode).
  void retry(Session& session, NodeId hint);
  void start_timer(Session& session, Time after, std::uint64_t purpose);

  Runtime& runtime_;
  const std::uint32_t cluster_size_;
  std::function<bool(NodeId)> is_server_;  // empty: every slot is a server
  const std::uint64_t first_client_id_;
  const ClientTiming session_timing_;
  std::vector<Session> sessions_;

 private:
  std::uint64_t index_of(const Session& session) const {
    return session.client_id - first_client_id_;
  }

  // Buffers reused from one attempt or answer to the next.
  ClientRequest request_;
  ClientResponse response_;
  std::vector<std::uint8_t> send_buffer_;
};

template <typename Session>
SessionClient<Session>::SessionClient(Runtime& runtime, std::uint32_t cluster_size,
                                      std::uint64_t first_client_id, const ClientTiming& timing,
                                      std::size_t session_count)
    : runtime_(runtime),
      cluster_size_(cluster_size),
      first_client_id_(first_client_id),
      session_timing_(timing),
      sessions_(session_count) {
  RAFTSIM_CHECK(cluster_size >= 1 && timing.attempts_max >= 1);
  RAFTSIM_CHECK(session_count >= 1 && session_count <= (1u << ClientSession::kSessionBits));
  for (std::size_t index = 0; index < session_count; ++index) {
    sessions_[index].client_id = first_client_id + index;
    sessions_[index].target = static_cast<NodeId>((first_client_id + index) % cluster_size);
  }
}

template <typename Session>
void SessionClient<Session>::start_timer(Session& session, Time after, std::uint64_t purpose) {
  start_session_timer(runtime_, session, index_of(session), after, purpose);
}

template <typename Session>
void SessionClient<Session>::open_request(Session& session) {
  open_session_request(session, runtime_.monotonic_now_ns());
}

template <typename Session>
template <typename History, typename Operation>
void SessionClient<Session>::record_and_send(Session& session, History& history,
                                             Operation&& operation) {
  static_assert(!std::is_lvalue_reference_v<Operation>, "pass the operation with std::move");
  operation.invoke_time = runtime_.monotonic_now_ns();
  session.invoked_at = operation.invoke_time;
  session.current = history.begin(std::forward<Operation>(operation));
  if (!session.current) return;  // history full: this session stops
  send_attempt(session);
}

template <typename Session>
void SessionClient<Session>::send_attempt(Session& session) {
  fill_request(session, request_);
  send_session_attempt(runtime_, session, index_of(session), request_, send_buffer_,
                       session_timing_);
}

template <typename Session>
void SessionClient<Session>::retry(Session& session, NodeId hint) {
  switch (next_retry(session, hint, runtime_.monotonic_now_ns(), session_timing_, cluster_size_,
                     is_server_)) {
    case RetryStep::give_up:
      give_up(session);
      return;
    case RetryStep::resend_now:
      send_attempt(session);
      return;
    case RetryStep::back_off:
      start_timer(session, session_timing_.retry_backoff, ClientSession::kBackoffTimer);
      return;
  }
}

template <typename Session>
void SessionClient<Session>::on_message(NodeId from, std::span<const std::uint8_t> payload) {
  if (!decode_client_response_into(payload, response_)) return;  // noise
  const auto index =
      session_of_response(response_, from, first_client_id_, sessions_.size(), cluster_size_);
  if (!index) return;  // noise
  Session& session = sessions_[*index];
  if (!session.current || response_.sequence != session.sequence) return;  // a late answer
  if (response_.status != ClientStatus::ok) {
    // Definitely not applied by this attempt; try again (same sequence: at most once).
    retry(session, response_.leader_hint);
    return;
  }
  on_applied(session, response_.payload);
}

template <typename Session>
void SessionClient<Session>::on_timer(std::uint64_t tag) {
  const TimerTag decoded = decode_timer_tag(tag);
  RAFTSIM_CHECK(decoded.session < sessions_.size());
  Session& session = sessions_[decoded.session];
  if (decoded.generation != session.timer_generation) return;  // superseded
  session.timer.reset();
  switch (decoded.purpose) {
    case ClientSession::kBackoffTimer:
      if (session.current) send_attempt(session);
      return;
    case ClientSession::kTimeoutTimer:
      if (!session.current) return;
      note_timeout(session);  // no answer: the attempt may have been proposed and may commit
      retry(session, kNoNode);
      return;
    default:
      on_session_timer(session, decoded.purpose);
      return;
  }
}

}  // namespace raftsim::sim
