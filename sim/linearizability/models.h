// raftsim linearizability: the built-in sequential models and the registry that names them.
// register: read / write. cas: read / write / cas (by default a failed cas is an observation:
// the value differed; see semantics.h for the other readings). kv: per-key strings with get / put /
// append / cas, initially "" (absent == empty). Each model is per key; the checker partitions by
// key or wraps the model in a ProductModel.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "sim/linearizability/model.h"
#include "sim/linearizability/semantics.h"

namespace raftsim::linearizability {

// The names make_model() accepts, in a fixed order (for usage messages).
std::vector<std::string> model_names();

// A fresh model instance (models hold interning tables, so use one per check) with the default
// semantics (Semantics{}). nullptr if the name is unknown.
std::unique_ptr<Model> make_model(const std::string& name);

// The same with chosen semantics. Errors: an unknown name (listing the known ones), or semantics
// the model cannot take (kv: an unknown initial value, or an integer one).
Result<std::unique_ptr<Model>> make_model(const std::string& name, const Semantics& semantics);

}  // namespace raftsim::linearizability
