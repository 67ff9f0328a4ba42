// raftsim: errors as values at module boundaries.
// Status carries a code and a human-readable message; Result<T> is a value or a Status. Both are
// [[nodiscard]] so an ignored error is a compiler warning. Exceptions are reserved for programmer
// errors (which RAFTSIM_CHECK turns into aborts) and for the CLI edge.
#pragma once

#include <string>
#include <utility>
#include <variant>

#include "raft/base/check.h"

namespace raftsim {

enum class StatusCode {
  ok,
  invalid_argument,  // the caller passed something malformed
  not_found,         // a named thing (file, key) does not exist
  already_exists,
  no_space,     // a capacity limit was reached (full disk, full queue)
  corruption,   // stored data failed a checksum or structural check
  io_error,     // the medium failed the operation
  unavailable,  // the component is down (crashed node, closed file)
  out_of_range,
  failed_precondition,  // refused in the current state (e.g. a membership change in flight)
};

const char* status_code_name(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status ok_status() { return Status(); }

  bool ok() const { return code_ == StatusCode::ok; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  std::string to_string() const;

  friend bool operator==(const Status& a, const Status& b) { return a.code_ == b.code_; }

 private:
  StatusCode code_ = StatusCode::ok;
  std::string message_;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : storage_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Status status) : storage_(std::move(status)) {  // NOLINT: implicit by design
    RAFTSIM_CHECK_MSG(!std::get<Status>(storage_).ok(), "a Result error must not be ok");
  }

  bool ok() const { return std::holds_alternative<T>(storage_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(storage_);
  }
  T& value() & {
    RAFTSIM_CHECK_MSG(ok(), "value() on an error Result");
    return std::get<T>(storage_);
  }
  const T& value() const& {
    RAFTSIM_CHECK_MSG(ok(), "value() on an error Result");
    return std::get<T>(storage_);
  }
  T&& value() && {
    RAFTSIM_CHECK_MSG(ok(), "value() on an error Result");
    return std::get<T>(std::move(storage_));
  }

 private:
  std::variant<T, Status> storage_;
};

}  // namespace raftsim
