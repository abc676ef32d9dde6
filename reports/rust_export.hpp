// Exporting a scenario to real tokio: a self-contained Rust program that sets up the same
// runtime, resources, variables, tasks and wrappers and runs the same programs, plus the model's
// verdict on which tasks hang, so that the two can be compared (tests/conformance/run.sh).
//
// The program prints one line per task ("task worker1: hung"); the verdict lists the tasks the
// model leaves hanging at the end of every maximal run. Unlike the reporters, the verdict needs
// a search of the scenario's states (hang_verdict); the program text does not.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "explorer/search.hpp"
#include "properties/property_file.hpp"

namespace wakecheck::reports {

/// Throws properties::InputError (one line naming the file) when the scenario cannot be written
/// as a tokio program: non-zero fault budgets (the environment's faults cannot be scheduled in
/// real tokio), or a resource kind, wrapper or operation the exporter does not know.
void check_exportable(const properties::PropertyFile& file);

/// The Rust program (tokio 1.x, edition 2021) for `file`'s scenario. Calls check_exportable.
///
/// Tasks are spawned in the order the programs say; each task's program is an async function,
/// its `if` and `while` rebuilt from the compiled jumps, each statement commented with its
/// source text. Wrappers: the seed's PausableFuture and a DropOnPause twin, on tasks and on
/// nested futures, with one StopFlag per wrapped future; `on_drop` is a drop guard; `drop T`
/// empties a slot holding T's future; `abort` and `join` go through T's JoinHandle. main runs its
/// own program, then awaits every spawned task's JoinHandle until a common deadline (1 s after
/// the start, more when the programs sleep often) and prints "task NAME: done", "hung",
/// "cancelled" or "dropped" for each.
std::string export_rust(const properties::PropertyFile& file);

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
};

/// Explores `file`'s scenario and computes its HangVerdict. Throws properties::InputError when
/// the search stops at `options.max_states` before it is complete.
HangVerdict hang_verdict(const properties::PropertyFile& file,
                         const explorer::SearchOptions& options = {});

/// The verdict as the .expected file beside the program: comment lines, then
/// "hung T...", "paused T...", "stuck T..." (hung and not paused), "determined yes|no" and one
/// "outcome T..." line per distinct hung set; an empty set is written "-".
std::string format_expected(const properties::PropertyFile& file, const HangVerdict& verdict);

}  // namespace wakecheck::reports
