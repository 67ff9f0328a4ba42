// raftsim linearizability: ProductModel (see product_model.h).
#include "sim/linearizability/product_model.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace raftsim::linearizability {

ProductModel::ProductModel(Model& inner, std::vector<std::string> keys)
    : inner_(inner),
      keys_(std::move(keys)),
      tuples_(std::max<std::size_t>(1, keys_.size())),
      scratch_(tuples_.width(), inner.initial_state()) {
  RAFTSIM_CHECK(std::is_sorted(keys_.begin(), keys_.end()));
  initial_ = tuples_.intern(scratch_);
}

Result<std::optional<PreparedOperation>> ProductModel::prepare(const Operation& operation) {
  auto result = inner_.prepare(operation);
  if (!result.ok() || !result.value().has_value()) return result;
  const auto found = std::lower_bound(keys_.begin(), keys_.end(), operation.key);
  RAFTSIM_CHECK_MSG(found != keys_.end() && *found == operation.key, "key missing from list");
  result.value()->key_slot = static_cast<std::uint32_t>(found - keys_.begin());
  return result;
}

bool ProductModel::step(ModelState state, const PreparedOperation& operation, ModelState* next) {
  const auto tuple = tuples_.tuple(static_cast<std::uint32_t>(state));
  const ModelState component = tuple[operation.key_slot];
  ModelState component_next = 0;
  if (!inner_.step(component, operation, &component_next)) return false;
  if (component_next == component) {
    *next = state;
    return true;
  }
  // Copy before interning: interning may move the tuple the span points into.
  std::copy(tuple.begin(), tuple.end(), scratch_.begin());
  scratch_[operation.key_slot] = component_next;
  *next = tuples_.intern(scratch_);
  return true;
}

bool ProductModel::may_become_legal(ModelState state, const PreparedOperation& read,
                                    std::span<const PreparedOperation* const> writers) {
  same_key_writers_.clear();
  for (const PreparedOperation* writer : writers) {
    if (writer->key_slot == read.key_slot) same_key_writers_.push_back(writer);
  }
  return inner_.may_become_legal(tuples_.tuple(static_cast<std::uint32_t>(state))[read.key_slot],
                                 read, same_key_writers_);
}

bool ProductModel::on_the_way_to(ModelState state, const PreparedOperation& read) {
  return inner_.on_the_way_to(tuples_.tuple(static_cast<std::uint32_t>(state))[read.key_slot],
                              read);
}

// Keys still in their initial state are left out: with many keys the report stays readable.
std::string ProductModel::describe_state(ModelState state) const {
  const auto tuple = tuples_.tuple(static_cast<std::uint32_t>(state));
  const ModelState initial = inner_.initial_state();
  std::string text = "{";
  for (std::size_t slot = 0; slot < keys_.size(); ++slot) {
    if (tuple[slot] == initial) continue;
    if (text.size() > 1) text += ", ";
    text += nlohmann::json(keys_[slot]).dump() + ": " + inner_.describe_state(tuple[slot]);
  }
  return text + "}";
}

}  // namespace raftsim::linearizability
