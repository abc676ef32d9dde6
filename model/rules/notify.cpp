// tokio::sync::Notify (sync/notify.rs, 1.24.2), and a barging mutex built on listeners
// (async_lock::Mutex 3.x with event-listener 5.x) to compare with tokio's fair one.
#include "model/rules/step.hpp"

namespace wakecheck::model::rules {

template <bool kNarrate>
Flow Step<kNarrate>::notified(TaskId t, ResourceId r) {
  TaskState& ts = s_.task(t);
  const auto n = s_.notify(r);
  const Tag ready{EffectKind::kAcquire, "notified", r};
  const Tag waits{EffectKind::kWait, "notified", r};
  if (!ts.inflight && n.created(t) >= kEnabledReady) {
    // The enabled Notified, awaited now: Done is ready; Waiting is ready once notified, else
    // it stays in the list and now has this task's waker.
    const bool done = n.created(t) == kEnabledReady || n.notified(t) != 0;
    n.created(t) = 0;
    if (done) {
      n.notified(t) = 0;
      say(ready, "notified ", name(r), " -> ready (the enabled future was notified)");
      return Flow::kNext;
    }
    ts.inflight = 1;
    say(waits, "notified ", name(r), " -> pending (enabled: already in the waiter list; now with a waker)");
    return Flow::kPending;
  }
  if (!ts.inflight) {
    // `Notified::poll` in Init: take a stored permit, else see whether notify_waiters was called
    // since the future was created, else register as a waiter. 1.24.2 tries the permit first (so
    // a future created before a notify_waiters eats a later notify_one's permit); 1.51 checks the
    // count first (#7996).
    const bool counted = n.created(t) == 2;
    n.created(t) = 0;
    if (counted && sc_.version != TokioVersion::k1_24) {
      say(ready, "notified ", name(r), " -> ready (notify_waiters was called since it was created)");
      return Flow::kNext;
    }
    if (n.permit() != 0) {
      n.permit() = 0;
      say(ready, "notified ", name(r), " -> ready (stored permit consumed",
          counted ? "; 1.24.2 takes it before seeing the notify_waiters call that already made it ready)" : ")");
      return Flow::kNext;
    }
    if (counted) {
      say(ready, "notified ", name(r), " -> ready (notify_waiters was called since it was created)");
      return Flow::kNext;
    }
    n.waiters().push_back(t);
    ts.inflight = 1;
    say(waits, "notified ", name(r), " -> pending (waiting)");
    return Flow::kPending;
  }
  if (n.notified(t) != 0) {
    n.notified(t) = 0;
    say(ready, "notified ", name(r), " -> ready");
    return Flow::kNext;
  }
  say(waits, "notified ", name(r), " -> still waiting");
  return Flow::kPending;
}

template <bool kNarrate>
typename Step<kNarrate>::DroppedNotified Step<kNarrate>::drop_notified(TaskId t, ResourceId r) {
  const auto n = s_.notify(r);
  DroppedNotified dropped;
  dropped.handed = n.notified(t);
  n.notified(t) = 0;
  dropped.listed = n.waiters().erase(t);
  return dropped;
}

template <bool kNarrate>
typename Step<kNarrate>::Text Step<kNarrate>::enable(TaskId t, ResourceId r) {
  // `Notified::enable` is `poll_notified(None)`: in Init it takes a stored permit or sees a
  // notify_waiters call since creation (Done), else it joins the waiter list with no waker; in
  // Waiting it becomes Done once notified. A later notification to it wakes nobody.
  const auto n = s_.notify(r);
  std::uint8_t& created = n.created(t);
  if (created == kEnabledReady) return text("ready already");
  if (created == kEnabledWaiting) {
    if (n.notified(t) == 0) return text("still waiting (no waker)");
    n.notified(t) = 0;
    created = kEnabledReady;
    return text("ready (it was notified)");
  }
  const bool counted = created == 2;
  if (counted && sc_.version != TokioVersion::k1_24) {
    created = kEnabledReady;
    return text("ready (notify_waiters was called since it was created)");
  }
  if (n.permit() != 0) {
    n.permit() = 0;
    created = kEnabledReady;
    return text("ready (stored permit consumed)");
  }
  if (counted) {
    created = kEnabledReady;
    return text("ready (notify_waiters was called since it was created)");
  }
  n.waiters().push_back(t);
  created = kEnabledWaiting;
  return text("in the waiter list, with no waker: a notification to it wakes nobody");
}

template <bool kNarrate>
typename Step<kNarrate>::Text Step<kNarrate>::notify_one(ResourceId r) {
  // `notify_one`: with waiters, hand the notification to the oldest and wake it; otherwise store
  // one permit (storing twice still stores one).
  const auto n = s_.notify(r);
  if (n.waiters().empty()) {
    n.permit() = 1;
    return text("nobody waits: one permit stored");
  }
  const TaskId w = n.waiters().pop_front();
  n.notified(w) = 1;
  this->handed(w);
  if (n.created(w) == kEnabledWaiting) {
    return text("notification handed to ", name(w), "'s enabled Notified (oldest waiter); it has no waker: nobody is woken");
  }
  return text("notification handed to ", name(w), " (oldest waiter); ", issue_wake(w));
}

template <bool kNarrate>
typename Step<kNarrate>::Text Step<kNarrate>::notify_waiters(ResourceId r) {
  // `notify_waiters`: every current waiter is notified; nothing is stored. 1.24.2 wakes the batch
  // in reverse (WakeList).
  const auto n = s_.notify(r);
  for (std::size_t t = 0; t < sc_.tasks.size(); ++t) {
    std::uint8_t& created = n.created(task_at(t));
    if (created == 1) created = 2;  // the call counter moves past every snapshot
  }
  if (n.waiters().empty()) return text("nobody waits (nothing stored)");
  const auto batch = n.waiters().template copy<kMaxTasks>();
  n.waiters().clear();
  Text told = text("notified");
  for (TaskId w : batch) {
    n.notified(w) = 2;
    told += text(" ", name(w));
  }
  for (std::size_t k = 0; k < batch.size(); ++k) {
    const TaskId w = sc_.version == TokioVersion::k1_24 ? batch[batch.size() - 1 - k] : batch[k];
    // An enabled Notified waits without a waker: notified, nobody woken.
    if (n.created(w) != kEnabledWaiting) told += text("; ", issue_wake(w));
  }
  return told;
}

// --- a barging mutex (async_lock::Mutex 3.x, event-listener 5.x) --------------------------------
// State: std_owner (holder + 1) and a listener list with per-listener "notified" marks (the
// Notify bytes). unlock frees the lock and notifies one listener unless one is notified already
// ("at least one notified"); a notified listener that finds the lock taken listens again; a
// newcomer may take a free lock first.

template <bool kNarrate>
Flow Step<kNarrate>::barging_lock(TaskId t, ResourceId r) {
  TaskState& ts = s_.task(t);
  std::uint8_t& owner = s_.std_owner(r);
  const auto listeners = s_.notify(r);
  if (owner == 0) {
    owner = static_cast<std::uint8_t>(index(t) + 1);
    listeners.waiters().erase(t);
    listeners.notified(t) = 0;
    say(Tag{EffectKind::kAcquire, "lock", r}, "lock ", name(r), " -> acquired");
    return Flow::kNext;
  }
  if (!listeners.waiters().contains(t)) listeners.waiters().push_back(t);
  const bool was_notified = listeners.notified(t) != 0;
  listeners.notified(t) = 0;
  ts.inflight = 1;
  say(Tag{EffectKind::kWait, "lock", r}, "lock ", name(r),
      was_notified ? " -> taken again by another task: listens again" : " -> pending: listening (the lock is taken)");
  return Flow::kPending;
}

template <bool kNarrate>
typename Step<kNarrate>::Text Step<kNarrate>::notify_a_listener(ResourceId r) {
  const auto listeners = s_.notify(r);
  for (TaskId l : listeners.waiters()) {
    if (listeners.notified(l) != 0) return text("a listener is notified already (no new notification)");
  }
  if (listeners.waiters().empty()) return text("no listener");
  const TaskId first = listeners.waiters().front();
  listeners.notified(first) = 1;
  return text("listener ", name(first), " notified; ", issue_wake(first));
}

template <bool kNarrate>
typename Step<kNarrate>::Text Step<kNarrate>::barging_unlock(TaskId t, ResourceId r) {
  std::uint8_t& owner = s_.std_owner(r);
  if (owner != index(t) + 1) return text("not held (no effect)");
  owner = 0;
  return text("lock freed; ", notify_a_listener(r));
}

template class Step<true>;
template class Step<false>;

}  // namespace wakecheck::model::rules
