// Tests for property files: what a valid file becomes (copies, spawn expansion, main first, fault
// budgets, checks), and the exact message of each kind of bad input, with its file:line:column
// and dotted JSON path.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/event.hpp"
#include "model/expr.hpp"
#include "model/scenario.hpp"
#include "model/state.hpp"
#include "model/tokio_model.hpp"
#include "properties/builtins.hpp"
#include "properties/input_error.hpp"
#include "properties/property_file.hpp"

#include <CppUTest/TestHarness.h>

namespace {

namespace model = wakecheck::model;
namespace properties = wakecheck::properties;

using model::OpKind;
using properties::InputError;
using properties::parse_property_file;

// Function-local statics used by the loader: built before any test runs, so CppUTest's leak check
// does not count them against the first test that calls them.
const auto& kRegistry = properties::builtin_properties();

// Every document built by doc() has this layout, so line numbers in the messages are fixed:
//    1  {
//    2    "name": "t",
//    3    "scenario": {
//    4      "runtime": "current_thread",
//    5      "resources": [{"name": "m", "kind": "tokio_mutex"}],
//    6      "tasks": [
//    7        <first task line>
//    8        <second task line> ...
//           ]<, faults on the next line>
//         },
//         "checks": <checks>
//       }
std::string doc(const std::string& tasks, const std::string& checks = R"([{"property": "all_tasks_finish"}])",
                const std::string& faults = "") {
  return "{\n"
         "  \"name\": \"t\",\n"
         "  \"scenario\": {\n"
         "    \"runtime\": \"current_thread\",\n"
         "    \"resources\": [{\"name\": \"m\", \"kind\": \"tokio_mutex\"}],\n"
         "    \"tasks\": [\n" +
         tasks + "\n    ]" + (faults.empty() ? "" : ",\n    \"faults\": " + faults) +
         "\n"
         "  },\n"
         "  \"checks\": " +
         checks +
         "\n"
         "}\n";
}

const std::string kMain = R"(      {"name": "main", "program": ["lock m", "spawn worker", "unlock m"]},)";
const std::string kWorker =
    R"(      {"name": "worker", "copies": 4, "wrapper": "pausable", "program": ["lock m", "unlock m"]})";

/// The message of the InputError that parsing `text` throws ("" if it does not throw).
std::string error_of(const std::string& text) {
  try {
    (void)parse_property_file("t.json", text);
  } catch (const InputError& error) {
    return error.what();
  }
  return "";
}

void check_op(OpKind kind, std::uint8_t a, const model::Op& actual) {
  STRCMP_EQUAL(model::to_string(kind), model::to_string(actual.kind));
  UNSIGNED_LONGS_EQUAL(a, actual.a);
}

void check_op(OpKind kind, std::uint8_t a, std::uint8_t b, const model::Op& actual) {
  check_op(kind, a, actual);
  UNSIGNED_LONGS_EQUAL(b, actual.b);
}

void check_tasks(const std::vector<bool>& expected, const std::vector<bool>& actual) {
  UNSIGNED_LONGS_EQUAL(expected.size(), actual.size());
  for (std::size_t i = 0; i < expected.size(); ++i) CHECK_EQUAL(expected[i], actual[i]);
}

const char* const kValid = R"(// A comment before the document.
{
  "name": "valid",
  "description": "every feature once",
  "scenario": {
    "runtime": "multi_thread",
    "resources": [{"name": "m", "kind": "tokio_mutex"}, {"name": "n", "kind": "tokio_mutex"}],
    "tasks": [
      {"name": "worker", "copies": 4, "wrapper": "pausable", "program": ["lock m", "sleep", "unlock m"]},
      {"name": "helper", "wrapper": "drop_on_pause",
       "program": ["lock n", "join worker2", "try_lock m", "unlock n"]},
      /* main comes last in the file but is task 0 */
      {"name": "main", "program": ["spawn worker", "spawn helper", "yield_now", "pause worker1",
                                   "resume worker1", "abort worker3", "drop helper"]}
    ],
    "faults": {
      "pause": {"budget": 2, "tasks": ["worker"]},
      "drop": {"budget": 1, "tasks": ["helper", "worker3"]}
    }
  },
  "checks": [
    {"property": "all_tasks_finish", "expect": "violated"},
    {"property": "deadlock_free"}
  ]
}
)";

// The scenario language: variables (shared and per task, with ranges), if/while, assignments,
// try_lock into a variable, an on_drop scope, a nested future per copy, std mutex and Notify.
const char* const kLanguage = R"json({
  "name": "language",
  "scenario": {
    "runtime": "current_thread",
    "resources": [{"name": "m", "kind": "tokio_mutex"}, {"name": "s", "kind": "std_mutex"},
                  {"name": "n", "kind": "notify"}],
    "variables": {"count": {"initial": 0, "min": 0, "max": 3}, "big": false, "level": -2,
                  "state": {"initial": 1, "max": 9}},
    "tasks": [
      {"name": "main", "program": [
        {"while": "count < 3", "do": ["count = count + 1", "yield_now"]},
        {"if": "count == 3", "then": ["big = true"], "else": ["big = false"]},
        "spawn getter", "pause getter1.wait", "notify_waiters n"
      ]},
      {"name": "getter", "copies": 2, "variables": {"got": false, "gave_up": false},
       "program": [
         "std_lock s", "state = state + 1", "std_unlock s",
         {"future": "wait", "wrapper": "drop_on_pause", "cancelled": "gave_up", "do": ["notified n"]},
         {"on_drop": ["notify_one n"], "do": ["got = try_lock m"]},
         {"if": "got", "then": ["unlock m", "return"]}
       ]}
    ],
    "faults": {
      "pause": {"budget": 1, "tasks": ["getter.wait"]},
      "resume": {"budget": 1, "tasks": ["getter1.wait"]},
      "spurious_wake": {"budget": 2, "tasks": ["getter"]},
      "drop": {"budget": 1, "tasks": ["getter1"]}
    }
  },
  "checks": [
    {"formula": "always available(m) <= 1"},
    {"name": "never_two", "formula": "never holds(getter0, m) and holds(getter1, m)", "expect": "holds"},
    {"name": "gets", "formula": "reachable getter0.got", "expect": "holds"},
    {"name": "ends", "formula": "eventually finished(getter0)", "expect": "violated"},
    {"name": "answer", "formula": "waits(getter0, n) leads_to finished(getter0) or paused(getter0)",
     "expect": "violated"},
    {"name": "impl", "formula": "always (level > 0 implies count == 3)", "expect": "vacuous"},
    {"property": "no_model_error"}
  ]
}
)json";

// Function-local statics of the loader and the expression parser (the regular expressions of
// statements and formulas, the keyword set, the atom table): built before any test runs, for the
// same reason as kRegistry.
const bool kLanguageWarmedUp = [] {
  (void)parse_property_file("warm.json", kLanguage);
  return true;
}();

/// A single-task document: main with `variables` (a JSON object, or "") and `program`.
std::string main_only(const std::string& variables, const std::string& program,
                      const std::string& checks = R"([{"property": "all_tasks_finish"}])") {
  return doc(R"(      {"name": "main", )" + (variables.empty() ? "" : R"("variables": )" + variables + ", ") +
                 R"("program": )" + program + "}",
             checks);
}

/// Runs a current_thread scenario to its end (one scheduler event at a time, timers when parked).
model::State run_to_end(const model::TokioModel& m) {
  model::State s = m.initial_state();
  for (int i = 0; i < 10'000; ++i) {
    std::vector<model::Event> events;
    m.enabled_events(s, events);
    std::optional<model::Event> next;
    for (const auto& e : events) {
      if (!m.is_environment(e) && !next) next = e;
    }
    if (!next) return s;
    s = m.next_state(s, *next);
  }
  FAIL("no end within 10000 steps");
  return s;
}

}  // namespace

TEST_GROUP(PropertyFileValid){};

TEST(PropertyFileValid, NamesDescriptionRuntimeAndResources) {
  const auto file = parse_property_file("dir/valid.json", kValid);
  STRCMP_EQUAL("dir/valid.json", file.path.c_str());
  STRCMP_EQUAL("valid", file.name.c_str());
  STRCMP_EQUAL("every feature once", file.description.c_str());
  STRCMP_EQUAL("valid", file.scenario.name.c_str());
  STRCMP_EQUAL("multi_thread", model::to_string(file.scenario.flavor));
  UNSIGNED_LONGS_EQUAL(2, file.scenario.resources.size());
  STRCMP_EQUAL("m", file.scenario.resources[0].name.c_str());
  STRCMP_EQUAL("n", file.scenario.resources[1].name.c_str());
  UNSIGNED_LONGS_EQUAL(1, file.scenario.resources[0].permits);
  UNSIGNED_LONGS_EQUAL(1, file.scenario.resources[1].permits);
}

TEST(PropertyFileValid, MainIsTaskZeroAndCopiesExpandToNumberedTasks) {
  const auto file = parse_property_file("valid.json", kValid);
  const auto& tasks = file.scenario.tasks;
  UNSIGNED_LONGS_EQUAL(6, tasks.size());
  const char* names[] = {"main", "worker0", "worker1", "worker2", "worker3", "helper"};
  const char* groups[] = {"main", "worker", "worker", "worker", "worker", "helper"};
  const model::Wrapper wrappers[] = {model::Wrapper::kNone,     model::Wrapper::kPausable,
                                     model::Wrapper::kPausable, model::Wrapper::kPausable,
                                     model::Wrapper::kPausable, model::Wrapper::kDropOnPause};
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    STRCMP_EQUAL(names[i], tasks[i].name.c_str());
    STRCMP_EQUAL(groups[i], tasks[i].group.c_str());
    // A task's wrapper sits on its own future, futures[i].
    STRCMP_EQUAL(names[i], file.scenario.futures[i].name.c_str());
    UNSIGNED_LONGS_EQUAL(i, file.scenario.futures[i].task);
    STRCMP_EQUAL(model::to_string(wrappers[i]), model::to_string(file.scenario.futures[i].wrapper));
  }
  // Every copy runs the template's program.
  for (std::size_t i = 1; i <= 4; ++i) {
    UNSIGNED_LONGS_EQUAL(3, tasks[i].program.size());
    check_op(OpKind::kLock, 0, tasks[i].program[0]);
    check_op(OpKind::kSleep, 0, tasks[i].program[1]);
    check_op(OpKind::kUnlock, 0, tasks[i].program[2]);
  }
}

TEST(PropertyFileValid, SpawnOfATemplateSpawnsEveryCopyAndOtherOpsNameOneTask) {
  const auto file = parse_property_file("valid.json", kValid);
  const auto& main_program = file.scenario.tasks[0].program;
  UNSIGNED_LONGS_EQUAL(10, main_program.size());
  check_op(OpKind::kSpawn, 1, main_program[0]);
  check_op(OpKind::kSpawn, 2, main_program[1]);
  check_op(OpKind::kSpawn, 3, main_program[2]);
  check_op(OpKind::kSpawn, 4, main_program[3]);
  check_op(OpKind::kSpawn, 5, main_program[4]);
  check_op(OpKind::kYieldNow, 0, main_program[5]);
  check_op(OpKind::kPause, 2, main_program[6]);
  check_op(OpKind::kResume, 2, main_program[7]);
  check_op(OpKind::kAbort, 4, main_program[8]);
  check_op(OpKind::kDrop, 5, main_program[9]);

  const auto& helper = file.scenario.tasks[5].program;
  UNSIGNED_LONGS_EQUAL(4, helper.size());
  check_op(OpKind::kLock, 1, helper[0]);
  check_op(OpKind::kJoin, 3, helper[1]);
  check_op(OpKind::kTryLock, 0, helper[2]);
  check_op(OpKind::kUnlock, 1, helper[3]);
}

TEST(PropertyFileValid, FaultBudgetsAndTheirTaskSets) {
  const auto file = parse_property_file("valid.json", kValid);
  // Pause and resume strike futures (here the tasks' own: futures[i] is task i's); drop strikes
  // tasks.
  UNSIGNED_LONGS_EQUAL(6, file.scenario.futures.size());
  const auto& pause = file.scenario.fault(model::FaultKind::kPause);
  UNSIGNED_LONGS_EQUAL(2, pause.budget);
  check_tasks({false, true, true, true, true, false}, pause.futures);
  check_tasks({false, false, false, false, false, false}, pause.tasks);
  const auto& resume = file.scenario.fault(model::FaultKind::kResume);
  UNSIGNED_LONGS_EQUAL(0, resume.budget);
  check_tasks({false, false, false, false, false, false}, resume.futures);
  const auto& drop = file.scenario.fault(model::FaultKind::kDrop);
  UNSIGNED_LONGS_EQUAL(1, drop.budget);
  check_tasks({false, false, false, false, true, true}, drop.tasks);
  check_tasks({false, false, false, false, false, false}, drop.futures);
  const auto& spurious = file.scenario.fault(model::FaultKind::kSpuriousWake);
  UNSIGNED_LONGS_EQUAL(0, spurious.budget);
  check_tasks({false, false, false, false, false, false}, spurious.tasks);
}

TEST(PropertyFileValid, ChecksKeepOrderAndOptionalExpectations) {
  const auto file = parse_property_file("valid.json", kValid);
  UNSIGNED_LONGS_EQUAL(2, file.checks.size());
  STRCMP_EQUAL("all_tasks_finish", file.checks[0].builtin.c_str());
  STRCMP_EQUAL("all_tasks_finish", file.checks[0].name.c_str());
  CHECK_FALSE(file.checks[0].formula.has_value());
  CHECK_TRUE(file.checks[0].expected.has_value());
  STRCMP_EQUAL("violated", properties::to_string(*file.checks[0].expected));
  STRCMP_EQUAL("deadlock_free", file.checks[1].builtin.c_str());
  CHECK_FALSE(file.checks[1].expected.has_value());
}

TEST(PropertyFileValid, DefaultsWithoutCopiesWrapperOrFaultTaskLists) {
  const std::string text = doc(
      R"(      {"name": "main", "program": ["spawn worker", "spawn solo", "spawn plain"]},)"
      "\n"
      R"(      {"name": "worker", "copies": 1, "wrapper": "pausable", "program": ["lock m", "unlock m"]},)"
      "\n"
      R"(      {"name": "solo", "wrapper": "none", "program": ["yield_now"]},)"
      "\n"
      R"(      {"name": "plain", "program": ["sleep"]})",
      R"([{"property": "waker_contract", "expect": "holds"}])",
      R"({"pause": {"budget": 1}, "drop": {"budget": 3}})");
  const auto file = parse_property_file("t.json", text);
  const auto& tasks = file.scenario.tasks;
  UNSIGNED_LONGS_EQUAL(4, tasks.size());
  STRCMP_EQUAL("current_thread", model::to_string(file.scenario.flavor));
  // "copies": 1 written out still numbers the copy; without "copies" the task keeps its name.
  STRCMP_EQUAL("worker0", tasks[1].name.c_str());
  STRCMP_EQUAL("worker", tasks[1].group.c_str());
  STRCMP_EQUAL("solo", tasks[2].name.c_str());
  STRCMP_EQUAL("none", model::to_string(file.scenario.futures[2].wrapper));
  STRCMP_EQUAL("plain", tasks[3].name.c_str());
  STRCMP_EQUAL("none", model::to_string(file.scenario.futures[3].wrapper));
  STRCMP_EQUAL("pausable", model::to_string(file.scenario.futures[1].wrapper));
  // Without a task list: pause strikes every wrapped future but main's, drop every task but main.
  UNSIGNED_LONGS_EQUAL(1, file.scenario.fault(model::FaultKind::kPause).budget);
  check_tasks({false, true, false, false}, file.scenario.fault(model::FaultKind::kPause).futures);
  UNSIGNED_LONGS_EQUAL(3, file.scenario.fault(model::FaultKind::kDrop).budget);
  check_tasks({false, true, true, true}, file.scenario.fault(model::FaultKind::kDrop).tasks);
  UNSIGNED_LONGS_EQUAL(0, file.scenario.fault(model::FaultKind::kResume).budget);
  check_tasks({false, false, false, false}, file.scenario.fault(model::FaultKind::kResume).futures);
  STRCMP_EQUAL("holds", properties::to_string(*file.checks[0].expected));
  STRCMP_EQUAL("", file.description.c_str());
}

TEST(PropertyFileValid, TheDocLayoutItselfParses) {
  // The base of every bad-input case below is valid: each one breaks exactly one thing.
  const auto file = parse_property_file("t.json", doc(kMain + "\n" + kWorker));
  UNSIGNED_LONGS_EQUAL(5, file.scenario.tasks.size());
  STRCMP_EQUAL("", error_of(doc(kMain + "\n" + kWorker)).c_str());
}

TEST_GROUP(PropertyFileErrors){};

TEST(PropertyFileErrors, JsonSyntaxErrorPointsAtTheOffendingCharacter) {
  // A trailing comma: the ']' at line 3, column 19 is where a value was expected.
  STRCMP_EQUAL(
      "t.json:3:19: invalid JSON: syntax error while parsing value - unexpected ']'; expected '[', '{', or a "
      "literal",
      error_of("{\n  \"name\": \"t\",\n  \"checks\": [1, 2,]\n}\n").c_str());
  // A trailing comma before the closing brace of an object.
  STRCMP_EQUAL("t.json:3:1: invalid JSON: syntax error while parsing object key - unexpected '}'; expected "
               "string literal",
               error_of("{\n  \"name\": \"t\",\n}\n").c_str());
  // A missing comma between array elements, after a comment line.
  STRCMP_EQUAL("t.json:3:11: invalid JSON: syntax error while parsing array - unexpected number literal; "
               "expected ']'",
               error_of("// leading comment\n{\n  \"a\": [1 2]\n}\n").c_str());
}

TEST(PropertyFileErrors, UnknownKeySuggestsTheNearestKey) {
  const std::string text = doc(
      kMain + "\n" +
      R"(      {"name": "worker", "copies": 4, "wraper": "pausable", "program": ["lock m", "unlock m"]})");
  STRCMP_EQUAL("t.json:8:39: scenario.tasks[1].wraper: unknown key 'wraper'; did you mean 'wrapper'?",
               error_of(text).c_str());
}

TEST(PropertyFileErrors, UnknownKeyWithoutNearMissListsTheKeys) {
  const std::string text =
      doc(kMain + "\n" + R"(      {"name": "worker", "colour": 4, "program": ["lock m", "unlock m"]})");
  STRCMP_EQUAL(
      "t.json:8:26: scenario.tasks[1].colour: unknown key 'colour'; expected one of: copies, name, program, "
      "variables, wrapper",
      error_of(text).c_str());
}

TEST(PropertyFileErrors, MissingKeyPointsAtTheObject) {
  const std::string text =
      doc(kMain + "\n" + R"(      {"name": "worker", "copies": 4, "wrapper": "pausable"})");
  STRCMP_EQUAL("t.json:8:7: scenario.tasks[1]: missing required key 'program'", error_of(text).c_str());
  STRCMP_EQUAL("t.json:1:1: (root): missing required key 'scenario'",
               error_of("{\n  \"name\": \"t\",\n  \"checks\": []\n}\n").c_str());
}

TEST(PropertyFileErrors, WrongTypePointsAtTheValue) {
  STRCMP_EQUAL("t.json:8:36: scenario.tasks[1].copies: expected an integer, found a string",
               error_of(doc(kMain + "\n" +
                            R"(      {"name": "worker", "copies": "4", "wrapper": "pausable", "program": ["lock m"]})"))
                   .c_str());
  STRCMP_EQUAL("t.json:8:50: scenario.tasks[1].program: expected an array, found a string",
               error_of(doc(kMain + "\n" + R"(      {"name": "worker", "copies": 4, "program": "lock m"})")).c_str());
}

TEST(PropertyFileErrors, CopiesOutOfRange) {
  STRCMP_EQUAL("t.json:8:36: scenario.tasks[1].copies: expected a number from 1 to 126, found 0",
               error_of(doc(kMain + "\n" + R"(      {"name": "worker", "copies": 0, "program": ["lock m"]})")).c_str());
}

TEST(PropertyFileErrors, UnknownTaskInAProgramSuggestsTheTemplate) {
  const std::string text =
      doc(R"(      {"name": "main", "program": ["lock m", "spawn wroker", "unlock m"]},)" "\n" + kWorker);
  // Column 53 is the 'w' of "wroker" inside the string.
  STRCMP_EQUAL("t.json:7:53: scenario.tasks[0].program[1]: unknown task 'wroker'; did you mean 'worker'?",
               error_of(text).c_str());
}

TEST(PropertyFileErrors, UnknownTaskInAFaultTaskList) {
  const std::string text = doc(kMain + "\n" + kWorker, R"([{"property": "all_tasks_finish"}])",
                               R"({"pause": {"budget": 1, "tasks": ["wroker"]}})");
  // Pause strikes futures, so the name may be a task or a nested future.
  STRCMP_EQUAL("t.json:10:49: scenario.faults.pause.tasks[0]: unknown task or future 'wroker'; did you mean 'worker'?",
               error_of(text).c_str());
}

TEST(PropertyFileErrors, UnknownResourcePointsAtTheArgument) {
  const std::string text =
      doc(kMain + "\n" + R"(      {"name": "worker", "copies": 4, "program": ["lock mm", "unlock m"]})");
  STRCMP_EQUAL("t.json:8:57: scenario.tasks[1].program[0]: unknown resource 'mm'; did you mean 'm'?",
               error_of(text).c_str());
}

TEST(PropertyFileErrors, UnknownPropertySuggestsTheBuiltin) {
  const std::string text =
      doc(kMain + "\n" + kWorker, R"([{"property": "all_task_finish", "expect": "violated"}])");
  STRCMP_EQUAL(
      "t.json:11:27: checks[0].property: unknown property 'all_task_finish'; did you mean 'all_tasks_finish'?",
      error_of(text).c_str());
}

TEST(PropertyFileErrors, UnknownOperationPointsInsideTheString) {
  const std::string text =
      doc(kMain + "\n" + R"(      {"name": "worker", "copies": 4, "program": ["lok m", "unlock m"]})");
  STRCMP_EQUAL("t.json:8:52: scenario.tasks[1].program[0]: unknown operation 'lok'; did you mean 'lock'?",
               error_of(text).c_str());
}

TEST(PropertyFileErrors, ArgumentWhereNoneIsTaken) {
  const std::string text = doc(R"(      {"name": "main", "program": ["lock m", "sleep m"]})");
  STRCMP_EQUAL("t.json:7:53: scenario.tasks[0].program[1]: 'sleep' takes no argument", error_of(text).c_str());
}

TEST(PropertyFileErrors, TooManyTasksCountsCopies) {
  // main plus 100 and 30 copies is 131 tasks.
  STRCMP_EQUAL("t.json:9:7: scenario.tasks[2]: at most 127 tasks (main included, copies counted) are supported",
               error_of(doc(kMain + "\n" + R"(      {"name": "worker", "copies": 100, "program": ["lock m"]},)" +
                            "\n" + R"(      {"name": "helper", "copies": 30, "program": ["lock m"]})"))
                   .c_str());
  // main plus 126 copies fit.
  STRCMP_EQUAL("", error_of(doc(kMain + "\n" + R"(      {"name": "worker", "copies": 126, "program": ["lock m"]})"))
                       .c_str());
}

TEST(PropertyFileErrors, PauseOfATaskWithoutWrapper) {
  const std::string text = doc(R"(      {"name": "main", "program": ["spawn helper", "pause helper"]},)" "\n"
                               R"(      {"name": "helper", "program": ["lock m", "unlock m"]})");
  STRCMP_EQUAL(
      "t.json:7:59: scenario.tasks[0].program[1]: task 'helper' has no wrapper to pause (give it \"wrapper\": "
      "\"pausable\" or \"drop_on_pause\")",
      error_of(text).c_str());
}

TEST(PropertyFileErrors, PauseFaultForATaskWithoutWrapper) {
  const std::string text = doc(R"(      {"name": "main", "program": ["spawn helper"]},)" "\n"
                               R"(      {"name": "helper", "program": ["lock m", "unlock m"]})",
                               R"([{"property": "all_tasks_finish"}])",
                               R"({"pause": {"budget": 1, "tasks": ["helper"]}})");
  STRCMP_EQUAL("t.json:10:49: scenario.faults.pause.tasks[0]: 'helper' has no wrapper, so it cannot be paused",
               error_of(text).c_str());
}

TEST(PropertyFileErrors, DuplicateTaskName) {
  const std::string text = doc(kMain + "\n" + kWorker + ",\n" + R"(      {"name": "worker", "program": ["yield_now"]})");
  STRCMP_EQUAL("t.json:9:16: scenario.tasks[2].name: duplicate task name 'worker'", error_of(text).c_str());
}

TEST(PropertyFileErrors, TemplateNameWhereOneTaskIsNeeded) {
  const std::string text = doc(R"(      {"name": "main", "program": ["spawn worker", "join worker"]},)" "\n" + kWorker);
  STRCMP_EQUAL("t.json:7:58: scenario.tasks[0].program[1]: 'worker' names 4 tasks; say which one (worker0 to worker3)",
               error_of(text).c_str());
}

TEST(PropertyFileErrors, MissingMainTask) {
  const std::string text = doc(R"(      {"name": "worker", "program": ["lock m"]})");
  STRCMP_EQUAL("t.json:6:14: scenario.tasks: missing the task named 'main' (the runtime's block_on future)",
               error_of(text).c_str());
}

TEST(PropertyFileErrors, UnreadableFile) {
  try {
    (void)properties::load_property_file("/nonexistent-wakecheck-dir/x.json");
    FAIL("load_property_file did not throw");
  } catch (const InputError& error) {
    STRCMP_EQUAL("/nonexistent-wakecheck-dir/x.json: no such file or directory", error.what());
  }
}

TEST(PropertyFileErrors, ACopyAndATaskWithTheSameNameAreReported) {
  const std::string text = doc(kMain + "\n" + kWorker + ",\n" + R"(      {"name": "worker1", "program": ["yield_now"]})");
  STRCMP_CONTAINS("scenario.tasks[2].name: task name 'worker1' is used twice (once by a copy of 'worker')",
                  error_of(text).c_str());
}

TEST(PropertyFileErrors, AControlCharacterInAKeyIsRejectedOnOneLine) {
  const std::string text = "{\"name\": \"t\", \"scen\\nario\": {}}";
  const std::string message = error_of(text);
  CHECK_EQUAL(std::string::npos, message.find('\n'));
  STRCMP_CONTAINS("t.json:1:20: (root): the control character U+000A in a key", message.c_str());
}

TEST(PropertyFileErrors, ArgumentColumnCountsLeadingSpaces) {
  const std::string text = doc(R"(      {"name": "main", "program": ["   lock k"]})");
  // The string's quote is at column 36; after three spaces and "lock ", 'k' is at column 45.
  STRCMP_EQUAL("t.json:7:45: scenario.tasks[0].program[0]: unknown resource 'k'; did you mean 'm'?",
               error_of(text).c_str());
}

TEST(PropertyFileErrors, SyntaxErrorPointsAtTheStartOfTheUnexpectedToken) {
  const std::string text = "{\n  \"name\": \"t\"\n  \"scenario\": {}\n}";
  STRCMP_CONTAINS("t.json:3:3: invalid JSON", error_of(text).c_str());
  const std::string literal = "{\n  \"name\": tru\n}";
  STRCMP_CONTAINS("t.json:2:11: invalid JSON", error_of(literal).c_str());
}

// --- the scenario language ----------------------------------------------------------------------

TEST_GROUP(PropertyFileLanguage){};

TEST(PropertyFileLanguage, ResourceKindsAndSharedVariablesWithRanges) {
  const auto file = parse_property_file("language.json", kLanguage);
  const auto& sc = file.scenario;
  UNSIGNED_LONGS_EQUAL(3, sc.resources.size());
  STRCMP_EQUAL("tokio_mutex", model::to_string(sc.resources[0].kind));
  STRCMP_EQUAL("std_mutex", model::to_string(sc.resources[1].kind));
  STRCMP_EQUAL("notify", model::to_string(sc.resources[2].kind));
  // A boolean, a bare number (the whole int8 range), and objects with a range.
  struct Expected {
    const char* name;
    bool boolean;
    int initial, min, max;
  };
  const Expected shared[] = {{"count", false, 0, 0, 3},
                             {"big", true, 0, 0, 1},
                             {"level", false, -2, -128, 127},
                             {"state", false, 1, -128, 9}};
  for (const auto& e : shared) {
    const auto v = sc.find_variable(e.name);
    CHECK_TEXT(v.has_value(), e.name);
    const auto& spec = sc.variables[*v];
    STRCMP_EQUAL(e.name, spec.name.c_str());
    CHECK_FALSE(spec.task.has_value());
    CHECK_EQUAL(e.boolean, spec.boolean);
    LONGS_EQUAL(e.initial, spec.initial);
    LONGS_EQUAL(e.min, spec.min);
    LONGS_EQUAL(e.max, spec.max);
  }
  // A task's own variables: one per copy, owned by it; not found as shared variables.
  UNSIGNED_LONGS_EQUAL(8, sc.variables.size());
  for (std::size_t t : {1U, 2U}) {
    for (const char* name : {"got", "gave_up"}) {
      const auto v = sc.find_variable(name, t);
      CHECK_TRUE(v.has_value());
      CHECK_TRUE(sc.variables[*v].task == t);
      CHECK_TRUE(sc.variables[*v].boolean);
    }
  }
  CHECK_TRUE(*sc.find_variable("got", 1) != *sc.find_variable("got", 2));
  CHECK_FALSE(sc.find_variable("got").has_value());
  CHECK_FALSE(sc.find_variable("got", 0).has_value());
}

TEST(PropertyFileLanguage, IfAndWhileCompileToJumps) {
  const auto file = parse_property_file("language.json", kLanguage);
  const auto& sc = file.scenario;
  const auto count = static_cast<std::uint8_t>(*sc.find_variable("count"));
  const auto big = static_cast<std::uint8_t>(*sc.find_variable("big"));
  const auto& p = sc.tasks[0].program;
  UNSIGNED_LONGS_EQUAL(12, p.size());
  // while count < 3 { count = count + 1; yield_now }: test, body, jump back to the test.
  check_op(OpKind::kJumpUnless, 0, 4, p[0]);
  check_op(OpKind::kAssign, count, 1, p[1]);
  check_op(OpKind::kYieldNow, 0, p[2]);
  check_op(OpKind::kJump, 0, 0, p[3]);
  // if count == 3 { big = true } else { big = false }: the then-branch jumps over the else.
  check_op(OpKind::kJumpUnless, 2, 7, p[4]);
  check_op(OpKind::kAssign, big, 3, p[5]);
  check_op(OpKind::kJump, 0, 8, p[6]);
  check_op(OpKind::kAssign, big, 4, p[7]);
  check_op(OpKind::kSpawn, 1, p[8]);
  check_op(OpKind::kSpawn, 2, p[9]);
  check_op(OpKind::kPause, static_cast<std::uint8_t>(*sc.find_future("getter1.wait")), p[10]);
  check_op(OpKind::kNotifyWaiters, 2, p[11]);
  const char* texts[] = {"count < 3", "count + 1", "count == 3", "true", "false"};
  for (std::size_t i = 0; i < 5; ++i) STRCMP_EQUAL(texts[i], sc.exprs[i].text.c_str());
  STRCMP_EQUAL("unless count < 3 goto 4", model::describe_op(sc, p[0]).c_str());
  STRCMP_EQUAL("count = count + 1", model::describe_op(sc, p[1]).c_str());
}

TEST(PropertyFileLanguage, TheCompiledLoopAndBranchesRunAsWritten) {
  // Counting to 3 takes the then-branch; a loop bound of 2 takes the else-branch.
  for (const char* bound : {"3", "2"}) {
    const std::string program = std::string(R"([{"while": "count < )") + bound +
                                R"(", "do": ["count = count + 1", "yield_now"]},
        {"if": "count == 3", "then": ["branch = 1"], "else": ["branch = 2"]}])";
    const auto file = parse_property_file(
        "t.json", main_only(R"({"count": {"initial": 0, "min": 0, "max": 3}, "branch": {"initial": 0, "min": 0, "max": 2}})",
                            program));
    const model::TokioModel m(file.scenario);
    const model::State s = run_to_end(m);
    CHECK_TRUE(s.tasks(0).status == model::TaskStatus::kComplete);
    const bool three = std::string(bound) == "3";
    // main's own variables.
    const auto count = file.scenario.find_variable("count", 0);
    const auto branch = file.scenario.find_variable("branch", 0);
    CHECK_TRUE(count.has_value() && branch.has_value());
    LONGS_EQUAL(three ? 3 : 2, s.var(*count));
    LONGS_EQUAL(three ? 1 : 2, s.var(*branch));
  }
}

TEST(PropertyFileLanguage, NestedFuturesAreNamedTaskDotNamePerCopy) {
  const auto file = parse_property_file("language.json", kLanguage);
  const auto& sc = file.scenario;
  // The tasks' own futures first, then the nested ones, one per copy.
  UNSIGNED_LONGS_EQUAL(5, sc.futures.size());
  const char* names[] = {"main", "getter0", "getter1", "getter0.wait", "getter1.wait"};
  const std::size_t tasks[] = {0, 1, 2, 1, 2};
  for (std::size_t f = 0; f < 5; ++f) {
    STRCMP_EQUAL(names[f], sc.futures[f].name.c_str());
    UNSIGNED_LONGS_EQUAL(tasks[f], sc.futures[f].task);
  }
  STRCMP_EQUAL("none", model::to_string(sc.futures[1].wrapper));
  for (std::size_t f : {3U, 4U}) {
    const auto& future = sc.futures[f];
    STRCMP_EQUAL("drop_on_pause", model::to_string(future.wrapper));
    // `cancelled` names the copy's own variable.
    CHECK_TRUE(future.cancelled_variable.has_value());
    CHECK_TRUE(*future.cancelled_variable == *sc.find_variable("gave_up", future.task));
    UNSIGNED_LONGS_EQUAL(6, future.end);  // the pc after its kWrapEnd
    const auto& p = sc.tasks[future.task].program;
    check_op(OpKind::kWrapBegin, static_cast<std::uint8_t>(f), 6, p[3]);
    check_op(OpKind::kNotified, 2, p[4]);
    check_op(OpKind::kWrapEnd, static_cast<std::uint8_t>(f), p[5]);
  }
}

TEST(PropertyFileLanguage, StdMutexOnDropAndTryLockIntoAVariable) {
  const auto file = parse_property_file("language.json", kLanguage);
  const auto& sc = file.scenario;
  UNSIGNED_LONGS_EQUAL(2, sc.handlers.size());  // one per copy
  for (std::size_t t : {1U, 2U}) {
    const auto& p = sc.tasks[t].program;
    UNSIGNED_LONGS_EQUAL(12, p.size());
    const auto state = static_cast<std::uint8_t>(*sc.find_variable("state"));
    const auto got = static_cast<std::uint8_t>(*sc.find_variable("got", t));
    check_op(OpKind::kStdLock, 1, p[0]);
    check_op(OpKind::kAssign, state, p[1]);
    check_op(OpKind::kStdUnlock, 1, p[2]);
    const auto h = static_cast<std::uint8_t>(t - 1);
    check_op(OpKind::kGuardBegin, h, p[6]);
    check_op(OpKind::kTryLock, 0, static_cast<std::uint8_t>(got + 1), p[7]);  // b: variable + 1
    check_op(OpKind::kGuardEnd, h, p[8]);
    check_op(OpKind::kJumpUnless, p[9].a, 12, p[9]);
    STRCMP_EQUAL("got", sc.exprs[p[9].a].text.c_str());
    check_op(OpKind::kUnlock, 0, p[10]);
    check_op(OpKind::kReturn, 0, p[11]);
    UNSIGNED_LONGS_EQUAL(1, sc.handlers[h].size());
    check_op(OpKind::kNotifyOne, 2, sc.handlers[h][0]);
  }
}

TEST(PropertyFileLanguage, FaultTaskSetsNameTemplatesAndNestedFutures) {
  const auto file = parse_property_file("language.json", kLanguage);
  const auto& sc = file.scenario;
  // Futures: main, getter0, getter1, getter0.wait, getter1.wait. "getter.wait" is that nested
  // future in every copy.
  const auto& pause = sc.fault(model::FaultKind::kPause);
  UNSIGNED_LONGS_EQUAL(1, pause.budget);
  check_tasks({false, false, false, true, true}, pause.futures);
  const auto& resume = sc.fault(model::FaultKind::kResume);
  check_tasks({false, false, false, false, true}, resume.futures);
  // Drop and spurious wakes strike tasks; a template names every copy.
  const auto& spurious = sc.fault(model::FaultKind::kSpuriousWake);
  UNSIGNED_LONGS_EQUAL(2, spurious.budget);
  check_tasks({false, true, true}, spurious.tasks);
  check_tasks({false, false, false, false, false}, spurious.futures);
  check_tasks({false, false, true}, sc.fault(model::FaultKind::kDrop).tasks);
}

TEST(PropertyFileLanguage, PauseFaultWithoutATaskListStrikesEveryWrappedFutureButMains) {
  const std::string text = doc(
      R"(      {"name": "main", "program": ["spawn worker"]},)"
      "\n"
      R"(      {"name": "worker", "copies": 2, "program": [{"future": "wait", "wrapper": "pausable", "do": ["lock m"]}]})",
      R"([{"property": "all_tasks_finish"}])", R"({"pause": {"budget": 1}, "spurious_wake": {"budget": 1}})");
  const auto file = parse_property_file("t.json", text);
  // main, worker0, worker1 (no wrapper), worker0.wait, worker1.wait.
  check_tasks({false, false, false, true, true}, file.scenario.fault(model::FaultKind::kPause).futures);
  check_tasks({false, true, true}, file.scenario.fault(model::FaultKind::kSpuriousWake).tasks);
}

TEST(PropertyFileLanguage, FormulasOfEachKind) {
  const auto file = parse_property_file("language.json", kLanguage);
  UNSIGNED_LONGS_EQUAL(7, file.checks.size());
  struct Expected {
    const char* name;
    properties::FormulaKind kind;
    bool has_q;
    bool has_antecedent;
  };
  using K = properties::FormulaKind;
  const Expected expected[] = {
      {"always available(m) <= 1", K::kAlways, false, false},  // unnamed: named by its text
      {"never_two", K::kNever, false, false},
      {"gets", K::kReachable, false, false},
      {"ends", K::kEventually, false, false},
      {"answer", K::kLeadsTo, true, false},
      {"impl", K::kAlways, false, true},  // "always A implies B": A is the antecedent
  };
  for (std::size_t i = 0; i < 6; ++i) {
    const auto& check = file.checks[i];
    STRCMP_EQUAL(expected[i].name, check.name.c_str());
    CHECK_TRUE(check.builtin.empty());
    CHECK_TRUE(check.formula.has_value());
    CHECK_TRUE(check.formula->kind == expected[i].kind);
    CHECK_EQUAL(expected[i].has_q, check.formula->q.has_value());
    CHECK_EQUAL(expected[i].has_antecedent, check.formula->antecedent.has_value());
  }
  STRCMP_EQUAL("waits(getter0, n) leads_to finished(getter0) or paused(getter0)",
               file.checks[4].formula->text.c_str());
  STRCMP_EQUAL("vacuous", properties::to_string(*file.checks[5].expected));
  CHECK_FALSE(file.checks[0].expected.has_value());
  STRCMP_EQUAL("no_model_error", file.checks[6].builtin.c_str());
  CHECK_FALSE(file.checks[6].formula.has_value());
  // The predicates evaluate on states: in the initial state m is available, nobody holds it,
  // getter0 has not got it and the antecedent (level > 0) is false.
  const model::TokioModel m(file.scenario);
  const model::State s = m.initial_state();
  LONGS_EQUAL(1, model::eval(file.checks[0].formula->p, file.scenario, s));
  LONGS_EQUAL(0, model::eval(file.checks[1].formula->p, file.scenario, s));
  LONGS_EQUAL(0, model::eval(file.checks[2].formula->p, file.scenario, s));
  LONGS_EQUAL(0, model::eval(*file.checks[5].formula->antecedent, file.scenario, s));
}

TEST_GROUP(PropertyFileLanguageErrors){};

TEST(PropertyFileLanguageErrors, BadExpressionPointsAtTheUnexpectedToken) {
  // Column 64 is the second '=' of "x = = 1".
  STRCMP_EQUAL("t.json:7:64: scenario.tasks[0].program[0]: expected a value, a name or '(', found '='",
               error_of(main_only(R"({"x": 0})", R"(["x = = 1"])")).c_str());
  // A test that assigns instead of comparing (column 69: the "=").
  STRCMP_EQUAL("t.json:7:69: scenario.tasks[0].program[0].if: '=' assigns; to compare, write '=='",
               error_of(main_only(R"({"x": 0})", R"([{"if": "x = 1", "then": []}])")).c_str());
}

TEST(PropertyFileLanguageErrors, UnknownVariableSuggestsTheNearestOne) {
  // Column 64 is the 'c' of "cont".
  STRCMP_EQUAL("t.json:7:64: scenario.tasks[0].program[0]: unknown variable 'cont'; did you mean 'count'?",
               error_of(main_only(R"({"count": 0})", R"(["cont = 1"])")).c_str());
  // Inside an expression the unknown name is pointed at (column 72: the 'c' of "cout").
  STRCMP_EQUAL("t.json:7:72: scenario.tasks[0].program[0]: unknown variable 'cout'; did you mean 'count'?",
               error_of(main_only(R"({"count": 0})", R"(["count = cout + 1"])")).c_str());
  // A future's `cancelled` variable, at the value.
  STRCMP_EQUAL(
      "t.json:7:126: scenario.tasks[0].program[0].cancelled: unknown variable 'gaveup'; did you mean 'gave_up'?",
      error_of(main_only(R"({"gave_up": false})",
                         R"([{"future": "a", "wrapper": "drop_on_pause", "cancelled": "gaveup", "do": ["yield_now"]}])"))
          .c_str());
}

TEST(PropertyFileLanguageErrors, AwaitingOperationInsideOnDrop) {
  // Column 50 is the 'l' of "lock m" in the handler.
  STRCMP_EQUAL("t.json:7:50: scenario.tasks[0].program[0].on_drop[0]: 'lock' cannot run in an on_drop handler: "
               "a destructor cannot await",
               error_of(main_only("", R"([{"on_drop": ["lock m"], "do": ["yield_now"]}])")).c_str());
  STRCMP_EQUAL("t.json:7:82: scenario.tasks[0].program[0].on_drop[0].while: an on_drop handler cannot loop",
               error_of(main_only(R"({"x": 0})", R"([{"on_drop": [{"while": "x < 1", "do": ["x = 1"]}], "do": ["yield_now"]}])"))
                   .c_str());
}

TEST(PropertyFileLanguageErrors, StdLockOnATokioMutexIsAKindMismatch) {
  // Column 46 is the 'm'.
  STRCMP_EQUAL("t.json:7:46: scenario.tasks[0].program[0]: 'std_lock' needs a std_mutex, and 'm' is a tokio_mutex",
               error_of(main_only("", R"(["std_lock m"])")).c_str());
}

TEST(PropertyFileLanguageErrors, UnknownFormulaForm) {
  // Column 27 is the first character inside the formula string.
  STRCMP_EQUAL("t.json:10:27: checks[0].formula: expected a formula: 'always P', 'never P', 'reachable P', "
               "'eventually P' or 'P leads_to Q'",
               error_of(main_only("", R"(["lock m"])", R"x([{"formula": "sometimes holds(main, m)"}])x")).c_str());
  // Inside a formula, a bad name is pointed at (column 46: "mm"; column 51: "finishd").
  STRCMP_EQUAL("t.json:10:46: checks[0].formula: unknown resource 'mm'; did you mean 'm'?",
               error_of(main_only("", R"(["lock m"])", R"x([{"formula": "always holds(main, mm)"}])x")).c_str());
  STRCMP_EQUAL("t.json:10:51: checks[0].formula: unknown atom 'finishd'; did you mean 'finished'?",
               error_of(main_only("", R"(["lock m"])", R"x([{"formula": "holds(main, m) leads_to finishd(main)"}])x"))
                   .c_str());
}

TEST(PropertyFileLanguageErrors, NestedFuturesDoNotNest) {
  // Column 82 is the inner future's object.
  STRCMP_EQUAL("t.json:7:82: scenario.tasks[0].program[0].do[0]: wrapped futures do not nest",
               error_of(main_only("", R"([{"future": "a", "wrapper": "pausable", "do": [{"future": "b", "wrapper": "pausable", "do": ["yield_now"]}]}])"))
                   .c_str());
}

TEST(PropertyFileLanguageErrors, AStateAtomInAProgram) {
  STRCMP_EQUAL("t.json:7:44: scenario.tasks[0].program[0].if: 'holds' is for properties; programs test variables only",
               error_of(main_only("", R"x([{"if": "holds(main, m)", "then": ["yield_now"]}])x")).c_str());
}

TEST(PropertyFileLanguageErrors, VariableInitialOutsideItsRange) {
  STRCMP_EQUAL("t.json:7:55: scenario.tasks[0].variables.x.initial: expected a number from 0 to 3, found 5",
               error_of(main_only(R"({"x": {"initial": 5, "min": 0, "max": 3}})", "[]")).c_str());
}

TEST_GROUP(PropertyFileCombinators) {};

TEST(PropertyFileCombinators, BranchesBecomeChildSlotsAfterEveryTask) {
  const auto file = parse_property_file(
      "t.json", doc(R"(      {"name": "main", "program": ["spawn worker", {"join": [{"name": "a", "do": ["lock m", "unlock m"]}, {"name": "b", "wrapper": "pausable", "do": ["sleep"]}]}]},
      {"name": "worker", "copies": 2, "program": [{"unordered": [{"name": "c", "do": ["lock m"]}], "limit": 1, "each": ["sleep"]}]})"));
  const auto& sc = file.scenario;
  // main, worker0, worker1, then main's branches a and b, then each copy's branch (c0, c1).
  UNSIGNED_LONGS_EQUAL(7, sc.tasks.size());
  STRCMP_EQUAL("a", sc.tasks[3].name.c_str());
  STRCMP_EQUAL("c1", sc.tasks[6].name.c_str());
  CHECK(sc.tasks[3].parent == std::optional<std::size_t>{0});
  CHECK(sc.tasks[6].parent == std::optional<std::size_t>{2});
  CHECK(sc.tasks[5].combinator == OpKind::kNextChild);
  CHECK(sc.wrapper(model::task_at(4)) == model::Wrapper::kPausable);
  // "spawn worker" spawns both copies.
  check_op(OpKind::kJoinAll, 3, 2, sc.tasks[0].program[2]);
  // The set is created, then next() is followed by the jump that leaves the loop.
  check_op(OpKind::kStartSet, 5, 1, sc.tasks[1].program[0]);
  check_op(OpKind::kNextChild, 5, 1, sc.tasks[1].program[1]);
  UNSIGNED_LONGS_EQUAL(1, sc.tasks[1].program[1].c);
  check_op(OpKind::kJump, 0, 5, sc.tasks[1].program[2]);
  check_op(OpKind::kLock, 0, sc.tasks[5].program[0]);
}

TEST(PropertyFileCombinators, BlockInPlaceNeedsTheMultiThreadRuntime) {
  STRCMP_EQUAL("t.json:7:37: scenario.tasks[0].program[0].block_in_place: block_in_place needs the multi_thread "
               "runtime (on current_thread tokio panics)",
               error_of(main_only("", R"([{"block_in_place": ["lock m"]}])")).c_str());
}

TEST(PropertyFileCombinators, CombinatorsDoNotNestInsideABranch) {
  STRCMP_EQUAL("t.json:7:67: scenario.tasks[0].program[0].join[0].do[0]: join inside a branch: combinators do not nest",
               error_of(main_only("", R"([{"join": [{"name": "a", "do": [{"join": [{"name": "b", "do": []}]}]}]}])"))
                   .c_str());
}

TEST(PropertyFileCombinators, ABranchIsNotATaskOfItsOwn) {
  STRCMP_EQUAL("t.json:7:80: scenario.tasks[0].program[1]: 'a' is a branch inside main, not a task: it cannot be "
               "spawned on its own",
               error_of(main_only("", R"([{"join": [{"name": "a", "do": []}]}, "spawn a"])")).c_str());
}

TEST(PropertyFileCombinators, BranchesCountTowardTheTaskLimit) {
  // main and 26 copies are 27 tasks; 25 copies' four branches make 127; the 26th copy's first
  // branch is one too many.
  STRCMP_EQUAL("t.json:8:62: scenario.tasks[1].program[0].join[0]: at most 127 tasks and branches in all (main "
               "included, copies counted)",
               error_of(doc(kMain + "\n" +
                            R"(      {"name": "worker", "copies": 26, "program": [{"join": [{"name": "a", "do": []}, {"name": "b", "do": []}, {"name": "c", "do": []}, {"name": "d", "do": []}]}]})"))
                   .c_str());
}

TEST(PropertyFileCombinators, HandLockNamesAnotherTask) {
  STRCMP_EQUAL("t.json:7:61: scenario.tasks[0].program[0].to: unknown task 'y'",
               error_of(main_only("", R"([{"hand_lock": "m", "to": "y"}])")).c_str());
}
