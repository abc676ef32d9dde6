// Comparing designs: one client program, written against a tokio Mutex, run against every mutex
// kind and every pause policy, with the outcome of each combination.
#pragma once

#include <string>
#include <vector>

namespace wakecheck::properties {

struct CompareCell {
  std::string outcome;  // "passes", "strands", "hangs" (or "model error")
  std::string cause;    // the diagnosis of the counterexample, if any
};

struct CompareTable {
  std::vector<std::string> mutexes;   // rows
  std::vector<std::string> policies;  // columns
  std::vector<std::vector<CompareCell>> cells;
};

/// Rewrites the property file `text` (one tokio_mutex resource; wrapped tasks) for each mutex
/// kind (tokio Mutex, a barging mutex, a std Mutex flag with Notify::notify_waiters, the same
/// with notify_one) and each pause policy (strand, drop the inner future, finish the item),
/// and checks all_tasks_finish on each. Throws InputError when the file does not fit.
CompareTable compare_designs(const std::string& path, const std::string& text);

}  // namespace wakecheck::properties
