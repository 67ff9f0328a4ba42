// raftsim: the vocabulary of the Raft core -- terms, indices, node ids, log entries and the
// persistent "hard state" (term and vote). Plain values with defaulted comparison, so tests and
// the model checker can copy, compare and hash them.
#pragma once

#include <compare>
#include <cstdint>
#include <vector>

#include "raft/base/shared_bytes.h"

namespace raftsim {

using NodeId = std::uint32_t;
using Term = std::uint64_t;
using Index = std::uint64_t;

constexpr NodeId kNoNode = UINT32_MAX;

enum class EntryType : std::uint8_t {
  normal = 0,  // a client command for the state machine
  noop = 1,    // appended by a new leader to commit entries of earlier terms (paper §5.4.2, §8)
  config = 2,  // a membership (raft/membership): in force from the moment it is appended
};

struct Entry {
  Term term = 0;
  Index index = 0;
  EntryType type = EntryType::normal;
  SharedBytes data;  // shared, never copied: log, appends and storage all view one buffer

  friend bool operator==(const Entry&, const Entry&) = default;
};

// The last log entry a snapshot covers: the log before and at `index` is replaced by it.
struct SnapshotMeta {
  Index index = 0;
  Term term = 0;

  friend bool operator==(const SnapshotMeta&, const SnapshotMeta&) = default;
};

// A state machine image as the core moves it around: opaque bytes plus what they cover.
struct Snapshot {
  SnapshotMeta meta;
  SharedBytes data;
  // The membership in force at meta.index, encoded (encode_membership); empty: the bootstrap
  // membership of RaftConfig.
  SharedBytes membership;

  friend bool operator==(const Snapshot&, const Snapshot&) = default;
};

// What must be on disk before any message that depends on it leaves the node.
struct HardState {
  Term term = 0;
  NodeId vote = kNoNode;

  friend bool operator==(const HardState&, const HardState&) = default;
};

}  // namespace raftsim
