// raftsim: the simulated network between nodes.
// Messages are opaque byte payloads; the network never looks inside. Each directed link has its
// own latency range, loss, duplication, reordering and extra (clogged) delay, drawn from the
// network's own random stream. Connectivity is a directed matrix, so symmetric partitions,
// one-way cuts and bridges are all just patterns of closed links. A message is dropped if its
// link is closed when it is sent *or* when it would arrive: nothing ever crosses a partition.
// Limits: kNodesMax nodes, kMessageBytesMax per payload (a bigger one is a caller bug and
// aborts), kInFlightMessagesMax in flight (beyond it a send is dropped, like a full buffer).
// A fault may also delay one class of messages on a link (say, vote replies): the network learns
// a payload's class only from a classifier its owner installs, so it still never parses payloads.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "raft/base/status.h"
#include "sim/kernel/random.h"
#include "sim/kernel/scheduler.h"
#include "sim/kernel/slot_pool.h"
#include "sim/kernel/trace.h"

namespace raftsim::sim {

using NodeIndex = std::uint32_t;

struct LinkConfig {
  Time latency_min = milliseconds(1);
  Time latency_max = milliseconds(5);  // uniform in [min, max]: jitter reorders messages
  Ratio loss = Ratio::zero();
  Ratio duplicate = Ratio::zero();  // a duplicate gets its own independently drawn latency
  Ratio reorder = Ratio::zero();    // chance of an extra delay in [0, reorder_delay_max]
  Time reorder_delay_max = 0;
  Time extra_latency = 0;  // a slow / clogged link adds this to every message

  Status validate() const;
  friend bool operator==(const LinkConfig&, const LinkConfig&) = default;
};

// Receives what the network delivers; the host decides whether its process can take it.
class MessageSink {
 public:
  virtual void on_network_message(NodeIndex from, std::uint64_t message_id,
                                  std::span<const std::uint8_t> payload) = 0;
  // The same with the network's own buffer: a sink that keeps the payload for later may swap the
  // buffer out (leaving a spare one) instead of copying it. Valid only until the sink returns or
  // anything is sent, whichever comes first. By default, on_network_message.
  virtual void on_network_buffer(NodeIndex from, std::uint64_t message_id,
                                 std::vector<std::uint8_t>& payload) {
    on_network_message(from, message_id, payload);
  }

 protected:
  ~MessageSink() = default;
};

class Network final : public EventTarget {
 public:
  static constexpr NodeIndex kNodesMax = 64;
  static constexpr std::size_t kMessageBytesMax = std::size_t{16} << 20;
  static constexpr std::size_t kInFlightMessagesMax = std::size_t{1} << 20;

  Network(NodeIndex node_count, const LinkConfig& link, Random random, Scheduler& scheduler,
          Trace& trace);
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;

  void attach(NodeIndex node, MessageSink& sink);
  // Optional: turns a payload into a short label stored with its send in a recording trace
  // (diagrams show it on the arrow). The network itself still never interprets payloads.
  using PayloadDescriber = std::function<std::string(std::span<const std::uint8_t>)>;
  void set_payload_describer(PayloadDescriber describer) { describer_ = std::move(describer); }
  // Optional: sorts a payload into a class, 1..kMessageClassesMax - 1 (0: unclassified, never
  // delayed by class). Consulted only while some class delay is set.
  static constexpr std::uint8_t kMessageClassesMax = 32;
  using PayloadClassifier = std::function<std::uint8_t(std::span<const std::uint8_t>)>;
  void set_payload_classifier(PayloadClassifier classifier) { classifier_ = std::move(classifier); }
  // Returns the message id (never 0), also when the message is dropped at once.
  std::uint64_t send(NodeIndex from, NodeIndex to, std::span<const std::uint8_t> payload);
  // The same for a payload in a buffer the caller is done with: the network may take the buffer
  // instead of copying it, leaving a spare buffer (any contents) in its place.
  std::uint64_t send_buffer(NodeIndex from, NodeIndex to, std::vector<std::uint8_t>& payload);

  // --- faults ---
  Status set_link(NodeIndex from, NodeIndex to, const LinkConfig& config);
  Status set_all_links(const LinkConfig& config);
  const LinkConfig& link(NodeIndex from, NodeIndex to) const;
  // What a partition does to nodes that no group lists.
  enum class Unlisted { form_a_group, keep_their_links };
  // Nodes in different groups cannot talk; nodes in no group form one more group together, or
  // (keep_their_links) stay connected to everyone -- e.g. clients outside a cluster partition.
  Status partition(const std::vector<std::vector<NodeIndex>>& groups,
                   Unlisted unlisted = Unlisted::form_a_group);
  // Cuts `node` off in both directions.
  Status isolate(NodeIndex node);
  // Closes only from -> to; to -> from keeps working.
  Status block_one_way(NodeIndex from, NodeIndex to);
  // side_a and side_b cannot talk to each other; every bridge node talks to everyone.
  Status partition_bridge(const std::vector<NodeIndex>& side_a,
                          const std::vector<NodeIndex>& bridge,
                          const std::vector<NodeIndex>& side_b);
  Status set_link_open(NodeIndex from, NodeIndex to, bool open);
  // Opens every link (link configs such as loss or latency stay as they are).
  void heal();
  // Every message of `message_class` sent from -> to from now on takes `delay` longer (0: back to
  // normal), on top of the link's own latency; the link's delay bound applies to the sum.
  Status set_class_delay(NodeIndex from, NodeIndex to, std::uint8_t message_class, Time delay);
  Time class_delay(NodeIndex from, NodeIndex to, std::uint8_t message_class) const;
  // Removes every class delay.
  void clear_class_delays();

  bool link_open(NodeIndex from, NodeIndex to) const { return open_[index(from, to)] != 0; }
  NodeIndex node_count() const { return node_count_; }
  std::size_t in_flight() const { return in_flight_count_; }
  std::uint64_t messages_sent() const { return next_message_id_ - 1; }
  std::uint64_t messages_delivered() const { return delivered_; }
  std::uint64_t messages_dropped() const { return dropped_; }
  void hash_into(Hasher& hasher) const;

  void on_event(std::uint32_t kind, std::uint64_t a, std::uint64_t b) override;

 private:
  struct InFlight {
    NodeIndex from = 0;
    NodeIndex to = 0;
    std::uint64_t message_id = 0;
    std::vector<std::uint8_t> payload;  // capacity is kept when the slot is recycled
    bool live = false;
  };
  enum EventKind : std::uint32_t { kDeliver = 1 };

  std::size_t index(NodeIndex from, NodeIndex to) const { return from * node_count_ + to; }
  Status check_node(NodeIndex node) const;
  Time draw_latency(const LinkConfig& config);
  // The class delay of this payload on from -> to (0 when none is set: no classifier call).
  Time class_delay_of(NodeIndex from, NodeIndex to, std::span<const std::uint8_t> payload) const;
  std::uint64_t send_impl(NodeIndex from, NodeIndex to, std::span<const std::uint8_t> payload,
                          std::vector<std::uint8_t>* buffer);
  // Copies `payload` into a slot, or, given `buffer` (which holds the payload), swaps it in.
  void enqueue_copy(NodeIndex from, NodeIndex to, std::uint64_t message_id,
                    std::span<const std::uint8_t> payload, Time latency,
                    std::vector<std::uint8_t>* buffer = nullptr);
  void drop(NodeIndex from, NodeIndex to, std::uint64_t message_id, std::size_t bytes,
            const char* reason);
  void record_change(std::string description);

  NodeIndex node_count_;
  Random random_;
  Scheduler& scheduler_;
  Trace& trace_;
  std::vector<LinkConfig> links_;
  std::vector<std::uint8_t> open_;
  std::vector<MessageSink*> sinks_;
  PayloadDescriber describer_;
  PayloadClassifier classifier_;
  // node_count^2 * kMessageClassesMax delays, allocated at the first class delay; how many are set.
  std::vector<Time> class_delays_;
  std::size_t class_delays_set_ = 0;
  SlotPool<InFlight> slots_;
  std::size_t in_flight_count_ = 0;
  std::uint64_t next_message_id_ = 1;
  std::uint64_t delivered_ = 0;
  std::uint64_t dropped_ = 0;
};

}  // namespace raftsim::sim
