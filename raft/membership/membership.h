// raftsim: cluster membership as a value -- who votes, who only replicates (learners), who votes
// without keeping payloads (witnesses) -- and the legal steps from one membership to the next
// (dissertation ch. 4): one server at a time, or entering and leaving a joint configuration
// (paper §6). Pure functions; the core stores memberships in its log as `config` entries and uses
// the latest one it holds. Wire form: encode/decode (decode never trusts its input).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "raft/base/status.h"
#include "raft/core/types.h"

namespace raftsim {

// Limits: a membership names at most kMembersMax servers in all (voters, outgoing, learners), and
// remembers at most kMembersMax former witnesses (beyond, removing a witness is refused).
constexpr std::size_t kMembersMax = 64;

struct Membership {
  std::vector<NodeId> voters;    // C_new, or the only configuration; sorted, unique
  std::vector<NodeId> outgoing;  // C_old while joint (paper §6), else empty; sorted, unique
  std::vector<NodeId> learners;  // replicate the log, never vote, never counted; sorted, unique
  // Voters (of either half) that keep entries' terms and indexes but not their payloads: they
  // vote and count towards elections and commit, and never lead. Sorted, unique, a subset of
  // voters ∪ outgoing.
  std::vector<NodeId> witnesses;
  // Joint only: the leader appends C_new as soon as C_old,new commits (etcd's "auto leave").
  bool auto_leave = true;
  // Servers that were witnesses and left: their logs hold entries without payloads that match
  // the leader's by term and index, so appends would never repair them. They may not rejoin
  // under the same id (like a wiped server: add them under a new one). Sorted, unique, not
  // members.
  std::vector<NodeId> former_witnesses;

  bool joint() const { return !outgoing.empty(); }
  bool is_voter(NodeId node) const;  // in either half
  bool is_learner(NodeId node) const;
  bool is_witness(NodeId node) const;
  bool is_former_witness(NodeId node) const;
  bool is_member(NodeId node) const { return is_voter(node) || is_learner(node); }
  // May lead: a voter of either half that is not a witness.
  bool may_lead(NodeId node) const { return is_voter(node) && !is_witness(node); }
  // Every member, sorted, unique.
  std::vector<NodeId> members() const;
  // Well formed: sorted unique lists, learners disjoint from voters, witnesses among voters,
  // former witnesses not members, at least one voter, at most kMembersMax members.
  Status validate() const;
  std::string describe() const;  // e.g. "voters 1,2,3 learners 4" or "joint 1,2,4 | 1,2,3"

  friend bool operator==(const Membership&, const Membership&) = default;
};

// A requested change, as an administrator (or a test) asks for it.
enum class ConfChangeType : std::uint8_t {
  add_learner = 0,  // a new server joins as a learner
  promote = 1,      // a learner becomes a voter (single-server change)
  add_witness = 2,  // a new server joins as a voting witness (single-server change)
  remove = 3,       // a voter, witness or learner leaves (single-server change for voters)
  joint = 4,        // enter C_old,new with C_new = `voters` (learners that become voters leave
                    // the learner list; voters left out are removed)
  leave_joint = 5,  // leave the joint configuration (when auto_leave is off)
};
const char* conf_change_type_name(ConfChangeType type);

struct ConfChange {
  ConfChangeType type = ConfChangeType::add_learner;
  NodeId node = kNoNode;       // all but joint and leave_joint
  std::vector<NodeId> voters;  // joint: the new voter set
  bool auto_leave = true;      // joint: leave automatically once C_old,new commits

  friend bool operator==(const ConfChange&, const ConfChange&) = default;
};

// The membership that `change` makes of `current`, or why it is not a legal step: a
// single-server change needs a non-joint membership and changes the voters by at most one;
// joint needs a non-joint membership; leave_joint needs a joint one; no step may leave no voter
// in C_new, or witnesses enough to make a majority of it, add a server already present or a
// former witness, or act on one that is absent. A witness
// that leaves becomes a former witness.
Result<Membership> apply_conf_change(const Membership& current, const ConfChange& change);

// Is `next` a legal successor of `previous` (enter joint, leave joint, or a one-server difference
// in voters, learners and witnesses)? For checkers; empty string when legal, else why not.
std::string illegal_step(const Membership& previous, const Membership& next);

// The wire and disk form (inside a config entry's data, a snapshot, a client request).
void encode_membership(const Membership& membership, std::vector<std::uint8_t>& out);
std::optional<Membership> decode_membership(std::span<const std::uint8_t> bytes);
// A config entry's data: the membership, then an opaque context of up to kConfigContextBytesMax
// bytes that the core carries but never reads (the node host puts the requesting client's
// session there, so a retried change is applied once).
constexpr std::size_t kConfigContextBytesMax = 4096;
void encode_config_entry(const Membership& membership, std::span<const std::uint8_t> context,
                         std::vector<std::uint8_t>& out);
struct ConfigEntryView {
  Membership membership;
  std::span<const std::uint8_t> context;  // views the decoded bytes
};
std::optional<ConfigEntryView> decode_config_entry(std::span<const std::uint8_t> bytes);
void encode_conf_change(const ConfChange& change, std::vector<std::uint8_t>& out);
std::optional<ConfChange> decode_conf_change(std::span<const std::uint8_t> bytes);

}  // namespace raftsim
