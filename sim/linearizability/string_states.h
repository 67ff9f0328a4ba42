// raftsim linearizability: interned strings built by put and append, for the KV model.
// A string is a node: either a leaf holding its bytes (values that appear in the history) or an
// append node (parent string + leaf suffix) that stores no bytes, so appending costs O(1) memory.
// Each node carries its length and a polynomial hash mod 2^61-1, which composes under
// concatenation in O(1). Interning is exact: equal hashes and lengths are confirmed by comparing
// the bytes, so two nodes have the same id iff they spell the same string.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace raftsim::linearizability {

class StringStates {
 public:
  StringStates();

  // Interns a literal (a value from the history).
  std::uint32_t leaf(std::string_view text);
  // Interns parent + suffix; suffix must be a leaf id.
  std::uint32_t append(std::uint32_t parent, std::uint32_t suffix);
  std::uint32_t empty() const { return 0; }
  std::string text(std::uint32_t id) const;
  // "text(id) may be a prefix of text(other)", by lengths and hashes. false is certain (a true
  // prefix has the same hash); true may be wrong with probability about 2^-61, and is also the
  // answer when `other` is not a leaf. So false may prune, true only costs search time.
  bool may_be_prefix_of(std::uint32_t id, std::uint32_t other);
  std::size_t size() const { return nodes_.size(); }

 private:
  struct Node {
    std::uint64_t hash;
    std::uint64_t power;  // base^length mod p, needed when this node is a suffix
    std::uint64_t length;
    std::uint32_t parent;      // append node: the prefix; leaf: kNone
    std::uint32_t suffix;      // append node: the suffix leaf; leaf: kNone
    std::uint64_t text_start;  // leaf: offset in bytes_
    // An append node whose string already existed under another id records that id, so the
    // next identical append is answered structurally, without comparing bytes again.
    std::uint32_t canonical;
  };
  static constexpr std::uint32_t kNone = UINT32_MAX;

  // Finds a node equal to `candidate` or adds it; `spell` writes the candidate's bytes.
  template <typename Spell>
  std::uint32_t intern(Node candidate, Spell spell);
  std::uint32_t add(const Node& node, std::size_t slot, std::uint64_t tag);
  void spell_into(std::uint32_t id, std::string& out) const;
  void grow();

  std::vector<Node> nodes_;
  std::string bytes_;  // leaf texts back to back
  // Per slot: (32-bit hash tag << 32) | (node id + 1); 0 = empty. Power-of-two size. The tag
  // rejects most mismatches without touching the node.
  std::vector<std::uint64_t> slots_;
  mutable std::string scratch_a_, scratch_b_;
  // Prefix hashes of leaves asked about by may_be_prefix_of(), computed on first use.
  std::vector<std::uint32_t> prefix_table_of_;  // leaf id -> index + 1 into prefix_tables_
  std::vector<std::vector<std::uint64_t>> prefix_tables_;
  mutable std::vector<std::uint32_t> chain_;
};

}  // namespace raftsim::linearizability
