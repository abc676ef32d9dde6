// The program interpreter: a poll runs the task's operations until one awaits and is Pending;
// variables, control flow, spawns, joins, pauses, aborts, drops, nested wrapped futures.
#include <algorithm>

#include "model/rules/step.hpp"

namespace wakecheck::model::rules {
namespace {

const char* finished_word(TaskStatus status) {
  switch (status) {
    case TaskStatus::kComplete: return "finished";
    case TaskStatus::kCancelled: return "was cancelled";
    case TaskStatus::kDropped: return "was dropped";
    case TaskStatus::kFailed: return "failed";
    default: return "is running";
  }
}

}  // namespace

template <bool kNarrate>
void Step<kNarrate>::run_program(TaskId t) {
  TaskState& ts = s_.task(t);
  const auto& program = sc_.task(t).program;
  std::size_t steps = 0;
  // Polling the inner future discharges what its wrappers owed to earlier wakes.
  for (std::size_t f = 0; f < sc_.futures.size(); ++f) {
    if (sc_.futures[f].task == index(t) && (f == index(t) || f + 1 == ts.region)) s_.set_swallowed(f, false);
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
        // time/timeout.rs: the inner future is polled first; still pending after the deadline,
        // it is dropped and the timeout returns Elapsed.
        if (ts.region != 0 && ts.deadline == 2 && sc_.futures[ts.region - 1U].wrapper == Wrapper::kTimeout) {
          say("timeout of ", future_name(ts.region - 1U), " elapsed: the inner future is dropped");
          cancel_nested(t);
          continue;
        }
        // Inside block_on (or block_in_place) the thread blocks instead of returning: the guard
        // is not held across an await of the task. main's future (and its branches) need not be
        // Send, so Rust lets main hold a guard across an await; a spawned task cannot.
        if (holds_std_mutex(t) && s_.task(sc_.runner(t)).blocked == 0 && sc_.runner(t) != kMainTask) {
          fail(t, Failure::kStdMutexAcrossAwait);
        }
        return;
      case Flow::kStop: return;
    }
  }
  say("finished");
  drop_future(t, TaskStatus::kComplete);  // core.rs: the output is stored, the future dropped
}

template <bool kNarrate>
bool Step<kNarrate>::holds_std_mutex(TaskId t) const {
  for (std::size_t r = 0; r < sc_.resources.size(); ++r) {
    if (sc_.resources[r].kind == ResourceKind::kStdMutex && s_.std_owner(resource_at(r)) == index(t) + 1) return true;
  }
  return false;
}

template <bool kNarrate>
typename Step<kNarrate>::Text Step<kNarrate>::unblock_std(ResourceId r) {
  Text woken;
  for (std::size_t i = 0; i < sc_.tasks.size(); ++i) {
    TaskState& ts = s_.tasks(i);
    if (ts.blocked == 0) continue;
    const auto x = task_at(ts.blocked - 1U);
    if (std_waits_on(s_, sc_, x) != r) continue;
    ts.block_woken = 1;
    woken += text(" -> the thread of ", name(x), ", blocked in std_lock ", name(r), ", wakes");
  }
  return woken;
}

template <bool kNarrate>
void Step<kNarrate>::fail(TaskId t, Failure failure) {
  say("model error: ", to_string(failure));
  drop_future(t, TaskStatus::kFailed);
  s_.task(t).failure = failure;
}

template <bool kNarrate>
typename Step<kNarrate>::Text Step<kNarrate>::value_text(std::int32_t value, std::size_t variable) const {
  if (sc_.variables[variable].boolean) return text(value != 0 ? "true" : "false");
  return text(std::to_string(value));
}

template <bool kNarrate>
typename Step<kNarrate>::Text Step<kNarrate>::variable_name(std::size_t v) const {
  const auto& spec = sc_.variables[v];
  return spec.task ? text(sc_.tasks[*spec.task].name, ".", spec.name) : text(spec.name);
}

/// Runs one operation of `t`'s program (or of its on_drop handler).
template <bool kNarrate>
Flow Step<kNarrate>::run_op(TaskId t, const Op& op) {
  TaskState& ts = s_.task(t);
  const auto r = resource_at(op.a);
  const auto other = task_at(op.a);
  switch (op.kind) {
    case OpKind::kLock:
      if (sc_.resource(r).kind == ResourceKind::kBargingMutex) return barging_lock(t, r);
      return lock(t, r, permits_of(op, t));
    case OpKind::kUnlock: return unlock(t, op);
    case OpKind::kTryLock: return try_lock(t, op);
    case OpKind::kAddPermits:
      say(Tag{EffectKind::kRelease, "add_permits", r}, "add_permits ", name(r), " ", std::to_string(op.b), " -> ",
          release(r, op.b));
      return Flow::kNext;
    case OpKind::kForget: {
      const std::uint8_t n = std::min(op.b, s_.held(t, r));
      take_held(t, r, n);
      say(Tag{EffectKind::kRelease, "forget", r}, "forget ", std::to_string(n), " permit", n == 1 ? "" : "s", " of ",
          name(r), " (they leave for good)");
      return Flow::kNext;
    }
    case OpKind::kClose:
      say(Tag{EffectKind::kFail, "close", r}, "close ", name(r), " -> closed", close(r));
      return Flow::kNext;
    case OpKind::kSend: return send(t, r);
    case OpKind::kGetOrInit: return get_or_init(t, r);
    case OpKind::kSelect: return select(t, op);
    case OpKind::kDropKept:
      say("drop_kept -> ", drop_kept(t));
      return Flow::kNext;
    case OpKind::kRecv: return recv(t, op);
    case OpKind::kPut: return put(t, r);
    case OpKind::kChanged: return changed(t, op);
    case OpKind::kJoinAll: return join_all(t, op);
    case OpKind::kHandLock: return hand_lock(t, op);
    case OpKind::kAwaitHanded: return await_handed(t, r);
    case OpKind::kStartSet:
      start_children(op);
      say("the set is created with ", child_names(op, true), refill_note(op));
      return Flow::kNext;
    case OpKind::kNextChild: return next_child(t, op);
    case OpKind::kSelectAll: return select_all(t, op);
    case OpKind::kSelectBranches: return select_branches(t, op);
    case OpKind::kAwaitBranch: return await_branch(t, op);
    case OpKind::kAwaitShared: return await_shared(t, op);
    case OpKind::kDropBranch:
      say("drop(", sc_.tasks[op.a].name, ") -> ", drop_branch(task_at(op.a)));
      return Flow::kNext;
    case OpKind::kBlockBegin:
      s_.task(sc_.runner(t)).blocked = static_cast<std::uint8_t>(index(t) + 1);
      if (op.a == 1) {
        say("futures::executor::block_on: the thread blocks on this future and keeps its core: ",
            multi() && !single_worker() ? text("this worker runs nothing else")
            : single_worker() && sc_.runner(t) != kMainTask
                ? text("the only worker runs no other task and fires no timer (main runs on its own thread)")
                : text("the runtime's thread runs no other task, no timer and no main"),
            " until it finishes");
      } else {
        say("block_in_place: the thread leaves the scheduler and runs only this future (block_on)",
            sc_.is_child(t) ? text("; ", name(sc_.runner(t)), "'s other futures are not polled meanwhile") : Text{});
      }
      return Flow::kNext;
    case OpKind::kBlockEnd: {
      TaskState& rs = s_.task(sc_.runner(t));
      rs.blocked = 0;
      rs.block_woken = 0;
      say(op.a == 1 ? "block_on finished: the thread is the runtime's again" : "block_on finished: block_in_place returns");
      return Flow::kNext;
    }
    case OpKind::kSleep:
      if (!ts.inflight) {
        ts.inflight = 1;
        start_sleep(t, op.ticks);
        say("sleep", ticks_words(op.ticks), " -> pending (timer registered)");
        return Flow::kPending;
      }
      if (ts.timer == 2) {
        ts.clear_timer();
        say("sleep -> elapsed");
        return Flow::kNext;
      }
      say("sleep -> still pending");
      return Flow::kPending;
    case OpKind::kYieldNow:
      // task/yield_now.rs: the first poll defers the wake (context::defer) and returns Pending;
      // the next poll is Ready. multi_thread: any order is possible, so the wake is issued at once.
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
    case OpKind::kCreateNotified:
      s_.notify(r).created(t) = 1;
      say("create_notified ", name(r), " -> a Notified future (not polled: it only notes the notify_waiters count)");
      return Flow::kNext;
    case OpKind::kEnable:
      say("enable ", name(r), " -> ", enable(t, r));
      return Flow::kNext;
    case OpKind::kNotifyOne:
      say(Tag{EffectKind::kNotify, "notify_one", r}, "notify_one ", name(r), " -> ", notify_one(r));
      return Flow::kNext;
    case OpKind::kNotifyWaiters:
      say(Tag{EffectKind::kNotify, "notify_waiters", r}, "notify_waiters ", name(r), " -> ", notify_waiters(r));
      return Flow::kNext;
    case OpKind::kStdLock: {
      std::uint8_t& owner = s_.std_owner(r);
      if (owner == index(t) + 1) {
        fail(t, Failure::kStdMutexRelock);
        return Flow::kStop;
      }
      TaskState& rs = s_.task(sc_.runner(t));
      if (owner != 0) {
        // Held by a task whose thread is blocked (in block_on, or in this same kind of lock)
        // while it holds the guard: this thread blocks in the lock call, keeping its core, until
        // the guard is dropped. The poll is not over: it goes on when the lock is taken.
        const bool first = !ts.inflight;
        ts.inflight = 1;
        if (rs.blocked == 0) rs.blocked = static_cast<std::uint8_t>(index(t) + 1);
        rs.block_woken = 0;
        if (first) {
          say(Tag{EffectKind::kAcquire, "std_lock", r}, "std_lock ", name(r), " -> held by ", name(task_at(owner - 1U)),
              ": the thread blocks in the lock and keeps its core");
        } else {
          say("std_lock ", name(r), " -> still held by ", name(task_at(owner - 1U)), ": the thread blocks again");
        }
        return Flow::kStop;
      }
      owner = static_cast<std::uint8_t>(index(t) + 1);
      if (ts.inflight && rs.blocked == index(t) + 1 && !in_block_region(sc_.task(t).program, ts.pc)) {
        rs.blocked = 0;
        rs.block_woken = 0;
      }
      say(Tag{EffectKind::kAcquire, "std_lock", r}, "std_lock ", name(r), " -> locked",
          ts.inflight ? text(" (the blocked thread takes it and goes on)") : Text{});
      return Flow::kNext;
    }
    case OpKind::kStdUnlock: {
      std::uint8_t& owner = s_.std_owner(r);
      if (owner != index(t) + 1) {
        say(Tag{EffectKind::kRelease, "std_unlock", r}, "std_unlock ", name(r), " -> not held (no effect)");
      } else {
        owner = 0;
        say(Tag{EffectKind::kRelease, "std_unlock", r}, "std_unlock ", name(r), unblock_std(r));
      }
      return Flow::kNext;
    }
    case OpKind::kPause:
      s_.set_paused(op.a, true);
      say("pause ", future_name(op.a), " (stop flag set)", already_owns(task_at(sc_.futures[op.a].task)));
      return Flow::kNext;
    case OpKind::kResume: resume(op.a, "resume "); return Flow::kNext;
    case OpKind::kDrop:
      if (!s_.task(other).live()) {
        say("drop ", name(other), " -> no effect (not running)");
        return Flow::kNext;
      }
      say("drop ", name(other), "'s future");
      drop_future(other, TaskStatus::kDropped);
      return other == t ? Flow::kStop : Flow::kNext;
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
        say(variable_name(op.a), " = ", std::to_string(value), " -> outside ", std::to_string(spec.min), "..",
            std::to_string(spec.max));
        fail(t, Failure::kOutOfRange);
        return Flow::kStop;
      }
      set_var(op.a, value);
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
    case OpKind::kReturn:
      say("return");
      say("finished");
      drop_future(t, TaskStatus::kComplete);
      return Flow::kStop;
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
        ts.deadline_left = sc_.futures[op.a].after;
        this->schedule_note(t, ScheduleChange::kDeadlineSet);
        say("timeout around ", future_name(op.a), " starts (deadline set", ticks_words(ts.deadline_left, " in "), ")");
        return Flow::kNext;
      }
      if (!paused_here(op.a)) return Flow::kNext;
      // Paused before it started: pausable returns Pending at once; drop_on_pause cancels it.
      if (w == Wrapper::kPausable) {
        say(Tag{EffectKind::kWrapper}, "swallowed: ", future_name(op.a),
            " is paused, inner future not polled (it had not started)");
        ++ts.pc;
        return Flow::kPending;
      }
      say(Tag{EffectKind::kWrapper}, "paused: the wrapper of ", future_name(op.a),
          " drops its inner future before it starts");
      cancel_nested(t);
      return Flow::kJumped;
    }
    case OpKind::kWrapEnd:
      ts.region = 0;
      ts.clear_deadline();
      for (std::size_t res = 0; res < sc_.resources.size(); ++res) s_.region_held(t, resource_at(res)) = 0;
      s_.set_swallowed(op.a, false);
      return Flow::kNext;
  }
  return Flow::kNext;
}

/// Permits an operation takes or gives: explicit, or the kind's usual (a rwlock's unlock gives
/// back what the task holds: all of them for a writer, one for a reader).
template <bool kNarrate>
std::uint8_t Step<kNarrate>::permits_of(const Op& op, TaskId t) const {
  if (op.c != 0) return op.c;
  const auto& spec = sc_.resource(resource_at(op.a));
  if (spec.kind == ResourceKind::kRwLock && op.kind == OpKind::kUnlock) {
    return s_.held(t, resource_at(op.a)) >= spec.permits ? spec.permits : 1;
  }
  return 1;
}

template <bool kNarrate>
const char* Step<kNarrate>::op_word(const Op& op) const {
  return op_verb(sc_, op);
}

template <bool kNarrate>
void Step<kNarrate>::add_held(TaskId t, ResourceId r, std::uint8_t n) {
  s_.held(t, r) = static_cast<std::uint8_t>(s_.held(t, r) + n);
  if (s_.task(t).region != 0) s_.region_held(t, r) = static_cast<std::uint8_t>(s_.region_held(t, r) + n);
}

template <bool kNarrate>
void Step<kNarrate>::take_held(TaskId t, ResourceId r, std::uint8_t n) {
  s_.held(t, r) = static_cast<std::uint8_t>(s_.held(t, r) - n);
  std::uint8_t& nested = s_.region_held(t, r);
  nested = static_cast<std::uint8_t>(nested - std::min(n, nested));
}

template class Step<true>;
template class Step<false>;

}  // namespace wakecheck::model::rules
