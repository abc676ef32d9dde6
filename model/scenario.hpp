// The static description of what is checked: the runtime, the resources, the variables and the
// tasks with their compiled programs. It is built from a property file by the properties layer
// and never changes during a search; states refer to its parts by index.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/expr.hpp"
#include "model/limits.hpp"

namespace wakecheck::model {

enum class TaskId : std::uint8_t {};
enum class ResourceId : std::uint8_t {};

inline constexpr std::size_t index(TaskId t) { return static_cast<std::size_t>(t); }
inline constexpr std::size_t index(ResourceId r) { return static_cast<std::size_t>(r); }
inline TaskId task_at(std::size_t i) { return TaskId{static_cast<std::uint8_t>(i)}; }
inline ResourceId resource_at(std::size_t i) { return ResourceId{static_cast<std::uint8_t>(i)}; }

/// The block_on future (the program's `main`) is always task 0.
inline constexpr TaskId kMainTask{0};

enum class Flavor : std::uint8_t {
  kCurrentThread,  // one thread, FIFO run queue (runtime/scheduler/current_thread.rs)
  kMultiThread,    // any runnable task may be polled next: a sound over-approximation
};

enum class ResourceKind : std::uint8_t {
  kTokioMutex,    // tokio::sync::Mutex: a batch semaphore with one permit (sync/mutex.rs)
  kStdMutex,      // std::sync::Mutex: blocks the thread; must not be held across an await
  kNotify,        // tokio::sync::Notify (sync/notify.rs)
  kSemaphore,     // tokio::sync::Semaphore(permits) (sync/semaphore.rs)
  kRwLock,        // tokio::sync::RwLock: a semaphore of `permits` (max readers); writers take all
  kMpsc,          // tokio::sync::mpsc bounded channel: capacity `permits` (sync/mpsc/bounded.rs)
  kBargingMutex,  // async_lock::Mutex-like: unlock frees the lock and notifies one listener
  kOnceCell,      // tokio::sync::OnceCell: a value flag and a batch semaphore of one permit
  kUnbounded,     // tokio::sync::mpsc unbounded channel (sync/mpsc/unbounded.rs): send never waits
  kOneshot,       // tokio::sync::oneshot (sync/oneshot.rs): one value; the receiver awaits it
  kWatch,         // tokio::sync::watch (sync/watch.rs): a version; receivers await a change
};

/// Which tokio release the model follows where releases differ (docs/tokio-model.md#newer-tokio).
enum class TokioVersion : std::uint8_t {
  k1_24,  // 1.24.2: a batch of wakes is woken in reverse; deferred wakes FIFO
  k1_53,  // 1.38 and later: batches FIFO (#6521); deferred wakes LIFO (1.29, #5741)
};

struct ResourceSpec {
  std::string name;
  ResourceKind kind = ResourceKind::kTokioMutex;
  std::uint8_t permits = 1;  // semaphore permits, rwlock max readers, channel capacity
  // A channel's senders: the tasks that own a Sender. When every one has finished (its future
  // dropped with its Sender), the channel is closed. Empty: a Sender lives on, never closed.
  std::vector<std::size_t> senders;
};

/// What sits between the runtime and a future.
enum class Wrapper : std::uint8_t {
  kNone,
  kPausable,     // once paused, polls return Pending without polling the inner future
  kDropOnPause,  // the first poll after a pause drops the inner future, releasing what it owns
  kFinishItem,   // a pause waits for the in-flight item (the whole inner future) to finish
  kTimeout,      // nested only: `tokio::time::timeout(d, inner)`: the inner future is dropped once
                 // the deadline has passed and it is still pending
};

/// A select!'s flags (its Op's b).
inline constexpr std::uint8_t kSelectKeep = 1;      // the lock branch is `&mut fut`: it outlives a loss
inline constexpr std::uint8_t kSelectUnbiased = 2;  // no `biased;`: each poll starts at a random branch
inline constexpr std::uint8_t kSelectReady = 4;     // the second branch is `ready(())`, not a sleep
inline constexpr std::uint8_t kSelectWrite = 8;     // the first branch is an rwlock's write (all permits)
inline constexpr std::uint8_t kSelectNotified = 16;  // the first branch is a fresh `notify.notified()`
inline constexpr std::uint8_t kSelectElse = 32;  // kSelectBranches: an else block follows; a win jumps to ticks
/// kStartSet and kNextChild (their Op's flags): the set yields its outputs in the order its futures
/// were pushed (`FuturesOrdered`, `buffered(n)`), not as they finish.
inline constexpr std::uint8_t kSetOrdered = 1;

enum class OpKind : std::uint8_t {
  // Awaiting operations (a poll may stop at them).
  kLock,        // a: resource, c: permits. `lock`/`acquire_many`/`read`/`write`: FIFO, may queue
  kSleep,       // `sleep(d).await`: pending until its timer fires
  kYieldNow,    // `tokio::task::yield_now().await`: deferred wake, resumes after other work
  kJoin,        // a: task. `handle.await`: until the task finishes or is cancelled
  kNotified,    // a: resource. `notify.notified().await`, or the await of a created Notified
  kCreateNotified,  // a: resource. `let fut = notify.notified();` (not polled: it snapshots the
                    // notify_waiters counter only)
  // Synchronous operations.
  kEnable,          // a: notify. `fut.as_mut().enable()` on the Notified created before: takes a
                    // stored permit or sees a notify_waiters call (then it is ready), else joins
                    // the waiter list without a waker (notify.rs, poll_notified(None))
  kUnlock,      // a: resource, c: permits. Drop the guard (or permit): release its permits
  kTryLock,     // a: resource, b: variable + 1 to store success in (0: none), c: permits
  kStdLock,     // a: resource. std::sync::Mutex::lock (never held across an await)
  kStdUnlock,   // a: resource
  kNotifyOne,   // a: resource
  kNotifyWaiters,  // a: resource
  kSpawn,       // a: task. `tokio::spawn(task)`: the task starts runnable
  kPause,       // a: future. Set its pause flag (as the seed's stop flag)
  kResume,      // a: future. Clear the flag and wake its task so the wrapper polls again
  kDrop,        // a: task. Drop the task's future now, releasing what it owns
  kAbort,       // a: task. `handle.abort()`: the future is dropped at the task's next run
  kAssign,      // a: variable, b: expression
  kJumpUnless,  // a: expression, b: target pc. Jump when the expression is 0
  kJump,        // b: target pc
  kReturn,      // end the task's future now (its guards are dropped)
  kGuardBegin,  // a: handler. From here the handler runs if the future is dropped
  kGuardEnd,    // a: handler
  kWrapBegin,   // a: future, b: pc after its kWrapEnd. A nested future under a wrapper begins
  kWrapEnd,     // a: future
  kAddPermits,  // a: resource, b: n. `Semaphore::add_permits(n)`: a release of n
  kForget,      // a: resource, b: n. `permit.forget()`: n held permits leave for good
  kClose,       // a: resource. `Semaphore::close()`: waiters and later acquires fail
  kSend,        // a: channel. `tx.send(v).await`: a slot (FIFO, eager handoff), then the message
  kRecv,        // a: channel, b: variable + 1 for Some (1) or None (0). `rx.recv().await` (a
                // oneshot: `(&mut rx).await`): a message (a bounded channel's slot goes back to
                // the senders), or None once every sender is dropped and nothing is left
  kPut,         // a: channel. `tx.send(v)` on an unbounded, oneshot or watch channel: never waits
  kChanged,     // a: watch, b: variable + 1 for Ok (1) or Err (0). `rx.changed().await`: a
                // version not yet seen, or Err once the sender is dropped
  kGetOrInit,   // a: cell. `cell.get_or_init(|| async { sleep }).await` (sync/once_cell.rs)
  kSelect,      // a: resource, b: flags (kSelectKeep, kSelectUnbiased, kSelectReady,
                // kSelectWrite), c: variable + 1 for the winning branch, ticks: the sleep's.
                // `select! { biased; _ = [&mut] lock => 0, _ = sleep(d) | ready(()) => 1 }`
  kDropKept,    // drop the future a select! kept (`drop(fut)`), giving back what it was assigned;
                // and the futures a select_all left alive (`drop(rest)`)
  // Futures inside one task (children: task slots with TaskSpec::parent set, a: first child,
  // b: how many, contiguous). They are polled only while the combinator is polled, by the
  // task's own poll; their waker wakes the task.
  kJoinAll,     // `tokio::join!(..)`: every unfinished child each poll, the first one rotating
  kNextChild,   // c: at most c children in flight (0: all). `FuturesUnordered` /
                // `buffer_unordered(c)`: `while let Some(_) = set.next().await { body }`: polls
                // the woken children in wake order until one finishes (Some: pc + 2) or none is
                // left (None: the kJump at pc + 1 leaves the loop)
  kStartSet,    // a, b, c as kNextChild: the set is created with its children pushed (started)
  kSelectAll,   // c: 1 to keep the rest alive (`let (_, _, rest) = ...`), 0 to drop it.
                // `futures::future::select_all(..)`: polls the children in order; the first to
                // finish wins
  kHandLock,    // a: mutex, b: task. `let mut f = Box::pin(m.lock_owned()); poll!(&mut f);
                // tx.send(f)`: the lock future is polled once (queued with this task's waker)
                // and moved to task b
  kAwaitHanded, // a: mutex. `rx.recv().await.unwrap().await`: awaits the lock future received;
                // its first poll replaces the waker in the node with this task's (S21)
  kBlockBegin,  // `block_in_place(|| Handle::current().block_on(async { .. }))` (multi_thread):
  kBlockEnd,    // the thread runs only this future until it finishes; the task's other futures
                // are not polled meanwhile
  kSelectBranches,  // a, b: children; c: variable + 1 for the winning branch's index; flags:
                    // kSelectUnbiased. `tokio::select! { [biased;] _ = a => 0, _ = &mut b => 1,
                    // .. }` over any futures (async blocks): polled in order (biased) or from the
                    // poll's start branch, the first to finish wins; the losers are dropped, except
                    // a kept branch (`&mut fut`, TaskSpec::kept), which stays alive unpolled and is
                    // polled again (not restarted) by the next select! that names it
  kAwaitBranch,     // a: child, b: 1. `(&mut fut).await` on a kept select! branch: polls it until it
                    // finishes (nothing if it is not alive)
  kDropBranch,      // a: child. `drop(fut)` of a kept select! branch: its destructor gives back what
                    // it holds or was handed
  kAwaitShared,     // a: shared future (a slot with TaskSpec::shared). `shared.clone().await`
                    // (futures-util future/future/shared.rs): the awaiting clone polls the one inner
                    // future (started by the first await); its wake wakes every clone awaiting it
};

/// Whether a poll can stop (return Pending) at this operation.
bool awaits(OpKind kind);

struct Op {
  OpKind kind = OpKind::kYieldNow;
  std::uint8_t a = 0;
  std::uint8_t b = 0;
  std::uint8_t c = 0;  // kLock, kTryLock, kUnlock: permits (0: the kind's usual, 1 for a mutex)
  std::uint8_t ticks = 0;  // kSleep, kSelect: the sleep's duration in ticks (0: untimed)
  std::uint8_t flags = 0;  // kSelectBranches: kSelectUnbiased, kSelectElse (ticks: the pc after
                           // the else block, where a won select! goes on)
};

/// A future that a wrapper can be applied to: a whole task (futures 0..tasks-1, same index as
/// the task) or a nested future inside a task's program (`worker1.compute`).
struct FutureSpec {
  std::string name;
  std::size_t task = 0;
  Wrapper wrapper = Wrapper::kNone;
  std::optional<std::size_t> cancelled_variable;  // set to 1 when drop_on_pause cancels it
  std::size_t end = 0;  // nested: the pc after its kWrapEnd, where a cancelled future resumes
  std::uint8_t after = 0;  // a timeout's duration in ticks (0: untimed, longer than every sleep)
};

struct VariableSpec {
  std::string name;                 // "state", or "outcome" for a task's own
  std::optional<std::size_t> task;  // the owning task for a task's own variable
  bool boolean = false;
  std::int16_t initial = 0;
  std::int16_t min = 0;
  std::int16_t max = 1;
};

struct TaskSpec {
  std::string name;   // "worker1"
  std::string group;  // the template it is a copy of ("worker"), or its own name
  std::vector<Op> program;
  // A child future of a combinator (join!, FuturesUnordered, select_all) in its parent task's
  // program: not a task of its own: polled by the parent's poll, its wakes wake the parent.
  std::optional<std::size_t> parent;
  OpKind combinator = OpKind::kJoinAll;  // a child's: kJoinAll, kNextChild, kSelectAll or kSelectBranches
  // A select! branch borrowed as `&mut fut`: it outlives a loss (alive, unpolled) until the next
  // select! naming it polls it again, `await NAME` finishes it, or `drop NAME` drops it.
  bool kept = false;
  // A select! branch's precondition (`_ = fut, if cond => ..`): an expression of its parent's,
  // evaluated when the select! starts; false disables the branch for that run.
  std::optional<std::uint8_t> precondition;
  // A shared future (`async { .. }.boxed().shared()`): one inner future, not a task, polled by
  // whichever task or branch awaits a clone of it (kAwaitShared); its wakes wake them all.
  // `cached`: a cache keeps a clone for the whole run, so the inner future outlives its
  // awaiters; otherwise it is dropped with its last awaiting clone, and the next await starts a
  // new one.
  bool shared = false;
  bool cached = true;
  // A child of an ordered set (FuturesOrdered, buffered): once finished, its output waits in the
  // set's queue until every future pushed before it has been yielded (TaskState::phase 1).
  bool ordered = false;
};

enum class FaultKind : std::uint8_t { kPause, kResume, kDrop, kSpuriousWake, kCoopYield };
inline constexpr std::size_t kFaultKinds = 5;

/// How many faults of one kind the environment may inject, and into which tasks.
struct FaultBudget {
  std::uint8_t budget = 0;
  std::vector<bool> tasks;    // drop, spurious_wake: indexed by task
  std::vector<bool> futures;  // pause, resume: indexed by future (a task's own, or nested)
  // drop: only while the task is suspended at this operation of its program (an await point),
  // as `cancel_safe` checks each one in turn; none: at any point.
  std::optional<std::uint8_t> at_pc;
};

struct Scenario {
  std::string name;
  Flavor flavor = Flavor::kCurrentThread;
  TokioVersion version = TokioVersion::k1_24;
  std::vector<ResourceSpec> resources;
  std::vector<TaskSpec> tasks;       // tasks[0] is main
  std::vector<FutureSpec> futures;   // futures[i] for i < tasks.size() is task i's own future
  std::vector<VariableSpec> variables;
  std::vector<Expr> exprs;           // expressions of programs, by index
  std::vector<std::vector<Op>> handlers;  // on_drop handlers, by index
  std::array<FaultBudget, kFaultKinds> faults;
  // current_thread.rs `event_interval` (Builder::event_interval): task polls per turn of the
  // scheduler loop before it parks and polls a woken main.
  std::uint8_t event_interval = 61;
  // multi_thread: 0 = any runnable task may be polled next (workers without bound); 1 = one
  // worker with its LIFO slot, local queue and the inject queue (runtime/scheduler/multi_thread/
  // worker.rs), the block_on future on its own thread.
  std::uint8_t worker_threads = 0;

  const TaskSpec& task(TaskId t) const { return tasks[index(t)]; }
  const ResourceSpec& resource(ResourceId r) const { return resources[index(r)]; }
  const FaultBudget& fault(FaultKind kind) const { return faults[static_cast<std::size_t>(kind)]; }
  Wrapper wrapper(TaskId t) const { return futures[index(t)].wrapper; }
  /// A future that is not a task of its own: a combinator's child, or a shared future.
  bool is_child(TaskId t) const { return tasks[index(t)].parent.has_value() || tasks[index(t)].shared; }
  /// The task whose poll polls `t`: `t` itself, or the parent of a child future (a shared
  /// future has no one: whoever awaits it polls it).
  TaskId runner(TaskId t) const {
    const auto& p = tasks[index(t)].parent;
    return p ? TaskId{static_cast<std::uint8_t>(*p)} : t;
  }
  std::optional<std::size_t> find_task(const std::string& name) const;
  std::optional<std::size_t> find_resource(const std::string& name) const;
  std::optional<std::size_t> find_future(const std::string& name) const;
  /// A shared variable, or task `task`'s own variable when given.
  std::optional<std::size_t> find_variable(const std::string& name,
                                           std::optional<std::size_t> task = std::nullopt) const;
};

const char* to_string(OpKind kind);
/// The await points of a task's program (`future`: only those inside that nested future).
std::vector<std::size_t> await_points(const Scenario& scenario, std::size_t task, std::optional<std::size_t> future);
/// A combinator over child futures: join!, a FuturesUnordered loop's next(), select_all.
constexpr bool is_combinator(OpKind kind) {
  return kind == OpKind::kJoinAll || kind == OpKind::kNextChild || kind == OpKind::kSelectAll ||
         kind == OpKind::kSelectBranches || kind == OpKind::kAwaitBranch;
}
/// The Rust name of the combinator holding a branch: "join!", "FuturesUnordered", "select_all".
const char* combinator_name(OpKind combinator);
/// The combinator a child future is in, by name ("FuturesOrdered" for an ordered set's).
const char* combinator_name(const TaskSpec& child);
/// An operation as a line of the compiled program ("lock m", "unless ready goto 7").
std::string describe_op(const Scenario& scenario, const Op& op);
const char* to_string(Wrapper wrapper);
const char* to_string(Flavor flavor);
const char* to_string(FaultKind kind);
const char* to_string(ResourceKind kind);
const char* to_string(TokioVersion version);
/// Whether the resource is a batch semaphore underneath (its state is State::semaphores).
constexpr bool semaphore_based(ResourceKind kind) {
  return kind == ResourceKind::kTokioMutex || kind == ResourceKind::kSemaphore ||
         kind == ResourceKind::kRwLock || kind == ResourceKind::kMpsc || kind == ResourceKind::kOnceCell;
}

/// How reports speak of a resource's parts, in its own API's words.
struct ResourceWords {
  const char* future;    // what waits in its queue: "lock future", "acquire future", "send future"
  const char* unit;      // what a waiter is handed: "permit", "slot"
  const char* held;      // what a task holds after it got through: "guard", "permit"
  const char* released;  // what the resource looks like when its unit is stranded
  const char* handoff_free;  // a primitive of the same use that never hands a unit to a waiter
};
ResourceWords words(ResourceKind kind);

/// The verb of a resource operation as the property file writes it: "acquire" and "release" on a
/// semaphore, "read" and "write" on an RwLock, "lock" and "unlock" on a mutex.
const char* op_verb(const Scenario& scenario, const Op& op);

}  // namespace wakecheck::model
