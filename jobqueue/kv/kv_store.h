// raftsim: a replicated key-value store: get, put, append and compare-and-set on string keys.
// A deterministic StateMachine: all replicas that apply the same commands hold the same map.
// Commands and results have a fixed little-endian encoding (kv_codec below); a malformed command
// is answered with `malformed` and changes nothing, so a bad client cannot fork the replicas.
// Limits: kKeyBytesMax per key, kValueBytesMax per value (an append or put beyond it is refused
// with `too_large` and changes nothing).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "raft/node/state_machine.h"

namespace raftsim::kv {

constexpr std::size_t kKeyBytesMax = 1024;
constexpr std::size_t kValueBytesMax = std::size_t{1} << 20;

enum class Op : std::uint8_t { get = 0, put = 1, append = 2, cas = 3 };
enum class Outcome : std::uint8_t {
  ok = 0,
  cas_mismatch = 1,  // the CAS did not apply: the value differed (an observation, not an error)
  too_large = 2,
  malformed = 3,
};

struct Command {
  Op op = Op::get;
  std::string key;
  std::string value;     // put/append: the argument; cas: the new value
  std::string expected;  // cas only
  friend bool operator==(const Command&, const Command&) = default;
};

struct Reply {
  Outcome outcome = Outcome::ok;
  std::string value;  // get: the value ("" if absent); cas_mismatch: the value found
  friend bool operator==(const Reply&, const Reply&) = default;
};

// A decoded command whose strings view the encoded bytes (valid as long as those are).
struct CommandView {
  Op op = Op::get;
  std::string_view key;
  std::string_view value;
  std::string_view expected;
};

const char* op_name(Op op);
std::vector<std::uint8_t> encode_command(const Command& command);
// Appends the encoding to `out` (a sender's reused buffer).
void encode_command_into(const Command& command, std::vector<std::uint8_t>& out);
std::optional<Command> decode_command(std::span<const std::uint8_t> bytes);
std::optional<CommandView> decode_command_view(std::span<const std::uint8_t> bytes);
std::vector<std::uint8_t> encode_reply(const Reply& reply);
// Appends the encoding of a reply to `out`.
void encode_reply_into(Outcome outcome, std::string_view value, std::vector<std::uint8_t>& out);
std::optional<Reply> decode_reply(std::span<const std::uint8_t> bytes);
// The same into a reused value (its string keeps its capacity); false if malformed.
bool decode_reply_into(std::span<const std::uint8_t> bytes, Reply& reply);

class KvStore final : public StateMachine {
 public:
  // Keys are looked up by string_view (a command's view of its bytes) without a copy.
  using Data = std::map<std::string, std::string, std::less<>>;

  std::vector<std::uint8_t> apply(Index index, std::span<const std::uint8_t> command) override;
  // Only `get` is a query; anything else is answered `malformed`.
  std::vector<std::uint8_t> query(std::span<const std::uint8_t> request) const override;
  void apply_into(Index index, std::span<const std::uint8_t> command,
                  std::vector<std::uint8_t>& reply) override;
  void query_into(std::span<const std::uint8_t> request,
                  std::vector<std::uint8_t>& reply) const override;
  std::uint64_t state_hash() const override;
  bool supports_snapshots() const override { return true; }
  void snapshot_into(std::vector<std::uint8_t>& out) const override;
  Status restore_snapshot(std::span<const std::uint8_t> data) override;

  Reply execute(const Command& command);
  const Data& data() const { return data_; }

 private:
  // Runs a command; `value` receives the reply's value, a view into the store valid until its
  // next change.
  Outcome execute_view(const CommandView& command, std::string_view& value);

  Data data_;
  Index last_applied_ = 0;
};

}  // namespace raftsim::kv
