// raftsim linearizability: zones_linearizable (see zones.h).
//
// A cluster (a write and the reads of its value, or the initial value and its reads) is
// linearized as one contiguous run. Its run must reach back to F, the earliest return in the
// cluster (that operation took effect by then), and forward to L, the latest invocation (that
// one took effect no earlier). If F < L the run covers the whole forward zone (F, L), where no
// other cluster can take effect; if F >= L the cluster fits at any one instant of its backward
// zone [L, F]. Equal times are concurrent, so zones that only touch do not conflict. Linearizable
// iff every read's write was invoked by the time the read returned, no two forward zones
// overlap, and no backward zone lies inside another cluster's forward zone.
#include "sim/linearizability/zones.h"

#include <algorithm>
#include <limits>
#include <map>
#include <vector>

namespace raftsim::linearizability {
namespace {

constexpr TimeNs kBeforeEverything = std::numeric_limits<TimeNs>::min();

struct Cluster {
  TimeNs write_invoke = kBeforeEverything;
  TimeNs earliest_return = kBeforeEverything;  // F
  TimeNs latest_invoke = kBeforeEverything;    // L
  TimeNs earliest_read_return = kTimeInfinite;
};

}  // namespace

std::optional<bool> zones_linearizable(Model& model, std::span<const SearchOperation> operations,
                                       ModelState initial_state) {
  std::map<ModelState, Cluster> clusters;
  clusters[initial_state] = Cluster{};  // the initial value, "written" before everything
  for (const SearchOperation& operation : operations) {
    if (operation.optional) return std::nullopt;
    const ValueEffect effect = model.value_effect(operation.prepared);
    if (effect.kind != ValueEffect::Kind::blind_write) continue;
    auto [cluster, inserted] = clusters.try_emplace(effect.stored);
    if (!inserted) return std::nullopt;  // the value is written twice, or is the initial one
    cluster->second =
        Cluster{operation.invoke_ns, operation.return_ns, operation.invoke_ns, kTimeInfinite};
  }
  for (const SearchOperation& operation : operations) {
    const ValueEffect effect = model.value_effect(operation.prepared);
    if (effect.kind == ValueEffect::Kind::blind_write) continue;
    if (effect.kind != ValueEffect::Kind::read) return std::nullopt;
    const auto found = clusters.find(effect.observed);
    if (found == clusters.end()) return false;  // a value nobody wrote
    Cluster& cluster = found->second;
    cluster.earliest_return = std::min(cluster.earliest_return, operation.return_ns);
    cluster.latest_invoke = std::max(cluster.latest_invoke, operation.invoke_ns);
    cluster.earliest_read_return = std::min(cluster.earliest_read_return, operation.return_ns);
  }
  std::vector<std::pair<TimeNs, TimeNs>> forward;   // (F, L), F < L
  std::vector<std::pair<TimeNs, TimeNs>> backward;  // (L, F), L <= F
  for (const auto& [value, cluster] : clusters) {
    if (cluster.earliest_read_return < cluster.write_invoke) return false;  // read before write
    if (cluster.earliest_return < cluster.latest_invoke) {
      forward.emplace_back(cluster.earliest_return, cluster.latest_invoke);
    } else {
      backward.emplace_back(cluster.latest_invoke, cluster.earliest_return);
    }
  }
  std::sort(forward.begin(), forward.end());
  for (std::size_t index = 1; index < forward.size(); ++index) {
    if (forward[index].first < forward[index - 1].second) return false;  // overlap
  }
  for (const auto& [latest_invoke, earliest_return] : backward) {
    // The forward zone starting last before the backward zone starts (they are disjoint, so
    // only it can contain the backward zone).
    auto after = std::lower_bound(forward.begin(), forward.end(),
                                  std::pair(latest_invoke, kBeforeEverything));
    if (after == forward.begin()) continue;
    const auto& [start, end] = *std::prev(after);
    if (start < latest_invoke && earliest_return < end) return false;
  }
  return true;
}

}  // namespace raftsim::linearizability
