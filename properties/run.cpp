#include "properties/run.hpp"

#include "properties/builtins.hpp"

namespace wakecheck::properties {

std::vector<std::size_t> TraceData::replay_key() const {
  std::vector<std::size_t> key;
  for (const auto& step : steps) key.push_back(step.choice);
  return key;
}

bool FileRun::all_as_expected() const {
  for (const auto& result : results) {
    if (!result.as_expected) return false;
  }
  return true;
}

TraceData narrate_trace(const model::TokioModel& model, const std::vector<model::Event>& events) {
  TraceData trace;
  model::State state = model.initial_state();
  std::vector<model::Event> enabled;
  for (std::size_t i = 0; i < events.size(); ++i) {
    TraceStep step;
    step.index = i + 1;
    step.event = events[i];
    step.event_text = model.describe(events[i]);
    if (events[i].kind != model::EventKind::kPark) step.task = model.scenario().task(events[i].task).name;
    enabled.clear();
    model.enabled_events(state, enabled);
    for (std::size_t c = 0; c < enabled.size(); ++c) {
      if (enabled[c] == events[i]) step.choice = c;
    }
    state = model.narrate(state, events[i], step.effects);
    trace.steps.push_back(std::move(step));
  }
  trace.final_state = state;
  return trace;
}

FileRun run_checks(const PropertyFile& file, const model::TokioModel& model,
                   const explorer::SearchOptions& options) {
  std::vector<explorer::Property<model::State>> properties;
  std::vector<const BuiltinProperty*> builtins;
  for (const auto& check : file.checks) {
    const BuiltinProperty* builtin = find_builtin(check.property);
    builtins.push_back(builtin);
    properties.push_back(bind(*builtin, model.scenario()));
  }
  const auto search = explorer::search(model, properties, options);

  FileRun run;
  run.file = &file;
  run.stats = search.stats;
  for (std::size_t i = 0; i < file.checks.size(); ++i) {
    const auto& outcome = search.outcomes[i];
    PropertyResult result;
    result.name = outcome.name;
    result.description = std::string(builtins[i]->description);
    result.kind = outcome.kind;
    result.verdict = outcome.verdict;
    result.expected = file.checks[i].expected;
    if (result.expected) {
      const auto wanted = *result.expected == Expectation::kHolds ? explorer::Verdict::kHolds
                                                                  : explorer::Verdict::kViolated;
      result.as_expected = result.verdict == wanted;
    } else {
      result.as_expected = result.verdict != explorer::Verdict::kUnknown;
    }
    if (outcome.witness) {
      result.trace = narrate_trace(model, search.trace_to(*outcome.witness).events);
    }
    run.results.push_back(std::move(result));
  }
  return run;
}

const char* to_string(explorer::Verdict verdict) {
  switch (verdict) {
    case explorer::Verdict::kHolds: return "holds";
    case explorer::Verdict::kViolated: return "violated";
    case explorer::Verdict::kUnknown: return "unknown";
  }
  return "?";
}

}  // namespace wakecheck::properties
