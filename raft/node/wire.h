// raftsim: what travels between nodes and clients. Every payload starts with a channel byte:
// Raft messages between nodes, client requests to a node, and responses back. Client requests
// carry (client id, sequence) so a retried command is applied at most once (the session table).
// decode_* never trust their input: malformed bytes give nullopt, never a crash.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "raft/core/messages.h"
#include "raft/membership/membership.h"

namespace raftsim {

enum class Channel : std::uint8_t { raft = 1, client_request = 2, client_response = 3 };

struct ClientRequest {
  std::uint64_t client_id = 0;
  std::uint64_t sequence = 0;  // per client, increasing; a retry reuses its sequence
  bool read_only = false;      // served through ReadIndex instead of the log
  std::vector<std::uint8_t> payload;
  bool admin = false;  // payload is an AdminRequest (encode_admin_request), not a command
  friend bool operator==(const ClientRequest&, const ClientRequest&) = default;
};

enum class ClientStatus : std::uint8_t {
  ok = 0,          // applied (or read) exactly once; payload is the state machine's answer
  not_leader = 1,  // not applied; try leader_hint if it is not kNoNode
  failed = 2,      // definitely not applied (e.g. overwritten by a new leader's entry)
  busy = 3,        // not applied: the node's queue is full
  rejected = 4,    // admin: refused as asked (payload: why, in words); retrying will not help
                   // until the cluster changes (a change in flight, an unknown server, ...)
};

struct ClientResponse {
  std::uint64_t client_id = 0;
  std::uint64_t sequence = 0;
  ClientStatus status = ClientStatus::ok;
  NodeId leader_hint = kNoNode;
  std::vector<std::uint8_t> payload;
  friend bool operator==(const ClientResponse&, const ClientResponse&) = default;
};

std::optional<Channel> peek_channel(std::span<const std::uint8_t> bytes);
std::vector<std::uint8_t> encode_raft_payload(const Message& message);
std::vector<std::uint8_t> encode_client_request(const ClientRequest& request);
std::vector<std::uint8_t> encode_client_response(const ClientResponse& response);
// The same, replacing the contents of `out` (a sender's reused buffer: no allocation once it has
// grown to the largest payload).
void encode_raft_payload_into(const Message& message, std::vector<std::uint8_t>& out);
void encode_client_request_into(const ClientRequest& request, std::vector<std::uint8_t>& out);
void encode_client_response_into(const ClientResponse& response, std::vector<std::uint8_t>& out);
// The bytes after the channel byte, for decode_message.
std::span<const std::uint8_t> channel_body(std::span<const std::uint8_t> bytes);
std::optional<ClientRequest> decode_client_request(std::span<const std::uint8_t> bytes);
std::optional<ClientResponse> decode_client_response(std::span<const std::uint8_t> bytes);
// The same into a reused value (its payload keeps its capacity); false if malformed, and then
// the value's contents are unspecified.
bool decode_client_request_into(std::span<const std::uint8_t> bytes, ClientRequest& request);
bool decode_client_response_into(std::span<const std::uint8_t> bytes, ClientResponse& response);

// Administration through the client protocol: a membership change (answered ok once its
// configuration entry commits; exactly once through the session table like any command) or a
// leadership transfer (answered ok once the target leads, failed if the transfer aborts).
struct AdminRequest {
  enum class Kind : std::uint8_t { conf_change = 0, transfer_leadership = 1 };
  Kind kind = Kind::conf_change;
  ConfChange change;        // conf_change
  NodeId target = kNoNode;  // transfer_leadership
  friend bool operator==(const AdminRequest&, const AdminRequest&) = default;
};
std::vector<std::uint8_t> encode_admin_request(const AdminRequest& request);
std::optional<AdminRequest> decode_admin_request(std::span<const std::uint8_t> bytes);

// A log entry's data for a client command: who sent it, so replicas can deduplicate retries.
struct SessionCommand {
  std::uint64_t client_id = 0;
  std::uint64_t sequence = 0;
  std::vector<std::uint8_t> payload;
};
std::vector<std::uint8_t> encode_session_command(const SessionCommand& command);
std::optional<SessionCommand> decode_session_command(std::span<const std::uint8_t> bytes);
// A decoded session command whose payload views the entry's bytes instead of copying them.
struct SessionCommandView {
  std::uint64_t client_id = 0;
  std::uint64_t sequence = 0;
  std::span<const std::uint8_t> payload;
};
// Replaces the contents of `out` with the encoding of (client_id, sequence, payload).
void encode_session_command_into(std::uint64_t client_id, std::uint64_t sequence,
                                 std::span<const std::uint8_t> payload,
                                 std::vector<std::uint8_t>& out);
std::optional<SessionCommandView> decode_session_command_view(std::span<const std::uint8_t> bytes);

}  // namespace raftsim
