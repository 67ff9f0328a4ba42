// raftsim linearizability: one model over several keys, for checking without partitioning.
// ProductModel wraps a per-key model; its state is an interned tuple holding one inner state per
// key (in sorted key order), so any model gets an unpartitioned check for free. It exists to
// cross-check the partitioned result (P-compositionality says they agree) and for benchmarks.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "sim/linearizability/intern_table.h"
#include "sim/linearizability/model.h"

namespace raftsim::linearizability {

class ProductModel final : public Model {
 public:
  // keys: every key the history uses, sorted and unique.
  ProductModel(Model& inner, std::vector<std::string> keys);

  std::string name() const override { return inner_.name() + " (unpartitioned)"; }
  Result<std::optional<PreparedOperation>> prepare(const Operation& operation) override;
  ModelState initial_state() const override { return initial_; }
  bool step(ModelState state, const PreparedOperation& operation, ModelState* next) override;
  std::string describe_state(ModelState state) const override;
  bool on_the_way_to(ModelState state, const PreparedOperation& read) override;
  bool may_become_legal(ModelState state, const PreparedOperation& read,
                        std::span<const PreparedOperation* const> writers) override;

 private:
  Model& inner_;
  std::vector<std::string> keys_;
  TupleInterner tuples_;
  std::vector<std::uint64_t> scratch_;                      // sized once: one word per key
  std::vector<const PreparedOperation*> same_key_writers_;  // scratch
  ModelState initial_ = 0;
};

}  // namespace raftsim::linearizability
