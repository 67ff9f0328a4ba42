#include "raft/node/wire.h"

#include "raft/core/codec.h"

namespace raftsim {

namespace {
constexpr std::size_t kSessionHeaderBytes = 16;  // client id, sequence
}  // namespace

std::optional<Channel> peek_channel(std::span<const std::uint8_t> bytes) {
  if (bytes.empty() || bytes[0] < 1 || bytes[0] > 3) return std::nullopt;
  return static_cast<Channel>(bytes[0]);
}

std::span<const std::uint8_t> channel_body(std::span<const std::uint8_t> bytes) {
  return bytes.empty() ? bytes : bytes.subspan(1);
}

std::vector<std::uint8_t> encode_raft_payload(const Message& message) {
  std::vector<std::uint8_t> out;
  encode_raft_payload_into(message, out);
  return out;
}

void encode_raft_payload_into(const Message& message, std::vector<std::uint8_t>& out) {
  out.clear();
  put_u8(out, static_cast<std::uint8_t>(Channel::raft));
  encode_message_into(message, out);
}

std::vector<std::uint8_t> encode_client_request(const ClientRequest& request) {
  std::vector<std::uint8_t> out;
  encode_client_request_into(request, out);
  return out;
}

void encode_client_request_into(const ClientRequest& request, std::vector<std::uint8_t>& out) {
  out.clear();
  ByteWriter writer(out, 1 + 8 + 8 + 1 + 4 + request.payload.size());
  writer.u8(static_cast<std::uint8_t>(Channel::client_request));
  writer.u64(request.client_id);
  writer.u64(request.sequence);
  writer.u8(request.admin ? 2 : request.read_only ? 1 : 0);
  writer.u32(static_cast<std::uint32_t>(request.payload.size()));
  writer.bytes(request.payload);
  writer.finish();
}

std::optional<ClientRequest> decode_client_request(std::span<const std::uint8_t> bytes) {
  ClientRequest request;
  if (!decode_client_request_into(bytes, request)) return std::nullopt;
  return request;
}

bool decode_client_request_into(std::span<const std::uint8_t> bytes, ClientRequest& request) {
  if (peek_channel(bytes) != Channel::client_request) return false;
  ByteReader reader(channel_body(bytes));
  std::uint8_t read_only = 0;
  std::uint32_t size = 0;
  if (!reader.read_u64(request.client_id) || !reader.read_u64(request.sequence) ||
      !reader.read_u8(read_only) || read_only > 2 || !reader.read_u32(size) ||
      !reader.read_bytes(size, request.payload) || reader.remaining() != 0) {
    return false;
  }
  request.read_only = read_only == 1;
  request.admin = read_only == 2;
  return true;
}

std::vector<std::uint8_t> encode_client_response(const ClientResponse& response) {
  std::vector<std::uint8_t> out;
  encode_client_response_into(response, out);
  return out;
}

void encode_client_response_into(const ClientResponse& response, std::vector<std::uint8_t>& out) {
  out.clear();
  ByteWriter writer(out, 1 + 8 + 8 + 1 + 4 + 4 + response.payload.size());
  writer.u8(static_cast<std::uint8_t>(Channel::client_response));
  writer.u64(response.client_id);
  writer.u64(response.sequence);
  writer.u8(static_cast<std::uint8_t>(response.status));
  writer.u32(response.leader_hint);
  writer.u32(static_cast<std::uint32_t>(response.payload.size()));
  writer.bytes(response.payload);
  writer.finish();
}

std::optional<ClientResponse> decode_client_response(std::span<const std::uint8_t> bytes) {
  ClientResponse response;
  if (!decode_client_response_into(bytes, response)) return std::nullopt;
  return response;
}

bool decode_client_response_into(std::span<const std::uint8_t> bytes, ClientResponse& response) {
  if (peek_channel(bytes) != Channel::client_response) return false;
  ByteReader reader(channel_body(bytes));
  std::uint8_t status = 0;
  std::uint32_t size = 0;
  if (!reader.read_u64(response.client_id) || !reader.read_u64(response.sequence) ||
      !reader.read_u8(status) || status > static_cast<std::uint8_t>(ClientStatus::rejected) ||
      !reader.read_u32(response.leader_hint) || !reader.read_u32(size) ||
      !reader.read_bytes(size, response.payload) || reader.remaining() != 0) {
    return false;
  }
  response.status = static_cast<ClientStatus>(status);
  return true;
}

std::vector<std::uint8_t> encode_session_command(const SessionCommand& command) {
  std::vector<std::uint8_t> out;
  encode_session_command_into(command.client_id, command.sequence, command.payload, out);
  return out;
}

void encode_session_command_into(std::uint64_t client_id, std::uint64_t sequence,
                                 std::span<const std::uint8_t> payload,
                                 std::vector<std::uint8_t>& out) {
  out.clear();
  ByteWriter writer(out, kSessionHeaderBytes + payload.size());
  writer.u64(client_id);
  writer.u64(sequence);
  writer.bytes(payload);
  writer.finish();
}

std::optional<SessionCommand> decode_session_command(std::span<const std::uint8_t> bytes) {
  const std::optional<SessionCommandView> view = decode_session_command_view(bytes);
  if (!view) return std::nullopt;
  return SessionCommand{
      view->client_id, view->sequence, {view->payload.begin(), view->payload.end()}};
}

std::optional<SessionCommandView> decode_session_command_view(std::span<const std::uint8_t> bytes) {
  ByteReader reader(bytes);
  SessionCommandView command;
  if (!reader.read_u64(command.client_id) || !reader.read_u64(command.sequence)) {
    return std::nullopt;
  }
  command.payload = bytes.subspan(kSessionHeaderBytes);
  return command;
}

std::vector<std::uint8_t> encode_admin_request(const AdminRequest& request) {
  std::vector<std::uint8_t> out;
  put_u8(out, static_cast<std::uint8_t>(request.kind));
  if (request.kind == AdminRequest::Kind::conf_change) {
    encode_conf_change(request.change, out);
  } else {
    put_u32(out, request.target);
  }
  return out;
}

std::optional<AdminRequest> decode_admin_request(std::span<const std::uint8_t> bytes) {
  if (bytes.empty()) return std::nullopt;
  AdminRequest request;
  if (bytes[0] == static_cast<std::uint8_t>(AdminRequest::Kind::conf_change)) {
    std::optional<ConfChange> change = decode_conf_change(bytes.subspan(1));
    if (!change) return std::nullopt;
    request.change = std::move(*change);
    return request;
  }
  if (bytes[0] != static_cast<std::uint8_t>(AdminRequest::Kind::transfer_leadership)) {
    return std::nullopt;
  }
  ByteReader reader(bytes.subspan(1));
  request.kind = AdminRequest::Kind::transfer_leadership;
  if (!reader.read_u32(request.target) || reader.remaining() != 0) return std::nullopt;
  return request;
}

}  // namespace raftsim
