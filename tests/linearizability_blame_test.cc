// The linearizability checker's blame and its semantics options (issue 19): hand-made histories
// that pin which operation a report blames (as other checkers' test suites do), the readings of
// failed cas, nil reads and the initial value, and two properties against a brute-force
// reference: the blamed operation's return is exactly where the history stops being
// linearizable, and every combination of semantics gives the reference's verdict.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstdlib>
#include <tuple>

#include "sim/linearizability/checker.h"
#include "sim/linearizability/import.h"
#include "sim/linearizability/models.h"
#include "sim/linearizability/semantics.h"
#include "sim/linearizability/zones.h"
#include "tests/linearizability_generators.h"
#include "tests/linearizability_hand_made.h"

namespace raftsim::linearizability {
namespace {

using namespace raftsim::linearizability::testing;

Operation op(std::string function, Value argument, Value output, TimeNs invoke, TimeNs returned,
             OperationStatus status = OperationStatus::ok) {
  static std::uint64_t next_client = 0;
  return hand_made_operation(next_client++, std::move(function), std::move(argument),
                             std::move(output), invoke, returned, status);
}

Operation write(std::int64_t value, TimeNs invoke, TimeNs returned) {
  return op("write", Value::of(value), Value{}, invoke, returned);
}

Operation read(Value output, TimeNs invoke, TimeNs returned) {
  return op("read", Value{}, std::move(output), invoke, returned);
}

Operation cas(std::int64_t from, std::int64_t to, TimeNs invoke, TimeNs returned,
              OperationStatus status) {
  Operation operation = op("cas", Value::of(from), Value{}, invoke, returned, status);
  operation.argument2 = Value::of(to);
  return operation;
}

CheckResult check(std::vector<Operation> operations, const std::string& model_name = "cas",
                  const Semantics& semantics = {}) {
  History history{model_name, std::move(operations)};
  for (std::size_t index = 0; index < history.operations.size(); ++index) {
    history.operations[index].origin = "op " + std::to_string(index);
  }
  auto model = make_model(model_name, semantics);
  EXPECT_TRUE(model.ok()) << model.status().to_string();
  if (!model.ok()) return CheckResult{};
  auto result = check_history(history, *model.value(), CheckOptions{});
  EXPECT_TRUE(result.ok()) << result.status().to_string();
  return result.ok() ? result.value() : CheckResult{};
}

// The blamed operation and the history indices of the partial linearization shown with it.
std::pair<std::size_t, std::vector<std::size_t>> blame(const CheckResult& result) {
  EXPECT_EQ(result.verdict, Verdict::not_linearizable);
  if (!result.violation) return {SIZE_MAX, {}};
  EXPECT_TRUE(result.violation->blame_exact);
  std::vector<std::size_t> prefix;
  for (const LinearizationStep& step : result.violation->longest_prefix) {
    prefix.push_back(step.operation);
  }
  return {result.violation->blamed, prefix};
}

std::pair<std::size_t, std::vector<std::size_t>> blame_of(std::vector<Operation> operations,
                                                          const std::string& model = "cas") {
  return blame(check(std::move(operations), model));
}

using Prefix = std::vector<std::size_t>;

TEST(Blame, AReadNoWriteExplainsIsBlamedNotTheWriteBeforeIt) {
  // Issue 19's example: the pruning of hopeless reads used to end the search before the write,
  // so the write was blamed with an empty partial linearization.
  const auto [blamed, prefix] = blame_of({write(1, 0, 10), read(Value::of(2), 20, 30)});
  EXPECT_EQ(blamed, 1u);
  EXPECT_EQ(prefix, Prefix({0}));
}

TEST(Blame, AReadOfAValueWrittenOnlyLaterIsBlamedWithNothingBeforeIt) {
  const auto [blamed, prefix] = blame_of({read(Value::of(1), 0, 10), write(1, 20, 30)});
  EXPECT_EQ(blamed, 0u);
  EXPECT_EQ(prefix, Prefix{});
}

TEST(Blame, AStaleReadAfterTwoWritesIsBlamedAfterBoth) {
  const auto [blamed, prefix] =
      blame(check({write(1, 0, 10), write(2, 20, 30), read(Value::of(1), 40, 50)}));
  EXPECT_EQ(blamed, 2u);
  EXPECT_EQ(prefix, Prefix({0, 1}));
}

TEST(Blame, TheSecondOfTwoReadsDuringAWriteIsBlamedWhenItGoesBack) {
  // The first read saw the write take effect; the second, later, saw the value before it.
  const auto [blamed, prefix] =
      blame(check({write(1, 0, 100), read(Value::of(1), 10, 20), read(Value::nil(), 30, 40)}));
  EXPECT_EQ(blamed, 2u);
  EXPECT_EQ(prefix, Prefix({0, 1}));
}

TEST(Blame, AViolationLateInALongHistoryKeepsEverythingBeforeIt) {
  const auto [blamed, prefix] =
      blame(check({write(1, 0, 10), read(Value::of(1), 20, 30), write(2, 40, 50),
                   read(Value::of(2), 60, 70), write(3, 80, 90), read(Value::of(2), 100, 110)}));
  EXPECT_EQ(blamed, 5u);
  EXPECT_EQ(prefix, Prefix({0, 1, 2, 3, 4}));
}

TEST(Blame, AFailedCasThatSawTheValueItExpectedIsBlamed) {
  const auto [blamed, prefix] =
      blame(check({write(1, 0, 10), cas(1, 2, 20, 30, OperationStatus::fail)}));
  EXPECT_EQ(blamed, 1u);
  EXPECT_EQ(prefix, Prefix({0}));
}

TEST(Blame, AGetNoAppendExplainsIsBlamed) {
  Operation append = op("append", Value::of("x"), Value{}, 0, 10);
  Operation get = op("get", Value{}, Value::of("y"), 20, 30);
  const auto [blamed, prefix] = blame_of({append, get}, "kv");
  EXPECT_EQ(blamed, 1u);
  EXPECT_EQ(prefix, Prefix({0}));
}

TEST(Blame, ReportsAreTheSameOnEveryRun) {
  const std::vector<Operation> history = {write(1, 0, 100), read(Value::of(1), 10, 20),
                                          read(Value::nil(), 30, 40), write(2, 5, 50)};
  const CheckResult first = check(history);
  const CheckResult second = check(history);
  ASSERT_TRUE(first.violation && second.violation);
  EXPECT_EQ(first.violation->blamed, second.violation->blamed);
  EXPECT_EQ(first.explanation_steps, second.explanation_steps);
  EXPECT_EQ(first.steps, second.steps);
}

TEST(SemanticsOptions, FailedCasIgnoredCarriesNoInformation) {
  Semantics ignore;
  ignore.failed_cas = FailedCas::ignore;
  const std::vector<Operation> history = {write(1, 0, 10),
                                          cas(1, 2, 20, 30, OperationStatus::fail)};
  EXPECT_EQ(check(history).verdict, Verdict::not_linearizable);
  EXPECT_EQ(check(history, "cas", ignore).verdict, Verdict::linearizable);
}

TEST(SemanticsOptions, NilReadUnknownConstrainsNothing) {
  Semantics unknown;
  unknown.nil_read = NilRead::unknown;
  const std::vector<Operation> history = {write(1, 0, 10), read(Value::nil(), 20, 30)};
  EXPECT_EQ(check(history).verdict, Verdict::not_linearizable);
  EXPECT_EQ(check(history, "cas", unknown).verdict, Verdict::linearizable);
  // Only nil is unknown: a wrong non-nil value is still a violation.
  EXPECT_EQ(check({write(1, 0, 10), read(Value::of(2), 20, 30)}, "cas", unknown).verdict,
            Verdict::not_linearizable);
}

TEST(SemanticsOptions, AGivenInitialValueIsWhatTheFirstReadSees) {
  Semantics five;
  five.initial = InitialValue{InitialValue::Kind::given, Value::of(5)};
  EXPECT_EQ(check({read(Value::of(5), 0, 10)}, "cas", five).verdict, Verdict::linearizable);
  EXPECT_EQ(check({read(Value::nil(), 0, 10)}, "cas", five).verdict, Verdict::not_linearizable);
  Semantics text;
  text.initial = InitialValue{InitialValue::Kind::given, Value::of("ab")};
  Operation append = op("append", Value::of("c"), Value{}, 0, 10);
  Operation get = op("get", Value{}, Value::of("abc"), 20, 30);
  EXPECT_EQ(check({append, get}, "kv", text).verdict, Verdict::linearizable);
  EXPECT_EQ(check({append, get}, "kv").verdict, Verdict::not_linearizable);
}

TEST(SemanticsOptions, AnUnknownInitialValueIsOneValueForEveryReadThatSeesIt) {
  Semantics none;
  none.initial = InitialValue{InitialValue::Kind::none, {}};
  EXPECT_EQ(
      check({read(Value::of(7), 0, 10), write(1, 20, 30), read(Value::of(1), 40, 50)}, "cas", none)
          .verdict,
      Verdict::linearizable);
  // Two reads before any write saw two different initial values.
  const CheckResult two =
      check({read(Value::of(7), 0, 10), read(Value::of(8), 20, 30)}, "cas", none);
  EXPECT_EQ(two.verdict, Verdict::not_linearizable);
  ASSERT_TRUE(two.violation);
  EXPECT_EQ(two.violation->blamed, 1u);
  // A failed cas only says the value was not 3: an unknown initial value can be anything else.
  EXPECT_EQ(check({cas(3, 4, 0, 10, OperationStatus::fail)}, "cas", none).verdict,
            Verdict::linearizable);
  EXPECT_EQ(check({cas(3, 4, 0, 10, OperationStatus::ok), read(Value::of(4), 20, 30)}, "cas", none)
                .verdict,
            Verdict::linearizable);
}

TEST(SemanticsOptions, ModelsRefuseSemanticsTheyCannotTake) {
  Semantics none;
  none.initial = InitialValue{InitialValue::Kind::none, {}};
  EXPECT_FALSE(make_model("kv", none).ok());
  Semantics number;
  number.initial = InitialValue{InitialValue::Kind::given, Value::of(3)};
  EXPECT_FALSE(make_model("kv", number).ok());
  EXPECT_FALSE(make_model("queue", Semantics{}).ok());
  auto model = make_model("cas", none);
  ASSERT_TRUE(model.ok());
  CheckOptions one_search;
  one_search.partition_by_key = false;
  History history{"cas", {read(Value::of(1), 0, 1)}};
  EXPECT_FALSE(check_history(history, *model.value(), one_search).ok());
}

TEST(SemanticsOptions, FormatsDefaultToTheirOriginsReading) {
  const Semantics jepsen = default_semantics_for(HistoryFormat::jepsen);
  EXPECT_EQ(jepsen.failed_cas, FailedCas::ignore);
  EXPECT_EQ(jepsen.nil_read, NilRead::unknown);
  EXPECT_EQ(default_semantics_for(HistoryFormat::raftsim), Semantics{});
  EXPECT_EQ(default_semantics_for(HistoryFormat::porcupine_kv), Semantics{});
}

TEST(SemanticsOptions, InitialValuesParseWholeOrNotAtAll) {
  EXPECT_EQ(parse_initial_value("nil").value().kind, InitialValue::Kind::nil);
  EXPECT_EQ(parse_initial_value("none").value().kind, InitialValue::Kind::none);
  EXPECT_EQ(parse_initial_value("42").value().value, Value::of(42));
  EXPECT_EQ(parse_initial_value("-3").value().value, Value::of(-3));
  EXPECT_EQ(parse_initial_value("\"42\"").value().value, Value::of("42"));
  EXPECT_EQ(parse_initial_value("abc").value().value, Value::of("abc"));
  EXPECT_FALSE(parse_initial_value("99999999999999999999").ok());
  EXPECT_FALSE(parse_initial_value("1-2").ok());
  EXPECT_FALSE(parse_initial_value("").ok());
  EXPECT_FALSE(parse_failed_cas("observed").has_value());
  EXPECT_FALSE(parse_nil_read("").has_value());
}

// --- Properties against the brute-force reference -------------------------------------------

using Entry = ReferenceChecker::Entry;
using EventKey = std::tuple<TimeNs, int, std::size_t>;

// The history as it stood at `cut` (an event: time, 0 call / 1 return, operation): operations
// called after it are left out; those that had not returned by then may or may not have taken
// effect (optional, returning at infinity), with their known behaviour; `blamed_required` keeps
// the operation whose return is the cut itself required.
std::vector<Entry> history_at(const std::vector<Entry>& entries, const EventKey& cut,
                              bool cut_included) {
  std::vector<Entry> prefix;
  for (std::size_t index = 0; index < entries.size(); ++index) {
    Entry entry = entries[index];
    if (EventKey{entry.invoke_ns, 0, index} > cut) continue;
    const EventKey returned{entry.return_ns, 1, index};
    if (!entry.optional && (returned < cut || (cut_included && returned == cut))) {
      prefix.push_back(entry);
      continue;
    }
    entry.optional = true;
    entry.return_ns = kTimeInfinite;
    prefix.push_back(entry);
  }
  return prefix;
}

RC_GTEST_PROP(LinearizabilityBlame, TheBlamedReturnIsWhereTheHistoryStopsBeingLinearizable, ()) {
  Choices choices(many_choices(4));
  SimulationShape shape = random_shape(choices, 8);
  shape.keys = 1;
  History history = simulate_linearizable(shape, choices);
  const std::uint32_t perturbations = 1 + choices.below(3);
  for (std::uint32_t count = 0; count < perturbations; ++count) perturb_one_read(history, choices);
  if (choices.percent(50)) history = random_history(shape, choices);
  auto model = make_model(history.model);
  auto result = check_history(history, *model, CheckOptions{});
  RC_ASSERT(result.ok());
  RC_PRE(result.value().verdict == Verdict::not_linearizable);
  const Violation& violation = *result.value().violation;
  RC_ASSERT(violation.blame_exact);
  // The operations the model keeps, in history order (the search's own order).
  auto reference_model = make_model(history.model);
  std::vector<Entry> entries;
  std::size_t blamed = SIZE_MAX;
  for (std::size_t index = 0; index < history.operations.size(); ++index) {
    const Operation& operation = history.operations[index];
    auto prepared = reference_model->prepare(operation);
    RC_ASSERT(prepared.ok());
    if (!prepared.value()) continue;
    if (index == violation.blamed) blamed = entries.size();
    entries.push_back(Entry{operation.invoke_ns, operation.return_ns,
                            operation.status == OperationStatus::info, *prepared.value()});
  }
  RC_ASSERT(blamed < entries.size());
  RC_ASSERT(!entries[blamed].optional);
  const EventKey cut{entries[blamed].return_ns, 1, blamed};
  for (const Operation& operation : history.operations) {
    RC_LOG() << operation.describe() << " [" << operation.invoke_ns << ", "
             << (operation.return_ns == kTimeInfinite ? -1 : operation.return_ns) << "] "
             << operation_status_name(operation.status) << "\n";
  }
  RC_LOG() << "model " << history.model << " blamed " << violation.blamed << "\n";
  RC_ASSERT(ReferenceChecker(history_at(entries, cut, false), *reference_model).linearizable());
  RC_ASSERT(!ReferenceChecker(history_at(entries, cut, true), *reference_model).linearizable());
  // The partial linearization shown is a real one: it replays from the initial state.
  auto replay_model = make_model(history.model);
  ModelState state = replay_model->initial_state();
  for (const LinearizationStep& step : violation.longest_prefix) {
    auto prepared = replay_model->prepare(history.operations[step.operation]);
    RC_ASSERT(prepared.ok() && prepared.value().has_value());
    ModelState next = 0;
    RC_ASSERT(replay_model->step(state, *prepared.value(), &next));
    state = next;
  }
}

Semantics random_semantics(Choices& choices, const std::string& model, std::uint32_t values) {
  Semantics semantics;
  semantics.failed_cas = choices.percent(50) ? FailedCas::observe : FailedCas::ignore;
  semantics.nil_read = choices.percent(50) ? NilRead::value : NilRead::unknown;
  const std::uint32_t initial = choices.below(3);
  if (initial == 1) {
    const std::uint32_t number = choices.below(values + 1);
    semantics.initial.kind = InitialValue::Kind::given;
    semantics.initial.value = model == "kv" ? Value::of(number == 0 ? "" : value_text(number))
                                            : Value::of(std::int64_t{number});
  }
  if (initial == 2 && model != "kv") semantics.initial.kind = InitialValue::Kind::none;
  return semantics;
}

// The reference under an unknown initial value: some value works, among those written or read
// (1..values, nil) and one nothing uses.
bool reference_linearizable(const History& history, const Semantics& semantics,
                            std::uint32_t values) {
  std::vector<InitialValue> initials{semantics.initial};
  if (semantics.initial.kind == InitialValue::Kind::none) {
    initials = {InitialValue{}};
    for (std::int64_t number = 0; number <= values + 1; ++number) {
      initials.push_back(
          InitialValue{InitialValue::Kind::given, Value::of(number == values + 1 ? 1000 : number)});
    }
  }
  for (const InitialValue& initial : initials) {
    Semantics one = semantics;
    one.initial = initial;
    auto model = make_model(history.model, one);
    RAFTSIM_CHECK(model.ok());
    if (ReferenceChecker(history, *model.value()).linearizable()) return true;
  }
  return false;
}

RC_GTEST_PROP(LinearizabilityBlame, EverySemanticsAgreesWithTheBruteForceReference, ()) {
  Choices choices(many_choices(4));
  SimulationShape shape = random_shape(choices, 7);
  shape.keys = 1;
  History history =
      choices.percent(50) ? random_history(shape, choices) : simulate_linearizable(shape, choices);
  if (choices.percent(50)) perturb_one_read(history, choices);
  const Semantics semantics = random_semantics(choices, history.model, shape.values);
  RC_TAG(semantics_text(semantics));
  auto model = make_model(history.model, semantics);
  RC_ASSERT(model.ok());
  auto result = check_history(history, *model.value(), CheckOptions{});
  RC_ASSERT(result.ok());
  const bool expected = reference_linearizable(history, semantics, shape.values);
  if (result.value().verdict == Verdict::empty) return;
  RC_ASSERT((result.value().verdict == Verdict::linearizable) == expected);
  RC_ASSERT(result.value().verdict != Verdict::unknown);
}

// Register histories whose writes store distinct values, completed or not: the zones decide the
// completed ones exactly as the brute force does (and decline the rest).
RC_GTEST_PROP(LinearizabilityZones, AgreeWithTheBruteForceReference, ()) {
  Choices choices(many_choices(4));
  SimulationShape shape = random_shape(choices, 8);
  shape.model = choices.percent(70) ? "register" : "kv";
  shape.keys = 1;
  shape.values = 1000;  // simulate_linearizable picks among many: mostly distinct
  shape.info_percent = choices.below(5);
  History history = simulate_linearizable(shape, choices);
  for (Operation& operation : history.operations) operation.key = "";
  // A read made to return what another write stored (or the initial value): the hard kind.
  std::vector<Value> written{history.model == "kv" ? Value::of("") : Value::nil()};
  std::vector<Operation*> reads;
  for (Operation& operation : history.operations) {
    if (operation.function == "write" || operation.function == "put") {
      written.push_back(operation.argument);
    }
    if ((operation.function == "read" || operation.function == "get") &&
        operation.status == OperationStatus::ok) {
      reads.push_back(&operation);
    }
  }
  if (!reads.empty() && choices.percent(70)) {
    reads[choices.below(reads.size())]->output = written[choices.below(written.size())];
  }
  auto model = make_model(history.model);
  std::vector<SearchOperation> operations;
  for (const Operation& operation : history.operations) {
    auto prepared = model->prepare(operation);
    RC_ASSERT(prepared.ok());
    if (!prepared.value()) continue;
    operations.push_back(SearchOperation{operation.invoke_ns, operation.return_ns,
                                         operation.status == OperationStatus::info,
                                         *prepared.value()});
  }
  const std::optional<bool> zones = zones_linearizable(*model, operations, model->initial_state());
  RC_TAG(zones ? (*zones ? "zones: linearizable" : "zones: not linearizable") : "zones decline");
  if (!zones) return;
  RC_ASSERT(*zones == ReferenceChecker(history, *model).linearizable());
}

}  // namespace
}  // namespace raftsim::linearizability
