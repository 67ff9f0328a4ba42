#include "sim/cluster/service_cluster.h"

#include "jobqueue/kv/kv_store.h"
#include "jobqueue/queue/job_queue.h"
#include "raft/base/check.h"
#include "raft/core/codec.h"
#include "raft/node/wire.h"

namespace raftsim::sim {

Status ServiceClusterOptions::validate() const {
  const NodeIndex processes = server_slots() + clients + (admin_client ? 1 : 0);
  if (nodes < 1 || processes > Network::kNodesMax) {
    return Status(StatusCode::invalid_argument, "need 1 or more nodes and at most " +
                                                    std::to_string(Network::kNodesMax) +
                                                    " nodes and clients together");
  }
  if (max_nodes != 0 && max_nodes < nodes) {
    return Status(StatusCode::invalid_argument, "max_nodes must be at least nodes");
  }
  if (!clocks.empty() && clocks.size() != server_slots()) {
    return Status(StatusCode::invalid_argument, "clocks must be empty or one per cluster node");
  }
  if (wal_segment_bytes != 0) {
    WalOptions wal;
    wal.segment_bytes_max = wal_segment_bytes;
    if (Status status = wal.validate(); !status.ok()) return status;
  }
  RaftConfig probe = raft;
  probe.id = 0;
  probe.voters.clear();
  for (NodeIndex node = 0; node < nodes; ++node) probe.voters.push_back(node);
  return probe.validate();
}

namespace {

// Labels for diagrams: what a payload on the cluster's wire means.
std::string describe_payload(std::span<const std::uint8_t> payload) {
  switch (peek_channel(payload).value_or(Channel::raft)) {
    case Channel::raft: {
      auto message = decode_message(channel_body(payload));
      return message.ok() ? message.value().describe() : std::string("garbage");
    }
    case Channel::client_request: {
      auto request = decode_client_request(payload);
      if (!request) return "garbage";
      std::string text =
          "Req c" + std::to_string(request->client_id) + "#" + std::to_string(request->sequence);
      if (request->admin) {
        auto admin = decode_admin_request(request->payload);
        return text + " " + (admin ? describe_admin_request(*admin) : std::string("garbage"));
      }
      if (auto command = kv::decode_command(request->payload)) {
        text += std::string(" ") + kv::op_name(command->op) + " " + command->key;
      } else if (auto job = queue::decode_command(request->payload)) {
        text += std::string(" ") + queue::op_name(job->op);
        if (job->job_id != 0)
          text += " j" + std::to_string(job->job_id) + "/" + std::to_string(job->token);
      }
      return text;
    }
    case Channel::client_response: {
      auto response = decode_client_response(payload);
      if (!response) return "garbage";
      static const char* const kStatus[] = {"ok", "not_leader", "failed", "busy", "rejected"};
      return "Resp c" + std::to_string(response->client_id) + "#" +
             std::to_string(response->sequence) + " " + kStatus[static_cast<int>(response->status)];
    }
  }
  return "garbage";
}

}  // namespace

std::uint8_t classify_payload(std::span<const std::uint8_t> payload) {
  if (peek_channel(payload) != Channel::raft) return 0;
  const std::optional<MessageType> type = peek_message_type(channel_body(payload));
  return type ? raft_message_class(*type) : 0;
}

ServiceCluster::ServiceCluster(const ServiceClusterOptions& options)
    : options_(options), checker_(options.server_slots()) {
  RAFTSIM_CHECK_MSG(options.validate().ok(), "invalid ServiceClusterOptions");
  WorldConfig config;
  config.seed = options.seed;
  config.node_count = options.server_slots() + options.clients + (options.admin_client ? 1 : 0);
  config.link = options.link;
  config.disk = options.disk;
  config.record_trace = options.record_trace;
  if (!options.clocks.empty()) {
    config.clocks = options.clocks;
    config.clocks.resize(config.node_count);  // clients: exact clocks
  }
  world_ = std::make_unique<World>(config, [this](Runtime& runtime) -> std::unique_ptr<Process> {
    return make_process(runtime);
  });
  if (options.record_trace) world_->network().set_payload_describer(describe_payload);
  world_->network().set_payload_classifier(classify_payload);
  if (options.membership_enabled()) {
    Membership bootstrap;
    for (NodeIndex node = 0; node < options.nodes; ++node) bootstrap.voters.push_back(node);
    configuration_checker_.emplace(options.server_slots(), std::move(bootstrap));
  }
}

// Raft safety, then (if on) the configuration checker.
std::optional<Violation> ServiceCluster::check_now() {
  if (auto violation = checker_.check(*world_)) return violation;
  if (configuration_checker_) return configuration_checker_->check(*world_);
  return std::nullopt;
}

std::unique_ptr<Process> ServiceCluster::make_process(Runtime& runtime) {
  const NodeId self = runtime.self();
  const NodeIndex slots = options_.server_slots();
  if (self < slots) {
    NodeHostConfig host;
    host.raft = options_.raft;
    host.raft.id = self;
    host.raft.bugs = options_.bugs.raft;
    if (options_.perturb) host.raft.perturbation = Perturbation::for_run(options_.seed);
    host.bugs = options_.bugs.host;
    host.raft.voters.clear();
    if (bootstrap_member(self)) {
      for (NodeIndex node = 0; node < options_.nodes; ++node) host.raft.voters.push_back(node);
    }
    // Only a bootstrap member's very first start is an initial start; a joining server (no
    // bootstrap voters) may start on an empty disk at any time.
    host.initial_start = bootstrap_member(self) && world_->host(self).incarnation() == 1;
    host.tick_ns = options_.tick_ns;
    host.snapshot_every_entries = options_.snapshot_every_entries;
    if (options_.wal_segment_bytes != 0) {
      host.storage.wal.segment_bytes_max = options_.wal_segment_bytes;
    }
    if (options_.workload_type == ServiceClusterOptions::Workload::queue) {
      return std::make_unique<NodeHost>(
          runtime, host, std::make_unique<queue::JobQueue>(queue::Config{}, options_.bugs.queue));
    }
    return std::make_unique<NodeHost>(runtime, host, std::make_unique<kv::KvStore>());
  }
  if (options_.admin_client && self == admin_node()) {
    return std::make_unique<AdminClient>(runtime, slots, options_.admin_timing, admin_history_,
                                         [this](NodeId node) { return started(node); });
  }
  const std::uint64_t first_id = first_client_id(self - slots, world_->host(self).incarnation());
  if (options_.workload_type == ServiceClusterOptions::Workload::queue) {
    auto client = std::make_unique<QueueClient>(runtime, slots, first_id, options_.workload,
                                                options_.queue, queue_history_);
    if (slots > options_.nodes) client->set_server_filter([this](NodeId n) { return started(n); });
    return client;
  }
  auto client = std::make_unique<KvClient>(runtime, slots, first_id, options_.workload, history_);
  if (slots > options_.nodes) client->set_server_filter([this](NodeId n) { return started(n); });
  return client;
}

std::uint64_t ServiceCluster::first_client_id(NodeIndex client, std::uint64_t incarnation) const {
  RAFTSIM_CHECK(client < options_.clients && incarnation >= 1 &&
                incarnation <= kClientRestartsMax + 1);
  const std::uint64_t sessions =
      options_.workload_type == ServiceClusterOptions::Workload::queue
          ? std::uint64_t{options_.queue.producers} + options_.queue.workers
          : std::uint64_t{options_.workload.sessions};
  const std::uint64_t first = ((incarnation - 1) * options_.clients + client) * sessions;
  RAFTSIM_CHECK(first + sessions <= AdminClient::kClientId);  // the console's ids stay apart
  return first;
}

void ServiceCluster::crash_client(NodeIndex node) {
  RAFTSIM_CHECK(is_client(node));
  Host& host = world_->host(node);
  if (host.state() == HostState::down) return;
  if (auto* kv = dynamic_cast<KvClient*>(host.process())) kv->end_in_flight_as_unknown();
  if (auto* queue = dynamic_cast<QueueClient*>(host.process())) queue->end_in_flight_as_unknown();
  world_->crash(node);
}

Status ServiceCluster::restart_client(NodeIndex node) {
  RAFTSIM_CHECK(is_client(node));
  Host& host = world_->host(node);
  if (host.state() != HostState::down) return Status();
  if (host.incarnation() > kClientRestartsMax) {
    return Status(StatusCode::out_of_range, "c" + std::to_string(node - options_.server_slots()) +
                                                " has restarted " +
                                                std::to_string(kClientRestartsMax) +
                                                " times (kClientRestartsMax): it stays down");
  }
  world_->restart(node);
  return Status();
}

Result<std::uint32_t> ServiceCluster::stall_workers(NodeIndex node, Time duration,
                                                    std::uint32_t workers) {
  RAFTSIM_CHECK(is_client(node));
  Host& host = world_->host(node);
  auto* client =
      host.state() == HostState::down ? nullptr : dynamic_cast<QueueClient*>(host.process());
  if (client == nullptr) {
    return Status(StatusCode::failed_precondition,
                  "c" + std::to_string(node - options_.server_slots()) +
                      (host.state() == HostState::down ? " is down" : " runs no queue workers"));
  }
  return client->stall_workers(duration, workers);
}

void ServiceCluster::start() {
  for (NodeIndex node = 0; node < world_->node_count(); ++node) {
    if (node < options_.nodes || node >= options_.server_slots()) world_->boot(node);
  }
}

Status ServiceCluster::add_node(NodeIndex node) {
  if (node >= size()) {
    return Status(
        StatusCode::invalid_argument,
        "n" + std::to_string(node) + " is beyond max_nodes (" + std::to_string(size()) + ")");
  }
  if (started(node)) {
    return Status(StatusCode::failed_precondition,
                  "n" + std::to_string(node) + " has run before (a fresh server needs a new id)");
  }
  RAFTSIM_CHECK(!bootstrap_member(node));  // bootstrap members start with the cluster
  world_->boot(node);
  return Status();
}

Status ServiceCluster::wipe(NodeIndex node) {
  if (node >= size() || !started(node)) {
    return Status(StatusCode::failed_precondition,
                  "n" + std::to_string(node) + " has never run: nothing to wipe");
  }
  world_->wipe(node);
  world_->restart(node);
  return Status();
}

AdminClient* ServiceCluster::admin_client() {
  if (!options_.admin_client) return nullptr;
  Host& host = world_->host(admin_node());
  if (host.state() == HostState::down) return nullptr;
  return dynamic_cast<AdminClient*>(host.process());
}

std::optional<Violation> ServiceCluster::run_until(Time limit) {
  Scheduler& scheduler = world_->scheduler();
  if (!budget_exceeded_.empty()) return std::nullopt;
  while (scheduler.next_event_time() <= limit) {
    scheduler.step();
    if (options_.check_every_event) {
      if (auto violation = check_now()) return violation;
    }
    const std::uint64_t events = scheduler.events_run();
    if (budget_.events_max != 0 && events >= budget_.events_max) {
      budget_exceeded_ = "events";
      return std::nullopt;
    }
    if (events % kRunBudgetPollEvents == 0) {
      if (budget_.memory_bytes_max != 0 && held_bytes() > budget_.memory_bytes_max) {
        budget_exceeded_ = "memory";
        return std::nullopt;
      }
      if (budget_.should_stop && budget_.should_stop()) {
        budget_exceeded_ = "guard";
        return std::nullopt;
      }
    }
  }
  scheduler.run_until(limit);  // advance time to the limit
  return check_now();
}

std::uint64_t ServiceCluster::held_bytes() {
  std::uint64_t total =
      world_->trace().held_bytes() + history_.held_bytes() + queue_history_.held_bytes();
  for (NodeIndex index = 0; index < size(); ++index) {
    total += world_->disk(index).used_bytes();
    const NodeHost* host = node(index);
    if (host == nullptr) continue;
    if (host->raft() != nullptr) total += host->raft()->log().held_bytes();
    if (host->storage() != nullptr) total += host->storage()->held_bytes();
  }
  return total;
}

const NodeHost* ServiceCluster::node(NodeIndex node) {
  RAFTSIM_CHECK(node < size());
  Host& host = world_->host(node);
  if (host.state() == HostState::down) return nullptr;
  const auto* node_host = dynamic_cast<const NodeHost*>(host.process());
  return node_host != nullptr && !node_host->failed() ? node_host : nullptr;
}

const Raft* ServiceCluster::raft(NodeIndex node) {
  const NodeHost* host = this->node(node);
  return host != nullptr ? host->raft() : nullptr;
}

std::optional<NodeIndex> ServiceCluster::leader() {
  std::optional<NodeIndex> best;
  Term best_term = 0;
  for (NodeIndex node = 0; node < size(); ++node) {
    const Raft* core = raft(node);
    if (core != nullptr && core->role() == Role::leader && core->term() >= best_term) {
      best = node;
      best_term = core->term();
    }
  }
  return best;
}

std::optional<NodeIndex> ServiceCluster::await_leader(Time within) {
  const Time deadline = world_->now() + within;
  while (world_->now() < deadline) {
    if (run_for(milliseconds(10))) return std::nullopt;
    if (auto found = leader()) {
      const Raft* core = raft(*found);
      const Index committed = core->log().committed();
      if (committed > 0 && core->log().term_at(committed) == core->term()) return found;
    }
  }
  return std::nullopt;
}

void ServiceCluster::partition(const std::vector<std::vector<NodeIndex>>& groups) {
  RAFTSIM_CHECK(world_->network().partition(groups, Network::Unlisted::keep_their_links).ok());
}

void ServiceCluster::isolate(NodeIndex node) {
  std::vector<NodeIndex> rest;
  for (NodeIndex other = 0; other < size(); ++other) {
    if (other != node) rest.push_back(other);
  }
  partition({{node}, rest});
}

void ServiceCluster::heal() {
  world_->network().heal();
}

}  // namespace raftsim::sim
