// Tests for property files: what a valid file becomes (copies, spawn expansion, main first, fault
// budgets, checks), and the exact message of each kind of bad input, with its file:line:column
// and dotted JSON path.
#include "tests/properties/property_file_fixture.hpp"

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
  const std::string text = doc(R"(      {"name": "main", "program": ["lock m", "yield_now m"]})");
  STRCMP_EQUAL("t.json:7:57: scenario.tasks[0].program[1]: 'yield_now' takes no argument", error_of(text).c_str());
}

TEST(PropertyFileErrors, ASleepDurationIsOneTo255Ticks) {
  STRCMP_EQUAL("t.json:7:53: scenario.tasks[0].program[1]: expected a duration in ticks from 1 to 255, found 'm'",
               error_of(doc(R"(      {"name": "main", "program": ["lock m", "sleep m"]})")).c_str());
  STRCMP_EQUAL("t.json:7:53: scenario.tasks[0].program[1]: expected a duration in ticks from 1 to 255, found '0'",
               error_of(doc(R"(      {"name": "main", "program": ["lock m", "sleep 0"]})")).c_str());
  STRCMP_EQUAL("t.json:7:53: scenario.tasks[0].program[1]: expected a duration in ticks from 1 to 255, found '256'",
               error_of(doc(R"(      {"name": "main", "program": ["lock m", "sleep 256"]})")).c_str());
  STRCMP_EQUAL("t.json:7:47: scenario.tasks[0].program[1]: operation 'sleep 5 5' has too many words",
               error_of(doc(R"(      {"name": "main", "program": ["lock m", "sleep 5 5"]})")).c_str());
}

TEST(PropertyFileErrors, AfterIsATimeoutsDurationOnly) {
  STRCMP_EQUAL("t.json:7:84: scenario.tasks[0].program[0].after: 'after' is a timeout's duration; this future's "
               "wrapper is not \"timeout\"",
               error_of(doc(R"(      {"name": "main", "program": [{"future": "f", "wrapper": "pausable", "after": 5, "do": ["sleep"]}]})")).c_str());
  STRCMP_EQUAL("t.json:7:83: scenario.tasks[0].program[0].after: expected a number from 1 to 255, found 0",
               error_of(doc(R"(      {"name": "main", "program": [{"future": "f", "wrapper": "timeout", "after": 0, "do": ["sleep"]}]})")).c_str());
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


namespace {

/// A file whose resources are `resources` (JSON array items) and whose tasks are `tasks`.
std::string channel_doc(const std::string& resources, const std::string& tasks) {
  return "{\n  \"name\": \"t\",\n  \"scenario\": {\n    \"runtime\": \"current_thread\",\n    \"resources\": [" +
         resources + "],\n    \"tasks\": [\n" + tasks + "\n    ]\n  },\n  \"checks\": [{\"property\": \"all_tasks_finish\"}]\n}\n";
}

}  // namespace

TEST(PropertyFileErrors, SendersAreTasksOfAChannel) {
  STRCMP_EQUAL("t.json:5:56: scenario.resources[0].senders: 'senders' is for a channel (mpsc, unbounded, oneshot or watch), and 'm' is a tokio_mutex",
               error_of(channel_doc(R"({"name": "m", "kind": "tokio_mutex", "senders": ["main"]})",
                                        R"(      {"name": "main", "program": ["lock m"]})")).c_str());
  STRCMP_EQUAL("t.json:5:66: scenario.resources[0].senders[0]: unknown task 'nobody'",
               error_of(channel_doc(R"({"name": "c", "kind": "unbounded", "senders": ["nobody"]})",
                                        R"(      {"name": "main", "program": ["send c"]})")).c_str());
  STRCMP_EQUAL("t.json:5:74: scenario.resources[0].senders[1]: 'main' is named twice",
               error_of(channel_doc(R"({"name": "c", "kind": "unbounded", "senders": ["main", "main"]})",
                                        R"(      {"name": "main", "program": ["send c"]})")).c_str());
}

TEST(PropertyFileErrors, WithSendersNamedOnlyTheySend) {
  STRCMP_EQUAL("t.json:5:65: scenario.resources[0].senders: 'w' sends on 'c' but is not one of its senders: add it to 'senders'",
               error_of(channel_doc(R"({"name": "c", "kind": "unbounded", "senders": ["main"]})",
                                        R"(      {"name": "main", "program": ["spawn w"]},)"
                                        "\n"
                                        R"(      {"name": "w", "program": ["send c"]})")).c_str());
}

TEST(PropertyFileErrors, OneshotAndWatchHaveOneSenderAndAOneshotIsSentAndReceivedOnce) {
  STRCMP_EQUAL("t.json:5:61: scenario.resources[0].senders: watch 'c' has 2 senders (copies counted); a watch::Sender is not Clone, so it has one",
               error_of(channel_doc(R"({"name": "c", "kind": "watch", "senders": ["w"]})",
                                        R"(      {"name": "main", "program": ["spawn w"]},)"
                                        "\n"
                                        R"(      {"name": "w", "copies": 2, "program": ["send c"]})")).c_str());
  STRCMP_EQUAL("t.json:5:19: scenario.resources[0]: oneshot 'c' is sent by 2 statements (copies counted): Sender::send takes the sender, so it happens once",
               error_of(channel_doc(R"({"name": "c", "kind": "oneshot"})",
                                        R"(      {"name": "main", "program": ["send c", "send c"]})")).c_str());
  STRCMP_EQUAL("t.json:5:19: scenario.resources[0]: oneshot 'c' is received inside a loop of main: awaiting the Receiver takes it, so it happens once",
               error_of(channel_doc(R"({"name": "c", "kind": "oneshot"})",
                                        R"(      {"name": "main", "program": [{"while": "true", "do": ["recv c"]}]})")).c_str());
}

TEST(PropertyFileErrors, RecvAndChangedNameTheirKindsOfChannel) {
  STRCMP_EQUAL("t.json:7:42: scenario.tasks[0].program[0]: 'recv' needs a mpsc, unbounded or oneshot, and 'c' is a watch",
               error_of(channel_doc(R"({"name": "c", "kind": "watch"})",
                                        R"(      {"name": "main", "program": ["recv c"]})")).c_str());
  STRCMP_EQUAL("t.json:7:45: scenario.tasks[0].program[0]: 'changed' needs a watch, and 'c' is a unbounded",
               error_of(channel_doc(R"({"name": "c", "kind": "unbounded"})",
                                        R"(      {"name": "main", "program": ["changed c"]})")).c_str());
}

TEST(PropertyFileErrors, EnableNeedsANotifiedCreatedBefore) {
  STRCMP_EQUAL("t.json:7:37: scenario.tasks[0].program[0]: 'enable n' needs a Notified to enable: write "
               "'create_notified n' before it in this program",
               error_of(channel_doc(R"({"name": "n", "kind": "notify"})",
                                    R"(      {"name": "main", "program": ["enable n", "create_notified n"]})")).c_str());
}

TEST(PropertyFileErrors, BlockingCallsDoNotNestAndATaskUsesOneKind) {
  STRCMP_EQUAL("t.json:7:88: scenario.tasks[0].program[1].block_on[0]: block_on does not nest (one blocking call at a time)",
               error_of(channel_doc(R"({"name": "m", "kind": "tokio_mutex"})",
                                    R"(      {"name": "main", "program": [{"block_on": ["lock m", "unlock m"]}, {"block_on": [{"block_on": ["sleep"]}]}]})")).c_str());
  std::string multi = channel_doc(R"({"name": "m", "kind": "tokio_mutex"})",
                                  R"(      {"name": "main", "program": [{"block_on": ["lock m", "unlock m"]}, {"block_in_place": ["sleep"]}]})");
  multi.replace(multi.find("current_thread"), std::string("current_thread").size(), "multi_thread");
  STRCMP_EQUAL("t.json:7:74: scenario.tasks[0].program[1]: a task uses block_in_place or block_on, not both",
               error_of(multi).c_str());
}
