// Fuzzes the strict JSON reader against nlohmann's parser: a document the strict reader accepts
// must mean the same to nlohmann, and one it refuses that nlohmann accepts must break one of the
// rules only the strict reader has (duplicate keys, depth, number range). Every value it returns
// must read back, written out, to itself.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "sim/files/strict_json.h"
#include "tests/fuzzers/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace raftsim;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto strict = files::parse_strict_json(text, "in.json");
  const nlohmann::json reference = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (strict.ok()) {
    RAFTSIM_FUZZ_CHECK(!reference.is_discarded(), std::string(text));
    RAFTSIM_FUZZ_CHECK(strict.value() == reference, std::string(text));
    auto again = files::parse_strict_json(strict.value().dump(), "again.json");
    RAFTSIM_FUZZ_CHECK(again.ok() && again.value() == strict.value(), strict.value().dump());
    return 0;
  }
  const std::string& message = strict.status().message();
  fuzzing::check_printable_message(message);
  RAFTSIM_FUZZ_CHECK(message.rfind("in.json:", 0) == 0, message);
  if (!reference.is_discarded()) {
    // nlohmann stops reading at a NUL byte, so it accepts "{} \0 anything".
    const bool strict_only_rule = text.find('\0') != std::string_view::npos ||
                                  message.find("duplicate key") != std::string::npos ||
                                  message.find("nesting deeper") != std::string::npos ||
                                  message.find("out of a double's range") != std::string::npos ||
                                  message.find("is above 2^64-1") != std::string::npos ||
                                  message.find("is below -2^63") != std::string::npos;
    RAFTSIM_FUZZ_CHECK(strict_only_rule, message + "\n" + std::string(text));
  }
  return 0;
}
