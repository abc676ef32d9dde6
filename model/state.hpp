// One state of a scenario: tasks, semaphores, scheduler queues and pending timers, as a flat
// value of bytes. Everything is an index into the scenario; unused slots stay zero.
#pragma once

#include <array>
#include <cstdint>
#include <type_traits>

#include "model/limits.hpp"
#include "model/scenario.hpp"
#include "model/semaphore.hpp"
#include "model/small_list.hpp"

namespace wakecheck::model {

/// The task's lifecycle (tokio's task state word, runtime/task/state.rs, reduced to what the
/// model needs; RUNNING never outlives a step because a poll is one step).
enum class TaskStatus : std::uint8_t {
  kNotSpawned,
  kIdle,       // polled, returned Pending, not scheduled
  kScheduled,  // NOTIFIED: in the run queue (main: its `woken` flag is set)
  kComplete,   // the future returned Ready and was dropped
  kCancelled,  // aborted: the future was dropped instead of polled
  kDropped,    // the wrapper dropped (or the program dropped) the inner future
};

struct TaskState {
  TaskStatus status = TaskStatus::kNotSpawned;
  std::uint8_t pc = 0;        // the next operation of the program
  std::uint8_t inflight = 0;  // the operation at pc has started and is awaited (returned Pending)
  std::uint8_t paused = 0;    // the wrapper's pause flag
  // A wake reached the wrapper, which returned Pending without polling the inner future that
  // registered the waker; cleared when the inner future is polled or dropped.
  std::uint8_t swallowed = 0;
  std::uint8_t wake_pending = 0;     // a wake was issued and not yet delivered
  std::uint8_t cancel_requested = 0; // `abort()` was called: drop instead of poll at next run
  std::uint8_t timer = 0;            // 0 none, 1 registered, 2 fired
  std::array<std::uint8_t, kMaxResources> held{};  // permits held by guards, per resource
  bool operator==(const TaskState&) const = default;

  bool finished() const {
    return status == TaskStatus::kComplete || status == TaskStatus::kCancelled ||
           status == TaskStatus::kDropped;
  }
  bool live() const { return status != TaskStatus::kNotSpawned && !finished(); }
};

/// current_thread.rs: tasks polled per turn of the scheduler loop (`event_interval`, default 61).
inline constexpr std::uint8_t kEventInterval = 61;

enum class Phase : std::uint8_t {
  kTop,   // current_thread: at the top of the scheduler loop, where a woken main is polled
  kLoop,  // current_thread: running tasks from the run queue
};

struct State {
  std::array<TaskState, kMaxTasks> tasks{};
  std::array<Semaphore, kMaxResources> semaphores{};
  // Tasks in the run queue, front first. On multi_thread the order carries no meaning and the
  // list is kept sorted, so equal situations are equal states. A task with `wake_pending` set
  // holds its place in the queue until the wake is delivered.
  SmallList<TaskId, kMaxTasks> run_queue;
  SmallList<TaskId, kMaxTasks> deferred;  // yield_now's deferred wakes, FIFO (1.24.2)
  Phase phase = Phase::kTop;
  // current_thread: task polls since the top of the scheduler loop; after kEventInterval of them
  // the loop parks (park_yield) and returns to the top, even with tasks still queued.
  std::uint8_t ticks = 0;
  std::array<std::uint8_t, kFaultKinds> faults_left{};
  bool operator==(const State&) const = default;

  const TaskState& task(TaskId t) const { return tasks[index(t)]; }
  TaskState& task(TaskId t) { return tasks[index(t)]; }
  const Semaphore& semaphore(ResourceId r) const { return semaphores[index(r)]; }
  Semaphore& semaphore(ResourceId r) { return semaphores[index(r)]; }
};

static_assert(std::has_unique_object_representations_v<State>,
              "State is hashed by its bytes: it must have no padding");

}  // namespace wakecheck::model
