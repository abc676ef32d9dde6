// Tests for the scenario language of property files: variables, control flow, drop guards,
// nested futures, Notify and std mutexes, combinators; what each compiles to, how it runs, and
// the exact message of each kind of bad statement.
#include "tests/properties/property_file_fixture.hpp"

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
