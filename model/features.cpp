#include "model/features.hpp"

#include <algorithm>

namespace wakecheck::model {

Features::Features(const Scenario& sc)
    : task_timers(sc.tasks.size(), false),
      adds_permits(sc.resources.size(), false),
      closes(sc.resources.size(), false),
      selects(sc.resources.size(), false),
      pausable(sc.futures.size(), false),
      ready_selects(sc.tasks.size(), false),
      select_starts(sc.tasks.size(), 0),
      watchers(sc.resources.size(), std::vector<bool>(sc.tasks.size(), false)) {
  bool yields = false;
  auto scan = [&](const std::vector<Op>& program, std::optional<std::size_t> task) {
    for (const Op& op : program) {
      switch (op.kind) {
        case OpKind::kSleep:
        case OpKind::kSelect:
        case OpKind::kGetOrInit:
          timers = true;
          longest_sleep = std::max<std::size_t>(longest_sleep, op.ticks);
          if (task) task_timers[*task] = true;
          if (op.kind == OpKind::kSelect) selects[op.a] = true;
          if (op.kind == OpKind::kSelect && task && (op.b & kSelectUnbiased) != 0 && (op.b & kSelectReady) != 0) {
            ready_selects[*task] = true;
          }
          if (op.kind == OpKind::kGetOrInit) once_cells = true;
          break;
        case OpKind::kSelectBranches:
          failures = failures || (op.flags & kSelectElse) == 0;
          if (task && (op.flags & kSelectUnbiased) != 0) {
            select_starts[*task] = std::max(select_starts[*task], op.b);
          }
          break;
        case OpKind::kAbort: aborts = true; break;
        case OpKind::kGuardBegin: guards = true; break;
        case OpKind::kJoinAll:
          join_macros = true;
          join_width = std::max<std::size_t>(join_width, op.b);
          break;
        case OpKind::kBlockBegin:
          blocks = true;
          block_ons = block_ons || op.a == 1;
          break;
        case OpKind::kHandLock:
        case OpKind::kAwaitHanded: hands = true; break;
        case OpKind::kStdLock:
          // A std lock of a held mutex blocks the thread in the lock call, keeping its core.
          blocks = true;
          block_ons = true;
          failures = true;
          break;
        case OpKind::kAssign:
        case OpKind::kJump:
        case OpKind::kJumpUnless: failures = true; break;
        case OpKind::kYieldNow: yields = true; break;
        case OpKind::kStartSet:
        case OpKind::kNextChild:
          sets = true;
          ordered_sets = ordered_sets || (op.flags & kSetOrdered) != 0;
          break;
        case OpKind::kCreateNotified: notified_created = true; break;
        case OpKind::kAddPermits: adds_permits[op.a] = true; break;
        case OpKind::kClose: closes[op.a] = true; break;
        case OpKind::kJoin: join_handles = true; break;
        case OpKind::kChanged:
          if (task) watchers[op.a][*task] = true;
          break;
        case OpKind::kPause:
        case OpKind::kResume: pausable[op.a] = true; break;
        default: break;
      }
    }
  };
  for (std::size_t t = 0; t < sc.tasks.size(); ++t) scan(sc.tasks[t].program, t);
  for (const auto& handler : sc.handlers) scan(handler, std::nullopt);
  for (const ResourceSpec& r : sc.resources) senders = senders || !r.senders.empty();
  for (const TaskSpec& t : sc.tasks) {
    select_preconditions = select_preconditions || t.precondition.has_value();
    children = children || t.parent.has_value();
  }
  kept_futures = std::find(selects.begin(), selects.end(), true) != selects.end();
  for (const FutureSpec& fu : sc.futures) longest_timeout = std::max<std::size_t>(longest_timeout, fu.after);
  for (std::size_t r = 0; r < sc.resources.size(); ++r) {
    if (sc.resources[r].kind == ResourceKind::kOnceCell) closes[r] = true;
  }
  failures = failures || std::any_of(sc.resources.begin(), sc.resources.end(),
                                     [](const ResourceSpec& r) { return r.kind == ResourceKind::kStdMutex; });
  for (const FaultKind kind : {FaultKind::kPause, FaultKind::kResume}) {
    const auto& budget = sc.fault(kind);
    if (budget.budget == 0) continue;
    for (std::size_t f = 0; f < budget.futures.size() && f < pausable.size(); ++f) {
      if (budget.futures[f]) pausable[f] = true;
    }
  }
  single_worker = sc.flavor == Flavor::kMultiThread && sc.worker_threads == 1;
  any_order = sc.flavor == Flavor::kMultiThread && !single_worker;
  // Deferred wakes: yield_now off main's own thread and 1.53's coop refusals, except where any
  // order is possible (there a wake is issued at once).
  defers = !any_order && (yields || sc.version != TokioVersion::k1_24);
}

}  // namespace wakecheck::model
