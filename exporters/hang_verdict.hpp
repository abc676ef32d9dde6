// The model's verdict on which tasks hang, to compare with a real run of the same scenario
// (wakecheck export, tests/conformance/run.sh); exporters/expected.hpp writes it down.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "explorer/search.hpp"
#include "model/state.hpp"
#include "properties/property_file.hpp"

namespace wakecheck::exporters {

/// The model's verdict on hangs. A maximal run of the scenario ends in a dead end (no event but
/// faults enabled) or stays forever in a fair cycle (a strongly connected component of the state
/// graph where every event kept enabled is taken); along a cycle no task finishes or starts, so
/// each end has one hung set: the spawned tasks whose JoinHandle never completes there, which
/// are the unfinished ones (paused included) and those whose own drop_on_pause wrapper dropped
/// their inner future (the wrapper then stays Pending, as in the fixed reproducer).
struct HangVerdict {
  std::vector<std::string> hung;    // every task hung at some end, in task order
  std::vector<std::string> paused;  // of those, the ones with a pause flag set at that end
  std::vector<std::vector<std::string>> outcomes;  // the distinct hung sets, in order found
  bool determined = true;                          // every end has the same hung set
  std::size_t states = 0;
  std::size_t ends = 0;  // dead ends plus fair components
  std::string forced;    // set for one forced trace's end: what that trace is ("the counterexample of ..")
};

/// Explores `file`'s scenario and computes its HangVerdict. Throws properties::InputError when
/// the search stops at `options.max_states` before it is complete.
HangVerdict hang_verdict(const properties::PropertyFile& file,
                         const explorer::SearchOptions& options = {});

/// The verdict of one end: the tasks that hang where a run ends in `end` (a dead end), as the
/// one outcome.
HangVerdict hang_verdict_at(const properties::PropertyFile& file, const model::State& end);

}  // namespace wakecheck::exporters
