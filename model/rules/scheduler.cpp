// The scheduler's rules: wakes and the run queue (runtime/task/state.rs), the current_thread loop
// (runtime/scheduler/current_thread.rs), one multi_thread worker (runtime/scheduler/multi_thread/
// worker.rs), timers, polls through wrappers, and the coop budget (coop.rs).
#include <algorithm>
#include <bitset>

#include "model/rules/step.hpp"

namespace wakecheck::model::rules {

std::optional<TaskId> worker_next(StateView s) {
  // worker.rs `next_task` after `tick`: the LIFO chain's; every 61st tick the inject queue
  // first; else the LIFO slot, the local queue, the inject queue.
  const SchedulerState& w = s.scheduler();
  const auto lifo = [&] { return task_at(w.lifo - 1U); };
  if ((w.worker_flags & kLifoChain) != 0) return lifo();
  const unsigned tick = (w.worker_flags & kTickCounted) != 0 ? w.ticks : (w.ticks + 1U) % kGlobalQueueInterval;
  if (tick == 0 && !s.inject().empty()) return s.inject().front();
  if (w.lifo != 0) return lifo();
  if (!s.run_queue().empty()) return s.run_queue().front();
  if (!s.inject().empty()) return s.inject().front();
  return std::nullopt;
}

template <bool kNarrate>
void Step<kNarrate>::apply(const Event& e) {
  switch (e.kind) {
    case EventKind::kPoll:
      select_start_ = e.start;
      poll(e.task);
      break;
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
      s_.set_paused(f, true);
      say("environment sets ", future_name(f), "'s pause flag", already_owns(task_at(sc_.futures[f].task)));
      break;
    }
    case EventKind::kResume:
      spend(FaultKind::kResume);
      resume(index(e.task), "environment resumes ");
      break;
    case EventKind::kDrop:
      spend(FaultKind::kDrop);
      if (const std::size_t f = index(e.task); f >= sc_.tasks.size()) {
        // A nested future dropped where its task awaits inside it (as a select! or timeout around
        // it would): what it owns is released, and the task goes on after it.
        const auto t = task_at(sc_.futures[f].task);
        say("environment drops ", future_name(f), " (a nested future of ", name(t), ") at its await point");
        cancel_nested(t);
        say(name(t), " goes on after it -> ", issue_wake(t));
        break;
      }
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
  this->flush_schedule_notes();
}

template <bool kNarrate>
void Step<kNarrate>::settle_lifo(TaskId t) {
  if (!f_.any_order || !f_.block_ons || t == kMainTask) return;
  const bool keeps = thread_keeps_core(s_, sc_, t);
  for (std::size_t i = 0; i < sc_.tasks.size(); ++i) {
    TaskState& ys = s_.tasks(i);
    if (ys.stuck == 0) continue;
    // Freed: its thread is the runtime's again, or a later wake took its place in the slot (it
    // went to the worker's run queue, which others steal from).
    const TaskId x = task_at(ys.stuck - 1U);
    if (!thread_keeps_core(s_, sc_, x) || !ys.live() || (x == t && lifo_ && *lifo_ != task_at(i))) ys.stuck = 0;
  }
  if (keeps && lifo_ && s_.task(*lifo_).live()) {
    s_.task(*lifo_).stuck = static_cast<std::uint8_t>(index(t) + 1);
    say(name(*lifo_), " is in the LIFO slot of ", name(t), "'s worker, whose thread is blocked: no other worker takes it");
  }
  lifo_.reset();
}

template <bool kNarrate>
std::optional<ResourceId> Step<kNarrate>::owned_permit(TaskId t) const {
  if constexpr (kNarrate) {
    for (std::size_t r = 0; r < sc_.resources.size(); ++r) {
      if (semaphore_based(sc_.resources[r].kind) && s_.semaphore(resource_at(r)).fully_assigned(waiter_of(t))) {
        return resource_at(r);
      }
    }
  }
  return std::nullopt;
}

template <bool kNarrate>
typename Step<kNarrate>::Text Step<kNarrate>::already_owns(TaskId t) const {
  const auto r = owned_permit(t);
  if (!r) return Text{};
  const ResourceWords w = words(sc_.resource(*r).kind);
  return text(" (its ", std::string_view(w.future), " already owns ", name(*r), "'s ", std::string_view(w.unit), ")");
}

// --- scheduling (runtime/task/state.rs, runtime/scheduler/current_thread.rs) --------------------

/// Puts a task in the run queue. main, the block_on future, never goes there: being scheduled is
/// its woken flag (TaskStatus::kScheduled), read at the top of the loop.
template <bool kNarrate>
void Step<kNarrate>::enqueue(TaskId t) {
  const auto queue = s_.run_queue();
  if (t == kMainTask || queue.contains(t)) return;
  if (single_worker()) {
    // worker.rs `schedule_task(task, is_yield = false)`: on the worker (a task's poll, or the
    // worker's park: deferred wakes, timers) into the LIFO slot, whose previous task moves to the
    // back of the local queue; from another thread (main's) into the inject queue.
    SchedulerState& w = s_.scheduler();
    if (s_.inject().contains(t) || w.lifo == index(t) + 1) return;
    if (on_worker_) {
      if (w.lifo != 0) queue.push_back(task_at(w.lifo - 1U));
      w.lifo = static_cast<std::uint8_t>(index(t) + 1);
    } else {
      s_.inject().push_back(t);
    }
    return;
  }
  if (multi()) {
    queue.insert_sorted(t);
  } else {
    queue.push_back(t);
  }
}

/// `Waker::wake` on a task: tokio's `transition_to_notified_by_val`. An idle task is scheduled
/// (here: a wake is issued, and takes its place in the run queue, to be delivered as its own
/// event); a task already notified, or finished, is left alone (wakes coalesce).
template <bool kNarrate>
typename Step<kNarrate>::Text Step<kNarrate>::issue_wake(TaskId t) {
  TaskState& ts = s_.task(t);
  if (!ts.live()) return text("wake ", name(t), " ignored (", name(t), " has finished)");
  if (sc_.is_child(t)) return wake_child(t);
  if (ts.blocked != 0) {
    if (std_waits_on(s_, sc_, task_at(ts.blocked - 1U))) {
      return text("wake ", name(t), " noted (its thread is blocked in a std lock; it runs on once it has the lock)");
    }
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
    return text("wake ", name(t),
                s_.scheduler().lifo == index(t) + 1 ? " -> into the worker's LIFO slot" : " -> into the inject queue");
  }
  ts.wake_pending = 1;
  enqueue(t);
  if (running_ && *running_ != t && *running_ != kMainTask && f_.any_order) lifo_ = t;
  return text("wake ", name(t), " issued");
}

/// A child future's waker: FuturesUnordered puts the child in its ready-to-run queue and wakes
/// the task (futures-util stream/futures_unordered/task.rs `wake_by_ref`); join! and select_all
/// hand the task's own waker down. A child blocking its task's thread (block_in_place) is woken by
/// the thread's block_on waker instead.
template <bool kNarrate>
typename Step<kNarrate>::Text Step<kNarrate>::wake_child(TaskId c) {
  if (sc_.tasks[index(c)].shared) return wake_shared(c);
  const TaskId p = sc_.runner(c);
  TaskState& ps = s_.task(p);
  if (ps.blocked == index(c) + 1 && std_waits_on(s_, sc_, c)) {
    return text("wake ", name(c), " noted (its thread is blocked in a std lock)");
  }
  if (ps.blocked == index(c) + 1) {
    ps.block_woken = 1;
    return text("wake ", name(c), " issued to the thread blocked in its block_on");
  }
  const bool into_set =
      sc_.tasks[index(c)].combinator == OpKind::kNextChild && !s_.ready_children().contains(c);
  if (into_set) s_.ready_children().push_back(c);
  return text("wake ", name(c), into_set ? " (into its set's ready queue) -> " : " -> ", issue_wake(p));
}

template <bool kNarrate>
void Step<kNarrate>::deliver_wake(TaskId t) {
  TaskState& ts = s_.task(t);
  ts.wake_pending = 0;
  ts.status = TaskStatus::kScheduled;
  if (t == kMainTask) {
    say("main's woken flag set");
  } else if (multi()) {
    say("scheduled");
  } else {
    say("scheduled (run queue position ", std::to_string(*s_.run_queue().find(t) + 1), ")");
  }
}

/// Issues the wakes the defer list holds (context::defer), in the version's order: FIFO in
/// 1.24.2, LIFO since 1.29 (#5741). With `told`, each wake's narration is appended to it.
template <bool kNarrate>
void Step<kNarrate>::issue_deferred_wakes(Text* told) {
  const auto deferred = s_.deferred().template copy<kMaxTasks>();
  s_.deferred().clear();
  for (std::size_t k = 0; k < deferred.size(); ++k) {
    const TaskId t = sc_.version == TokioVersion::k1_24 ? deferred[k] : deferred[deferred.size() - 1 - k];
    const Text woken = issue_wake(t);
    if (told != nullptr) *told += text("; ", woken);
  }
}

template <bool kNarrate>
void Step<kNarrate>::park() {
  // current_thread.rs `CoreGuard::block_on`: with no task to run, the thread parks (park_yield
  // when the defer list is non-empty), waking the deferred wakers in FIFO order (1.24.2), then
  // returns to the top of the loop, where a woken main is polled. After 61 polls it does the
  // same (park_yield) with tasks still queued.
  const bool batch_end = !s_.run_queue().empty();
  Text woken;
  for (TaskId t : s_.deferred()) woken += text(woken.empty() ? "" : ", ", name(t));
  issue_deferred_wakes(nullptr);
  s_.scheduler().phase = Phase::kTop;
  s_.scheduler().ticks = 0;
  if (batch_end) {
    say(std::to_string(sc_.event_interval), " polls since the top of the loop: park_yield",
        woken.empty() ? Text{} : text("; deferred wakes of ", woken, " issued"));
  } else if (woken.empty()) {
    say("run queue empty: back to the top of the scheduler loop");
  } else {
    say("run queue empty: deferred wakes of ", woken, " issued");
  }
}

template <bool kNarrate>
void Step<kNarrate>::fire_timer(TaskId t) {
  // time/driver: the sleep's entry fires and wakes its task. Timers fire only when the runtime
  // would otherwise park (work takes no time next to a sleep). An untimed sleep may fire at any
  // park; a timed one is the earliest deadline, and time advances to it.
  if (s_.task(t).timer_left != 0) {
    advance_time(s_.task(t).timer_left, t, false);
    return;
  }
  fire_entry(t, false);
}

template <bool kNarrate>
void Step<kNarrate>::pass_deadline(TaskId t) {
  if (s_.task(t).deadline_left != 0) {
    advance_time(s_.task(t).deadline_left, t, true);
    return;
  }
  fire_entry(t, true);
}

template <bool kNarrate>
void Step<kNarrate>::start_sleep(TaskId t, std::uint8_t ticks) {
  s_.task(t).start_timer(ticks);
  this->schedule_note(t, ScheduleChange::kSleepSet);
}

template <bool kNarrate>
bool Step<kNarrate>::starts_at_other(TaskId t, bool unbiased, bool other_ready) {
  if (!unbiased) return false;
  const bool other = sleep_first_ && other_ready;
  this->schedule_note(t, ScheduleChange::kSelectStart, other ? 1 : 0);
  return other;
}

/// t's sleep (or, `deadline`, its timeout's deadline) fires and wakes t.
template <bool kNarrate>
void Step<kNarrate>::fire_entry(TaskId t, bool deadline) {
  TaskState& ts = s_.task(t);
  this->schedule_note(t, deadline ? ScheduleChange::kDeadlinePassed : ScheduleChange::kSleepFired);
  if (deadline) {
    ts.deadline = 2;
    say("the deadline of ", name(t), "'s timeout passed", schedule_from_driver(t));
  } else {
    ts.timer = 2;
    say("sleep of ", name(t), " elapsed", schedule_from_driver(t));
  }
}

/// Time advances `ticks` to the earliest timed entry, `first`'s sleep or (`deadline`) its
/// timeout: every timed entry comes that much nearer, `first` fires, then every other entry due
/// at the same tick (the driver fires them in one turn), in task order.
template <bool kNarrate>
void Step<kNarrate>::advance_time(std::uint8_t ticks, TaskId first, bool deadline) {
  const std::size_t n = sc_.tasks.size();
  std::bitset<kMaxTasks> due_sleep, due_deadline;
  for (std::size_t i = 0; i < n; ++i) {
    TaskState& ts = s_.task(task_at(i));
    if (ts.timer == 1 && ts.timer_left != 0) {
      due_sleep[i] = ts.timer_left == ticks;
      ts.timer_left = static_cast<std::uint8_t>(ts.timer_left - ticks);
    }
    if (ts.deadline == 1 && ts.deadline_left != 0) {
      due_deadline[i] = ts.deadline_left == ticks;
      ts.deadline_left = static_cast<std::uint8_t>(ts.deadline_left - ticks);
    }
  }
  this->schedule_note(first, ScheduleChange::kAdvance, ticks);
  say("time advances ", std::to_string(ticks), ticks == 1 ? " tick" : " ticks");
  fire_entry(first, deadline);
  for (std::size_t i = 0; i < n; ++i) {
    const TaskId t = task_at(i);
    if (due_sleep[i] && (t != first || deadline)) fire_entry(t, false);
    if (due_deadline[i] && (t != first || !deadline)) fire_entry(t, true);
  }
}

/// The time driver wakes a task while the runtime parks; then the loop starts at its top. A
/// branch's or a blocked thread's timer goes through its waker.
template <bool kNarrate>
typename Step<kNarrate>::Text Step<kNarrate>::schedule_from_driver(TaskId t) {
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
    s_.scheduler().phase = Phase::kTop;
    s_.scheduler().ticks = 0;
  }
  return told;
}

template <bool kNarrate>
void Step<kNarrate>::resume(std::size_t f, const char* who) {
  s_.set_paused(f, false);
  const TaskId t = task_at(sc_.futures[f].task);
  if (s_.task(t).live()) {
    say(who, future_name(f), " (stop flag cleared) -> ", issue_wake(t));
  } else {
    say(who, future_name(f), " (stop flag cleared)");
  }
}

// --- polls -------------------------------------------------------------------------------------

template <bool kNarrate>
void Step<kNarrate>::poll(TaskId t) {
  TaskState& ts = s_.task(t);
  if (ts.blocked != 0) {
    poll_blocked(t);
    return;
  }
  if (t != kMainTask) s_.run_queue().erase(t);
  if (!multi()) {
    s_.scheduler().phase = Phase::kLoop;
    if (t != kMainTask) ++s_.scheduler().ticks;
  }
  const bool worker = single_worker() && t != kMainTask;
  if (worker) take_from_worker_queues(t);
  ts.status = TaskStatus::kIdle;  // RUNNING; the poll's outcome decides what follows
  running_ = t;
  on_worker_ = worker;
  poll_future(t);
  settle_lifo(t);
  const std::uint8_t spent = coop_spent_;
  if (renotified_ && ts.live() && ts.status == TaskStatus::kIdle) {
    // harness.rs: transition_to_idle finds NOTIFIED: yield_now(task) -> the local queue's back.
    ts.status = TaskStatus::kScheduled;
    if (t != kMainTask) s_.run_queue().push_back(t);
  }
  SchedulerState& w = s_.scheduler();
  if (worker && w.lifo != 0) {
    // worker.rs run_task: the slot's task runs next in the same run while the budget lasts; with
    // the budget spent it goes to the back of the local queue.
    if (spent >= kCoopBudget) {
      s_.run_queue().push_back(task_at(w.lifo - 1U));
      say("the coop budget of this run is spent: ", name(task_at(w.lifo - 1U)),
          " moves from the LIFO slot to the local queue");
      w.lifo = 0;
    } else {
      w.worker_flags = static_cast<std::uint8_t>(w.worker_flags | kLifoChain);
      w.chain_spent = spent;
    }
  }
}

/// One turn of the worker loop (worker.rs Context::run): `tick`, maintenance every
/// event_interval ticks, then `next_task`; a task taken from the LIFO slot right after a poll
/// continues that run instead (no tick, the same coop budget).
template <bool kNarrate>
void Step<kNarrate>::take_from_worker_queues(TaskId t) {
  SchedulerState& w = s_.scheduler();
  if ((w.worker_flags & kLifoChain) != 0) {
    w.worker_flags = static_cast<std::uint8_t>(w.worker_flags & ~kLifoChain);
    w.lifo = 0;
    coop_spent_ = w.chain_spent;
    w.chain_spent = 0;
    say("from the worker's LIFO slot, in the same run (coop budget shared)");
    return;
  }
  if ((w.worker_flags & kTickCounted) != 0) {
    w.worker_flags = static_cast<std::uint8_t>(w.worker_flags & ~kTickCounted);
  } else {
    worker_tick();
  }
  if (w.lifo == index(t) + 1) {
    w.lifo = 0;
    say("from the worker's LIFO slot");
  } else if (s_.inject().erase(t)) {
    say(w.ticks == 0 ? "from the inject queue (every 61st tick it comes first)" : "from the inject queue");
  }
}

template <bool kNarrate>
void Step<kNarrate>::worker_tick() {
  SchedulerState& w = s_.scheduler();
  w.ticks = static_cast<std::uint8_t>((w.ticks + 1U) % kGlobalQueueInterval);
  w.maint_ticks = static_cast<std::uint8_t>((w.maint_ticks + 1U) % sc_.event_interval);
}

/// The worker has nothing to run: it parks; deferred wakes (yield_now) are woken first, FIFO in
/// 1.24.2, each scheduled on the worker (into its LIFO slot).
template <bool kNarrate>
void Step<kNarrate>::worker_park() {
  on_worker_ = true;
  // A new turn of the loop; its maintenance (every event_interval ticks) or, with nothing to run,
  // its park: park_timeout(0) wakes the deferred tasks.
  SchedulerState& w = s_.scheduler();
  const bool runnable = w.lifo != 0 || !s_.run_queue().empty() || !s_.inject().empty();
  worker_tick();
  if (runnable) w.worker_flags = static_cast<std::uint8_t>(w.worker_flags | kTickCounted);
  Text told = runnable ? text("the worker's maintenance (every ", std::to_string(sc_.event_interval),
                              " ticks): park_timeout(0) wakes the deferred")
                       : text("the worker has nothing to run: park_timeout(0) wakes the deferred");
  issue_deferred_wakes(&told);
  say(told);
}

/// The thread of `t` is blocked in block_in_place's block_on, which was woken: it polls the
/// blocking future again. When that finishes, the closure returns and the task is polled anew
/// (here: woken), so its other futures run again.
template <bool kNarrate>
void Step<kNarrate>::poll_blocked(TaskId t) {
  TaskState& ts = s_.task(t);
  ts.block_woken = 0;
  running_ = t;
  const TaskId x = task_at(ts.blocked - 1U);
  // Blocked in a std lock (now free) or in block_on's park (woken): the thread goes on.
  const auto std_lock = std_waits_on(s_, sc_, x);
  if (std_lock) {
    say("the thread of ", name(x), " wakes in std_lock ", name(*std_lock));
  } else {
    say("block_on polls ", name(x), x == t ? "'s future again" : " again");
  }
  if (x == t) {
    run_program(t);
  } else {
    poll_child(x);
    if (ts.blocked == 0 && ts.live()) {
      say(std_lock ? text(name(x), " runs on") : text("block_in_place returned"), " -> ", issue_wake(t));
    }
  }
  settle_lifo(t);
}

/// A combinator polls child future `c` of the running task.
template <bool kNarrate>
void Step<kNarrate>::poll_child(TaskId c) {
  s_.ready_children().erase(c);
  const auto was = this->enter_branch(c);
  poll_future(c);
  this->leave_branch(was);
}

/// Polls `t`'s future (a task's, or a child's): through its wrappers, then its program.
template <bool kNarrate>
void Step<kNarrate>::poll_future(TaskId t) {
  TaskState& ts = s_.task(t);
  if (ts.cancel_requested) {
    // runtime/task/harness.rs: a CANCELLED task's future is dropped instead of polled.
    say(Tag{EffectKind::kWrapper}, "cancelled: the future is dropped instead of polled (JoinError::Cancelled)");
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
/// finish_item lets the in-flight item (here the whole inner future) finish first, and none and
/// timeout have no flag to read.
template <bool kNarrate>
bool Step<kNarrate>::paused_here(std::size_t f) const {
  const Wrapper w = sc_.futures[f].wrapper;
  return s_.is_paused(f) && (w == Wrapper::kPausable || w == Wrapper::kDropOnPause);
}

/// The wrapper of future `f` is polled with its pause flag set. Pausable: Pending without polling
/// the inner future (the seed's PausableFuture::poll). Drop-on-pause: the caller drops the inner
/// future.
template <bool kNarrate>
void Step<kNarrate>::paused_poll(std::size_t f, bool inner_started) {
  if (sc_.futures[f].wrapper == Wrapper::kPausable) {
    if (inner_started) {
      s_.set_swallowed(f, true);
      const auto owned = owned_permit(task_at(sc_.futures[f].task));
      say(Tag{EffectKind::kWrapper}, "swallowed: ", future_name(f), " is paused, inner future not polled",
          owned ? text("; its ", std::string_view(words(sc_.resource(*owned).kind).future), " owns ", name(*owned), "'s ",
                       std::string_view(words(sc_.resource(*owned).kind).unit), ", which is stranded")
                : Text{});
    } else {
      say(Tag{EffectKind::kWrapper}, "swallowed: ", future_name(f),
          " is paused, inner future not polled (it had not started)");
    }
    return;
  }
  say(Tag{EffectKind::kWrapper}, "paused: the wrapper of ", future_name(f), " drops its inner future");
}

// --- coop (coop.rs) ----------------------------------------------------------------------------

/// coop.rs `poll_proceed` at the start of `Acquire::poll`: with the budget spent, the task wakes
/// itself and the acquire returns Pending without touching the semaphore (a permit already
/// assigned stays assigned: S22).
template <bool kNarrate>
bool Step<kNarrate>::coop_yield(TaskId t, const Text& what) {
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

/// The self-wake of an operation refused by coop: at once in 1.24.2 (the running task goes to the
/// back of the queue); deferred since 1.44 (#7185), so it resumes after the queue drains.
template <bool kNarrate>
typename Step<kNarrate>::Text Step<kNarrate>::coop_wake(TaskId t) {
  if (sc_.version == TokioVersion::k1_24 || multi()) return issue_wake(t);
  defer_wake(t);
  return text("wake deferred");
}

/// context::defer: the waker joins the defer list. A second entry for the same task would only
/// coalesce when woken, so one entry stands for both: the first in 1.24.2 (woken FIFO), the last
/// since 1.29 (woken LIFO).
template <bool kNarrate>
void Step<kNarrate>::defer_wake(TaskId t) {
  const auto deferred = s_.deferred();
  if (deferred.contains(t)) {
    if (sc_.version == TokioVersion::k1_24) return;
    deferred.erase(t);
  }
  deferred.push_back(t);
}

template class Step<true>;
template class Step<false>;

}  // namespace wakecheck::model::rules
