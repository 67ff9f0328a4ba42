#include "sim/workload/client_session.h"

#include "raft/base/check.h"

namespace raftsim::sim {

TimerTag decode_timer_tag(std::uint64_t tag) {
  TimerTag decoded;
  decoded.purpose = tag & 3;
  decoded.session = (tag >> 2) & ((std::uint64_t{1} << ClientSession::kSessionBits) - 1);
  decoded.generation = tag >> (2 + ClientSession::kSessionBits);
  return decoded;
}

void start_session_timer(Runtime& runtime, ClientSession& session, std::uint64_t session_index,
                         Time after, std::uint64_t purpose) {
  RAFTSIM_CHECK(session_index < (std::uint64_t{1} << ClientSession::kSessionBits) && purpose < 4);
  if (session.timer) runtime.cancel_timer(*session.timer);
  session.timer =
      runtime.start_timer(after, (session.timer_generation << (2 + ClientSession::kSessionBits)) |
                                     (session_index << 2) | purpose);
}

void send_session_attempt(Runtime& runtime, ClientSession& session, std::uint64_t session_index,
                          ClientRequest& request, std::vector<std::uint8_t>& buffer,
                          const ClientTiming& timing) {
  ++session.attempts;
  session.timed_out = false;
  request.client_id = session.client_id;
  request.sequence = session.sequence;
  encode_client_request_into(request, buffer);
  runtime.send_buffer(session.target, buffer);
  ++session.timer_generation;
  start_session_timer(runtime, session, session_index, timing.request_timeout,
                      ClientSession::kTimeoutTimer);
}

void note_timeout(ClientSession& session) {
  session.in_doubt = true;
  session.timed_out = true;
}

void open_session_request(ClientSession& session, Time now) {
  ++session.sequence;
  session.attempts = 0;
  session.in_doubt = false;
  session.invoked_at = now;
  session.previous_target = kNoNode;
  session.silent_server = kNoNode;
  session.silent_server_hinted = false;
}

namespace {

// Whether `hint` leads back to a server that has just refused, by `bounce`; updates what the rule
// remembers about the session's current request.
bool bounce_back_is_stale(ClientSession& session, NodeId hint, BounceRule bounce) {
  const NodeId asked = session.target;
  bool stale = false;
  if (bounce == BounceRule::always) {
    stale = hint != kNoNode && hint == session.previous_target;
  } else if (hint != kNoNode && hint == session.silent_server) {
    stale = session.silent_server_hinted;
    // Followed once; not followed the second time, after which it is forgiven.
    session.silent_server_hinted = !stale;
    if (stale) session.silent_server = kNoNode;
  }
  if (hint == kNoNode && !session.timed_out && asked != session.silent_server) {
    session.silent_server = asked;
    session.silent_server_hinted = false;
  }
  session.previous_target = asked;
  return stale;
}

}  // namespace

RetryStep next_retry(ClientSession& session, NodeId hint, Time now, const ClientTiming& timing,
                     std::uint32_t cluster_size, const std::function<bool(NodeId)>& is_server,
                     BounceRule bounce) {
  ++session.timer_generation;
  if (session.attempts >= timing.attempts_max ||
      now - session.invoked_at >= timing.operation_timeout) {
    return RetryStep::give_up;
  }
  if (bounce_back_is_stale(session, hint, bounce)) hint = kNoNode;
  if (hint != kNoNode && hint < cluster_size && hint != session.target) {
    session.target = hint;
    return RetryStep::resend_now;
  }
  // Round robin over the servers: slots never started (a cluster that may grow) are skipped, as a
  // client configured with the server list would.
  for (std::uint32_t step = 0; step < cluster_size; ++step) {
    session.target = (session.target + 1) % cluster_size;
    if (!is_server || is_server(session.target)) break;
  }
  return RetryStep::back_off;
}

std::optional<std::size_t> session_of_response(const ClientResponse& response, NodeId from,
                                               std::uint64_t first_client_id,
                                               std::size_t session_count,
                                               std::uint32_t cluster_size) {
  if (from >= cluster_size || response.client_id < first_client_id ||
      response.client_id - first_client_id >= session_count) {
    return std::nullopt;
  }
  return static_cast<std::size_t>(response.client_id - first_client_id);
}

}  // namespace raftsim::sim
