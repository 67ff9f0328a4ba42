// The checker against third-party histories nobody here wrote: porcupine's test data (Jepsen etcd
// logs from Horn & Kroening, and kv histories). The expected verdicts are the upstream ones,
// listed in ../shared/external/porcupine/SOURCE.md; they are the only hard-coded verdicts here.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <string>

#include "sim/linearizability/checker.h"
#include "sim/linearizability/import.h"
#include "sim/linearizability/models.h"

namespace raftsim::linearizability {
namespace {

namespace fs = std::filesystem;

fs::path porcupine_directory() {
  return fs::path(RAFTSIM_SOURCE_DIR) / ".." / "shared" / "external" / "porcupine";
}

#define SKIP_WITHOUT_PORCUPINE_DATA()                                                    \
  if (!fs::exists(porcupine_directory() / "SOURCE.md")) {                                \
    GTEST_SKIP() << "third-party data not found at " << porcupine_directory()            \
                 << " (clone the shared/ tree beside the source tree to run this test)"; \
  }

// SOURCE.md: "23 linearizable (true): 002 005 ... 102"; 095 is empty; the rest are false.
const std::set<int> kEtcdLinearizable = {2,  5,  7,  18, 25, 31, 38, 45, 48,  49,  51, 53,
                                         56, 67, 75, 76, 80, 87, 92, 98, 100, 101, 102};
constexpr int kEtcdEmpty = 95;
constexpr int kEtcdLast = 102;

CheckResult check_file(const fs::path& path, std::optional<HistoryFormat> format,
                       bool partition_by_key = true) {
  auto read = read_history_file(path.string(), format);
  EXPECT_TRUE(read.ok()) << read.status().to_string();
  if (!read.ok()) return CheckResult{};
  const History& history = read.value().history;
  auto model = make_model(default_model_for(format.value_or(HistoryFormat::raftsim), history));
  CheckOptions options;
  options.partition_by_key = partition_by_key;
  auto result = check_history(history, *model, options);
  EXPECT_TRUE(result.ok()) << result.status().to_string();
  return result.ok() ? result.value() : CheckResult{};
}

std::string etcd_name(int number) {
  char name[32];
  std::snprintf(name, sizeof name, "etcd_%03d.log", number);
  return name;
}

TEST(PorcupineData, EveryEtcdHistoryHasItsKnownVerdict) {
  SKIP_WITHOUT_PORCUPINE_DATA();
  int linearizable = 0, violations = 0, empty = 0;
  for (int number = 0; number <= kEtcdLast; ++number) {
    const fs::path path = porcupine_directory() / "jepsen" / etcd_name(number);
    // Detection, not a forced format: the test also covers format detection.
    const CheckResult result = check_file(path, std::nullopt);
    const Verdict expected = number == kEtcdEmpty                  ? Verdict::empty
                             : kEtcdLinearizable.count(number) > 0 ? Verdict::linearizable
                                                                   : Verdict::not_linearizable;
    EXPECT_EQ(verdict_name(result.verdict), std::string(verdict_name(expected))) << path;
    linearizable += result.verdict == Verdict::linearizable;
    violations += result.verdict == Verdict::not_linearizable;
    empty += result.verdict == Verdict::empty;
  }
  EXPECT_EQ(linearizable, 23);
  EXPECT_EQ(violations, 79);
  EXPECT_EQ(empty, 1);
}

TEST(PorcupineData, KvHistoriesPartitionedByKey) {
  SKIP_WITHOUT_PORCUPINE_DATA();
  for (const char* clients : {"c01", "c10", "c50"}) {
    for (const char* suffix : {"ok", "bad"}) {
      const fs::path path =
          porcupine_directory() / "kv" / (std::string(clients) + "-" + suffix + ".txt");
      const CheckResult result = check_file(path, HistoryFormat::porcupine_kv);
      const Verdict expected =
          std::string(suffix) == "ok" ? Verdict::linearizable : Verdict::not_linearizable;
      EXPECT_EQ(verdict_name(result.verdict), std::string(verdict_name(expected))) << path;
    }
  }
}

TEST(PorcupineData, KvHistoriesWithoutPartitioning) {
  SKIP_WITHOUT_PORCUPINE_DATA();
  for (const char* name : {"c01-ok", "c01-bad", "c10-ok", "c10-bad"}) {
    const fs::path path = porcupine_directory() / "kv" / (std::string(name) + ".txt");
    const CheckResult result = check_file(path, HistoryFormat::porcupine_kv, false);
    const Verdict expected =
        std::string(name).ends_with("-ok") ? Verdict::linearizable : Verdict::not_linearizable;
    EXPECT_EQ(verdict_name(result.verdict), std::string(verdict_name(expected))) << path;
  }
}

}  // namespace
}  // namespace raftsim::linearizability
