// The static description of what is checked: the runtime, the resources and the tasks with
// their programs. It is built from a property file by the properties layer and never changes
// during a search; states refer to its tasks and resources by index.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "model/limits.hpp"

namespace wakecheck::model {

enum class TaskId : std::uint8_t {};
enum class ResourceId : std::uint8_t {};

inline constexpr std::size_t index(TaskId t) { return static_cast<std::size_t>(t); }
inline constexpr std::size_t index(ResourceId r) { return static_cast<std::size_t>(r); }

/// The block_on future (the program's `main`) is always task 0.
inline constexpr TaskId kMainTask{0};

enum class Flavor : std::uint8_t {
  kCurrentThread,  // one thread, FIFO run queue (runtime/scheduler/current_thread.rs)
  kMultiThread,    // any runnable task may be polled next: a sound over-approximation
};

enum class ResourceKind : std::uint8_t {
  kTokioMutex,  // tokio::sync::Mutex: a batch semaphore with one permit (sync/mutex.rs)
};

struct ResourceSpec {
  std::string name;
  ResourceKind kind = ResourceKind::kTokioMutex;
  std::uint8_t permits = 1;
};

/// What sits between the runtime and a task's own future.
enum class Wrapper : std::uint8_t {
  kNone,
  kPausable,     // once paused, polls return Pending without polling the inner future
  kDropOnPause,  // the first poll after a pause drops the inner future, releasing what it owns
};

enum class OpKind : std::uint8_t {
  kLock,      // `m.lock().await`: acquire 1 permit, FIFO, may queue
  kUnlock,    // drop the guard: release 1 permit
  kTryLock,   // `m.try_lock()`: the guard if a permit is available, else an error; never queues
  kSleep,     // `sleep(d).await`: pending until its timer fires
  kYieldNow,  // `tokio::task::yield_now().await`: deferred wake, resumes after other work
  kSpawn,     // `tokio::spawn(task)`: the task starts runnable
  kJoin,      // `handle.await`: until the task finishes or is cancelled
  kPause,     // set the task's pause flag (as the seed's stop flag)
  kResume,    // clear the pause flag and wake the task so its wrapper polls the inner future
  kDrop,      // drop the task's inner future now, releasing what it owns
  kAbort,     // `handle.abort()`: the future is dropped at the task's next run
};

struct Op {
  OpKind kind = OpKind::kYieldNow;
  std::uint8_t target = 0;  // a ResourceId or TaskId index, by kind
};

struct TaskSpec {
  std::string name;       // "worker1"
  std::string group;      // the template it is a copy of ("worker"), or its own name
  Wrapper wrapper = Wrapper::kNone;
  std::vector<Op> program;
};

enum class FaultKind : std::uint8_t { kPause, kResume, kDrop };
inline constexpr std::size_t kFaultKinds = 3;

/// How many faults of one kind the environment may inject, and into which tasks.
struct FaultBudget {
  std::uint8_t budget = 0;
  std::vector<bool> tasks;  // indexed by task; empty means no task
};

struct Scenario {
  std::string name;
  Flavor flavor = Flavor::kCurrentThread;
  std::vector<ResourceSpec> resources;
  std::vector<TaskSpec> tasks;  // tasks[0] is main
  std::array<FaultBudget, kFaultKinds> faults;

  const TaskSpec& task(TaskId t) const { return tasks[index(t)]; }
  const ResourceSpec& resource(ResourceId r) const { return resources[index(r)]; }
  const FaultBudget& fault(FaultKind kind) const { return faults[static_cast<std::size_t>(kind)]; }
};

const char* to_string(OpKind kind);
const char* to_string(Wrapper wrapper);
const char* to_string(Flavor flavor);
const char* to_string(FaultKind kind);

}  // namespace wakecheck::model
