#include "properties/final_state.hpp"

#include "properties/text.hpp"

#include "reports/text.hpp"

#include "model/queries.hpp"
#include "model/tokio_model.hpp"

namespace wakecheck::properties {

using model::ResourceId;
using model::TaskId;
using model::TaskStatus;

using model::resource_at;
using model::task_at;

namespace {

/// What a Notify or an unbounded, oneshot or watch channel holds, in words; "" for any other
/// resource.
std::string contents(const model::Scenario& sc, const model::State& s, model::ResourceId r) {
  const auto kind = sc.resource(r).kind;
  const bool holds_words = kind == model::ResourceKind::kUnbounded || kind == model::ResourceKind::kOneshot ||
                           kind == model::ResourceKind::kNotify || kind == model::ResourceKind::kWatch;
  if (!holds_words || !s.has_notify(r)) return "";  // (the other kinds have no such bytes to read)
  const auto ch = s.notify(r);
  std::string out;
  if (kind == model::ResourceKind::kUnbounded) {
    out = std::to_string(ch.permit()) + (ch.permit() == 1 ? " message" : " messages") + " in the channel";
  } else if (kind == model::ResourceKind::kOneshot) {
    out = ch.permit() > 0 ? "the value is sent, not yet received" : "no value";
  } else if (kind == model::ResourceKind::kNotify) {
    return ch.permit() > 0 ? "a permit stored" : "no permit stored";
  } else if (kind == model::ResourceKind::kWatch) {
    std::vector<std::string> unseen;
    for (std::size_t i = 0; i < sc.tasks.size(); ++i) {
      if (ch.notified(task_at(i)) != 0) unseen.push_back(sc.tasks[i].name);
    }
    out = unseen.empty() ? "every receiver has seen the latest version"
                         : "a version not yet seen by " + join_names(unseen);
  } else {
    return out;
  }
  const bool named = !sc.resource(r).senders.empty();
  return out + (!named ? "; its Sender lives on" : model::channel_closed(s, sc, r) ? "; closed: every sender is gone" : "; open");
}

}  // namespace

FinalStateView view_final_state(const model::Scenario& sc, const model::State& s) {
  FinalStateView view;
  for (std::size_t i = 0; i < sc.tasks.size(); ++i) {
    const auto t = task_at(i);
    const auto& ts = s.task(t);
    TaskView task;
    task.name = sc.tasks[i].name;
    task.paused = model::task_paused(s, sc, t);
    task.finished = ts.finished();
    task.wake_swallowed = model::task_swallowed(s, sc, t);
    for (std::size_t r = 0; r < sc.resources.size(); ++r) {
      if (model::holds(s, sc, t, resource_at(r))) {
        task.holds.push_back(sc.resources[r].name);
        task.held.push_back(r);
      }
      if (model::owned_by_future(s, t, resource_at(r)) > 0) {
        task.owns_permits.push_back(sc.resources[r].name);
        task.owned.push_back(r);
      }
    }
    if (const auto r = model::waits_on(s, sc, t)) {
      task.waits_for = sc.resource(*r).name;
      task.waiting_on = model::index(*r);
    }
    if (const auto sf = model::awaited_shared(s, sc, t); sf && s.task(*sf).live()) {
      task.waits_for = "shared " + sc.task(*sf).name;
    }
    if (const auto j = model::joins(s, sc, t)) {
      task.waits_for = "join " + sc.task(*j).name;
      task.joining = model::index(*j);
    }
    switch (ts.status) {
      case TaskStatus::kNotSpawned: task.status = "not spawned"; break;
      case TaskStatus::kComplete: task.status = "finished"; break;
      case TaskStatus::kCancelled: task.status = "cancelled"; break;
      case TaskStatus::kDropped: task.status = "dropped"; break;
      case TaskStatus::kFailed:
        task.status = std::string("model error: ") + model::to_string(ts.failure);
        break;
      case TaskStatus::kScheduled: task.status = "runnable"; break;
      case TaskStatus::kIdle:
        if (task.paused) {
          task.status = "paused";
        } else if (ts.wake_pending) {
          task.status = "runnable";
        } else if (task.waits_for) {
          task.status = "waiting";
        } else if (!task.owns_permits.empty()) {
          task.status = "woken";  // assigned, wake delivered or pending
        } else if (ts.timer == 1) {
          task.status = "sleeping";
        } else {
          task.status = "idle";
        }
        break;
    }
    if (const auto& parent = sc.tasks[i].parent; parent && ts.live()) {
      // A child future: it runs only when its task polls the combinator holding it.
      const std::string owner = sc.tasks[*parent].name + "'s " + model::combinator_name(sc.tasks[i]);
      task.status = "in " + owner + ": " + (s.ready_children().contains(task_at(i)) ? "woken (polled only when that is polled)" : task.status);
    }
    if (sc.tasks[i].shared && ts.live()) {
      // A shared future: polled by whichever clone awaits it.
      std::vector<std::string> awaiters;
      for (std::size_t h = 0; h < sc.tasks.size(); ++h) {
        if (model::awaits_shared(s, sc, task_at(h), task_at(i))) awaiters.push_back(sc.tasks[h].name);
      }
      if (awaiters.empty()) {
        task.status = std::string("shared, awaited by no clone") + (sc.tasks[i].cached ? " (the cache keeps it)" : "") + ": " +
                      (task.status == "woken" ? "its wake reached nobody" : task.status);
      } else {
        task.status = "shared, awaited by " + join_names(awaiters) + ": " + task.status;
      }
    }
    if (ts.stuck != 0 && ts.live() && model::thread_keeps_core(s, sc, task_at(ts.stuck - 1U))) {
      task.status = task.status + ", in the LIFO slot of " + sc.tasks[ts.stuck - 1U].name +
                    "'s worker, whose thread is blocked (no other worker takes it)";
    }
    if (ts.blocked != 0 && ts.live() && model::std_waits_on(s, sc, task_at(ts.blocked - 1U))) {
      task.status = "thread blocked in std_lock (keeping its core)";
    } else if (ts.blocked != 0 && ts.live()) {
      task.status = model::core_kept_by_block(s, sc) == task_at(i)
                        ? "thread blocked in futures::executor::block_on (keeping its core)"
                        : "thread blocked in block_in_place (the block_on of " + sc.tasks[ts.blocked - 1U].name + ")";
    }
    view.tasks.push_back(std::move(task));
  }

  for (std::size_t r = 0; r < sc.resources.size(); ++r) {
    const auto res = resource_at(r);
    ResourceView resource;
    resource.name = sc.resources[r].name;
    resource.kind = model::to_string(sc.resources[r].kind);
    resource.permits = sc.resources[r].permits;
    resource.words = model::words(sc.resources[r].kind);
    resource.channel = sc.resources[r].kind == model::ResourceKind::kMpsc;
    resource.available = static_cast<unsigned>(model::available(s, sc, res));
    for (std::size_t i = 0; i < sc.tasks.size(); ++i) {
      if (model::holds(s, sc, task_at(i), res)) resource.guard_holders.push_back(sc.tasks[i].name);
      if (model::owned_by_future(s, task_at(i), res) > 0) {
        resource.owning_futures.push_back(sc.tasks[i].name);
      }
    }
    const auto kind = sc.resources[r].kind;
    if (model::semaphore_based(kind)) {
      for (model::WaiterId w : s.semaphore(res).queue()) {
        resource.waiters.push_back(sc.task(model::task_of(w)).name);
      }
    }
    if (kind == model::ResourceKind::kStdMutex) {
      for (std::size_t i = 0; i < sc.tasks.size(); ++i) {
        if (model::std_waits_on(s, sc, task_at(i)) == res) resource.waiters.push_back(sc.tasks[i].name);
      }
    }
    if (kind == model::ResourceKind::kNotify || kind == model::ResourceKind::kBargingMutex ||
        model::waits_for_message(kind)) {
      for (TaskId w : s.notify(resource_at(r)).waiters()) resource.waiters.push_back(sc.task(w).name);
    }
    resource.contents = contents(sc, s, res);
    view.resources.push_back(std::move(resource));
  }

  return view;
}

std::string summarize_state(const model::Scenario& sc, const model::State& s) {
  const FinalStateView view = view_final_state(sc, s);
  std::string line;
  auto add = [&](const std::string& part) { line += (line.empty() ? "" : " | ") + part; };
  for (const auto& r : view.resources) {
    std::string part = r.name + ": available " + std::to_string(r.available);
    if (!r.guard_holders.empty()) part += ", held by " + join_names(r.guard_holders);
    if (!r.owning_futures.empty()) part += ", owned by " + join_names(r.owning_futures) + "'s future";
    if (!r.waiters.empty()) part += ", waiters " + join_names(r.waiters);
    add(part);
  }
  for (const auto& t : view.tasks) {
    if (t.status == "not spawned") continue;
    std::string part = t.name + " " + t.status;
    if (t.paused && t.status.find("paused") == std::string::npos) part += " (paused)";
    add(part);
  }
  for (std::size_t v = 0; v < sc.variables.size(); ++v) {
    const auto& spec = sc.variables[v];
    const std::string name = spec.task ? sc.tasks[*spec.task].name + "." + spec.name : spec.name;
    add(name + " = " + (spec.boolean ? (s.var(v) != 0 ? "true" : "false") : std::to_string(s.var(v))));
  }
  return line;
}

}  // namespace wakecheck::properties
