#include "raft/node/wire.h"

#include "raft/core/codec.h"

namespace raftsim {

std::optional<Channel> peek_channel(std::span<const std::uint8_t> bytes) {
  if (bytes.empty() || bytes[0] < 1 || bytes[0] > 3) return std::nullopt;
  return static_cast<Channel>(bytes[0]);
}

std::span<const std::uint8_t> channel_body(std::span<const std::uint8_t> bytes) {
  return bytes.empty() ? bytes : bytes.subspan(1);
}

std::vector<std::uint8_t> encode_raft_payload(const Message& message) {
  std::vector<std::uint8_t> out{static_cast<std::uint8_t>(Channel::raft)};
  encode_message_into(message, out);
  return out;
}

std::vector<std::uint8_t> encode_client_request(const ClientRequest& request) {
  std::vector<std::uint8_t> out{static_cast<std::uint8_t>(Channel::client_request)};
  put_u64(out, request.client_id);
  put_u64(out, request.sequence);
  put_u8(out, request.read_only ? 1 : 0);
  put_u32(out, static_cast<std::uint32_t>(request.payload.size()));
  out.insert(out.end(), request.payload.begin(), request.payload.end());
  return out;
}

std::optional<ClientRequest> decode_client_request(std::span<const std::uint8_t> bytes) {
  if (peek_channel(bytes) != Channel::client_request) return std::nullopt;
  ByteReader reader(channel_body(bytes));
  ClientRequest request;
  std::uint8_t read_only = 0;
  std::uint32_t size = 0;
  if (!reader.read_u64(request.client_id) || !reader.read_u64(request.sequence) ||
      !reader.read_u8(read_only) || read_only > 1 || !reader.read_u32(size) ||
      !reader.read_bytes(size, request.payload) || reader.remaining() != 0) {
    return std::nullopt;
  }
  request.read_only = read_only == 1;
  return request;
}

std::vector<std::uint8_t> encode_client_response(const ClientResponse& response) {
  std::vector<std::uint8_t> out{static_cast<std::uint8_t>(Channel::client_response)};
  put_u64(out, response.client_id);
  put_u64(out, response.sequence);
  put_u8(out, static_cast<std::uint8_t>(response.status));
  put_u32(out, response.leader_hint);
  put_u32(out, static_cast<std::uint32_t>(response.payload.size()));
  out.insert(out.end(), response.payload.begin(), response.payload.end());
  return out;
}

std::optional<ClientResponse> decode_client_response(std::span<const std::uint8_t> bytes) {
  if (peek_channel(bytes) != Channel::client_response) return std::nullopt;
  ByteReader reader(channel_body(bytes));
  ClientResponse response;
  std::uint8_t status = 0;
  std::uint32_t size = 0;
  if (!reader.read_u64(response.client_id) || !reader.read_u64(response.sequence) ||
      !reader.read_u8(status) || status > static_cast<std::uint8_t>(ClientStatus::busy) ||
      !reader.read_u32(response.leader_hint) || !reader.read_u32(size) ||
      !reader.read_bytes(size, response.payload) || reader.remaining() != 0) {
    return std::nullopt;
  }
  response.status = static_cast<ClientStatus>(status);
  return response;
}

std::vector<std::uint8_t> encode_session_command(const SessionCommand& command) {
  std::vector<std::uint8_t> out;
  put_u64(out, command.client_id);
  put_u64(out, command.sequence);
  out.insert(out.end(), command.payload.begin(), command.payload.end());
  return out;
}

std::optional<SessionCommand> decode_session_command(std::span<const std::uint8_t> bytes) {
  ByteReader reader(bytes);
  SessionCommand command;
  if (!reader.read_u64(command.client_id) || !reader.read_u64(command.sequence)) {
    return std::nullopt;
  }
  command.payload.assign(bytes.begin() + 16, bytes.end());
  return command;
}

}  // namespace raftsim
