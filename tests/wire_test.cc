// raftsim: unit tests of raft/node/wire on its own: every payload kind round-trips (RapidCheck),
// the channel byte routes it, and truncated, trailing, corrupt or oversized-length input gives
// nullopt (never a crash, never a read past the end). Reused-buffer decoders agree with the
// allocating ones.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstdint>
#include <vector>

#include "raft/core/codec.h"
#include "raft/node/wire.h"

namespace raftsim {
namespace {

rc::Gen<ClientRequest> any_request() {
  return rc::gen::build<ClientRequest>(
      rc::gen::set(&ClientRequest::client_id), rc::gen::set(&ClientRequest::sequence),
      rc::gen::set(&ClientRequest::read_only), rc::gen::set(&ClientRequest::payload));
}

rc::Gen<ClientResponse> any_response() {
  return rc::gen::build<ClientResponse>(
      rc::gen::set(&ClientResponse::client_id), rc::gen::set(&ClientResponse::sequence),
      rc::gen::set(&ClientResponse::status,
                   rc::gen::element(ClientStatus::ok, ClientStatus::not_leader,
                                    ClientStatus::failed, ClientStatus::busy)),
      rc::gen::set(&ClientResponse::leader_hint), rc::gen::set(&ClientResponse::payload));
}

// Overwrites the u32 at `offset` (little-endian), e.g. a length field.
void put_u32_at(std::vector<std::uint8_t>& bytes, std::size_t offset, std::uint32_t value) {
  for (std::size_t i = 0; i < 4; ++i)
    bytes[offset + i] = static_cast<std::uint8_t>(value >> (8 * i));
}

RC_GTEST_PROP(WireProperty, ClientRequestsRoundTrip, ()) {
  const ClientRequest request = *any_request();
  const std::vector<std::uint8_t> bytes = encode_client_request(request);
  RC_ASSERT(peek_channel(bytes) == Channel::client_request);
  RC_ASSERT(decode_client_request(bytes) == request);
  ClientRequest reused{7, 7, true, std::vector<std::uint8_t>(64, 1)};
  RC_ASSERT(decode_client_request_into(bytes, reused));
  RC_ASSERT(reused == request);
  RC_ASSERT(!decode_client_response(bytes).has_value());  // the channel byte routes it
}

RC_GTEST_PROP(WireProperty, ClientResponsesRoundTrip, ()) {
  const ClientResponse response = *any_response();
  const std::vector<std::uint8_t> bytes = encode_client_response(response);
  RC_ASSERT(peek_channel(bytes) == Channel::client_response);
  RC_ASSERT(decode_client_response(bytes) == response);
  ClientResponse reused{9, 9, ClientStatus::busy, 3, std::vector<std::uint8_t>(64, 1)};
  RC_ASSERT(decode_client_response_into(bytes, reused));
  RC_ASSERT(reused == response);
  RC_ASSERT(!decode_client_request(bytes).has_value());
}

RC_GTEST_PROP(WireProperty, SessionCommandsRoundTrip, ()) {
  const auto client_id = *rc::gen::arbitrary<std::uint64_t>();
  const auto sequence = *rc::gen::arbitrary<std::uint64_t>();
  const auto payload = *rc::gen::arbitrary<std::vector<std::uint8_t>>();
  const std::vector<std::uint8_t> bytes =
      encode_session_command(SessionCommand{client_id, sequence, payload});
  const auto decoded = decode_session_command(bytes);
  RC_ASSERT(decoded.has_value());
  RC_ASSERT(decoded->client_id == client_id && decoded->sequence == sequence);
  RC_ASSERT(decoded->payload == payload);
  const auto view = decode_session_command_view(bytes);
  RC_ASSERT(view.has_value());
  RC_ASSERT(std::vector<std::uint8_t>(view->payload.begin(), view->payload.end()) == payload);
  // Only the 16-byte header can be cut short: the payload is the rest of the entry.
  const auto cut = *rc::gen::inRange<std::size_t>(0, 16);
  RC_ASSERT(!decode_session_command(std::span(bytes.data(), cut)).has_value());
}

RC_GTEST_PROP(WireProperty, TruncatedOrTrailingClientPayloadsDoNotDecode, ()) {
  const bool request = *rc::gen::arbitrary<bool>();
  std::vector<std::uint8_t> bytes =
      request ? encode_client_request(*any_request()) : encode_client_response(*any_response());
  const auto cut = *rc::gen::inRange<std::size_t>(0, bytes.size());
  const std::span<const std::uint8_t> prefix(bytes.data(), cut);
  RC_ASSERT(!decode_client_request(prefix).has_value());
  RC_ASSERT(!decode_client_response(prefix).has_value());
  bytes.push_back(*rc::gen::arbitrary<std::uint8_t>());
  RC_ASSERT(!decode_client_request(bytes).has_value());
  RC_ASSERT(!decode_client_response(bytes).has_value());
}

// A corrupted payload either does not decode or decodes to a value that encodes back to exactly
// those bytes (the encoding is canonical): a flipped bit is never silently "repaired".
RC_GTEST_PROP(WireProperty, CorruptClientPayloadsAreRejectedOrCanonical, ()) {
  std::vector<std::uint8_t> bytes = *rc::gen::arbitrary<bool>()
                                        ? encode_client_request(*any_request())
                                        : encode_client_response(*any_response());
  const auto flips = *rc::gen::inRange(1, 4);
  for (int i = 0; i < flips; ++i) {
    const auto at = *rc::gen::inRange<std::size_t>(0, bytes.size());
    bytes[at] ^= static_cast<std::uint8_t>(1u << *rc::gen::inRange(0, 8));
  }
  if (const auto request = decode_client_request(bytes)) {
    RC_ASSERT(encode_client_request(*request) == bytes);
  }
  if (const auto response = decode_client_response(bytes)) {
    RC_ASSERT(encode_client_response(*response) == bytes);
  }
}

RC_GTEST_PROP(WireProperty, ArbitraryBytesNeverCrashTheDecoders, ()) {
  const auto bytes = *rc::gen::arbitrary<std::vector<std::uint8_t>>();
  ClientRequest request;
  ClientResponse response;
  (void)decode_client_request_into(bytes, request);
  (void)decode_client_response_into(bytes, response);
  (void)decode_session_command_view(bytes);
  const auto channel = peek_channel(bytes);
  RC_ASSERT(!channel || (*channel >= Channel::raft && *channel <= Channel::client_response));
}

TEST(Wire, UnknownChannelsAreNoise) {
  EXPECT_FALSE(peek_channel({}).has_value());
  for (std::uint8_t channel : {0, 4, 255}) {
    const std::vector<std::uint8_t> bytes{channel, 0, 0};
    EXPECT_FALSE(peek_channel(bytes).has_value()) << int{channel};
  }
  EXPECT_TRUE(channel_body({}).empty());
}

TEST(Wire, OutOfRangeFlagsAndStatusesDoNotDecode) {
  std::vector<std::uint8_t> request = encode_client_request(ClientRequest{1, 2, true, {5}});
  request[1 + 8 + 8] = 3;  // the kind is 0 (command), 1 (read) or 2 (admin)
  EXPECT_FALSE(decode_client_request(request).has_value());
  request[1 + 8 + 8] = 2;
  const std::optional<ClientRequest> admin = decode_client_request(request);
  ASSERT_TRUE(admin.has_value());
  EXPECT_TRUE(admin->admin && !admin->read_only);
  std::vector<std::uint8_t> response =
      encode_client_response(ClientResponse{1, 2, ClientStatus::busy, 0, {5}});
  response[1 + 8 + 8] = static_cast<std::uint8_t>(ClientStatus::rejected) + 1;
  EXPECT_FALSE(decode_client_response(response).has_value());
}

TEST(Wire, PayloadLengthsBeyondTheBytesDoNotDecode) {
  // The length field is checked against the bytes that remain, so a huge length cannot make the
  // decoder allocate or read beyond the message.
  const std::size_t request_length_at = 1 + 8 + 8 + 1;
  const std::size_t response_length_at = 1 + 8 + 8 + 1 + 4;
  for (std::uint32_t length : {2u, 1000u, UINT32_MAX}) {
    std::vector<std::uint8_t> request = encode_client_request(ClientRequest{1, 2, false, {5}});
    put_u32_at(request, request_length_at, length);
    EXPECT_FALSE(decode_client_request(request).has_value()) << length;
    std::vector<std::uint8_t> response =
        encode_client_response(ClientResponse{1, 2, ClientStatus::ok, 0, {5}});
    put_u32_at(response, response_length_at, length);
    EXPECT_FALSE(decode_client_response(response).has_value()) << length;
  }
}

TEST(Wire, ReusedBuffersAreReplacedNotAppended) {
  std::vector<std::uint8_t> buffer{9, 9, 9};
  encode_client_request_into(ClientRequest{1, 2, false, {5}}, buffer);
  EXPECT_EQ(buffer, encode_client_request(ClientRequest{1, 2, false, {5}}));
  encode_session_command_into(3, 4, std::vector<std::uint8_t>{7}, buffer);
  EXPECT_EQ(buffer, encode_session_command(SessionCommand{3, 4, {7}}));
}

TEST(Wire, RaftPayloadsCarryTheMessageAfterTheChannelByte) {
  Message message;
  message.type = MessageType::heartbeat;
  message.term = 7;
  message.commit = 5;
  const std::vector<std::uint8_t> bytes = encode_raft_payload(message);
  ASSERT_EQ(peek_channel(bytes), Channel::raft);
  const Result<Message> decoded = decode_message(channel_body(bytes));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded.value(), message);
  EXPECT_FALSE(decode_client_request(bytes).has_value());
  EXPECT_FALSE(decode_client_response(bytes).has_value());
}

}  // namespace
}  // namespace raftsim
