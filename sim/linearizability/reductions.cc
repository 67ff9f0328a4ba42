// raftsim linearizability: reduce_pending_writes (see reductions.h and README.md, "Capacity").
#include "sim/linearizability/reductions.h"

#include <algorithm>
#include <map>

namespace raftsim::linearizability {
namespace {

struct ValueUse {
  std::size_t producers = 0;  // blind writes and cas that may store the value
  bool compared = false;      // some read or cas (ok or info) compares the state with it
  // The completed read or ok cas that observed it and returned first (its index), if any.
  std::size_t first_observer = SIZE_MAX;
  TimeNs first_observer_return = kTimeInfinite;
};

}  // namespace

ReductionCounts reduce_pending_writes(Model& model, std::vector<SearchOperation>& operations,
                                      std::vector<std::size_t>& history_indices,
                                      std::vector<std::size_t>& bounded_by) {
  ReductionCounts counts;
  bounded_by.assign(operations.size(), SIZE_MAX);
  if (model.initial_value_unknown()) return counts;
  // Rule 1 needs every observation to be an equality: a failed cas observing a difference could
  // be helped by a write nobody reads, so it turns rule 1 off (rule 2 only adds constraints the
  // history already implies, so it stays).
  bool difference_observed = false;
  std::map<ModelState, ValueUse> uses;
  std::vector<ValueEffect> effects;
  effects.reserve(operations.size());
  for (std::size_t index = 0; index < operations.size(); ++index) {
    const SearchOperation& operation = operations[index];
    const ValueEffect effect = model.value_effect(operation.prepared);
    effects.push_back(effect);
    switch (effect.kind) {
      case ValueEffect::Kind::other:
        if (!operation.prepared.failed) return counts;  // an append: states build on states
        difference_observed = true;
        break;
      case ValueEffect::Kind::blind_write:
        ++uses[effect.stored].producers;
        break;
      case ValueEffect::Kind::cas:
      case ValueEffect::Kind::read: {
        if (effect.kind == ValueEffect::Kind::cas) ++uses[effect.stored].producers;
        ValueUse& use = uses[effect.observed];
        use.compared = true;
        if (!operation.optional && operation.return_ns < use.first_observer_return) {
          use.first_observer_return = operation.return_ns;
          use.first_observer = index;
        }
        break;
      }
    }
  }
  const ModelState initial = model.initial_state();
  std::vector<bool> keep(operations.size(), true);
  for (std::size_t index = 0; index < operations.size(); ++index) {
    SearchOperation& operation = operations[index];
    if (!operation.optional || effects[index].kind != ValueEffect::Kind::blind_write) continue;
    const ValueUse& use = uses[effects[index].stored];
    if (!use.compared) {
      if (!difference_observed) {
        keep[index] = false;
        ++counts.dropped;
      }
      continue;
    }
    // The only producer of a value other than the initial one, which a completed operation
    // observed after this write was invoked: it took effect, before that operation returned.
    if (use.producers == 1 && effects[index].stored != initial && use.first_observer != SIZE_MAX &&
        use.first_observer_return >= operation.invoke_ns) {
      operation.optional = false;
      operation.return_ns = use.first_observer_return;
      bounded_by[index] = history_indices[use.first_observer];
      ++counts.bounded;
    }
  }
  if (counts.dropped == 0) return counts;
  std::size_t kept = 0;
  for (std::size_t index = 0; index < operations.size(); ++index) {
    if (!keep[index]) continue;
    operations[kept] = operations[index];
    history_indices[kept] = history_indices[index];
    bounded_by[kept] = bounded_by[index];
    ++kept;
  }
  operations.resize(kept);
  history_indices.resize(kept);
  bounded_by.resize(kept);
  return counts;
}

}  // namespace raftsim::linearizability
