// raftsim: unit tests of the replicated KV store (jobqueue/kv) on its own: every op against a
// naive reference map (RapidCheck), the command and reply encodings, malformed and oversized
// input (refused without a change), queries, snapshots and their corruption.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "jobqueue/kv/kv_store.h"
#include "raft/base/check.h"

namespace raftsim::kv {
namespace {

std::vector<std::uint8_t> get_bytes(const std::string& key) {
  return encode_command(Command{Op::get, key, "", ""});
}

Reply apply_command(KvStore& store, Index index, const Command& command) {
  const std::optional<Reply> reply = decode_reply(store.apply(index, encode_command(command)));
  RAFTSIM_CHECK(reply.has_value());
  return *reply;
}

// The reference: the documented semantics of each op over a plain map, limits included.
Reply model_execute(std::map<std::string, std::string>& data, const Command& command) {
  std::string& current = data[command.key];
  Reply reply;
  switch (command.op) {
    case Op::get:
      reply.value = current;
      break;
    case Op::put:
      if (command.value.size() > kValueBytesMax) return Reply{Outcome::too_large, ""};
      current = command.value;
      break;
    case Op::append:
      if (current.size() + command.value.size() > kValueBytesMax) {
        return Reply{Outcome::too_large, ""};
      }
      current += command.value;
      break;
    case Op::cas:
      if (current != command.expected) return Reply{Outcome::cas_mismatch, current};
      current = command.value;
      break;
  }
  return reply;
}

rc::Gen<Command> small_command() {
  // Few keys and short values, so gets and cas hit earlier writes often.
  const auto text = rc::gen::container<std::string>(rc::gen::elementOf(std::string("ab")));
  return rc::gen::build<Command>(
      rc::gen::set(&Command::op, rc::gen::element(Op::get, Op::put, Op::append, Op::cas)),
      rc::gen::set(&Command::key, rc::gen::element<std::string>("k1", "k2", "k3")),
      rc::gen::set(&Command::value, text), rc::gen::set(&Command::expected, text));
}

RC_GTEST_PROP(KvStoreProperty, AgreesWithAReferenceMap, ()) {
  const auto commands = *rc::gen::container<std::vector<Command>>(small_command());
  KvStore store;
  std::map<std::string, std::string> model;
  Index index = 0;
  for (const Command& command : commands) {
    RC_ASSERT(apply_command(store, ++index, command) == model_execute(model, command));
  }
  for (const auto& [key, value] : model) {
    const auto reply = decode_reply(store.query(get_bytes(key)));
    RC_ASSERT(reply.has_value());
    RC_ASSERT(reply->value == value);
  }
}

RC_GTEST_PROP(KvStoreProperty, CommandsAndRepliesRoundTrip, ()) {
  const Command command = *small_command();
  RC_ASSERT(decode_command(encode_command(command)) == command);
  const Reply reply{
      *rc::gen::element(Outcome::ok, Outcome::cas_mismatch, Outcome::too_large, Outcome::malformed),
      *rc::gen::arbitrary<std::string>()};
  RC_ASSERT(decode_reply(encode_reply(reply)) == reply);
  Reply reused{Outcome::malformed, std::string(100, 'x')};
  RC_ASSERT(decode_reply_into(encode_reply(reply), reused));
  RC_ASSERT(reused == reply);
}

RC_GTEST_PROP(KvStoreProperty, CorruptCommandsNeverChangeTheStore, ()) {
  KvStore store;
  apply_command(store, 1, Command{Op::put, "k1", "v", ""});
  const std::uint64_t before = store.state_hash();
  std::vector<std::uint8_t> bytes = encode_command(*small_command());
  const auto cut = *rc::gen::inRange<std::size_t>(0, bytes.size());
  bytes.resize(cut);  // truncated: never decodes
  RC_ASSERT(!decode_command(bytes).has_value());
  const auto reply = decode_reply(store.apply(2, bytes));
  RC_ASSERT(reply.has_value());
  RC_ASSERT(reply->outcome == Outcome::malformed);
  RC_ASSERT(store.state_hash() == before);
}

TEST(KvStore, TrailingBytesAndUnknownOpsAreMalformed) {
  std::vector<std::uint8_t> bytes = encode_command(Command{Op::put, "k", "v", ""});
  bytes.push_back(0);
  EXPECT_FALSE(decode_command(bytes).has_value());
  bytes = encode_command(Command{Op::put, "k", "v", ""});
  bytes[0] = 4;  // no such op
  EXPECT_FALSE(decode_command(bytes).has_value());
  std::vector<std::uint8_t> reply = encode_reply(Reply{Outcome::ok, "x"});
  reply[0] = 4;  // no such outcome
  EXPECT_FALSE(decode_reply(reply).has_value());
  EXPECT_FALSE(decode_reply({}).has_value());
}

TEST(KvStore, EmptyKeyIsMalformedAndChangesNothing) {
  KvStore store;
  EXPECT_EQ(apply_command(store, 1, Command{Op::put, "", "v", ""}).outcome, Outcome::malformed);
  EXPECT_TRUE(store.data().empty());
}

TEST(KvStore, ValuesBeyondTheLimitAreTooLargeAndChangeNothing) {
  KvStore store;
  const std::string at_limit(kValueBytesMax, 'a');
  EXPECT_EQ(apply_command(store, 1, Command{Op::put, "k", at_limit, ""}).outcome, Outcome::ok);
  EXPECT_EQ(apply_command(store, 2, Command{Op::append, "k", "b", ""}).outcome, Outcome::too_large);
  EXPECT_EQ(apply_command(store, 3, Command{Op::put, "j", at_limit + "b", ""}).outcome,
            Outcome::too_large);
  EXPECT_EQ(apply_command(store, 4, Command{Op::cas, "k", at_limit + "b", at_limit}).outcome,
            Outcome::too_large);
  EXPECT_EQ(store.data().size(), 1u);
  EXPECT_EQ(store.data().at("k"), at_limit);
  // A key beyond kKeyBytesMax does not decode at all.
  EXPECT_FALSE(decode_command(get_bytes(std::string(kKeyBytesMax + 1, 'k'))).has_value());
  EXPECT_TRUE(decode_command(get_bytes(std::string(kKeyBytesMax, 'k'))).has_value());
}

TEST(KvStore, CasReportsTheValueItFound) {
  KvStore store;
  EXPECT_EQ(apply_command(store, 1, Command{Op::cas, "k", "new", "old"}),
            (Reply{Outcome::cas_mismatch, ""}));
  EXPECT_EQ(apply_command(store, 2, Command{Op::cas, "k", "v1", ""}), (Reply{Outcome::ok, ""}));
  EXPECT_EQ(apply_command(store, 3, Command{Op::cas, "k", "v2", "v0"}),
            (Reply{Outcome::cas_mismatch, "v1"}));
}

TEST(KvStore, QueryAnswersOnlyGets) {
  KvStore store;
  apply_command(store, 1, Command{Op::put, "k", "v", ""});
  EXPECT_EQ(decode_reply(store.query(get_bytes("k"))), (Reply{Outcome::ok, "v"}));
  EXPECT_EQ(decode_reply(store.query(get_bytes("absent"))), (Reply{Outcome::ok, ""}));
  const auto put = encode_command(Command{Op::put, "k", "w", ""});
  EXPECT_EQ(decode_reply(store.query(put))->outcome, Outcome::malformed);
  EXPECT_EQ(store.data().at("k"), "v");
}

TEST(KvStore, ApplyingOutOfLogOrderIsAProgrammerError) {
  KvStore store;
  apply_command(store, 2, Command{Op::put, "k", "v", ""});
  ScopedThrowingChecks throwing;
  EXPECT_THROW(store.apply(2, get_bytes("k")), CheckFailure);
}

// A store that applied "a" = "1" and "b" = "2" at indexes 1 and 2, and its snapshot.
std::vector<std::uint8_t> two_key_snapshot(KvStore& store) {
  apply_command(store, 1, Command{Op::put, "a", "1", ""});
  apply_command(store, 2, Command{Op::append, "b", "2", ""});
  std::vector<std::uint8_t> snapshot;
  store.snapshot_into(snapshot);
  return snapshot;
}

TEST(KvStore, SnapshotRestoresTheSameState) {
  KvStore store;
  const std::vector<std::uint8_t> snapshot = two_key_snapshot(store);
  KvStore restored;
  ASSERT_TRUE(restored.restore_snapshot(snapshot).ok());
  EXPECT_EQ(restored.data(), store.data());
  EXPECT_EQ(restored.state_hash(), store.state_hash());
  // The restored store continues after the snapshot's index, not before it.
  ScopedThrowingChecks throwing;
  EXPECT_THROW(restored.apply(2, get_bytes("a")), CheckFailure);
  EXPECT_NO_THROW(restored.apply(3, get_bytes("a")));
}

TEST(KvStore, CorruptSnapshotsAreRefusedAndChangeNothing) {
  KvStore store;
  const std::vector<std::uint8_t> snapshot = two_key_snapshot(store);
  KvStore target;
  apply_command(target, 1, Command{Op::put, "x", "y", ""});
  const std::uint64_t before = target.state_hash();
  for (std::size_t cut = 0; cut < snapshot.size(); ++cut) {
    const std::span<const std::uint8_t> prefix(snapshot.data(), cut);
    EXPECT_EQ(target.restore_snapshot(prefix).code(), StatusCode::corruption) << cut;
  }
  std::vector<std::uint8_t> trailing = snapshot;
  trailing.push_back(0);
  EXPECT_EQ(target.restore_snapshot(trailing).code(), StatusCode::corruption);
  std::vector<std::uint8_t> huge_count = snapshot;
  huge_count[8] = 0xff;  // the pair count's low byte: more pairs than bytes
  EXPECT_EQ(target.restore_snapshot(huge_count).code(), StatusCode::corruption);
  EXPECT_EQ(target.state_hash(), before);
}

}  // namespace
}  // namespace raftsim::kv
