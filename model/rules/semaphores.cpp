// The batch-semaphore family (sync/batch_semaphore.rs and what is built on it): Mutex, Semaphore
// and RwLock acquires and releases (sync/mutex.rs, semaphore.rs, rwlock.rs), select! over a lock
// future (macros/select.rs), a lock future handed to another task, OnceCell::get_or_init
// (sync/once_cell.rs) and the bounded mpsc channel's slots (sync/mpsc/bounded.rs, chan.rs).
#include <algorithm>

#include "model/rules/step.hpp"

namespace wakecheck::model::rules {
namespace {

std::string ordinal_waiters(std::size_t n) { return n == 1 ? "1 waiter" : std::to_string(n) + " waiters"; }

/// How a select! poll began, in its narration: "" when at its first branch; otherwise (tokio's
/// random start) at the other one, `ready(())` or the sleep.
const char* select_start(bool started_there, bool ready) {
  if (!started_there) return "";
  return ready ? " (unbiased, the ready branch first)" : " (unbiased, the sleep branch first)";
}

/// Polls node `w` of a semaphore for `n` permits (batch_semaphore.rs `Acquire::poll`): Ready and
/// Closed are answered by `ready()` and `closed()`; Pending gives nothing, and the caller says how
/// the future waits.
template <class Semaphore, class Ready, class Closed>
std::optional<Flow> poll_acquire(Semaphore sem, WaiterId w, std::uint8_t n, Ready ready, Closed closed) {
  switch (sem.poll_acquire(w, n)) {
    case SemaphorePoll::kReady: return ready();
    case SemaphorePoll::kClosed: return closed();
    case SemaphorePoll::kPending: break;
  }
  return std::nullopt;
}

}  // namespace

template <bool kNarrate>
Flow Step<kNarrate>::lock(TaskId t, ResourceId r, std::uint8_t n) {
  // mutex.rs `lock`, semaphore.rs `acquire_many`, rwlock.rs `read`/`write` ->
  // batch_semaphore.rs `Acquire::poll` for n permits.
  TaskState& ts = s_.task(t);
  const char* const op = op_word(sc_.task(t).program[ts.pc]);
  const Text word = text(op, " ", name(r));
  if (coop_yield(t, word)) return Flow::kPending;
  const auto sem = s_.semaphore(r);
  const auto w = waiter_of(t);
  const bool was_queued = sem.node(w).queued != 0;
  const std::size_t ahead = sem.queue().size();
  const std::uint8_t before = sem.available();
  const auto done = poll_acquire(
      sem, w, n,
      [&] {
        add_held(t, r, n);
        coop_spend();
        say(Tag{EffectKind::kAcquire, op, r}, word,
            !was_queued ? " -> acquired"
            : n == 1    ? " -> acquired (the permit was assigned to it by a release)"
                        : " -> acquired (the permits were assigned to it by releases)");
        return Flow::kNext;
      },
      [&] {
        // Err(Closed): the Acquire is dropped, giving back anything assigned before the close.
        say(Tag{EffectKind::kFail, op, r}, word, " -> Err(Closed)", drop_node(r, w));
        return Flow::kNext;
      });
  if (done) return *done;
  ts.inflight = 1;
  const Tag waits{EffectKind::kWait, op, r};
  if (was_queued) {
    say(waits, word, " -> still waiting");
  } else if (ahead == 0) {
    say(waits, word, " -> pending: queued as the only waiter",
        before > 0 ? text(" (took the ", std::to_string(before), " available, needs ",
                          std::to_string(sem.node(w).need), " more)")
                   : text(n == 1 ? " (the permit is taken)" : " (no permit available)"));
  } else {
    say(waits, word, " -> pending: queued behind ", ordinal_waiters(ahead));
  }
  return Flow::kPending;
}

template <bool kNarrate>
Flow Step<kNarrate>::unlock(TaskId t, const Op& op) {
  const auto r = resource_at(op.a);
  const char* const verb = op_word(op);
  const Tag released{EffectKind::kRelease, verb, r};
  if (sc_.resource(r).kind == ResourceKind::kBargingMutex) {
    say(released, verb, " ", name(r), " -> ", barging_unlock(t, r));
    return Flow::kNext;
  }
  const std::uint8_t n = std::min(permits_of(op, t), s_.held(t, r));
  if (n == 0) {
    say(released, verb, " ", name(r), " -> no ", words(sc_.resource(r).kind).held, " held (nothing to release)");
    return Flow::kNext;
  }
  take_held(t, r, n);
  say(released, verb, " ", name(r), " -> ", release(r, n));
  return Flow::kNext;
}

template <bool kNarrate>
Flow Step<kNarrate>::try_lock(TaskId t, const Op& op) {
  // mutex.rs `try_lock` = `try_acquire(1)` (rwlock: try_read 1, try_write all): no queue, no coop.
  const auto r = resource_at(op.a);
  const std::uint8_t n = permits_of(op, t);
  bool ok = false;
  if (sc_.resource(r).kind == ResourceKind::kBargingMutex) {
    ok = s_.std_owner(r) == 0;
    if (ok) s_.std_owner(r) = static_cast<std::uint8_t>(index(t) + 1);
  } else {
    ok = s_.semaphore(r).try_acquire(n);
    if (ok) add_held(t, r, n);
  }
  if (op.b != 0) set_var(op.b - 1U, ok ? 1 : 0);
  const char* word = op_word(op);
  say(Tag{ok ? EffectKind::kAcquire : EffectKind::kFail, word, r}, word, " ", name(r),
      ok ? " -> Ok (guard)" : " -> Err (no permit available)",
      op.b != 0 ? text("; ", variable_name(op.b - 1U), " = ", ok ? "true" : "false") : Text{});
  return Flow::kNext;
}

// --- a lock future moved between tasks (S21) -----------------------------------------------------
// The node stays the first task's (waiter_of(x)); the receiver's first poll stores its own waker in
// it (batch_semaphore.rs Acquire::poll: `will_wake` fails, the waker is replaced), so later releases
// wake the receiver, never the task that created the future.

/// The task a wake of node `w` reaches: the node's owner, or the task it was handed to.
template <bool kNarrate>
TaskId Step<kNarrate>::wakee(WaiterId w) const {
  const TaskId t = task_of(w);
  if (!is_kept(w) && s_.task(t).handed_to != 0) return task_at(s_.task(t).handed_to - 1U);
  return t;
}

template <bool kNarrate>
Flow Step<kNarrate>::hand_lock(TaskId t, const Op& op) {
  const auto r = resource_at(op.a);
  const auto to = task_at(op.b);
  Text told = text("hand_lock ", name(r), " to ", name(to));
  switch (s_.semaphore(r).poll_acquire(waiter_of(t), 1)) {
    case SemaphorePoll::kReady:
      s_.held(to, r) = static_cast<std::uint8_t>(s_.held(to, r) + 1);
      told += text(" -> the first poll acquired it: the finished future (its guard) goes to ", name(to));
      break;
    case SemaphorePoll::kClosed: told += text(" -> Err(Closed)"); break;
    case SemaphorePoll::kPending:
      told += text(" -> polled once: queued with ", name(t), "'s waker; the future moves to ", name(to));
      break;
  }
  s_.task(to).received = static_cast<std::uint8_t>(index(t) + 1);
  const TaskState& ts = s_.task(to);
  if (ts.live() && ts.inflight) told += text("; ", issue_wake(to));
  say(told);
  return Flow::kNext;
}

template <bool kNarrate>
Flow Step<kNarrate>::await_handed(TaskId t, ResourceId r) {
  TaskState& ts = s_.task(t);
  if (ts.received == 0) {
    if (!ts.inflight) say("await_lock ", name(r), " -> pending: no lock future received yet");
    ts.inflight = 1;
    return Flow::kPending;
  }
  const TaskId from = task_at(ts.received - 1U);
  const auto w = waiter_of(from);
  const auto sem = s_.semaphore(r);
  if (!sem.node(w).queued) {
    ts.received = 0;
    say("await_lock ", name(r), " -> ready (the future had acquired at its first poll)");
    return Flow::kNext;
  }
  const bool replaced = s_.task(from).handed_to == 0;
  s_.task(from).handed_to = static_cast<std::uint8_t>(index(t) + 1);
  const auto done = poll_acquire(
      sem, w, 1,
      [&] {
        add_held(t, r, 1);
        ts.received = 0;
        s_.task(from).handed_to = 0;
        say("await_lock ", name(r), " -> acquired (the permit was assigned to the future ", name(from), " created)");
        return Flow::kNext;
      },
      [&] {
        ts.received = 0;
        s_.task(from).handed_to = 0;
        say("await_lock ", name(r), " -> Err(Closed)", drop_node(r, w));
        return Flow::kNext;
      });
  if (done) return *done;
  ts.inflight = 1;
  say("await_lock ", name(r), " -> pending",
      replaced ? text("; the node's waker is replaced: releases now wake ", name(t), ", not ", name(from)) : Text{});
  return Flow::kPending;
}

// --- select! { biased; _ = &mut lock_fut => .., _ = sleep(..) => .. } (macros/select.rs) ---------
// The lock future has its own waiter node (kept_waiter_of): polled first on each poll of the
// select. When the sleep wins, the lock future is dropped, unless it was given as `&mut fut`: then
// it stays alive, queued and unpolled while the task goes on; a release may hand it the permit,
// which nobody polls: the futurelock.

template <bool kNarrate>
Flow Step<kNarrate>::select(TaskId t, const Op& op) {
  // select! over a lock future (a mutex's lock, a semaphore's acquire, an rwlock's read or write)
  // and a sleep or an always-ready `ready(())`. Biased, the lock branch is polled first; unbiased,
  // a poll may start at the other branch (tokio picks a random start on every poll; the checker
  // explores both: kPollSleepFirst). A lost lock future is dropped, or kept alive unpolled if it
  // is `&mut fut`.
  if ((op.b & kSelectNotified) != 0) return select_notified(t, op);
  TaskState& ts = s_.task(t);
  const auto r = resource_at(op.a);
  const auto sem = s_.semaphore(r);
  const auto w = kept_waiter_of(t);
  const bool keep = (op.b & kSelectKeep) != 0;
  const bool unbiased = (op.b & kSelectUnbiased) != 0;
  const bool ready = (op.b & kSelectReady) != 0;
  const std::uint8_t n = (op.b & kSelectWrite) != 0 ? sc_.resource(r).permits : std::uint8_t{1};
  const bool sends = sc_.resource(r).kind == ResourceKind::kMpsc;  // a bounded channel's slot, then the message
  const char* verb = sc_.resource(r).kind == ResourceKind::kSemaphore ? "acquire"
                     : sc_.resource(r).kind == ResourceKind::kRwLock  ? (n > 1 ? "write" : "read")
                     : sends                                          ? "send"
                                                                      : "lock";
  const char* other = ready ? "ready" : "sleep";
  auto won = [&](std::int8_t branch) {
    if (op.c != 0) set_var(op.c - 1U, branch);
  };
  // The other branch wins: the lock future is kept (alive, not polled) or dropped.
  auto other_wins = [&](bool started_there) {
    ts.clear_timer();
    won(1);
    const char* how = select_start(started_there, ready);
    if (keep) {
      const bool queued = sem.node(w).queued || sem.assigned(w) > 0;
      say("select", how, " -> the ", other, " branch wins; the ", verb, " future (&mut fut) stays alive",
          queued ? text(", queued on ", name(r), ", and is not polled") : text(" (never polled: not queued)"));
    } else {
      say("select", how, " -> the ", other, " branch wins; the ", verb, " future is dropped", drop_node(r, w));
    }
    return Flow::kNext;
  };
  if (starts_at_other(t, unbiased, ready || ts.timer == 2)) {
    // This poll starts at the other branch, which is ready: the lock branch is not polled, even
    // if its future was handed the permit.
    sleep_first_ = false;
    return other_wins(true);
  }
  sleep_first_ = false;
  const auto done = poll_acquire(
      sem, w, n,
      [&] {
        ts.clear_timer();
        won(0);
        if (sends) {
          const Text woken = deliver(r);
          say("select -> the send branch wins: a slot of ", name(r), ", message sent; the ", other,
              " branch is dropped", woken);
          return Flow::kNext;
        }
        add_held(t, r, n);
        say("select -> the ", verb, " branch wins: ", name(r), " acquired; the ", other, " branch is dropped");
        return Flow::kNext;
      },
      [&] {
        won(0);
        say("select -> the ", verb, " branch ends with Err(Closed)", drop_node(r, w));
        return Flow::kNext;
      });
  if (done) return *done;
  if (ready || ts.timer == 2) return other_wins(false);
  if (!ts.inflight) {
    ts.inflight = 1;
    start_sleep(t, op.ticks);
    say("select -> both pending: ", verb, " ", name(r), sends ? " waits for a slot" : " queued", ", sleep",
        ticks_words(op.ticks), " registered");
  } else {
    say("select -> still pending");
  }
  return Flow::kPending;
}

template <bool kNarrate>
Flow Step<kNarrate>::select_notified(TaskId t, const Op& op) {
  // select! { _ = notify.notified() => 0, _ = sleep(d) | ready(()) => 1 }: a fresh Notified on
  // each select!, registered in the waiter list while the select is pending. When the other
  // branch wins, Notified::drop runs: it leaves the list, forwards a notify_one it was handed,
  // and loses a notify_waiters (which stores nothing).
  TaskState& ts = s_.task(t);
  const auto r = resource_at(op.a);
  const auto n = s_.notify(r);
  const bool unbiased = (op.b & kSelectUnbiased) != 0;
  const bool ready = (op.b & kSelectReady) != 0;
  const char* other = ready ? "ready" : "sleep";
  auto won = [&](std::int8_t branch) {
    if (op.c != 0) set_var(op.c - 1U, branch);
  };
  auto other_wins = [&](bool started_there) {
    ts.clear_timer();
    won(1);
    const auto dropped = drop_notified(t, r);
    const char* how = select_start(started_there, ready);
    if (dropped.listed) {
      say("select", how, " -> the ", other, " branch wins; the notified future is dropped: it leaves the waiter list");
    } else if (dropped.handed == 1) {
      say("select", how, " -> the ", other, " branch wins; the notified future is dropped: its notify_one is forwarded -> ",
          notify_one(r));
    } else if (dropped.handed == 2) {
      say("select", how, " -> the ", other, " branch wins; the notified future is dropped: the notify_waiters it was given is lost");
    } else {
      say("select", how, " -> the ", other, " branch wins; the notified future is dropped");
    }
    return Flow::kNext;
  };
  auto notified_wins = [&](const char* why) {
    ts.clear_timer();
    won(0);
    say("select -> the notified branch wins", why, "; the ", other, " branch is dropped");
    return Flow::kNext;
  };
  if (starts_at_other(t, unbiased, ready || ts.timer == 2)) {
    sleep_first_ = false;
    return other_wins(true);
  }
  sleep_first_ = false;
  if (!ts.inflight) {
    if (n.permit() != 0) {
      n.permit() = 0;
      return notified_wins(" (a stored permit consumed)");
    }
    if (!n.waiters().contains(t)) n.waiters().push_back(t);
  } else if (n.notified(t) != 0) {
    n.notified(t) = 0;
    return notified_wins("");
  }
  if (ready || ts.timer == 2) return other_wins(false);
  if (!ts.inflight) {
    ts.inflight = 1;
    start_sleep(t, op.ticks);
    say("select -> both pending: notified ", name(r), " waiting, sleep", ticks_words(op.ticks), " registered");
  } else {
    say("select -> still pending");
  }
  return Flow::kPending;
}

template <bool kNarrate>
bool Step<kNarrate>::has_kept(TaskId t) const {
  for (std::size_t r = 0; r < sc_.resources.size(); ++r) {
    const auto sem = s_.semaphore(resource_at(r));
    if (sem.has_node(kept_waiter_of(t)) && sem.node(kept_waiter_of(t)).queued) return true;
  }
  return false;
}

/// Drops the lock future a select! kept; what it was assigned passes on.
template <bool kNarrate>
typename Step<kNarrate>::Text Step<kNarrate>::drop_kept(TaskId t) {
  bool rest = false;
  for (std::size_t c = 0; c < sc_.tasks.size(); ++c) {
    rest |= sc_.tasks[c].parent == index(t) && sc_.tasks[c].combinator == OpKind::kSelectAll && s_.tasks(c).live();
  }
  if (rest) {
    drop_children(t, OpKind::kSelectAll);
    return text("the futures select_all left alive are dropped");
  }
  Text kept;
  bool any = false;  // (Text is empty when the step does not narrate)
  for (std::size_t c = 0; c < sc_.tasks.size(); ++c) {
    if (sc_.tasks[c].parent != index(t) || !sc_.tasks[c].kept || !s_.tasks(c).live()) continue;
    kept += text(any ? ", " : "", sc_.tasks[c].name);
    any = true;
    drop_child(task_at(c));
  }
  if (any) return text("the kept futures ", kept, " are dropped");
  const auto w = kept_waiter_of(t);
  for (std::size_t r = 0; r < sc_.resources.size(); ++r) {
    const auto sem = s_.semaphore(resource_at(r));
    if (!sem.has_node(w) || !sem.node(w).queued) continue;
    const bool assigned = sem.assigned(w) > 0;
    return text("the kept lock future on ", sc_.resources[r].name, " is dropped",
                assigned ? ": its permit is returned" : ": it leaves the queue", drop_node(resource_at(r), w));
  }
  return text("no kept future");
}

// --- OnceCell::get_or_init (sync/once_cell.rs) -----------------------------------------------------
// The value flag is the Notify bytes' permit. The initializer runs holding the semaphore's one
// permit (here it sleeps); then the value is set, the semaphore closed (every waiter's acquire
// fails with Closed and reads the value) and the permit forgotten. If the initializing future is
// dropped, its permit is released to the oldest waiter, which runs its own initializer.

template <bool kNarrate>
Flow Step<kNarrate>::get_or_init(TaskId t, ResourceId r) {
  TaskState& ts = s_.task(t);
  const auto cell = s_.notify(r);
  const auto w = waiter_of(t);
  const Tag tag{EffectKind::kNote, "get_or_init", r};
  if (ts.phase == 1) {
    if (ts.timer != 2) {
      say(tag, "get_or_init ", name(r), " -> still initializing");
      return Flow::kPending;
    }
    ts.clear_timer();
    ts.phase = 0;
    cell.permit() = 1;
    take_held(t, r, 1);  // OnceCell::set_value: permit.forget()
    say(tag, "get_or_init ", name(r), " -> initialized: value set, semaphore closed", close(r));
    return Flow::kNext;
  }
  if (cell.permit() != 0 && !ts.inflight) {
    say(tag, "get_or_init ", name(r), " -> the value is set already");
    return Flow::kNext;
  }
  const bool was_queued = s_.semaphore(r).node(w).queued != 0;
  const auto done = poll_acquire(
      s_.semaphore(r), w, 1,
      [&] {
        add_held(t, r, 1);
        ts.phase = 1;
        start_sleep(t, 0);
        ts.inflight = 1;
        say(tag, "get_or_init ", name(r),
            was_queued ? " -> the permit was handed over: runs its own initializer (sleeps)"
                       : " -> permit taken: initializing (sleeps)");
        return Flow::kPending;
      },
      [&] {
        say(tag, "get_or_init ", name(r), " -> Err(Closed) from the acquire: the value is set; it is read",
            drop_node(r, w));
        return Flow::kNext;
      });
  if (done) return *done;
  ts.inflight = 1;
  say(tag, "get_or_init ", name(r), was_queued ? " -> still waiting" : " -> pending: another task is initializing");
  return Flow::kPending;
}

// --- bounded mpsc (sync/mpsc/bounded.rs, chan.rs): capacity is a batch semaphore ----------------
// Messages in flight are counted in the Notify bytes' permit; the receiver waiting for one is the
// only entry of their waiters.

template <bool kNarrate>
Flow Step<kNarrate>::send(TaskId t, ResourceId r) {
  TaskState& ts = s_.task(t);
  if (coop_yield(t, text("send ", name(r)))) {
    ts.inflight = 1;
    return Flow::kPending;
  }
  const auto w = waiter_of(t);
  const bool was_queued = s_.semaphore(r).node(w).queued != 0;
  const auto done = poll_acquire(
      s_.semaphore(r), w, 1,
      [&] {
        coop_spend();
        const Text woken = deliver(r);
        say(Tag{EffectKind::kAcquire, "send", r}, "send ", name(r),
            was_queued ? " -> slot assigned earlier; message sent" : " -> message sent", woken);
        return Flow::kNext;
      },
      [&] {
        say(Tag{EffectKind::kFail, "send", r}, "send ", name(r), " -> Err (closed)", drop_node(r, w));
        return Flow::kNext;
      });
  if (done) return *done;
  ts.inflight = 1;
  say(Tag{EffectKind::kWait, "send", r}, "send ", name(r),
      was_queued ? " -> still waiting for a slot" : " -> pending: the channel is full");
  return Flow::kPending;
}

/// `Acquire::drop` on node `w` of r: what it was assigned passes on to the oldest waiters, woken
/// in the version's order. Returns " -> assigned to X (oldest waiter); wake X issued" for each.
template <bool kNarrate>
typename Step<kNarrate>::Text Step<kNarrate>::drop_node(ResourceId r, WaiterId w) {
  WakeList wakes;
  s_.semaphore(r).drop_acquire(w, wakes);
  in_version_order(wakes);
  Text told;
  for (WaiterId next : wakes) {
    told += text(" -> assigned to ", name(task_of(next)), " (oldest waiter); ", issue_wake(wakee(next)));
  }
  return told;
}

/// Semaphore::release gives a batch's wakes in 1.24.2's order (reverse); since 1.38 they are woken
/// FIFO.
template <bool kNarrate>
void Step<kNarrate>::in_version_order(WakeList& wakes) const {
  if (sc_.version == TokioVersion::k1_24) return;
  WakeList fifo;
  for (std::size_t i = wakes.size(); i > 0; --i) fifo.push_back(wakes[i - 1]);
  wakes = fifo;
}

/// release(n) on r and the wakes it issues; returns the narration of what happened.
template <bool kNarrate>
typename Step<kNarrate>::Text Step<kNarrate>::release(ResourceId r, std::uint8_t n) {
  const auto sem = s_.semaphore(r);
  WakeList wakes;
  sem.release(n, wakes);
  in_version_order(wakes);
  const ResourceWords w = words(sc_.resource(r).kind);
  const std::string_view unit = w.unit;
  Text told;
  if (wakes.empty()) {
    told = sem.queue().empty() ? text(unit, " returned (available ", std::to_string(sem.available()), ")")
                               : text(unit, " assigned to the oldest waiter, which needs more");
  }
  for (WaiterId node : wakes) {
    const auto woken = task_of(node);
    const auto to = wakee(node);
    this->handed(woken);
    told += text(told.empty() ? "" : "; ", unit, " assigned to ", name(woken),
                 is_kept(node) ? text("'s kept ", std::string_view(w.future)) : Text{},
                 to != woken ? text("'s ", std::string_view(w.future), " (now awaited by ", name(to), ")") : Text{},
                 " (oldest waiter); ", issue_wake(to));
  }
  return told;
}

/// `Semaphore::close` on r and the wakes it issues: "; wake X issued" for each waiter.
template <bool kNarrate>
typename Step<kNarrate>::Text Step<kNarrate>::close(ResourceId r) {
  WakeList wakes;
  s_.semaphore(r).close(wakes);
  Text told;
  for (WaiterId w : wakes) told += text("; ", issue_wake(wakee(w)));
  return told;
}

template class Step<true>;
template class Step<false>;

}  // namespace wakecheck::model::rules
