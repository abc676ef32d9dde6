// Property files: a scenario plus the checks it must pass, in JSON (comments allowed).
// The reference, with a walk-through, is properties/README.md; the JSON Schema is
// properties/schema.json. Loading validates everything (unknown keys, types, names, programs,
// formulas, capacities) and reports the first problem as an InputError naming file:line:column.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "model/expr.hpp"
#include "model/scenario.hpp"

namespace wakecheck::properties {

enum class Expectation { kHolds, kViolated, kVacuous };

enum class FormulaKind { kAlways, kNever, kReachable, kEventually, kLeadsTo };

/// A property written in the file: "always P", "never P", "reachable P", "eventually P" (every
/// fair run from the initial state reaches P) or "P leads_to Q".
struct Formula {
  FormulaKind kind = FormulaKind::kAlways;
  model::Expr p;
  std::optional<model::Expr> q;  // kLeadsTo
  // "always A implies B": A, for vacuity (a property whose A never holds passes vacuously).
  std::optional<model::Expr> antecedent;
  std::string text;
};

struct Check {
  std::string name;
  std::string builtin;             // a built-in property's name, or empty for a formula
  std::optional<Formula> formula;  // a property written in the file
  std::optional<Expectation> expected;
  // `{"cancel_safe": T}`: T's future is dropped at each of its await points in turn, and every
  // other check that holds must still hold.
  std::optional<std::size_t> cancel_safe;
  // `{"cancel_safe": "T.F"}`: T's nested future F (its index in Scenario::futures) is dropped at
  // each await point inside it in turn, and T goes on after it (cancel_safe is then T).
  std::optional<std::size_t> cancel_future;
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

/// properties/schema.json, as built into wakecheck.
const nlohmann::json& property_file_schema();

}  // namespace wakecheck::properties
