// Which guards a task may hold at each operation of its compiled program: a may-hold dataflow
// over the program's control flow (ifs, loops, a nested future's cancellation, a set's loop),
// used by the loader to reject an `unlock` or `std_unlock` that no path reaches while the task
// holds the resource (the model would release nothing there: a mistake in the file).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "model/limits.hpp"
#include "model/scenario.hpp"

namespace wakecheck::properties {

/// Per resource, an upper bound of the guards held over every path: 0, 1, 2, or 3 for "3 or
/// more" (a bound that only grows, so loops converge).
using Holdings = std::array<std::uint8_t, model::kMaxResources>;

/// Before each operation of `program`, started with `entry` held: the bound, or nullopt where
/// no path reaches. Acquisitions count when they may succeed (lock, acquire, read, write,
/// try_lock, a select's lock branch, await_lock, std_lock); unlock and std_unlock give one back.
std::vector<std::optional<Holdings>> may_hold(const std::vector<model::Op>& program, const Holdings& entry);

/// What an on_drop handler may start with: the bound over every operation of its guarded scope
/// in `program` (whose holdings are `at`), or nullopt when the program has no such scope or no
/// path reaches it.
std::optional<Holdings> handler_entry(const std::vector<model::Op>& program,
                                      const std::vector<std::optional<Holdings>>& at, std::size_t handler);

}  // namespace wakecheck::properties
