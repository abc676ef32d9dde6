// The last state of a trace, told the way a user debugging a hang needs it: who waits on what,
// which future owns each permit, which tasks are paused, and why the run is stuck.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model/scenario.hpp"
#include "model/state.hpp"

namespace wakecheck::properties {

struct TaskView {
  std::string name;
  std::string status;                // "finished", "waiting", "paused", "runnable", ...
  bool paused = false;
  bool finished = false;  // completed, cancelled, dropped or failed
  std::vector<std::string> holds;         // resources whose guard it holds
  std::vector<std::string> owns_permits;  // resources whose permit its pending future owns
  std::optional<std::string> waits_for;   // "m" or "join worker2"
  bool wake_swallowed = false;
  // The same relations as indices, for graphs: resources in scenario order, and the task whose
  // JoinHandle it awaits.
  std::vector<std::size_t> held, owned;
  std::optional<std::size_t> waiting_on, joining;
};

struct ResourceView {
  std::string name;
  std::string kind;
  unsigned permits = 0;
  unsigned available = 0;
  std::vector<std::string> guard_holders;
  std::vector<std::string> owning_futures;  // tasks whose future owns an assigned permit
  std::vector<std::string> waiters;         // oldest first
  model::ResourceWords words{};             // its API's words for futures, permits and guards
  bool channel = false;                     // a channel: a capacity of slots, no guards
  std::string contents;  // a Notify or an unbounded, oneshot or watch channel: what it holds
};

struct FinalStateView {
  std::vector<TaskView> tasks;
  std::vector<ResourceView> resources;
};

FinalStateView view_final_state(const model::Scenario& scenario, const model::State& state);

/// The state on one line, for step-by-step output:
/// "m: available 0, owned by worker1's future, waiters worker2 worker3 | worker1 paused | ...".
std::string summarize_state(const model::Scenario& scenario, const model::State& state);

}  // namespace wakecheck::properties
