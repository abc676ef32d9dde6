#include "model/tokio_model.hpp"

#include <optional>
#include <string>
#include <utility>

namespace wakecheck::model {
namespace {

std::string ordinal_waiters(std::size_t n) {
  return n == 1 ? "1 waiter" : std::to_string(n) + " waiters";
}

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
      case EventKind::kWake: deliver_wake(e.task); break;
      case EventKind::kPark: park(); break;
      case EventKind::kTimer: fire_timer(e.task); break;
      case EventKind::kPause: fault_pause(e.task); break;
      case EventKind::kResume: fault_resume(e.task); break;
      case EventKind::kDrop: fault_drop(e.task); break;
    }
  }

 private:
  // --- narration -------------------------------------------------------------------------

  template <class... Parts>
  void say(const Parts&... parts) {
    if constexpr (kNarrate) {
      std::string line;
      ((line += parts), ...);
      lines_->push_back(std::move(line));
    }
  }
  const std::string& name(TaskId t) const { return sc_.task(t).name; }
  const std::string& name(ResourceId r) const { return sc_.resource(r).name; }
  bool multi() const { return sc_.flavor == Flavor::kMultiThread; }

  // --- scheduling (runtime/task/state.rs, runtime/scheduler/current_thread.rs) ---------------

  void enqueue(TaskId t) {
    if (s_.run_queue.contains(t)) return;
    if (multi()) {
      s_.run_queue.insert_sorted(t);
    } else {
      s_.run_queue.push_back(t);
    }
  }

  /// `Waker::wake` on a task: tokio's `transition_to_notified_by_val`. An idle task is scheduled
  /// (here: a wake is issued, and takes its place in the run queue, to be delivered as its own
  /// event); a task already notified, or finished, is left alone (wakes coalesce). Returns what
  /// happened, for the narration.
  std::string issue_wake(TaskId t) {
    TaskState& ts = s_.task(t);
    if (!ts.live()) return "wake " + name(t) + " ignored (" + name(t) + " has finished)";
    if (ts.status == TaskStatus::kScheduled || ts.wake_pending) {
      return "wake " + name(t) + " coalesced (already scheduled)";
    }
    ts.wake_pending = 1;
    if (t != kMainTask) enqueue(t);
    return "wake " + name(t) + " issued";
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
    std::string woken;
    for (TaskId t : s_.deferred) {
      if (!woken.empty()) woken += ", ";
      woken += name(t);
    }
    const SmallList<TaskId, kMaxTasks> deferred = s_.deferred;
    s_.deferred.clear();
    for (TaskId t : deferred) (void)issue_wake(t);
    s_.phase = Phase::kTop;
    s_.ticks = 0;
    if (batch_end) {
      say(std::to_string(kEventInterval), " polls since the top of the loop: park_yield",
          woken.empty() ? "" : "; deferred wakes of " + woken + " issued");
    } else if (woken.empty()) {
      say("run queue empty: back to the top of the scheduler loop");
    } else {
      say("run queue empty: deferred wakes of ", woken, " issued");
    }
  }

  void fire_timer(TaskId t) {
    // time/driver: the sleep's entry fires and wakes its task. Timers fire only when the runtime
    // would otherwise park (sleeps are long next to the work between them).
    TaskState& ts = s_.task(t);
    ts.timer = 2;
    if (ts.status == TaskStatus::kIdle) {
      ts.wake_pending = 0;
      ts.status = TaskStatus::kScheduled;
      enqueue(t);
    }
    if (!multi()) {
      s_.phase = Phase::kTop;
      s_.ticks = 0;
    }
    say("sleep of ", name(t), " elapsed; ", name(t), " scheduled");
  }

  // --- environment faults --------------------------------------------------------------------

  void spend(FaultKind kind) { --s_.faults_left[static_cast<std::size_t>(kind)]; }

  void fault_pause(TaskId t) {
    spend(FaultKind::kPause);
    s_.task(t).paused = 1;
    say("environment sets ", name(t), "'s pause flag", holding_note(t));
  }

  void fault_resume(TaskId t) {
    spend(FaultKind::kResume);
    resume(t);
  }

  void fault_drop(TaskId t) {
    spend(FaultKind::kDrop);
    say("environment drops ", name(t), "'s future");
    drop_future(t, TaskStatus::kDropped);
  }

  std::string holding_note(TaskId t) const {
    if constexpr (kNarrate) {
      for (std::size_t r = 0; r < sc_.resources.size(); ++r) {
        const auto w = WaiterId{static_cast<std::uint8_t>(index(t))};
        if (s_.semaphores[r].fully_assigned(w)) {
          return " (its lock future already owns " + sc_.resources[r].name + "'s permit)";
        }
      }
    }
    return "";
  }

  // --- polls ---------------------------------------------------------------------------------

  void poll(TaskId t) {
    TaskState& ts = s_.task(t);
    if (t == kMainTask) {
      if (!multi()) s_.phase = Phase::kLoop;
    } else {
      s_.run_queue.erase(t);
      if (!multi()) {
        s_.phase = Phase::kLoop;
        ++s_.ticks;
      }
    }
    ts.status = TaskStatus::kIdle;  // RUNNING; the poll's outcome decides what follows

    if (ts.cancel_requested) {
      // runtime/task/harness.rs: a CANCELLED task's future is dropped instead of polled.
      say("cancelled: the future is dropped instead of polled (JoinError::Cancelled)");
      drop_future(t, TaskStatus::kCancelled);
      return;
    }
    const Wrapper wrapper = sc_.task(t).wrapper;
    if (ts.paused && wrapper == Wrapper::kPausable) {
      // The seed's PausableFuture::poll: `if stopped { return Poll::Pending; }`.
      if (ts.inflight) {
        ts.swallowed = 1;
        say("swallowed: paused, inner future not polled", owned_note(t));
      } else {
        say("swallowed: paused, inner future not polled (it had not started)");
      }
      return;
    }
    if (ts.paused && wrapper == Wrapper::kDropOnPause) {
      say("paused: the wrapper drops the inner future");
      drop_future(t, TaskStatus::kDropped);
      return;
    }
    ts.swallowed = 0;
    run_program(t);
  }

  std::string owned_note(TaskId t) const {
    if constexpr (kNarrate) {
      for (std::size_t r = 0; r < sc_.resources.size(); ++r) {
        const auto w = WaiterId{static_cast<std::uint8_t>(index(t))};
        if (s_.semaphores[r].fully_assigned(w)) {
          return "; its lock future owns " + sc_.resources[r].name + "'s permit, which is stranded";
        }
      }
    }
    return "";
  }

  void run_program(TaskId t) {
    TaskState& ts = s_.task(t);
    const auto& program = sc_.task(t).program;
    while (ts.pc < program.size()) {
      if (!run_op(t, program[ts.pc])) return;  // Pending: the task stays idle
      ts.inflight = 0;
      ++ts.pc;
    }
    say("finished");
    drop_future(t, TaskStatus::kComplete);  // core.rs: the output is stored, the future dropped
  }

  /// Runs one operation; false when it awaits (Pending).
  bool run_op(TaskId t, const Op& op) {
    TaskState& ts = s_.task(t);
    const auto r = ResourceId{op.target};
    const auto other = TaskId{op.target};
    switch (op.kind) {
      case OpKind::kLock: return lock(t, r);
      case OpKind::kUnlock: {
        if (ts.held[index(r)] == 0) {
          say("unlock ", name(r), " -> no guard held (nothing to release)");
          return true;
        }
        --ts.held[index(r)];
        say("unlock ", name(r), " -> ", release(r, 1));
        return true;
      }
      case OpKind::kTryLock: {
        // mutex.rs `try_lock` = `try_acquire(1)`: no queue, no coop.
        if (s_.semaphore(r).try_acquire(1)) {
          ++ts.held[index(r)];
          say("try_lock ", name(r), " -> Ok (guard)");
        } else {
          say("try_lock ", name(r), " -> Err (no permit available)");
        }
        return true;
      }
      case OpKind::kSleep: {
        if (!ts.inflight) {
          ts.inflight = 1;
          ts.timer = 1;
          say("sleep -> pending (timer registered)");
          return false;
        }
        if (ts.timer == 2) {
          ts.timer = 0;
          say("sleep -> elapsed");
          return true;
        }
        say("sleep -> still pending");
        return false;
      }
      case OpKind::kYieldNow: {
        // task/yield_now.rs: the first poll defers the wake (context::defer) and returns
        // Pending; the next poll is Ready. multi_thread: any order is possible, so the wake is
        // issued at once.
        if (!ts.inflight) {
          ts.inflight = 1;
          if (multi()) {
            (void)issue_wake(t);
          } else {
            s_.deferred.push_back(t);
          }
          say("yield_now -> pending (wake deferred)");
          return false;
        }
        say("yield_now -> ready");
        return true;
      }
      case OpKind::kSpawn: {
        // task/spawn.rs: a new task starts NOTIFIED and is scheduled at once.
        TaskState& child = s_.task(other);
        if (child.status != TaskStatus::kNotSpawned) {
          say("spawn ", name(other), " -> already spawned (no effect)");
          return true;
        }
        child.status = TaskStatus::kScheduled;
        enqueue(other);
        say("spawn ", name(other));
        return true;
      }
      case OpKind::kJoin: {
        const TaskState& joined = s_.task(other);
        if (joined.finished()) {
          say("join ", name(other), " -> ready (", name(other), " ", finished_word(joined.status), ")");
          return true;
        }
        if (!ts.inflight) say("join ", name(other), " -> pending");
        ts.inflight = 1;
        return false;
      }
      case OpKind::kPause: {
        s_.task(other).paused = 1;
        say("pause ", name(other), " (stop flag set)", holding_note(other));
        return true;
      }
      case OpKind::kResume: {
        resume(other);
        return true;
      }
      case OpKind::kDrop: {
        if (!s_.task(other).live()) {
          say("drop ", name(other), " -> no effect (not running)");
          return true;
        }
        say("drop ", name(other), "'s future");
        drop_future(other, TaskStatus::kDropped);
        return true;
      }
      case OpKind::kAbort: {
        // task/join.rs `abort` -> state.rs `transition_to_notified_and_cancel`.
        TaskState& target = s_.task(other);
        if (!target.live()) {
          say("abort ", name(other), " -> no effect (not running)");
          return true;
        }
        target.cancel_requested = 1;
        if (target.status == TaskStatus::kIdle && !target.wake_pending) {
          target.status = TaskStatus::kScheduled;
          enqueue(other);
          say("abort ", name(other), " -> cancel requested; ", name(other), " scheduled");
        } else {
          say("abort ", name(other), " -> cancel requested");
        }
        return true;
      }
    }
    return true;
  }

  static const char* finished_word(TaskStatus status) {
    switch (status) {
      case TaskStatus::kComplete: return "finished";
      case TaskStatus::kCancelled: return "was cancelled";
      case TaskStatus::kDropped: return "was dropped";
      default: return "is running";
    }
  }

  bool lock(TaskId t, ResourceId r) {
    // mutex.rs `lock` -> batch_semaphore.rs `Acquire::poll` for one permit.
    TaskState& ts = s_.task(t);
    Semaphore& sem = s_.semaphore(r);
    const auto w = WaiterId{static_cast<std::uint8_t>(index(t))};
    const bool was_queued = sem.node(w).queued != 0;
    const std::size_t ahead = sem.queue().size();
    if (sem.poll_acquire(w, 1) == Semaphore::Poll::kReady) {
      ++ts.held[index(r)];
      say("lock ", name(r), was_queued ? " -> acquired (the permit was assigned to it by a release)"
                                       : " -> acquired");
      return true;
    }
    ts.inflight = 1;
    if (was_queued) {
      say("lock ", name(r), " -> still waiting");
    } else {
      if (ahead == 0) {
        say("lock ", name(r), " -> pending: queued as the only waiter (the permit is taken)");
      } else {
        say("lock ", name(r), " -> pending: queued behind ", ordinal_waiters(ahead));
      }
    }
    return false;
  }

  void resume(TaskId t) {
    TaskState& ts = s_.task(t);
    ts.paused = 0;
    if (ts.live()) {
      say("resume ", name(t), " (stop flag cleared) -> ", issue_wake(t));
    } else {
      say("resume ", name(t), " (stop flag cleared)");
    }
  }

  /// release(n) on r and the wakes it issues; returns the narration of what happened.
  std::string release(ResourceId r, std::uint8_t n) {
    Semaphore& sem = s_.semaphore(r);
    WakeList wakes;
    sem.release(n, wakes);
    std::string told;
    if (wakes.empty()) {
      told = sem.queue().empty() ? "permit returned (available " + std::to_string(sem.available()) + ")"
                                 : "permit assigned to the oldest waiter, which needs more";
    }
    for (WaiterId w : wakes) {
      const auto woken = TaskId{static_cast<std::uint8_t>(w)};
      if (!told.empty()) told += "; ";
      told += "permit assigned to " + name(woken) + " (oldest waiter); " + issue_wake(woken);
    }
    return told;
  }

  /// Drops a task's future (completion, abort, drop, drop_on_pause): destructors run in tokio's
  /// order: the awaited future first (`Acquire::drop` returns assigned permits), then the guards
  /// it holds (each guard drop is a release).
  void drop_future(TaskId t, TaskStatus final_status) {
    TaskState& ts = s_.task(t);
    ts.status = final_status;
    if (ts.inflight) {
      const Op& op = sc_.task(t).program[ts.pc];
      if (op.kind == OpKind::kLock) {
        const auto r = ResourceId{op.target};
        Semaphore& sem = s_.semaphore(r);
        const auto w = WaiterId{static_cast<std::uint8_t>(index(t))};
        const std::uint8_t assigned = sem.assigned(w);
        WakeList wakes;
        sem.drop_acquire(w, wakes);
        std::string told = "its lock future on " + name(r) + " is dropped";
        if (assigned > 0) {
          told += ": assigned permit returned";
          for (WaiterId next : wakes) {
            const auto woken = TaskId{static_cast<std::uint8_t>(next)};
            told += " -> assigned to " + name(woken) + " (oldest waiter); " + issue_wake(woken);
          }
          if (wakes.empty()) told += " (available " + std::to_string(sem.available()) + ")";
        } else {
          told += ": it leaves the queue";
        }
        say(told);
      }
    }
    s_.deferred.erase(t);
    ts.inflight = 0;
    ts.timer = 0;
    ts.swallowed = 0;
    ts.wake_pending = 0;
    ts.cancel_requested = 0;
    s_.run_queue.erase(t);
    for (std::size_t r = sc_.resources.size(); r > 0; --r) {
      const auto res = ResourceId{static_cast<std::uint8_t>(r - 1)};
      while (ts.held[index(res)] > 0) {
        --ts.held[index(res)];
        say("guard of ", name(res), " dropped with the future -> ", release(res, 1));
      }
    }
    // JoinHandle: a task awaiting this one is woken (task/join.rs, harness.rs `complete`).
    for (std::size_t j = 0; j < sc_.tasks.size(); ++j) {
      const auto joiner = TaskId{static_cast<std::uint8_t>(j)};
      const TaskState& js = s_.task(joiner);
      if (!js.live() || !js.inflight) continue;
      const Op& op = sc_.task(joiner).program[js.pc];
      if (op.kind == OpKind::kJoin && TaskId{op.target} == t) {
        say("join handle of ", name(t), " ready -> ", issue_wake(joiner));
      }
    }
  }

  const Scenario& sc_;
  State& s_;
  std::vector<std::string>* lines_;
};

}  // namespace

TokioModel::TokioModel(Scenario scenario) : scenario_(std::move(scenario)) {}

State TokioModel::initial_state() const {
  State s;
  for (std::size_t r = 0; r < scenario_.resources.size(); ++r) {
    s.semaphores[r] = Semaphore(scenario_.resources[r].permits);
  }
  // The block_on future is polled first (current_thread.rs: `woken` starts true).
  s.task(kMainTask).status = TaskStatus::kScheduled;
  s.phase = Phase::kTop;
  for (std::size_t k = 0; k < kFaultKinds; ++k) s.faults_left[k] = scenario_.faults[k].budget;
  return s;
}

void TokioModel::enabled_events(const State& s, std::vector<Event>& events) const {
  const std::size_t n = scenario_.tasks.size();
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
      } else if (s.ticks >= kEventInterval) {
        next = Event{EventKind::kPark, kMainTask};  // end of a 61-poll batch: park_yield
      } else if (!s.run_queue.empty()) {
        next = Event{EventKind::kPoll, s.run_queue.front()};
      } else if (!s.deferred.empty() || main_woken) {
        next = Event{EventKind::kPark, kMainTask};
      }
    }
    if (next) {
      events.push_back(*next);
    } else {
      // Parked with nothing to run: any pending timer may be the next to fire.
      for (std::size_t i = 0; i < n; ++i) {
        const auto t = TaskId{static_cast<std::uint8_t>(i)};
        if (s.task(t).timer == 1) events.push_back({EventKind::kTimer, t});
      }
    }
  } else {
    for (std::size_t i = 0; i < n; ++i) {
      const auto t = TaskId{static_cast<std::uint8_t>(i)};
      if (s.task(t).wake_pending) events.push_back({EventKind::kWake, t});
    }
    for (std::size_t i = 0; i < n; ++i) {
      const auto t = TaskId{static_cast<std::uint8_t>(i)};
      if (s.task(t).status == TaskStatus::kScheduled) events.push_back({EventKind::kPoll, t});
    }
    for (std::size_t i = 0; i < n; ++i) {
      const auto t = TaskId{static_cast<std::uint8_t>(i)};
      if (s.task(t).timer == 1) events.push_back({EventKind::kTimer, t});
    }
  }
  // Environment faults, bounded by their budgets; they may strike any eligible task at any point.
  for (std::size_t k = 0; k < kFaultKinds; ++k) {
    if (s.faults_left[k] == 0) continue;
    const auto kind = static_cast<FaultKind>(k);
    const auto& eligible = scenario_.faults[k].tasks;
    for (std::size_t i = 0; i < n && i < eligible.size(); ++i) {
      if (!eligible[i]) continue;
      const auto t = TaskId{static_cast<std::uint8_t>(i)};
      const TaskState& ts = s.task(t);
      if (!ts.live()) continue;
      switch (kind) {
        case FaultKind::kPause:
          if (!ts.paused && scenario_.task(t).wrapper != Wrapper::kNone) {
            events.push_back({EventKind::kPause, t});
          }
          break;
        case FaultKind::kResume:
          if (ts.paused) events.push_back({EventKind::kResume, t});
          break;
        case FaultKind::kDrop: events.push_back({EventKind::kDrop, t}); break;
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
  return std::string(to_string(event.kind)) + " " + scenario_.task(event.task).name;
}

}  // namespace wakecheck::model
