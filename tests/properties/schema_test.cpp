// Tests for properties/schema.json and the validator that holds files to it: every shipped
// property file validates, the schema's enums follow the loader's registry, and each kind of bad
// input gets a pinned JSON pointer and one-line message that says what was expected.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "properties/schema_validator.hpp"

#include <CppUTest/TestHarness.h>

namespace {

using nlohmann::json;
using wakecheck::properties::validate_against_schema;

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

const std::filesystem::path kPropertiesDir = std::filesystem::path(WAKECHECK_SOURCE_DIR) / "properties";

/// The schema, parsed as plain JSON (no comments: editors read it too).
const json& schema() {
  static const json parsed = json::parse(read_text(kPropertiesDir / "schema.json"));
  return parsed;
}

// Function-local statics, built before any test runs so that CppUTest's leak check does not count
// them against the first test that uses them.
const json& kSchema = schema();

/// "pointer: message" for the first error, or "valid".
std::string error_of(const json& document) {
  const auto error = validate_against_schema(document, kSchema);
  return error ? error->pointer + ": " + error->message : "valid";
}

/// A small valid file; tests change one place of it.
json base() {
  return json::parse(R"({
    "name": "t",
    "scenario": {
      "runtime": "current_thread",
      "resources": [{"name": "m", "kind": "tokio_mutex"}],
      "variables": {"ready": false},
      "tasks": [
        {"name": "main", "program": ["spawn worker"]},
        {"name": "worker", "copies": 2, "wrapper": "pausable", "program": ["lock m", "unlock m"]}
      ]
    },
    "checks": [{"property": "deadlock_free", "expect": "holds"}]
  })");
}

/// base() with the value at `pointer` set (added or replaced).
json with(const std::string& pointer, const json& value) {
  json document = base();
  document[json::json_pointer(pointer)] = value;
  return document;
}

/// base() with the worker's program replaced.
json with_program(const std::string& program) {
  return with("/scenario/tasks/1/program", json::parse(program));
}

}  // namespace

// --- the schema file -----------------------------------------------------------------------------

TEST_GROUP(SchemaFile){};

TEST(SchemaFile, IsPlainJsonDeclaringDraft07) {
  const json& s = schema();
  CHECK_TRUE(s.is_object());
  STRCMP_EQUAL("http://json-schema.org/draft-07/schema#", s.value("$schema", "").c_str());
  CHECK_TRUE(s.contains("definitions"));
  STRCMP_EQUAL("object", s.value("type", "").c_str());
}

TEST(SchemaFile, EveryShippedPropertyFileValidates) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(kPropertiesDir)) {
    const std::string name = entry.path().filename().string();
    const bool is_schema = name == "schema.json" || name.ends_with(".schema.json");
    if (entry.is_regular_file() && entry.path().extension() == ".json" && !is_schema) files.push_back(entry.path());
  }
  CHECK_TRUE(files.size() >= 8);
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    const json document = json::parse(read_text(file), nullptr, true, true);
    STRCMP_EQUAL((file.string() + ": valid").c_str(), (file.string() + ": " + error_of(document)).c_str());
  }
}

TEST(SchemaFile, BaseDocumentOfTheseTestsValidates) { STRCMP_EQUAL("valid", error_of(base()).c_str()); }

// The built-in enum must follow the registry in properties/builtins.cpp; read from its source so
// that this suite needs nothing but the validator.
TEST(SchemaFile, BuiltinPropertyEnumFollowsTheRegistry) {
  const std::string source = read_text(kPropertiesDir / "builtins.cpp");
  const std::regex entry(R"re(\{"([a-z_]+)",\s*PropertyKind::)re");
  std::vector<std::string> registry;
  for (auto it = std::sregex_iterator(source.begin(), source.end(), entry); it != std::sregex_iterator(); ++it) {
    registry.push_back((*it)[1].str());
  }
  CHECK_TRUE(registry.size() >= 10);
  const json& names = schema()["definitions"]["property_check"]["properties"]["property"]["enum"];
  STRCMP_EQUAL(json(registry).dump().c_str(), names.dump().c_str());
}

TEST(SchemaFile, AcceptsEveryStatementForm) {
  STRCMP_EQUAL("valid", error_of(with_program(R"json([
    "lock m", "  unlock  m ", "x = try_lock m", "x = x + 1", "got =\n 1", "sleep", "yield_now", "return",
    "spawn worker", "join worker0", "pause worker0.wait", "resume worker0", "drop worker1", "abort worker1",
    "std_lock s", "std_unlock s", "notified n", "notify_one n", "notify_waiters n",
    {"if": "ready", "then": [], "else": ["sleep"]},
    {"while": "not ready", "do": [{"on_drop": ["notify_one n"], "do": ["sleep"]}]},
    {"future": "wait", "wrapper": "drop_on_pause", "cancelled": "ready", "do": ["lock m"]}
  ])json")).c_str());
  STRCMP_EQUAL("valid", error_of(with("/scenario/variables", json::parse(
                            R"({"a": true, "b": -128, "c": 127, "d": {"initial": 1, "min": 0, "max": 3}})")))
                            .c_str());
  STRCMP_EQUAL("valid", error_of(with("/checks", json::parse(R"json([
    {"property": "coffman_all"},
    {"formula": "eventually finished(worker0)", "expect": "violated"},
    {"name": "lock_progress", "formula": "waits(worker0, m) leads_to holds(worker0, m)", "expect": "vacuous"}
  ])json"))).c_str());
}

// --- pinned errors -------------------------------------------------------------------------------

TEST_GROUP(SchemaErrors){};

TEST(SchemaErrors, UnknownKeySuggestsTheNearOne) {
  json document = base();
  document["scenario"]["runtme"] = "current_thread";
  STRCMP_EQUAL("/scenario/runtme: unknown key 'runtme'; did you mean 'runtime'?", error_of(document).c_str());
}

TEST(SchemaErrors, UnknownKeyListsTheKeysWhenNoneIsNear) {
  STRCMP_EQUAL("/scenario/tasks/1/priority: unknown key 'priority'; expected one of: copies, name, program, "
               "variables, wrapper",
               error_of(with("/scenario/tasks/1/priority", 3)).c_str());
}

TEST(SchemaErrors, WrongType) {
  STRCMP_EQUAL("/scenario/runtime: expected a string, found a number",
               error_of(with("/scenario/runtime", 1)).c_str());
  STRCMP_EQUAL("/scenario/tasks/1/program: expected an array, found an object",
               error_of(with("/scenario/tasks/1/program", json::object())).c_str());
}

TEST(SchemaErrors, BadEnumListsTheChoices) {
  STRCMP_EQUAL("/scenario/runtime: expected one of: current_thread, multi_thread; found 'single'",
               error_of(with("/scenario/runtime", "single")).c_str());
}

TEST(SchemaErrors, BadEnumSuggestsTheNearChoice) {
  STRCMP_EQUAL("/scenario/resources/0/kind: expected one of: tokio_mutex, std_mutex, notify, semaphore, rwlock, mpsc, barging_mutex, oncecell, unbounded, oneshot, watch; found 'tokio_mutx'; "
               "did you mean 'tokio_mutex'?",
               error_of(with("/scenario/resources/0/kind", "tokio_mutx")).c_str());
  STRCMP_EQUAL("/scenario/tasks/1/wrapper: expected one of: none, pausable, drop_on_pause, finish_item, timeout; found 'pausible'; "
               "did you mean 'pausable'?",
               error_of(with("/scenario/tasks/1/wrapper", "pausible")).c_str());
  STRCMP_EQUAL("/checks/0/expect: expected one of: holds, violated, vacuous, reached, unreachable; found 'hold'; did you mean 'holds'?",
               error_of(with("/checks/0/expect", "hold")).c_str());
}

TEST(SchemaErrors, CopiesOutOfRange) {
  STRCMP_EQUAL("/scenario/tasks/1/copies: expected a number from 1 to 126, found 127",
               error_of(with("/scenario/tasks/1/copies", 127)).c_str());
  STRCMP_EQUAL("/scenario/tasks/1/copies: expected a number from 1 to 126, found 0",
               error_of(with("/scenario/tasks/1/copies", 0)).c_str());
}

TEST(SchemaErrors, CopiesMustBeWhole) {
  STRCMP_EQUAL("/scenario/tasks/1/copies: expected an integer, found 1.5",
               error_of(with("/scenario/tasks/1/copies", 1.5)).c_str());
}

TEST(SchemaErrors, BudgetOutOfRange) {
  STRCMP_EQUAL("/scenario/faults/pause/budget: expected a number from 0 to 255, found 256",
               error_of(with("/scenario/faults", json::parse(R"({"pause": {"budget": 256}})"))).c_str());
}

TEST(SchemaErrors, MissingRequiredKey) {
  json document = base();
  document["scenario"]["tasks"][1].erase("program");
  STRCMP_EQUAL("/scenario/tasks/1: missing required key 'program'", error_of(document).c_str());
  document = base();
  document.erase("scenario");
  STRCMP_EQUAL(": missing required key 'scenario'", error_of(document).c_str());
}

TEST(SchemaErrors, BadStatementInsideNestedWhileDo) {
  STRCMP_EQUAL("/scenario/tasks/1/program/1/do/1/then/0: expected an operation (one name after lock, unlock, "
               "try_lock, std_lock, std_unlock, acquire, try_acquire, release, close, read, write, try_read, "
               "try_write, send, recv, changed, get_or_init, notified, create_notified, enable, await_lock, notify_one, notify_waiters, spawn, join, pause, resume, "
               "drop, await or "
               "abort; a name and a count after acquire_many, try_acquire_many, release_many, add_permits or "
               "forget; sleep or sleep D (D ticks); yield_now, return or drop_kept alone) or an assignment (x = expression); found 'lok m'",
               error_of(with_program(R"(["sleep", {"while": "true", "do": ["lock m",
                                           {"if": "ready", "then": ["lok m"]}]}])"))
                   .c_str());
}

TEST(SchemaErrors, NonStatementInsideNestedBlock) {
  STRCMP_EQUAL("/scenario/tasks/1/program/0/do/0/on_drop/0: expected a string or an object, found a number",
               error_of(with_program(R"([{"while": "true", "do": [{"on_drop": [12], "do": []}]}])")).c_str());
}

TEST(SchemaErrors, StatementObjectIsJudgedByItsKeyword) {
  // "while" picks the while branch: its error, not "matches none of the alternatives".
  STRCMP_EQUAL("/scenario/tasks/1/program/0/then: unknown key 'then'; expected one of: do, while",
               error_of(with_program(R"([{"while": "ready", "then": []}])")).c_str());
  STRCMP_EQUAL("/scenario/tasks/1/program/0/if: expected a string, found a boolean",
               error_of(with_program(R"([{"if": true, "then": []}])")).c_str());
  STRCMP_EQUAL("/scenario/tasks/1/program/0: missing required key 'wrapper'",
               error_of(with_program(R"([{"future": "wait", "do": ["lock m"]}])")).c_str());
}

TEST(SchemaErrors, StatementWithTwoKeywords) {
  STRCMP_EQUAL("/scenario/tasks/1/program/0/while: expected either 'if' or 'while', not both",
               error_of(with_program(R"([{"if": "ready", "then": [], "while": "ready"}])")).c_str());
}

TEST(SchemaErrors, StatementWithoutKeyword) {
  STRCMP_EQUAL("/scenario/tasks/1/program/0/iff: unknown key 'iff'; did you mean 'if'?",
               error_of(with_program(R"([{"iff": "ready"}])")).c_str());
  STRCMP_EQUAL("/scenario/tasks/1/program/0: missing required key: one of while, on_drop, future",
               error_of(with_program(R"([{"do": []}])")).c_str());
  STRCMP_EQUAL("/scenario/tasks/1/program/0: expected an object with one of the keys: if, while, on_drop, future, select, join, unordered, ordered, select_all, block_in_place, block_on, hand_lock; "
               "found an empty object",
               error_of(with_program("[{}]")).c_str());
}

TEST(SchemaErrors, CheckWithPropertyAndFormula) {
  STRCMP_EQUAL("/checks/0/property: expected either 'formula' or 'property', not both",
               error_of(with("/checks/0/formula", "always ready")).c_str());
}

TEST(SchemaErrors, CheckWithNeitherPropertyNorFormula) {
  STRCMP_EQUAL("/checks/0: missing required key: one of formula, property, cancel_safe",
               error_of(with("/checks/0", json::parse(R"({"expect": "holds"})"))).c_str());
  STRCMP_EQUAL("/checks/0: expected an object, found a string", error_of(with("/checks/0", "deadlock_free")).c_str());
}

TEST(SchemaErrors, UnknownBuiltinProperty) {
  STRCMP_EQUAL("/checks/0/property: expected one of: mutual_exclusion, deadlock_free, all_tasks_finish, "
               "waker_contract, no_model_error, coffman_mutual_exclusion, coffman_hold_and_wait, "
               "coffman_no_preemption, coffman_circular_wait, coffman_all; found 'deadlok_free'; did you mean "
               "'deadlock_free'?",
               error_of(with("/checks/0/property", "deadlok_free")).c_str());
}

TEST(SchemaErrors, FormulaWithoutTemporalWord) {
  STRCMP_EQUAL("/checks/0/formula: expected a formula: 'always P', 'never P', 'reachable P', 'eventually P' or "
               "'P leads_to Q'; found 'ready'",
               error_of(with("/checks/0", json::parse(R"({"formula": "ready"})"))).c_str());
}

TEST(SchemaErrors, BadNamePattern) {
  STRCMP_EQUAL("/scenario/tasks/1/name: expected a name: letters, digits and '_', not starting with a digit; "
               "found '1worker'",
               error_of(with("/scenario/tasks/1/name", "1worker")).c_str());
  STRCMP_EQUAL("/checks/0/name: expected a name: letters, digits and '_', not starting with a digit; found 'my check'",
               error_of(with("/checks/0", json::parse(R"({"name": "my check", "formula": "always ready"})")))
                   .c_str());
}

TEST(SchemaErrors, BadVariableNameIsReportedAtItsKey) {
  STRCMP_EQUAL("/scenario/variables/2x: expected a name: letters, digits and '_', not starting with a digit; "
               "found '2x'",
               error_of(with("/scenario/variables/2x", 0)).c_str());
  STRCMP_EQUAL("/scenario/variables/not: expected none of: true, false, and, or, not, implies, forall, exists, "
               "always, never, reachable, eventually, leads_to; found 'not'",
               error_of(with("/scenario/variables/not", false)).c_str());
}

TEST(SchemaErrors, BadVariableValue) {
  STRCMP_EQUAL("/scenario/variables/ready: expected a boolean, an integer or an object, found a string",
               error_of(with("/scenario/variables/ready", "no")).c_str());
  STRCMP_EQUAL("/scenario/variables/ready: expected a number from -128 to 127, found 300",
               error_of(with("/scenario/variables/ready", 300)).c_str());
  STRCMP_EQUAL("/scenario/variables/ready: missing required key 'initial'",
               error_of(with("/scenario/variables/ready", json::parse(R"({"min": 0})"))).c_str());
  STRCMP_EQUAL("/scenario/variables/ready/mx: unknown key 'mx'; did you mean 'max'?",
               error_of(with("/scenario/variables/ready", json::parse(R"({"initial": 0, "mx": 1})"))).c_str());
}

TEST(SchemaErrors, SizesOfLists) {
  STRCMP_EQUAL("/checks: expected at least 1 item, found 0", error_of(with("/checks", json::array())).c_str());
  json resources = json::array();
  for (int r = 0; r < 33; ++r) resources.push_back({{"name", "r" + std::to_string(r)}, {"kind", "notify"}});
  STRCMP_EQUAL("/scenario/resources: expected at most 32 items, found 33",
               error_of(with("/scenario/resources", resources)).c_str());
}

TEST(SchemaErrors, FaultTargets) {
  STRCMP_EQUAL("/scenario/faults/drop/tasks/0: expected a task name (worker, worker1); found 'worker.wait'",
               error_of(with("/scenario/faults", json::parse(R"({"drop": {"budget": 1, "tasks": ["worker.wait"]}})")))
                   .c_str());
  STRCMP_EQUAL("valid", error_of(with("/scenario/faults", json::parse(
                                                               R"({"pause": {"budget": 1, "tasks": ["worker.wait"]}})")))
                            .c_str());
}

TEST(SchemaErrors, ObjectErrorsComeBeforeTheirMembers) {
  json document = with("/scenario/runtime", "single");
  document["scenario"]["extra"] = 1;
  STRCMP_EQUAL("/scenario/extra: unknown key 'extra'; expected one of: event_interval, faults, resources, runtime, shared_futures, tasks, tokio, variables, worker_threads",
               error_of(document).c_str());
}

TEST(SchemaErrors, MessagesStayOnOneLine) {
  STRCMP_EQUAL("/scenario/runtime: expected one of: current_thread, multi_thread; found 'single\\nthread'",
               error_of(with("/scenario/runtime", "single\nthread")).c_str());
}

// --- the validator on its own --------------------------------------------------------------------

TEST_GROUP(SchemaValidator){};

TEST(SchemaValidator, ResolvesReferencesAndEscapesPointers) {
  const json s = json::parse(R"({
    "definitions": {"small": {"type": "integer", "maximum": 3}},
    "type": "object",
    "additionalProperties": {"$ref": "#/definitions/small"}
  })");
  const auto error = validate_against_schema(json::parse(R"({"a/b~c": 4})"), s);
  CHECK_TRUE(error.has_value());
  STRCMP_EQUAL("/a~1b~0c", error->pointer.c_str());
  STRCMP_EQUAL("expected a number of at most 3, found 4", error->message.c_str());
  CHECK_FALSE(validate_against_schema(json::parse(R"({"a": 3})"), s).has_value());
}

TEST(SchemaValidator, AnyOfConstAndFalse) {
  const json s = json::parse(R"({"type": "array", "items": {"anyOf": [{"const": "x"}, {"type": "integer"}]},
                                 "maxItems": 3})");
  CHECK_FALSE(validate_against_schema(json::parse(R"(["x", 2])"), s).has_value());
  const auto error = validate_against_schema(json::parse(R"(["x", "y"])"), s);
  CHECK_TRUE(error.has_value());
  STRCMP_EQUAL("/1", error->pointer.c_str());
  STRCMP_EQUAL("expected 'x', found 'y'", error->message.c_str());
  const auto nothing = validate_against_schema(json(1), json(false));
  CHECK_TRUE(nothing.has_value());
  STRCMP_EQUAL("no value is allowed here", nothing->message.c_str());
}

TEST(SchemaValidator, MalformedSchemaThrows) {
  CHECK_THROWS(std::invalid_argument, validate_against_schema(json(1), json::parse(R"({"$ref": "#/nowhere"})")));
  CHECK_THROWS(std::invalid_argument, validate_against_schema(json(1), json::parse(R"({"$ref": "other.json#"})")));
  CHECK_THROWS(std::invalid_argument, validate_against_schema(json("a"), json::parse(R"({"pattern": "("})")));
}
