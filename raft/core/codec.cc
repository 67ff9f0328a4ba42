#include "raft/core/codec.h"

#include <string>

#include "raft/base/check.h"
#include "raft/base/endian.h"

namespace raftsim {

namespace {
void write_entry(const Entry& entry, ByteWriter& writer) {
  RAFTSIM_CHECK(entry.data.size() <= kMessageBytesMax);
  writer.u64(entry.term);
  writer.u64(entry.index);
  writer.u8(static_cast<std::uint8_t>(entry.type));
  writer.u32(static_cast<std::uint32_t>(entry.data.size()));
  writer.bytes(entry.data);
}
}  // namespace

void encode_entry(const Entry& entry, std::vector<std::uint8_t>& out) {
  ByteWriter writer(out, kEntryHeaderBytes + entry.data.size());
  write_entry(entry, writer);
  writer.finish();
}

namespace {
// Reads an entry's fields; its data is left in `data` (a view of the reader's bytes).
bool decode_entry_fields(ByteReader& reader, Entry& entry, std::span<const std::uint8_t>& data,
                         const char*& what) {
  std::uint8_t type = 0;
  std::uint32_t size = 0;
  if (!reader.read_u64(entry.term) || !reader.read_u64(entry.index) || !reader.read_u8(type) ||
      !reader.read_u32(size)) {
    what = "truncated entry header";
    return false;
  }
  if (type > static_cast<std::uint8_t>(EntryType::config)) {
    what = "unknown entry type";
    return false;
  }
  entry.type = static_cast<EntryType>(type);
  if (size > kMessageBytesMax || !reader.read_view(size, data)) {
    what = "entry data runs past the end";
    return false;
  }
  return true;
}
}  // namespace

bool decode_entry(ByteReader& reader, Entry& entry, const char*& what) {
  std::span<const std::uint8_t> data;
  if (!decode_entry_fields(reader, entry, data, what)) return false;
  entry.data = SharedBytes(data);
  return true;
}

std::vector<std::uint8_t> encode_message(const Message& message) {
  std::vector<std::uint8_t> out;
  encode_message_into(message, out);
  return out;
}

void encode_message_into(const Message& message, std::vector<std::uint8_t>& out) {
  RAFTSIM_CHECK_MSG(message.entries.size() <= kEntriesPerMessageMax, "too many entries");
  std::size_t size = kMessageHeaderBytes;
  for (const Entry& entry : message.entries) size += kEntryHeaderBytes + entry.data.size();
  RAFTSIM_CHECK_MSG(size <= kMessageBytesMax, "encoded message exceeds kMessageBytesMax");
  ByteWriter writer(out, size);
  writer.u8(kWireVersion);
  writer.u8(static_cast<std::uint8_t>(message.type));
  writer.u32(message.from);
  writer.u32(message.to);
  writer.u64(message.term);
  writer.u64(message.log_index);
  writer.u64(message.log_term);
  writer.u64(message.commit);
  writer.u8(message.reject ? 1 : 0);
  writer.u64(message.hint_index);
  writer.u64(message.hint_term);
  writer.u64(message.context);
  writer.u32(static_cast<std::uint32_t>(message.entries.size()));
  for (const Entry& entry : message.entries) write_entry(entry, writer);
  writer.finish();
}

Result<Message> decode_message(std::span<const std::uint8_t> bytes) {
  Message message;
  if (Status status = decode_message_into(bytes, message); !status.ok()) return status;
  return message;
}

std::optional<MessageType> peek_message_type(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < 2 || bytes[0] != kWireVersion) return std::nullopt;
  if (bytes[1] > static_cast<std::uint8_t>(MessageType::timeout_now)) return std::nullopt;
  return static_cast<MessageType>(bytes[1]);
}

Status decode_message_into(std::span<const std::uint8_t> bytes, Message& message) {
  auto corrupt = [](const ByteReader& reader, const char* what) {
    return Status(StatusCode::corruption, std::string("bad message at byte ") +
                                              std::to_string(reader.offset()) + ": " + what);
  };
  message.entries.clear();
  ByteReader reader(bytes);
  if (bytes.size() > kMessageBytesMax) return corrupt(reader, "message too large");
  std::uint8_t version = 0, type = 0, reject = 0;
  std::uint32_t entry_count = 0;
  if (!reader.read_u8(version)) return corrupt(reader, "empty message");
  if (version != kWireVersion) return corrupt(reader, "unknown wire version");
  if (!reader.read_u8(type) || type > static_cast<std::uint8_t>(MessageType::timeout_now)) {
    return corrupt(reader, "unknown message type");
  }
  message.type = static_cast<MessageType>(type);
  if (!reader.read_u32(message.from) || !reader.read_u32(message.to) ||
      !reader.read_u64(message.term) || !reader.read_u64(message.log_index) ||
      !reader.read_u64(message.log_term) || !reader.read_u64(message.commit) ||
      !reader.read_u8(reject) || !reader.read_u64(message.hint_index) ||
      !reader.read_u64(message.hint_term) || !reader.read_u64(message.context) ||
      !reader.read_u32(entry_count)) {
    return corrupt(reader, "truncated header");
  }
  if (reject > 1) return corrupt(reader, "reject flag must be 0 or 1");
  message.reject = reject == 1;
  if (entry_count > kEntriesPerMessageMax) return corrupt(reader, "too many entries");
  // A message cannot hold more entries than it has bytes for: refuse before allocating.
  if (entry_count > reader.remaining() / kEntryHeaderBytes) {
    return corrupt(reader, "entry count exceeds the message");
  }
  if (entry_count == 0) {
    if (reader.remaining() != 0) return corrupt(reader, "trailing bytes");
    return Status();
  }
  // First pass: every entry's fields, and how many data bytes they carry in all.
  message.entries.resize(entry_count);
  const ByteReader entries_start = reader;
  std::size_t data_bytes = 0;
  for (Entry& entry : message.entries) {
    std::span<const std::uint8_t> data;
    const char* what = "";
    if (!decode_entry_fields(reader, entry, data, what)) {
      message.entries.clear();
      return corrupt(reader, what);
    }
    data_bytes += data.size();
  }
  if (reader.remaining() != 0) {
    message.entries.clear();
    return corrupt(reader, "trailing bytes");
  }
  // Second pass: the data of all entries into one buffer that they share, wherever they go.
  std::uint8_t* storage = nullptr;
  const SharedBytes buffer = SharedBytes::uninitialized(data_bytes, storage);
  ByteReader again = entries_start;
  std::size_t offset = 0;
  for (Entry& entry : message.entries) {
    Entry fields;
    std::span<const std::uint8_t> data;
    const char* what = "";
    const bool decoded = decode_entry_fields(again, fields, data, what);
    RAFTSIM_CHECK(decoded);  // the first pass read the same bytes
    if (!data.empty()) std::memcpy(storage + offset, data.data(), data.size());
    entry.data = buffer.slice(offset, data.size());
    offset += data.size();
  }
  if (reader.remaining() != 0) return corrupt(reader, "trailing bytes");
  return Status();
}

}  // namespace raftsim
