// Exporting a scenario to real tokio: a self-contained Rust program that sets up the same
// runtime, resources, variables, tasks and wrappers and runs the same programs, plus the model's
// verdict on which tasks hang, so that the two can be compared (tests/conformance/run.sh).
//
// The program prints one line per task ("task worker1: hung"); exporters/hang_verdict.hpp gives
// the model's verdict to compare it with (that one searches; the exporter only writes text).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "exporters/schedule.hpp"
#include "properties/property_file.hpp"

namespace wakecheck::exporters {

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
/// own program, then waits until every spawned task has ended or a common deadline has passed
/// (1 s after the start, more when the programs sleep often), reads each JoinHandle and prints "task NAME: done", "hung",
/// "cancelled" or "dropped" for each. Futures inside a task (futures 0.3): a combinator's
/// branches are async fns made into futures where `tokio::join!`, a FuturesUnordered /
/// buffer_unordered loop or `select_all` takes them, and reported after the tasks (one still
/// running at the deadline is hung); `block_in_place` runs its statements in `block_on`; the
/// multi_thread runtime has 2 workers, or 1 for `worker_threads: 1`; a scenario's event_interval
/// builds the runtime by hand. A Notified a program creates
/// (create_notified) waits unpolled in a task-local slot for its next `notified`; `hand_lock`
/// polls a lock_owned() future once and moves it to the target's HANDED slot, whose
/// `await_lock` awaits it and keeps its OwnedMutexGuard as the task's guard.
std::string export_rust(const properties::PropertyFile& file);

/// The same program with every timer forced to fire when `forced`'s trace fires it: real tokio
/// then follows the trace (exporters/schedule.hpp).
std::string export_rust(const properties::PropertyFile& file, const ForcedSchedule& forced);

}  // namespace wakecheck::exporters
