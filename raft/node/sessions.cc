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

void SessionTable::record(std::uint64_t client_id, std::uint64_t sequence, Index index,
                          std::vector<std::uint8_t> reply) {
  auto [it, inserted] = sessions_.try_emplace(client_id);
  if (!inserted) {
    RAFTSIM_CHECK_MSG(sequence > it->second.sequence, "session sequence must increase");
    by_index_.erase(it->second.index);
  }
  it->second = Session{sequence, index, std::move(reply)};
  by_index_[index] = client_id;
  if (sessions_.size() > kSessionsMax) {
    const auto oldest = by_index_.begin();
    sessions_.erase(oldest->second);
    by_index_.erase(oldest);
  }
  RAFTSIM_CHECK(by_index_.size() == sessions_.size());
}

std::uint64_t SessionTable::state_hash() const {
  Hasher hasher;
  for (const auto& [client, session] : sessions_) {
    hasher.add(client).add(session.sequence).add(session.index).add_bytes(session.reply);
  }
  return hasher.value();
}

}  // namespace raftsim
