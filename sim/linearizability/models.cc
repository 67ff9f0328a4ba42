// raftsim linearizability: register, CAS register and key-value models.
// Values are interned once in prepare(), so step() compares integers. The KV model's strings are
// StringStates: an append is an O(1) hash and probe, never a copy of the string.
#include "sim/linearizability/models.h"

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>

#include "sim/linearizability/intern_table.h"
#include "sim/linearizability/string_states.h"

namespace raftsim::linearizability {
namespace {

enum RegisterFunction : std::uint32_t { kRead, kWrite, kRegisterCas };
enum KvFunction : std::uint32_t { kGet, kPut, kAppend, kKvCas };

Status bad_operation(const Operation& operation, const std::string& what) {
  return Status(StatusCode::invalid_argument, operation.origin + ": " + what);
}

Result<std::optional<PreparedOperation>> prepared(PreparedOperation operation) {
  return std::optional<PreparedOperation>(operation);
}

Result<std::optional<PreparedOperation>> dropped() {
  return std::optional<PreparedOperation>();
}

// The shared part of every model's cas: a failed cas observed a different value; an info cas
// applied iff the value matched; an ok cas requires a match.
bool step_cas(ModelState state, const PreparedOperation& operation, ModelState* next) {
  const bool matches = state == operation.argument;
  if (!operation.output_known) {
    *next = matches ? operation.argument2 : state;
    return true;
  }
  *next = matches && !operation.failed ? operation.argument2 : state;
  return operation.failed ? !matches : matches;
}

// Reads, writes and cas of whole values (both models), for the checker's reductions.
ValueEffect plain_value_effect(const PreparedOperation& operation, std::uint32_t read,
                               std::uint32_t write, std::uint32_t cas) {
  if (operation.function == read) return {ValueEffect::Kind::read, 0, operation.output};
  if (operation.function == write) return {ValueEffect::Kind::blind_write, operation.argument, 0};
  if (operation.function == cas && !operation.failed) {
    return {ValueEffect::Kind::cas, operation.argument2, operation.argument};
  }
  return {};
}

// read / write (and cas when allow_cas): one register holding nil, an integer or a string.
class RegisterModel final : public Model {
 public:
  RegisterModel(bool allow_cas, const Semantics& semantics)
      : allow_cas_(allow_cas), semantics_(semantics) {
    nil_ = encode(Value::nil());
    // An unknown initial value starts as one no operation writes: initial_states() adds the
    // values operations could observe before the first write.
    initial_ = semantics.initial.kind == InitialValue::Kind::given ? encode(semantics.initial.value)
               : semantics.initial.kind == InitialValue::Kind::none ? values_.intern("u")
                                                                    : nil_;
  }

  std::string name() const override { return allow_cas_ ? "cas" : "register"; }

  Result<std::optional<PreparedOperation>> prepare(const Operation& operation) override {
    PreparedOperation result;
    result.output_known = operation.status != OperationStatus::info;
    if (operation.function == "read") {
      // A read that failed or timed out changed nothing and observed nothing.
      if (operation.status != OperationStatus::ok) return dropped();
      if (operation.output.is_absent()) return bad_operation(operation, "a read needs an output");
      if (operation.output.kind == Value::Kind::nil && semantics_.nil_read == NilRead::unknown) {
        return dropped();
      }
      result.function = kRead;
      result.state_preserving = true;
      result.output = encode(operation.output);
      return prepared(result);
    }
    if (operation.function == "write") {
      if (operation.argument.is_absent()) return bad_operation(operation, "a write needs a value");
      if (operation.status == OperationStatus::fail) return dropped();
      result.function = kWrite;
      result.argument = encode(operation.argument);
      return prepared(result);
    }
    if (operation.function == "cas" && allow_cas_) {
      if (operation.argument.is_absent() || operation.argument2.is_absent()) {
        return bad_operation(operation, "a cas needs both from and to values");
      }
      if (operation.status == OperationStatus::fail && semantics_.failed_cas == FailedCas::ignore) {
        return dropped();
      }
      result.function = kRegisterCas;
      result.failed = operation.status == OperationStatus::fail;
      result.state_preserving = result.failed;
      result.argument = encode(operation.argument);
      result.argument2 = encode(operation.argument2);
      return prepared(result);
    }
    return bad_operation(operation, "model '" + name() + "' has no function '" +
                                        operation.function + "' (expected read, write" +
                                        (allow_cas_ ? " or cas)" : ")"));
  }

  ModelState initial_state() const override { return initial_; }

  bool initial_value_unknown() const override {
    return semantics_.initial.kind == InitialValue::Kind::none;
  }

  ValueEffect value_effect(const PreparedOperation& operation) const override {
    return plain_value_effect(operation, kRead, kWrite, kRegisterCas);
  }

  // Under an unknown initial value, a linearization starting from value v either shows v to
  // some read or ok / info cas linearized before the first write (which precedes the earliest
  // return of a required write or cas), or shows it to nothing, when the value no operation
  // writes (initial_) serves as well: so these candidates are all that need trying.
  std::vector<ModelState> initial_states(std::span<const TimedOperation> operations) override {
    std::vector<ModelState> states{initial_};
    if (semantics_.initial.kind != InitialValue::Kind::none) return states;
    TimeNs first_write_return = kTimeInfinite;
    for (const TimedOperation& operation : operations) {
      if (operation.optional || operation.prepared->state_preserving) continue;
      first_write_return = std::min(first_write_return, operation.return_ns);
    }
    for (const TimedOperation& operation : operations) {
      const PreparedOperation& prepared = *operation.prepared;
      if (operation.invoke_ns > first_write_return) continue;
      if (prepared.function == kRead) states.push_back(prepared.output);
      if (prepared.function == kRegisterCas && !prepared.failed)
        states.push_back(prepared.argument);
    }
    std::sort(states.begin() + 1, states.end());
    states.erase(std::unique(states.begin() + 1, states.end()), states.end());
    return states;
  }

  bool step(ModelState state, const PreparedOperation& operation, ModelState* next) override {
    switch (operation.function) {
      case kRead:
        *next = state;
        return state == operation.output;
      case kWrite:
        *next = operation.argument;
        return true;
      default:
        return step_cas(state, operation, next);
    }
  }

  // A read of v can only become legal if some available write or cas can store v.
  bool may_become_legal(ModelState /*state*/, const PreparedOperation& read,
                        std::span<const PreparedOperation* const> writers) override {
    if (read.function != kRead) return true;
    for (const PreparedOperation* writer : writers) {
      if (writer->function == kWrite && writer->argument == read.output) return true;
      if (writer->function == kRegisterCas && !writer->failed && writer->argument2 == read.output) {
        return true;
      }
    }
    return false;
  }

  std::string describe_state(ModelState state) const override {
    const std::string_view encoded = values_.view(static_cast<std::uint32_t>(state));
    if (encoded[0] == 'n') return "nil";
    if (encoded[0] == 'u') return "(unknown initial value)";
    if (encoded[0] == 'i') return std::string(encoded.substr(1));
    return nlohmann::json(std::string(encoded.substr(1))).dump();
  }

 private:
  // Distinct kinds stay distinct: "n" nil, "i42" integer, "s42" string ("u": the unknown initial
  // value, equal to nothing written).
  std::uint64_t encode(const Value& value) {
    switch (value.kind) {
      case Value::Kind::nil:
        return values_.intern("n");
      case Value::Kind::integer: {
        char digits[24] = {'i'};  // no allocation: integers are the common case
        const auto end = std::to_chars(digits + 1, digits + sizeof digits, value.integer).ptr;
        return values_.intern(std::string_view(digits, end - digits));
      }
      default:
        scratch_.assign("s");
        scratch_.append(value.text);
        return values_.intern(scratch_);
    }
  }

  bool allow_cas_;
  Semantics semantics_;
  StringInterner values_;
  std::string scratch_;  // reused by encode()
  std::uint64_t nil_ = 0;
  std::uint64_t initial_ = 0;
};

// get / put / append / cas on strings; nil and "" both mean absent, as in porcupine's kv model.
class KvModel final : public Model {
 public:
  // The initial value is nil ("") or a given string (make_model() checks).
  explicit KvModel(const Semantics& semantics) : semantics_(semantics) {
    const Value& initial = semantics.initial.value;
    initial_ =
        semantics.initial.kind == InitialValue::Kind::given && initial.kind == Value::Kind::text
            ? strings_.leaf(initial.text)
            : strings_.empty();
  }

  std::string name() const override { return "kv"; }

  Result<std::optional<PreparedOperation>> prepare(const Operation& operation) override {
    PreparedOperation result;
    result.output_known = operation.status != OperationStatus::info;
    Status status;
    if (operation.function == "get") {
      if (operation.status != OperationStatus::ok) return dropped();
      if (operation.output.kind == Value::Kind::nil && semantics_.nil_read == NilRead::unknown) {
        return dropped();
      }
      result.function = kGet;
      result.state_preserving = true;
      status = encode(operation, operation.output, "output", &result.output);
    } else if (operation.function == "put" || operation.function == "append") {
      // A put or append that failed never happened.
      if (operation.status == OperationStatus::fail) return dropped();
      result.function = operation.function == "put" ? kPut : kAppend;
      status = encode(operation, operation.argument, "value", &result.argument);
    } else if (operation.function == "cas") {
      if (operation.status == OperationStatus::fail && semantics_.failed_cas == FailedCas::ignore) {
        return dropped();
      }
      result.function = kKvCas;
      result.failed = operation.status == OperationStatus::fail;
      result.state_preserving = result.failed;
      status = encode(operation, operation.argument, "from", &result.argument);
      if (status.ok()) status = encode(operation, operation.argument2, "to", &result.argument2);
    } else {
      return bad_operation(operation, "model 'kv' has no function '" + operation.function +
                                          "' (expected get, put, append or cas)");
    }
    if (!status.ok()) return status;
    return prepared(result);
  }

  ModelState initial_state() const override { return initial_; }

  ValueEffect value_effect(const PreparedOperation& operation) const override {
    return plain_value_effect(operation, kGet, kPut, kKvCas);  // an append is `other`
  }

  bool step(ModelState state, const PreparedOperation& operation, ModelState* next) override {
    switch (operation.function) {
      case kGet:
        *next = state;
        return state == operation.output;
      case kPut:
        *next = operation.argument;
        return true;
      case kAppend:
        *next = strings_.append(static_cast<std::uint32_t>(state),
                                static_cast<std::uint32_t>(operation.argument));
        return true;
      default:
        return step_cas(state, operation, next);
    }
  }

  std::string describe_state(ModelState state) const override {
    return nlohmann::json(strings_.text(static_cast<std::uint32_t>(state))).dump();
  }

  // Appends only lengthen the string: if it is not a prefix of what the get saw and no put or
  // cas can intervene, the get can never be legal.
  bool may_become_legal(ModelState state, const PreparedOperation& read,
                        std::span<const PreparedOperation* const> writers) override {
    if (read.function != kGet) return true;
    for (const PreparedOperation* writer : writers) {
      if (writer->function != kAppend) return true;
    }
    return strings_.may_be_prefix_of(static_cast<std::uint32_t>(state),
                                     static_cast<std::uint32_t>(read.output));
  }

  bool on_the_way_to(ModelState state, const PreparedOperation& read) override {
    return read.function == kGet &&
           strings_.may_be_prefix_of(static_cast<std::uint32_t>(state),
                                     static_cast<std::uint32_t>(read.output));
  }

 private:
  Status encode(const Operation& operation, const Value& value, const char* field,
                std::uint64_t* id) {
    if (value.kind == Value::Kind::integer || value.is_absent()) {
      return bad_operation(operation, std::string("kv ") + operation.function + " needs a " +
                                          field + " that is a string or nil");
    }
    *id = value.kind == Value::Kind::nil ? strings_.empty() : strings_.leaf(value.text);
    return Status::ok_status();
  }

  Semantics semantics_;
  StringStates strings_;
  ModelState initial_ = 0;
};

}  // namespace

std::vector<std::string> model_names() {
  return {"register", "cas", "kv"};
}

std::unique_ptr<Model> make_model(const std::string& name) {
  auto model = make_model(name, Semantics{});
  return model.ok() ? std::move(model).value() : nullptr;
}

Result<std::unique_ptr<Model>> make_model(const std::string& name, const Semantics& semantics) {
  if (name == "register" || name == "cas") {
    return std::unique_ptr<Model>(std::make_unique<RegisterModel>(name == "cas", semantics));
  }
  if (name == "kv") {
    const InitialValue& initial = semantics.initial;
    if (initial.kind == InitialValue::Kind::none) {
      return Status(StatusCode::invalid_argument,
                    "model kv: an unknown initial value (none) is not supported; kv keys start "
                    "empty (nil) or at a given string");
    }
    if (initial.kind == InitialValue::Kind::given && initial.value.kind == Value::Kind::integer) {
      return Status(StatusCode::invalid_argument,
                    "model kv holds strings: give the initial value as a string (quoted)");
    }
    return std::unique_ptr<Model>(std::make_unique<KvModel>(semantics));
  }
  std::string names;
  for (const std::string& known : model_names()) names += (names.empty() ? "" : ", ") + known;
  return Status(StatusCode::invalid_argument,
                "unknown model '" + name + "' (expected one of: " + names + ")");
}

}  // namespace raftsim::linearizability
