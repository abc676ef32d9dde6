// Channels' receiving side and the sends that never wait (tokio 1.24.2):
//
//   - mpsc (sync/mpsc/chan.rs): `recv` takes the oldest message; with none it registers the
//     receiver's waker (one AtomicWaker) and returns Pending; once every Sender is dropped and
//     nothing is left it returns None. A bounded channel's slot goes back to its semaphore
//     (bounded.rs); an unbounded one's `send` never waits (unbounded.rs).
//   - oneshot (sync/oneshot.rs): `send` stores the value and wakes the receiver; dropping the
//     Sender without sending closes it, and the receiver gets Err(RecvError).
//   - watch (sync/watch.rs): `send` bumps the version and wakes every `changed()` waiter (a
//     Notify's notify_waiters); `changed()` is ready once the version differs from the one the
//     receiver saw last, and Err once the Sender is dropped with nothing new.
//
// The state: a channel's Notify bytes hold the messages in flight (permit; a oneshot: its value)
// and the waiting receivers (waiters); a watch receiver's unseen change is its `notified` flag.
// A channel is closed when every task named as its sender has finished (model::channel_closed).
#include "model/queries.hpp"
#include "model/rules/step.hpp"

namespace wakecheck::model::rules {

template <bool kNarrate>
Flow Step<kNarrate>::recv(TaskId t, const Op& op) {
  TaskState& ts = s_.task(t);
  const auto r = resource_at(op.a);
  const auto ch = s_.notify(r);
  const ResourceKind kind = sc_.resource(r).kind;
  const char* verb = kind == ResourceKind::kOneshot ? "recv (rx.await)" : "recv";
  if (coop_yield(t, text(verb, " ", name(r)))) {
    ts.inflight = 1;
    return Flow::kPending;
  }
  auto result = [&](bool got) {
    if (op.b != 0) set_var(op.b - 1U, got ? 1 : 0);
  };
  if (ch.permit() > 0) {
    coop_spend();
    --ch.permit();
    ch.waiters().erase(t);
    result(true);
    if (kind == ResourceKind::kMpsc) {
      say(Tag{EffectKind::kRelease, "recv", r}, "recv ", name(r), " -> a message; its slot goes back: ", release(r, 1));
    } else {
      say(Tag{EffectKind::kAcquire, "recv", r}, verb, " ", name(r),
          kind == ResourceKind::kOneshot ? " -> Ok: the value" : " -> a message");
    }
    return Flow::kNext;
  }
  if (channel_closed(s_, sc_, r)) {
    ch.waiters().erase(t);
    result(false);
    say(Tag{EffectKind::kFail, "recv", r}, verb, " ", name(r),
        kind == ResourceKind::kOneshot ? " -> Err(RecvError): the sender was dropped without sending"
                                       : " -> None: every sender is dropped and no message is left");
    return Flow::kNext;
  }
  if (!ch.waiters().contains(t)) ch.waiters().push_back(t);
  ts.inflight = 1;
  say(Tag{EffectKind::kWait, "recv", r}, verb, " ", name(r), kind == ResourceKind::kOneshot ? " -> pending: no value yet" : " -> pending: no message");
  return Flow::kPending;
}

template <bool kNarrate>
Flow Step<kNarrate>::put(TaskId t, ResourceId r) {
  const auto ch = s_.notify(r);
  const ResourceKind kind = sc_.resource(r).kind;
  const Tag tag{EffectKind::kNotify, "send", r};
  if (kind == ResourceKind::kWatch) {
    // Sender::send: the version moves on; every receiver has a change it has not seen, and the
    // waiters of `changed()` are woken (notify_waiters).
    const auto& watching = f_.watchers[index(r)];
    for (std::size_t w = 0; w < watching.size(); ++w) {
      if (watching[w] && s_.tasks(w).live()) ch.notified(task_at(w)) = 1;
    }
    Text told;
    const auto waiters = ch.waiters();
    while (!waiters.empty()) {
      const TaskId w = waiters.front();
      waiters.erase(w);
      told += text("; ", issue_wake(w));
    }
    say(tag, "send ", name(r), " -> a new version", told.empty() ? text(" (nobody waits for a change)") : told);
    return Flow::kNext;
  }
  if (kind == ResourceKind::kUnbounded && ch.permit() == 255) {
    fail(t, Failure::kChannelOverflow);
    return Flow::kStop;
  }
  const Text woken = deliver(r);
  say(tag, "send ", name(r),
      kind == ResourceKind::kOneshot ? text(" -> the value is stored")
                                     : text(" -> message queued (", std::to_string(ch.permit()), " in the channel)"),
      woken);
  return Flow::kNext;
}

template <bool kNarrate>
typename Step<kNarrate>::Text Step<kNarrate>::deliver(ResourceId r) {
  const auto ch = s_.notify(r);
  ch.permit() = static_cast<std::uint8_t>(std::min(255, ch.permit() + 1));
  return ch.waiters().empty() ? Text{} : text("; ", issue_wake(ch.waiters().front()));
}

template <bool kNarrate>
Flow Step<kNarrate>::changed(TaskId t, const Op& op) {
  TaskState& ts = s_.task(t);
  const auto r = resource_at(op.a);
  const auto ch = s_.notify(r);
  auto result = [&](bool ok) {
    if (op.b != 0) set_var(op.b - 1U, ok ? 1 : 0);
  };
  if (ch.notified(t) != 0) {
    ch.notified(t) = 0;
    ch.waiters().erase(t);
    result(true);
    say(Tag{EffectKind::kAcquire, "changed", r}, "changed ", name(r), " -> Ok: a version not seen yet (now seen)");
    return Flow::kNext;
  }
  if (channel_closed(s_, sc_, r)) {
    ch.waiters().erase(t);
    result(false);
    say(Tag{EffectKind::kFail, "changed", r}, "changed ", name(r), " -> Err: the sender was dropped");
    return Flow::kNext;
  }
  if (!ch.waiters().contains(t)) ch.waiters().push_back(t);
  ts.inflight = 1;
  say(Tag{EffectKind::kWait, "changed", r}, "changed ", name(r), " -> pending: no new version");
  return Flow::kPending;
}

template <bool kNarrate>
void Step<kNarrate>::drop_senders(TaskId t) {
  for (std::size_t i = 0; i < sc_.resources.size(); ++i) {
    const auto& senders = sc_.resources[i].senders;
    const auto r = resource_at(i);
    if (std::find(senders.begin(), senders.end(), index(t)) == senders.end() || !channel_closed(s_, sc_, r)) continue;
    // The last Sender is dropped: chan.rs / oneshot.rs / watch.rs wake the receivers.
    Text told;
    const auto waiters = s_.notify(r).waiters();
    for (std::size_t k = 0; k < waiters.size(); ++k) told += text("; ", issue_wake(waiters[k]));
    say(Tag{EffectKind::kFail, "close", r}, "the last sender of ", name(r), " is dropped: the channel is closed", told);
  }
}

template class Step<true>;
template class Step<false>;

}  // namespace wakecheck::model::rules
