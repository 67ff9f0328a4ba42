// raft/membership on its own: the legal steps of apply_conf_change (learners, promotion, removal,
// witnesses, entering and leaving a joint configuration), the checker's illegal_step, and the
// byte forms (round trips; RapidCheck: arbitrary or corrupted bytes never crash a decoder and
// decode, if at all, to a well-formed value that encodes back to exactly those bytes).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstdint>
#include <set>
#include <vector>

#include "raft/membership/membership.h"
#include "raft/node/wire.h"

namespace raftsim {
namespace {

Membership voters(std::vector<NodeId> ids) {
  Membership membership;
  membership.voters = std::move(ids);
  return membership;
}

ConfChange single(ConfChangeType type, NodeId node) {
  ConfChange change;
  change.type = type;
  change.node = node;
  return change;
}

ConfChange enter_joint(std::vector<NodeId> new_voters, bool auto_leave = true) {
  ConfChange change;
  change.type = ConfChangeType::joint;
  change.voters = std::move(new_voters);
  change.auto_leave = auto_leave;
  return change;
}

ConfChange leave_joint() {
  ConfChange change;
  change.type = ConfChangeType::leave_joint;
  return change;
}

// The membership a legal step makes; fails the test (and returns the input) if it is refused.
Membership step(const Membership& current, const ConfChange& change) {
  Result<Membership> next = apply_conf_change(current, change);
  EXPECT_TRUE(next.ok()) << conf_change_type_name(change.type) << " on " << current.describe()
                         << ": " << next.status().to_string();
  return next.ok() ? next.value() : current;
}

void expect_refused(const Membership& current, const ConfChange& change) {
  Result<Membership> next = apply_conf_change(current, change);
  ASSERT_FALSE(next.ok()) << conf_change_type_name(change.type) << " on " << current.describe()
                          << " gave " << next.value().describe();
  EXPECT_EQ(next.status().code(), StatusCode::failed_precondition);
  EXPECT_FALSE(next.status().message().empty());
}

TEST(Membership, AddLearnerThenPromoteMakesAFourthVoter) {
  const Membership three = voters({0, 1, 2});
  const Membership with_learner = step(three, single(ConfChangeType::add_learner, 3));
  EXPECT_EQ(with_learner.voters, (std::vector<NodeId>{0, 1, 2}));
  EXPECT_EQ(with_learner.learners, (std::vector<NodeId>{3}));
  EXPECT_TRUE(with_learner.is_learner(3));
  EXPECT_FALSE(with_learner.is_voter(3));
  EXPECT_FALSE(with_learner.may_lead(3));
  EXPECT_TRUE(with_learner.is_member(3));
  EXPECT_EQ(illegal_step(three, with_learner), "");

  const Membership four = step(with_learner, single(ConfChangeType::promote, 3));
  EXPECT_EQ(four.voters, (std::vector<NodeId>{0, 1, 2, 3}));
  EXPECT_TRUE(four.learners.empty());
  EXPECT_TRUE(four.may_lead(3));
  EXPECT_EQ(illegal_step(with_learner, four), "");
}

TEST(Membership, PromoteNeedsALearner) {
  const Membership three = voters({0, 1, 2});
  expect_refused(three, single(ConfChangeType::promote, 1));  // already a voter
  expect_refused(three, single(ConfChangeType::promote, 7));  // unknown
}

TEST(Membership, AddingAServerAlreadyPresentIsRefused) {
  Membership membership = step(voters({0, 1, 2}), single(ConfChangeType::add_learner, 3));
  expect_refused(membership, single(ConfChangeType::add_learner, 3));
  expect_refused(membership, single(ConfChangeType::add_learner, 0));
  expect_refused(membership, single(ConfChangeType::add_witness, 3));
  expect_refused(membership, single(ConfChangeType::add_witness, 1));
  expect_refused(membership, single(ConfChangeType::add_learner, kNoNode));
}

TEST(Membership, RemoveTakesOneServerAndNeverTheLastVoter) {
  Membership membership = step(voters({0, 1}), single(ConfChangeType::add_learner, 5));
  membership = step(membership, single(ConfChangeType::remove, 5));
  EXPECT_EQ(membership, voters({0, 1}));
  membership = step(membership, single(ConfChangeType::remove, 0));
  EXPECT_EQ(membership.voters, (std::vector<NodeId>{1}));
  expect_refused(membership, single(ConfChangeType::remove, 1));  // the last voter
  expect_refused(membership, single(ConfChangeType::remove, 4));  // not a member
  // A learner beside the last voter may still go.
  membership = step(membership, single(ConfChangeType::add_learner, 2));
  expect_refused(membership, single(ConfChangeType::remove, 1));
  EXPECT_EQ(step(membership, single(ConfChangeType::remove, 2)), voters({1}));
}

TEST(Membership, EnterAndLeaveJoint) {
  Membership membership = voters({0, 1, 2});
  membership = step(membership, single(ConfChangeType::add_learner, 3));
  membership = step(membership, single(ConfChangeType::add_learner, 4));
  const Membership before = membership;
  const Membership joint = step(membership, enter_joint({4, 0, 3}, /*auto_leave=*/false));
  EXPECT_TRUE(joint.joint());
  EXPECT_EQ(joint.voters, (std::vector<NodeId>{0, 3, 4}));
  EXPECT_EQ(joint.outgoing, (std::vector<NodeId>{0, 1, 2}));
  EXPECT_TRUE(joint.learners.empty());  // learners that became voters left the learner list
  EXPECT_FALSE(joint.auto_leave);
  EXPECT_TRUE(joint.is_voter(1) && joint.is_voter(3));
  EXPECT_EQ(joint.describe(), "joint 0,3,4 | 0,1,2");
  EXPECT_EQ(illegal_step(before, joint), "");

  // Single changes and a second joint wait for the leave.
  expect_refused(joint, single(ConfChangeType::add_learner, 9));
  expect_refused(joint, single(ConfChangeType::remove, 1));
  expect_refused(joint, single(ConfChangeType::promote, 3));
  expect_refused(joint, single(ConfChangeType::add_witness, 9));
  expect_refused(joint, enter_joint({0, 1}));

  const Membership left = step(joint, leave_joint());
  EXPECT_FALSE(left.joint());
  EXPECT_EQ(left, voters({0, 3, 4}));
  EXPECT_TRUE(left.auto_leave);
  EXPECT_FALSE(left.is_member(1));
  EXPECT_EQ(illegal_step(joint, left), "");
  expect_refused(left, leave_joint());
}

TEST(Membership, AJointChangeMustChangeSomethingAndNameDistinctVoters) {
  const Membership three = voters({0, 1, 2});
  expect_refused(three, enter_joint({2, 1, 0}));  // the same voters
  expect_refused(three, enter_joint({}));
  expect_refused(three, enter_joint({0, 3, 3}));
}

TEST(Membership, WitnessesVoteNeverLeadAndLeaveWithTheirHalf) {
  Membership membership = step(voters({0, 1}), single(ConfChangeType::add_witness, 2));
  EXPECT_EQ(membership.voters, (std::vector<NodeId>{0, 1, 2}));
  EXPECT_EQ(membership.witnesses, (std::vector<NodeId>{2}));
  EXPECT_TRUE(membership.is_voter(2));
  EXPECT_FALSE(membership.may_lead(2));
  EXPECT_EQ(membership.describe(), "voters 0,1,2 witnesses 2");
  expect_refused(membership, single(ConfChangeType::promote, 2));  // a witness is no learner

  // A witness kept in C_new stays a witness; a witness of C_old only stays until the leave.
  Membership kept = step(membership, enter_joint({0, 2, 3}));
  EXPECT_EQ(kept.witnesses, (std::vector<NodeId>{2}));
  Membership dropped = step(membership, enter_joint({0, 1, 3}));
  EXPECT_EQ(dropped.witnesses, (std::vector<NodeId>{2}));  // still in C_old
  const Membership left = step(dropped, leave_joint());
  EXPECT_TRUE(left.witnesses.empty());
  EXPECT_EQ(left.former_witnesses, (std::vector<NodeId>{2}));

  Membership removed = step(membership, single(ConfChangeType::remove, 2));
  EXPECT_EQ(removed.voters, (std::vector<NodeId>{0, 1}));
  EXPECT_TRUE(removed.witnesses.empty());
  EXPECT_EQ(removed.former_witnesses, (std::vector<NodeId>{2}));
  EXPECT_EQ(removed.describe(), "voters 0,1 former witnesses 2");
  EXPECT_EQ(illegal_step(membership, removed), "");
}

// Witnesses never lead: a majority of them could commit entries whose payloads no electable
// voter holds (and then elect no one), so they stay fewer than a quorum of C_new.
TEST(Membership, WitnessesNeverMakeAMajority) {
  Membership membership = step(voters({0, 1}), single(ConfChangeType::add_witness, 2));
  membership = step(membership, single(ConfChangeType::remove, 0));
  EXPECT_EQ(membership.voters, (std::vector<NodeId>{1, 2}));  // 1 of 2: every majority has 1
  expect_refused(membership, single(ConfChangeType::remove, 1));
  expect_refused(membership, enter_joint({2}));
  EXPECT_TRUE(step(membership, single(ConfChangeType::remove, 2)).may_lead(1));
  // {0, 1w, 2w}: a majority {1, 2} holds no payloads.
  Membership three = step(voters({0, 1}), single(ConfChangeType::add_witness, 2));
  three = step(three, single(ConfChangeType::remove, 1));
  expect_refused(three, single(ConfChangeType::add_witness, 3));
  EXPECT_EQ(step(three, single(ConfChangeType::add_learner, 3)).voters.size(), 2u);
  // {0, 1, 2w, 3w}: every majority (3 of 4) holds 0 or 1; without 0 it would not.
  Membership four = step(voters({0, 1, 2}), single(ConfChangeType::add_witness, 3));
  four = step(four, single(ConfChangeType::remove, 2));
  four = step(four, single(ConfChangeType::add_witness, 4));
  EXPECT_EQ(four.witnesses, (std::vector<NodeId>{3, 4}));
  expect_refused(four, single(ConfChangeType::remove, 0));
  expect_refused(four, enter_joint({3, 4, 5}));
  EXPECT_TRUE(step(four, enter_joint({0, 3, 4, 5})).joint());
}

// A witness's log has entries without payloads that match the leader's by term and index, so it
// can never be repaired by appends: the id may not come back as anything (a new id may).
TEST(Membership, AFormerWitnessMayNotRejoinUnderItsId) {
  Membership membership = step(voters({0, 1}), single(ConfChangeType::add_witness, 2));
  membership = step(membership, single(ConfChangeType::remove, 2));
  expect_refused(membership, single(ConfChangeType::add_learner, 2));
  expect_refused(membership, single(ConfChangeType::add_witness, 2));
  expect_refused(membership, enter_joint({0, 1, 2}));
  EXPECT_TRUE(step(membership, single(ConfChangeType::add_learner, 3)).is_learner(3));
  // Retired through a joint change as well.
  Membership joint = step(voters({0, 1}), single(ConfChangeType::add_witness, 2));
  joint = step(step(joint, enter_joint({0, 1, 3})), leave_joint());
  expect_refused(joint, single(ConfChangeType::add_learner, 2));
  // A former witness back in the membership is malformed (and does not decode).
  Membership back = voters({0, 1, 2});
  back.former_witnesses = {2};
  EXPECT_FALSE(back.validate().ok());
  std::vector<std::uint8_t> bytes;
  encode_membership(back, bytes);
  EXPECT_FALSE(decode_membership(bytes).has_value());
}

TEST(Membership, ValidateNamesWhatIsWrong) {
  EXPECT_TRUE(voters({0, 1, 2}).validate().ok());
  EXPECT_FALSE(voters({}).validate().ok());
  EXPECT_FALSE(voters({2, 1}).validate().ok());
  EXPECT_FALSE(voters({1, 1}).validate().ok());
  Membership both = voters({0, 1});
  both.learners = {1};
  EXPECT_FALSE(both.validate().ok());
  Membership stray_witness = voters({0, 1});
  stray_witness.witnesses = {3};
  EXPECT_FALSE(stray_witness.validate().ok());
  Membership learner_witness = voters({0, 1});
  learner_witness.learners = {3};
  learner_witness.witnesses = {3};
  EXPECT_FALSE(learner_witness.validate().ok());
  std::vector<NodeId> many;
  for (NodeId id = 0; id <= kMembersMax; ++id) many.push_back(id);
  EXPECT_FALSE(voters(many).validate().ok());
  many.pop_back();
  EXPECT_TRUE(voters(many).validate().ok());
}

TEST(Membership, IllegalStepNamesJumpsTheChecksMustCatch) {
  const Membership three = voters({0, 1, 2});
  EXPECT_EQ(illegal_step(three, voters({0, 1, 2, 3})), "");
  EXPECT_EQ(illegal_step(three, voters({0, 1})), "");
  EXPECT_NE(illegal_step(three, voters({0, 1, 2, 3, 4})), "");  // two voters at once
  EXPECT_NE(illegal_step(three, voters({0, 3, 4})), "");        // replaced two voters
  EXPECT_NE(illegal_step(three, voters({0, 1, 3})), "");        // swapped one for another
  EXPECT_NE(illegal_step(three, voters({})), "");               // invalid
  Membership two_learners = three;
  two_learners.learners = {3, 4};
  EXPECT_NE(illegal_step(three, two_learners), "");
  Membership one_learner = three;
  one_learner.learners = {3};
  EXPECT_EQ(illegal_step(three, one_learner), "");
  Membership other_learner = three;
  other_learner.learners = {4};
  EXPECT_NE(illegal_step(one_learner, other_learner), "");  // one learner out, another in
  Membership learner_and_voter = voters({0, 1, 2, 4});
  learner_and_voter.learners = {3};
  EXPECT_NE(illegal_step(three, learner_and_voter), "");
  Membership two_made_witnesses = three;
  two_made_witnesses.witnesses = {1, 2};
  EXPECT_NE(illegal_step(three, two_made_witnesses), "");

  Membership joint = voters({0, 3, 4});
  joint.outgoing = {0, 1, 2};
  EXPECT_EQ(illegal_step(three, joint), "");
  Membership wrong_old = joint;
  wrong_old.outgoing = {0, 1};
  EXPECT_NE(illegal_step(three, wrong_old), "");
  EXPECT_EQ(illegal_step(joint, voters({0, 3, 4})), "");
  EXPECT_NE(illegal_step(joint, voters({0, 1, 2})), "");  // "left" to C_old
  Membership other_joint = voters({0, 3});
  other_joint.outgoing = {0, 1, 2};
  EXPECT_NE(illegal_step(joint, other_joint), "");
}

TEST(MembershipCodec, RoundTrips) {
  Membership membership = voters({0, 3, 4});
  membership.outgoing = {0, 1, 2};
  membership.learners = {7};
  membership.witnesses = {2, 4};
  membership.former_witnesses = {5, 6};
  membership.auto_leave = false;
  std::vector<std::uint8_t> bytes;
  encode_membership(membership, bytes);
  EXPECT_EQ(decode_membership(bytes), membership);

  const std::vector<std::uint8_t> context = {1, 2, 3};
  std::vector<std::uint8_t> entry;
  encode_config_entry(membership, context, entry);
  const std::optional<ConfigEntryView> view = decode_config_entry(entry);
  ASSERT_TRUE(view.has_value());
  EXPECT_EQ(view->membership, membership);
  EXPECT_EQ(std::vector<std::uint8_t>(view->context.begin(), view->context.end()), context);
  // A membership alone is not a config entry, nor the reverse.
  EXPECT_FALSE(decode_membership(entry).has_value());
  EXPECT_FALSE(decode_config_entry(bytes).has_value());

  ConfChange change = enter_joint({0, 3, 4}, false);
  std::vector<std::uint8_t> change_bytes;
  encode_conf_change(change, change_bytes);
  EXPECT_EQ(decode_conf_change(change_bytes), change);

  AdminRequest admin;
  admin.change = single(ConfChangeType::promote, 3);
  EXPECT_EQ(decode_admin_request(encode_admin_request(admin)), admin);
  AdminRequest transfer;
  transfer.kind = AdminRequest::Kind::transfer_leadership;
  transfer.target = 2;
  EXPECT_EQ(decode_admin_request(encode_admin_request(transfer)), transfer);
}

TEST(MembershipCodec, AnInvalidMembershipDoesNotDecode) {
  Membership both = voters({0, 1});
  both.learners = {1};
  std::vector<std::uint8_t> bytes;
  encode_membership(both, bytes);
  EXPECT_FALSE(decode_membership(bytes).has_value());
  std::vector<std::uint8_t> entry;
  encode_config_entry(both, {}, entry);
  EXPECT_FALSE(decode_config_entry(entry).has_value());
  // A context beyond kConfigContextBytesMax is refused.
  std::vector<std::uint8_t> long_entry;
  encode_config_entry(voters({0}), {}, long_entry);
  long_entry.resize(long_entry.size() + kConfigContextBytesMax + 1, 0);
  EXPECT_FALSE(decode_config_entry(long_entry).has_value());
}

// Generators: well-formed memberships over a small id range (so lists overlap), and changes.
// A random subset of 0..11, at most `count_max` of them, sorted.
std::vector<NodeId> sorted_ids(std::size_t count_max) {
  std::vector<NodeId> out;
  for (NodeId id = 0; id < 12; ++id) {
    if (out.size() < count_max && *rc::gen::inRange(0, 3) == 0) out.push_back(id);
  }
  return out;
}

Membership any_membership() {
  Membership membership;
  membership.voters = sorted_ids(7);
  if (membership.voters.empty()) membership.voters = {0};
  if (*rc::gen::arbitrary<bool>()) membership.outgoing = sorted_ids(7);
  for (NodeId learner : sorted_ids(4)) {
    if (!membership.is_voter(learner)) membership.learners.push_back(learner);
  }
  for (NodeId witness : sorted_ids(3)) {
    if (membership.is_voter(witness)) membership.witnesses.push_back(witness);
  }
  for (NodeId former : sorted_ids(2)) {
    if (!membership.is_member(former)) membership.former_witnesses.push_back(former);
  }
  membership.auto_leave = *rc::gen::arbitrary<bool>();
  RC_ASSERT(membership.validate().ok());
  return membership;
}

ConfChange any_change() {
  ConfChange change;
  change.type = static_cast<ConfChangeType>(*rc::gen::inRange(0, 6));
  change.node = *rc::gen::inRange<NodeId>(0, 12);
  if (change.type == ConfChangeType::joint) change.voters = sorted_ids(7);
  change.auto_leave = *rc::gen::arbitrary<bool>();
  return change;
}

RC_GTEST_PROP(MembershipProperty, EncodingsRoundTrip, ()) {
  const Membership membership = any_membership();
  std::vector<std::uint8_t> bytes;
  encode_membership(membership, bytes);
  RC_ASSERT(decode_membership(bytes) == membership);
  const auto context = *rc::gen::container<std::vector<std::uint8_t>>(
      *rc::gen::inRange<std::size_t>(0, 40), rc::gen::arbitrary<std::uint8_t>());
  std::vector<std::uint8_t> entry;
  encode_config_entry(membership, context, entry);
  const auto view = decode_config_entry(entry);
  RC_ASSERT(view.has_value());
  RC_ASSERT(view->membership == membership);
  RC_ASSERT(std::vector<std::uint8_t>(view->context.begin(), view->context.end()) == context);
  const ConfChange change = any_change();
  std::vector<std::uint8_t> change_bytes;
  encode_conf_change(change, change_bytes);
  RC_ASSERT(decode_conf_change(change_bytes) == change);
}

// Every legal step from a well-formed membership is well formed and passes illegal_step.
RC_GTEST_PROP(MembershipProperty, LegalStepsAreWellFormedAndLegal, ()) {
  const Membership current = any_membership();
  const ConfChange change = any_change();
  const Result<Membership> next = apply_conf_change(current, change);
  if (!next.ok()) {
    RC_ASSERT(next.status().code() == StatusCode::failed_precondition);
    return;
  }
  RC_ASSERT(next.value().validate().ok());
  RC_ASSERT(illegal_step(current, next.value()) == "");
  RC_ASSERT(!current.joint() || change.type == ConfChangeType::leave_joint);
}

// Decoded, if at all, to a value that re-encodes to exactly the input: no garbage is accepted as
// something other than what it says, and a decoded membership is always well formed.
void check_decoders(const std::vector<std::uint8_t>& bytes) {
  if (const auto membership = decode_membership(bytes)) {
    RC_ASSERT(membership->validate().ok());
    std::vector<std::uint8_t> again;
    encode_membership(*membership, again);
    RC_ASSERT(again == bytes);
  }
  if (const auto view = decode_config_entry(bytes)) {
    RC_ASSERT(view->membership.validate().ok());
    RC_ASSERT(view->context.size() <= kConfigContextBytesMax);
    std::vector<std::uint8_t> again;
    encode_config_entry(view->membership, view->context, again);
    RC_ASSERT(again == bytes);
  }
  if (const auto change = decode_conf_change(bytes)) {
    std::vector<std::uint8_t> again;
    encode_conf_change(*change, again);
    RC_ASSERT(again == bytes);
  }
  if (const auto admin = decode_admin_request(bytes)) {
    RC_ASSERT(encode_admin_request(*admin) == bytes);
  }
}

RC_GTEST_PROP(MembershipProperty, ArbitraryBytesNeverCrashTheDecoders, ()) {
  check_decoders(*rc::gen::arbitrary<std::vector<std::uint8_t>>());
}

RC_GTEST_PROP(MembershipProperty, CorruptOrCutEncodingsAreRejectedOrCanonical, ()) {
  std::vector<std::uint8_t> bytes;
  switch (*rc::gen::inRange(0, 4)) {
    case 0:
      encode_membership(any_membership(), bytes);
      break;
    case 1:
      encode_config_entry(any_membership(), std::vector<std::uint8_t>{7, 7}, bytes);
      break;
    case 2:
      encode_conf_change(any_change(), bytes);
      break;
    default: {
      AdminRequest admin;
      admin.change = any_change();
      bytes = encode_admin_request(admin);
    }
  }
  const auto flips = *rc::gen::inRange(0, 4);
  for (int i = 0; i < flips; ++i) {
    const auto at = *rc::gen::inRange<std::size_t>(0, bytes.size());
    bytes[at] ^= static_cast<std::uint8_t>(1u << *rc::gen::inRange(0, 8));
  }
  if (*rc::gen::inRange(0, 4) == 0) bytes.resize(*rc::gen::inRange<std::size_t>(0, bytes.size()));
  check_decoders(bytes);
}

// A cut-short membership never decodes (no field is optional).
RC_GTEST_PROP(MembershipProperty, TruncatedMembershipsDoNotDecode, ()) {
  std::vector<std::uint8_t> bytes;
  encode_membership(any_membership(), bytes);
  const auto cut = *rc::gen::inRange<std::size_t>(0, bytes.size());
  RC_ASSERT(!decode_membership(std::span(bytes.data(), cut)).has_value());
  bytes.push_back(0);
  RC_ASSERT(!decode_membership(bytes).has_value());
}

}  // namespace
}  // namespace raftsim
