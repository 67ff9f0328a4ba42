#include "sim/toys/gossip.h"

#include <algorithm>

#include "raft/base/check.h"
#include "raft/base/hash.h"

namespace raftsim::sim {

namespace {
constexpr std::uint64_t kTickTag = 1;
constexpr std::size_t kRecordBytes = 8;

void store_u64(std::uint8_t* out, std::uint64_t value) {
  for (int i = 0; i < 8; ++i) out[i] = static_cast<std::uint8_t>(value >> (8 * i));
}

std::uint64_t load_u64(const std::uint8_t* in) {
  std::uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value |= static_cast<std::uint64_t>(in[i]) << (8 * i);
  return value;
}
}  // namespace

GossipProcess::GossipProcess(Runtime& runtime, const GossipOptions& options)
    : runtime_(runtime),
      options_(options),
      random_(runtime.random_seed()),
      buffer_(std::max<std::uint32_t>(options.payload_bytes, kRecordBytes), 0) {
  RAFTSIM_CHECK(options.node_count >= 2 && options.sync_every >= 1);
}

void GossipProcess::start() {
  FileSystem& disk = runtime_.file_system();
  if (options_.persist) {
    auto size = disk.size(kLogFile);
    if (!size.ok()) {
      RAFTSIM_CHECK(disk.create(kLogFile).ok());
    } else {
      // A torn tail (a partial record) is cut off; whole records are the recovered state.
      const std::uint64_t whole = size.value() / kRecordBytes * kRecordBytes;
      auto bytes = disk.read(kLogFile, 0, whole);
      RAFTSIM_CHECK(bytes.ok());
      for (std::size_t at = 0; at + kRecordBytes <= bytes.value().size(); at += kRecordBytes) {
        counter_ = std::max(counter_, load_u64(bytes.value().data() + at));
        ++recovered_records_;
      }
      if (whole != size.value()) RAFTSIM_CHECK(disk.truncate(kLogFile, whole).ok());
    }
  }
  runtime_.start_timer(options_.interval, kTickTag);
}

void GossipProcess::send_to_random_peer() {
  auto peer = static_cast<NodeId>(random_.below(options_.node_count - 1));
  if (peer >= runtime_.self()) ++peer;  // any node but ourselves
  store_u64(buffer_.data(), ++counter_);
  runtime_.send(peer, buffer_);
}

void GossipProcess::on_message(NodeId /*from*/, std::span<const std::uint8_t> payload) {
  RAFTSIM_CHECK(payload.size() >= kRecordBytes);
  const std::uint64_t value = load_u64(payload.data());
  counter_ = std::max(counter_, value);
  ++received_;
  if (options_.persist) {
    std::uint8_t record[kRecordBytes];
    store_u64(record, value);
    FileSystem& disk = runtime_.file_system();
    // A full disk is a condition this program tolerates: it keeps running without the record.
    if (disk.append(kLogFile, record).ok() && ++unsynced_records_ >= options_.sync_every) {
      RAFTSIM_CHECK(disk.sync(kLogFile).ok());
      unsynced_records_ = 0;
    }
  }
  if (options_.reply_to_every_message) send_to_random_peer();
}

void GossipProcess::on_timer(std::uint64_t tag) {
  RAFTSIM_CHECK(tag == kTickTag);
  send_to_random_peer();
  runtime_.start_timer(options_.interval, kTickTag);
}

std::uint64_t GossipProcess::state_hash() const {
  return Hasher().add(counter_).add(received_).add(unsynced_records_).value();
}

}  // namespace raftsim::sim
