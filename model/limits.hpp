// Capacities of a scenario. A state is sized by its scenario (model/layout.hpp): these bounds
// only keep ids within one byte and programs addressable, and a scenario beyond them is rejected
// when it is loaded.
#pragma once

#include <cstddef>

namespace wakecheck::model {

inline constexpr std::size_t kMaxTasks = 127;     // tasks and branches, main included
// Waiter nodes of a semaphore: a task's awaited future has the id of its task; a future it keeps
// (select!'s `&mut fut`) has kKeptWaiterBase + task. Both fit one byte.
inline constexpr std::size_t kKeptWaiterBase = 128;
inline constexpr std::size_t kMaxWaiters = 255;
inline constexpr std::size_t kMaxResources = 32;
inline constexpr std::size_t kMaxFutures = 255;   // tasks' own futures plus nested ones
inline constexpr std::size_t kMaxVariables = 254; // shared plus tasks' own, copies counted
inline constexpr std::size_t kMaxProgram = 250;   // operations in one task's compiled program
inline constexpr std::size_t kMaxExprs = 250;
inline constexpr std::size_t kMaxPermits = 255;   // permits of one semaphore
inline constexpr std::size_t kMaxStepsPerPoll = 1000;  // a poll running longer never yields

}  // namespace wakecheck::model
