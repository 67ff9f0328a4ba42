// raftsim: GossipProcess, a small node program for kernel demos, tests and benchmarks.
// It is not Raft; it exercises every kernel path a real node uses. Every `interval` of local time
// it sends its counter to a random peer; every message it receives is appended to a log file as
// an 8-byte record and synced every `sync_every` records; on start it recovers its counter from
// that log, so crash/restart and torn writes are visible in its state. Payloads are
// `payload_bytes` long (>= 8: the counter, then filler).
#pragma once

#include <cstdint>

#include "raft/io/runtime.h"
#include "sim/kernel/random.h"
#include "sim/kernel/time.h"

namespace raftsim::sim {

struct GossipOptions {
  std::uint32_t node_count = 3;
  Time interval = milliseconds(20);
  std::uint32_t sync_every = 4;
  std::uint32_t payload_bytes = 16;
  bool reply_to_every_message = false;  // floods the network: used by the delivery benchmark
  bool persist = true;                  // benchmarks can turn the disk off
};

class GossipProcess final : public Process {
 public:
  static constexpr const char* kLogFile = "gossip.log";

  GossipProcess(Runtime& runtime, const GossipOptions& options);

  void start() override;
  void on_message(NodeId from, std::span<const std::uint8_t> payload) override;
  void on_timer(std::uint64_t tag) override;
  std::uint64_t state_hash() const override;

  std::uint64_t counter() const { return counter_; }
  std::uint64_t received() const { return received_; }
  std::uint64_t recovered_records() const { return recovered_records_; }

 private:
  void send_to_random_peer();

  Runtime& runtime_;
  GossipOptions options_;
  Random random_;
  std::uint64_t counter_ = 0;
  std::uint64_t received_ = 0;
  std::uint64_t recovered_records_ = 0;
  std::uint32_t unsynced_records_ = 0;
  std::vector<std::uint8_t> buffer_;
};

}  // namespace raftsim::sim
