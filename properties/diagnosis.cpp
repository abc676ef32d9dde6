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

/// What `t` is at now, as its program says it ("lock m"), or "nothing".
std::string now_at(const model::Scenario& sc, const State& s, TaskId t) {
  const auto& program = sc.task(t).program;
  const auto pc = s.task(t).pc;
  return pc < program.size() ? model::describe_op(sc, program[pc]) : "nothing";
}

/// The tasks waiting for resource `r`, by name.
std::vector<std::string> waiting_for(const model::Scenario& sc, const State& s, model::ResourceId r) {
  std::vector<std::string> waiters;
  for (std::size_t j = 0; j < sc.tasks.size(); ++j) {
    if (model::waits_on(s, sc, model::task_at(j)) == r) waiters.push_back(sc.tasks[j].name);
  }
  return waiters;
}

/// The detail "A and B wait for NAME behind it forever".
void waits_behind_forever(Diagnosis& d, const std::vector<std::string>& waiters, const std::string& name) {
  d.details.push_back(join_names(waiters) + (waiters.size() == 1 ? " waits" : " wait") + " for " + name +
                      " behind it forever");
}

/// Why shared future `c` is not polled now: "no clone awaits it ..." or who awaits it unpolled.
std::string shared_unpolled_reason(const model::Scenario& sc, const State& s, TaskId c) {
  std::vector<std::string> awaiters;
  for (std::size_t h = 0; h < sc.tasks.size(); ++h) {
    if (model::awaits_shared(s, sc, model::task_at(h), c)) awaiters.push_back(sc.tasks[h].name);
  }
  if (awaiters.empty()) {
    return sc.task(c).cached ? "that no clone awaits: its last awaiter was dropped and the cache keeps it alive, so "
                               "nobody polls it"
                             : "that no clone awaits, so nobody polls it";
  }
  return "whose awaiting " + std::string(awaiters.size() == 1 ? "clone is" : "clones are") + " not polled (" +
         join_names(awaiters) + ")";
}

/// Why branch `c` is not polled by its task now.
std::string unpolled_reason(const model::Scenario& sc, const State& s, TaskId c) {
  const auto& spec = sc.task(c);
  if (spec.shared) return spec.name + " is a shared future " + shared_unpolled_reason(sc, s, c);
  const auto p = model::task_at(*spec.parent);
  const auto& ps = s.task(p);
  const std::string& parent = sc.task(p).name;
  if (ps.blocked != 0) {
    return parent + "'s thread is blocked in block_in_place (the block_on of " + sc.tasks[ps.blocked - 1U].name + ")";
  }
  if (spec.combinator == model::OpKind::kNextChild) {
    return parent + " runs its loop body (now at: " + now_at(sc, s, p) + ") and does not poll the set";
  }
  if (spec.combinator == model::OpKind::kSelectAll) {
    return parent + " went on past select_all (now at: " + now_at(sc, s, p) + ") and keeps the rest unpolled";
  }
  if (spec.combinator == model::OpKind::kSelectBranches) {
    return parent + " went on past the select! (now at: " + now_at(sc, s, p) + ") and keeps " + spec.name +
           " (&mut) alive, unpolled";
  }
  return parent + " is at " + now_at(sc, s, p) + " and does not poll its join!";
}

/// Why `a` waits for `b` on the wait-for graph, in words.
std::string edge_reason(const model::Scenario& sc, const State& s, TaskId a, TaskId b) {
  const std::string& an = sc.task(a).name;
  const std::string& bn = sc.task(b).name;
  if (model::joins(s, sc, a) == b) return an + " awaits " + bn + "'s JoinHandle";
  if (const auto r = model::waits_on(s, sc, a)) {
    const std::string& rn = sc.resource(*r).name;
    const auto w = model::words(sc.resource(*r).kind);
    const auto receiver = sc.resource(*r).kind == model::ResourceKind::kMpsc ? model::channel_receiver(sc, *r) : std::nullopt;
    const bool slot = receiver && *receiver == (a == b ? sc.runner(a) : b);
    if (slot && a == b) {
      return an + " waits for a slot of " + rn + ", which is full, and only its own receive frees one (it is the channel's one receiver, and it is not receiving)";
    }
    if (slot) return an + " waits for a slot of " + rn + ", which only " + bn + ", its one receiver, frees";
    if (a == b) {
      if (model::holds(s, sc, a, *r)) return an + " waits for " + rn + ", whose " + w.held + " it holds itself";
      return an + " waits for " + rn + ", whose " + w.unit + " its own kept " + w.future + " (&mut fut) owns";
    }
    if (model::holds(s, sc, b, *r)) return an + " waits for " + rn + ", held by " + bn;
    if (model::owned_by_future(s, b, *r) > 0) return an + " waits for " + rn + ", whose " + w.unit + " " + bn + "'s " + w.future + " owns";
  }
  const bool in_std_lock = s.task(b).blocked != 0 && model::std_waits_on(s, sc, model::task_at(s.task(b).blocked - 1U));
  if (a != b && model::core_kept_by_block(s, sc) == b && s.task(b).blocked != model::index(a) + 1) {
    return an + " needs the thread that " + bn + " keeps blocked in " +
           (in_std_lock ? "a std lock" : "futures::executor::block_on");
  }
  if (model::awaits_shared(s, sc, a, b)) return an + " awaits a clone of the shared future " + bn;
  if (sc.tasks[model::index(b)].parent == model::index(a)) {
    if (s.task(a).blocked == model::index(b) + 1) {
      if (const auto r = model::std_waits_on(s, sc, b)) {
        return an + "'s thread is blocked in " + bn + "'s std_lock " + sc.resource(*r).name;
      }
      return an + "'s thread is blocked in " + bn + "'s block_on";
    }
    return an + " awaits its branch " + bn;
  }
  if (sc.tasks[model::index(a)].parent == model::index(b)) {
    return an + " waits for " + bn + " to poll it: " + unpolled_reason(sc, s, a);
  }
  return an + " waits for " + bn;
}

/// The cycle as "a -> b -> a".
std::string chain(const std::vector<std::string>& cycle) {
  std::string out;
  for (const auto& name : cycle) out += name + " -> ";
  return out + cycle.front();
}

/// Why each task of `cycle` waits for the next, in order; the cycle's names go to `d.cycle`.
std::vector<std::string> cycle_reasons(Diagnosis& d, const model::Scenario& sc, const State& s,
                                       const std::vector<TaskId>& cycle) {
  std::vector<std::string> reasons;
  for (std::size_t k = 0; k < cycle.size(); ++k) {
    d.cycle.push_back(sc.task(cycle[k]).name);
    reasons.push_back(edge_reason(sc, s, cycle[k], cycle[(k + 1) % cycle.size()]));
  }
  return reasons;
}

/// The detail a futurelock adds when its state's wait-for graph has a cycle through a future.
void cycle_detail(Diagnosis& d, const model::Scenario& sc, const State& s, const std::vector<TaskId>& cycle) {
  if (cycle.empty()) return;
  std::string why;
  for (const auto& reason : cycle_reasons(d, sc, s, cycle)) why += (why.empty() ? "" : "; ") + reason;
  d.details.push_back("the wait-for graph has a cycle through a future: " + chain(d.cycle) + " (" + why + ")");
}

/// The fixes for a hang of this shape, as one detail line.
void fixes(Diagnosis& d, std::initializer_list<std::string> ways) {
  std::string line = "fixes:";
  std::size_t k = 0;
  for (const auto& way : ways) line += (k++ == 0 ? " " : "; or ") + way;
  d.details.push_back(line);
}

/// The Coffman sentence of a hang that a future causes, with what its graph says.
std::string future_coffman(const model::Scenario& sc, const State& s, const std::vector<TaskId>& cycle,
                           const std::string& whose) {
  return coffman_sentence(sc, s, !cycle.empty()) + " The " + whose + " belongs to a future, not to a guard: " +
         (cycle.empty() ? "no task holds it, and the wait-for graph has no cycle between tasks."
                        : "the only cycle goes through that future, which a lock-order analysis never sees.");
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

/// The last poll of `t` whose wake a wrapper swallowed (1-based step), if any.
std::optional<std::size_t> swallowing_poll(const model::Scenario& sc, const std::vector<State>& states,
                                           const TraceData& trace, TaskId t) {
  std::optional<std::size_t> found;
  for (std::size_t k = 1; k < states.size(); ++k) {
    const auto& step = trace.steps[k - 1];
    if (model::is_poll(step.event.kind) && step.event.task == t && model::task_swallowed(states[k], sc, t) &&
        !model::task_swallowed(states[k - 1], sc, t)) {
      found = k;
    }
  }
  return found;
}

/// The detail of the swallowing poll of `owner`, when the diagnosis has one.
void swallowed_detail(Diagnosis& d, const std::string& owner) {
  if (!d.swallowed_step) return;
  step_detail(d, *d.swallowed_step, d.swallowed_why,
              "polled " + owner + ", but its wrapper returned Pending without polling the inner future: the wake was swallowed");
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
  // A cycle only between tasks holding guards is a deadlock of its own; one through a kept,
  // unpolled or self-owned future is told as the futurelock it is (below), cycle included.
  bool through_future = false;
  for (std::size_t k = 0; k < cycle.size(); ++k) {
    const TaskId a = cycle[k];
    const TaskId b = cycle[(k + 1) % cycle.size()];
    const auto r = model::waits_on(s, sc, a);
    const bool kept = r && model::semaphore_based(sc.resource(*r).kind) &&
                      s.semaphore(*r).assigned(model::kept_waiter_of(b)) > 0;
    const bool unpolled = sc.tasks[model::index(a)].parent == model::index(b);
    through_future |= kept || unpolled;
  }
  // A cycle through a thread blocked in futures::executor::block_on: the blocking call is the
  // cause, whatever the rest of the cycle holds.
  if (const auto keeper = model::core_kept_by_block(s, sc);
      keeper && std::find(cycle.begin(), cycle.end(), *keeper) != cycle.end()) {
    const std::string& who = sc.task(*keeper).name;
    const auto blocking = model::task_at(s.task(*keeper).blocked - 1U);
    d.cause = Cause::kBlockedThread;
    d.details = cycle_reasons(d, sc, s, cycle);
    if (const auto r = model::std_waits_on(s, sc, blocking)) {
      // A std::sync::Mutex::lock that never returns: its holder needs the blocked thread.
      const std::string& name = sc.resource(*r).name;
      d.summary = "blocked thread: " + who + "'s thread is blocked in std_lock " + name +
                  (blocking != *keeper ? " (in " + sc.task(blocking).name + ")" : std::string()) +
                  " and keeps its core, while " + name + "'s holder needs that thread to run: " + chain(d.cycle);
      fixes(d, {"do not hold a std::sync::Mutex guard across an await: drop it first, or use tokio::sync::Mutex, "
                "whose waiters queue instead of blocking the thread",
                "never lock a std mutex the same thread may already hold through another future"});
      d.coffman = coffman_sentence(sc, s, true);
      return d;
    }
    d.summary = "blocked thread: " + who + " blocks its thread in futures::executor::block_on (now at: " +
                now_at(sc, s, blocking) + ") and keeps its core, so " +
                (sc.flavor == model::Flavor::kCurrentThread ? std::string("no other task runs")
                                                            : std::string("no other task of that worker runs")) +
                "; the future it blocks on waits for one of them: " + chain(d.cycle);
    fixes(d, {"await the future instead of blocking on it (no block_on inside async code)",
              "run the blocking call off the runtime: spawn_blocking or a thread of its own; on the multi_thread "
              "runtime, block_in_place hands the core to another thread"});
    d.coffman = coffman_sentence(sc, s, true);
    return d;
  }
  if (!cycle.empty() && !through_future) {
    d.cause = Cause::kCircularWait;
    d.details = cycle_reasons(d, sc, s, cycle);
    d.summary = "circular wait: " + chain(d.cycle);
    const auto self_r = cycle.size() == 1 ? model::waits_on(s, sc, cycle.front()) : std::nullopt;
    if (self_r && sc.resource(*self_r).kind == model::ResourceKind::kMpsc) {
      fixes(d, {"send from a task of its own, so that the loop that receives keeps receiving",
                "make the send a branch of the select! (tx.reserve() or tx.send(..) beside rx.recv()), so a full "
                "channel does not stop the receiving"});
    } else if (cycle.size() == 1) {
      fixes(d, {"release the guard before locking again, or keep one guard for both uses (tokio's Mutex is not "
                "reentrant)"});
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
      const auto w = model::words(sc.resources[r].kind);
      const std::string unit = w.unit;
      d.summary = "stranded " + unit + " (futurelock): " + name + "'s " + unit + " was handed to the " + w.future +
                  " " + owner + " kept from a select! (&mut fut); " + owner + " no longer polls it";
      d.handover_step = step_that_made(states, [&](const State& st) {
        return st.semaphore(model::resource_at(r)).fully_assigned(model::kept_waiter_of(t));
      });
      if (d.handover_step) {
        step_detail(d, *d.handover_step, d.handover_why, "handed the " + unit + " to that kept future");
      }
      if (const auto waits = model::waits_on(s, sc, t)) {
        d.details.push_back(owner + " itself waits for " + sc.resource(*waits).name +
                            (*waits == res ? ", behind the " + unit + " its own kept future holds" : ""));
      }
      cycle_detail(d, sc, s, cycle);
      fixes(d, {"drop the kept future before awaiting anything else (drop(fut)), which passes the " + unit + " on",
                "keep polling it: await the kept future itself (or race it again in the same select! loop) instead "
                "of a new " + std::string(w.future),
                "give it its own task (tokio::spawn), which polls it whatever " + owner + " does",
                "use a primitive that never hands a " + unit + " to a waiter: " + w.handoff_free});
      d.coffman = future_coffman(sc, s, cycle, unit);
      return d;
    }
  }

  // A permit handed to a shared future that no clone polls: its last awaiter was dropped and a
  // cache keeps it alive (the memo cell that outlives its awaiters), or its awaiters are not
  // polled themselves.
  for (std::size_t r = 0; r < sc.resources.size(); ++r) {
    const auto res = model::resource_at(r);
    for (std::size_t i = 0; i < sc.tasks.size(); ++i) {
      const auto c = model::task_at(i);
      if (!sc.tasks[i].shared || model::owned_by_future(s, c, res) == 0 || model::polled_now(s, sc, c)) continue;
      const auto w = model::words(sc.resources[r].kind);
      const std::string unit = w.unit;
      const std::string& owner = sc.tasks[i].name;
      const std::string& name = sc.resources[r].name;
      d.cause = Cause::kStrandedPermit;
      d.summary = "stranded " + unit + " (futurelock): " + name + "'s " + unit + " was handed to " + owner +
                  ", a shared future " + shared_unpolled_reason(sc, s, c);
      d.handover_step = step_that_made(states, [&](const State& st) { return model::owned_by_future(st, c, res) > 0; });
      if (d.handover_step) {
        step_detail(d, *d.handover_step, d.handover_why, "handed the " + unit + " to " + owner +
                            " (the oldest waiter); its wake reached no clone that is polled");
      }
      const auto waiters = waiting_for(sc, s, res);
      if (!waiters.empty()) waits_behind_forever(d, waiters, name);
      cycle_detail(d, sc, s, cycle);
      fixes(d, {sc.tasks[i].cached
                    ? "drop the computation with its last awaiter: cache its output (or a WeakShared) instead of the "
                      "in-flight future, so that dropping the last clone drops its " + std::string(w.future) +
                      " and passes the " + unit + " on"
                    : "keep a clone awaited until it finishes (do not drop the awaiters that poll it)",
                "give the computation its own task (tokio::spawn) and share its result, so it runs whoever awaits it",
                "take the " + unit + " outside the shared future, in the awaiter that will use it",
                std::string("use a primitive that never hands a ") + unit + " to a waiter: " + w.handoff_free});
      d.coffman = future_coffman(sc, s, cycle, unit);
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
      if (model::polled_now(s, sc, c)) continue;
      const bool blocked = ps.blocked != 0;
      const std::string why = unpolled_reason(sc, s, c) + (blocked ? ", so " + owner + " is not polled" : "");
      const auto w = model::words(sc.resources[r].kind);
      const std::string unit = w.unit;
      d.cause = Cause::kStrandedPermit;
      d.summary = "stranded " + unit + " (futurelock): " + name + "'s " + unit + " was handed to " + owner +
                  ", a future in " + parent + "'s " + model::combinator_name(spec) +
                  (spec.combinator == model::OpKind::kSelectAll ? "'s rest; " : "; ") + why;
      d.handover_step = step_that_made(states, [&](const State& st) { return model::owned_by_future(st, c, res) > 0; });
      if (d.handover_step) {
        step_detail(d, *d.handover_step, d.handover_why, "handed the " + unit + " to " + owner +
                            " (the oldest waiter) and woke " + parent + ", whose poll does not reach " + owner);
      }
      if (const auto waits = model::waits_on(s, sc, p)) {
        d.details.push_back(parent + " itself waits for " + sc.resource(*waits).name +
                            (*waits == res ? ", behind the " + unit + " its own " + owner + " holds" : ""));
      }
      cycle_detail(d, sc, s, cycle);
      if (blocked) {
        fixes(d, {"await instead of blocking the thread (no block_in_place), so that " + parent + " polls " + owner,
                  "give " + owner + " its own task (tokio::spawn), which another thread polls"});
      } else if (spec.combinator == model::OpKind::kSelectBranches) {
        fixes(d, {"drop " + owner + " (drop(" + owner + ")) before awaiting anything else, which passes the " + unit + " on",
                  "keep polling " + owner + ": await it (" + owner + ".await) or race it with what " + parent +
                      " awaits next (select! over &mut " + owner + " again)",
                  "give " + owner + " its own task (tokio::spawn), polled whatever " + parent + " does",
                  std::string("use a primitive that never hands a ") + unit + " to a waiter: " + w.handoff_free});
      } else if (spec.combinator == model::OpKind::kSelectAll) {
        fixes(d, {"drop the rest (drop(rest)) before awaiting anything else, which passes the " + unit + " on",
                  "keep polling the rest: race it with what " + parent + " awaits next (select_all again, or select!)",
                  "give each future its own task (tokio::spawn or a JoinSet)"});
      } else {
        fixes(d, {"keep polling the set while the body runs (select! over set.next() and the body)",
                  "give each future its own task (tokio::spawn or a JoinSet), polled whatever the body does",
                  "do not await " + name + " in the loop body while a future of the set may wait for it"});
      }
      d.coffman = future_coffman(sc, s, cycle, unit);
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
      const auto w = model::words(sc.resources[r].kind);
      const std::string unit = w.unit;
      d.summary = "stranded " + unit + ": " + name + "'s " + unit + " was handed to " + owner + "'s " + w.future +
                  ", which is paused and will never be polled again";
      // The hand-over: the last step after which the future owns the permit for good.
      d.handover_step = step_that_made(states, [&](const State& st) { return model::owned_by_future(st, t, res) > 0; });
      d.swallowed_step = swallowing_poll(sc, states, trace, t);
      std::vector<std::string> waiters;
      for (model::WaiterId node : s.semaphore(res).queue()) waiters.push_back(sc.task(model::task_of(node)).name);
      if (d.handover_step) {
        step_detail(d, *d.handover_step, d.handover_why, "handed the " + unit + " to " + owner + "'s " + w.future +
                            " before " + owner + " was polled (tokio assigns it eagerly to the oldest waiter)");
      }
      swallowed_detail(d, owner);
      if (sc.resources[r].kind == model::ResourceKind::kMpsc) {
        if (s.notify(res).permit() == 0) {
          d.details.push_back(name + " has no free slot, yet no message is in it: " + w.released);
        }
      } else if (model::guard_holders(s, sc, res) == 0) {
        d.details.push_back("no task holds a " + std::string(w.held) + " of " + name + ", yet its " + unit +
                            " is gone: " + w.released);
      }
      if (!waiters.empty()) d.details.push_back(join_names(waiters) + (waiters.size() == 1 ? " waits" : " wait") + " behind it forever");
      fixes(d, {"drop the inner future when it pauses (drop_on_pause), which gives the " + unit + " back",
                "use a primitive that never hands a " + unit + " to a waiter: " + w.handoff_free});
      d.coffman = coffman_sentence(sc, s, false) + " " + owner + " owns the " + unit +
                  " but waits for nothing, so there is no hold-and-wait and no cycle: the " + unit +
                  " is lost to a swallowed wake, not to a circular wait.";
      return d;
    }
  }

  // A guard (or permit) held by a future that will not be polled again: a paused task, or a
  // branch its task does not poll, got through and holds what others wait for.
  for (std::size_t r = 0; r < sc.resources.size(); ++r) {
    const auto res = model::resource_at(r);
    for (std::size_t i = 0; i < sc.tasks.size(); ++i) {
      const auto t = model::task_at(i);
      if (!model::holds(s, sc, t, res) || !s.tasks(i).live()) continue;
      const bool paused = model::task_paused(s, sc, t);
      const bool unpolled = (sc.tasks[i].parent || sc.tasks[i].shared) && !model::polled_now(s, sc, t);
      if (!paused && !unpolled) continue;
      const auto waiters = waiting_for(sc, s, res);
      if (waiters.empty()) continue;
      const auto w = model::words(sc.resources[r].kind);
      const std::string& holder = sc.tasks[i].name;
      const std::string& name = sc.resources[r].name;
      d.cause = Cause::kHeldByStalledFuture;
      d.summary = std::string(w.held) + " held by a " + (paused ? "paused" : "snoozed") + " future: " + holder +
                  " holds " + name + "'s " + w.held + (paused ? " and is paused" : ", and " + unpolled_reason(sc, s, t)) +
                  "; it will never be polled again to release it";
      d.handover_step = step_that_made(states, [&](const State& st) { return model::holds(st, sc, t, res); });
      if (d.handover_step) step_detail(d, *d.handover_step, d.handover_why, "gave " + holder + " the " + std::string(w.held));
      if (paused) d.swallowed_step = swallowing_poll(sc, states, trace, t);
      swallowed_detail(d, holder);
      waits_behind_forever(d, waiters, name);
      cycle_detail(d, sc, s, cycle);
      if (paused) {
        fixes(d, {"drop the inner future when it pauses (drop_on_pause), which drops the " + std::string(w.held),
                  "release the " + std::string(w.held) + " before any point where the future can pause (do not hold it "
                  "across an await that may never resume)"});
      } else if (sc.tasks[i].shared) {
        fixes(d, {"drop the computation with its last awaiter: cache its output (or a WeakShared), not the in-flight future",
                  "give the computation its own task (tokio::spawn) and share its result, so it runs whoever awaits it",
                  "release the " + std::string(w.held) + " before the shared future can be left unpolled"});
      } else {
        fixes(d, {"keep polling the futures while " + sc.task(model::task_at(*sc.tasks[i].parent)).name +
                  " does other work (select! over them and that work)",
                  "give " + holder + " its own task (tokio::spawn), which is polled whatever its parent does",
                  "release the " + std::string(w.held) + " before the future can be left unpolled"});
      }
      d.coffman = coffman_sentence(sc, s, !cycle.empty()) + " " + holder + " holds the " + w.held +
                  " but waits for no resource: the " + w.held + " is lost to a future nobody polls, not to a lock order.";
      return d;
    }
  }

  // A notification handed to a paused future: a Notify's, or a barging mutex's to a listener.
  for (std::size_t r = 0; r < sc.resources.size(); ++r) {
    if (sc.resources[r].kind == model::ResourceKind::kBargingMutex) {
      const auto listeners = s.notify(model::resource_at(r));
      for (std::size_t i = 0; i < sc.tasks.size(); ++i) {
        const auto t = model::task_at(i);
        if (listeners.notified(t) != 1 || !model::task_paused(s, sc, t)) continue;
        const std::string& name = sc.resources[r].name;
        d.cause = Cause::kStrandedNotification;
        d.summary = "stranded notification: an unlock of " + name + " notified its listener " + sc.tasks[i].name +
                    ", which is paused and will never be polled again to take the lock";
        d.handover_step = step_that_made(states, [&](const State& st) {
          return st.notify(model::resource_at(r)).notified(t) == 1;
        });
        if (d.handover_step) {
          step_detail(d, *d.handover_step, d.handover_why, "notified " + sc.tasks[i].name + " (one listener per unlock)");
        }
        std::vector<std::string> waiters;
        for (TaskId w : listeners.waiters()) {
          if (w != t) waiters.push_back(sc.task(w).name);
        }
        if (model::available(s, sc, model::resource_at(r)) > 0 && !waiters.empty()) {
          d.details.push_back(name + " is free, yet " + join_names(waiters) +
                              (waiters.size() == 1 ? " listens" : " listen") + " for a notification that went to " +
                              sc.tasks[i].name);
        }
        fixes(d, {"drop the paused future (drop_on_pause): dropping a notified listener passes its notification on",
                  "use tokio's Mutex, whose queue hands the lock on (and watch for stranded permits there)"});
        d.coffman = coffman_sentence(sc, s, false);
        return d;
      }
      continue;
    }
    if (sc.resources[r].kind != model::ResourceKind::kNotify) continue;
    const auto n = s.notify(model::resource_at(r));
    // A notify_one handed to an enabled Notified whose task awaits something else: it has no
    // waker, so nobody is woken, and the notification waits for a poll that may never come.
    for (std::size_t i = 0; i < sc.tasks.size(); ++i) {
      const auto t = model::task_at(i);
      if (n.notified(t) != 1 || n.created(t) != model::kEnabledWaiting || !s.tasks(i).live()) continue;
      const auto other = model::waits_on(s, sc, t);
      if (!other) continue;
      d.cause = Cause::kStrandedNotification;
      d.summary = "stranded notification: notify_one on " + sc.resources[r].name + " handed its notification to " +
                  sc.tasks[i].name + "'s enabled Notified, which " + sc.tasks[i].name + " does not poll: it waits on " +
                  sc.resource(*other).name;
      d.handover_step = step_that_made(states, [&](const State& st) {
        return st.notify(model::resource_at(r)).notified(t) == 1;
      });
      if (d.handover_step) {
        step_detail(d, *d.handover_step, d.handover_why,
                    "handed the notification to " + sc.tasks[i].name + "'s enabled Notified (the oldest waiter; no waker)");
      }
      std::vector<std::string> waiters;
      for (TaskId w : n.waiters()) waiters.push_back(sc.task(w).name);
      if (!waiters.empty()) {
        d.details.push_back(join_names(waiters) + (waiters.size() == 1 ? " still waits" : " still wait") +
                            ": the notification went to the enabled future");
      }
      cycle_detail(d, sc, s, model::wait_for_cycle(s, sc));
      fixes(d, {"enable the Notified only right before the code that awaits it (no other await in between)",
                "drop the enabled Notified before awaiting anything else: dropping it forwards the notification"});
      d.coffman = coffman_sentence(sc, s, false);
      return d;
    }
    for (std::size_t i = 0; i < sc.tasks.size(); ++i) {
      const auto t = model::task_at(i);
      if (n.notified(t) != 1 || !model::task_paused(s, sc, t)) continue;
      d.cause = Cause::kStrandedNotification;
      d.summary = "stranded notification: notify_one on " + sc.resources[r].name + " handed its notification to " +
                  sc.tasks[i].name + ", which is paused and will never be polled again";
      std::vector<std::string> waiters;
      for (TaskId w : n.waiters()) waiters.push_back(sc.task(w).name);
      if (!waiters.empty()) {
        d.details.push_back(join_names(waiters) + (waiters.size() == 1 ? " still waits" : " still wait") +
                            ": the notification went to the paused future");
      }
      d.coffman = coffman_sentence(sc, s, false);
      return d;
    }
  }

  // A receiver waiting on an empty channel whose Sender a stalled task keeps alive: nothing will
  // be sent, and the channel never closes (recv would return None once every Sender is dropped).
  for (std::size_t i = 0; i < sc.tasks.size(); ++i) {
    const auto t = model::task_at(i);
    const auto r = model::waits_on(s, sc, t);
    if (!r || model::task_paused(s, sc, t)) continue;
    const auto& channel = sc.resource(*r);
    if (channel.senders.empty() || !model::waits_for_message(channel.kind)) continue;
    for (std::size_t sender : channel.senders) {
      const auto holder = model::task_at(sender);
      if (!s.tasks(sender).live()) continue;
      const bool paused = model::task_paused(s, sc, holder);
      const std::string& name = sc.tasks[sender].name;
      d.cause = Cause::kChannelHeldOpen;
      const std::string empty = channel.kind == model::ResourceKind::kWatch ? "has no new version" : "holds nothing";
      if (holder == t) {
        d.summary = "channel held open: " + name + " waits on " + channel.name + ", which " + empty + ", while " + name +
                    " itself owns a Sender of it: the channel cannot close while it waits (a task waiting for itself)";
      } else {
        d.summary = "channel held open: " + sc.tasks[i].name + " waits on " + channel.name + ", which " + empty +
                    ", and " + name + " keeps a Sender of it alive " +
                    (paused ? std::string("while paused") : "while it waits (now at: " + now_at(sc, s, holder) + ")") +
                    ": it will never send, and the channel never closes";
      }
      if (paused) d.swallowed_step = swallowing_poll(sc, states, trace, holder);
      d.details.push_back(std::string(channel.kind == model::ResourceKind::kWatch ? "changed()" : "recv") +
                          " returns the end of the channel only once every Sender is dropped, and " + name +
                          "'s future, which owns one, is " + (paused ? "paused, not dropped" : "not finished"));
      if (paused) {
        fixes(d, {"drop the paused future (drop_on_pause, or abort the task): its Sender is dropped with it",
                  "give the paused future no Sender of its own (clone it only where a message is sent, and drop it "
                  "right after)"});
      } else {
        fixes(d, {"drop the Sender before " + name + " waits (drop(tx)), so the channel can close",
                  "receive with a timeout or select! over a shutdown signal rather than waiting for the channel to "
                  "close"});
      }
      d.coffman = coffman_sentence(sc, s, false) + " " + name + " holds a Sender, which no Coffman resource "
                  "counts: the receiver waits for the channel to close, not for a lock.";
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
    const bool listens = r && (sc.resource(*r).kind == model::ResourceKind::kNotify ||
                               model::waits_for_message(sc.resource(*r).kind));
    if (!listens || model::task_paused(s, sc, t)) continue;
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
    const bool notify = sc.resource(*r).kind == model::ResourceKind::kNotify;
    d.summary = "lost wakeup: " + sc.tasks[i].name + " waits on " + sc.resource(*r).name + " and no task is left that could " +
                (notify ? "notify it" : sc.resource(*r).senders.empty()
                                            ? "send on it (and its Sender outlives every task: name the channel's senders "
                                              "to let it close)"
                                            : "send on it");
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
    case Cause::kHeldByStalledFuture: return "held_by_stalled_future";
    case Cause::kStrandedNotification: return "stranded_notification";
    case Cause::kChannelHeldOpen: return "channel_held_open";
    case Cause::kLostWakeup: return "lost_wakeup";
    case Cause::kStarvation: return "starvation";
    case Cause::kBlockedThread: return "blocked_thread";
    case Cause::kModelError: return "model_error";
  }
  return "?";
}

}  // namespace wakecheck::properties
