#include "properties/property_file.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <sstream>

#include "model/limits.hpp"
#include "properties/builtins.hpp"
#include "properties/input_error.hpp"
#include "properties/input_file.hpp"
#include "properties/limits.hpp"
#include "properties/loader.hpp"

namespace wakecheck::properties {

extern const char* const kPropertyFileSchema;  // properties/schema.json, embedded at build time

namespace loading {

PropertyFile Loader::load() {
  const json& root = in_.root();
  PropertyFile file;
  // The schema first: it rejects malformed structure. A string that fits no pattern or enum
  // (an operation, a formula, a property name) is left to the checks below, which say more
  // precisely what is wrong with it (a misspelt verb, an argument too many); should those
  // accept what the schema does not, the schema's error is reported after all.
  deferred_ = validate_against_schema(root, property_file_schema());
  if (deferred_ && !deferrable(deferred_->message)) report(*deferred_);
  in_.expect_object(root, "", {"$schema", "name", "description", "scenario", "checks"},
                    {"name", "scenario", "checks"});
  file.name = in_.string(root["name"], "/name");
  if (root.contains("description")) file.description = in_.string(root["description"], "/description");
  file.scenario = scenario(root["scenario"], "/scenario");
  file.scenario.name = file.name;
  file.checks = checks(root["checks"], "/checks", file.scenario);
  if (deferred_) report(*deferred_);
  return file;
}

model::Scenario Loader::scenario(const json& value, const std::string& at) {
  in_.expect_object(value, at, {"runtime", "tokio", "event_interval", "worker_threads", "resources", "variables", "tasks",
                                "shared_futures", "faults"},
                    {"runtime", "resources", "tasks"});
  model::Scenario sc;
  const auto runtime = in_.choice(value["runtime"], at + "/runtime", "runtime",
                                  {"current_thread", "multi_thread"});
  sc.flavor = runtime == "current_thread" ? model::Flavor::kCurrentThread : model::Flavor::kMultiThread;
  if (value.contains("tokio")) {
    const auto version = in_.choice(value["tokio"], at + "/tokio", "tokio version", {"1.24", "1.53"});
    sc.version = version == "1.24" ? model::TokioVersion::k1_24 : model::TokioVersion::k1_53;
  }
  if (value.contains("event_interval")) {
    sc.event_interval = static_cast<std::uint8_t>(in_.integer(value["event_interval"], at + "/event_interval", 1, 255));
  }
  if (value.contains("worker_threads")) {
    if (sc.flavor != model::Flavor::kMultiThread) {
      in_.fail_key(at + "/worker_threads", "worker_threads is for the multi_thread runtime");
    }
    sc.worker_threads = static_cast<std::uint8_t>(in_.integer(value["worker_threads"], at + "/worker_threads", 1, 1));
  }
  resources(value["resources"], at + "/resources", sc);
  if (value.contains("variables")) variables(value["variables"], at + "/variables", sc, std::nullopt);
  if (value.contains("shared_futures")) {
    shared_json_ = &in_.array(value["shared_futures"], at + "/shared_futures");
    shared_at_ = at + "/shared_futures";
  }
  tasks(value["tasks"], at + "/tasks", sc);
  senders(value["resources"], at + "/resources", sc);
  if (value.contains("faults")) faults(value["faults"], at + "/faults", sc);
  for (auto& budget : sc.faults) {
    budget.tasks.resize(sc.tasks.size(), false);
    budget.futures.resize(sc.futures.size(), false);
  }
  return sc;
}

void Loader::resources(const json& value, const std::string& at, model::Scenario& sc) {
  const json& list = in_.array(value, at);
  if (list.size() > model::kMaxResources) {
    in_.fail(at, "at most " + std::to_string(model::kMaxResources) + " resources are supported, found " +
                     std::to_string(list.size()));
  }
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string p = at + "/" + std::to_string(i);
    in_.expect_object(list[i], p, {"name", "kind", "permits", "max_readers", "capacity", "senders"}, {"name", "kind"});
    model::ResourceSpec spec;
    spec.name = name(list[i]["name"], p + "/name");
    static const std::vector<std::pair<std::string, model::ResourceKind>> kinds = {
        {"tokio_mutex", model::ResourceKind::kTokioMutex}, {"std_mutex", model::ResourceKind::kStdMutex},
        {"notify", model::ResourceKind::kNotify},          {"semaphore", model::ResourceKind::kSemaphore},
        {"rwlock", model::ResourceKind::kRwLock},          {"mpsc", model::ResourceKind::kMpsc},
        {"barging_mutex", model::ResourceKind::kBargingMutex}, {"oncecell", model::ResourceKind::kOnceCell},
        {"unbounded", model::ResourceKind::kUnbounded},    {"oneshot", model::ResourceKind::kOneshot},
        {"watch", model::ResourceKind::kWatch}};
    std::vector<std::string> kind_names;
    for (const auto& [n, k] : kinds) kind_names.push_back(n);
    const auto kind = in_.choice(list[i]["kind"], p + "/kind", "resource kind", kind_names);
    for (const auto& [n, k] : kinds) {
      if (n == kind) spec.kind = k;
    }
    // The size of the semaphore underneath: a semaphore's permits, a rwlock's max readers
    // (tokio's default is far above any scenario's tasks: 8 behaves the same here), a
    // channel's capacity.
    const std::pair<const char*, model::ResourceKind> sizes[] = {
        {"permits", model::ResourceKind::kSemaphore}, {"max_readers", model::ResourceKind::kRwLock},
        {"capacity", model::ResourceKind::kMpsc}};
    spec.permits = spec.kind == model::ResourceKind::kRwLock ? 8 : 1;
    for (const auto& [key, owner] : sizes) {
      if (!list[i].contains(key)) continue;
      if (spec.kind != owner) {
        in_.fail_key(p + "/" + key, std::string("'") + key + "' is for a " + model::to_string(owner) +
                                        ", and '" + spec.name + "' is a " + kind);
      }
      spec.permits = static_cast<std::uint8_t>(
          in_.integer(list[i][key], p + "/" + key, owner == model::ResourceKind::kSemaphore ? 0 : 1, 255));
    }
    if (spec.kind == model::ResourceKind::kMpsc && !list[i].contains("capacity")) {
      in_.fail(p, "missing required key 'capacity' (a bounded channel's slots)");
    }
    if (sc.find_resource(spec.name)) in_.fail(p + "/name", "duplicate resource name '" + spec.name + "'");
    sc.resources.push_back(spec);
  }
}

void Loader::senders(const json& list, const std::string& at, model::Scenario& sc) {
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string p = at + "/" + std::to_string(i);
    model::ResourceSpec& spec = sc.resources[i];
    const bool channel = spec.kind == model::ResourceKind::kMpsc || spec.kind == model::ResourceKind::kUnbounded ||
                         spec.kind == model::ResourceKind::kOneshot || spec.kind == model::ResourceKind::kWatch;
    if (list[i].contains("senders")) {
      if (!channel) {
        in_.fail_key(p + "/senders", "'senders' is for a channel (mpsc, unbounded, oneshot or watch), and '" +
                                         spec.name + "' is a " + model::to_string(spec.kind));
      }
      const json& names = in_.array(list[i]["senders"], p + "/senders");
      if (names.empty()) in_.fail(p + "/senders", "expected at least one sender task");
      for (std::size_t k = 0; k < names.size(); ++k) {
        const std::string q = p + "/senders/" + std::to_string(k);
        const std::string& n = in_.string(names[k], q);
        const auto targets = resolve_tasks(sc, n);
        if (!targets) in_.fail(q, JsonReader::unknown("task", n, task_names(sc)));
        for (std::size_t t : *targets) {
          if (sc.tasks[t].parent) {
            in_.fail(q, "'" + n + "' is a branch inside " + sc.tasks[*sc.tasks[t].parent].name +
                            ": a Sender belongs to a task, dropped with its future");
          }
          if (std::find(spec.senders.begin(), spec.senders.end(), t) != spec.senders.end()) {
            in_.fail(q, "'" + sc.tasks[t].name + "' is named twice");
          }
          spec.senders.push_back(t);
        }
      }
    }
    // With senders named, a send is a Sender's: only they (or branches inside them) send.
    if (!spec.senders.empty()) {
      for (std::size_t t = 0; t < sc.tasks.size(); ++t) {
        const std::size_t holder = sc.tasks[t].parent.value_or(t);
        if (std::find(spec.senders.begin(), spec.senders.end(), holder) != spec.senders.end()) continue;
        for (const model::Op& op : sc.tasks[t].program) {
          if ((op.kind == OpKind::kSend || op.kind == OpKind::kPut) && op.a == i) {
            in_.fail(p + "/senders", "'" + sc.tasks[t].name + "' sends on '" + spec.name +
                                         "' but is not one of its senders: add it to 'senders'");
          }
        }
      }
    }
    // oneshot and watch (tokio 1.24): one Sender, which is not Clone.
    const bool single = spec.kind == model::ResourceKind::kOneshot || spec.kind == model::ResourceKind::kWatch;
    if (single && spec.senders.size() > 1) {
      const std::string kind = model::to_string(spec.kind);
      in_.fail(p + "/senders", kind + " '" + spec.name + "' has " + std::to_string(spec.senders.size()) +
                                   " senders (copies counted); a " + kind + "::Sender is not Clone, so it has one");
    }
    if (spec.kind != model::ResourceKind::kOneshot) continue;
    // oneshot: one send, one receive: send and `.await` take it.
    for (const OpKind kind : {OpKind::kPut, OpKind::kRecv}) {
      const char* what = kind == OpKind::kPut ? "sent" : "received";
      const char* why = kind == OpKind::kPut ? "Sender::send takes the sender" : "awaiting the Receiver takes it";
      std::size_t uses = 0;
      for (const auto& task : sc.tasks) {
        for (std::size_t pc = 0; pc < task.program.size(); ++pc) {
          const model::Op& op = task.program[pc];
          if (op.kind != kind || op.a != i) continue;
          ++uses;
          for (std::size_t later = pc + 1; later < task.program.size(); ++later) {
            const model::Op& jump = task.program[later];
            if ((jump.kind == OpKind::kJump || jump.kind == OpKind::kJumpUnless) && jump.b <= pc) {
              in_.fail(p, "oneshot '" + spec.name + "' is " + what + " inside a loop of " + task.name + ": " + why +
                              ", so it happens once");
            }
          }
        }
      }
      if (uses > 1) {
        in_.fail(p, "oneshot '" + spec.name + "' is " + what + " by " + std::to_string(uses) +
                        " statements (copies counted): " + why + ", so it happens once");
      }
    }
  }
}

void Loader::variables(const json& value, const std::string& at, model::Scenario& sc,
               std::optional<std::size_t> task) {
  if (!value.is_object()) in_.fail(at, "expected an object of variables, found " + JsonReader::type_name(value));
  for (const auto& [key, spec_json] : value.items()) {
    const std::string p = at + "/" + JsonReader::escape_token(key);
    model::VariableSpec spec;
    spec.name = name(json(key), p);
    spec.task = task;
    if (sc.find_variable(spec.name, task)) in_.fail_key(p, "duplicate variable '" + key + "'");
    if (task && sc.find_variable(spec.name)) {
      // In the task's program the name would mean its own variable, silently, and a formula's
      // 'x' the shared one: one name for two variables is a mistake waiting to happen.
      in_.fail_key(p, "task variable '" + key + "' shadows the shared variable '" + key + "'; rename one of them");
    }
    if (spec_json.is_boolean()) {
      spec.boolean = true;
      spec.initial = spec_json.get<bool>() ? 1 : 0;
      spec.min = 0;
      spec.max = 1;
    } else if (spec_json.is_number()) {
      spec.initial = static_cast<std::int16_t>(in_.integer(spec_json, p, -128, 127));
      spec.min = -128;
      spec.max = 127;
    } else {
      in_.expect_object(spec_json, p, {"initial", "min", "max"}, {"initial"});
      if (spec_json["initial"].is_boolean()) in_.fail(p + "/initial", "a boolean needs no range: write the value");
      spec.min = static_cast<std::int16_t>(spec_json.contains("min") ? in_.integer(spec_json["min"], p + "/min", -32768, 32767) : -128);
      spec.max = static_cast<std::int16_t>(spec_json.contains("max") ? in_.integer(spec_json["max"], p + "/max", spec.min, 32767) : 127);
      spec.initial = static_cast<std::int16_t>(in_.integer(spec_json["initial"], p + "/initial", spec.min, spec.max));
    }
    if (sc.variables.size() >= model::kMaxVariables) {
      in_.fail(p, "at most " + std::to_string(model::kMaxVariables) +
                      " variables are supported (tasks' own counted per copy)");
    }
    sc.variables.push_back(spec);
  }
}

void Loader::tasks(const json& value, const std::string& at, model::Scenario& sc) {
  const json& list = in_.array(value, at);
  std::optional<std::size_t> main_at;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string p = at + "/" + std::to_string(i);
    in_.expect_object(list[i], p, {"name", "copies", "wrapper", "variables", "program"}, {"name", "program"});
    if (name(list[i]["name"], p + "/name") == "main") main_at = i;
  }
  if (!main_at) in_.fail(at, "missing the task named 'main' (the runtime's block_on future)");
  std::vector<std::size_t> order{*main_at};
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (i != *main_at) order.push_back(i);
  }
  // First pass: names, copies, wrappers and own variables, so that programs may name any task.
  std::vector<model::Wrapper> wrappers;
  for (std::size_t i : order) {
    const std::string p = at + "/" + std::to_string(i);
    const json& task = list[i];
    TaskGroup group;
    group.name = task["name"].get<std::string>();
    group.json_index = i;
    for (const auto& other : groups_) {
      if (other.name == group.name) in_.fail(p + "/name", "duplicate task name '" + group.name + "'");
    }
    if (task.contains("copies")) {
      group.copies = static_cast<std::size_t>(in_.integer(task["copies"], p + "/copies", 1, model::kMaxTasks));
      if (group.name == "main" && group.copies != 1) in_.fail(p + "/copies", "main has exactly one copy");
    }
    model::Wrapper wrapper = model::Wrapper::kNone;
    if (task.contains("wrapper")) wrapper = parse_wrapper(task["wrapper"], p + "/wrapper");
    if (wrapper == model::Wrapper::kTimeout) {
      in_.fail(p + "/wrapper", "a timeout wraps a nested future ({\"future\": ..., \"wrapper\": \"timeout\"}), not a whole task");
    }
    if (group.name == "main" && wrapper != model::Wrapper::kNone) {
      in_.fail(p + "/wrapper", "main is the runtime's block_on future: it cannot be wrapped");
    }
    group.first = sc.tasks.size();
    if (sc.tasks.size() + group.copies > model::kMaxTasks) {
      in_.fail(p, "at most " + std::to_string(model::kMaxTasks) +
                      " tasks (main included, copies counted) are supported");
    }
    for (std::size_t c = 0; c < group.copies; ++c) {
      model::TaskSpec spec;
      spec.name = task.contains("copies") ? group.name + std::to_string(c) : group.name;
      spec.group = group.name;
      if (const auto clash = sc.find_task(spec.name)) {
        const auto& other = sc.tasks[*clash];
        in_.fail(p + "/name", "task name '" + spec.name + "' is used twice (once by " +
                                  (other.name == other.group ? std::string("a task")
                                                             : "a copy of '" + other.group + "'") + ")");
      }
      sc.tasks.push_back(spec);
      wrappers.push_back(wrapper);
      if (task.contains("variables")) variables(task["variables"], p + "/variables", sc, sc.tasks.size() - 1);
    }
    groups_.push_back(group);
  }
  // Branches of combinators (join!, FuturesUnordered, select_all) become child slots after
  // every task, so that a task's copies stay contiguous.
  for (const auto& group : groups_) {
    for (std::size_t c = 0; c < group.copies; ++c) {
      collect_children(list[group.json_index]["program"], at + "/" + std::to_string(group.json_index) + "/program",
                       sc, group.first + c, group.copies > 1 ? std::to_string(c) : "", wrappers);
    }
  }
  shared_slots(sc, wrappers);
  for (std::size_t t = 0; t < sc.tasks.size(); ++t) {
    model::FutureSpec own;
    own.name = sc.tasks[t].name;
    own.task = t;
    own.wrapper = wrappers[t];
    sc.futures.push_back(own);
  }
  // Nested futures, found before any program is compiled so that any program may pause them.
  for (const auto& group : groups_) {
    for (std::size_t c = 0; c < group.copies; ++c) {
      collect_futures(list[group.json_index]["program"], at + "/" + std::to_string(group.json_index) + "/program",
                      sc, group.first + c);
    }
  }
  for (const auto& [path, child] : child_at_) collect_futures(*child_json_.at(path), path + "/do", sc, child);
  // Second pass: programs, compiled per copy (each copy has its own variables and futures).
  for (const auto& group : groups_) {
    const std::string p = at + "/" + std::to_string(group.json_index) + "/program";
    for (std::size_t c = 0; c < group.copies; ++c) {
      const std::size_t t = group.first + c;
      std::vector<Op> program;
      block(list[group.json_index]["program"], p, sc, t, Context{}, program);
      if (program.size() > model::kMaxProgram) {
        in_.fail(p, "the program compiles to more than " + std::to_string(model::kMaxProgram) + " operations");
      }
      compiled(program, Owner{t, false});
      sc.tasks[t].program = std::move(program);
    }
  }
  shared_bodies(sc);
  check_unlocks(sc);
}

void Loader::shared_slots(model::Scenario& sc, std::vector<model::Wrapper>& wrappers) {
  if (shared_json_ == nullptr) return;
  for (std::size_t i = 0; i < shared_json_->size(); ++i) {
    const std::string p = shared_at_ + "/" + std::to_string(i);
    const json& entry = (*shared_json_)[i];
    in_.expect_object(entry, p, {"name", "cached", "do"}, {"name", "do"});
    model::TaskSpec spec;
    spec.name = name(entry["name"], p + "/name");
    spec.group = spec.name;
    spec.shared = true;
    if (entry.contains("cached")) spec.cached = in_.boolean(entry["cached"], p + "/cached");
    if (sc.find_task(spec.name) || resolve_tasks(sc, spec.name)) {
      in_.fail(p + "/name", "name '" + spec.name + "' is used twice (shared futures are named like tasks)");
    }
    if (sc.tasks.size() >= model::kMaxTasks) {
      in_.fail(p, "at most " + std::to_string(model::kMaxTasks) +
                      " tasks, branches and shared futures in all (main included, copies counted)");
    }
    sc.tasks.push_back(spec);
    wrappers.push_back(model::Wrapper::kNone);
  }
}

void Loader::shared_bodies(model::Scenario& sc) {
  if (shared_json_ == nullptr) return;
  for (std::size_t i = 0; i < shared_json_->size(); ++i) {
    const std::string p = shared_at_ + "/" + std::to_string(i) + "/do";
    const std::size_t t = *sc.find_task((*shared_json_)[i]["name"].get<std::string>());
    Context ctx;
    ctx.in_shared = true;
    std::vector<Op> program;
    block((*shared_json_)[i]["do"], p, sc, t, ctx, program);
    if (program.size() > model::kMaxProgram) {
      in_.fail(p, "the shared future compiles to more than " + std::to_string(model::kMaxProgram) + " operations");
    }
    for (std::size_t pc = 0; pc < program.size(); ++pc) {
      const auto kind = program[pc].kind;
      const bool allowed = kind == OpKind::kLock || kind == OpKind::kUnlock || kind == OpKind::kTryLock ||
                           kind == OpKind::kSleep || kind == OpKind::kYieldNow || kind == OpKind::kNotified ||
                           kind == OpKind::kNotifyOne || kind == OpKind::kNotifyWaiters || kind == OpKind::kAssign ||
                           kind == OpKind::kJumpUnless || kind == OpKind::kJump || kind == OpKind::kReturn ||
                           kind == OpKind::kSend || kind == OpKind::kPut || kind == OpKind::kAddPermits ||
                           kind == OpKind::kForget || kind == OpKind::kClose || kind == OpKind::kGetOrInit ||
                           kind == OpKind::kJoin || kind == OpKind::kGuardBegin || kind == OpKind::kGuardEnd;
      if (!allowed) {
        in_.fail(p, std::string("a shared future's body cannot '") + model::to_string(kind) +
                        "' (it holds locks, semaphores, Notify, sends, sleeps, joins and plain statements; "
                        "whoever awaits a clone polls it)");
      }
    }
    compiled(program, Owner{t, false});
    sc.tasks[t].program = std::move(program);
  }
}

void Loader::faults(const json& value, const std::string& at, model::Scenario& sc) {
  in_.expect_object(value, at, {"pause", "resume", "drop", "spurious_wake", "coop_yield"}, {});
  const std::pair<const char*, model::FaultKind> kinds[] = {
      {"pause", model::FaultKind::kPause},
      {"resume", model::FaultKind::kResume},
      {"drop", model::FaultKind::kDrop},
      {"spurious_wake", model::FaultKind::kSpuriousWake},
      {"coop_yield", model::FaultKind::kCoopYield}};
  for (const auto& [key, kind] : kinds) {
    if (!value.contains(key)) continue;
    const std::string p = at + "/" + key;
    const json& f = value[key];
    in_.expect_object(f, p, {"budget", "tasks"}, {"budget"});
    auto& budget = sc.faults[static_cast<std::size_t>(kind)];
    budget.budget = static_cast<std::uint8_t>(in_.integer(f["budget"], p + "/budget", 0, 255));
    budget.tasks.assign(sc.tasks.size(), false);
    budget.futures.assign(sc.futures.size(), false);
    const bool on_futures = kind == model::FaultKind::kPause || kind == model::FaultKind::kResume;
    if (!f.contains("tasks")) {
      // Default: everything but main that the fault can strike.
      for (std::size_t t = 1; t < sc.tasks.size(); ++t) budget.tasks[t] = !on_futures;
      for (std::size_t u = 1; u < sc.futures.size(); ++u) {
        budget.futures[u] = on_futures && sc.futures[u].wrapper != model::Wrapper::kNone;
      }
      continue;
    }
    const json& list = in_.array(f["tasks"], p + "/tasks");
    for (std::size_t i = 0; i < list.size(); ++i) {
      const std::string q = p + "/tasks/" + std::to_string(i);
      const std::string& n = in_.string(list[i], q);
      if (on_futures) {
        const auto futures = resolve_futures(sc, n);
        if (futures.empty()) {
          std::vector<std::string> names = task_names(sc);
          for (const auto& fu : sc.futures) names.push_back(fu.name);
          in_.fail(q, JsonReader::unknown("task or future", n, names));
        }
        for (std::size_t u : futures) {
          if (sc.futures[u].wrapper == model::Wrapper::kNone) {
            in_.fail(q, "'" + sc.futures[u].name + "' has no wrapper, so it cannot be " +
                            (kind == model::FaultKind::kPause ? "paused" : "resumed"));
          }
          budget.futures[u] = true;
        }
        continue;
      }
      const auto targets = resolve_tasks(sc, n);
      if (!targets) in_.fail(q, JsonReader::unknown("task", n, task_names(sc)));
      for (std::size_t t : *targets) budget.tasks[t] = true;
    }
  }
}

}  // namespace loading

const nlohmann::json& property_file_schema() {
  static const nlohmann::json schema = nlohmann::json::parse(kPropertyFileSchema);
  return schema;
}

PropertyFile parse_property_file(const std::string& path, const std::string& text) {
  PropertyFile file = loading::Loader(path, text).load();
  file.path = path;
  return file;
}

PropertyFile load_property_file(const std::string& path) {
  return parse_property_file(path, read_regular_file(path, kMaxPropertyFileBytes));
}

const char* to_string(Expectation expectation) {
  switch (expectation) {
    case Expectation::kHolds: return "holds";
    case Expectation::kViolated: return "violated";
    case Expectation::kVacuous: return "vacuous";
  }
  return "?";
}

}  // namespace wakecheck::properties
