#include "jobqueue/kv/kv_store.h"

#include "raft/base/byte_codec.h"
#include "raft/base/check.h"
#include "raft/base/enum_names.h"
#include "raft/base/hash.h"

namespace raftsim::kv {
namespace {

constexpr EnumName<Op> kOpNames[] = {
    {Op::get, "get"}, {Op::put, "put"}, {Op::append, "append"}, {Op::cas, "cas"}};

void write_string(ByteWriter& writer, std::string_view text) {
  writer.u32(static_cast<std::uint32_t>(text.size()));
  writer.bytes({reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
}

bool read_string(ByteReader& reader, std::string_view& text, std::size_t max_bytes) {
  std::uint32_t size = 0;
  std::span<const std::uint8_t> bytes;
  if (!reader.read_u32(size) || size > max_bytes || !reader.read_view(size, bytes)) return false;
  text = std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  return true;
}

}  // namespace

const char* op_name(Op op) {
  return enum_name(kOpNames, op);
}

std::vector<std::uint8_t> encode_command(const Command& command) {
  std::vector<std::uint8_t> out;
  encode_command_into(command, out);
  return out;
}

void encode_command_into(const Command& command, std::vector<std::uint8_t>& out) {
  ByteWriter writer(
      out, 1 + 3 * 4 + command.key.size() + command.value.size() + command.expected.size());
  writer.u8(static_cast<std::uint8_t>(command.op));
  write_string(writer, command.key);
  write_string(writer, command.value);
  write_string(writer, command.expected);
  writer.finish();
}

std::optional<Command> decode_command(std::span<const std::uint8_t> bytes) {
  const std::optional<CommandView> view = decode_command_view(bytes);
  if (!view) return std::nullopt;
  return Command{view->op, std::string(view->key), std::string(view->value),
                 std::string(view->expected)};
}

std::optional<CommandView> decode_command_view(std::span<const std::uint8_t> bytes) {
  ByteReader reader(bytes);
  CommandView command;
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
  encode_reply_into(reply.outcome, reply.value, out);
  return out;
}

void encode_reply_into(Outcome outcome, std::string_view value, std::vector<std::uint8_t>& out) {
  ByteWriter writer(out, 1 + 4 + value.size());
  writer.u8(static_cast<std::uint8_t>(outcome));
  write_string(writer, value);
  writer.finish();
}

std::optional<Reply> decode_reply(std::span<const std::uint8_t> bytes) {
  Reply reply;
  if (!decode_reply_into(bytes, reply)) return std::nullopt;
  return reply;
}

bool decode_reply_into(std::span<const std::uint8_t> bytes, Reply& reply) {
  ByteReader reader(bytes);
  std::uint8_t outcome = 0;
  std::string_view value;
  if (!reader.read_u8(outcome) || outcome > static_cast<std::uint8_t>(Outcome::malformed) ||
      !read_string(reader, value, 4 * kValueBytesMax) || reader.remaining() != 0) {
    return false;
  }
  reply.outcome = static_cast<Outcome>(outcome);
  reply.value.assign(value);
  return true;
}

Reply KvStore::execute(const Command& command) {
  std::string_view value;
  const Outcome outcome =
      execute_view(CommandView{command.op, command.key, command.value, command.expected}, value);
  return Reply{outcome, std::string(value)};
}

Outcome KvStore::execute_view(const CommandView& command, std::string_view& value) {
  value = {};
  auto found = data_.find(command.key);
  const std::string_view current =
      found == data_.end() ? std::string_view() : std::string_view(found->second);
  // Writes go through the found entry when there is one: assigning or appending in place reuses
  // the stored string's capacity.
  auto store = [&](std::string_view new_value) {
    if (found == data_.end()) {
      data_.emplace(std::string(command.key), std::string(new_value));
    } else {
      found->second.assign(new_value);
    }
  };
  switch (command.op) {
    case Op::get:
      value = current;
      return Outcome::ok;
    case Op::put:
      if (command.value.size() > kValueBytesMax) return Outcome::too_large;
      store(command.value);
      return Outcome::ok;
    case Op::append:
      if (current.size() + command.value.size() > kValueBytesMax) return Outcome::too_large;
      if (found == data_.end()) {
        store(command.value);
      } else {
        found->second.append(command.value);
      }
      return Outcome::ok;
    case Op::cas:
      if (current != command.expected) {
        value = current;
        return Outcome::cas_mismatch;
      }
      if (command.value.size() > kValueBytesMax) return Outcome::too_large;
      store(command.value);
      return Outcome::ok;
  }
  RAFTSIM_UNREACHABLE("unknown kv::Op");
}

std::vector<std::uint8_t> KvStore::apply(Index index, std::span<const std::uint8_t> command) {
  std::vector<std::uint8_t> reply;
  apply_into(index, command, reply);
  return reply;
}

std::vector<std::uint8_t> KvStore::query(std::span<const std::uint8_t> request) const {
  std::vector<std::uint8_t> reply;
  query_into(request, reply);
  return reply;
}

void KvStore::apply_into(Index index, std::span<const std::uint8_t> bytes,
                         std::vector<std::uint8_t>& reply) {
  RAFTSIM_CHECK_MSG(index > last_applied_, "commands must be applied in log order, once");
  last_applied_ = index;
  const std::optional<CommandView> command = decode_command_view(bytes);
  if (!command || command->key.empty()) return encode_reply_into(Outcome::malformed, {}, reply);
  std::string_view value;
  const Outcome outcome = execute_view(*command, value);
  encode_reply_into(outcome, value, reply);
}

void KvStore::query_into(std::span<const std::uint8_t> bytes,
                         std::vector<std::uint8_t>& reply) const {
  const std::optional<CommandView> command = decode_command_view(bytes);
  if (!command || command->op != Op::get) return encode_reply_into(Outcome::malformed, {}, reply);
  auto found = data_.find(command->key);
  encode_reply_into(Outcome::ok,
                    found == data_.end() ? std::string_view() : std::string_view(found->second),
                    reply);
}

std::uint64_t KvStore::state_hash() const {
  Hasher hasher;
  hasher.add(data_.size());
  for (const auto& [key, value] : data_) hasher.add_string(key).add_string(value);
  return hasher.value();
}

// Snapshot: last applied index, pair count, then each key and value with a u32 length.
void KvStore::snapshot_into(std::vector<std::uint8_t>& out) const {
  put_u64(out, last_applied_);
  put_u64(out, data_.size());
  for (const auto& [key, value] : data_) {
    put_u32(out, static_cast<std::uint32_t>(key.size()));
    put_bytes(out, std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(key.data()),
                                                 key.size()));
    put_u32(out, static_cast<std::uint32_t>(value.size()));
    put_bytes(out, std::span<const std::uint8_t>(
                       reinterpret_cast<const std::uint8_t*>(value.data()), value.size()));
  }
}

Status KvStore::restore_snapshot(std::span<const std::uint8_t> bytes) {
  auto corrupt = [](const char* what) {
    return Status(StatusCode::corruption, std::string("kv snapshot: ") + what);
  };
  ByteReader reader(bytes);
  std::uint64_t last_applied = 0, count = 0;
  if (!reader.read_u64(last_applied) || !reader.read_u64(count)) return corrupt("truncated");
  if (count > reader.remaining() / 8) return corrupt("pair count exceeds the data");
  Data data;
  for (std::uint64_t i = 0; i < count; ++i) {
    std::uint32_t key_size = 0, value_size = 0;
    std::span<const std::uint8_t> key, value;
    if (!reader.read_u32(key_size) || !reader.read_view(key_size, key) ||
        !reader.read_u32(value_size) || !reader.read_view(value_size, value)) {
      return corrupt("truncated pair");
    }
    auto [it, inserted] =
        data.emplace(std::string(key.begin(), key.end()), std::string(value.begin(), value.end()));
    if (!inserted) return corrupt("a key appears twice");
  }
  if (reader.remaining() != 0) return corrupt("trailing bytes");
  data_ = std::move(data);
  last_applied_ = last_applied;
  return Status();
}

}  // namespace raftsim::kv
