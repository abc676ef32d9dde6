// Futures inside one task: join! (tokio macros/join.rs), FuturesUnordered and buffer_unordered
// (futures-util 0.3 stream/futures_unordered), select_all (futures-util future/select_all.rs).
//
// Children are task slots (TaskSpec::parent) polled only from their parent's poll, while the
// combinator is the parent's awaited operation. A child that was handed a permit while the parent
// awaits something else is not polled: the permit waits with it.
#include "model/rules/step.hpp"

namespace wakecheck::model::rules {

template <bool kNarrate>
typename Step<kNarrate>::Text Step<kNarrate>::child_names(const Op& op, bool started_only) const {
  Text names;
  for (std::size_t c = op.a; c < std::size_t{op.a} + op.b; ++c) {
    if (started_only && s_.tasks(c).status == TaskStatus::kNotSpawned) continue;
    names += text(names.empty() ? "" : ", ", sc_.tasks[c].name);
  }
  return names;
}

template <bool kNarrate>
typename Step<kNarrate>::Text Step<kNarrate>::refill_note(const Op& op) const {
  if (op.c == 0 || op.c >= op.b) return {};
  const bool ordered = (op.flags & kSetOrdered) != 0;
  return text(ordered ? " (buffered(" : " (buffer_unordered(", std::to_string(op.c), "): at most ", std::to_string(op.c),
              ordered ? " in flight or queued)" : " in flight)");
}

/// Starts a combinator's children afresh (the previous ones are dropped if still alive):
/// join!/select_all children start idle and are polled at once; a set's (kStartSet) are pushed
/// into its ready queue, at most op.c of them for buffer_unordered.
template <bool kNarrate>
void Step<kNarrate>::start_children(const Op& op) {
  const bool set = op.kind == OpKind::kStartSet;
  for (std::size_t c = op.a; c < std::size_t{op.a} + op.b; ++c) {
    if (s_.tasks(c).live()) drop_future(task_at(c), TaskStatus::kDropped);
    reset_child(task_at(c));
  }
  for (std::size_t c = op.a; c < std::size_t{op.a} + op.b; ++c) {
    if (set && op.c != 0 && c - op.a == op.c) break;
    s_.tasks(c).status = TaskStatus::kIdle;
    if (set) s_.ready_children().push_back(task_at(c));
  }
}

/// A child future made anew: nothing of the last one it replaces (which is not alive) is left.
template <bool kNarrate>
void Step<kNarrate>::reset_child(TaskId c) {
  s_.ready_children().erase(c);
  s_.task(c) = TaskState{};
  for (std::size_t r = 0; r < sc_.resources.size(); ++r) {
    s_.held(c, resource_at(r)) = 0;
    s_.region_held(c, resource_at(r)) = 0;
  }
}

/// Drops child future `c` (its destructors run as its own: what it holds or was handed goes back).
template <bool kNarrate>
void Step<kNarrate>::drop_child(TaskId c) {
  const auto was = this->enter_branch(c);
  drop_future(c, TaskStatus::kDropped);
  this->leave_branch(was);
}

/// macros/join.rs (1.24.2): every poll polls each unfinished branch, starting one further each time
/// (`skip_next_time`), until all are done.
template <bool kNarrate>
Flow Step<kNarrate>::join_all(TaskId t, const Op& op) {
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
    if (s_.tasks(c).live()) {
      say("join! -> pending");
      return Flow::kPending;
    }
  }
  ts.turn = 0;
  say("join! -> ready (every branch finished)");
  return Flow::kNext;
}

/// futures-util FuturesUnordered::poll_next (0.3): polls the children in its ready queue, in wake
/// order, until one finishes (Some) or it has polled as many as it holds (then it wakes the task
/// and yields); with none left, None. buffer_unordered first tops the set up from its stream to
/// `c` in flight. An ordered set (FuturesOrdered::poll_next, `buffered(c)`) yields outputs in the
/// order its children were pushed: a child that finishes before those pushed earlier has its
/// output queued (TaskState::phase 1), and the inner set is polled again; queued outputs count
/// toward `c`.
template <bool kNarrate>
Flow Step<kNarrate>::next_child(TaskId t, const Op& op) {
  TaskState& ts = s_.task(t);
  const auto& program = sc_.task(t).program;
  const bool ordered = (op.flags & kSetOrdered) != 0;
  const std::size_t first = op.a, end = std::size_t{op.a} + op.b;
  auto queued = [&](std::size_t c) {
    return ordered && s_.tasks(c).status == TaskStatus::kComplete && s_.tasks(c).phase == 1;
  };
  std::size_t live = 0;  // in the set: running, or finished with its output queued
  for (std::size_t c = first; c < end; ++c) live += s_.tasks(c).live() || queued(c) ? 1U : 0U;
  for (std::size_t c = first; c < end && op.c != 0 && live < op.c; ++c) {
    if (s_.tasks(c).status != TaskStatus::kNotSpawned) continue;
    s_.tasks(c).status = TaskStatus::kIdle;
    s_.ready_children().push_back(task_at(c));
    ++live;
    say(ordered ? "buffered takes " : "buffer_unordered takes ", sc_.tasks[c].name, " from the stream");
  }
  if (live == 0) {
    say("next() -> None: the set is empty");
    ts.pc = program[ts.pc + 1U].b;
    return Flow::kJumped;
  }
  // The output next in order: the first child pushed whose output was not yielded yet.
  std::optional<TaskId> head;
  for (std::size_t c = first; c < end && ordered && !head; ++c) {
    if (s_.tasks(c).live() || queued(c)) head = task_at(c);
  }
  if (head && queued(index(*head))) {
    s_.task(*head).phase = 0;
    say("next() -> Some: ", name(*head), "'s output, queued until the futures pushed before it were yielded");
    ts.pc = static_cast<std::uint8_t>(ts.pc + 2U);
    return Flow::kJumped;
  }
  std::size_t in_progress = 0;  // FuturesUnordered::len() when its poll_next starts
  for (std::size_t c = first; c < end; ++c) in_progress += s_.tasks(c).live() ? 1U : 0U;
  std::size_t polled = 0;
  std::size_t yielded = 0;
  for (;;) {
    std::optional<TaskId> next;
    for (TaskId c : s_.ready_children()) {
      if (index(c) >= first && index(c) < end) {
        next = c;
        break;
      }
    }
    if (!next) break;
    ++polled;
    poll_child(*next);
    if (ts.blocked != 0) return Flow::kPending;
    if (!s_.task(*next).live()) {
      if (!ordered || *next == head) {
        say("next() -> Some: ", name(*next), " finished");
        ts.pc = static_cast<std::uint8_t>(ts.pc + 2U);
        return Flow::kJumped;
      }
      // FuturesOrdered: an output out of order waits in the queue; the inner set's poll_next runs
      // again from the start.
      s_.task(*next).phase = 1;
      say(name(*next), " finished before ", name(*head), ": its output waits in the queue");
      --in_progress;
      polled = 0;
      yielded = 0;
      continue;
    }
    // futures-util 0.3.21 poll_next: a branch that woke itself while polled counts as a yield;
    // after two yields, or once it has polled as many branches as the set holds, it wakes the
    // task and returns Pending.
    yielded += s_.ready_children().contains(*next) ? 1U : 0U;
    if (yielded >= 2 || polled == in_progress) {
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

/// futures-util future::select_all: polls the children in order; the first to finish wins. The
/// rest are returned alive: dropped at once, or kept (and not polled) by the task.
template <bool kNarrate>
Flow Step<kNarrate>::select_all(TaskId t, const Op& op) {
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

/// tokio::select! over any futures (macros/select.rs, 1.24.2): each poll polls the branches in
/// order (`biased;`) or from a start branch tokio picks at random (the event's start), and the
/// first to finish wins. The losing branches are dropped before the handler runs; a kept one
/// (`&mut fut`) is only borrowed: it stays alive and unpolled, and the next select! over it polls
/// it again where it stopped instead of starting a new one.
template <bool kNarrate>
Flow Step<kNarrate>::select_branches(TaskId t, const Op& op) {
  TaskState& ts = s_.task(t);
  const bool has_else = (op.flags & kSelectElse) != 0;
  if (!ts.inflight) {
    Text fresh, again, disabled;
    std::size_t enabled = 0;  // (Text is empty when the step does not narrate)
    ts.turn = 0;
    for (std::size_t c = op.a; c < std::size_t{op.a} + op.b; ++c) {
      // `, if cond`: evaluated once, when the select! starts; a disabled branch is not polled
      // (and not made, unless it is a kept future that lives on).
      if (const auto& pre = sc_.tasks[c].precondition; pre && eval(sc_.exprs[*pre], sc_, s_, index(t)) == 0) {
        ts.turn = static_cast<std::uint8_t>(ts.turn | (1U << (c - op.a)));
        disabled += text(disabled.empty() ? "" : ", ", sc_.tasks[c].name);
        continue;
      }
      ++enabled;
      if (sc_.tasks[c].kept && s_.tasks(c).live()) {
        again += text(again.empty() ? "" : ", ", "&mut ", sc_.tasks[c].name);
        continue;
      }
      reset_child(task_at(c));
      s_.tasks(c).status = TaskStatus::kIdle;
      fresh += text(fresh.empty() ? "" : ", ", sc_.tasks[c].name);
    }
    if (enabled == 0) {
      say("select!: every branch is disabled by its precondition (", disabled, ")");
      ts.turn = 0;
      if (!has_else) {
        fail(t, Failure::kSelectAllDisabled);
        return Flow::kStop;
      }
      say("select! -> the else branch runs");
      return Flow::kNext;
    }
    say("select! of ", fresh.empty() ? Text{} : text("new ", fresh), !fresh.empty() && !again.empty() ? ", " : "",
        again.empty() ? Text{} : text(again, " (kept alive, polled again)"),
        disabled.empty() ? Text{} : text("; disabled by their preconditions: ", disabled));
    ts.inflight = 1;
  }
  std::size_t start = 0;
  if ((op.flags & kSelectUnbiased) != 0) {
    // Every unbiased select! of this poll starts at the poll's start branch (modulo its
    // branches): tokio draws anew for each, the model draws once per poll.
    start = select_start_ % op.b;
    this->schedule_note(t, ScheduleChange::kSelectStart, static_cast<std::uint8_t>(start));
    if (start != 0) say("this poll starts at ", sc_.tasks[op.a + start].name, " (tokio's random start branch)");
  }
  for (std::size_t k = 0; k < op.b; ++k) {
    const std::size_t i = op.a + (start + k) % op.b;
    const auto c = task_at(i);
    if (!s_.task(c).live() || ((static_cast<unsigned>(ts.turn) >> (i - op.a)) & 1U) != 0) continue;
    poll_child(c);
    if (ts.blocked != 0) return Flow::kPending;
    if (s_.task(c).live()) continue;
    ts.inflight = 0;
    ts.turn = 0;
    if (op.c != 0) set_var(op.c - 1U, static_cast<std::int32_t>(i - op.a));
    Text kept;
    for (std::size_t o = op.a; o < std::size_t{op.a} + op.b; ++o) {
      if (o == i || !s_.tasks(o).live()) continue;
      if (sc_.tasks[o].kept) {
        kept += text(kept.empty() ? "" : ", ", sc_.tasks[o].name);
        continue;
      }
      say(sc_.tasks[o].name, " is dropped");
      drop_child(task_at(o));
    }
    say("select! -> ", name(c), " won", kept.empty() ? Text{} : text("; ", kept, " (&mut) stays alive, not polled"));
    if (has_else) {
      ts.pc = op.ticks;  // past the else block
      return Flow::kJumped;
    }
    return Flow::kNext;
  }
  say("select! -> pending");
  return Flow::kPending;
}

/// `(&mut fut).await` on a kept select! branch: it is polled (it alone) until it finishes.
template <bool kNarrate>
Flow Step<kNarrate>::await_branch(TaskId t, const Op& op) {
  TaskState& ts = s_.task(t);
  const auto c = task_at(op.a);
  if (!s_.task(c).live()) {
    say(sc_.tasks[op.a].name, " is not alive (it finished or was dropped): nothing to await");
    return Flow::kNext;
  }
  if (!ts.inflight) say("await ", sc_.tasks[op.a].name, " (the kept future, polled where it stopped)");
  ts.inflight = 1;
  poll_child(c);
  if (ts.blocked != 0) return Flow::kPending;
  if (s_.task(c).live()) {
    say("await ", sc_.tasks[op.a].name, " -> pending");
    return Flow::kPending;
  }
  ts.inflight = 0;
  say("await ", sc_.tasks[op.a].name, " -> ready");
  return Flow::kNext;
}

/// `shared.clone().await` (futures-util 0.3 future/future/shared.rs): the clone registers its
/// task's waker with the shared future's notifier and polls the one inner future (the first
/// await creates it); the inner future's waker wakes every registered clone, and the clone that
/// sees it finish wakes the others. The output is cloned to every awaiter, later ones included.
template <bool kNarrate>
Flow Step<kNarrate>::await_shared(TaskId t, const Op& op) {
  TaskState& ts = s_.task(t);
  const auto sf = task_at(op.a);
  const auto& spec = sc_.tasks[op.a];
  if (s_.task(sf).status == TaskStatus::kComplete) {
    if (ts.inflight) say("await ", spec.name, " -> ready (another clone saw it finish)");
    else say("await ", spec.name, " -> ready at once (it finished before: its output is cloned)");
    ts.inflight = 0;
    return Flow::kNext;
  }
  if (!s_.task(sf).live()) {
    // Not started, or dropped with its last clone (no cache kept it): this await makes it anew.
    reset_child(sf);
    s_.task(sf).status = TaskStatus::kIdle;
    say("await ", spec.name, ": its future is created (", spec.cached ? "a cache keeps a clone of it" : "only its awaiters hold clones", ")");
  } else if (!ts.inflight) {
    say("await ", spec.name, " (a clone of the shared future, already under way: polled where it stopped)");
  }
  ts.inflight = 1;
  poll_child(sf);
  if (s_.task(sf).live()) {
    say("await ", spec.name, " -> pending (its waker registered with the shared future)");
    return Flow::kPending;
  }
  ts.inflight = 0;  // (t no longer awaits it: the others are woken)
  const Text others = wake_clones(sf);
  say("await ", spec.name, " -> ready", others.empty() ? Text{} : text(": every other clone is woken; ", others));
  return Flow::kNext;
}

template <bool kNarrate>
typename Step<kNarrate>::Text Step<kNarrate>::wake_clones(TaskId sf) {
  Text woken;
  for (std::size_t h = 0; h < sc_.tasks.size(); ++h) {
    if (awaits_shared(s_, sc_, task_at(h), sf)) woken += text(woken.empty() ? "" : "; ", issue_wake(task_at(h)));
  }
  return woken;
}

template <bool kNarrate>
typename Step<kNarrate>::Text Step<kNarrate>::wake_shared(TaskId sf) {
  const Text woken = wake_clones(sf);
  if (woken.empty()) {
    return text("wake ", name(sf), " lost: no clone awaits it (", sc_.tasks[index(sf)].cached ? "the cache keeps it alive" : "none left",
                "), so nobody polls it");
  }
  return text("wake ", name(sf), " -> its clones: ", woken);
}

template <bool kNarrate>
void Step<kNarrate>::drop_clone(TaskId sf) {
  const auto& spec = sc_.tasks[index(sf)];
  if (!s_.task(sf).live()) return;
  for (std::size_t h = 0; h < sc_.tasks.size(); ++h) {
    if (awaits_shared(s_, sc_, task_at(h), sf)) {
      say("its clone of ", spec.name, " is dropped (other clones still await it)");
      return;
    }
  }
  if (spec.cached) {
    say("its clone of ", spec.name, " is dropped; the cache keeps the future alive, and no clone polls it now");
    return;
  }
  say("its clone of ", spec.name, " is dropped, the last one: the future is dropped with it");
  drop_child(sf);
}

/// `drop(fut)` of a kept select! branch.
template <bool kNarrate>
typename Step<kNarrate>::Text Step<kNarrate>::drop_branch(TaskId c) {
  if (!s_.task(c).live()) return text("not alive (nothing to drop)");
  drop_child(c);
  return text("dropped: what it held or was handed is given back");
}

/// Drops `t`'s live children (of one combinator kind, or all) among `from` .. `to`: their
/// destructors give back what they hold or were assigned.
template <bool kNarrate>
void Step<kNarrate>::drop_children(TaskId t, std::optional<OpKind> kind, std::size_t from, std::size_t to) {
  for (std::size_t c = from; c < to; ++c) {
    const auto& spec = sc_.tasks[c];
    if (spec.parent != index(t) || !s_.tasks(c).live()) continue;
    if (kind && spec.combinator != *kind) continue;
    say(spec.name, " is dropped");
    drop_child(task_at(c));
  }
}

template class Step<true>;
template class Step<false>;

}  // namespace wakecheck::model::rules
