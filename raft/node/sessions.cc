#include "raft/node/sessions.h"

#include "raft/base/check.h"
#include "raft/base/hash.h"
#include "raft/core/codec.h"

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

void SessionTable::save(std::vector<std::uint8_t>& out) const {
  put_u64(out, sessions_.size());
  put_u64(out, last_index_);
  for (const Session* session = oldest_; session != nullptr; session = session->newer) {
    put_u64(out, session->client_id);
    put_u64(out, session->sequence);
    put_u64(out, session->index);
    put_u32(out, static_cast<std::uint32_t>(session->reply.size()));
    put_bytes(out, session->reply);
  }
}

Status SessionTable::load(std::span<const std::uint8_t> bytes) {
  auto corrupt = [](const std::string& what) {
    return Status(StatusCode::corruption, "session table: " + what);
  };
  ByteReader reader(bytes);
  std::uint64_t count = 0, last_index = 0;
  if (!reader.read_u64(count) || !reader.read_u64(last_index)) return corrupt("truncated header");
  if (count > kSessionsMax || count > reader.remaining() / 28) return corrupt("bad session count");
  std::map<std::uint64_t, Session> loaded;
  std::vector<Session*> order;
  order.reserve(count);
  Index previous = 0;
  for (std::uint64_t i = 0; i < count; ++i) {
    Session session;
    std::uint32_t reply_bytes = 0;
    if (!reader.read_u64(session.client_id) || !reader.read_u64(session.sequence) ||
        !reader.read_u64(session.index) || !reader.read_u32(reply_bytes) ||
        !reader.read_bytes(reply_bytes, session.reply)) {
      return corrupt("truncated session");
    }
    if (session.index <= previous || session.index > last_index) {
      return corrupt("sessions out of log order");
    }
    previous = session.index;
    auto [it, inserted] = loaded.emplace(session.client_id, std::move(session));
    if (!inserted) return corrupt("a client appears twice");
    order.push_back(&it->second);
  }
  if (reader.remaining() != 0) return corrupt("trailing bytes");
  sessions_ = std::move(loaded);  // map nodes keep their addresses across the move
  oldest_ = newest_ = nullptr;
  for (Session* session : order) link_newest(*session);
  last_index_ = last_index;
  return Status();
}

std::uint64_t SessionTable::state_hash() const {
  Hasher hasher;
  for (const auto& [client, session] : sessions_) {
    hasher.add(client).add(session.sequence).add(session.index).add_bytes(session.reply);
  }
  return hasher.value();
}

}  // namespace raftsim
