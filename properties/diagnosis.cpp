#include "properties/diagnosis.hpp"

#include "model/queries.hpp"
#include "properties/builtins.hpp"
#include "properties/run.hpp"
#include "properties/text.hpp"

namespace wakecheck::properties {

using model::ResourceId;
using model::State;
using model::TaskId;

namespace {

std::string coffman_sentence(const model::Scenario& sc, const State& s, bool deadlocked) {
  const bool me = properties::coffman_mutual_exclusion(sc, s);
  const bool hw = properties::coffman_hold_and_wait(sc, s);
  const bool np = properties::coffman_no_preemption(sc, s);
  const bool cw = properties::coffman_circular_wait(sc, s);
  auto yes = [](bool b) { return b ? "yes" : "no"; };
  std::string text = std::string("Coffman conditions where the trace ends: mutual exclusion ") + yes(me) +
                     ", hold and wait " + yes(hw) + ", no preemption " + yes(np) + ", circular wait " +
                     yes(cw) + ": ";
  if (me && hw && np && cw) return text + "a deadlock in Coffman's sense.";
  if (deadlocked) return text + "a deadlock, though not all four conditions hold.";
  return text + "no deadlock in Coffman's sense, so an analysis that looks for one finds nothing.";
}

/// Why `a` waits for `b` on the wait-for graph, in words.
std::string edge_reason(const model::Scenario& sc, const State& s, TaskId a, TaskId b) {
  const std::string& an = sc.task(a).name;
  const std::string& bn = sc.task(b).name;
  if (model::joins(s, sc, a) == b) return an + " awaits " + bn + "'s JoinHandle";
  if (sc.tasks[model::index(b)].parent == model::index(a)) {
    if (s.task(a).blocked == model::index(b) + 1) return an + "'s thread is blocked in " + bn + "'s block_on";
    return an + " awaits its branch " + bn;
  }
  if (const auto r = model::waits_on(s, sc, a)) {
    const std::string& rn = sc.resource(*r).name;
    if (model::holds(s, sc, b, *r)) return an + " waits for " + rn + ", held by " + bn;
    return an + " waits for " + rn + ", whose permit " + bn + "'s future owns";
  }
  return an + " waits for " + bn;
}

/// The step (1-based) after which `holds` stays true to the end of the trace: the last one whose
/// state before did not satisfy it; none if it held from the start.
/// A detail about decisive step `k` ("step K <what>"), kept also as that step's reason.
void step_detail(Diagnosis& d, std::size_t k, std::string& why, const std::string& what) {
  why = "step " + std::to_string(k) + " " + what;
  d.details.push_back(why);
}

template <class Predicate>
std::optional<std::size_t> step_that_made(const std::vector<State>& states, Predicate holds) {
  for (std::size_t k = states.size() - 1; k > 0; --k) {
    if (!holds(states[k - 1])) return k;
  }
  return std::nullopt;
}

}  // namespace

Diagnosis diagnose(const model::Scenario& sc, const std::vector<State>& states, const TraceData& trace) {
  const State& s = trace.final_state;
  Diagnosis d;

  for (std::size_t i = 0; i < sc.tasks.size(); ++i) {
    if (s.tasks(i).status == model::TaskStatus::kFailed) {
      d.cause = Cause::kModelError;
      d.summary = "model error in " + sc.tasks[i].name + ": " + model::to_string(s.tasks(i).failure);
      d.coffman = coffman_sentence(sc, s, false);
      return d;
    }
  }

  const auto cycle = model::wait_for_cycle(s, sc);
  if (!cycle.empty()) {
    d.cause = Cause::kCircularWait;
    for (TaskId t : cycle) d.cycle.push_back(sc.task(t).name);
    std::string chain;
    for (const auto& name : d.cycle) chain += name + " -> ";
    chain += d.cycle.front();
    d.summary = "circular wait: " + chain;
    for (std::size_t k = 0; k < cycle.size(); ++k) {
      d.details.push_back(edge_reason(sc, s, cycle[k], cycle[(k + 1) % cycle.size()]));
    }
    d.coffman = coffman_sentence(sc, s, true);
    return d;
  }

  // A permit handed to a lock future that a select! kept (`&mut fut`) while the task went on to
  // await something else: nobody polls that future (the futurelock).
  for (std::size_t r = 0; r < sc.resources.size(); ++r) {
    const auto res = model::resource_at(r);
    if (!model::semaphore_based(sc.resources[r].kind)) continue;
    for (std::size_t i = 0; i < sc.tasks.size(); ++i) {
      const auto t = model::task_at(i);
      if (!s.semaphore(model::resource_at(r)).fully_assigned(model::kept_waiter_of(t))) continue;
      d.cause = Cause::kStrandedPermit;
      const std::string& owner = sc.tasks[i].name;
      const std::string& name = sc.resources[r].name;
      d.summary = "stranded permit (futurelock): " + name + "'s permit was handed to the lock future " + owner +
                  " kept from a select! (&mut fut); " + owner + " no longer polls it";
      d.handover_step = step_that_made(states, [&](const State& st) {
        return st.semaphore(model::resource_at(r)).fully_assigned(model::kept_waiter_of(t));
      });
      if (d.handover_step) {
        step_detail(d, *d.handover_step, d.handover_why, "handed the permit to that kept future");
      }
      if (const auto waits = model::waits_on(s, sc, t)) {
        d.details.push_back(owner + " itself waits for " + sc.resource(*waits).name +
                            (*waits == res ? ", behind the permit its own kept future holds" : ""));
      }
      d.details.push_back("dropping the kept future (drop(fut)) would pass the permit on");
      d.coffman = coffman_sentence(sc, s, false) + " The permit belongs to a future, not to a guard: no task "
                  "holds the lock, and the wait-for graph has no cycle between tasks.";
      return d;
    }
  }

  // A permit handed to a child future (join!, FuturesUnordered, select_all) that its task does
  // not poll: the task awaits something else (the loop body, code after select_all) or its
  // thread is blocked in block_in_place on another child.
  for (std::size_t r = 0; r < sc.resources.size(); ++r) {
    const auto res = model::resource_at(r);
    for (std::size_t i = 0; i < sc.tasks.size(); ++i) {
      const auto c = model::task_at(i);
      const auto& spec = sc.tasks[i];
      if (!spec.parent || model::owned_by_future(s, c, res) == 0 || model::task_paused(s, sc, c)) continue;
      const auto p = model::task_at(*spec.parent);
      const auto& ps = s.task(p);
      const std::string& owner = spec.name;
      const std::string& parent = sc.task(p).name;
      const std::string& name = sc.resources[r].name;
      std::string why;
      if (ps.blocked != 0 && ps.blocked != i + 1) {
        why = parent + "'s thread is blocked in block_in_place (the block_on of " + sc.tasks[ps.blocked - 1U].name +
              "), so " + owner + " is not polled";
      } else {
        const auto& program = sc.task(p).program;
        const auto [first, end] = model::polled_children(s, sc, p);
        if (first <= i && i < end) continue;
        const std::string awaiting = ps.pc < program.size() ? model::describe_op(sc, program[ps.pc]) : "nothing";
        why = parent + (spec.combinator == model::OpKind::kNextChild
                            ? " runs its loop body (now at: " + awaiting + ") and does not poll the set"
                            : " went on past select_all (now at: " + awaiting + ") and keeps the rest unpolled");
      }
      d.cause = Cause::kStrandedPermit;
      d.summary = "stranded permit (futurelock): " + name + "'s permit was handed to " + owner + ", a future in " +
                  parent + "'s " + model::combinator_name(spec.combinator) +
                  (spec.combinator == model::OpKind::kSelectAll ? "'s rest; " : "; ") + why;
      d.handover_step = step_that_made(states, [&](const State& st) { return model::owned_by_future(st, c, res) > 0; });
      if (d.handover_step) {
        step_detail(d, *d.handover_step, d.handover_why, "handed the permit to " + owner +
                            " (the oldest waiter) and woke " + parent + ", whose poll does not reach " + owner);
      }
      if (const auto waits = model::waits_on(s, sc, p)) {
        d.details.push_back(parent + " itself waits for " + sc.resource(*waits).name +
                            (*waits == res ? ", behind the permit its own " + owner + " holds" : ""));
      }
      if (ps.blocked != 0 && ps.blocked != i + 1) {
        d.details.push_back("awaiting instead of blocking the thread (no block_in_place) would let " + parent + " poll " + owner);
      } else if (spec.combinator == model::OpKind::kSelectAll) {
        d.details.push_back("dropping the rest (drop(rest)) would pass the permit on");
      } else {
        d.details.push_back("not awaiting the same resource in the loop body (or polling the set meanwhile) would let " +
                            owner + " finish");
      }
      d.coffman = coffman_sentence(sc, s, false) + " The permit belongs to a future inside a task, not to a guard: "
                  "no task holds the lock, and the wait-for graph has no cycle between tasks.";
      return d;
    }
  }

  // A permit owned by a future that will not be polled again: its task is paused (a wrapper
  // swallows its polls) and its lock future was handed the permit.
  for (std::size_t r = 0; r < sc.resources.size(); ++r) {
    const auto res = model::resource_at(r);
    for (std::size_t i = 0; i < sc.tasks.size(); ++i) {
      const auto t = model::task_at(i);
      if (model::owned_by_future(s, t, res) == 0 || !model::task_paused(s, sc, t)) continue;
      d.cause = Cause::kStrandedPermit;
      const std::string& owner = sc.tasks[i].name;
      const std::string& name = sc.resources[r].name;
      d.summary = "stranded permit: " + name + "'s permit was handed to " + owner +
                  "'s lock future, which is paused and will never be polled again";
      // The hand-over: the last step after which the future owns the permit for good.
      d.handover_step = step_that_made(states, [&](const State& st) { return model::owned_by_future(st, t, res) > 0; });
      for (std::size_t k = 1; k < states.size(); ++k) {
        const auto& step = trace.steps[k - 1];
        if (model::is_poll(step.event.kind) && step.event.task == t &&
            model::task_swallowed(states[k], sc, t) && !model::task_swallowed(states[k - 1], sc, t)) {
          d.swallowed_step = k;
        }
      }
      std::vector<std::string> waiters;
      for (model::WaiterId w : s.semaphore(res).queue()) waiters.push_back(sc.task(model::task_of(w)).name);
      if (d.handover_step) {
        step_detail(d, *d.handover_step, d.handover_why, "handed the permit to " + owner +
                            "'s lock future before " + owner + " was polled (tokio assigns it eagerly to the oldest waiter)");
      }
      if (d.swallowed_step) {
        step_detail(d, *d.swallowed_step, d.swallowed_why, "polled " + owner +
                            ", but its wrapper returned Pending without polling the inner future: the wake was swallowed");
      }
      if (model::guard_holders(s, sc, res) == 0) {
        d.details.push_back("no task holds a guard of " + name + ", yet its permit is gone: the lock looks released");
      }
      if (!waiters.empty()) d.details.push_back(join_names(waiters) + (waiters.size() == 1 ? " waits" : " wait") + " behind it forever");
      d.coffman = coffman_sentence(sc, s, false) + " " + owner +
                  " owns the permit but waits for nothing, so there is no hold-and-wait and no cycle: "
                  "the permit is lost to a swallowed wake, not to a circular wait.";
      return d;
    }
  }

  // A Notify notification handed to a paused future.
  for (std::size_t r = 0; r < sc.resources.size(); ++r) {
    if (sc.resources[r].kind != model::ResourceKind::kNotify) continue;
    const auto n = s.notify(model::resource_at(r));
    for (std::size_t i = 0; i < sc.tasks.size(); ++i) {
      const auto t = model::task_at(i);
      if (n.notified(t) != 1 || !model::task_paused(s, sc, t)) continue;
      d.cause = Cause::kStrandedNotification;
      d.summary = "stranded notification: notify_one on " + sc.resources[r].name + " handed its notification to " +
                  sc.tasks[i].name + ", which is paused and will never be polled again";
      std::vector<std::string> waiters;
      for (TaskId w : n.waiters()) waiters.push_back(sc.task(w).name);
      if (!waiters.empty()) d.details.push_back(join_names(waiters) + " still wait: the notification went to the paused future");
      d.coffman = coffman_sentence(sc, s, false);
      return d;
    }
  }

  // A cycle in which a waiting task never gets through.
  if (trace.loop_start) {
    // The starving task: one polled inside the cycle (it spins) or waiting through it.
    auto polled_in_cycle = [&](TaskId t) {
      for (std::size_t k = *trace.loop_start; k <= trace.steps.size(); ++k) {
        const auto& e = trace.steps[k - 1].event;
        if (model::is_poll(e.kind) && e.task == t) return true;
      }
      return false;
    };
    for (std::size_t i = 0; i < sc.tasks.size(); ++i) {
      const auto t = model::task_at(i);
      if (!s.tasks(i).live() || model::task_paused(s, sc, t)) continue;
      if (!polled_in_cycle(t) && !model::waits_on(s, sc, t)) continue;
      d.cause = Cause::kStarvation;
      d.summary = "starvation: " + sc.tasks[i].name + " is polled again and again in a fair cycle (steps " +
                  std::to_string(*trace.loop_start) + " to " + std::to_string(trace.steps.size()) +
                  ") and never gets through";
      d.coffman = coffman_sentence(sc, s, false);
      return d;
    }
  }

  // A waiter nobody left can wake: every other task has finished, or waits too.
  for (std::size_t i = 0; i < sc.tasks.size(); ++i) {
    const auto t = model::task_at(i);
    const auto r = model::waits_on(s, sc, t);
    if (!r || sc.resource(*r).kind != model::ResourceKind::kNotify || model::task_paused(s, sc, t)) continue;
    bool someone = false;
    for (std::size_t j = 0; j < sc.tasks.size(); ++j) {
      const auto& other = s.tasks(j);
      if (j != i && other.live() && !model::waits_on(s, sc, model::task_at(j)) &&
          !model::task_paused(s, sc, model::task_at(j))) {
        someone = true;
      }
    }
    if (someone) continue;
    d.cause = Cause::kLostWakeup;
    d.summary = "lost wakeup: " + sc.tasks[i].name + " waits on " + sc.resource(*r).name +
                " and no task is left that could notify it";
    d.coffman = coffman_sentence(sc, s, false);
    return d;
  }

  d.coffman = coffman_sentence(sc, s, false);
  return d;
}

const char* to_string(Cause cause) {
  switch (cause) {
    case Cause::kNone: return "none";
    case Cause::kCircularWait: return "circular_wait";
    case Cause::kStrandedPermit: return "stranded_permit";
    case Cause::kStrandedNotification: return "stranded_notification";
    case Cause::kLostWakeup: return "lost_wakeup";
    case Cause::kStarvation: return "starvation";
    case Cause::kModelError: return "model_error";
  }
  return "?";
}

}  // namespace wakecheck::properties
