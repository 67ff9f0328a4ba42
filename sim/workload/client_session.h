// raftsim: what every simulated client session shares, whatever it asks the cluster: one request
// in flight under a (client id, sequence) the session table deduplicates, a guess of the leader
// that follows hints and moves on after timeouts, a retry budget, and timers tagged with the
// session and a generation so a timer of an attempt since answered is recognised and ignored.
// KvClient and QueueClient sessions derive from ClientSession and differ only in what they send.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <vector>

#include "raft/io/runtime.h"
#include "raft/node/wire.h"
#include "sim/kernel/time.h"

namespace raftsim::sim {

// Timeouts and retry settings shared by every simulated client.
struct ClientTiming {
  Time request_timeout = milliseconds(300);
  Time retry_backoff = milliseconds(20);  // before retrying when no leader is known
  std::uint32_t attempts_max = 100;       // tries per operation before giving up...
  Time operation_timeout = seconds(3);    // ...or this long after invoking it, if sooner
};

struct ClientSession {
  static constexpr int kSessionBits = 12;            // sessions per client process: at most 4096
  static constexpr std::uint64_t kTimeoutTimer = 0;  // timer purposes: 2 bits
  static constexpr std::uint64_t kStepTimer = 1;
  static constexpr std::uint64_t kBackoffTimer = 2;
  static constexpr std::uint64_t kWorkTimer = 3;

  std::uint64_t client_id = 0;
  NodeId target = 0;
  std::uint64_t sequence = 0;
  std::uint64_t timer_generation = 0;  // timer tags carry it; stale timers are ignored
  std::optional<TimerId> timer;        // the one live timer, cancelled when superseded

  // What next_retry's bounce rule remembers of the current request: the server asked just
  // before `target`; the last one that refused without naming a leader (a timeout is no
  // refusal); and whether a hint to that one has been followed already.
  NodeId previous_target = kNoNode;
  NodeId silent_server = kNoNode;
  bool silent_server_hinted = false;

  std::uint32_t attempts = 0;
  Time invoked_at = 0;
  bool in_doubt = false;   // some attempt may have been proposed (timed out without answer)
  bool timed_out = false;  // the last attempt got no answer (not a refusal: the bounce rule)
  std::optional<std::size_t> current;  // history index of the request in flight
};

struct TimerTag {
  std::uint64_t session = 0;
  std::uint64_t purpose = 0;
  std::uint64_t generation = 0;
};
TimerTag decode_timer_tag(std::uint64_t tag);

// Replaces the session's live timer with one for `purpose` after `after`.
void start_session_timer(Runtime& runtime, ClientSession& session, std::uint64_t session_index,
                         Time after, std::uint64_t purpose);

// Sends one attempt of the session's current request and starts its timeout. The caller fills
// request.payload and read_only; buffer is scratch space reused from attempt to attempt.
void send_session_attempt(Runtime& runtime, ClientSession& session, std::uint64_t session_index,
                          ClientRequest& request, std::vector<std::uint8_t>& buffer,
                          const ClientTiming& timing);

// Starts the session's next request (invoked now): the next sequence, a fresh retry budget, no
// server asked yet.
void open_session_request(ClientSession& session, Time now);

// When a hint back to a server that has just refused is not followed (the client goes round
// instead). A removed server naming the old leader, which names nobody, would otherwise keep a
// request between the two until the removed server's election timeout.
enum class BounceRule : std::uint8_t {
  // A hint to a server that refused without naming a leader is followed once (a candidate that
  // refused may have won since); a second hint to it within the request is not (and then it is
  // forgiven). A leader handing over names its transfer target, which names it back until it
  // wins: that poll goes on, neither refused without a hint.
  after_second_refusal,
  // A hint back to the server asked just before is never followed, whatever it named: two stale
  // servers naming each other would also keep the request (the operator console's rule; its
  // requests are few and wait for elections anyway).
  always,
};

// The attempt in flight got no answer within the request timeout: it may have been proposed.
void note_timeout(ClientSession& session);

enum class RetryStep { give_up, resend_now, back_off };
// After a refusal (hint: who the node thinks leads) or a timeout (hint = kNoNode): give up when
// out of attempts or time, go straight to a new hinted leader unless `bounce` forbids it, or try
// the next server after a back-off. Invalidates the session's pending timers.
RetryStep next_retry(ClientSession& session, NodeId hint, Time now, const ClientTiming& timing,
                     std::uint32_t cluster_size, const std::function<bool(NodeId)>& is_server = {},
                     BounceRule bounce = BounceRule::after_second_refusal);

// The session a response is for (index from first_client_id), or nothing for noise.
std::optional<std::size_t> session_of_response(const ClientResponse& response, NodeId from,
                                               std::uint64_t first_client_id,
                                               std::size_t session_count,
                                               std::uint32_t cluster_size);

}  // namespace raftsim::sim
