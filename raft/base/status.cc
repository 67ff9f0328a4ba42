#include "raft/base/status.h"

namespace raftsim {

const char* status_code_name(StatusCode code) {
  switch (code) {
    case StatusCode::ok:
      return "ok";
    case StatusCode::invalid_argument:
      return "invalid_argument";
    case StatusCode::not_found:
      return "not_found";
    case StatusCode::already_exists:
      return "already_exists";
    case StatusCode::no_space:
      return "no_space";
    case StatusCode::corruption:
      return "corruption";
    case StatusCode::io_error:
      return "io_error";
    case StatusCode::unavailable:
      return "unavailable";
    case StatusCode::out_of_range:
      return "out_of_range";
    case StatusCode::failed_precondition:
      return "failed_precondition";
  }
  RAFTSIM_UNREACHABLE("unknown StatusCode");
}

std::string Status::to_string() const {
  if (ok()) return "ok";
  std::string text = status_code_name(code_);
  if (!message_.empty()) text += ": " + message_;
  return text;
}

}  // namespace raftsim
