// Shrinking a failing scenario: remove tasks, copies, program statements and fault budget while
// a property stays violated, and give back the smallest property file found.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace wakecheck::properties {

struct ShrinkResult {
  nlohmann::ordered_json document;  // the smallest property file that still fails
  std::size_t checks = 0;           // scenarios checked while shrinking
  std::size_t tasks_before = 0, tasks_after = 0;            // copies counted
  std::size_t statements_before = 0, statements_after = 0;  // across all programs
  std::size_t faults_before = 0, faults_after = 0;          // fault budgets summed
};

/// Shrinks the property file `text` (read from `path`) while its check named `property` stays
/// violated (and the scenario stays within the model). Throws InputError if the file is bad or
/// the property is not violated to begin with.
ShrinkResult shrink(const std::string& path, const std::string& text, const std::string& property);

}  // namespace wakecheck::properties
