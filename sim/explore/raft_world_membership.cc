// raftsim: membership changes as the explorer's choices -- which changes a leader is offered
// (add a learner, promote, remove, enter a joint configuration) and their choice keys and labels.
#include <algorithm>

#include "raft/base/check.h"
#include "sim/explore/raft_world.h"

namespace raftsim::sim::explore {

// A membership change as a choice key: type in bits 0-7, node in 8-15, joint voters as a mask
// from bit 16 (nodes are below 32 in explored worlds).
std::uint64_t encode_change_key(const ConfChange& change) {
  std::uint64_t key = static_cast<std::uint64_t>(change.type);
  key |= static_cast<std::uint64_t>(change.node == kNoNode ? 0xff : change.node & 0xff) << 8;
  for (NodeId voter : change.voters) key |= std::uint64_t{1} << (16 + voter);
  return key;
}

ConfChange decode_change_key(std::uint64_t key) {
  ConfChange change;
  change.type = static_cast<ConfChangeType>(key & 0xff);
  const std::uint64_t node = (key >> 8) & 0xff;
  change.node = node == 0xff ? kNoNode : static_cast<NodeId>(node);
  for (NodeId voter = 0; voter < 32; ++voter) {
    if ((key >> (16 + voter)) & 1) change.voters.push_back(voter);
  }
  return change;
}

std::string change_text(const ConfChange& change) {
  std::string text = conf_change_type_name(change.type);
  if (change.type == ConfChangeType::joint) {
    text += " to";
    for (NodeId voter : change.voters) text += " n" + std::to_string(voter);
  } else if (change.node != kNoNode) {
    text += " n" + std::to_string(change.node);
  }
  return text;
}

void RaftWorld::add_change_choices(NodeId leader, std::vector<Choice>& out) const {
  const Raft& core = nodes_[leader].core;
  const Membership& current = core.membership();
  std::vector<ConfChange> candidates;
  for (NodeId node = 0; node < nodes_.size(); ++node) {
    ConfChange change;
    change.node = node;
    if (!current.is_member(node)) {
      change.type = ConfChangeType::add_learner;
    } else if (current.is_learner(node)) {
      change.type = ConfChangeType::promote;
      candidates.push_back(change);
      change.type = ConfChangeType::remove;
    } else {
      change.type = ConfChangeType::remove;
    }
    candidates.push_back(change);
  }
  if (config_.joint_changes && !current.joint()) {
    std::vector<NodeId> all = current.voters;
    all.insert(all.end(), current.learners.begin(), current.learners.end());
    std::sort(all.begin(), all.end());
    std::vector<std::vector<NodeId>> targets{all};
    for (NodeId voter : current.voters) {
      std::vector<NodeId> without = all;
      std::erase(without, voter);
      targets.push_back(without);
    }
    for (std::vector<NodeId>& voters : targets) {
      ConfChange change;
      change.type = ConfChangeType::joint;
      change.voters = std::move(voters);
      candidates.push_back(std::move(change));
    }
  }
  for (const ConfChange& change : candidates) {
    if (!core.check_conf_change(change).ok()) continue;
    out.push_back(Choice{static_cast<std::uint32_t>(RaftChoiceKind::change), leader,
                         encode_change_key(change)});
  }
}

bool RaftWorld::membership_static() const {
  return config_.membership_changes == 0 &&
         (config_.initial_voters == 0 || config_.initial_voters == config_.nodes);
}

}  // namespace raftsim::sim::explore
