// raftsim linearizability: StringStates (see string_states.h).
#include "sim/linearizability/string_states.h"
#include "sim/linearizability/open_addressing.h"

#include "raft/base/check.h"
#include "raft/base/hash.h"

namespace raftsim::linearizability {
namespace {

// Mersenne prime modulus: products reduce with shifts; collisions only cost a byte compare.
constexpr std::uint64_t kModulus = (std::uint64_t{1} << 61) - 1;
constexpr std::uint64_t kBase = 0x0123456789abcdefULL % kModulus;
constexpr std::size_t kInitialSlots = 1024;
// Slot positions come from the 32-bit tag, which bounds the table size.
constexpr std::size_t kSlotsMax = std::size_t{1} << 32;

std::uint64_t multiply_mod(std::uint64_t a, std::uint64_t b) {
  const unsigned __int128 product = static_cast<unsigned __int128>(a) * b;
  std::uint64_t result =
      static_cast<std::uint64_t>(product & kModulus) + static_cast<std::uint64_t>(product >> 61);
  if (result >= kModulus) result -= kModulus;
  return result;
}

std::uint64_t add_mod(std::uint64_t a, std::uint64_t b) {
  const std::uint64_t sum = a + b;
  return sum >= kModulus ? sum - kModulus : sum;
}

std::uint64_t slot_hash(std::uint64_t hash, std::uint64_t length) {
  return mix64(hash ^ mix64(length));
}

}  // namespace

StringStates::StringStates() : slots_(kInitialSlots, 0) {
  RAFTSIM_CHECK(leaf("") == 0);
}

std::uint32_t StringStates::add(const Node& node, std::size_t slot, std::uint64_t tag) {
  RAFTSIM_CHECK_MSG(nodes_.size() < UINT32_MAX - 1, "too many string states");
  const auto id = static_cast<std::uint32_t>(nodes_.size());
  nodes_.push_back(node);
  slots_[slot] = (tag << 32) | (id + 1);
  if (nodes_.size() * 2 > slots_.size()) grow();
  return id;
}

template <typename Spell>
std::uint32_t StringStates::intern(Node candidate, Spell spell) {
  const std::uint64_t hash = slot_hash(candidate.hash, candidate.length);
  const std::uint64_t tag = hash >> 32;
  const std::size_t mask = slots_.size() - 1;
  std::size_t slot = tag & mask;  // from the tag, so grow() never needs to read a node
  bool spelled = false;
  std::uint32_t equal = kNone;
  for (; slots_[slot] != 0; slot = (slot + 1) & mask) {
    if ((slots_[slot] >> 32) != tag) continue;
    const auto id = static_cast<std::uint32_t>(slots_[slot] - 1);
    const Node& node = nodes_[id];
    if (node.hash != candidate.hash || node.length != candidate.length) continue;
    if (candidate.parent != kNone && node.parent == candidate.parent &&
        node.suffix == candidate.suffix) {
      return node.canonical == kNone ? id : node.canonical;  // same derivation
    }
    if (equal != kNone || node.canonical != kNone) continue;
    if (!spelled) {
      spell(scratch_a_);
      spelled = true;
    }
    spell_into(id, scratch_b_);
    if (scratch_a_ == scratch_b_) equal = id;
  }
  if (equal != kNone && candidate.parent == kNone) return equal;  // a leaf seen before
  candidate.canonical = equal;
  const std::uint32_t id = add(candidate, slot, tag);
  return equal == kNone ? id : equal;
}

std::uint32_t StringStates::leaf(std::string_view text) {
  Node node{0, 1, text.size(), kNone, kNone, bytes_.size(), kNone};
  for (unsigned char byte : text) {
    node.hash = add_mod(multiply_mod(node.hash, kBase), byte + 1);
    node.power = multiply_mod(node.power, kBase);
  }
  const std::size_t before = nodes_.size();
  const std::uint32_t id = intern(node, [&](std::string& out) { out.assign(text); });
  if (nodes_.size() > before) {
    bytes_.append(text);
  } else if (nodes_[id].parent != kNone) {
    // The string exists as an append node; later appends need it as a leaf with bytes, so
    // turn it into one (same id, same hash: nothing that refers to it changes).
    nodes_[id] = node;
    bytes_.append(text);
  }
  return id;
}

std::uint32_t StringStates::append(std::uint32_t parent, std::uint32_t suffix) {
  RAFTSIM_CHECK(parent < nodes_.size() && suffix < nodes_.size());
  const Node& tail = nodes_[suffix];
  RAFTSIM_CHECK_MSG(tail.parent == kNone, "append suffix must be a leaf");
  if (tail.length == 0) return parent;
  const Node& head = nodes_[parent];
  Node node{add_mod(multiply_mod(head.hash, tail.power), tail.hash),
            0,
            head.length + tail.length,
            parent,
            suffix,
            0,
            kNone};
  return intern(node, [&](std::string& out) {
    spell_into(parent, out);
    out.append(bytes_, nodes_[suffix].text_start, nodes_[suffix].length);
  });
}

void StringStates::spell_into(std::uint32_t id, std::string& out) const {
  chain_.clear();
  while (nodes_[id].parent != kNone) {
    chain_.push_back(nodes_[id].suffix);
    id = nodes_[id].parent;
  }
  out.assign(bytes_, nodes_[id].text_start, nodes_[id].length);
  for (auto link = chain_.rbegin(); link != chain_.rend(); ++link) {
    out.append(bytes_, nodes_[*link].text_start, nodes_[*link].length);
  }
}

bool StringStates::may_be_prefix_of(std::uint32_t id, std::uint32_t other) {
  const Node& node = nodes_[id];
  const Node& whole = nodes_[other];
  if (node.length > whole.length) return false;
  if (whole.parent != kNone) return true;  // no prefix table for append nodes: cannot tell
  if (prefix_table_of_.size() <= other) prefix_table_of_.resize(other + 1, 0);
  if (prefix_table_of_[other] == 0) {
    std::vector<std::uint64_t> table(1, 0);
    table.reserve(whole.length + 1);
    for (std::uint64_t offset = 0; offset < whole.length; ++offset) {
      const auto byte = static_cast<unsigned char>(bytes_[whole.text_start + offset]);
      table.push_back(add_mod(multiply_mod(table.back(), kBase), byte + 1));
    }
    prefix_tables_.push_back(std::move(table));
    prefix_table_of_[other] = static_cast<std::uint32_t>(prefix_tables_.size());
  }
  return prefix_tables_[prefix_table_of_[other] - 1][node.length] == node.hash;
}

std::string StringStates::text(std::uint32_t id) const {
  std::string out;
  spell_into(id, out);
  return out;
}

void StringStates::grow() {
  RAFTSIM_CHECK_MSG(slots_.size() < kSlotsMax, "string state table full");
  slots_ = doubled_table(slots_);
}

}  // namespace raftsim::linearizability
