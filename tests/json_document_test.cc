// JsonDocumentText writes, an array element at a time, exactly the text nlohmann's dump(1) writes
// for the same tree: the history files keep their layout byte for byte.
#include "sim/files/json_document.h"

#include <gtest/gtest.h>

namespace raftsim::files {
namespace {

using Json = nlohmann::ordered_json;

// Writes `document` (an object whose member `array_name` is an array) both ways.
void expect_same_as_dump(const Json& document, const std::string& array_name) {
  JsonDocumentText text;
  for (const auto& [name, value] : document.items()) {
    if (name != array_name) {
      text.field(name, value);
      continue;
    }
    text.begin_array(name);
    for (const Json& element : value) text.element(element);
    text.end_array();
  }
  EXPECT_EQ(text.finish(), document.dump(1));
}

TEST(JsonDocumentText, MatchesDumpForHistoryShapedDocuments) {
  Json operation = {{"client", 3},     {"op", "put"},     {"key", "k\n\"quoted\"\t"},
                    {"value", "é ✓"},  {"invoke_ns", 12}, {"return_ns", nullptr},
                    {"status", "info"}};
  Json nested = {{"reply", {{"job", 7}, {"tags", Json::array({1, 2})}, {"empty", Json::object()}}},
                 {"list", Json::array()}};
  Json document = {{"version", 1}, {"model", "kv"}, {"operations", Json::array()}};
  expect_same_as_dump(document, "operations");  // an empty array
  document["operations"].push_back(operation);
  expect_same_as_dump(document, "operations");
  document["operations"].push_back(nested);
  document["operations"].push_back(Json(nullptr));
  document["operations"].push_back(Json::array({Json::object(), "x"}));
  document["final_state"] = nested;
  expect_same_as_dump(document, "operations");
}

TEST(JsonDocumentText, AnEmptyDocumentIsAnEmptyObject) {
  EXPECT_EQ(JsonDocumentText().finish(), Json::object().dump(1));
}

}  // namespace
}  // namespace raftsim::files
