// Property files: a scenario plus the checks it must pass, in JSON (comments allowed).
//
//   {
//     "name": "seed: a pausable worker strands the tokio mutex",
//     "scenario": {
//       "runtime": "current_thread",                   // or "multi_thread"
//       "resources": [{"name": "m", "kind": "tokio_mutex"}],
//       "tasks": [
//         {"name": "main", "program": ["lock m", "spawn worker", "yield_now", "unlock m"]},
//         {"name": "worker", "copies": 4, "wrapper": "pausable",
//          "program": ["lock m", "sleep", "unlock m"]}
//       ],
//       "faults": {"pause": {"budget": 1, "tasks": ["worker"]}}
//     },
//     "checks": [{"property": "all_tasks_finish", "expect": "violated"}]
//   }
//
// The reference is properties/README.md. Loading validates everything (unknown keys, types,
// names, capacities) and reports the first problem as an InputError naming file:line:column.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model/scenario.hpp"

namespace wakecheck::properties {

enum class Expectation { kHolds, kViolated };

struct Check {
  std::string property;  // a built-in property's name
  std::optional<Expectation> expected;
};

struct PropertyFile {
  std::string path;
  std::string name;
  std::string description;
  model::Scenario scenario;
  std::vector<Check> checks;
};

/// Parses and validates `text` as the contents of the file at `path` (used in messages).
/// Throws InputError.
PropertyFile parse_property_file(const std::string& path, const std::string& text);

/// Reads and parses the file at `path`. Throws InputError (also when it cannot be read).
PropertyFile load_property_file(const std::string& path);

const char* to_string(Expectation expectation);

}  // namespace wakecheck::properties
