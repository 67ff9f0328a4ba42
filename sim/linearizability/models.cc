// raftsim linearizability: register, CAS register and key-value models.
// Values are interned once in prepare(), so step() compares integers. The KV model's strings are
// StringStates: an append is an O(1) hash and probe, never a copy of the string.
#include "sim/linearizability/models.h"

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

// read / write (and cas when allow_cas): one register holding nil, an integer or a string.
class RegisterModel final : public Model {
 public:
  explicit RegisterModel(bool allow_cas) : allow_cas_(allow_cas) { nil_ = encode(Value::nil()); }

  std::string name() const override { return allow_cas_ ? "cas" : "register"; }

  Result<std::optional<PreparedOperation>> prepare(const Operation& operation) override {
    PreparedOperation result;
    result.output_known = operation.status != OperationStatus::info;
    if (operation.function == "read") {
      // A read that failed or timed out changed nothing and observed nothing.
      if (operation.status != OperationStatus::ok) return dropped();
      if (operation.output.is_absent()) return bad_operation(operation, "a read needs an output");
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

  ModelState initial_state() const override { return nil_; }

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
    if (encoded[0] == 'i') return std::string(encoded.substr(1));
    return nlohmann::json(std::string(encoded.substr(1))).dump();
  }

 private:
  // Distinct kinds stay distinct: "n" nil, "i42" integer, "s42" string.
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
  StringInterner values_;
  std::string scratch_;  // reused by encode()
  std::uint64_t nil_ = 0;
};

// get / put / append / cas on strings; nil and "" both mean absent, as in porcupine's kv model.
class KvModel final : public Model {
 public:
  KvModel() = default;

  std::string name() const override { return "kv"; }

  Result<std::optional<PreparedOperation>> prepare(const Operation& operation) override {
    PreparedOperation result;
    result.output_known = operation.status != OperationStatus::info;
    Status status;
    if (operation.function == "get") {
      if (operation.status != OperationStatus::ok) return dropped();
      result.function = kGet;
      result.state_preserving = true;
      status = encode(operation, operation.output, "output", &result.output);
    } else if (operation.function == "put" || operation.function == "append") {
      // A put or append that failed never happened.
      if (operation.status == OperationStatus::fail) return dropped();
      result.function = operation.function == "put" ? kPut : kAppend;
      status = encode(operation, operation.argument, "value", &result.argument);
    } else if (operation.function == "cas") {
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

  ModelState initial_state() const override { return strings_.empty(); }

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

  StringStates strings_;
};

}  // namespace

std::vector<std::string> model_names() {
  return {"register", "cas", "kv"};
}

std::unique_ptr<Model> make_model(const std::string& name) {
  if (name == "register") return std::make_unique<RegisterModel>(false);
  if (name == "cas") return std::make_unique<RegisterModel>(true);
  if (name == "kv") return std::make_unique<KvModel>();
  return nullptr;
}

}  // namespace raftsim::linearizability
