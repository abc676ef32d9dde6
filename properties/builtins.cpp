#include "properties/builtins.hpp"

#include "model/queries.hpp"

namespace wakecheck::properties {

using explorer::PropertyKind;
using model::ResourceId;
using model::Scenario;
using model::StateView;
using model::TaskId;

using model::resource_at;
using model::task_at;

namespace {

/// Permits of r in use: held by guards or assigned to futures.
std::size_t in_use(const Scenario& sc, StateView s, ResourceId r) {
  std::size_t used = 0;
  for (std::size_t i = 0; i < sc.tasks.size(); ++i) {
    used += std::size_t{model::held_by(s, task_at(i), r)} +
            std::size_t{model::owned_by_future(s, task_at(i), r)};
  }
  return used;
}

bool holds_or_owns(StateView s, TaskId t, ResourceId r) {
  return model::held_by(s, t, r) > 0 || model::owned_by_future(s, t, r) > 0;
}
}  // namespace

bool mutual_exclusion(const Scenario& sc, StateView s) {
  for (std::size_t r = 0; r < sc.resources.size(); ++r) {
    const auto kind = sc.resources[r].kind;
    if (kind == model::ResourceKind::kNotify || kind == model::ResourceKind::kMpsc) continue;
    if (model::guard_holders(s, sc, resource_at(r)) > sc.resources[r].permits) return false;
  }
  return true;
}

bool deadlock_free(const Scenario& sc, StateView s) { return !model::has_wait_for_cycle(s, sc); }

bool all_tasks_finish(const Scenario& sc, StateView s) {
  for (std::size_t i = 0; i < sc.tasks.size(); ++i) {
    // A shared future is no task: one left unfinished by its awaiters (kept by a cache) ends
    // with the program; whoever still awaits it is live and counted.
    if (sc.tasks[i].shared) continue;
    if (s.tasks(i).live() && !model::task_paused(s, sc, task_at(i))) return false;
  }
  return true;
}

bool waker_contract(const Scenario& sc, StateView s) {
  (void)sc;
  return !s.any_swallowed();
}

bool no_model_error(const Scenario& sc, StateView s) {
  for (std::size_t i = 0; i < sc.tasks.size(); ++i) {
    if (s.tasks(i).status == model::TaskStatus::kFailed) return false;
  }
  return true;
}

bool coffman_mutual_exclusion(const Scenario& sc, StateView s) {
  // A resource whose every permit is in use while a task waits for it: it cannot be shared.
  for (std::size_t r = 0; r < sc.resources.size(); ++r) {
    const auto res = resource_at(r);
    if (!model::semaphore_based(sc.resources[r].kind)) continue;
    if (!s.semaphore(res).queue().empty() && in_use(sc, s, res) == sc.resources[r].permits) {
      return true;
    }
  }
  return false;
}

bool coffman_hold_and_wait(const Scenario& sc, StateView s) {
  for (std::size_t i = 0; i < sc.tasks.size(); ++i) {
    const auto t = task_at(i);
    const bool waits = model::waits_on(s, sc, t).has_value() || model::joins(s, sc, t).has_value() ||
                       model::awaited_shared(s, sc, t).has_value();
    if (!waits) continue;
    for (std::size_t r = 0; r < sc.resources.size(); ++r) {
      if (holds_or_owns(s, t, resource_at(r))) return true;
    }
  }
  return false;
}

bool coffman_no_preemption(const Scenario& sc, StateView s) {
  // tokio takes no permit back: only its owner's progress, or dropping its future, returns it.
  // The condition holds when some permit is in use by a task the environment cannot drop.
  const auto& drop = sc.fault(model::FaultKind::kDrop);
  const bool drops_left = s.faults_left(model::FaultKind::kDrop) > 0;
  for (std::size_t i = 0; i < sc.tasks.size(); ++i) {
    const bool droppable = drops_left && i < drop.tasks.size() && drop.tasks[i];
    if (droppable) continue;
    for (std::size_t r = 0; r < sc.resources.size(); ++r) {
      if (holds_or_owns(s, task_at(i), resource_at(r))) return true;
    }
  }
  return false;
}

bool coffman_circular_wait(const Scenario& sc, StateView s) {
  return model::has_wait_for_cycle(s, sc);
}

bool coffman_all(const Scenario& sc, StateView s) {
  return coffman_mutual_exclusion(sc, s) && coffman_hold_and_wait(sc, s) &&
         coffman_no_preemption(sc, s) && coffman_circular_wait(sc, s);
}

const std::vector<BuiltinProperty>& builtin_properties() {
  static const std::vector<BuiltinProperty> registry = {
      {"mutual_exclusion", PropertyKind::kAlways,
       "never more guard holders than permits", &mutual_exclusion},
      {"deadlock_free", PropertyKind::kAlways,
       "no reachable state has a cycle in the wait-for graph", &deadlock_free},
      {"all_tasks_finish", PropertyKind::kLeadsTo,
       "every spawned task that is not paused or dropped eventually finishes", &all_tasks_finish},
      {"waker_contract", PropertyKind::kLeadsTo,
       "every wake delivered to a wrapper leads to a poll or a drop of the inner future",
       &waker_contract, true},
      {"no_model_error", PropertyKind::kAlways,
       "the scenario stays within the model (no std mutex held across an await, no value out of "
       "range, no busy loop)", &no_model_error},
      {"coffman_mutual_exclusion", PropertyKind::kSometimes,
       "Coffman 1: some resource is fully in use while a task waits for it",
       &coffman_mutual_exclusion},
      {"coffman_hold_and_wait", PropertyKind::kSometimes,
       "Coffman 2: some task holds a permit while it waits for another", &coffman_hold_and_wait},
      {"coffman_no_preemption", PropertyKind::kSometimes,
       "Coffman 3: some permit is in use and nothing can take it back", &coffman_no_preemption},
      {"coffman_circular_wait", PropertyKind::kSometimes,
       "Coffman 4: the wait-for graph has a cycle", &coffman_circular_wait},
      {"coffman_all", PropertyKind::kSometimes,
       "all four Coffman conditions hold in one state", &coffman_all},
  };
  return registry;
}

const BuiltinProperty* find_builtin(std::string_view name) {
  for (const auto& property : builtin_properties()) {
    if (property.name == name) return &property;
  }
  return nullptr;
}

std::vector<std::string> builtin_names() {
  std::vector<std::string> names;
  for (const auto& property : builtin_properties()) names.emplace_back(property.name);
  return names;
}

std::vector<explorer::Property> bind(const BuiltinProperty& property, const model::TokioModel& model) {
  const auto condition = property.condition;
  const model::Scenario& scenario = model.scenario();
  auto holds = [condition, &model](const std::uint8_t* s) { return condition(model.scenario(), model.view(s)); };
  std::vector<explorer::Property> out;
  if (property.per_future && model.has_symmetry()) {
    // Up to symmetry a future's identity is not kept along a path: the family is one property,
    // "some future swallowed leads to none swallowed", which has the same violations wherever runs
    // cannot cycle (a violating run ends in a dead end where a future is swallowed); where they can,
    // the search decides it again on the concrete states (PropertyOutcome::needs_concrete).
    explorer::Property family;
    family.name = std::string(property.name);
    family.kind = PropertyKind::kLeadsTo;
    family.condition = [&model](const std::uint8_t* s) { return model.view(s).any_swallowed(); };
    family.target = [&model](const std::uint8_t* s) { return !model.view(s).any_swallowed(); };
    out.push_back(std::move(family));
    return out;
  }
  if (property.per_future) {
    for (std::size_t f = 0; f < scenario.futures.size(); ++f) {
      explorer::Property one;
      one.name = std::string(property.name) + "[" + scenario.futures[f].name + "]";
      one.kind = PropertyKind::kLeadsTo;
      one.condition = [f, &model](const std::uint8_t* s) { return model.view(s).is_swallowed(f); };
      one.target = [f, &model](const std::uint8_t* s) { return !model.view(s).is_swallowed(f); };
      out.push_back(std::move(one));
    }
    return out;
  }
  explorer::Property one;
  one.name = std::string(property.name);
  one.kind = property.kind;
  if (property.kind == PropertyKind::kLeadsTo) {
    one.target = holds;  // from the initial state
  } else {
    one.condition = holds;
  }
  out.push_back(std::move(one));
  return out;
}

}  // namespace wakecheck::properties
