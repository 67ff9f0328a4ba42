// raftsim: client sessions (Raft thesis §6.3), so a command retried after a lost reply is
// applied once. Part of the replicated state: every replica applies the same log, so every
// replica holds the same table. For each client the last applied sequence and its reply are kept
// (closed-loop clients have one command outstanding). Limit: kSessionsMax clients; beyond it the
// session applied longest ago (lowest log index) is dropped -- a retry from that client after
// eviction would run again, so clients must not stay silent that long (documented limit).
// Invariants: 1. record() sees increasing log indices (commands apply in log order); 2. the
// eviction list holds every session once, ordered by the index it last applied at.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <vector>

#include "raft/base/status.h"
#include "raft/core/types.h"

namespace raftsim {

class SessionTable {
 public:
  static constexpr std::size_t kSessionsMax = 100'000;

  SessionTable() = default;
  // The eviction list links sessions by address: a table is neither copied nor moved.
  SessionTable(const SessionTable&) = delete;
  SessionTable& operator=(const SessionTable&) = delete;

  enum class Verdict { apply, duplicate, stale };
  struct Lookup {
    Verdict verdict;
    std::span<const std::uint8_t> cached_reply;  // for duplicate; valid until the next record()
  };

  Lookup check(std::uint64_t client_id, std::uint64_t sequence) const;
  // Records that the client's command `sequence` was applied at log index `index`, and returns
  // the session's reply buffer, emptied, for the state machine to write the reply into (the
  // buffer keeps its capacity from one command to the next).
  std::vector<std::uint8_t>& record(std::uint64_t client_id, std::uint64_t sequence, Index index);
  std::size_t size() const { return sessions_.size(); }
  std::uint64_t state_hash() const;
  // Snapshots: the table as bytes (oldest applied first), and back. load() replaces the table,
  // or leaves it unchanged and returns corruption if the bytes are malformed.
  void save(std::vector<std::uint8_t>& out) const;
  Status load(std::span<const std::uint8_t> bytes);

 private:
  struct Session {
    std::uint64_t client_id = 0;
    std::uint64_t sequence = 0;
    Index index = 0;
    std::vector<std::uint8_t> reply;
    Session* older = nullptr;  // eviction list neighbours (map nodes do not move)
    Session* newer = nullptr;
  };
  void unlink(Session& session);
  void link_newest(Session& session);

  std::map<std::uint64_t, Session> sessions_;
  // Eviction order, oldest applied first: since indices only grow, moving a session to the
  // newest end on every record() keeps the list sorted by index without searching.
  Session* oldest_ = nullptr;
  Session* newest_ = nullptr;
  Index last_index_ = 0;
};

}  // namespace raftsim
