// Fixed capacities of a state. States are fixed-size values (no heap, hashed by their bytes), so
// every collection inside one has a bound; a scenario beyond them is rejected when it is loaded.
#pragma once

#include <cstddef>

namespace wakecheck::model {

inline constexpr std::size_t kMaxTasks = 8;       // including main (the block_on future)
// Waiter nodes per semaphore: each task's awaited future, and a future it keeps (select!'s
// `&mut fut`) with the id kMaxTasks + task.
inline constexpr std::size_t kMaxWaiters = 2 * kMaxTasks;
inline constexpr std::size_t kMaxResources = 4;
inline constexpr std::size_t kMaxFutures = 16;    // tasks' own futures plus nested ones
inline constexpr std::size_t kMaxVariables = 16;  // shared plus tasks' own, copies counted
inline constexpr std::size_t kMaxProgram = 250;   // operations in one task's compiled program
inline constexpr std::size_t kMaxExprs = 250;
inline constexpr std::size_t kMaxPermits = 255;   // permits of one semaphore
inline constexpr std::size_t kMaxStepsPerPoll = 1000;  // a poll running longer never yields

}  // namespace wakecheck::model
