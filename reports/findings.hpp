// What a run found in one file, for the indexes of several files (the text summary, the HTML
// index): the properties that are violated or unreachable (or left unknown), whatever was
// expected of them, and an order that puts the files needing a look first.
#pragma once

#include <string>
#include <vector>

#include "properties/run.hpp"

namespace wakecheck::reports {

struct Finding {
  std::string property;
  std::string word;  // "violated", "unreachable" or "unknown"
};

/// The file's violated, unreachable and unknown properties, in the file's order.
std::vector<Finding> findings_of(const properties::FileRun& run);

/// "violated: a, b; unreachable: c", grouped by word in the order of first appearance; "" if none.
std::string findings_text(const std::vector<Finding>& findings);

/// Where a file goes in an index: 0 when a verdict is not as expected, 1 when it has findings
/// (all as expected), 2 when it has none. Indexes sort by it, stably.
int index_rank(bool all_as_expected, const std::vector<Finding>& findings);

}  // namespace wakecheck::reports
