// raftsim: membership values, their legal steps and their byte form.
#include "raft/membership/membership.h"

#include <algorithm>

#include "raft/base/byte_codec.h"

namespace raftsim {

namespace {

bool holds(const std::vector<NodeId>& sorted, NodeId node) {
  return std::binary_search(sorted.begin(), sorted.end(), node);
}

bool sorted_unique(const std::vector<NodeId>& ids) {
  return std::adjacent_find(ids.begin(), ids.end(), std::greater_equal<NodeId>()) == ids.end();
}

void insert_sorted(std::vector<NodeId>& ids, NodeId node) {
  ids.insert(std::lower_bound(ids.begin(), ids.end(), node), node);
}

void erase_sorted(std::vector<NodeId>& ids, NodeId node) {
  const auto at = std::lower_bound(ids.begin(), ids.end(), node);
  if (at != ids.end() && *at == node) ids.erase(at);
}

std::string join(const std::vector<NodeId>& ids) {
  std::string out;
  for (NodeId id : ids) {
    if (!out.empty()) out += ',';
    out += std::to_string(id);
  }
  return out.empty() ? "-" : out;
}

// Servers in exactly one of two sorted lists, appended to `out`.
void add_symmetric_difference(const std::vector<NodeId>& a, const std::vector<NodeId>& b,
                              std::vector<NodeId>& out) {
  std::set_symmetric_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
}

Status refuse(const std::string& why) {
  return Status(StatusCode::failed_precondition, why);
}

// Witnesses that are no longer voters of either half leave the witness list for good.
void retire_witnesses(Membership& membership) {
  std::vector<NodeId> kept;
  for (NodeId witness : membership.witnesses) {
    if (membership.is_voter(witness)) {
      kept.push_back(witness);
    } else {
      insert_sorted(membership.former_witnesses, witness);
    }
  }
  membership.witnesses = std::move(kept);
}

}  // namespace

bool Membership::is_voter(NodeId node) const {
  return holds(voters, node) || holds(outgoing, node);
}
bool Membership::is_learner(NodeId node) const {
  return holds(learners, node);
}
bool Membership::is_witness(NodeId node) const {
  return holds(witnesses, node);
}
bool Membership::is_former_witness(NodeId node) const {
  return holds(former_witnesses, node);
}

std::vector<NodeId> Membership::members() const {
  std::vector<NodeId> all = voters;
  all.insert(all.end(), outgoing.begin(), outgoing.end());
  all.insert(all.end(), learners.begin(), learners.end());
  std::sort(all.begin(), all.end());
  all.erase(std::unique(all.begin(), all.end()), all.end());
  return all;
}

Status Membership::validate() const {
  auto invalid = [](const std::string& what) {
    return Status(StatusCode::invalid_argument, "membership: " + what);
  };
  if (!sorted_unique(voters) || !sorted_unique(outgoing) || !sorted_unique(learners) ||
      !sorted_unique(witnesses) || !sorted_unique(former_witnesses)) {
    return invalid("lists must be sorted and without repeats");
  }
  if (voters.empty()) return invalid("no voters");
  for (NodeId learner : learners) {
    if (is_voter(learner)) return invalid("server " + std::to_string(learner) + " is both");
  }
  for (NodeId witness : witnesses) {
    if (!is_voter(witness)) return invalid("witness " + std::to_string(witness) + " not a voter");
  }
  for (NodeId former : former_witnesses) {
    if (is_member(former)) return invalid("former witness " + std::to_string(former) + " is back");
  }
  if (members().size() > kMembersMax) return invalid("more than kMembersMax members");
  if (former_witnesses.size() > kMembersMax) {
    return invalid("more than kMembersMax former witnesses");
  }
  if (std::find(voters.begin(), voters.end(), kNoNode) != voters.end()) {
    return invalid("kNoNode is not a server");
  }
  return Status();
}

std::string Membership::describe() const {
  std::string out =
      joint() ? "joint " + join(voters) + " | " + join(outgoing) : "voters " + join(voters);
  if (!learners.empty()) out += " learners " + join(learners);
  if (!witnesses.empty()) out += " witnesses " + join(witnesses);
  if (!former_witnesses.empty()) out += " former witnesses " + join(former_witnesses);
  return out;
}

const char* conf_change_type_name(ConfChangeType type) {
  switch (type) {
    case ConfChangeType::add_learner:
      return "add_learner";
    case ConfChangeType::promote:
      return "promote";
    case ConfChangeType::add_witness:
      return "add_witness";
    case ConfChangeType::remove:
      return "remove";
    case ConfChangeType::joint:
      return "joint";
    case ConfChangeType::leave_joint:
      return "leave_joint";
  }
  return "unknown";
}

Result<Membership> apply_conf_change(const Membership& current, const ConfChange& change) {
  const std::string who = "server " + std::to_string(change.node);
  Membership next = current;
  const bool single =
      change.type != ConfChangeType::joint && change.type != ConfChangeType::leave_joint;
  if (single && current.joint()) return refuse("the configuration is joint; leave it first");
  if (single && change.node == kNoNode) return refuse("no server named");
  switch (change.type) {
    case ConfChangeType::add_learner:
    case ConfChangeType::add_witness:
      if (current.is_member(change.node)) return refuse(who + " is already a member");
      if (holds(current.former_witnesses, change.node)) {
        return refuse(who + " was a witness (its log has no payloads): add it under a new id");
      }
      if (change.type == ConfChangeType::add_learner) {
        insert_sorted(next.learners, change.node);
      } else {
        insert_sorted(next.voters, change.node);
        insert_sorted(next.witnesses, change.node);
      }
      break;
    case ConfChangeType::promote:
      if (!current.is_learner(change.node)) return refuse(who + " is not a learner");
      erase_sorted(next.learners, change.node);
      insert_sorted(next.voters, change.node);
      break;
    case ConfChangeType::remove:
      if (!current.is_member(change.node)) return refuse(who + " is not a member");
      if (current.voters.size() == 1 && current.is_voter(change.node)) {
        return refuse("would remove the last voter");
      }
      erase_sorted(next.voters, change.node);
      erase_sorted(next.learners, change.node);
      retire_witnesses(next);
      break;
    case ConfChangeType::joint: {
      if (current.joint()) return refuse("the configuration is already joint");
      std::vector<NodeId> voters = change.voters;
      std::sort(voters.begin(), voters.end());
      if (std::adjacent_find(voters.begin(), voters.end()) != voters.end()) {
        return refuse("the new voters repeat a server");
      }
      if (voters.empty()) return refuse("the new configuration has no voters");
      if (voters == current.voters) return refuse("the new voters equal the current ones");
      for (NodeId voter : voters) {
        if (holds(current.former_witnesses, voter)) {
          return refuse("server " + std::to_string(voter) +
                        " was a witness (its log has no payloads): add it under a new id");
        }
      }
      next.outgoing = current.voters;
      next.voters = voters;
      next.auto_leave = change.auto_leave;
      for (NodeId voter : voters) erase_sorted(next.learners, voter);
      // A witness stays a witness while it stays a voter of either half.
      retire_witnesses(next);
      break;
    }
    case ConfChangeType::leave_joint:
      if (!current.joint()) return refuse("the configuration is not joint");
      next.outgoing.clear();
      next.auto_leave = true;
      retire_witnesses(next);
      break;
  }
  if (Status s = next.validate(); !s.ok()) return refuse(s.message());
  // Every majority of C_new must hold a server that may lead: a majority of witnesses could
  // commit entries whose payloads no electable voter holds, and elect no one after.
  const auto witness_voters =
      static_cast<std::size_t>(std::count_if(next.voters.begin(), next.voters.end(),
                                             [&](NodeId voter) { return next.is_witness(voter); }));
  if (witness_voters >= next.voters.size() / 2 + 1) {
    return refuse("witnesses would make a majority of the voters (they never lead)");
  }
  return next;
}

std::string illegal_step(const Membership& previous, const Membership& next) {
  if (Status s = next.validate(); !s.ok()) return s.message();
  if (!previous.joint() && next.joint()) {
    if (next.outgoing != previous.voters) return "entered joint with C_old not the old voters";
    return "";
  }
  if (previous.joint() && !next.joint()) {
    if (next.voters != previous.voters) return "left joint to other voters than C_new";
    return "";
  }
  if (previous.joint() && next.joint()) return "changed a joint configuration without leaving it";
  std::vector<NodeId> voter_changes;
  add_symmetric_difference(previous.voters, next.voters, voter_changes);
  if (voter_changes.size() > 1) return "changed more than one voter at once";
  // Count servers, not list entries: a promotion leaves the learners and joins the voters, a
  // witness joins (or leaves) both lists, and that is still one server.
  std::vector<NodeId> changed = std::move(voter_changes);
  add_symmetric_difference(previous.learners, next.learners, changed);
  add_symmetric_difference(previous.witnesses, next.witnesses, changed);
  add_symmetric_difference(previous.former_witnesses, next.former_witnesses, changed);
  std::sort(changed.begin(), changed.end());
  changed.erase(std::unique(changed.begin(), changed.end()), changed.end());
  if (changed.size() > 1) return "changed more than one server at once";
  return "";
}

namespace {
void put_ids(std::vector<std::uint8_t>& out, const std::vector<NodeId>& ids) {
  put_u32(out, static_cast<std::uint32_t>(ids.size()));
  for (NodeId id : ids) put_u32(out, id);
}

bool read_ids(ByteReader& reader, std::vector<NodeId>& ids) {
  std::uint32_t count = 0;
  if (!reader.read_u32(count) || count > kMembersMax) return false;
  ids.resize(count);
  for (NodeId& id : ids) {
    if (!reader.read_u32(id)) return false;
  }
  return true;
}

constexpr std::uint8_t kMembershipFormat = 1;
constexpr std::uint8_t kConfChangeFormat = 1;
}  // namespace

void encode_membership(const Membership& membership, std::vector<std::uint8_t>& out) {
  put_u8(out, kMembershipFormat);
  put_u8(out, membership.auto_leave ? 1 : 0);
  put_ids(out, membership.voters);
  put_ids(out, membership.outgoing);
  put_ids(out, membership.learners);
  put_ids(out, membership.witnesses);
  put_ids(out, membership.former_witnesses);
}

std::optional<Membership> decode_membership(std::span<const std::uint8_t> bytes) {
  ByteReader reader(bytes);
  std::uint8_t format = 0;
  std::uint8_t auto_leave = 0;
  Membership membership;
  if (!reader.read_u8(format) || format != kMembershipFormat || !reader.read_u8(auto_leave) ||
      auto_leave > 1 || !read_ids(reader, membership.voters) ||
      !read_ids(reader, membership.outgoing) || !read_ids(reader, membership.learners) ||
      !read_ids(reader, membership.witnesses) || !read_ids(reader, membership.former_witnesses) ||
      reader.remaining() != 0) {
    return std::nullopt;
  }
  membership.auto_leave = auto_leave == 1;
  if (!membership.validate().ok()) return std::nullopt;
  return membership;
}

void encode_config_entry(const Membership& membership, std::span<const std::uint8_t> context,
                         std::vector<std::uint8_t>& out) {
  RAFTSIM_CHECK_MSG(context.size() <= kConfigContextBytesMax, "config entry context too large");
  std::vector<std::uint8_t> encoded;
  encode_membership(membership, encoded);
  put_u32(out, static_cast<std::uint32_t>(encoded.size()));
  put_bytes(out, encoded);
  put_bytes(out, context);
}

std::optional<ConfigEntryView> decode_config_entry(std::span<const std::uint8_t> bytes) {
  ByteReader reader(bytes);
  std::uint32_t size = 0;
  std::span<const std::uint8_t> encoded;
  if (!reader.read_u32(size) || !reader.read_view(size, encoded) ||
      reader.remaining() > kConfigContextBytesMax) {
    return std::nullopt;
  }
  std::optional<Membership> membership = decode_membership(encoded);
  if (!membership) return std::nullopt;
  ConfigEntryView view;
  view.membership = std::move(*membership);
  view.context = bytes.subspan(reader.offset());
  return view;
}

void encode_conf_change(const ConfChange& change, std::vector<std::uint8_t>& out) {
  put_u8(out, kConfChangeFormat);
  put_u8(out, static_cast<std::uint8_t>(change.type));
  put_u32(out, change.node);
  put_u8(out, change.auto_leave ? 1 : 0);
  put_ids(out, change.voters);
}

std::optional<ConfChange> decode_conf_change(std::span<const std::uint8_t> bytes) {
  ByteReader reader(bytes);
  std::uint8_t format = 0;
  std::uint8_t type = 0;
  std::uint8_t auto_leave = 0;
  ConfChange change;
  if (!reader.read_u8(format) || format != kConfChangeFormat || !reader.read_u8(type) ||
      type > static_cast<std::uint8_t>(ConfChangeType::leave_joint) ||
      !reader.read_u32(change.node) || !reader.read_u8(auto_leave) || auto_leave > 1 ||
      !read_ids(reader, change.voters) || reader.remaining() != 0) {
    return std::nullopt;
  }
  change.type = static_cast<ConfChangeType>(type);
  change.auto_leave = auto_leave == 1;
  return change;
}

}  // namespace raftsim
