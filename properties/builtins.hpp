// The built-in properties, by name. Each is a condition on model states and a kind telling the
// explorer how to decide it: kAlways (the condition holds in every state), kSometimes (in some
// state) or kLeadsTo (every fair run from the initial state reaches a state where it holds).
// Adding one is a function in builtins.cpp plus one registry line.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "explorer/property.hpp"
#include "model/scenario.hpp"
#include "model/state.hpp"
#include "model/tokio_model.hpp"

namespace wakecheck::properties {

struct BuiltinProperty {
  std::string_view name;
  explorer::PropertyKind kind;
  std::string_view description;  // one line, shown in reports
  bool (*condition)(const model::Scenario&, model::StateView);
  // Decided once per future f as "swallowed(f) leads_to not swallowed(f)" (waker_contract).
  bool per_future = false;
};

/// Every built-in property, in a fixed order.
const std::vector<BuiltinProperty>& builtin_properties();
const BuiltinProperty* find_builtin(std::string_view name);
std::vector<std::string> builtin_names();

/// The explorer's form of a built-in property, bound to a model (which must outlive it): one
/// property, or one per future for a per-future property (its verdict is violated when any is).
std::vector<explorer::Property> bind(const BuiltinProperty& property, const model::TokioModel& model);

// The conditions themselves, exposed for tests.
bool mutual_exclusion(const model::Scenario& sc, model::StateView s);
bool deadlock_free(const model::Scenario& sc, model::StateView s);
bool all_tasks_finish(const model::Scenario& sc, model::StateView s);
bool waker_contract(const model::Scenario& sc, model::StateView s);
bool coffman_mutual_exclusion(const model::Scenario& sc, model::StateView s);
bool coffman_hold_and_wait(const model::Scenario& sc, model::StateView s);
bool coffman_no_preemption(const model::Scenario& sc, model::StateView s);
bool coffman_circular_wait(const model::Scenario& sc, model::StateView s);
bool coffman_all(const model::Scenario& sc, model::StateView s);
bool no_model_error(const model::Scenario& sc, model::StateView s);

}  // namespace wakecheck::properties
