#include "raft/node/sessions.h"

#include "raft/util/check.h"
#include "raft/util/hash.h"

namespace raftsim {

SessionTable::Lookup SessionTable::check(std::uint64_t client_id, std::uint64_t sequence) const {
  auto found = sessions_.find(client_id);
  if (found == sessions_.end() || sequence > found->second.sequence) {
    return Lookup{Verdict::apply, {}};
  }
  if (sequence == found->second.sequence) return Lookup{Verdict::duplicate, found->second.reply};
  return Lookup{Verdict::stale, {}};
}

std::vector<std::uint8_t>& SessionTable::record(std::uint64_t client_id, std::uint64_t sequence,
                                                Index index) {
  auto [it, inserted] = sessions_.try_emplace(client_id);
  Session& session = it->second;
  if (inserted) {
    const bool fresh = by_index_.emplace(index, client_id).second;
    RAFTSIM_CHECK_MSG(fresh, "two sessions recorded at one log index");
  } else {
    RAFTSIM_CHECK_MSG(sequence > session.sequence, "session sequence must increase");
    // Move the session's node in the eviction order instead of freeing and allocating one.
    auto node = by_index_.extract(session.index);
    RAFTSIM_CHECK(!node.empty() && node.mapped() == client_id);
    node.key() = index;
    const bool fresh = by_index_.insert(std::move(node)).inserted;
    RAFTSIM_CHECK_MSG(fresh, "two sessions recorded at one log index");
  }
  session.sequence = sequence;
  session.index = index;
  session.reply.clear();
  if (sessions_.size() > kSessionsMax) {
    const auto oldest = by_index_.begin();
    RAFTSIM_CHECK(oldest->second != client_id);
    sessions_.erase(oldest->second);
    by_index_.erase(oldest);
  }
  RAFTSIM_CHECK(by_index_.size() == sessions_.size());
  return session.reply;
}

std::uint64_t SessionTable::state_hash() const {
  Hasher hasher;
  for (const auto& [client, session] : sessions_) {
    hasher.add(client).add(session.sequence).add(session.index).add_bytes(session.reply);
  }
  return hasher.value();
}

}  // namespace raftsim
