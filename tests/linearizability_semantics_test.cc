// Hand-written histories that pin each semantic rule of sim/linearizability/README.md, the
// search's reductions (regression tests named after what they pin), budgets, reports, importers.
#include <gtest/gtest.h>

#include "sim/linearizability/checker.h"
#include "sim/linearizability/import.h"
#include "sim/linearizability/models.h"
#include "sim/linearizability/report.h"
#include "tests/linearizability_hand_made.h"

namespace raftsim::linearizability {
namespace {

Operation op(std::uint64_t client, std::string function, Value argument, Value output,
             TimeNs invoke, TimeNs returned, OperationStatus status = OperationStatus::ok) {
  return testing::hand_made_operation(client, std::move(function), std::move(argument),
                                      std::move(output), invoke, returned, status);
}

Operation cas(std::uint64_t client, std::int64_t from, std::int64_t to, TimeNs invoke,
              TimeNs returned, OperationStatus status) {
  Operation operation = op(client, "cas", Value::of(from), Value{}, invoke, returned, status);
  operation.argument2 = Value::of(to);
  return operation;
}

Operation write(std::uint64_t client, std::int64_t value, TimeNs invoke, TimeNs returned,
                OperationStatus status = OperationStatus::ok) {
  return op(client, "write", Value::of(value), Value{}, invoke, returned, status);
}

Operation read(std::uint64_t client, Value output, TimeNs invoke, TimeNs returned) {
  return op(client, "read", Value{}, std::move(output), invoke, returned);
}

CheckResult run(std::vector<Operation> operations, const std::string& model_name = "cas",
                CheckOptions options = {}) {
  History history{model_name, std::move(operations)};
  auto model = make_model(model_name);
  auto result = check_history(history, *model, options);
  EXPECT_TRUE(result.ok()) << result.status().to_string();
  return result.ok() ? result.value() : CheckResult{};
}

Verdict verdict(std::vector<Operation> operations, const std::string& model = "cas") {
  return run(std::move(operations), model).verdict;
}

TEST(Semantics, ReadOfInitialNilIsLinearizable) {
  EXPECT_EQ(verdict({read(0, Value::nil(), 0, 1)}), Verdict::linearizable);
  EXPECT_EQ(verdict({read(0, Value::of(0), 0, 1)}), Verdict::not_linearizable);
}

TEST(Semantics, StaleReadAfterCompletedWriteIsNotLinearizable) {
  EXPECT_EQ(verdict({write(0, 1, 0, 1), read(1, Value::nil(), 2, 3)}), Verdict::not_linearizable);
}

TEST(Semantics, EqualTimesAreConcurrent) {
  // The write returns at 5 and the read is invoked at 5: they overlap, so the read may come first.
  EXPECT_EQ(verdict({write(0, 1, 0, 5), read(1, Value::nil(), 5, 6)}), Verdict::linearizable);
  EXPECT_EQ(verdict({write(0, 1, 0, 4), read(1, Value::nil(), 5, 6)}), Verdict::not_linearizable);
}

TEST(Semantics, FailedWriteDidNotHappen) {
  EXPECT_EQ(verdict({write(0, 1, 0, 1, OperationStatus::fail), read(1, Value::of(1), 2, 3)}),
            Verdict::not_linearizable);
  EXPECT_EQ(verdict({write(0, 1, 0, 1, OperationStatus::fail), read(1, Value::nil(), 2, 3)}),
            Verdict::linearizable);
}

TEST(Semantics, FailedCasIsAnObservationThatTheValueDiffered) {
  // cas(1 -> 2) failed while the register certainly held 1: impossible.
  EXPECT_EQ(verdict({write(0, 1, 0, 1), cas(1, 1, 2, 2, 3, OperationStatus::fail)}),
            Verdict::not_linearizable);
  EXPECT_EQ(verdict({write(0, 1, 0, 1), cas(1, 0, 2, 2, 3, OperationStatus::fail),
                     read(2, Value::of(1), 4, 5)}),
            Verdict::linearizable);
}

TEST(Semantics, InfoWriteMayHaveHappenedAtAnyLaterTime) {
  // Invoked at 0, never returned: it may take effect late (after the first read) ...
  EXPECT_EQ(verdict({write(0, 1, 0, 0, OperationStatus::info), read(1, Value::nil(), 10, 11),
                     read(2, Value::of(1), 20, 21)}),
            Verdict::linearizable);
  // ... or never ...
  EXPECT_EQ(verdict({write(0, 1, 0, 0, OperationStatus::info), read(1, Value::nil(), 20, 21)}),
            Verdict::linearizable);
  // ... but not before it was invoked, and not twice.
  EXPECT_EQ(verdict({read(1, Value::of(1), 0, 1), write(0, 1, 2, 0, OperationStatus::info)}),
            Verdict::not_linearizable);
  EXPECT_EQ(verdict({write(0, 1, 0, 0, OperationStatus::info), read(1, Value::of(1), 10, 11),
                     write(2, 2, 12, 13), read(3, Value::of(1), 14, 15)}),
            Verdict::not_linearizable);
}

TEST(Semantics, InfoCasAppliesOnlyIfTheValueMatched) {
  Operation pending = cas(0, 1, 2, 0, 0, OperationStatus::info);
  EXPECT_EQ(verdict({pending, read(1, Value::of(2), 5, 6)}), Verdict::not_linearizable);
  EXPECT_EQ(verdict({write(2, 1, 0, 1), pending, read(1, Value::of(2), 5, 6)}),
            Verdict::linearizable);
}

TEST(Semantics, TimedOutReadConstrainsNothing) {
  Operation timed_out = read(0, Value{}, 0, 1);
  timed_out.status = OperationStatus::fail;
  EXPECT_EQ(verdict({timed_out}), Verdict::linearizable);
  timed_out.status = OperationStatus::info;
  timed_out.return_ns = kTimeInfinite;
  EXPECT_EQ(verdict({timed_out, read(1, Value::nil(), 2, 3)}), Verdict::linearizable);
}

TEST(Semantics, EmptyHistoryIsReportedAsEmpty) {
  EXPECT_EQ(verdict({}), Verdict::empty);
}

// Regression for the identical-operation reduction: an identical write with a nested, shorter
// interval must not be forced after the longer one. Valid order: w1(b), w2, w1(a), read 1.
TEST(SearchReductions, IdenticalOperationsWithNestedIntervalsAreNotOrderedByInvoke) {
  EXPECT_EQ(verdict({write(0, 1, 0, 10), write(1, 1, 1, 2), write(2, 2, 3, 4),
                     read(3, Value::of(1), 11, 12)}),
            Verdict::linearizable);
}

// Regression for forcing state-preserving operations: a legal read is linearized at once, and a
// dead end after it must backtrack past it.
TEST(SearchReductions, ForcedReadBacktracksToEarlierChoice) {
  EXPECT_EQ(verdict({write(0, 1, 0, 10), write(1, 2, 0, 10), read(2, Value::of(1), 1, 2),
                     read(3, Value::of(2), 3, 4), read(4, Value::of(1), 5, 6)}),
            Verdict::not_linearizable);
  EXPECT_EQ(verdict({write(0, 1, 0, 10), write(1, 2, 0, 10), read(2, Value::nil(), 1, 2),
                     read(3, Value::of(1), 3, 4), read(4, Value::of(2), 11, 12)}),
            Verdict::linearizable);
}

// Regression for hopeless-read pruning: only appends make a non-prefix hopeless; a put (or an
// info write, for registers) available before the read's return can still make it legal.
TEST(SearchReductions, HopelessReadPruningRespectsPutsAndInfoWrites) {
  auto kv = [](std::uint64_t client, const char* function, Value argument, Value output,
               TimeNs invoke, TimeNs returned) {
    Operation operation =
        op(client, function, std::move(argument), std::move(output), invoke, returned);
    operation.key = "k";
    return operation;
  };
  EXPECT_EQ(
      verdict(
          {kv(0, "append", Value::of("a"), {}, 0, 1), kv(1, "put", Value::of("x"), {}, 2, 10),
           kv(2, "append", Value::of("y"), {}, 2, 10), kv(3, "get", {}, Value::of("xy"), 5, 12)},
          "kv"),
      Verdict::linearizable);
  EXPECT_EQ(verdict({kv(0, "append", Value::of("a"), {}, 0, 1),
                     kv(2, "append", Value::of("y"), {}, 2, 10),
                     kv(3, "get", {}, Value::of("xy"), 5, 12)},
                    "kv"),
            Verdict::not_linearizable);
  EXPECT_EQ(verdict({write(0, 1, 0, 0, OperationStatus::info), read(1, Value::of(1), 5, 6)}),
            Verdict::linearizable);
  EXPECT_EQ(verdict({write(0, 2, 0, 0, OperationStatus::info), read(1, Value::of(1), 5, 6)}),
            Verdict::not_linearizable);
}

TEST(Models, KvAppendConcatenatesAndNilIsEmpty) {
  auto kv = [](std::uint64_t client, const char* function, Value argument, Value output,
               TimeNs invoke, TimeNs returned) {
    Operation operation =
        op(client, function, std::move(argument), std::move(output), invoke, returned);
    operation.key = "k";
    return operation;
  };
  EXPECT_EQ(
      verdict({kv(0, "get", {}, Value::nil(), 0, 1), kv(0, "append", Value::of("ab"), {}, 2, 3),
               kv(0, "append", Value::of("c"), {}, 4, 5), kv(0, "get", {}, Value::of("abc"), 6, 7)},
              "kv"),
      Verdict::linearizable);
  EXPECT_EQ(
      verdict(
          {kv(0, "append", Value::of("ab"), {}, 0, 5), kv(1, "put", Value::of("abc"), {}, 0, 5),
           kv(2, "append", Value::of("c"), {}, 0, 5), kv(0, "get", {}, Value::of("abcc"), 6, 7)},
          "kv"),
      Verdict::linearizable);
  EXPECT_EQ(
      verdict({kv(0, "append", Value::of("ab"), {}, 0, 1), kv(0, "get", {}, Value::of("a"), 2, 3)},
              "kv"),
      Verdict::not_linearizable);
}

TEST(Models, UnknownFunctionIsAnErrorNamingTheOperation) {
  History history{"cas", {op(0, "get", {}, Value::nil(), 0, 1)}};
  auto model = make_model("cas");
  auto result = check_history(history, *model, {});
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("op 0"), std::string::npos);
  EXPECT_NE(result.status().message().find("'get'"), std::string::npos);
}

TEST(Budget, ExhaustedStepsGiveUnknownNamingThePartition) {
  std::vector<Operation> operations;
  for (int client = 0; client < 12; ++client) operations.push_back(write(client, client, 0, 100));
  // Every order of the writes must be tried before the reads are known to be inconsistent.
  operations.push_back(read(98, Value::of(3), 101, 102));
  operations.push_back(read(99, Value::of(5), 103, 104));
  CheckOptions options;
  options.budget.search_steps_max = 1000;
  const CheckResult result = run(operations, "cas", options);
  EXPECT_EQ(result.verdict, Verdict::unknown);
  ASSERT_TRUE(result.unknown_partition.has_value());
  EXPECT_EQ(*result.unknown_partition, "");
  EXPECT_EQ(result.partitions[0].exhausted, BudgetExhausted::search_steps);
  // Deterministic: the same budget gives the same steps.
  EXPECT_EQ(run(operations, "cas", options).steps, result.steps);
  options.budget.search_steps_max = 100'000'000;
  EXPECT_EQ(run(operations, "cas", options).verdict, Verdict::not_linearizable);
}

// The memory budget counts the parsed history itself: a budget below what the history holds
// ends the check as unknown on memory at once, one above it lets the check finish.
TEST(Budget, MemoryBudgetCountsTheHistory) {
  std::vector<Operation> operations;
  for (int index = 0; index < 2000; ++index) {
    operations.push_back(write(0, index, 10 * index, 10 * index + 5));
  }
  History history{"cas", operations};
  const std::size_t held = history_memory_bytes(history);
  EXPECT_GT(held, 2000 * sizeof(Operation));
  CheckOptions options;
  options.budget.memory_bytes_max = held / 2;
  const CheckResult starved = run(operations, "cas", options);
  EXPECT_EQ(starved.verdict, Verdict::unknown);
  EXPECT_EQ(starved.partitions[0].exhausted, BudgetExhausted::memory_bytes);
  options.budget.memory_bytes_max = held + (std::size_t{64} << 20);
  EXPECT_EQ(run(operations, "cas", options).verdict, Verdict::linearizable);
}

TEST(Report, ViolationNamesBlamedOperationPrefixAndConcurrentOnes) {
  const CheckResult result =
      run({write(0, 1, 0, 1), write(1, 2, 2, 5), read(2, Value::of(1), 6, 7)});
  ASSERT_EQ(result.verdict, Verdict::not_linearizable);
  ASSERT_TRUE(result.violation.has_value());
  EXPECT_EQ(result.violation->blamed, 2u);
  ASSERT_EQ(result.violation->longest_prefix.size(), 2u);
  EXPECT_EQ(result.violation->longest_prefix[1].state_after, "2");
  History history{"cas", {write(0, 1, 0, 1), write(1, 2, 2, 5), read(2, Value::of(1), 6, 7)}};
  const auto json = result_to_json(result, history);
  EXPECT_EQ(json["verdict"], "not_linearizable");
  EXPECT_EQ(json["violation"]["operation"]["index"], 2);
  const std::string html = violation_to_html(result, history);
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_NE(html.find("BLAMED"), std::string::npos);
}

TEST(Import, JepsenLinesWithTabsOrSpaces) {
  const std::string text =
      "INFO  jepsen.util - 1\t:invoke\t:write\t3\n"
      "INFO  jepsen.util - 2   :invoke :cas    [3 4]\n"
      "INFO  jepsen.util - 1\t:ok\t:write\t3\n"
      "INFO  jepsen.util - 2   :fail   :cas    [3 4]\n"
      "INFO  jepsen.util - 3\t:invoke\t:read\tnil\n"
      "INFO  jepsen.util - 3\t:ok\t:read\t3\n"
      "INFO  jepsen.util - 4\t:invoke\t:write\t1\n"
      "INFO  jepsen.util - 4\t:info\t:write\t:timed-out\n";
  auto history = parse_jepsen_log(text, "t.log");
  ASSERT_TRUE(history.ok()) << history.status().to_string();
  ASSERT_EQ(history.value().operations.size(), 4u);
  const Operation& failed_cas = history.value().operations[1];
  EXPECT_EQ(failed_cas.status, OperationStatus::fail);
  EXPECT_EQ(failed_cas.argument2, Value::of(4));
  EXPECT_EQ(history.value().operations[2].output, Value::of(3));
  EXPECT_EQ(history.value().operations[3].return_ns, kTimeInfinite);
}

TEST(Import, MalformedLinesNameFileLineColumnAndExpectation) {
  auto jepsen = parse_jepsen_log("INFO  jepsen.util - 1\t:invoke\t:write\t[3\n", "a.log");
  ASSERT_FALSE(jepsen.ok());
  EXPECT_NE(jepsen.status().message().find("a.log:1:"), std::string::npos);
  EXPECT_NE(jepsen.status().message().find("expected"), std::string::npos);
  auto edn = parse_porcupine_kv(
      "{:process 1, :type :invoke, :f :get, :key \"1\", :value nil}\n"
      "{:process 1 :type :ok}\n",
      "b.txt");
  ASSERT_FALSE(edn.ok());
  EXPECT_NE(edn.status().message().find("b.txt:2:"), std::string::npos);
  auto orphan =
      parse_porcupine_kv("{:process 1, :type :ok, :f :get, :key \"1\", :value nil}\n", "c.txt");
  ASSERT_FALSE(orphan.ok());
  EXPECT_NE(orphan.status().message().find("c.txt:1:"), std::string::npos);
}

TEST(Import, RaftsimJsonRoundTripAndErrors) {
  auto history = parse_raftsim_json(
      R"({"version":1,"model":"kv","operations":[
          {"client":0,"op":"put","key":"a","value":"x","invoke_ns":0,"return_ns":5,"status":"ok"},
          {"client":1,"op":"get","key":"a","invoke_ns":6,"return_ns":9,"status":"ok","output":"x"},
          {"client":2,"op":"append","key":"a","value":"y","invoke_ns":7,"return_ns":null,
           "status":"info"}]})",
      "h.json");
  ASSERT_TRUE(history.ok()) << history.status().to_string();
  EXPECT_EQ(history.value().model, "kv");
  EXPECT_EQ(history.value().operations[2].return_ns, kTimeInfinite);
  auto model = make_model("kv");
  auto result = check_history(history.value(), *model, {});
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result.value().verdict, Verdict::linearizable);

  auto bad_path = parse_raftsim_json(
      R"({"version":1,"operations":[{"client":0,"op":"put","invoke_ns":"x"}]})", "h.json");
  ASSERT_FALSE(bad_path.ok());
  EXPECT_NE(bad_path.status().message().find("/operations/0/"), std::string::npos);
  auto bad_json = parse_raftsim_json("{\n  \"version\": 1,\n  oops\n}", "h.json");
  ASSERT_FALSE(bad_json.ok());
  EXPECT_NE(bad_json.status().message().find("h.json:3:"), std::string::npos);
}

// Input a permissive reader would take silently, with a different meaning than its writer meant.
TEST(Import, RaftsimJsonRefusesDuplicateKeysUnknownFieldsAndWrappingIntegers) {
  const auto error_of = [](const std::string& text) {
    auto parsed = parse_raftsim_json(text, "h.json");
    return parsed.ok() ? std::string("parsed") : parsed.status().message();
  };
  // With the last "value" winning, this put would read as "y" and flip a verdict.
  EXPECT_NE(error_of(R"({"version":1,"operations":[{"client":0,"op":"put","key":"a","value":"x",)"
                     R"("value":"y","invoke_ns":0,"return_ns":5,"status":"ok"}]})")
                .find("duplicate key \"value\" in the object at /operations/0"),
            std::string::npos);
  EXPECT_EQ(error_of(R"({"version":1,"modle":"kv","operations":[]})"),
            "h.json: JSON path /modle: unknown field (allowed: version, model, operations)");
  EXPECT_NE(error_of(R"({"version":1,"operations":[{"client":0,"op":"put","key":"a","from":"x",)"
                     R"("invoke_ns":0,"return_ns":5,"status":"ok"}]})")
                .find("/operations/0/from: unknown field"),
            std::string::npos)
      << "only a cas has \"from\"";
  EXPECT_NE(error_of(R"({"version":1,"operations":[{"client":0,"op":"put","key":"a",)"
                     R"("value":9223372036854775808,"invoke_ns":0,"return_ns":5,"status":"ok"}]})")
                .find("/operations/0/value: expected an integer below 2^63"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"version":1,"operations":[],"x":1e400})").find("h.json:1:34: the number"),
            std::string::npos);
}

TEST(Import, FormatDetection) {
  EXPECT_EQ(detect_history_format("{:process 0, :type :invoke}"), HistoryFormat::porcupine_kv);
  EXPECT_EQ(detect_history_format("INFO  jepsen.util - 1 :invoke :read nil"),
            HistoryFormat::jepsen);
  EXPECT_EQ(detect_history_format("{\"version\": 1}"), HistoryFormat::raftsim);
}

}  // namespace
}  // namespace raftsim::linearizability
