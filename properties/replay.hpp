// Replaying a saved counterexample: its replay key (the index of the chosen event among those
// enabled, at each step) re-executed against the current model.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model/tokio_model.hpp"
#include "properties/run.hpp"

namespace wakecheck::properties {

struct ReplayResult {
  TraceData trace;                        // the steps that applied
  std::optional<std::size_t> failed_at;   // 1-based step that no longer applies
  std::string reason;                     // why, in words
};

/// Re-executes `key` from the initial state. `expected` (optional, one text per step) must name
/// the event each choice selects: as the model describes it ("pause worker1.wait"), or as the
/// JSON report records it, "event task" ("poll worker1"; for a pause, the future's task).
ReplayResult replay_key(const model::TokioModel& model, const std::vector<std::size_t>& key,
                        const std::vector<std::string>& expected = {});

}  // namespace wakecheck::properties
