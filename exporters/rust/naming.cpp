// The exporter's names: task groups and copies, resources, guard slots, pause flags and
// variables as statics, the units written as async fns, and references to them from a program.
#include <algorithm>
#include <cctype>
#include <set>

#include "exporters/rust/exporter.hpp"
#include "exporters/rust/text.hpp"

namespace wakecheck::exporters::rust {

void Exporter::name_everything() {
  // Groups of tasks in the order they first appear (main first).
  std::map<std::string, std::size_t> group_of_name;
  for (std::size_t t = 0; t < sc_.tasks.size(); ++t) {
    const auto& spec = sc_.tasks[t];
    auto [it, fresh] = group_of_name.emplace(spec.group, groups_.size());
    if (fresh) groups_.push_back({spec.group, {}});
    groups_[it->second].second.push_back(t);
    task_group_.push_back(it->second);
    copy_of_.push_back(groups_[it->second].second.size() - 1);
    template_.push_back(spec.name != spec.group);
  }
  for (std::size_t t = 0; t < sc_.tasks.size(); ++t)
    task_const_.push_back(upper_.take(upper(sc_.tasks[t].name)));

  // Resources: a local for each, and a slot for the guard of each mutex.
  for (const auto& r : sc_.resources) {
    resource_.push_back(lower_.take(r.name));
    const char* suffix = r.kind == ResourceKind::kSemaphore ? "_permits"
                         : channel(r.kind)                  ? "_rx"
                                                            : "_guard";
    guard_.push_back(lower_.take(r.name + suffix));
    ends_ = ends_ || !r.senders.empty() || r.kind == ResourceKind::kWatch;
  }
  for (const auto& task : sc_.tasks) {
    // futures::executor::block_on, and a std lock (which blocks its thread while another holds it),
    // may keep a thread from ever giving itself back: a watchdog thread reports then.
    for (const Op& op : task.program) {
      block_ons_ = block_ons_ || (op.kind == OpKind::kBlockBegin && op.a == 1) || op.kind == OpKind::kStdLock;
    }
  }
  // A Notified a program creates before it awaits it (create_notified): a slot per notify.
  created_.assign(sc_.resources.size(), "");
  for (const auto& task : sc_.tasks) {
    for (const Op& op : task.program) {
      if (op.kind == OpKind::kCreateNotified && created_[op.a].empty())
        created_[op.a] = lower_.take(sc_.resources[op.a].name + "_created");
    }
  }

  // Pause flags: one StopFlag per wrapped future; the copies of a template share one array.
  for (std::size_t f = 0; f < sc_.futures.size(); ++f) {
    const auto& fut = sc_.futures[f];
    if (fut.wrapper == Wrapper::kNone) {
      flag_of_.push_back(std::nullopt);
      continue;
    }
    const std::size_t g = task_group_[fut.task];
    const std::string key = groups_[g].first + "." + nested_name(f);
    auto it = flag_slots_.find(key);
    if (it == flag_slots_.end()) {
      StaticSlot slot;
      slot.array = template_[fut.task];
      const std::string nested = nested_name(f);
      slot.name = upper_.take("STOP_" + upper(groups_[g].first) +
                              (nested.empty() ? "" : "_" + upper(nested)));
      it = flag_slots_.emplace(key, flag_order_.size()).first;
      flag_order_.push_back(slot);
      flag_size_.push_back(0);
    }
    flag_of_.push_back(it->second);
    flag_size_[it->second] = std::max(flag_size_[it->second], copy_of_[fut.task] + 1);
  }

  // Variables: shared ones by name, a task's own by its template and name.
  for (std::size_t v = 0; v < sc_.variables.size(); ++v) {
    const auto& var = sc_.variables[v];
    const std::string key =
        var.task ? groups_[task_group_[*var.task]].first + "." + var.name : var.name;
    auto it = var_slots_.find(key);
    if (it == var_slots_.end()) {
      StaticSlot slot;
      slot.array = var.task && template_[*var.task];
      slot.name = upper_.take(var.task ? upper(groups_[task_group_[*var.task]].first) + "_" +
                                             upper(var.name)
                                       : upper(var.name));
      it = var_slots_.emplace(key, var_order_.size()).first;
      var_order_.push_back(slot);
      var_members_.emplace_back();
    }
    var_of_.push_back(it->second);
    var_members_[it->second].push_back(v);
  }

  // Which tasks a program drops (their future sits in a DropSlot) and what the programs use.
  droppable_.assign(sc_.tasks.size(), false);
  for (std::size_t t = 0; t < sc_.tasks.size(); ++t) {
    scan(sc_.tasks[t].program);
  }
  for (const auto& handler : sc_.handlers) scan(handler);
  for (const auto& fut : sc_.futures) {
    if (fut.wrapper == Wrapper::kPausable) uses_pausable_ = true;
    if (fut.wrapper == Wrapper::kDropOnPause) uses_drop_on_pause_ = true;
    if (fut.wrapper == Wrapper::kFinishItem) uses_finish_item_ = true;
    if (fut.wrapper == Wrapper::kTimeout) ++timeouts_;
  }

  // Units: main, then each group; a template whose copies render alike is one generic fn.
  for (std::size_t g = 0; g < groups_.size(); ++g) {
    const auto& [group, tasks] = groups_[g];
    const bool is_template = template_[tasks.front()];
    bool uniform = is_template;
    if (uniform) {
      const std::string first = body_text(tasks.front(), true, true);
      for (std::size_t i = 1; i < tasks.size() && uniform; ++i) {
        uniform = body_text(tasks[i], true, true) == first;
      }
    }
    if (g == 0) {
      units_.push_back({group, tasks, false, "main_program", ""});
      continue;
    }
    if (sc_.tasks[tasks.front()].parent || sc_.tasks[tasks.front()].shared) {
      // A branch (or a shared future's inner future) is its own group (its name is a task name): one fn, and one making its future.
      const std::string& name = sc_.tasks[tasks.front()].name;
      units_.push_back({group, tasks, false, lower_.take(name), lower_.take("branch_" + name), true});
      continue;
    }
    if (uniform) {
      units_.push_back({group, tasks, true, lower_.take(group), lower_.take("spawn_" + group)});
      continue;
    }
    for (std::size_t t : tasks) {
      units_.push_back({group,
                        {t},
                        false,
                        lower_.take(sc_.tasks[t].name),
                        lower_.take("spawn_" + sc_.tasks[t].name)});
    }
  }
  for (std::size_t u = 0; u < units_.size(); ++u) {
    for (std::size_t t : units_[u].tasks) unit_of_[t] = u;
  }
  for (std::size_t t = 0; t < sc_.tasks.size() && !first_branch_; ++t) {
    if (sc_.tasks[t].parent || sc_.tasks[t].shared) first_branch_ = t;
  }
  for (std::size_t t = 0; t < sc_.tasks.size(); ++t) {
    if (!sc_.tasks[t].parent) continue;
    for (const Op& op : sc_.tasks[t].program) {
      if (op.kind == OpKind::kRecv && sc_.resources[op.a].kind != ResourceKind::kOneshot) lends_ = true;
      if (op.kind == OpKind::kAwaitBranch || op.kind == OpKind::kDropBranch) {
        lends_ = lends_ || op.kind == OpKind::kAwaitBranch;
        if (std::find(shared_kept_.begin(), shared_kept_.end(), op.a) == shared_kept_.end()) shared_kept_.push_back(op.a);
      }
    }
  }
}

void Exporter::scan(const std::vector<Op>& program) {
  for (const Op& op : program) {
    if (op.kind == OpKind::kDrop) droppable_[op.a] = true;
    if (op.kind == OpKind::kGuardBegin) uses_guard_ = true;
    if (op.kind == OpKind::kStdLock || op.kind == OpKind::kStdUnlock) uses_std_ = true;
    if (op.kind == OpKind::kHandLock || op.kind == OpKind::kAwaitHanded) uses_hand_ = true;
  }
}

std::string Exporter::kept_static(std::size_t c) const {
  std::string name = "KEPT_";
  for (const char ch : sc_.tasks[c].name) name += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return name;
}

std::string Exporter::nested_name(std::size_t f) const {
  if (f < sc_.tasks.size()) return "";
  const std::string& name = sc_.futures[f].name;
  const auto dot = name.find('.');
  return dot == std::string::npos ? name : name.substr(dot + 1);
}

std::string Exporter::element(const StaticSlot& slot, std::size_t owner, const Ctx& ctx) const {
  if (!slot.array) return slot.name;
  if (ctx.generic && owner == ctx.task) return slot.name + "[me]";
  return slot.name + "[" + std::to_string(copy_of_[owner]) + "]";
}

std::string Exporter::flag_ref(std::size_t f, const Ctx& ctx) const {
  return element(flag_order_[*flag_of_[f]], sc_.futures[f].task, ctx);
}

std::string Exporter::var_ref(std::size_t v, const Ctx& ctx) const {
  const auto& var = sc_.variables[v];
  return element(var_order_[var_of_[v]], var.task.value_or(0), ctx);
}

std::string Exporter::task_ref(std::size_t t, const Ctx& ctx) const {
  if (ctx.generic && t == ctx.task) return task_const_[units_tasks_first(t)] + " + me";
  return task_const_[t];
}

std::size_t Exporter::units_tasks_first(std::size_t t) const {
  return groups_[task_group_[t]].second.front();
}

std::string Exporter::var_source(std::size_t v, const Ctx& ctx) const {
  const auto& var = sc_.variables[v];
  if (!var.task || *var.task == owner(ctx.task)) return var.name;
  return sc_.tasks[*var.task].name + "." + var.name;
}

}  // namespace wakecheck::exporters::rust
