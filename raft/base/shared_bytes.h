// raftsim: an immutable byte string with shared ownership, for log entry payloads.
// An entry's bytes are written once and then read by the log, every follower's append, the
// storage mirror and the state machine; sharing one buffer among them saves a copy and a heap
// allocation at each of those steps. A SharedBytes may view a slice of a larger buffer, so a
// decoded message allocates one buffer for all the entries it carries. Copies share the buffer
// through a plain (non-atomic) reference count: a node and its buffers live on one thread.
// Invariants: 1. the bytes of a buffer never change once it is made; 2. a buffer lives exactly as
// long as some SharedBytes views it. Limit: kBytesMax bytes per buffer (an entry is far smaller),
// which keeps a SharedBytes at 16 bytes -- it sits in every log entry.
#pragma once

#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <iterator>
#include <new>
#include <span>
#include <utility>
#include <vector>

#include "raft/base/check.h"

namespace raftsim {

class SharedBytes {
 public:
  static constexpr std::size_t kBytesMax = UINT32_MAX;

  SharedBytes() = default;
  // Copies `bytes` into a new buffer (none for an empty input).
  explicit SharedBytes(std::span<const std::uint8_t> bytes) {
    if (bytes.empty()) return;
    std::uint8_t* storage = allocate(bytes.size());
    std::memcpy(storage, bytes.data(), bytes.size());
  }
  SharedBytes(const std::vector<std::uint8_t>& bytes)  // NOLINT: implicit, like a copy
      : SharedBytes(std::span<const std::uint8_t>(bytes)) {}
  SharedBytes(std::initializer_list<std::uint8_t> bytes)
      : SharedBytes(std::span<const std::uint8_t>(bytes.begin(), bytes.size())) {}
  template <std::forward_iterator Iterator>
  SharedBytes(Iterator first, Iterator last) {
    const auto count = static_cast<std::size_t>(std::distance(first, last));
    if (count == 0) return;
    std::uint8_t* storage = allocate(count);
    for (std::size_t i = 0; first != last; ++first, ++i) {
      storage[i] = static_cast<std::uint8_t>(*first);
    }
  }

  // A new buffer of `count` bytes for the caller to fill through `bytes` before making any copy
  // or slice of the result (after that the bytes must not change).
  static SharedBytes uninitialized(std::size_t count, std::uint8_t*& bytes) {
    SharedBytes result;
    bytes = count == 0 ? nullptr : result.allocate(count);
    return result;
  }

  SharedBytes(const SharedBytes& other)
      : block_(other.block_), offset_(other.offset_), size_(other.size_) {
    if (block_ != nullptr) ++block_->references;
  }
  SharedBytes(SharedBytes&& other) noexcept
      : block_(std::exchange(other.block_, nullptr)),
        offset_(std::exchange(other.offset_, 0)),
        size_(std::exchange(other.size_, 0)) {}
  SharedBytes& operator=(const SharedBytes& other) {
    SharedBytes copy(other);
    swap(copy);
    return *this;
  }
  SharedBytes& operator=(SharedBytes&& other) noexcept {
    SharedBytes moved(std::move(other));
    swap(moved);
    return *this;
  }
  ~SharedBytes() { release(); }

  // A view of [offset, offset + count) of these bytes that shares their buffer.
  SharedBytes slice(std::size_t offset, std::size_t count) const {
    SharedBytes result;
    if (count == 0) return result;
    RAFTSIM_CHECK(offset <= size_ && count <= size_ - offset);
    result.block_ = block_;
    result.offset_ = offset_ + static_cast<std::uint32_t>(offset);
    result.size_ = static_cast<std::uint32_t>(count);
    ++block_->references;
    return result;
  }

  const std::uint8_t* data() const {
    return block_ == nullptr ? nullptr : block_->bytes() + offset_;
  }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const std::uint8_t* begin() const { return data(); }
  const std::uint8_t* end() const { return data() + size_; }
  std::uint8_t operator[](std::size_t index) const { return data()[index]; }
  std::span<const std::uint8_t> span() const { return {data(), size_}; }
  operator std::span<const std::uint8_t>() const { return span(); }  // NOLINT: a view
  std::vector<std::uint8_t> to_vector() const { return {begin(), end()}; }

  void swap(SharedBytes& other) noexcept {
    std::swap(block_, other.block_);
    std::swap(offset_, other.offset_);
    std::swap(size_, other.size_);
  }

  friend bool operator==(const SharedBytes& x, const SharedBytes& y) {
    return x.size_ == y.size_ && (x.size_ == 0 || std::memcmp(x.data(), y.data(), x.size_) == 0);
  }

 private:
  struct Block {
    std::size_t references;  // a full word: keeps the bytes after it aligned
    std::uint8_t* bytes() { return reinterpret_cast<std::uint8_t*>(this + 1); }
  };

  // Makes a fresh buffer of `count` bytes owned by this (empty) object; returns its bytes.
  std::uint8_t* allocate(std::size_t count) {
    RAFTSIM_CHECK_MSG(count <= kBytesMax, "SharedBytes buffer too large");
    void* memory = ::operator new(sizeof(Block) + count);
    block_ = new (memory) Block{1};
    offset_ = 0;
    size_ = static_cast<std::uint32_t>(count);
    return block_->bytes();
  }
  void release() {
    if (block_ != nullptr && --block_->references == 0) ::operator delete(block_);
    block_ = nullptr;
  }

  Block* block_ = nullptr;
  std::uint32_t offset_ = 0;  // of the first byte in the block
  std::uint32_t size_ = 0;
};

}  // namespace raftsim
