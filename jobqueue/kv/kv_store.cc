#include "jobqueue/kv/kv_store.h"

#include "raft/core/codec.h"
#include "raft/util/check.h"
#include "raft/util/hash.h"

namespace raftsim::kv {
namespace {

void put_string(std::vector<std::uint8_t>& out, const std::string& text) {
  put_u32(out, static_cast<std::uint32_t>(text.size()));
  out.insert(out.end(), text.begin(), text.end());
}

bool read_string(ByteReader& reader, std::string& text, std::size_t max_bytes) {
  std::uint32_t size = 0;
  std::vector<std::uint8_t> bytes;
  if (!reader.read_u32(size) || size > max_bytes || !reader.read_bytes(size, bytes)) return false;
  text.assign(bytes.begin(), bytes.end());
  return true;
}

}  // namespace

const char* op_name(Op op) {
  switch (op) {
    case Op::get:
      return "get";
    case Op::put:
      return "put";
    case Op::append:
      return "append";
    case Op::cas:
      return "cas";
  }
  RAFTSIM_UNREACHABLE("unknown kv::Op");
}

std::vector<std::uint8_t> encode_command(const Command& command) {
  std::vector<std::uint8_t> out;
  put_u8(out, static_cast<std::uint8_t>(command.op));
  put_string(out, command.key);
  put_string(out, command.value);
  put_string(out, command.expected);
  return out;
}

std::optional<Command> decode_command(std::span<const std::uint8_t> bytes) {
  ByteReader reader(bytes);
  Command command;
  std::uint8_t op = 0;
  if (!reader.read_u8(op) || op > static_cast<std::uint8_t>(Op::cas)) return std::nullopt;
  command.op = static_cast<Op>(op);
  // Values may exceed kValueBytesMax on the wire; execute() refuses them with too_large.
  if (!read_string(reader, command.key, kKeyBytesMax) ||
      !read_string(reader, command.value, 4 * kValueBytesMax) ||
      !read_string(reader, command.expected, 4 * kValueBytesMax) || reader.remaining() != 0) {
    return std::nullopt;
  }
  return command;
}

std::vector<std::uint8_t> encode_reply(const Reply& reply) {
  std::vector<std::uint8_t> out;
  put_u8(out, static_cast<std::uint8_t>(reply.outcome));
  put_string(out, reply.value);
  return out;
}

std::optional<Reply> decode_reply(std::span<const std::uint8_t> bytes) {
  ByteReader reader(bytes);
  Reply reply;
  std::uint8_t outcome = 0;
  if (!reader.read_u8(outcome) || outcome > static_cast<std::uint8_t>(Outcome::malformed) ||
      !read_string(reader, reply.value, 4 * kValueBytesMax) || reader.remaining() != 0) {
    return std::nullopt;
  }
  reply.outcome = static_cast<Outcome>(outcome);
  return reply;
}

Reply KvStore::execute(const Command& command) {
  auto found = data_.find(command.key);
  const std::string current = found == data_.end() ? std::string() : found->second;
  switch (command.op) {
    case Op::get:
      return Reply{Outcome::ok, current};
    case Op::put:
      if (command.value.size() > kValueBytesMax) return Reply{Outcome::too_large, {}};
      data_[command.key] = command.value;
      return Reply{Outcome::ok, {}};
    case Op::append:
      if (current.size() + command.value.size() > kValueBytesMax) {
        return Reply{Outcome::too_large, {}};
      }
      data_[command.key] = current + command.value;
      return Reply{Outcome::ok, {}};
    case Op::cas:
      if (current != command.expected) return Reply{Outcome::cas_mismatch, current};
      if (command.value.size() > kValueBytesMax) return Reply{Outcome::too_large, {}};
      data_[command.key] = command.value;
      return Reply{Outcome::ok, {}};
  }
  RAFTSIM_UNREACHABLE("unknown kv::Op");
}

std::vector<std::uint8_t> KvStore::apply(Index index, std::span<const std::uint8_t> bytes) {
  RAFTSIM_CHECK_MSG(index > last_applied_, "commands must be applied in log order, once");
  last_applied_ = index;
  const std::optional<Command> command = decode_command(bytes);
  if (!command || command->key.empty()) return encode_reply(Reply{Outcome::malformed, {}});
  return encode_reply(execute(*command));
}

std::vector<std::uint8_t> KvStore::query(std::span<const std::uint8_t> bytes) const {
  const std::optional<Command> command = decode_command(bytes);
  if (!command || command->op != Op::get) return encode_reply(Reply{Outcome::malformed, {}});
  auto found = data_.find(command->key);
  return encode_reply(Reply{Outcome::ok, found == data_.end() ? std::string() : found->second});
}

std::uint64_t KvStore::state_hash() const {
  Hasher hasher;
  hasher.add(data_.size());
  for (const auto& [key, value] : data_) hasher.add_string(key).add_string(value);
  return hasher.value();
}

}  // namespace raftsim::kv
