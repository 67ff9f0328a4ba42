// raftsim check --bench DIR: the linearizability checker's speed on porcupine's test data, with
// parsing excluded (as porcupine's own benchmarks exclude it), so the numbers compare with the
// reference times in shared/external/porcupine/SOURCE.md. Each file is parsed once, then checked
// repeatedly with a fresh model per run; the mean and minimum per check are reported.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "sim/linearizability/checker.h"
#include "sim/linearizability/import.h"
#include "sim/linearizability/models.h"
#include "tools/commands.h"

namespace raftsim::tools {
namespace {

using namespace raftsim::linearizability;
namespace fs = std::filesystem;

constexpr int kBenchRunsMin = 5;
constexpr int kBenchRunsMax = 10000;
constexpr double kBenchSecondsMin = 0.3;

struct BenchRow {
  std::string file;
  std::string mode;
  std::string verdict;
  int runs = 0;
  double mean_ms = 0;
  double min_ms = 0;
};

BenchRow time_check(const fs::path& path, HistoryFormat format, bool partition_by_key) {
  auto read = read_history_file(path.string(), format);
  if (!read.ok()) throw std::runtime_error(read.status().message());
  const History& history = read.value().history;
  const std::string model_name = default_model_for(format, history);
  CheckOptions options;
  options.partition_by_key = partition_by_key;
  BenchRow row;
  row.file = path.parent_path().filename().string() + "/" + path.filename().string();
  row.mode = partition_by_key ? "partitioned" : "unpartitioned";
  row.min_ms = 1e300;
  double total_s = 0;
  while (row.runs < kBenchRunsMin || (total_s < kBenchSecondsMin && row.runs < kBenchRunsMax)) {
    auto model = make_model(model_name);
    const auto start = std::chrono::steady_clock::now();
    auto result = check_history(history, *model, options);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!result.ok()) throw std::runtime_error(result.status().message());
    row.verdict = verdict_name(result.value().verdict);
    total_s += seconds;
    row.min_ms = std::min(row.min_ms, seconds * 1e3);
    ++row.runs;
  }
  row.mean_ms = total_s * 1e3 / row.runs;
  return row;
}

std::vector<fs::path> files_in(const fs::path& directory, const std::string& extension) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(directory)) {
    if (entry.path().extension() == extension) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

int run_check_bench(const std::string& directory, bool json) {
  const fs::path root(directory);
  if (!fs::is_directory(root / "jepsen") || !fs::is_directory(root / "kv")) {
    throw UsageError("--bench: expected a directory with jepsen/ and kv/ (porcupine test data)");
  }
  std::vector<BenchRow> rows;
  double etcd_total_ms = 0;
  for (const fs::path& path : files_in(root / "jepsen", ".log")) {
    rows.push_back(time_check(path, HistoryFormat::jepsen, true));
    if (rows.back().verdict != "empty") etcd_total_ms += rows.back().mean_ms;
  }
  for (const fs::path& path : files_in(root / "kv", ".txt")) {
    rows.push_back(time_check(path, HistoryFormat::porcupine_kv, true));
  }
  for (const char* name : {"c01-ok.txt", "c01-bad.txt", "c10-ok.txt", "c10-bad.txt"}) {
    rows.push_back(time_check(root / "kv" / name, HistoryFormat::porcupine_kv, false));
  }
  if (json) {
    nlohmann::ordered_json result;
    result["etcd_total_ms"] = etcd_total_ms;
    nlohmann::ordered_json files = nlohmann::ordered_json::array();
    for (const BenchRow& row : rows) {
      files.push_back({{"file", row.file},
                       {"mode", row.mode},
                       {"verdict", row.verdict},
                       {"runs", row.runs},
                       {"mean_ms", row.mean_ms},
                       {"min_ms", row.min_ms}});
    }
    result["files"] = files;
    std::printf("%s\n", result.dump().c_str());
    return 0;
  }
  std::printf("| file | mode | verdict | runs | mean ms | min ms |\n|---|---|---|---|---|---|\n");
  for (const BenchRow& row : rows) {
    std::printf("| %s | %s | %s | %d | %.4f | %.4f |\n", row.file.c_str(), row.mode.c_str(),
                row.verdict.c_str(), row.runs, row.mean_ms, row.min_ms);
  }
  std::printf("\netcd total (102 non-empty logs, sum of means): %.3f ms\n", etcd_total_ms);
  return 0;
}

}  // namespace raftsim::tools
