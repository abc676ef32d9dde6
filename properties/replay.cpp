#include "properties/replay.hpp"

namespace wakecheck::properties {

namespace {

/// Whether `expected` names `event`: as the model describes it ("pause getter1.wait"), or as a
/// JSON report records a step, its kind and the task it concerns ("pause getter1": a report's
/// "task" of a pause or resume is the task that owns the paused future).
bool names_event(const model::TokioModel& model, const model::Event& event, const std::string& expected) {
  if (model.describe(event) == expected) return true;
  const auto task = model.task_of(event);
  return task && std::string(model::to_string(event.kind)) + " " + *task == expected;
}

}  // namespace

ReplayResult replay_key(const model::TokioModel& model, const std::vector<std::size_t>& key,
                        const std::vector<std::string>& expected) {
  ReplayResult result;
  model::State state = model.initial_state();
  std::vector<model::Event> events;
  for (std::size_t i = 0; i < key.size(); ++i) {
    const auto enabled = model.enabled_events(state);
    if (key[i] >= enabled.size()) {
      result.failed_at = i + 1;
      result.reason = "the trace chooses event " + std::to_string(key[i]) + " but only " +
                      std::to_string(enabled.size()) + (enabled.size() == 1 ? " event is" : " events are") +
                      " enabled here";
      break;
    }
    const model::Event event = enabled[key[i]];
    if (i < expected.size() && !expected[i].empty() && !names_event(model, event, expected[i])) {
      result.failed_at = i + 1;
      result.reason = "the trace says '" + expected[i] + "' but that choice is now '" +
                      model.describe(event) + "'";
      break;
    }
    events.push_back(event);
    state = model.next_state(state, event);
  }
  result.trace = narrate_trace(model, events);
  return result;
}

}  // namespace wakecheck::properties
