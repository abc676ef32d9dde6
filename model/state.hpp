// One state of a scenario: tasks, resources, variables, scheduler queues and timers, as a flat
// value of bytes. Everything is an index into the scenario; unused slots stay zero.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
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
  kFailed,     // a modelling error stopped it (see TaskState::failure)
};

/// Why a task stopped with kFailed: the scenario does something the model cannot stand for.
enum class Failure : std::uint8_t {
  kNone,
  kStdMutexAcrossAwait,  // a std::sync::Mutex guard held when the poll returned Pending
  kStdMutexRelock,       // std::sync::Mutex locked again by the task that holds it
  kOutOfRange,           // a variable assigned a value outside its declared range
  kBusyLoop,             // a poll ran kMaxStepsPerPoll operations without awaiting
};

struct TaskState {
  TaskStatus status = TaskStatus::kNotSpawned;
  Failure failure = Failure::kNone;
  std::uint8_t pc = 0;        // the next operation of the program
  std::uint8_t inflight = 0;  // the operation at pc has started and is awaited (returned Pending)
  std::uint8_t wake_pending = 0;      // a wake was issued and not yet delivered
  std::uint8_t cancel_requested = 0;  // `abort()` was called: drop instead of poll at next run
  std::uint8_t timer = 0;             // 0 none, 1 registered, 2 fired
  std::uint8_t deadline = 0;          // a timeout around the nested future: 0, 1 set, 2 passed
  std::uint8_t phase = 0;             // get_or_init: 0 acquiring the permit, 1 initializing
  std::uint8_t coop_exhausted = 0;    // the coop budget is spent: the next acquire yields
  std::uint8_t region = 0;            // nested wrapped future being run: its index + 1, or 0
  std::uint8_t guard = 0;             // on_drop handler in force: its index + 1, or 0
  std::uint8_t guard_in_region = 0;   // that handler belongs to the nested future
  std::uint8_t turn = 0;              // join!: branches to skip first at the next poll (rotation)
  std::uint8_t blocked = 0;           // block_in_place: the blocking future's task/child + 1, or 0
  std::uint8_t block_woken = 0;       // the blocked thread's block_on future was woken
  std::uint8_t received = 0;          // hand_lock: the task whose lock future this one owns + 1
  std::uint8_t handed_to = 0;         // this task's lock future is polled by that task (+ 1),
                                      // whose waker its node now holds
  std::array<std::uint8_t, kMaxResources> held{};         // guards held by the task's future
  std::array<std::uint8_t, kMaxResources> region_held{};  // of those, held by the nested future
  bool operator==(const TaskState&) const = default;

  bool finished() const {
    return status == TaskStatus::kComplete || status == TaskStatus::kCancelled ||
           status == TaskStatus::kDropped || status == TaskStatus::kFailed;
  }
  bool live() const { return status != TaskStatus::kNotSpawned && !finished(); }
};

/// tokio::sync::Notify (sync/notify.rs, 1.24.2): the stored permit and the waiter list.
struct NotifyState {
  std::uint8_t permit = 0;                     // NOTIFIED: one stored notify_one
  SmallList<TaskId, kMaxTasks> waiters;        // Waiting `Notified` futures, oldest first
  std::array<std::uint8_t, kMaxTasks> notified{};  // per task: 0 none, 1 OneWaiter, 2 AllWaiters
  // per task: a Notified created and not yet polled: 0 none, 1 created, 2 created and a
  // notify_waiters call happened since (its counter moved past the snapshot)
  std::array<std::uint8_t, kMaxTasks> created{};
  bool operator==(const NotifyState&) const = default;
};

/// coop.rs: budget units per task poll.
inline constexpr std::uint8_t kCoopBudget = 128;
/// multi_thread worker.rs: every 61st tick a worker looks at the inject queue first.
inline constexpr std::uint8_t kGlobalQueueInterval = 61;
/// State::worker_flags: the LIFO slot's task runs next in the same run_task (worker.rs: after a
/// poll, the slot's task runs at once while the coop budget lasts)...
inline constexpr std::uint8_t kLifoChain = 1;
/// ...and: this loop iteration's tick was counted already (its maintenance ran).
inline constexpr std::uint8_t kTickCounted = 2;

enum class Phase : std::uint8_t {
  kTop,   // current_thread: at the top of the scheduler loop, where a woken main is polled
  kLoop,  // current_thread: running tasks from the run queue
};

struct State {
  // The two-byte fields first, so that the value has no padding.
  std::array<std::int16_t, kMaxVariables> vars{};
  std::uint16_t paused = 0;     // pause flags, one bit per future
  std::uint16_t swallowed = 0;  // per future: a wake reached its wrapper, which did not poll it
  std::array<TaskState, kMaxTasks> tasks{};
  std::array<Semaphore, kMaxResources> semaphores{};   // tokio_mutex resources
  std::array<NotifyState, kMaxResources> notifies{};   // notify resources
  std::array<std::uint8_t, kMaxResources> std_owner{}; // std_mutex resources: owner + 1, or 0
  // Tasks in the run queue, front first. On multi_thread the order carries no meaning and the
  // list is kept sorted, so equal situations are equal states. A task with `wake_pending` set
  // holds its place in the queue until the wake is delivered.
  SmallList<TaskId, kMaxTasks> run_queue;
  SmallList<TaskId, kMaxTasks> deferred;  // yield_now's deferred wakes, FIFO (1.24.2)
  // Woken child futures of FuturesUnordered sets, in wake order (its ready-to-run queue).
  SmallList<TaskId, kMaxTasks> ready_children;
  // multi_thread with one worker: tasks scheduled from off the worker (main's thread), FIFO,
  // and the worker's LIFO slot (task + 1, or 0). The worker's local queue is run_queue (FIFO) and
  // its tick count is ticks.
  SmallList<TaskId, kMaxTasks> inject;
  std::uint8_t lifo = 0;
  std::uint8_t worker_flags = 0;  // kLifoChain | kTickCounted
  std::uint8_t chain_spent = 0;   // coop units the run so far spent (a LIFO chain shares them)
  std::uint8_t maint_ticks = 0;   // ticks modulo event_interval (maintenance at 0)
  std::uint8_t worker_unused = 0;  // always 0: keeps the size even, so the value has no padding
  Phase phase = Phase::kTop;
  // current_thread: task polls since the top of the scheduler loop; after event_interval of them
  // the loop parks (park_yield) and returns to the top, even with tasks still queued.
  std::uint8_t ticks = 0;
  std::array<std::uint8_t, kFaultKinds> faults_left{};
  /// Equal values have equal bytes (no padding: checked below), so the bytes are compared.
  bool operator==(const State& other) const { return std::memcmp(this, &other, sizeof(State)) == 0; }

  const TaskState& task(TaskId t) const { return tasks[index(t)]; }
  TaskState& task(TaskId t) { return tasks[index(t)]; }
  const Semaphore& semaphore(ResourceId r) const { return semaphores[index(r)]; }
  Semaphore& semaphore(ResourceId r) { return semaphores[index(r)]; }
  bool is_paused(std::size_t future) const { return (paused >> future) & 1U; }
  bool is_swallowed(std::size_t future) const { return (swallowed >> future) & 1U; }
};

static_assert(std::has_unique_object_representations_v<State>,
              "State is hashed by its bytes: it must have no padding");

}  // namespace wakecheck::model
