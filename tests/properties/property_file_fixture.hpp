// What the property-file tests share (property_file_test.cpp, property_language_test.cpp): the
// documents they build and the checks of what a file compiles to.
#pragma once

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
inline std::string doc(const std::string& tasks, const std::string& checks = R"([{"property": "all_tasks_finish"}])",
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
inline std::string error_of(const std::string& text) {
  try {
    (void)parse_property_file("t.json", text);
  } catch (const InputError& error) {
    return error.what();
  }
  return "";
}

inline void check_op(OpKind kind, std::uint8_t a, const model::Op& actual) {
  STRCMP_EQUAL(model::to_string(kind), model::to_string(actual.kind));
  UNSIGNED_LONGS_EQUAL(a, actual.a);
}

inline void check_op(OpKind kind, std::uint8_t a, std::uint8_t b, const model::Op& actual) {
  check_op(kind, a, actual);
  UNSIGNED_LONGS_EQUAL(b, actual.b);
}

inline void check_tasks(const std::vector<bool>& expected, const std::vector<bool>& actual) {
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
inline std::string main_only(const std::string& variables, const std::string& program,
                      const std::string& checks = R"([{"property": "all_tasks_finish"}])") {
  return doc(R"(      {"name": "main", )" + (variables.empty() ? "" : R"("variables": )" + variables + ", ") +
                 R"("program": )" + program + "}",
             checks);
}

/// Runs a current_thread scenario to its end (one scheduler event at a time, timers when parked).
inline model::State run_to_end(const model::TokioModel& m) {
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
