// One state of a scenario: tasks, resources, variables, scheduler queues and timers, as a flat
// run of bytes whose layout follows the scenario (model/layout.hpp): a scenario with three tasks
// and one mutex pays for three tasks and one mutex, not for the limits. Everything is an index
// into the scenario; unused bytes stay zero, so equal states have equal bytes.
//
// StateRef and StateView are views of a state's bytes (to change, to read); State owns its bytes
// and is what tests and reports hold. The search works on views of buffers it owns, so stepping
// allocates nothing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <type_traits>
#include <vector>

#include "model/id_list.hpp"
#include "model/limits.hpp"
#include "model/scenario.hpp"
#include "model/semaphore.hpp"

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
  kChannelOverflow,      // an unbounded channel would hold more than 255 messages
  kSelectAllDisabled,    // every branch of a select! disabled by its precondition, and no else
};

/// What a modelling error means, in words.
const char* to_string(Failure failure);

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
  std::uint8_t turn = 0;              // join!: branches to skip first at the next poll (rotation);
                                      // select!: bit k, branch k disabled by its precondition
  std::uint8_t blocked = 0;           // block_in_place: the blocking future's task/child + 1, or 0
  std::uint8_t block_woken = 0;       // the blocked thread's block_on future was woken
  std::uint8_t received = 0;          // hand_lock: the task whose lock future this one owns + 1
  std::uint8_t handed_to = 0;         // this task's lock future is polled by that task (+ 1),
                                      // whose waker its node now holds
  std::uint8_t timer_left = 0;        // a timed sleep: ticks until it fires (0: untimed)
  std::uint8_t deadline_left = 0;     // a timed timeout: ticks until its deadline (0: untimed)
  // multi_thread, any number of workers: woken last by a task whose thread then blocked keeping
  // its core (block_on, a std lock), this task sits in that worker's LIFO slot, which no other
  // worker steals (1.24.2): that task + 1, until its thread is the runtime's again; or 0.
  std::uint8_t stuck = 0;
  bool operator==(const TaskState&) const = default;

  bool finished() const {
    return status == TaskStatus::kComplete || status == TaskStatus::kCancelled ||
           status == TaskStatus::kDropped || status == TaskStatus::kFailed;
  }
  bool live() const { return status != TaskStatus::kNotSpawned && !finished(); }
  /// Registers a sleep's timer: `ticks` from now, or untimed (0).
  void start_timer(std::uint8_t ticks) {
    timer = 1;
    timer_left = ticks;
  }
  void clear_timer() {
    timer = 0;
    timer_left = 0;
  }
  void clear_deadline() {
    deadline = 0;
    deadline_left = 0;
  }
};
static_assert(sizeof(TaskState) == 21 && std::is_trivially_copyable_v<TaskState>);

enum class Phase : std::uint8_t {
  kTop,   // current_thread: at the top of the scheduler loop, where a woken main is polled
  kLoop,  // current_thread: running tasks from the run queue
};

/// coop.rs: budget units per task poll.
inline constexpr std::uint8_t kCoopBudget = 128;
/// multi_thread worker.rs: every 61st tick a worker looks at the inject queue first.
inline constexpr std::uint8_t kGlobalQueueInterval = 61;
/// SchedulerState::worker_flags: the LIFO slot's task runs next in the same run_task (worker.rs:
/// after a poll, the slot's task runs at once while the coop budget lasts)...
inline constexpr std::uint8_t kLifoChain = 1;
/// ...and: this loop iteration's tick was counted already (its maintenance ran).
inline constexpr std::uint8_t kTickCounted = 2;

/// The scheduler's own fields (its queues are lists of their own).
struct SchedulerState {
  // multi_thread with one worker: the LIFO slot (task + 1, or 0) and the worker's loop.
  std::uint8_t lifo = 0;
  std::uint8_t worker_flags = 0;  // kLifoChain | kTickCounted
  std::uint8_t chain_spent = 0;   // coop units the run so far spent (a LIFO chain shares them)
  std::uint8_t maint_ticks = 0;   // ticks modulo event_interval (maintenance at 0)
  Phase phase = Phase::kTop;
  // current_thread: task polls since the top of the scheduler loop; after event_interval of them
  // the loop parks (park_yield) and returns to the top, even with tasks still queued. One worker:
  // its tick count modulo 61.
  std::uint8_t ticks = 0;
};
static_assert(sizeof(SchedulerState) == 6 && std::is_trivially_copyable_v<SchedulerState>);

/// A created Notified after `enable`: ready (Done), or in the waiter list without a waker.
inline constexpr std::uint8_t kEnabledReady = 3;
inline constexpr std::uint8_t kEnabledWaiting = 4;

/// tokio::sync::Notify (sync/notify.rs, 1.24.2): the stored permit and the waiter list; the same
/// bytes serve a bounded channel (permit: messages in flight; waiters: the receiver), a barging
/// mutex (its listeners) and a OnceCell (permit: the value is set).
struct NotifyShape {
  std::size_t tasks = 0;
  std::size_t waiters_offset() const { return 1; }
  std::size_t notified_offset() const { return 2 + tasks; }
  std::size_t created_offset() const { return 2 + 2 * tasks; }
  std::size_t bytes() const { return 2 + 3 * tasks; }
};

template <class Byte>
class NotifyRef {
 public:
  NotifyRef(Byte* bytes, NotifyShape shape) : p_(bytes), shape_(shape) {}
  /// NOTIFIED: one stored notify_one (a channel: messages in flight; a OnceCell: value set).
  Byte& permit() const { return p_[0]; }
  /// Waiting `Notified` futures, oldest first.
  IdListRef<TaskId, Byte> waiters() const { return {p_ + shape_.waiters_offset(), shape_.tasks}; }
  /// Per task: 0 none, 1 OneWaiter, 2 AllWaiters.
  Byte& notified(TaskId t) const { return p_[shape_.notified_offset() + index(t)]; }
  /// Per task: a Notified created and not yet polled: 0 none, 1 created, 2 created and a
  /// notify_waiters call happened since (its counter moved past the snapshot); after `enable`:
  /// 3 ready (Done), 4 in the waiter list without a waker (Waiting).
  Byte& created(TaskId t) const { return p_[shape_.created_offset() + index(t)]; }

 private:
  Byte* p_;
  NotifyShape shape_;
};

/// Where each part of a state lies in its bytes, and how many bits each byte can need: computed
/// once per scenario (make_layout), never changed.
struct StateLayout : std::enable_shared_from_this<StateLayout> {
  static constexpr std::size_t kNone = SIZE_MAX;
  struct Resource {
    std::size_t semaphore_at = 0;  // every resource has one (with no nodes if it is no semaphore)
    SemaphoreShape semaphore;
    std::size_t notify_at = kNone;  // Notify, mpsc, barging mutex, OnceCell
    NotifyShape notify;
    std::size_t std_owner_at = 0;  // std and barging mutexes: owner + 1, or 0
  };

  std::size_t bytes = 0;  // a multiple of 8
  std::size_t task_count = 0;
  std::size_t resource_count = 0;
  std::size_t future_count = 0;
  std::size_t tasks_at = 0;        // TaskState per task
  std::size_t held_at = 0;         // per task and resource: permits held by its guards
  std::size_t region_held_at = 0;  // of those, held by the nested future being run
  std::size_t futures_at = 0;      // per future: bit 0 paused, bit 1 swallowed
  std::size_t vars_at = 0;         // per variable: two bytes, its value minus its minimum
  std::size_t scheduler_at = 0;    // SchedulerState
  std::size_t faults_at = 0;       // per fault kind: budget left
  // Lists of tasks: a size byte, then capacity bytes (capacity 0: the scenario never uses it).
  std::size_t run_queue_at = 0, run_queue_cap = 0;
  ListForm run_queue_form = ListForm::kOrdered;
  std::size_t deferred_at = 0, deferred_cap = 0;
  std::size_t ready_children_at = 0, ready_children_cap = 0;
  std::size_t inject_at = 0, inject_cap = 0;
  std::vector<Resource> resources;
  std::vector<std::int16_t> var_min;
  // Bits each byte can need (0: the scenario never changes it): what a stored state keeps.
  std::vector<std::uint8_t> widths;
};

/// The layout of `scenario`'s states. Precondition: the scenario is within limits.hpp.
std::shared_ptr<const StateLayout> make_layout(const Scenario& scenario);

inline constexpr std::uint8_t kPausedBit = 1;
inline constexpr std::uint8_t kSwallowedBit = 2;

/// A view of a state's bytes: `Byte` is `std::uint8_t` to change it, `const std::uint8_t` to read.
template <class Byte>
class StateBase {
  static constexpr bool kMutable = !std::is_const_v<Byte>;
  template <class T>
  using Like = std::conditional_t<kMutable, T, const T>;

 public:
  StateBase(Byte* bytes, const StateLayout* layout) : p_(bytes), l_(layout) {}
  operator StateBase<const std::uint8_t>() const { return {p_, l_}; }

  Byte* bytes() const { return p_; }
  const StateLayout& layout() const { return *l_; }
  std::size_t size() const { return l_->bytes; }

  Like<TaskState>& task(TaskId t) const { return tasks(index(t)); }
  Like<TaskState>& tasks(std::size_t i) const {
    return *std::launder(reinterpret_cast<Like<TaskState>*>(p_ + l_->tasks_at + sizeof(TaskState) * i));
  }
  /// Permits of `r` held by guards in `t`'s future.
  Byte& held(TaskId t, ResourceId r) const { return p_[l_->held_at + index(t) * l_->resource_count + index(r)]; }
  /// Of those, the permits held by the nested future `t` is running.
  Byte& region_held(TaskId t, ResourceId r) const {
    return p_[l_->region_held_at + index(t) * l_->resource_count + index(r)];
  }
  SemaphoreRef<Byte> semaphore(ResourceId r) const {
    const auto& res = l_->resources[index(r)];
    return {p_ + res.semaphore_at, res.semaphore};
  }
  /// Precondition: the resource has Notify bytes (Notify, mpsc, barging mutex, OnceCell).
  NotifyRef<Byte> notify(ResourceId r) const {
    const auto& res = l_->resources[index(r)];
    return {p_ + res.notify_at, res.notify};
  }
  bool has_notify(ResourceId r) const { return l_->resources[index(r)].notify_at != StateLayout::kNone; }
  Byte& std_owner(ResourceId r) const { return p_[l_->resources[index(r)].std_owner_at]; }

  /// Tasks in the run queue, front first. On multi_thread the order carries no meaning and the
  /// list is kept sorted, so equal situations are equal states. A task with `wake_pending` set
  /// holds its place in the queue until the wake is delivered.
  IdListRef<TaskId, Byte> run_queue() const { return {p_ + l_->run_queue_at, l_->run_queue_cap, l_->run_queue_form}; }
  /// yield_now's deferred wakes, FIFO (1.24.2).
  IdListRef<TaskId, Byte> deferred() const { return {p_ + l_->deferred_at, l_->deferred_cap}; }
  /// Woken child futures of FuturesUnordered sets, in wake order (its ready-to-run queue).
  IdListRef<TaskId, Byte> ready_children() const { return {p_ + l_->ready_children_at, l_->ready_children_cap}; }
  /// multi_thread with one worker: tasks scheduled from off the worker (main's thread), FIFO. The
  /// worker's local queue is run_queue (FIFO).
  IdListRef<TaskId, Byte> inject() const { return {p_ + l_->inject_at, l_->inject_cap}; }
  Like<SchedulerState>& scheduler() const {
    return *std::launder(reinterpret_cast<Like<SchedulerState>*>(p_ + l_->scheduler_at));
  }

  std::int16_t var(std::size_t v) const {
    std::uint16_t biased;
    std::memcpy(&biased, p_ + l_->vars_at + 2 * v, 2);
    return static_cast<std::int16_t>(biased + l_->var_min[v]);
  }
  void set_var(std::size_t v, std::int32_t value) const
    requires kMutable
  {
    const auto biased = static_cast<std::uint16_t>(value - l_->var_min[v]);
    std::memcpy(p_ + l_->vars_at + 2 * v, &biased, 2);
  }

  bool is_paused(std::size_t future) const { return (p_[l_->futures_at + future] & kPausedBit) != 0; }
  bool is_swallowed(std::size_t future) const { return (p_[l_->futures_at + future] & kSwallowedBit) != 0; }
  bool any_swallowed() const {
    for (std::size_t f = 0; f < l_->future_count; ++f) {
      if (is_swallowed(f)) return true;
    }
    return false;
  }
  void set_paused(std::size_t future, bool on) const
    requires kMutable
  {
    set_flag(future, kPausedBit, on);
  }
  void set_swallowed(std::size_t future, bool on) const
    requires kMutable
  {
    set_flag(future, kSwallowedBit, on);
  }

  Byte& faults_left(FaultKind kind) const { return p_[l_->faults_at + static_cast<std::size_t>(kind)]; }

  bool operator==(const StateBase<const std::uint8_t>& other) const {
    return std::memcmp(p_, other.bytes(), l_->bytes) == 0;
  }

 private:
  void set_flag(std::size_t future, std::uint8_t bit, bool on) const {
    Byte& flags = p_[l_->futures_at + future];
    flags = static_cast<std::uint8_t>(on ? (flags | bit) : (flags & ~bit));
  }

  Byte* p_;
  const StateLayout* l_;
};

using StateRef = StateBase<std::uint8_t>;
using StateView = StateBase<const std::uint8_t>;

/// A state that owns its bytes (and shares its scenario's layout): what tests, traces and
/// reports hold. Its accessors are those of StateRef and StateView.
class State {
 public:
  State() = default;
  /// The all-zero state of `layout`.
  explicit State(std::shared_ptr<const StateLayout> layout)
      : bytes_(layout->bytes, 0), layout_(std::move(layout)) {}
  /// A copy of the state `view` shows.
  State(StateView view)  // NOLINT(google-explicit-constructor): a state is its bytes
      : bytes_(view.bytes(), view.bytes() + view.size()), layout_(view.layout().shared_from_this()) {}

  bool operator==(const State& other) const { return bytes_ == other.bytes_; }

  StateRef ref() { return {bytes_.data(), layout_.get()}; }
  StateView view() const { return {bytes_.data(), layout_.get()}; }
  operator StateView() const { return view(); }
  const std::vector<std::uint8_t>& bytes() const { return bytes_; }
  const StateLayout& layout() const { return *layout_; }
  const std::shared_ptr<const StateLayout>& shared_layout() const { return layout_; }

  // The accessors of the views, on this state.
  TaskState& task(TaskId t) { return ref().task(t); }
  const TaskState& task(TaskId t) const { return view().task(t); }
  TaskState& tasks(std::size_t i) { return ref().tasks(i); }
  const TaskState& tasks(std::size_t i) const { return view().tasks(i); }
  std::uint8_t& held(TaskId t, ResourceId r) { return ref().held(t, r); }
  const std::uint8_t& held(TaskId t, ResourceId r) const { return view().held(t, r); }
  std::uint8_t& region_held(TaskId t, ResourceId r) { return ref().region_held(t, r); }
  const std::uint8_t& region_held(TaskId t, ResourceId r) const { return view().region_held(t, r); }
  SemaphoreRef<std::uint8_t> semaphore(ResourceId r) { return ref().semaphore(r); }
  SemaphoreRef<const std::uint8_t> semaphore(ResourceId r) const { return view().semaphore(r); }
  NotifyRef<std::uint8_t> notify(ResourceId r) { return ref().notify(r); }
  NotifyRef<const std::uint8_t> notify(ResourceId r) const { return view().notify(r); }
  bool has_notify(ResourceId r) const { return view().has_notify(r); }
  std::uint8_t& std_owner(ResourceId r) { return ref().std_owner(r); }
  const std::uint8_t& std_owner(ResourceId r) const { return view().std_owner(r); }
  IdListRef<TaskId, std::uint8_t> run_queue() { return ref().run_queue(); }
  IdListRef<TaskId, const std::uint8_t> run_queue() const { return view().run_queue(); }
  IdListRef<TaskId, std::uint8_t> deferred() { return ref().deferred(); }
  IdListRef<TaskId, const std::uint8_t> deferred() const { return view().deferred(); }
  IdListRef<TaskId, std::uint8_t> ready_children() { return ref().ready_children(); }
  IdListRef<TaskId, const std::uint8_t> ready_children() const { return view().ready_children(); }
  IdListRef<TaskId, std::uint8_t> inject() { return ref().inject(); }
  IdListRef<TaskId, const std::uint8_t> inject() const { return view().inject(); }
  SchedulerState& scheduler() { return ref().scheduler(); }
  const SchedulerState& scheduler() const { return view().scheduler(); }
  std::int16_t var(std::size_t v) const { return view().var(v); }
  void set_var(std::size_t v, std::int32_t value) { ref().set_var(v, value); }
  bool is_paused(std::size_t future) const { return view().is_paused(future); }
  bool is_swallowed(std::size_t future) const { return view().is_swallowed(future); }
  void set_paused(std::size_t future, bool on) { ref().set_paused(future, on); }
  std::uint8_t& faults_left(FaultKind kind) { return ref().faults_left(kind); }
  const std::uint8_t& faults_left(FaultKind kind) const { return view().faults_left(kind); }

 private:
  std::vector<std::uint8_t> bytes_;
  std::shared_ptr<const StateLayout> layout_;
};

}  // namespace wakecheck::model
