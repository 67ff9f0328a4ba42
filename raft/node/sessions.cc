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

void SessionTable::unlink(Session& session) {
  (session.older != nullptr ? session.older->newer : oldest_) = session.newer;
  (session.newer != nullptr ? session.newer->older : newest_) = session.older;
  session.older = session.newer = nullptr;
}

void SessionTable::link_newest(Session& session) {
  session.older = newest_;
  session.newer = nullptr;
  (newest_ != nullptr ? newest_->newer : oldest_) = &session;
  newest_ = &session;
}

std::vector<std::uint8_t>& SessionTable::record(std::uint64_t client_id, std::uint64_t sequence,
                                                Index index) {
  RAFTSIM_CHECK_MSG(index > last_index_, "sessions are recorded in log order");
  last_index_ = index;
  auto [it, inserted] = sessions_.try_emplace(client_id);
  Session& session = it->second;
  if (inserted) {
    session.client_id = client_id;
  } else {
    RAFTSIM_CHECK_MSG(sequence > session.sequence, "session sequence must increase");
    unlink(session);
  }
  session.sequence = sequence;
  session.index = index;
  session.reply.clear();
  link_newest(session);
  if (sessions_.size() > kSessionsMax) {
    Session& oldest = *oldest_;
    RAFTSIM_CHECK(&oldest != &session && oldest.index < index);
    unlink(oldest);
    sessions_.erase(oldest.client_id);
  }
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
