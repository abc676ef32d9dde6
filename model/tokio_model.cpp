#include "model/tokio_model.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>

#include "model/queries.hpp"

namespace wakecheck::model {
namespace {

std::string ordinal_waiters(std::size_t n) {
  return n == 1 ? "1 waiter" : std::to_string(n) + " waiters";
}

const char* failure_text(Failure failure) {
  switch (failure) {
    case Failure::kNone: return "";
    case Failure::kStdMutexAcrossAwait:
      return "a std::sync::Mutex guard is held across an await (the poll returned Pending)";
    case Failure::kStdMutexRelock: return "std::sync::Mutex locked again by the task holding it";
    case Failure::kOutOfRange: return "a variable was assigned a value outside its range";
    case Failure::kBusyLoop: return "the poll ran 1000 operations without awaiting (a busy loop)";
  }
  return "";
}

/// The task the one worker polls next (worker.rs `next_task` after `tick`), if any: the LIFO
/// chain's; every 61st tick the inject queue first; else the LIFO slot, the local queue, the
/// inject queue.
std::optional<TaskId> worker_next(const State& s) {
  const auto lifo = [&] { return TaskId{static_cast<std::uint8_t>(s.lifo - 1U)}; };
  if ((s.worker_flags & kLifoChain) != 0) return lifo();
  const unsigned tick = (s.worker_flags & kTickCounted) != 0 ? s.ticks : (s.ticks + 1U) % kGlobalQueueInterval;
  if (tick == 0 && !s.inject.empty()) return s.inject.front();
  if (s.lifo != 0) return lifo();
  if (!s.run_queue.empty()) return s.run_queue.front();
  if (!s.inject.empty()) return s.inject.front();
  return std::nullopt;
}

/// What a step that does not narrate says: nothing. Appending to it, or it to anything, gives
/// nothing, so the search's steps build no strings.
struct Silent {
  bool empty() const { return true; }
  template <class T>
  Silent& operator+=(const T&) { return *this; }
};
template <class T>
Silent operator+(Silent, const T&) { return {}; }
template <class T>
  requires(!std::is_same_v<T, Silent>)
Silent operator+(const T&, Silent) { return {}; }

/// What running one operation did to the poll.
enum class Flow { kNext, kPending, kJumped, kStop };

/// One step applied to a state. With kNarrate the step also tells what it did, in lines; without
/// it the narration compiles away, so the search pays nothing for reports.
template <bool kNarrate>
class Step {
 public:
  Step(const Scenario& scenario, State& state, std::vector<std::string>* lines)
      : sc_(scenario), s_(state), lines_(lines) {}

  void apply(const Event& e) {
    switch (e.kind) {
      case EventKind::kPoll: poll(e.task); break;
      case EventKind::kPollSleepFirst:
        sleep_first_ = true;
        poll(e.task);
        break;
      case EventKind::kWake: deliver_wake(e.task); break;
      case EventKind::kPark:
        if (single_worker()) {
          worker_park();
        } else {
          park();
        }
        break;
      case EventKind::kTimer:
        on_worker_ = single_worker();  // the parked worker turns the time driver
        fire_timer(e.task);
        break;
      case EventKind::kDeadline:
        on_worker_ = single_worker();
        pass_deadline(e.task);
        break;
      case EventKind::kPause: {
        spend(FaultKind::kPause);
        const std::size_t f = index(e.task);
        set_bit(s_.paused, f, true);
        say("environment sets ", future_name(f), "'s pause flag", already_owns(task_at(sc_.futures[f].task)));
        break;
      }
      case EventKind::kResume:
        spend(FaultKind::kResume);
        resume(index(e.task), "environment resumes ");
        break;
      case EventKind::kDrop:
        spend(FaultKind::kDrop);
        say("environment drops ", name(e.task), "'s future");
        drop_future(e.task, TaskStatus::kDropped);
        break;
      case EventKind::kCoopYield:
        spend(FaultKind::kCoopYield);
        s_.task(e.task).coop_exhausted = 1;
        say("environment: ", name(e.task), "'s coop budget (128 units) is spent before its next acquire");
        break;
      case EventKind::kSpuriousWake:
        spend(FaultKind::kSpuriousWake);
        say("environment wakes ", name(e.task), " for no reason -> ", issue_wake(e.task));
        break;
    }
  }

 private:
  // --- narration -------------------------------------------------------------------------------

  /// Narration: a string when the step narrates, Silent when it does not.
  using Text = std::conditional_t<kNarrate, std::string, Silent>;
  template <class... Parts>
  static Text text(const Parts&... parts) {
    if constexpr (kNarrate) {
      std::string out;
      ((out += parts), ...);
      return out;
    } else {
      return {};
    }
  }

  template <class... Parts>
  void say(const Parts&... parts) {
    if constexpr (kNarrate) {
      std::string line = prefix_;
      ((line += parts), ...);
      lines_->push_back(std::move(line));
    }
  }
  const std::string& name(TaskId t) const { return sc_.task(t).name; }
  const std::string& name(ResourceId r) const { return sc_.resource(r).name; }
  const std::string& future_name(std::size_t f) const { return sc_.futures[f].name; }
  bool multi() const { return sc_.flavor == Flavor::kMultiThread; }
  bool single_worker() const { return multi() && sc_.worker_threads == 1; }

  /// The resource whose permit t's pending lock future owns (assigned, not yet polled), if any.
  std::optional<std::string> owned_permit(TaskId t) const {
    if constexpr (kNarrate) {
      for (std::size_t r = 0; r < sc_.resources.size(); ++r) {
        if (semaphore_based(sc_.resources[r].kind) && s_.semaphores[r].fully_assigned(waiter_of(t))) {
          return sc_.resources[r].name;
        }
      }
    }
    return std::nullopt;
  }
  /// " (its lock future already owns m's permit)", or "".
  Text already_owns(TaskId t) const {
    const auto r = owned_permit(t);
    return r ? text(" (its lock future already owns ", *r, "'s permit)") : Text{};
  }

  // --- scheduling (runtime/task/state.rs, runtime/scheduler/current_thread.rs) -----------------

  /// Puts a task in the run queue. main, the block_on future, never goes there: being
  /// scheduled is its woken flag (TaskStatus::kScheduled), read at the top of the loop.
  void enqueue(TaskId t) {
    if (t == kMainTask || s_.run_queue.contains(t)) return;
    if (single_worker()) {
      // worker.rs `schedule_task(task, is_yield = false)`: on the worker (a task's poll, or the
      // worker's park: deferred wakes, timers) into the LIFO slot, whose previous task moves to
      // the back of the local queue; from another thread (main's) into the inject queue.
      if (s_.inject.contains(t) || s_.lifo == index(t) + 1) return;
      if (on_worker_) {
        if (s_.lifo != 0) s_.run_queue.push_back(task_at(s_.lifo - 1U));
        s_.lifo = static_cast<std::uint8_t>(index(t) + 1);
      } else {
        s_.inject.push_back(t);
      }
      return;
    }
    if (multi()) {
      s_.run_queue.insert_sorted(t);
    } else {
      s_.run_queue.push_back(t);
    }
  }

  /// `Waker::wake` on a task: tokio's `transition_to_notified_by_val`. An idle task is scheduled
  /// (here: a wake is issued, and takes its place in the run queue, to be delivered as its own
  /// event); a task already notified, or finished, is left alone (wakes coalesce).
  Text issue_wake(TaskId t) {
    TaskState& ts = s_.task(t);
    if (!ts.live()) return text("wake ", name(t), " ignored (", name(t), " has finished)");
    if (sc_.is_child(t)) return wake_child(t);
    if (ts.blocked != 0) {
      if (ts.blocked == index(t) + 1) {
        ts.block_woken = 1;
        return text("wake ", name(t), " issued to its thread, blocked in block_on");
      }
      return text("wake ", name(t), " noted (its thread is blocked in block_in_place; it is polled again after)");
    }
    if (ts.status == TaskStatus::kScheduled || ts.wake_pending) {
      return text("wake ", name(t), " coalesced (already scheduled)");
    }
    if (single_worker()) {
      // Scheduled at once (the wake's place is decided by the thread that issues it); a running
      // task is NOTIFIED and goes to the back of the local queue after its poll (is_yield).
      if (running_ == t) {
        renotified_ = true;
        return text("wake ", name(t), " while it runs: re-queued after this poll");
      }
      ts.status = TaskStatus::kScheduled;
      enqueue(t);
      if (t == kMainTask) return text("wake main (its thread is unparked)");
      return text("wake ", name(t), s_.lifo == index(t) + 1 ? " -> into the worker's LIFO slot" : " -> into the inject queue");
    }
    ts.wake_pending = 1;
    enqueue(t);
    return text("wake ", name(t), " issued");
  }

  /// A child future's waker: FuturesUnordered puts the child in its ready-to-run queue and wakes
  /// the task (futures-util stream/futures_unordered/task.rs `wake_by_ref`); join! and select_all
  /// hand the task's own waker down. A child blocking its task's thread (block_in_place) is woken
  /// by the thread's block_on waker instead.
  Text wake_child(TaskId c) {
    const TaskId p = sc_.runner(c);
    TaskState& ps = s_.task(p);
    if (ps.blocked == index(c) + 1) {
      ps.block_woken = 1;
      return text("wake ", name(c), " issued to the thread blocked in its block_on");
    }
    const bool into_set = sc_.tasks[index(c)].combinator == OpKind::kNextChild && !s_.ready_children.contains(c);
    if (into_set) s_.ready_children.push_back(c);
    return text("wake ", name(c), into_set ? " (into its set's ready queue) -> " : " -> ", issue_wake(p));
  }

  void deliver_wake(TaskId t) {
    TaskState& ts = s_.task(t);
    ts.wake_pending = 0;
    ts.status = TaskStatus::kScheduled;
    if (t == kMainTask) {
      say("main's woken flag set");
    } else if (multi()) {
      say("scheduled");
    } else {
      say("scheduled (run queue position ", std::to_string(*s_.run_queue.find(t) + 1), ")");
    }
  }

  void park() {
    // current_thread.rs `CoreGuard::block_on`: with no task to run, the thread parks
    // (park_yield when the defer list is non-empty), waking the deferred wakers in FIFO order
    // (1.24.2), then returns to the top of the loop, where a woken main is polled. After 61 polls
    // it does the same (park_yield) with tasks still queued.
    const bool batch_end = !s_.run_queue.empty();
    Text woken;
    for (TaskId t : s_.deferred) woken += text(woken.empty() ? "" : ", ", name(t));
    const SmallList<TaskId, kMaxTasks> deferred = s_.deferred;
    s_.deferred.clear();
    if (sc_.version == TokioVersion::k1_24) {
      for (TaskId t : deferred) (void)issue_wake(t);
    } else {
      // Since 1.29 the scheduler pops deferred wakers LIFO.
      for (std::size_t i = deferred.size(); i > 0; --i) (void)issue_wake(deferred[i - 1]);
    }
    s_.phase = Phase::kTop;
    s_.ticks = 0;
    if (batch_end) {
      say(std::to_string(sc_.event_interval), " polls since the top of the loop: park_yield",
          woken.empty() ? Text{} : text("; deferred wakes of ", woken, " issued"));
    } else if (woken.empty()) {
      say("run queue empty: back to the top of the scheduler loop");
    } else {
      say("run queue empty: deferred wakes of ", woken, " issued");
    }
  }

  void fire_timer(TaskId t) {
    // time/driver: the sleep's entry fires and wakes its task. Timers fire only when the runtime
    // would otherwise park (sleeps are long next to the work between them).
    s_.task(t).timer = 2;
    say("sleep of ", name(t), " elapsed", schedule_from_driver(t));
  }

  void pass_deadline(TaskId t) {
    s_.task(t).deadline = 2;
    say("the deadline of ", name(t), "'s timeout passed", schedule_from_driver(t));
  }

  /// The time driver wakes a task while the runtime parks; then the loop starts at its top. A
  /// branch's or a blocked thread's timer goes through its waker.
  Text schedule_from_driver(TaskId t) {
    TaskState& ts = s_.task(t);
    Text told;
    if (sc_.is_child(t) || ts.blocked != 0) {
      told = text(" -> ", issue_wake(t));
    } else {
      if (ts.status == TaskStatus::kIdle) {
        ts.wake_pending = 0;
        ts.status = TaskStatus::kScheduled;
        enqueue(t);
      }
      told = text("; ", name(t), " scheduled");
    }
    if (!multi()) {
      s_.phase = Phase::kTop;
      s_.ticks = 0;
    }
    return told;
  }

  void spend(FaultKind kind) { --s_.faults_left[static_cast<std::size_t>(kind)]; }

  void set_bit(std::uint16_t& bits, std::size_t f, bool on) {
    bits = static_cast<std::uint16_t>(on ? (bits | (1U << f)) : (bits & ~(1U << f)));
  }

  void resume(std::size_t f, const char* who) {
    set_bit(s_.paused, f, false);
    const TaskId t = task_at(sc_.futures[f].task);
    if (s_.task(t).live()) {
      say(who, future_name(f), " (stop flag cleared) -> ", issue_wake(t));
    } else {
      say(who, future_name(f), " (stop flag cleared)");
    }
  }

  // --- polls -----------------------------------------------------------------------------------

  void poll(TaskId t) {
    TaskState& ts = s_.task(t);
    if (ts.blocked != 0) {
      poll_blocked(t);
      return;
    }
    if (t != kMainTask) s_.run_queue.erase(t);
    if (!multi()) {
      s_.phase = Phase::kLoop;
      if (t != kMainTask) ++s_.ticks;
    }
    const bool worker = single_worker() && t != kMainTask;
    if (worker) take_from_worker_queues(t);
    ts.status = TaskStatus::kIdle;  // RUNNING; the poll's outcome decides what follows
    running_ = t;
    on_worker_ = worker;
    poll_future(t);
    const std::uint8_t spent = coop_spent_;
    if (renotified_ && ts.live() && ts.status == TaskStatus::kIdle) {
      // harness.rs: transition_to_idle finds NOTIFIED: yield_now(task) -> the local queue's back.
      ts.status = TaskStatus::kScheduled;
      if (t != kMainTask) s_.run_queue.push_back(t);
    }
    if (worker && s_.lifo != 0) {
      // worker.rs run_task: the slot's task runs next in the same run while the budget lasts;
      // with the budget spent it goes to the back of the local queue.
      if (spent >= kCoopBudget) {
        s_.run_queue.push_back(task_at(s_.lifo - 1U));
        say("the coop budget of this run is spent: ", name(task_at(s_.lifo - 1U)),
            " moves from the LIFO slot to the local queue");
        s_.lifo = 0;
      } else {
        s_.worker_flags = static_cast<std::uint8_t>(s_.worker_flags | kLifoChain);
        s_.chain_spent = spent;
      }
    }
  }

  /// One turn of the worker loop (worker.rs Context::run): `tick`, maintenance every
  /// event_interval ticks, then `next_task`; a task taken from the LIFO slot right after a poll
  /// continues that run instead (no tick, the same coop budget).
  void take_from_worker_queues(TaskId t) {
    if ((s_.worker_flags & kLifoChain) != 0) {
      s_.worker_flags = static_cast<std::uint8_t>(s_.worker_flags & ~kLifoChain);
      s_.lifo = 0;
      coop_spent_ = s_.chain_spent;
      s_.chain_spent = 0;
      say("from the worker's LIFO slot, in the same run (coop budget shared)");
      return;
    }
    if ((s_.worker_flags & kTickCounted) != 0) {
      s_.worker_flags = static_cast<std::uint8_t>(s_.worker_flags & ~kTickCounted);
    } else {
      worker_tick();
    }
    if (s_.lifo == index(t) + 1) {
      s_.lifo = 0;
      say("from the worker's LIFO slot");
    } else if (s_.inject.erase(t)) {
      say(s_.ticks == 0 ? "from the inject queue (every 61st tick it comes first)" : "from the inject queue");
    }
  }

  void worker_tick() {
    s_.ticks = static_cast<std::uint8_t>((s_.ticks + 1U) % kGlobalQueueInterval);
    s_.maint_ticks = static_cast<std::uint8_t>((s_.maint_ticks + 1U) % sc_.event_interval);
  }

  /// The worker has nothing to run: it parks; deferred wakes (yield_now) are woken first, FIFO in
  /// 1.24.2, each scheduled on the worker (into its LIFO slot).
  void worker_park() {
    on_worker_ = true;
    // A new turn of the loop; its maintenance (every event_interval ticks) or, with nothing to
    // run, its park: park_timeout(0) wakes the deferred tasks.
    const bool runnable = s_.lifo != 0 || !s_.run_queue.empty() || !s_.inject.empty();
    worker_tick();
    if (runnable) s_.worker_flags = static_cast<std::uint8_t>(s_.worker_flags | kTickCounted);
    const SmallList<TaskId, kMaxTasks> deferred = s_.deferred;
    s_.deferred.clear();
    Text told = runnable ? text("the worker's maintenance (every ", std::to_string(sc_.event_interval),
                                " ticks): park_timeout(0) wakes the deferred")
                         : text("the worker has nothing to run: park_timeout(0) wakes the deferred");
    if (sc_.version == TokioVersion::k1_24) {
      for (TaskId t : deferred) told += text("; ", issue_wake(t));
    } else {
      for (std::size_t i = deferred.size(); i > 0; --i) told += text("; ", issue_wake(deferred[i - 1]));
    }
    say(told);
  }

  /// The thread of `t` is blocked in block_in_place's block_on, which was woken: it polls the
  /// blocking future again. When that finishes, the closure returns and the task is polled anew
  /// (here: woken), so its other futures run again.
  void poll_blocked(TaskId t) {
    TaskState& ts = s_.task(t);
    ts.block_woken = 0;
    const TaskId x = task_at(ts.blocked - 1U);
    if (x == t) {
      say("block_on polls ", name(t), "'s future again");
      run_program(t);
      return;
    }
    say("block_on polls ", name(x), " again");
    poll_child(x);
    if (ts.blocked == 0 && ts.live()) say("block_in_place returned -> ", issue_wake(t));
  }

  /// A combinator polls child future `c` of the running task.
  void poll_child(TaskId c) {
    s_.ready_children.erase(c);
    const Text saved = prefix_;
    prefix_ = text(name(c), ": ");
    poll_future(c);
    prefix_ = saved;
  }

  /// Polls `t`'s future (a task's, or a child's): through its wrappers, then its program.
  void poll_future(TaskId t) {
    TaskState& ts = s_.task(t);

    if (ts.cancel_requested) {
      // runtime/task/harness.rs: a CANCELLED task's future is dropped instead of polled.
      say("cancelled: the future is dropped instead of polled (JoinError::Cancelled)");
      drop_future(t, TaskStatus::kCancelled);
      return;
    }
    const std::size_t own = index(t);
    if (paused_here(own)) {
      paused_poll(own, ts.inflight != 0 || ts.region != 0);
      if (sc_.futures[own].wrapper == Wrapper::kDropOnPause) drop_future(t, TaskStatus::kDropped);
      return;
    }
    if (ts.region != 0) {
      const std::size_t nested = ts.region - 1U;
      if (paused_here(nested)) {
        paused_poll(nested, ts.inflight != 0);
        if (sc_.futures[nested].wrapper == Wrapper::kPausable) return;
        cancel_nested(t);  // drop_on_pause: the nested future is dropped; the task goes on
      }
    }
    run_program(t);
  }

  /// Future `f` is paused and its wrapper reads the flag. Only pausable and drop_on_pause do:
  /// finish_item lets the in-flight item (here the whole inner future) finish first, and none
  /// and timeout have no flag to read.
  bool paused_here(std::size_t f) const {
    const Wrapper w = sc_.futures[f].wrapper;
    return s_.is_paused(f) && (w == Wrapper::kPausable || w == Wrapper::kDropOnPause);
  }

  /// The wrapper of future `f` is polled with its pause flag set. Pausable: Pending without
  /// polling the inner future (the seed's PausableFuture::poll). Drop-on-pause: the caller drops
  /// the inner future.
  void paused_poll(std::size_t f, bool inner_started) {
    if (sc_.futures[f].wrapper == Wrapper::kPausable) {
      if (inner_started) {
        set_bit(s_.swallowed, f, true);
        const auto owned = owned_permit(task_at(sc_.futures[f].task));
        say("swallowed: ", future_name(f), " is paused, inner future not polled",
            owned ? text("; its lock future owns ", *owned, "'s permit, which is stranded") : Text{});
      } else {
        say("swallowed: ", future_name(f), " is paused, inner future not polled (it had not started)");
      }
      return;
    }
    say("paused: the wrapper of ", future_name(f), " drops its inner future");
  }

  void run_program(TaskId t) {
    TaskState& ts = s_.task(t);
    const auto& program = sc_.task(t).program;
    std::size_t steps = 0;
    // Polling the inner future discharges what its wrappers owed to earlier wakes.
    for (std::size_t f = 0; f < sc_.futures.size(); ++f) {
      if (sc_.futures[f].task == index(t) && (f == index(t) || f + 1 == ts.region)) {
        set_bit(s_.swallowed, f, false);
      }
    }
    while (ts.pc < program.size()) {
      if (++steps > kMaxStepsPerPoll) {
        fail(t, Failure::kBusyLoop);
        return;
      }
      const Op op = program[ts.pc];
      switch (run_op(t, op)) {
        case Flow::kNext:
          ts.inflight = 0;
          ++ts.pc;
          break;
        case Flow::kJumped: ts.inflight = 0; break;
        case Flow::kPending:
          // time/timeout.rs: the inner future is polled first; still pending after the
          // deadline, it is dropped and the timeout returns Elapsed.
          if (ts.region != 0 && ts.deadline == 2 && sc_.futures[ts.region - 1U].wrapper == Wrapper::kTimeout) {
            say("timeout of ", future_name(ts.region - 1U), " elapsed: the inner future is dropped");
            cancel_nested(t);
            continue;
          }
          if (holds_std_mutex(t)) fail(t, Failure::kStdMutexAcrossAwait);
          return;
        case Flow::kStop: return;
      }
    }
    say("finished");
    drop_future(t, TaskStatus::kComplete);  // core.rs: the output is stored, the future dropped
  }

  bool holds_std_mutex(TaskId t) const {
    for (std::size_t r = 0; r < sc_.resources.size(); ++r) {
      if (sc_.resources[r].kind == ResourceKind::kStdMutex && s_.std_owner[r] == index(t) + 1) return true;
    }
    return false;
  }

  void fail(TaskId t, Failure failure) {
    say("model error: ", failure_text(failure));
    drop_future(t, TaskStatus::kFailed);
    s_.task(t).failure = failure;
  }

  Text value_text(std::int32_t value, std::size_t variable) const {
    if (sc_.variables[variable].boolean) return text(value != 0 ? "true" : "false");
    return text(std::to_string(value));
  }

  Text variable_name(std::size_t v) const {
    const auto& spec = sc_.variables[v];
    return spec.task ? text(sc_.tasks[*spec.task].name, ".", spec.name) : text(spec.name);
  }

  /// Runs one operation of `t`'s program (or of its on_drop handler).
  Flow run_op(TaskId t, const Op& op) {
    TaskState& ts = s_.task(t);
    const auto r = resource_at(op.a);
    const auto other = task_at(op.a);
    switch (op.kind) {
      case OpKind::kLock:
        if (sc_.resource(r).kind == ResourceKind::kBargingMutex) return barging_lock(t, r);
        return lock(t, r, permits_of(op, t));
      case OpKind::kUnlock: {
        if (sc_.resource(r).kind == ResourceKind::kBargingMutex) {
          say("unlock ", name(r), " -> ", barging_unlock(t, r));
          return Flow::kNext;
        }
        const std::uint8_t n = std::min(permits_of(op, t), ts.held[index(r)]);
        if (n == 0) {
          say("unlock ", name(r), " -> no guard held (nothing to release)");
          return Flow::kNext;
        }
        take_held(ts, r, n);
        say("unlock ", name(r), " -> ", release(r, n));
        return Flow::kNext;
      }
      case OpKind::kTryLock: {
        // mutex.rs `try_lock` = `try_acquire(1)` (rwlock: try_read 1, try_write all): no queue,
        // no coop.
        const std::uint8_t n = permits_of(op, t);
        bool ok = false;
        if (sc_.resource(r).kind == ResourceKind::kBargingMutex) {
          ok = s_.std_owner[index(r)] == 0;
          if (ok) s_.std_owner[index(r)] = static_cast<std::uint8_t>(index(t) + 1);
        } else {
          ok = s_.semaphore(r).try_acquire(n);
          if (ok) add_held(ts, r, n);
        }
        if (op.b != 0) s_.vars[op.b - 1U] = ok ? 1 : 0;
        say(op_word(op), " ", name(r), ok ? " -> Ok (guard)" : " -> Err (no permit available)",
            op.b != 0 ? text("; ", variable_name(op.b - 1U), " = ", ok ? "true" : "false") : Text{});
        return Flow::kNext;
      }
      case OpKind::kAddPermits: {
        say("add_permits ", name(r), " ", std::to_string(op.b), " -> ", release(r, op.b));
        return Flow::kNext;
      }
      case OpKind::kForget: {
        const std::uint8_t n = std::min(op.b, ts.held[index(r)]);
        take_held(ts, r, n);
        say("forget ", std::to_string(n), " permit", n == 1 ? "" : "s", " of ", name(r), " (they leave for good)");
        return Flow::kNext;
      }
      case OpKind::kClose: {
        WakeList wakes;
        s_.semaphore(r).close(wakes);
        Text told = text("close ", name(r), " -> closed");
        for (WaiterId w : wakes) told += text("; ", issue_wake(wakee(w)));
        say(told);
        return Flow::kNext;
      }
      case OpKind::kSend: return send(t, r);
      case OpKind::kGetOrInit: return get_or_init(t, r);
      case OpKind::kSelect: return select(t, op);
      case OpKind::kDropKept: {
        say("drop_kept -> ", drop_kept(t));
        return Flow::kNext;
      }
      case OpKind::kRecv: return recv(t, r);
      case OpKind::kJoinAll: return join_all(t, op);
      case OpKind::kHandLock: return hand_lock(t, op);
      case OpKind::kAwaitHanded: return await_handed(t, r);
      case OpKind::kStartSet: {
        start_children(op);
        say("the set is created with ", child_names(op, true), refill_note(op));
        return Flow::kNext;
      }
      case OpKind::kNextChild: return next_child(t, op);
      case OpKind::kSelectAll: return select_all(t, op);
      case OpKind::kBlockBegin: {
        s_.task(sc_.runner(t)).blocked = static_cast<std::uint8_t>(index(t) + 1);
        say("block_in_place: the thread leaves the scheduler and runs only this future (block_on)",
            sc_.is_child(t) ? text("; ", name(sc_.runner(t)), "'s other futures are not polled meanwhile") : Text{});
        return Flow::kNext;
      }
      case OpKind::kBlockEnd: {
        TaskState& rs = s_.task(sc_.runner(t));
        rs.blocked = 0;
        rs.block_woken = 0;
        say("block_on finished: block_in_place returns");
        return Flow::kNext;
      }
      case OpKind::kSleep: {
        if (!ts.inflight) {
          ts.inflight = 1;
          ts.timer = 1;
          say("sleep -> pending (timer registered)");
          return Flow::kPending;
        }
        if (ts.timer == 2) {
          ts.timer = 0;
          say("sleep -> elapsed");
          return Flow::kNext;
        }
        say("sleep -> still pending");
        return Flow::kPending;
      }
      case OpKind::kYieldNow: {
        // task/yield_now.rs: the first poll defers the wake (context::defer) and returns
        // Pending; the next poll is Ready. multi_thread: any order is possible, so the wake is
        // issued at once.
        if (!ts.inflight) {
          ts.inflight = 1;
          if ((multi() && !single_worker()) || (single_worker() && sc_.runner(t) == kMainTask)) {
            // park.rs CachedParkThread::block_on wakes its deferred wakers right after the poll.
            (void)issue_wake(t);
          } else {
            defer_wake(t);
          }
          say("yield_now -> pending (wake deferred)");
          return Flow::kPending;
        }
        say("yield_now -> ready");
        return Flow::kNext;
      }
      case OpKind::kSpawn: {
        // task/spawn.rs: a new task starts NOTIFIED and is scheduled at once.
        TaskState& child = s_.task(other);
        if (child.status != TaskStatus::kNotSpawned) {
          say("spawn ", name(other), " -> already spawned (no effect)");
          return Flow::kNext;
        }
        child.status = TaskStatus::kScheduled;
        enqueue(other);
        say("spawn ", name(other));
        return Flow::kNext;
      }
      case OpKind::kJoin: {
        const TaskState& joined = s_.task(other);
        if (coop_yield(t, text("join ", name(other)))) {
          ts.inflight = 1;
          return Flow::kPending;
        }
        if (joined.finished()) {
          coop_spend();
          say("join ", name(other), " -> ready (", name(other), " ", finished_word(joined.status), ")");
          return Flow::kNext;
        }
        if (!ts.inflight) say("join ", name(other), " -> pending");
        ts.inflight = 1;
        return Flow::kPending;
      }
      case OpKind::kNotified: return notified(t, r);
      case OpKind::kCreateNotified: {
        s_.notifies[index(r)].created[index(t)] = 1;
        say("create_notified ", name(r), " -> a Notified future (not polled: it only notes the notify_waiters count)");
        return Flow::kNext;
      }
      case OpKind::kNotifyOne: {
        say("notify_one ", name(r), " -> ", notify_one(r));
        return Flow::kNext;
      }
      case OpKind::kNotifyWaiters: {
        say("notify_waiters ", name(r), " -> ", notify_waiters(r));
        return Flow::kNext;
      }
      case OpKind::kStdLock: {
        std::uint8_t& owner = s_.std_owner[index(r)];
        if (owner == index(t) + 1) {
          fail(t, Failure::kStdMutexRelock);
          return Flow::kStop;
        }
        // With polls atomic and no std guard held across an await, the mutex is always free
        // when another task asks for it.
        owner = static_cast<std::uint8_t>(index(t) + 1);
        say("std_lock ", name(r), " -> locked");
        return Flow::kNext;
      }
      case OpKind::kStdUnlock: {
        std::uint8_t& owner = s_.std_owner[index(r)];
        if (owner != index(t) + 1) {
          say("std_unlock ", name(r), " -> not held (no effect)");
        } else {
          owner = 0;
          say("std_unlock ", name(r));
        }
        return Flow::kNext;
      }
      case OpKind::kPause: {
        set_bit(s_.paused, op.a, true);
        say("pause ", future_name(op.a), " (stop flag set)", already_owns(task_at(sc_.futures[op.a].task)));
        return Flow::kNext;
      }
      case OpKind::kResume: {
        resume(op.a, "resume ");
        return Flow::kNext;
      }
      case OpKind::kDrop: {
        if (!s_.task(other).live()) {
          say("drop ", name(other), " -> no effect (not running)");
          return Flow::kNext;
        }
        say("drop ", name(other), "'s future");
        drop_future(other, TaskStatus::kDropped);
        return other == t ? Flow::kStop : Flow::kNext;
      }
      case OpKind::kAbort: {
        // task/join.rs `abort` -> state.rs `transition_to_notified_and_cancel`.
        TaskState& target = s_.task(other);
        if (!target.live()) {
          say("abort ", name(other), " -> no effect (not running)");
          return Flow::kNext;
        }
        target.cancel_requested = 1;
        if (target.status == TaskStatus::kIdle && !target.wake_pending && other != t) {
          target.status = TaskStatus::kScheduled;
          enqueue(other);
          say("abort ", name(other), " -> cancel requested; ", name(other), " scheduled");
        } else {
          say("abort ", name(other), " -> cancel requested");
        }
        return Flow::kNext;
      }
      case OpKind::kAssign: {
        const std::int32_t value = eval(sc_.exprs[op.b], sc_, s_, index(t));
        const auto& spec = sc_.variables[op.a];
        if (value < spec.min || value > spec.max) {
          say(variable_name(op.a), " = ", std::to_string(value), " -> outside ", std::to_string(spec.min),
              "..", std::to_string(spec.max));
          fail(t, Failure::kOutOfRange);
          return Flow::kStop;
        }
        s_.vars[op.a] = static_cast<std::int16_t>(value);
        say(variable_name(op.a), " = ", value_text(value, op.a));
        return Flow::kNext;
      }
      case OpKind::kJumpUnless: {
        const bool value = eval(sc_.exprs[op.a], sc_, s_, index(t)) != 0;
        if constexpr (kNarrate) {
          if (!in_handler_) say("test ", sc_.exprs[op.a].text, " -> ", value ? "true" : "false");
        }
        if (value) return Flow::kNext;
        ts.pc = op.b;
        return Flow::kJumped;
      }
      case OpKind::kJump: ts.pc = op.b; return Flow::kJumped;
      case OpKind::kReturn: {
        say("return");
        say("finished");
        drop_future(t, TaskStatus::kComplete);
        return Flow::kStop;
      }
      case OpKind::kGuardBegin:
        ts.guard = static_cast<std::uint8_t>(op.a + 1U);
        ts.guard_in_region = ts.region != 0 ? 1 : 0;
        return Flow::kNext;
      case OpKind::kGuardEnd:
        ts.guard = 0;
        ts.guard_in_region = 0;
        return Flow::kNext;
      case OpKind::kWrapBegin: {
        ts.region = static_cast<std::uint8_t>(op.a + 1U);
        const Wrapper w = sc_.futures[op.a].wrapper;
        if (w == Wrapper::kTimeout) {
          ts.deadline = 1;
          say("timeout around ", future_name(op.a), " starts (deadline set)");
          return Flow::kNext;
        }
        if (!paused_here(op.a)) return Flow::kNext;
        // Paused before it started: pausable returns Pending at once; drop_on_pause cancels it.
        if (sc_.futures[op.a].wrapper == Wrapper::kPausable) {
          say("swallowed: ", future_name(op.a), " is paused, inner future not polled (it had not started)");
          ++ts.pc;
          return Flow::kPending;
        }
        say("paused: the wrapper of ", future_name(op.a), " drops its inner future before it starts");
        cancel_nested(t);
        return Flow::kJumped;
      }
      case OpKind::kWrapEnd:
        ts.region = 0;
        ts.deadline = 0;
        ts.region_held = {};
        set_bit(s_.swallowed, op.a, false);
        return Flow::kNext;
    }
    return Flow::kNext;
  }

  static const char* finished_word(TaskStatus status) {
    switch (status) {
      case TaskStatus::kComplete: return "finished";
      case TaskStatus::kCancelled: return "was cancelled";
      case TaskStatus::kDropped: return "was dropped";
      case TaskStatus::kFailed: return "failed";
      default: return "is running";
    }
  }

  /// Permits an operation takes or gives: explicit, or the kind's usual (a rwlock's unlock
  /// gives back what the task holds: all of them for a writer, one for a reader).
  std::uint8_t permits_of(const Op& op, TaskId t) const {
    if (op.c != 0) return op.c;
    const auto& spec = sc_.resource(resource_at(op.a));
    if (spec.kind == ResourceKind::kRwLock && op.kind == OpKind::kUnlock) {
      return s_.task(t).held[op.a] >= spec.permits ? spec.permits : 1;
    }
    return 1;
  }
  const char* op_word(const Op& op) const {
    const auto kind = sc_.resource(resource_at(op.a)).kind;
    const bool all = op.c > 1 && op.c == sc_.resource(resource_at(op.a)).permits;
    if (kind == ResourceKind::kRwLock) {
      if (op.kind == OpKind::kTryLock) return all ? "try_write" : "try_read";
      return all ? "write" : "read";
    }
    if (kind == ResourceKind::kSemaphore) {
      if (op.kind == OpKind::kTryLock) return op.c > 1 ? "try_acquire_many" : "try_acquire";
      return op.c > 1 ? "acquire_many" : "acquire";
    }
    return to_string(op.kind);
  }
  void add_held(TaskState& ts, ResourceId r, std::uint8_t n) {
    ts.held[index(r)] = static_cast<std::uint8_t>(ts.held[index(r)] + n);
    if (ts.region != 0) ts.region_held[index(r)] = static_cast<std::uint8_t>(ts.region_held[index(r)] + n);
  }
  void take_held(TaskState& ts, ResourceId r, std::uint8_t n) {
    ts.held[index(r)] = static_cast<std::uint8_t>(ts.held[index(r)] - n);
    ts.region_held[index(r)] = static_cast<std::uint8_t>(ts.region_held[index(r)] - std::min(n, ts.region_held[index(r)]));
  }

  /// coop.rs `poll_proceed` at the start of `Acquire::poll`: with the budget spent, the task
  /// wakes itself and the acquire returns Pending without touching the semaphore (a permit
  /// already assigned stays assigned: S22).
  bool coop_yield(TaskId t, const Text& what) {
    TaskState& ts = s_.task(t);
    if (ts.coop_exhausted) {
      ts.coop_exhausted = 0;
      say(what, " -> Pending: coop budget spent, the semaphore is not touched; ", coop_wake(t));
      return true;
    }
    if (coop_spent_ < kCoopBudget) return false;
    say(what, " -> Pending: this poll spent the coop budget (", std::to_string(kCoopBudget), " units); ",
        coop_wake(t));
    return true;
  }

  /// The self-wake of an operation refused by coop: at once in 1.24.2 (the running task goes to
  /// the back of the queue); deferred since 1.44 (#7185), so it resumes after the queue drains.
  Text coop_wake(TaskId t) {
    if (sc_.version == TokioVersion::k1_24 || multi()) return issue_wake(t);
    defer_wake(t);
    return text("wake deferred");
  }

  /// context::defer: the waker joins the defer list. A second entry for the same task would only
  /// coalesce when woken, so one entry stands for both: the first in 1.24.2 (woken FIFO), the
  /// last since 1.29 (woken LIFO).
  void defer_wake(TaskId t) {
    if (s_.deferred.contains(t)) {
      if (sc_.version == TokioVersion::k1_24) return;
      s_.deferred.erase(t);
    }
    s_.deferred.push_back(t);
  }

  /// An operation that passed coop's gate and finished spends one unit of the poll's budget
  /// (a task and its branches share it).
  void coop_spend() {
    if (coop_spent_ < kCoopBudget) ++coop_spent_;
  }

  Flow lock(TaskId t, ResourceId r, std::uint8_t n) {
    // mutex.rs `lock`, semaphore.rs `acquire_many`, rwlock.rs `read`/`write` ->
    // batch_semaphore.rs `Acquire::poll` for n permits.
    TaskState& ts = s_.task(t);
    const Text word = text(op_word(sc_.task(t).program[ts.pc]), " ", name(r));
    if (coop_yield(t, word)) return Flow::kPending;
    Semaphore& sem = s_.semaphore(r);
    const auto w = waiter_of(t);
    const bool was_queued = sem.node(w).queued != 0;
    const std::size_t ahead = sem.queue().size();
    const std::uint8_t before = sem.available();
    switch (sem.poll_acquire(w, n)) {
      case Semaphore::Poll::kReady:
        add_held(ts, r, n);
        coop_spend();
        say(word, !was_queued ? " -> acquired"
                  : n == 1    ? " -> acquired (the permit was assigned to it by a release)"
                              : " -> acquired (the permits were assigned to it by releases)");
        return Flow::kNext;
      case Semaphore::Poll::kClosed: {
        // Err(Closed): the Acquire is dropped, giving back anything assigned before the close.
        say(word, " -> Err(Closed)", drop_node(r, w));
        return Flow::kNext;
      }
      case Semaphore::Poll::kPending: break;
    }
    ts.inflight = 1;
    if (was_queued) {
      say(word, " -> still waiting");
    } else if (ahead == 0) {
      say(word, " -> pending: queued as the only waiter",
          before > 0 ? text(" (took the ", std::to_string(before), " available, needs ",
                            std::to_string(sem.node(w).need), " more)")
                     : text(n == 1 ? " (the permit is taken)" : " (no permit available)"));
    } else {
      say(word, " -> pending: queued behind ", ordinal_waiters(ahead));
    }
    return Flow::kPending;
  }

  // --- a lock future moved between tasks (S21) --------------------------------------------------
  // The node stays the first task's (waiter_of(x)); the receiver's first poll stores its own
  // waker in it (batch_semaphore.rs Acquire::poll: `will_wake` fails, the waker is replaced), so
  // later releases wake the receiver, never the task that created the future.

  /// The task a wake of node `w` reaches: the node's owner, or the task it was handed to.
  TaskId wakee(WaiterId w) const {
    const TaskId t = task_of(w);
    if (!is_kept(w) && s_.task(t).handed_to != 0) return task_at(s_.task(t).handed_to - 1U);
    return t;
  }

  Flow hand_lock(TaskId t, const Op& op) {
    const auto r = resource_at(op.a);
    const auto to = task_at(op.b);
    Text told = text("hand_lock ", name(r), " to ", name(to));
    switch (s_.semaphore(r).poll_acquire(waiter_of(t), 1)) {
      case Semaphore::Poll::kReady:
        s_.task(to).held[index(r)] = static_cast<std::uint8_t>(s_.task(to).held[index(r)] + 1);
        told += text(" -> the first poll acquired it: the finished future (its guard) goes to ", name(to));
        break;
      case Semaphore::Poll::kClosed: told += text(" -> Err(Closed)"); break;
      case Semaphore::Poll::kPending:
        told += text(" -> polled once: queued with ", name(t), "'s waker; the future moves to ", name(to));
        break;
    }
    s_.task(to).received = static_cast<std::uint8_t>(index(t) + 1);
    const TaskState& ts = s_.task(to);
    if (ts.live() && ts.inflight) told += text("; ", issue_wake(to));
    say(told);
    return Flow::kNext;
  }

  Flow await_handed(TaskId t, ResourceId r) {
    TaskState& ts = s_.task(t);
    if (ts.received == 0) {
      if (!ts.inflight) say("await_lock ", name(r), " -> pending: no lock future received yet");
      ts.inflight = 1;
      return Flow::kPending;
    }
    const TaskId from = task_at(ts.received - 1U);
    const auto w = waiter_of(from);
    Semaphore& sem = s_.semaphore(r);
    if (!sem.node(w).queued) {
      ts.received = 0;
      say("await_lock ", name(r), " -> ready (the future had acquired at its first poll)");
      return Flow::kNext;
    }
    const bool replaced = s_.task(from).handed_to == 0;
    s_.task(from).handed_to = static_cast<std::uint8_t>(index(t) + 1);
    switch (sem.poll_acquire(w, 1)) {
      case Semaphore::Poll::kReady:
        add_held(ts, r, 1);
        ts.received = 0;
        s_.task(from).handed_to = 0;
        say("await_lock ", name(r), " -> acquired (the permit was assigned to the future ", name(from), " created)");
        return Flow::kNext;
      case Semaphore::Poll::kClosed:
        ts.received = 0;
        s_.task(from).handed_to = 0;
        say("await_lock ", name(r), " -> Err(Closed)", drop_node(r, w));
        return Flow::kNext;
      case Semaphore::Poll::kPending: break;
    }
    ts.inflight = 1;
    say("await_lock ", name(r), " -> pending",
        replaced ? text("; the node's waker is replaced: releases now wake ", name(t), ", not ", name(from)) : Text{});
    return Flow::kPending;
  }

  // --- futures inside one task: join!, FuturesUnordered / buffer_unordered, select_all ----------
  // Children are task slots (TaskSpec::parent) polled only from their parent's poll, while the
  // combinator is the parent's awaited operation. A child that was handed a permit while the
  // parent awaits something else is not polled: the permit waits with it.

  Text child_names(const Op& op, bool started_only) const {
    Text names;
    for (std::size_t c = op.a; c < std::size_t{op.a} + op.b; ++c) {
      if (started_only && s_.tasks[c].status == TaskStatus::kNotSpawned) continue;
      names += text(names.empty() ? "" : ", ", sc_.tasks[c].name);
    }
    return names;
  }
  Text refill_note(const Op& op) const {
    if (op.c == 0 || op.c >= op.b) return {};
    return text(" (buffer_unordered(", std::to_string(op.c), "): at most ", std::to_string(op.c), " in flight)");
  }

  /// Starts a combinator's children afresh (the previous ones are dropped if still alive):
  /// join!/select_all children start idle and are polled at once; a set's (kStartSet) are pushed
  /// into its ready queue, at most op.c of them for buffer_unordered.
  void start_children(const Op& op) {
    const bool set = op.kind == OpKind::kStartSet;
    for (std::size_t c = op.a; c < std::size_t{op.a} + op.b; ++c) {
      if (s_.tasks[c].live()) drop_future(task_at(c), TaskStatus::kDropped);
      s_.ready_children.erase(task_at(c));
      s_.tasks[c] = TaskState{};
    }
    for (std::size_t c = op.a; c < std::size_t{op.a} + op.b; ++c) {
      if (set && op.c != 0 && c - op.a == op.c) break;
      s_.tasks[c].status = TaskStatus::kIdle;
      if (set) s_.ready_children.push_back(task_at(c));
    }
  }

  /// macros/join.rs (1.24.2): every poll polls each unfinished branch, starting one further each
  /// time (`skip_next_time`), until all are done.
  Flow join_all(TaskId t, const Op& op) {
    TaskState& ts = s_.task(t);
    if (!ts.inflight) {
      start_children(op);
      ts.inflight = 1;
      ts.turn = 0;
      say("join! of ", child_names(op, false));
    }
    const std::size_t skip = ts.turn;  // (0 when the join! starts)
    ts.turn = static_cast<std::uint8_t>(skip + 1 == op.b ? 0 : skip + 1);
    for (std::size_t k = 0; k < op.b; ++k) {
      const auto c = task_at(op.a + (skip + k) % op.b);
      if (!s_.task(c).live()) continue;
      poll_child(c);
      if (ts.blocked != 0) return Flow::kPending;
    }
    for (std::size_t c = op.a; c < std::size_t{op.a} + op.b; ++c) {
      if (s_.tasks[c].live()) {
        say("join! -> pending");
        return Flow::kPending;
      }
    }
    ts.turn = 0;
    say("join! -> ready (every branch finished)");
    return Flow::kNext;
  }

  /// futures-util FuturesUnordered::poll_next (0.3): polls the children in its ready queue, in
  /// wake order, until one finishes (Some) or it has polled as many as it holds (then it wakes
  /// the task and yields); with none left, None. buffer_unordered first tops the set up from
  /// its stream to `c` in flight.
  Flow next_child(TaskId t, const Op& op) {
    TaskState& ts = s_.task(t);
    const auto& program = sc_.task(t).program;
    std::size_t live = 0;
    for (std::size_t c = op.a; c < std::size_t{op.a} + op.b; ++c) live += s_.tasks[c].live() ? 1U : 0U;
    for (std::size_t c = op.a; c < std::size_t{op.a} + op.b && op.c != 0 && live < op.c; ++c) {
      if (s_.tasks[c].status != TaskStatus::kNotSpawned) continue;
      s_.tasks[c].status = TaskStatus::kIdle;
      s_.ready_children.push_back(task_at(c));
      ++live;
      say("buffer_unordered takes ", sc_.tasks[c].name, " from the stream");
    }
    if (live == 0) {
      say("next() -> None: the set is empty");
      ts.pc = program[ts.pc + 1U].b;
      return Flow::kJumped;
    }
    std::size_t polled = 0;
    std::size_t yielded = 0;
    for (;;) {
      std::optional<TaskId> next;
      for (TaskId c : s_.ready_children) {
        if (index(c) >= op.a && index(c) < op.a + op.b) {
          next = c;
          break;
        }
      }
      if (!next) break;
      ++polled;
      poll_child(*next);
      if (ts.blocked != 0) return Flow::kPending;
      if (!s_.task(*next).live()) {
        say("next() -> Some: ", name(*next), " finished");
        ts.pc = static_cast<std::uint8_t>(ts.pc + 2U);
        return Flow::kJumped;
      }
      // futures-util 0.3.21 poll_next: a branch that woke itself while polled counts as a
      // yield; after two yields, or once it has polled as many branches as the set holds, it
      // wakes the task and returns Pending.
      yielded += s_.ready_children.contains(*next) ? 1U : 0U;
      if (yielded >= 2 || polled == live) {
        ts.inflight = 1;
        say("next() -> pending: polled ", yielded >= 2 ? "two branches that yielded" : "every branch once",
            "; wakes its task -> ", issue_wake(t));
        return Flow::kPending;
      }
    }
    if (!ts.inflight) say("next() -> pending (no child is ready)");
    ts.inflight = 1;
    return Flow::kPending;
  }

  /// futures-util future::select_all: polls the children in order; the first to finish wins.
  /// The rest are returned alive: dropped at once, or kept (and not polled) by the task.
  Flow select_all(TaskId t, const Op& op) {
    TaskState& ts = s_.task(t);
    if (!ts.inflight) {
      start_children(op);
      ts.inflight = 1;
      say("select_all of ", child_names(op, false));
    }
    for (std::size_t i = op.a; i < std::size_t{op.a} + op.b; ++i) {
      const auto c = task_at(i);
      if (!s_.task(c).live()) continue;
      poll_child(c);
      if (ts.blocked != 0) return Flow::kPending;
      if (s_.task(c).live()) continue;
      ts.inflight = 0;
      if (op.c != 0) {
        say("select_all -> ", name(c), " won; the rest stay alive in `rest`, and are not polled");
      } else {
        say("select_all -> ", name(c), " won; the rest are dropped");
        drop_branches(t, op);
      }
      return Flow::kNext;
    }
    say("select_all -> pending");
    return Flow::kPending;
  }

  /// Drops `t`'s live children (of one combinator kind, or all): their destructors give back
  /// what they hold or were assigned.
  void drop_children(TaskId t, std::optional<OpKind> kind) {
    drop_children(t, kind, 0, sc_.tasks.size());
  }
  /// Drops the live children of one combinator statement (its branches `op.a` .. `op.a + op.b`).
  void drop_branches(TaskId t, const Op& op) { drop_children(t, std::nullopt, op.a, std::size_t{op.a} + op.b); }
  void drop_children(TaskId t, std::optional<OpKind> kind, std::size_t from, std::size_t to) {
    for (std::size_t c = from; c < to; ++c) {
      const auto& spec = sc_.tasks[c];
      if (spec.parent != index(t) || !s_.tasks[c].live()) continue;
      if (kind && spec.combinator != *kind) continue;
      say(spec.name, " is dropped");
      const Text saved = prefix_;
      prefix_ = text(spec.name, ": ");
      drop_future(task_at(c), TaskStatus::kDropped);
      prefix_ = saved;
    }
  }

  // --- a barging mutex (async_lock::Mutex 3.x, event-listener 5.x) ------------------------------
  // State: std_owner (holder + 1) and a listener list with per-listener "notified" marks
  // (State::notifies). unlock frees the lock and notifies one listener unless one is notified
  // already ("at least one notified"); a notified listener that finds the lock taken listens
  // again; a newcomer may take a free lock first.

  Flow barging_lock(TaskId t, ResourceId r) {
    TaskState& ts = s_.task(t);
    std::uint8_t& owner = s_.std_owner[index(r)];
    NotifyState& listeners = s_.notifies[index(r)];
    if (owner == 0) {
      owner = static_cast<std::uint8_t>(index(t) + 1);
      listeners.waiters.erase(t);
      listeners.notified[index(t)] = 0;
      say("lock ", name(r), " -> acquired");
      return Flow::kNext;
    }
    if (!listeners.waiters.contains(t)) listeners.waiters.push_back(t);
    const bool was_notified = listeners.notified[index(t)] != 0;
    listeners.notified[index(t)] = 0;
    ts.inflight = 1;
    say("lock ", name(r), was_notified ? " -> taken again by another task: listens again"
                                       : " -> pending: listening (the lock is taken)");
    return Flow::kPending;
  }

  Text notify_a_listener(ResourceId r) {
    NotifyState& listeners = s_.notifies[index(r)];
    for (TaskId l : listeners.waiters) {
      if (listeners.notified[index(l)] != 0) return text("a listener is notified already (no new notification)");
    }
    if (listeners.waiters.empty()) return text("no listener");
    const TaskId first = listeners.waiters.front();
    listeners.notified[index(first)] = 1;
    return text("listener ", name(first), " notified; ", issue_wake(first));
  }

  Text barging_unlock(TaskId t, ResourceId r) {
    std::uint8_t& owner = s_.std_owner[index(r)];
    if (owner != index(t) + 1) return text("not held (no effect)");
    owner = 0;
    return text("lock freed; ", notify_a_listener(r));
  }

  // --- bounded mpsc (sync/mpsc/bounded.rs, chan.rs): capacity is a batch semaphore ------------
  // Messages in flight are counted in State::notifies[r].permit; the receiver waiting for one is
  // the only entry of State::notifies[r].waiters.

  // --- select! { biased; _ = &mut lock_fut => .., _ = sleep(..) => .. } (macros/select.rs) --------
  // The lock future has its own waiter node (kept_waiter_of): polled first on each poll of the
  // select. When the sleep wins, the lock future is dropped, unless it was given as `&mut fut`:
  // then it stays alive, queued and unpolled while the task goes on; a release may hand it the
  // permit, which nobody polls: the futurelock.

  Flow select(TaskId t, const Op& op) {
    TaskState& ts = s_.task(t);
    const auto r = resource_at(op.a);
    Semaphore& sem = s_.semaphore(r);
    const auto w = kept_waiter_of(t);
    const bool keep = (op.b & 1U) != 0;
    auto won = [&](std::int8_t branch) {
      if (op.c != 0) s_.vars[op.c - 1U] = branch;
    };
    if (sleep_first_ && (op.b & 2U) != 0 && ts.timer == 2) {
      // Unbiased: this poll starts at the sleep branch, which is ready: the lock branch is not
      // polled, even if its future was handed the permit.
      ts.timer = 0;
      won(1);
      if (keep) {
        say("select (unbiased, sleep branch first) -> the sleep branch wins; the lock future (&mut fut) is not polled and stays alive");
      } else {
        say("select (unbiased, sleep branch first) -> the sleep branch wins; the lock future is dropped", drop_node(r, w));
      }
      return Flow::kNext;
    }
    switch (sem.poll_acquire(w, 1)) {
      case Semaphore::Poll::kReady:
        add_held(ts, r, 1);
        ts.timer = 0;
        won(0);
        say("select -> the lock branch wins: ", name(r), " acquired; the sleep is dropped");
        return Flow::kNext;
      case Semaphore::Poll::kClosed:
        won(0);
        say("select -> the lock branch ends with Err(Closed)", drop_node(r, w));
        return Flow::kNext;
      case Semaphore::Poll::kPending: break;
    }
    if (ts.timer == 2) {
      ts.timer = 0;
      won(1);
      if (keep) {
        say("select -> the sleep branch wins; the lock future (&mut fut) stays alive, queued on ", name(r),
            ", and is not polled");
      } else {
        say("select -> the sleep branch wins; the lock future is dropped", drop_node(r, w));
      }
      return Flow::kNext;
    }
    if (!ts.inflight) {
      ts.inflight = 1;
      ts.timer = 1;
      say("select -> both pending: lock ", name(r), " queued, sleep registered");
    } else {
      say("select -> still pending");
    }
    return Flow::kPending;
  }

  bool has_kept(TaskId t) const {
    for (std::size_t r = 0; r < sc_.resources.size(); ++r) {
      if (semaphore_based(sc_.resources[r].kind) && s_.semaphores[r].node(kept_waiter_of(t)).queued) return true;
    }
    return false;
  }

  /// Drops the lock future a select! kept; what it was assigned passes on.
  Text drop_kept(TaskId t) {
    bool rest = false;
    for (std::size_t c = 0; c < sc_.tasks.size(); ++c) {
      rest |= sc_.tasks[c].parent == index(t) && sc_.tasks[c].combinator == OpKind::kSelectAll && s_.tasks[c].live();
    }
    if (rest) {
      drop_children(t, OpKind::kSelectAll);
      return text("the futures select_all left alive are dropped");
    }
    for (std::size_t r = 0; r < sc_.resources.size(); ++r) {
      if (!semaphore_based(sc_.resources[r].kind)) continue;
      const auto w = kept_waiter_of(t);
      if (!s_.semaphores[r].node(w).queued) continue;
      const bool assigned = s_.semaphores[r].assigned(w) > 0;
      return text("the kept lock future on ", sc_.resources[r].name, " is dropped",
                  assigned ? ": its permit is returned" : ": it leaves the queue", drop_node(resource_at(r), w));
    }
    return text("no kept future");
  }

  // --- OnceCell::get_or_init (sync/once_cell.rs) -------------------------------------------------
  // The value flag is State::notifies[r].permit. The initializer runs holding the semaphore's one
  // permit (here it sleeps); then the value is set, the semaphore closed (every waiter's acquire
  // fails with Closed and reads the value) and the permit forgotten. If the initializing future is
  // dropped, its permit is released to the oldest waiter, which runs its own initializer.

  Flow get_or_init(TaskId t, ResourceId r) {
    TaskState& ts = s_.task(t);
    NotifyState& cell = s_.notifies[index(r)];
    const auto w = waiter_of(t);
    if (ts.phase == 1) {
      if (ts.timer != 2) {
        say("get_or_init ", name(r), " -> still initializing");
        return Flow::kPending;
      }
      ts.timer = 0;
      ts.phase = 0;
      cell.permit = 1;
      take_held(ts, r, 1);  // OnceCell::set_value: permit.forget()
      WakeList wakes;
      s_.semaphore(r).close(wakes);
      Text told = text("get_or_init ", name(r), " -> initialized: value set, semaphore closed");
      for (WaiterId next : wakes) told += text("; ", issue_wake(wakee(next)));
      say(told);
      return Flow::kNext;
    }
    if (cell.permit != 0 && !ts.inflight) {
      say("get_or_init ", name(r), " -> the value is set already");
      return Flow::kNext;
    }
    const bool was_queued = s_.semaphore(r).node(w).queued != 0;
    switch (s_.semaphore(r).poll_acquire(w, 1)) {
      case Semaphore::Poll::kReady:
        add_held(ts, r, 1);
        ts.phase = 1;
        ts.timer = 1;
        ts.inflight = 1;
        say("get_or_init ", name(r), was_queued ? " -> the permit was handed over: runs its own initializer (sleeps)"
                                                : " -> permit taken: initializing (sleeps)");
        return Flow::kPending;
      case Semaphore::Poll::kClosed: {
        say("get_or_init ", name(r), " -> Err(Closed) from the acquire: the value is set; it is read",
            drop_node(r, w));
        return Flow::kNext;
      }
      case Semaphore::Poll::kPending: break;
    }
    ts.inflight = 1;
    say("get_or_init ", name(r), was_queued ? " -> still waiting" : " -> pending: another task is initializing");
    return Flow::kPending;
  }

  Flow send(TaskId t, ResourceId r) {
    TaskState& ts = s_.task(t);
    if (coop_yield(t, text("send ", name(r)))) {
      ts.inflight = 1;
      return Flow::kPending;
    }
    Semaphore& sem = s_.semaphore(r);
    const auto w = waiter_of(t);
    const bool was_queued = sem.node(w).queued != 0;
    switch (sem.poll_acquire(w, 1)) {
      case Semaphore::Poll::kReady: {
        NotifyState& ch = s_.notifies[index(r)];
        ch.permit = static_cast<std::uint8_t>(std::min(255, ch.permit + 1));
        coop_spend();
        Text told = text("send ", name(r), was_queued ? " -> slot assigned earlier; message sent" : " -> message sent");
        if (!ch.waiters.empty()) told += text("; ", issue_wake(ch.waiters.front()));
        say(told);
        return Flow::kNext;
      }
      case Semaphore::Poll::kClosed:
        say("send ", name(r), " -> Err (closed)", drop_node(r, w));
        return Flow::kNext;
      case Semaphore::Poll::kPending: break;
    }
    ts.inflight = 1;
    say("send ", name(r), was_queued ? " -> still waiting for a slot" : " -> pending: the channel is full");
    return Flow::kPending;
  }

  Flow recv(TaskId t, ResourceId r) {
    TaskState& ts = s_.task(t);
    NotifyState& ch = s_.notifies[index(r)];
    if (coop_yield(t, text("recv ", name(r)))) {
      ts.inflight = 1;
      return Flow::kPending;
    }
    if (ch.permit > 0) {
      coop_spend();
      --ch.permit;
      ch.waiters.erase(t);
      say("recv ", name(r), " -> a message; its slot goes back: ", release(r, 1));
      return Flow::kNext;
    }
    if (!ch.waiters.contains(t)) ch.waiters.push_back(t);
    ts.inflight = 1;
    say("recv ", name(r), " -> pending: no message");
    return Flow::kPending;
  }

  /// `Acquire::drop` on node `w` of r: what it was assigned passes on to the oldest waiters,
  /// woken in the version's order. Returns " -> assigned to X (oldest waiter); wake X issued"
  /// for each of them.
  Text drop_node(ResourceId r, WaiterId w) {
    WakeList wakes;
    s_.semaphore(r).drop_acquire(w, wakes);
    in_version_order(wakes);
    Text told;
    for (WaiterId next : wakes) {
      told += text(" -> assigned to ", name(task_of(next)), " (oldest waiter); ", issue_wake(wakee(next)));
    }
    return told;
  }

  /// Semaphore::release gives a batch's wakes in 1.24.2's order (reverse); since 1.38 they are
  /// woken FIFO.
  void in_version_order(WakeList& wakes) const {
    if (sc_.version == TokioVersion::k1_24) return;
    WakeList fifo;
    for (std::size_t i = wakes.size(); i > 0; --i) fifo.push_back(wakes[i - 1]);
    wakes = fifo;
  }

  /// release(n) on r and the wakes it issues; returns the narration of what happened.
  Text release(ResourceId r, std::uint8_t n) {
    Semaphore& sem = s_.semaphore(r);
    WakeList wakes;
    sem.release(n, wakes);
    in_version_order(wakes);
    Text told;
    if (wakes.empty()) {
      told = sem.queue().empty() ? text("permit returned (available ", std::to_string(sem.available()), ")")
                                 : text("permit assigned to the oldest waiter, which needs more");
    }
    for (WaiterId w : wakes) {
      const auto woken = task_of(w);
      const auto to = wakee(w);
      told += text(told.empty() ? "" : "; ", "permit assigned to ", name(woken), is_kept(w) ? "'s kept lock future" : "",
                   to != woken ? text("'s lock future (now awaited by ", name(to), ")") : Text{},
                   " (oldest waiter); ", issue_wake(to));
    }
    return told;
  }

  // --- Notify (sync/notify.rs, 1.24.2) ----------------------------------------------------------

  Flow notified(TaskId t, ResourceId r) {
    TaskState& ts = s_.task(t);
    NotifyState& n = s_.notifies[index(r)];
    if (!ts.inflight) {
      // `Notified::poll` in Init: take a stored permit, else see whether notify_waiters was
      // called since the future was created, else register as a waiter. 1.24.2 tries the
      // permit first (so a future created before a notify_waiters eats a later notify_one's
      // permit); 1.51 checks the count first (#7996).
      const bool counted = n.created[index(t)] == 2;
      n.created[index(t)] = 0;
      if (counted && sc_.version != TokioVersion::k1_24) {
        say("notified ", name(r), " -> ready (notify_waiters was called since it was created)");
        return Flow::kNext;
      }
      if (n.permit != 0) {
        n.permit = 0;
        say("notified ", name(r), " -> ready (stored permit consumed",
            counted ? "; 1.24.2 takes it before seeing the notify_waiters call that already made it ready)" : ")");
        return Flow::kNext;
      }
      if (counted) {
        say("notified ", name(r), " -> ready (notify_waiters was called since it was created)");
        return Flow::kNext;
      }
      n.waiters.push_back(t);
      ts.inflight = 1;
      say("notified ", name(r), " -> pending (waiting)");
      return Flow::kPending;
    }
    if (n.notified[index(t)] != 0) {
      n.notified[index(t)] = 0;
      say("notified ", name(r), " -> ready");
      return Flow::kNext;
    }
    say("notified ", name(r), " -> still waiting");
    return Flow::kPending;
  }

  Text notify_one(ResourceId r) {
    // `notify_one`: with waiters, hand the notification to the oldest and wake it; otherwise
    // store one permit (storing twice still stores one).
    NotifyState& n = s_.notifies[index(r)];
    if (n.waiters.empty()) {
      n.permit = 1;
      return text("nobody waits: one permit stored");
    }
    const TaskId w = n.waiters.pop_front();
    n.notified[index(w)] = 1;
    return text("notification handed to ", name(w), " (oldest waiter); ", issue_wake(w));
  }

  Text notify_waiters(ResourceId r) {
    // `notify_waiters`: every current waiter is notified; nothing is stored. 1.24.2 wakes the
    // batch in reverse (WakeList).
    NotifyState& n = s_.notifies[index(r)];
    for (auto& c : n.created) c = c != 0 ? 2 : 0;  // the call counter moves past every snapshot
    if (n.waiters.empty()) return text("nobody waits (nothing stored)");
    const SmallList<TaskId, kMaxTasks> batch = n.waiters;
    n.waiters.clear();
    Text told = text("notified");
    for (TaskId w : batch) {
      n.notified[index(w)] = 2;
      told += text(" ", name(w));
    }
    if (sc_.version == TokioVersion::k1_24) {
      for (std::size_t i = batch.size(); i > 0; --i) told += text("; ", issue_wake(batch[i - 1]));
    } else {
      for (TaskId w : batch) told += text("; ", issue_wake(w));
    }
    return told;
  }

  // --- dropping futures -------------------------------------------------------------------------

  /// Drops the awaited operation at pc (`Acquire::drop`, `Notified::drop`, the sleep's entry).
  void drop_inflight(TaskId t) {
    TaskState& ts = s_.task(t);
    if (!ts.inflight) return;
    const Op& op = sc_.task(t).program[ts.pc];
    if (op.kind == OpKind::kLock && sc_.resource(resource_at(op.a)).kind == ResourceKind::kBargingMutex) {
      // event-listener: dropping a notified listener passes the notification on.
      const auto r = resource_at(op.a);
      NotifyState& listeners = s_.notifies[index(r)];
      const bool notified = listeners.notified[index(t)] != 0;
      listeners.notified[index(t)] = 0;
      listeners.waiters.erase(t);
      say("its listener on ", name(r), " is dropped",
          notified ? text(": its notification passes on -> ", notify_a_listener(r)) : Text{});
    } else if (op.kind == OpKind::kRecv) {
      s_.notifies[op.a].waiters.erase(t);
    } else if (op.kind == OpKind::kSelect) {
      // Dropping the select drops its branch futures; a `&mut fut` branch is only borrowed, but
      // the task's future owns it too, so it goes with the task's drop below.
      ts.timer = 0;
    } else if (op.kind == OpKind::kGetOrInit && ts.phase == 1) {
      // The initializer is dropped; the permit it holds is released with the guards below.
      ts.timer = 0;
      ts.phase = 0;
      say("its initializer for ", name(resource_at(op.a)), " is dropped");
    } else if (op.kind == OpKind::kLock || op.kind == OpKind::kSend || op.kind == OpKind::kGetOrInit) {
      const auto r = resource_at(op.a);
      const std::uint8_t assigned = s_.semaphore(r).assigned(waiter_of(t));
      Text told = text("its ", op.kind == OpKind::kSend ? "send" : "lock", " future on ", name(r), " is dropped");
      if (assigned > 0) {
        const Text passed = drop_node(r, waiter_of(t));
        told += text(": assigned permit", assigned > 1 ? "s" : "", " returned", passed);
        if (passed.empty()) told += text(" (available ", std::to_string(s_.semaphore(r).available()), ")");
      } else {
        told += text(": it leaves the queue", drop_node(r, waiter_of(t)));
      }
      say(told);
    } else if (op.kind == OpKind::kNotified) {
      const auto r = resource_at(op.a);
      NotifyState& n = s_.notifies[index(r)];
      const std::uint8_t kind = n.notified[index(t)];
      n.notified[index(t)] = 0;
      if (n.waiters.erase(t)) {
        say("its notified future on ", name(r), " is dropped: it leaves the waiter list");
      } else if (kind == 1) {
        // `Notified::drop`: a OneWaiter notification is forwarded.
        say("its notified future on ", name(r), " is dropped: its notification is forwarded -> ",
            notify_one(r));
      }
    } else if (op.kind == OpKind::kAwaitHanded && ts.received != 0) {
      // The received lock future is dropped with the task: Acquire::drop on its node.
      const TaskId from = task_at(ts.received - 1U);
      s_.task(from).handed_to = 0;
      ts.received = 0;
      say("the lock future received from ", name(from), " is dropped", drop_node(resource_at(op.a), waiter_of(from)));
    } else if (op.kind == OpKind::kJoinAll || op.kind == OpKind::kNextChild || op.kind == OpKind::kSelectAll) {
      drop_branches(t, op);
    } else if (op.kind == OpKind::kSleep) {
      ts.timer = 0;
    } else if (op.kind == OpKind::kYieldNow) {
      s_.deferred.erase(t);
    }
    ts.inflight = 0;
  }

  void run_handler(TaskId t) {
    TaskState& ts = s_.task(t);
    const std::size_t handler = ts.guard - 1U;
    ts.guard = 0;
    ts.guard_in_region = 0;
    say("on_drop handler runs");
    // Handlers are synchronous; their jumps are relative to the handler.
    const auto& program = sc_.handlers[handler];
    const std::uint8_t saved_pc = ts.pc;
    in_handler_ = true;
    std::size_t pc = 0;
    while (pc < program.size()) {
      ts.pc = static_cast<std::uint8_t>(pc);
      const Flow flow = run_op(t, program[pc]);
      if (flow == Flow::kStop) break;
      pc = flow == Flow::kJumped ? ts.pc : pc + 1;
    }
    in_handler_ = false;
    ts.pc = saved_pc;
  }

  /// drop_on_pause on a nested future: it is dropped (releasing what it owns) and the task goes
  /// on after it, with its `cancelled` variable set.
  void cancel_nested(TaskId t) {
    TaskState& ts = s_.task(t);
    const std::size_t f = ts.region - 1U;
    drop_inflight(t);
    if (ts.guard != 0 && ts.guard_in_region) run_handler(t);
    for (std::size_t r = sc_.resources.size(); r > 0; --r) {
      const auto res = resource_at(r - 1);
      while (ts.region_held[index(res)] > 0) {
        const std::uint8_t n = ts.region_held[index(res)];
        const bool writer = sc_.resource(res).kind == ResourceKind::kRwLock && n >= sc_.resource(res).permits;
        const std::uint8_t per = writer ? n : 1;
        take_held(ts, res, per);
        say("guard of ", name(res), " dropped with ", future_name(f), " -> ", release(res, per));
      }
    }
    if (const auto v = sc_.futures[f].cancelled_variable) {
      s_.vars[*v] = 1;
      say(variable_name(*v), " = true");
    }
    set_bit(s_.swallowed, f, false);
    ts.region = 0;
    ts.deadline = 0;
    ts.pc = static_cast<std::uint8_t>(sc_.futures[f].end);
  }

  /// Drops a task's future (completion, abort, drop, drop_on_pause, failure): destructors run in
  /// Rust's order: the awaited future first (`Acquire::drop` returns assigned permits), then an
  /// on_drop guard, then the guards it holds (each guard drop is a release).
  void drop_future(TaskId t, TaskStatus final_status) {
    TaskState& ts = s_.task(t);
    ts.status = final_status;
    drop_inflight(t);
    drop_children(t, std::nullopt);
    if (ts.guard != 0 && final_status != TaskStatus::kComplete) run_handler(t);
    if (has_kept(t)) say(drop_kept(t));
    s_.ready_children.erase(t);
    for (auto& n : s_.notifies) n.created[index(t)] = 0;
    if (TaskState& rs = s_.task(sc_.runner(t)); rs.blocked == index(t) + 1) {
      rs.blocked = 0;
      rs.block_woken = 0;
    }
    ts.turn = 0;
    s_.deferred.erase(t);
    ts.inflight = 0;
    ts.timer = 0;
    ts.wake_pending = 0;
    ts.cancel_requested = 0;
    ts.region = 0;
    ts.deadline = 0;
    ts.phase = 0;
    ts.guard = 0;
    ts.guard_in_region = 0;
    ts.region_held = {};
    s_.run_queue.erase(t);
    for (std::size_t f = 0; f < sc_.futures.size(); ++f) {
      if (sc_.futures[f].task == index(t)) set_bit(s_.swallowed, f, false);
    }
    for (std::size_t r = sc_.resources.size(); r > 0; --r) {
      const auto res = resource_at(r - 1);
      if (ts.held[index(res)] > 0) {
        // Each guard or permit object releases what it holds: a rwlock writer all at once.
        const std::uint8_t n = ts.held[index(res)];
        const bool writer = sc_.resource(res).kind == ResourceKind::kRwLock && n >= sc_.resource(res).permits;
        const std::uint8_t per = writer ? n : 1;
        while (ts.held[index(res)] > 0) {
          ts.held[index(res)] = static_cast<std::uint8_t>(ts.held[index(res)] - per);
          say("guard of ", name(res), " dropped with the future -> ", release(res, per));
        }
      }
      if (s_.std_owner[index(res)] == index(t) + 1) {
        if (sc_.resource(res).kind == ResourceKind::kBargingMutex) {
          say("guard of ", name(res), " dropped with the future -> ", barging_unlock(t, res));
        } else {
          s_.std_owner[index(res)] = 0;
          say("std guard of ", name(res), " dropped with the future");
        }
      }
    }
    // JoinHandle: a task awaiting this one is woken (task/join.rs, harness.rs `complete`).
    for (std::size_t j = 0; j < sc_.tasks.size(); ++j) {
      const auto joiner = task_at(j);
      if (joins(s_, sc_, joiner).has_value()) continue;  // still waits for a live task
      const TaskState& js = s_.task(joiner);
      if (!js.live() || !js.inflight) continue;
      const Op& op = sc_.task(joiner).program[js.pc];
      if (op.kind == OpKind::kJoin && task_at(op.a) == t) {
        say("join handle of ", name(t), " ready -> ", issue_wake(joiner));
      }
    }
  }

  const Scenario& sc_;
  State& s_;
  std::vector<std::string>* lines_;
  bool in_handler_ = false;
  std::optional<TaskId> running_;  // the task being polled (single worker: wakes of it re-queue)
  bool renotified_ = false;        // it was woken during its poll
  bool on_worker_ = false;         // single worker: the step runs on the worker thread
  bool sleep_first_ = false;
  // coop.rs: budget units spent by this step's poll (every poll starts with the full budget of
  // 128; a one-worker LIFO chain continues its run's, State::chain_spent).
  std::uint8_t coop_spent_ = 0;  // this poll's unbiased select! starts at its sleep branch
  Text prefix_;  // "worker.fetch: " while a child future is polled
};

}  // namespace

TokioModel::TokioModel(Scenario scenario) : scenario_(std::move(scenario)) {}

State TokioModel::initial_state() const {
  State s;
  for (std::size_t r = 0; r < scenario_.resources.size(); ++r) {
    if (semaphore_based(scenario_.resources[r].kind)) s.semaphores[r] = Semaphore(scenario_.resources[r].permits);
  }
  for (std::size_t v = 0; v < scenario_.variables.size(); ++v) s.vars[v] = scenario_.variables[v].initial;
  // The block_on future is polled first (current_thread.rs: `woken` starts true).
  s.task(kMainTask).status = TaskStatus::kScheduled;
  s.phase = Phase::kTop;
  for (std::size_t k = 0; k < kFaultKinds; ++k) s.faults_left[k] = scenario_.faults[k].budget;
  return s;
}

void TokioModel::enabled_events(const State& s, std::vector<Event>& events) const {
  const std::size_t n = scenario_.tasks.size();
  // Any pending timer may be the next to fire; a timeout's deadline only when no sleep is
  // pending (timeouts are taken to be longer than the sleeps).
  auto push_timers = [&] {
    bool sleeping = false;
    for (std::size_t i = 0; i < n; ++i) {
      if (s.tasks[i].timer == 1) {
        events.push_back({EventKind::kTimer, task_at(i)});
        sleeping = true;
      }
    }
    for (std::size_t i = 0; i < n && !sleeping; ++i) {
      if (s.tasks[i].deadline == 1) events.push_back({EventKind::kDeadline, task_at(i)});
    }
  };
  // A poll that reaches an unbiased select! whose sleep has fired may start at either branch.
  auto push_poll = [&](TaskId t) {
    events.push_back({EventKind::kPoll, t});
    const TaskState& ts = s.task(t);
    const auto& program = scenario_.task(t).program;
    if (ts.inflight && ts.timer == 2 && ts.blocked == 0 && ts.pc < program.size() &&
        program[ts.pc].kind == OpKind::kSelect && (program[ts.pc].b & 2U) != 0) {
      events.push_back({EventKind::kPollSleepFirst, t});
    }
  };
  if (scenario_.flavor == Flavor::kCurrentThread) {
    // One thread: exactly one scheduler event is possible. Issued wakes are delivered first and
    // in the order they were issued (their run queue order), as tokio makes them at once.
    std::optional<Event> next;
    for (TaskId t : s.run_queue) {
      if (!next && s.task(t).wake_pending) next = Event{EventKind::kWake, t};
    }
    if (!next && s.task(kMainTask).wake_pending) next = Event{EventKind::kWake, kMainTask};
    if (!next) {
      const bool main_woken = s.task(kMainTask).status == TaskStatus::kScheduled;
      if (s.phase == Phase::kTop && main_woken) {
        next = Event{EventKind::kPoll, kMainTask};
      } else if (s.ticks >= scenario_.event_interval) {
        next = Event{EventKind::kPark, kMainTask};  // end of a 61-poll batch: park_yield
      } else if (!s.run_queue.empty()) {
        next = Event{EventKind::kPoll, s.run_queue.front()};
      } else if (!s.deferred.empty() || main_woken) {
        next = Event{EventKind::kPark, kMainTask};
      }
    }
    if (next && next->kind == EventKind::kPoll) {
      push_poll(next->task);
    } else if (next) {
      events.push_back(*next);
    } else {
      push_timers();  // parked with nothing to run
    }
  } else if (scenario_.worker_threads == 1) {
    // main's thread and the one worker run side by side: main's poll whenever it is woken; the
    // worker's next task as worker.rs picks it; with nothing to run, the worker parks (waking
    // deferred tasks) or, parked, lets a timer fire.
    if (s.task(kMainTask).status == TaskStatus::kScheduled && s.task(kMainTask).blocked == 0) push_poll(kMainTask);
    const std::optional<TaskId> next = worker_next(s);
    for (std::size_t i = 0; i < n; ++i) {
      if (s.tasks[i].blocked != 0 && s.tasks[i].block_woken) push_poll(task_at(i));
    }
    const bool maintenance = (s.worker_flags & (kLifoChain | kTickCounted)) == 0 &&
                             (s.maint_ticks + 1U) % scenario_.event_interval == 0;
    if (next && maintenance && !s.deferred.empty()) {
      events.push_back({EventKind::kPark, kMainTask});  // the maintenance park of this turn
    } else if (next) {
      push_poll(*next);
    } else if (!s.deferred.empty()) {
      events.push_back({EventKind::kPark, kMainTask});
    } else {
      push_timers();  // the worker is parked
    }
  } else {
    for (std::size_t i = 0; i < n; ++i) {
      if (s.tasks[i].wake_pending) events.push_back({EventKind::kWake, task_at(i)});
    }
    for (std::size_t i = 0; i < n; ++i) {
      const TaskState& ts = s.tasks[i];
      // A task whose thread is blocked in block_on is polled only through it, when that was
      // woken. (A branch is never scheduled: its task polls it.)
      if ((ts.status == TaskStatus::kScheduled && ts.blocked == 0) ||
          (ts.blocked != 0 && ts.block_woken)) {
        push_poll(task_at(i));
      }
    }
    push_timers();  // any worker may be parked
  }
  // Environment faults, bounded by their budgets; they may strike any eligible task at any point.
  // Pause and resume strike futures: a task's own (under its wrapper) or a nested one.
  for (std::size_t k = 0; k < 2; ++k) {
    if (s.faults_left[k] == 0) continue;
    const bool pause = static_cast<FaultKind>(k) == FaultKind::kPause;
    const auto& eligible = scenario_.faults[k].futures;
    for (std::size_t f = 0; f < scenario_.futures.size() && f < eligible.size(); ++f) {
      if (!eligible[f] || !s.task(task_at(scenario_.futures[f].task)).live()) continue;
      if (s.is_paused(f) != pause) {
        events.push_back({pause ? EventKind::kPause : EventKind::kResume, TaskId{static_cast<std::uint8_t>(f)}});
      }
    }
  }
  for (std::size_t k = 2; k < kFaultKinds; ++k) {
    if (s.faults_left[k] == 0) continue;
    const auto kind = static_cast<FaultKind>(k);
    const auto& eligible = scenario_.faults[k].tasks;
    for (std::size_t i = 0; i < n && i < eligible.size(); ++i) {
      if (!eligible[i]) continue;
      const auto t = task_at(i);
      const TaskState& ts = s.task(t);
      if (!ts.live()) continue;
      switch (kind) {
        case FaultKind::kPause:
        case FaultKind::kResume:
          break;
        case FaultKind::kDrop: events.push_back({EventKind::kDrop, t}); break;
        case FaultKind::kCoopYield:
          if (!ts.coop_exhausted) events.push_back({EventKind::kCoopYield, t});
          break;
        case FaultKind::kSpuriousWake:
          if (ts.status == TaskStatus::kIdle && !ts.wake_pending && !s.ready_children.contains(t)) {
            events.push_back({EventKind::kSpuriousWake, t});
          }
          break;
      }
    }
  }
}

State TokioModel::next_state(const State& state, const Event& event) const {
  State next = state;
  Step<false>(scenario_, next, nullptr).apply(event);
  return next;
}

State TokioModel::narrate(const State& state, const Event& event,
                          std::vector<std::string>& lines) const {
  State next = state;
  Step<true>(scenario_, next, &lines).apply(event);
  return next;
}

std::string TokioModel::describe(const Event& event) const {
  if (event.kind == EventKind::kPark) return "park";
  if (event.kind == EventKind::kPause || event.kind == EventKind::kResume) {
    return std::string(to_string(event.kind)) + " " + scenario_.futures[index(event.task)].name;
  }
  return std::string(to_string(event.kind)) + " " + scenario_.task(event.task).name;
}

std::optional<std::string> TokioModel::task_of(const Event& event) const {
  if (event.kind == EventKind::kPark) return std::nullopt;
  if (event.kind == EventKind::kPause || event.kind == EventKind::kResume) {
    return scenario_.tasks[scenario_.futures[index(event.task)].task].name;
  }
  return scenario_.task(event.task).name;
}

const char* to_string(Failure failure) { return failure_text(failure); }

}  // namespace wakecheck::model
