#include "sim/kernel/network.h"

#include <algorithm>

#include "raft/base/check.h"

namespace raftsim::sim {

namespace {

std::uint64_t payload_digest(std::span<const std::uint8_t> payload) {
  return Hasher().add_bytes(payload).value();
}

std::string describe_group(const std::vector<NodeIndex>& nodes) {
  std::string text = "{";
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    if (i > 0) text += ",";
    text += std::to_string(nodes[i]);
  }
  return text + "}";
}

}  // namespace

Status LinkConfig::validate() const {
  if (latency_min < 0 || latency_max < latency_min) {
    return Status(StatusCode::invalid_argument, "latency range must satisfy 0 <= min <= max");
  }
  if (!loss.valid() || !duplicate.valid() || !reorder.valid()) {
    return Status(StatusCode::invalid_argument, "probabilities must lie in [0, 1]");
  }
  if (reorder_delay_max < 0 || extra_latency < 0) {
    return Status(StatusCode::invalid_argument, "delays must not be negative");
  }
  if (latency_max + extra_latency + reorder_delay_max > seconds(3600)) {
    return Status(StatusCode::invalid_argument, "a message may be delayed by at most one hour");
  }
  return Status();
}

Network::Network(NodeIndex node_count, const LinkConfig& link, Random random, Scheduler& scheduler,
                 Trace& trace)
    : node_count_(node_count),
      random_(random),
      scheduler_(scheduler),
      trace_(trace),
      links_(std::size_t{node_count} * node_count, link),
      open_(std::size_t{node_count} * node_count, 1),
      sinks_(node_count, nullptr) {
  RAFTSIM_CHECK(node_count >= 1 && node_count <= kNodesMax);
  RAFTSIM_CHECK_MSG(link.validate().ok(), "invalid default link config");
}

void Network::attach(NodeIndex node, MessageSink& sink) {
  RAFTSIM_CHECK(node < node_count_);
  sinks_[node] = &sink;
}

Status Network::check_node(NodeIndex node) const {
  if (node >= node_count_) {
    return Status(StatusCode::invalid_argument, "node " + std::to_string(node) +
                                                    " does not exist (cluster has " +
                                                    std::to_string(node_count_) + " nodes)");
  }
  return Status();
}

Time Network::draw_latency(const LinkConfig& config) {
  Time latency = random_.between(config.latency_min, config.latency_max) + config.extra_latency;
  if (!config.reorder.is_zero() && random_.chance(config.reorder)) {
    latency += random_.between(0, config.reorder_delay_max);
  }
  return latency;
}

std::uint64_t Network::send(NodeIndex from, NodeIndex to, std::span<const std::uint8_t> payload) {
  return send_impl(from, to, payload, nullptr);
}

std::uint64_t Network::send_buffer(NodeIndex from, NodeIndex to,
                                   std::vector<std::uint8_t>& payload) {
  return send_impl(from, to, payload, &payload);
}

std::uint64_t Network::send_impl(NodeIndex from, NodeIndex to,
                                 std::span<const std::uint8_t> payload,
                                 std::vector<std::uint8_t>* buffer) {
  RAFTSIM_CHECK(from < node_count_ && to < node_count_);
  RAFTSIM_CHECK_MSG(payload.size() <= kMessageBytesMax, "payload exceeds kMessageBytesMax");
  const std::uint64_t message_id = next_message_id_++;
  const bool describe = describer_ != nullptr;
  trace_.record(scheduler_.now(), TraceKind::send, from, to, message_id, payload.size(),
                payload_digest(payload), describe ? describer_(payload) : std::string());
  if (!link_open(from, to)) {
    drop(from, to, message_id, payload.size(), "partitioned at send");
    return message_id;
  }
  const LinkConfig& config = links_[index(from, to)];
  if (!config.loss.is_zero() && random_.chance(config.loss)) {
    drop(from, to, message_id, payload.size(), "lost");
    return message_id;
  }
  // With `buffer`, the first copy takes it over; `payload` still views the same bytes (a swap
  // moves ownership of the memory, not the memory), so a duplicate copies from there.
  const Time class_delay = class_delay_of(from, to, payload);
  enqueue_copy(from, to, message_id, payload, draw_latency(config) + class_delay, buffer);
  if (!config.duplicate.is_zero() && random_.chance(config.duplicate)) {
    enqueue_copy(from, to, message_id, payload, draw_latency(config) + class_delay);
  }
  return message_id;
}

Time Network::class_delay_of(NodeIndex from, NodeIndex to,
                             std::span<const std::uint8_t> payload) const {
  if (class_delays_set_ == 0 || classifier_ == nullptr) return 0;
  const std::uint8_t message_class = classifier_(payload);
  if (message_class == 0 || message_class >= kMessageClassesMax) return 0;
  return class_delays_[index(from, to) * kMessageClassesMax + message_class];
}

void Network::enqueue_copy(NodeIndex from, NodeIndex to, std::uint64_t message_id,
                           std::span<const std::uint8_t> payload, Time latency,
                           std::vector<std::uint8_t>* buffer) {
  if (in_flight_count_ >= kInFlightMessagesMax) {
    drop(from, to, message_id, payload.size(), "network buffer full");
    return;
  }
  const std::uint32_t slot_index = slots_.acquire();
  InFlight& slot = slots_[slot_index];
  RAFTSIM_CHECK(!slot.live);
  slot.from = from;
  slot.to = to;
  slot.message_id = message_id;
  if (buffer != nullptr) {
    RAFTSIM_CHECK(buffer->data() == payload.data() && buffer->size() == payload.size());
    slot.payload.swap(*buffer);
  } else {
    slot.payload.assign(payload.begin(), payload.end());
  }
  slot.live = true;
  ++in_flight_count_;
  scheduler_.schedule_after(latency, *this, kDeliver, slot_index);
}

void Network::on_event(std::uint32_t kind, std::uint64_t a, std::uint64_t /*b*/) {
  RAFTSIM_CHECK(kind == kDeliver && a < slots_.size());
  const auto slot_index = static_cast<std::uint32_t>(a);
  InFlight& slot = slots_[slot_index];
  RAFTSIM_CHECK(slot.live);
  slot.live = false;
  --in_flight_count_;
  // The slot goes back to the free list only after the sink returns: the sink may send, and a
  // send must not overwrite the payload we are handing out.
  if (!link_open(slot.from, slot.to)) {
    drop(slot.from, slot.to, slot.message_id, slot.payload.size(), "partitioned in flight");
  } else {
    MessageSink* sink = sinks_[slot.to];
    RAFTSIM_CHECK_MSG(sink != nullptr, "message for a node without a sink");
    ++delivered_;
    sink->on_network_buffer(slot.from, slot.message_id, slot.payload);
  }
  slots_.release(slot_index);
}

void Network::drop(NodeIndex from, NodeIndex to, std::uint64_t message_id, std::size_t bytes,
                   const char* reason) {
  ++dropped_;
  trace_.record(scheduler_.now(), TraceKind::drop, to, from, message_id, bytes, 0, reason);
}

void Network::record_change(std::string description) {
  trace_.record(scheduler_.now(), TraceKind::network_change, kNoNode, kNoNode, 0, 0, 0,
                description);
}

Status Network::set_link(NodeIndex from, NodeIndex to, const LinkConfig& config) {
  if (Status status = check_node(from); !status.ok()) return status;
  if (Status status = check_node(to); !status.ok()) return status;
  if (Status status = config.validate(); !status.ok()) return status;
  links_[index(from, to)] = config;
  record_change("link " + std::to_string(from) + "->" + std::to_string(to) + " reconfigured");
  return Status();
}

Status Network::set_all_links(const LinkConfig& config) {
  if (Status status = config.validate(); !status.ok()) return status;
  std::fill(links_.begin(), links_.end(), config);
  record_change("all links reconfigured");
  return Status();
}

const LinkConfig& Network::link(NodeIndex from, NodeIndex to) const {
  RAFTSIM_CHECK(from < node_count_ && to < node_count_);
  return links_[index(from, to)];
}

Status Network::set_link_open(NodeIndex from, NodeIndex to, bool open) {
  if (Status status = check_node(from); !status.ok()) return status;
  if (Status status = check_node(to); !status.ok()) return status;
  open_[index(from, to)] = open ? 1 : 0;
  record_change(std::string(open ? "open " : "close ") + std::to_string(from) + "->" +
                std::to_string(to));
  return Status();
}

Status Network::partition(const std::vector<std::vector<NodeIndex>>& groups, Unlisted unlisted) {
  constexpr std::uint32_t kUnlisted = UINT32_MAX;
  std::vector<std::uint32_t> group_of(node_count_, kUnlisted);
  std::string description = "partition";
  for (std::uint32_t group = 0; group < groups.size(); ++group) {
    for (NodeIndex node : groups[group]) {
      if (Status status = check_node(node); !status.ok()) return status;
      if (group_of[node] != kUnlisted) {
        return Status(StatusCode::invalid_argument,
                      "node " + std::to_string(node) + " appears in two partition groups");
      }
      group_of[node] = group;
    }
    description += " " + describe_group(groups[group]);
  }
  for (NodeIndex from = 0; from < node_count_; ++from) {
    for (NodeIndex to = 0; to < node_count_; ++to) {
      const bool either_unlisted = group_of[from] == kUnlisted || group_of[to] == kUnlisted;
      if (unlisted == Unlisted::keep_their_links && either_unlisted) {
        open_[index(from, to)] = 1;
      } else {
        open_[index(from, to)] = group_of[from] == group_of[to] ? 1 : 0;
      }
    }
  }
  if (unlisted == Unlisted::keep_their_links) description += " (others keep their links)";
  record_change(description);
  return Status();
}

Status Network::isolate(NodeIndex node) {
  if (Status status = check_node(node); !status.ok()) return status;
  for (NodeIndex other = 0; other < node_count_; ++other) {
    if (other == node) continue;
    open_[index(node, other)] = 0;
    open_[index(other, node)] = 0;
  }
  record_change("isolate " + std::to_string(node));
  return Status();
}

Status Network::block_one_way(NodeIndex from, NodeIndex to) {
  if (Status status = check_node(from); !status.ok()) return status;
  if (Status status = check_node(to); !status.ok()) return status;
  if (from == to) return Status(StatusCode::invalid_argument, "a node cannot block itself");
  open_[index(from, to)] = 0;
  record_change("block " + std::to_string(from) + "->" + std::to_string(to));
  return Status();
}

Status Network::partition_bridge(const std::vector<NodeIndex>& side_a,
                                 const std::vector<NodeIndex>& bridge,
                                 const std::vector<NodeIndex>& side_b) {
  std::vector<std::uint8_t> seen(node_count_, 0);
  for (const auto* group : {&side_a, &bridge, &side_b}) {
    for (NodeIndex node : *group) {
      if (Status status = check_node(node); !status.ok()) return status;
      if (seen[node]) {
        return Status(StatusCode::invalid_argument,
                      "node " + std::to_string(node) + " appears twice in the bridge partition");
      }
      seen[node] = 1;
    }
  }
  std::fill(open_.begin(), open_.end(), 1);
  for (NodeIndex a : side_a) {
    for (NodeIndex b : side_b) {
      open_[index(a, b)] = 0;
      open_[index(b, a)] = 0;
    }
  }
  record_change("bridge " + describe_group(side_a) + " <" + describe_group(bridge) + "> " +
                describe_group(side_b));
  return Status();
}

void Network::heal() {
  std::fill(open_.begin(), open_.end(), 1);
  record_change("heal");
}

Status Network::set_class_delay(NodeIndex from, NodeIndex to, std::uint8_t message_class,
                                Time delay) {
  if (Status status = check_node(from); !status.ok()) return status;
  if (Status status = check_node(to); !status.ok()) return status;
  if (message_class == 0 || message_class >= kMessageClassesMax) {
    return Status(StatusCode::invalid_argument, "message class out of range");
  }
  if (delay < 0 || delay > seconds(3600)) {
    return Status(StatusCode::invalid_argument, "a class delay lies in [0, 1 hour]");
  }
  if (class_delays_.empty()) {
    class_delays_.assign(std::size_t{node_count_} * node_count_ * kMessageClassesMax, 0);
  }
  Time& slot = class_delays_[index(from, to) * kMessageClassesMax + message_class];
  class_delays_set_ -= slot != 0 ? 1 : 0;
  class_delays_set_ += delay != 0 ? 1 : 0;
  slot = delay;
  record_change("class " + std::to_string(message_class) + " " + std::to_string(from) + "->" +
                std::to_string(to) + " delayed " + std::to_string(delay / kMillisecond) + " ms");
  return Status();
}

Time Network::class_delay(NodeIndex from, NodeIndex to, std::uint8_t message_class) const {
  RAFTSIM_CHECK(from < node_count_ && to < node_count_ && message_class < kMessageClassesMax);
  return class_delays_.empty()
             ? 0
             : class_delays_[index(from, to) * kMessageClassesMax + message_class];
}

void Network::clear_class_delays() {
  if (class_delays_set_ == 0) return;  // nothing to undo: no trace record either
  std::fill(class_delays_.begin(), class_delays_.end(), 0);
  class_delays_set_ = 0;
  record_change("class delays cleared");
}

void Network::hash_into(Hasher& hasher) const {
  hasher.add(node_count_);
  for (std::uint8_t open : open_) hasher.add(open);
  for (const LinkConfig& config : links_) {
    hasher.add(static_cast<std::uint64_t>(config.latency_min))
        .add(static_cast<std::uint64_t>(config.latency_max))
        .add(config.loss.numerator)
        .add(config.loss.denominator)
        .add(config.duplicate.numerator)
        .add(config.duplicate.denominator)
        .add(config.reorder.numerator)
        .add(config.reorder.denominator)
        .add(static_cast<std::uint64_t>(config.reorder_delay_max))
        .add(static_cast<std::uint64_t>(config.extra_latency));
  }
  // Only while a class delay is set, so hashes of runs without one are what they always were.
  if (class_delays_set_ != 0) {
    for (Time delay : class_delays_) hasher.add(static_cast<std::uint64_t>(delay));
  }
  // In-flight messages as a multiset: order of slots must not matter, so sort their digests.
  std::vector<std::uint64_t> digests;
  for (const InFlight& slot : slots_) {
    if (!slot.live) continue;
    digests.push_back(Hasher().add(slot.from).add(slot.to).add_bytes(slot.payload).value());
  }
  std::sort(digests.begin(), digests.end());
  for (std::uint64_t digest : digests) hasher.add(digest);
}

}  // namespace raftsim::sim
