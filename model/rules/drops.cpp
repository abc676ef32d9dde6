// Dropping futures: a task's (completion, abort, drop, drop_on_pause, failure) and a nested one's
// (drop_on_pause, timeout). Destructors run in Rust's order: the awaited future first
// (`Acquire::drop` returns assigned permits, `Notified::drop` forwards a notification), then an
// on_drop guard, then the guards held (each guard drop is a release).
#include "model/rules/step.hpp"

namespace wakecheck::model::rules {

/// Drops the awaited operation at pc (`Acquire::drop`, `Notified::drop`, the sleep's entry).
template <bool kNarrate>
void Step<kNarrate>::drop_inflight(TaskId t) {
  TaskState& ts = s_.task(t);
  if (!ts.inflight) return;
  const Op& op = sc_.task(t).program[ts.pc];
  const auto r = resource_at(op.a);
  if (op.kind == OpKind::kLock && sc_.resource(r).kind == ResourceKind::kBargingMutex) {
    // event-listener: dropping a notified listener passes the notification on.
    const auto listeners = s_.notify(r);
    const bool notified = listeners.notified(t) != 0;
    listeners.notified(t) = 0;
    listeners.waiters().erase(t);
    say("its listener on ", name(r), " is dropped",
        notified ? text(": its notification passes on -> ", notify_a_listener(r)) : Text{});
  } else if (op.kind == OpKind::kRecv || op.kind == OpKind::kChanged) {
    s_.notify(r).waiters().erase(t);
  } else if (op.kind == OpKind::kSelect && (op.b & kSelectNotified) != 0) {
    // Dropping the select drops its Notified: out of the list, or a notify_one passed on.
    ts.clear_timer();
    const auto dropped = drop_notified(t, r);
    if (!dropped.listed && dropped.handed == 1) say("its notified future on ", name(r), " is dropped: its notification is forwarded -> ", notify_one(r));
  } else if (op.kind == OpKind::kSelect) {
    // Dropping the select drops its branch futures; a `&mut fut` branch is only borrowed, but the
    // task's future owns it too, so it goes with the task's drop below.
    ts.clear_timer();
  } else if (op.kind == OpKind::kGetOrInit && ts.phase == 1) {
    // The initializer is dropped; the permit it holds is released with the guards below.
    ts.clear_timer();
    ts.phase = 0;
    say("its initializer for ", name(r), " is dropped");
  } else if (op.kind == OpKind::kLock || op.kind == OpKind::kSend || op.kind == OpKind::kGetOrInit) {
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
    const auto dropped = drop_notified(t, r);
    if (dropped.listed) {
      say("its notified future on ", name(r), " is dropped: it leaves the waiter list");
    } else if (dropped.handed == 1) {
      // `Notified::drop`: a OneWaiter notification is forwarded.
      say("its notified future on ", name(r), " is dropped: its notification is forwarded -> ", notify_one(r));
    }
  } else if (op.kind == OpKind::kAwaitHanded && ts.received != 0) {
    // The received lock future is dropped with the task: Acquire::drop on its node.
    const TaskId from = task_at(ts.received - 1U);
    s_.task(from).handed_to = 0;
    ts.received = 0;
    say("the lock future received from ", name(from), " is dropped", drop_node(r, waiter_of(from)));
  } else if (op.kind == OpKind::kAwaitShared) {
    ts.inflight = 0;  // (this clone no longer counts as an awaiter)
    drop_clone(task_at(op.a));
  } else if (is_combinator(op.kind)) {
    drop_branches(t, op);
  } else if (op.kind == OpKind::kSleep) {
    ts.clear_timer();
  } else if (op.kind == OpKind::kYieldNow) {
    s_.deferred().erase(t);
  }
  ts.inflight = 0;
}

template <bool kNarrate>
void Step<kNarrate>::run_handler(TaskId t) {
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

/// Drops the guards `t`'s future holds (or only those of the nested future it runs), each guard or
/// permit object releasing what it holds (a rwlock writer all at once), resources in reverse.
template <bool kNarrate>
void Step<kNarrate>::drop_guards(TaskId t, bool nested_only) {
  for (std::size_t i = sc_.resources.size(); i > 0; --i) {
    const auto res = resource_at(i - 1);
    std::uint8_t& count = nested_only ? s_.region_held(t, res) : s_.held(t, res);
    if (count > 0) {
      const std::uint8_t n = count;
      const bool writer = sc_.resource(res).kind == ResourceKind::kRwLock && n >= sc_.resource(res).permits;
      const std::uint8_t per = writer ? n : 1;
      while (count > 0) {
        if (nested_only) {
          take_held(t, res, per);
        } else {
          count = static_cast<std::uint8_t>(count - per);
        }
        if (nested_only) {
          say(Tag{EffectKind::kRelease, "drop guard", res}, "guard of ", name(res), " dropped with ",
              future_name(s_.task(t).region - 1U), " -> ", release(res, per));
        } else {
          say(Tag{EffectKind::kRelease, "drop guard", res}, "guard of ", name(res), " dropped with the future -> ",
              release(res, per));
        }
      }
    }
    if (nested_only) continue;
    std::uint8_t& owner = s_.std_owner(res);
    if (owner == index(t) + 1) {
      if (sc_.resource(res).kind == ResourceKind::kBargingMutex) {
        say(Tag{EffectKind::kRelease, "drop guard", res}, "guard of ", name(res), " dropped with the future -> ",
            barging_unlock(t, res));
      } else {
        owner = 0;
        say(Tag{EffectKind::kRelease, "drop guard", res}, "std guard of ", name(res), " dropped with the future",
            unblock_std(res));
      }
    }
  }
}

/// drop_on_pause on a nested future: it is dropped (releasing what it owns) and the task goes on
/// after it, with its `cancelled` variable set.
template <bool kNarrate>
void Step<kNarrate>::cancel_nested(TaskId t) {
  TaskState& ts = s_.task(t);
  const std::size_t f = ts.region - 1U;
  drop_inflight(t);
  if (ts.guard != 0 && ts.guard_in_region) run_handler(t);
  drop_guards(t, true);
  if (const auto v = sc_.futures[f].cancelled_variable) {
    set_var(*v, 1);
    say(variable_name(*v), " = true");
  }
  s_.set_swallowed(f, false);
  ts.region = 0;
  ts.clear_deadline();
  ts.pc = static_cast<std::uint8_t>(sc_.futures[f].end);
}

/// Drops a task's future (completion, abort, drop, drop_on_pause, failure).
template <bool kNarrate>
void Step<kNarrate>::drop_future(TaskId t, TaskStatus final_status) {
  TaskState& ts = s_.task(t);
  ts.status = final_status;
  drop_inflight(t);
  if (f_.children) drop_children(t, std::nullopt);
  if (ts.guard != 0 && final_status != TaskStatus::kComplete) run_handler(t);
  if (f_.kept_futures && has_kept(t)) say(drop_kept(t));
  if (f_.sets) s_.ready_children().erase(t);
  if (f_.notified_created) {
    for (std::size_t r = 0; r < sc_.resources.size(); ++r) {
      if (!s_.has_notify(resource_at(r))) continue;
      const auto n = s_.notify(resource_at(r));
      if (n.created(t) == kEnabledWaiting) {
        // Notified::drop of an enabled future: it leaves the list, or forwards a notify_one.
        const auto dropped = drop_notified(t, resource_at(r));
        say("its enabled Notified on ", name(resource_at(r)), " is dropped",
            dropped.listed ? text(": it leaves the waiter list")
                   : dropped.handed == 1 ? text(": its notification is forwarded -> ", notify_one(resource_at(r))) : Text{});
      }
      n.created(t) = 0;
    }
  }
  if (TaskState& rs = s_.task(sc_.runner(t)); rs.blocked == index(t) + 1) {
    rs.blocked = 0;
    rs.block_woken = 0;
  }
  ts.turn = 0;
  s_.deferred().erase(t);
  ts.inflight = 0;
  ts.clear_timer();
  ts.wake_pending = 0;
  ts.cancel_requested = 0;
  ts.region = 0;
  ts.clear_deadline();
  ts.phase = 0;
  ts.guard = 0;
  ts.guard_in_region = 0;
  for (std::size_t r = 0; r < sc_.resources.size(); ++r) s_.region_held(t, resource_at(r)) = 0;
  s_.run_queue().erase(t);
  for (std::size_t f = 0; f < sc_.futures.size(); ++f) {
    if (sc_.futures[f].task == index(t)) s_.set_swallowed(f, false);
  }
  drop_guards(t, false);
  if (f_.senders) drop_senders(t);
  // Nothing of a dropped future is read again but how it ended (status, failure): its place in the
  // program is forgotten, so futures that ended alike are one state however far they had come.
  ts.pc = 0;
  // JoinHandle: a task awaiting this one is woken (task/join.rs, harness.rs `complete`).
  for (std::size_t j = 0; j < sc_.tasks.size() && f_.join_handles; ++j) {
    const auto joiner = task_at(j);
    if (joins(s_, sc_, joiner).has_value()) continue;  // still waits for a live task
    const TaskState& js = s_.task(joiner);
    if (!js.live() || !js.inflight) continue;
    const Op& op = sc_.task(joiner).program[js.pc];
    if (op.kind == OpKind::kJoin && task_at(op.a) == t) say("join handle of ", name(t), " ready -> ", issue_wake(joiner));
  }
}

template class Step<true>;
template class Step<false>;

}  // namespace wakecheck::model::rules
