// raftsim: the wire format of Raft messages. Fixed-width little-endian fields, so the encoding is
// the same on every machine and the simulator's trace hashes of payloads
// are stable. decode() never trusts its input: a truncated, oversized or malformed payload is a
// corruption Status naming the byte offset, never a crash.
// Limits: kEntriesPerMessageMax entries and kMessageBytesMax bytes per encoded message.
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <vector>

#include "raft/base/byte_codec.h"
#include "raft/base/check.h"
#include "raft/base/status.h"
#include "raft/core/messages.h"

namespace raftsim {

constexpr std::uint8_t kWireVersion = 1;
constexpr std::size_t kEntriesPerMessageMax = 1 << 16;
constexpr std::size_t kMessageBytesMax = std::size_t{64} << 20;
// An encoded entry: term, index, type and data length before the data.
constexpr std::size_t kEntryHeaderBytes = 8 + 8 + 1 + 4;
// An encoded message before its entries: version, type, from, to, term, log index, log term,
// commit, reject, hint index, hint term, context, entry count.
constexpr std::size_t kMessageHeaderBytes = 1 + 1 + 4 + 4 + 8 + 8 + 8 + 8 + 1 + 8 + 8 + 8 + 4;

std::vector<std::uint8_t> encode_message(const Message& message);
// Appends the encoding to `out` (lets a caller put a header in front without a second copy).
void encode_message_into(const Message& message, std::vector<std::uint8_t>& out);
Result<Message> decode_message(std::span<const std::uint8_t> bytes);
// The same into an existing message, reusing its entry vector (a host's receive buffer). The
// entries' data are copied into one buffer per message, which they share. On error `message`
// holds no entries.
Status decode_message_into(std::span<const std::uint8_t> bytes, Message& message);
// The type of an encoded message from its first two bytes, without decoding the rest (the
// simulator's network sorts messages by it); nothing for an unknown version or type.
std::optional<MessageType> peek_message_type(std::span<const std::uint8_t> bytes);

// Entries alone, for storage records.
void encode_entry(const Entry& entry, std::vector<std::uint8_t>& out);

// Reads one entry; false (with `what` set) if the bytes do not hold a valid one.
bool decode_entry(ByteReader& reader, Entry& entry, const char*& what);

}  // namespace raftsim
