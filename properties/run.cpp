#include "properties/run.hpp"

#include "properties/builtins.hpp"

#include <algorithm>
#include <tuple>

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

TraceData narrate_trace(const model::TokioModel& model, const std::vector<model::Event>& events,
                        std::optional<std::size_t> loop_start) {
  TraceData trace;
  model::State state = model.initial_state();
  std::vector<model::State> states{state};
  for (std::size_t i = 0; i < events.size(); ++i) {
    TraceStep step;
    step.index = i + 1;
    step.event = events[i];
    step.event_text = model.describe(events[i]);
    step.task = model.task_of(events[i]).value_or("");
    const auto enabled = model.enabled_events(state);
    for (std::size_t c = 0; c < enabled.size(); ++c) {
      if (enabled[c] == events[i]) step.choice = c;
    }
    state = model.narrate(state, events[i], step.effects);
    states.push_back(state);
    trace.steps.push_back(std::move(step));
  }
  trace.final_state = state;
  if (loop_start) trace.loop_start = *loop_start + 1;
  const auto& sc = model.scenario();
  for (const auto& s : states) trace.views.push_back(view_final_state(sc, s));
  trace.final_view = view_final_state(sc, trace.final_state);
  trace.diagnosis = diagnose(sc, states, trace);
  return trace;
}

namespace {

using explorer::PropertyKind;
using model::StateView;

explorer::Predicate holds(const model::Expr& expr, const model::TokioModel& model) {
  return [&expr, &model](const std::uint8_t* s) { return model::eval(expr, model.scenario(), model.view(s)) != 0; };
}

/// The explorer properties deciding one check.
std::vector<explorer::Property> properties_of(const Check& check, const model::TokioModel& model) {
  if (!check.formula) return bind(*find_builtin(check.builtin), model);
  const Formula& f = *check.formula;
  explorer::Property p;
  p.name = check.name;
  switch (f.kind) {
    case FormulaKind::kAlways:
      p.kind = PropertyKind::kAlways;
      p.condition = holds(f.p, model);
      if (f.antecedent) p.antecedent = holds(*f.antecedent, model);
      break;
    case FormulaKind::kNever: {
      p.kind = PropertyKind::kAlways;
      auto condition = holds(f.p, model);
      p.condition = [condition](const std::uint8_t* s) { return !condition(s); };
      break;
    }
    case FormulaKind::kReachable:
      p.kind = PropertyKind::kSometimes;
      p.condition = holds(f.p, model);
      break;
    case FormulaKind::kEventually:
      p.kind = PropertyKind::kLeadsTo;  // from the initial state
      p.target = holds(f.p, model);
      break;
    case FormulaKind::kLeadsTo:
      p.kind = PropertyKind::kLeadsTo;
      p.condition = holds(f.p, model);
      p.antecedent = p.condition;
      p.target = holds(*f.q, model);
      break;
  }
  return {std::move(p)};
}

Verdict verdict_of(const explorer::PropertyOutcome<model::Event>& outcome) {
  switch (outcome.verdict) {
    case explorer::Verdict::kViolated: return Verdict::kViolated;
    case explorer::Verdict::kUnknown: return Verdict::kUnknown;
    case explorer::Verdict::kHolds: return outcome.vacuous ? Verdict::kVacuous : Verdict::kHolds;
  }
  return Verdict::kUnknown;
}

}  // namespace

model::Scenario cancel_variant(const model::Scenario& scenario, const CancelPoint& at) {
  model::Scenario variant = scenario;
  auto& drop = variant.faults[static_cast<std::size_t>(model::FaultKind::kDrop)];
  drop.budget = 1;
  drop.tasks.assign(variant.tasks.size(), false);
  drop.futures.assign(variant.futures.size(), false);
  if (at.future) {
    drop.futures[*at.future] = true;
  } else {
    drop.tasks[at.task] = true;
  }
  drop.at_pc = static_cast<std::uint8_t>(at.pc);
  return variant;
}

std::optional<CancelPoint> cancel_point(const model::Scenario& scenario, const std::string& name, std::size_t pc) {
  std::optional<std::size_t> task = scenario.find_task(name);
  std::optional<std::size_t> future;
  if (!task) {
    future = scenario.find_future(name);
    if (!future || *future < scenario.tasks.size()) return std::nullopt;
    task = scenario.futures[*future].task;
  }
  if (*task == 0 || scenario.tasks[*task].parent) return std::nullopt;
  const auto points = model::await_points(scenario, *task, future);
  if (std::find(points.begin(), points.end(), pc) == points.end()) return std::nullopt;
  return CancelPoint{*task, pc, name, future};
}

namespace {

/// A cancel_safe check: for each await point of the task, the file's scenario with one drop of
/// the task there, checked against every other check that holds in `run`. Violated at the first
/// await point where one of them no longer holds; the description lists every such point.
PropertyResult cancel_safe(const PropertyFile& file, const Check& check, const FileRun& run,
                           const explorer::SearchOptions& options) {
  const model::Scenario& sc = file.scenario;
  const std::size_t task = *check.cancel_safe;
  PropertyResult result;
  result.name = check.name;
  result.kind = PropertyKind::kAlways;
  PropertyFile variant_file = file;
  variant_file.checks.clear();
  // A check left undecided without the drop (a limit, or hash compaction's liveness) leaves the
  // drop's effect on it undecided too.
  bool unknown = false;
  for (const Check& other : file.checks) {
    if (other.cancel_safe) continue;
    const auto held = std::find_if(run.results.begin(), run.results.end(),
                                   [&](const PropertyResult& r) { return r.name == other.name; });
    if (held == run.results.end() || held->kind == PropertyKind::kSometimes) continue;
    unknown = unknown || held->verdict == Verdict::kUnknown;
    if (held->verdict == Verdict::kHolds) variant_file.checks.push_back(other);
  }
  const auto& program = sc.tasks[task].program;
  std::vector<std::string> unsafe;
  std::size_t points = 0;
  const std::string& name = check.cancel_future ? sc.futures[*check.cancel_future].name : sc.tasks[task].name;
  for (const std::size_t pc : model::await_points(sc, task, check.cancel_future)) {
    ++points;
    const CancelPoint at{task, pc, name, check.cancel_future};
    variant_file.scenario = cancel_variant(sc, at);
    const model::TokioModel variant(variant_file.scenario);
    const FileRun sub = run_checks(variant_file, variant, options);
    std::vector<std::string> broken;
    for (const auto& r : sub.results) {
      unknown = unknown || r.verdict == Verdict::kUnknown;
      if (r.verdict != Verdict::kViolated) continue;
      broken.push_back(r.name);
      if (!result.trace && r.trace) {
        result.trace = r.trace;
        result.trace->cancelled_at = at;
      }
    }
    if (!broken.empty()) {
      std::string names;
      for (const auto& b : broken) names += (names.empty() ? "" : ", ") + b;
      unsafe.push_back("'" + model::describe_op(sc, program[pc]) + "' (" + names + ")");
    }
  }
  if (unsafe.empty()) {
    result.verdict = unknown ? Verdict::kUnknown : Verdict::kHolds;
    result.description = "dropping " + name + " at any of its " + std::to_string(points) +
                         " await points keeps every other property that holds";
  } else {
    result.verdict = Verdict::kViolated;
    std::string list;
    for (const auto& u : unsafe) list += (list.empty() ? "" : "; ") + u;
    result.description = "dropping " + name + " at an await point breaks what holds without the drop, at " +
                         std::to_string(unsafe.size()) + " of its " + std::to_string(points) + " await points: " + list;
  }
  result.expected = check.expected;
  if (result.expected) {
    result.as_expected = result.verdict == (*result.expected == Expectation::kHolds ? Verdict::kHolds : Verdict::kViolated);
  } else {
    result.as_expected = result.verdict != Verdict::kUnknown;
  }
  return result;
}

}  // namespace

FileRun run_checks(const PropertyFile& file, const model::TokioModel& model,
                   const explorer::SearchOptions& options) {
  std::vector<Check> checks;
  for (const Check& check : file.checks) {
    if (!check.cancel_safe) checks.push_back(check);
  }
  // Modelling errors are always looked for: a scenario that leaves the model is reported.
  bool has_model_check = false;
  for (const auto& check : checks) has_model_check = has_model_check || check.builtin == "no_model_error";
  if (!has_model_check) {
    Check check;
    check.name = check.builtin = "no_model_error";
    check.expected = Expectation::kHolds;
    checks.push_back(check);
  }

  // Symmetry: copies of a task group are interchangeable unless a formula names one of them.
  std::vector<bool> named(model.scenario().tasks.size(), false);
  for (const auto& check : checks) {
    if (!check.formula) continue;
    model::mark_named(check.formula->p, model.scenario(), named);
    if (check.formula->q) model::mark_named(*check.formula->q, model.scenario(), named);
    if (check.formula->antecedent) model::mark_named(*check.formula->antecedent, model.scenario(), named);
  }
  // Random schedules run on concrete states: there is nothing to store up to renaming.
  const model::TokioModel symmetric = options.symmetry && options.random_runs == 0
                                          ? model.with_symmetry(model::Symmetry(model.scenario(), named))
                                          : model;

  auto decide = [&](const model::TokioModel& m, const explorer::SearchOptions& o,
                    std::vector<std::pair<std::size_t, std::size_t>>& ranges) {
    std::vector<explorer::Property> properties;
    ranges.clear();
    for (const auto& check : checks) {
      auto mine = properties_of(check, m);
      ranges.emplace_back(properties.size(), properties.size() + mine.size());
      for (auto& p : mine) properties.push_back(std::move(p));
    }
    return std::pair{explorer::search(m, properties, o), std::move(properties)};
  };
  std::vector<std::pair<std::size_t, std::size_t>> ranges;  // per check: its properties
  auto [search, properties] = decide(symmetric, options, ranges);
  const bool concrete_needed = std::any_of(search.outcomes.begin(), search.outcomes.end(),
                                           [](const auto& outcome) { return outcome.needs_concrete; });
  if (concrete_needed) {
    // A liveness verdict rested on cycles of representatives: decide the file on concrete states.
    explorer::SearchOptions concrete = options;
    concrete.symmetry = false;
    std::tie(search, properties) = decide(model, concrete, ranges);
  }

  FileRun run;
  run.file = &file;
  run.stats = search.stats;
  if (!concrete_needed && symmetric.has_symmetry()) {
    run.symmetry = symmetric.symmetry().describe(model.scenario());
    run.symmetry_notes = symmetric.symmetry().notes();
  }
  for (std::size_t c = 0; c < checks.size(); ++c) {
    const Check& check = checks[c];
    PropertyResult result;
    result.name = check.name;
    result.description = check.formula ? check.formula->text
                                       : std::string(find_builtin(check.builtin)->description);
    result.kind = check.formula ? properties[ranges[c].first].kind : find_builtin(check.builtin)->kind;
    // One verdict from the check's properties: violated if any is; else unknown if any is; else
    // vacuous if all are; else holds. The shortest counterexample among them is kept.
    bool violated = false, unknown = false, all_vacuous = ranges[c].first < ranges[c].second;
    std::optional<std::size_t> chosen;
    std::size_t chosen_length = SIZE_MAX;
    for (std::size_t i = ranges[c].first; i < ranges[c].second; ++i) {
      const auto& outcome = search.outcomes[i];
      const Verdict v = verdict_of(outcome);
      violated = violated || v == Verdict::kViolated;
      unknown = unknown || v == Verdict::kUnknown;
      all_vacuous = all_vacuous && v == Verdict::kVacuous;
      const bool deciding = outcome.trace && (v == Verdict::kViolated || (v == Verdict::kHolds &&
                                              outcome.kind == PropertyKind::kSometimes));
      if (!deciding) continue;
      // Shorter is better; traces are fault-minimal first already.
      const std::size_t length = outcome.trace->events.size();
      if (length < chosen_length) {
        chosen = i;
        chosen_length = length;
      }
    }
    if (result.kind == PropertyKind::kSometimes) {
      result.verdict = chosen ? Verdict::kHolds : (unknown ? Verdict::kUnknown : Verdict::kViolated);
    } else {
      result.verdict = violated ? Verdict::kViolated
                       : unknown ? Verdict::kUnknown
                       : all_vacuous ? Verdict::kVacuous
                                     : Verdict::kHolds;
    }
    result.expected = check.expected;
    if (result.expected) {
      const Verdict wanted = *result.expected == Expectation::kHolds    ? Verdict::kHolds
                             : *result.expected == Expectation::kViolated ? Verdict::kViolated
                                                                          : Verdict::kVacuous;
      result.as_expected = result.verdict == wanted;
    } else {
      result.as_expected = result.verdict != Verdict::kUnknown;
    }
    if (chosen) {
      const auto& found = *search.outcomes[*chosen].trace;
      result.trace = narrate_trace(model, found.events, found.loop_start);
    }
    run.results.push_back(std::move(result));
  }
  // cancel_safe checks, in the file's order among the others, decided on variants.
  for (std::size_t c = 0; c < file.checks.size(); ++c) {
    if (!file.checks[c].cancel_safe) continue;
    PropertyResult result = cancel_safe(file, file.checks[c], run, options);
    run.results.insert(run.results.begin() + static_cast<std::ptrdiff_t>(std::min(c, run.results.size())),
                       std::move(result));
  }
  return run;
}

const char* to_string(Verdict verdict) {
  switch (verdict) {
    case Verdict::kHolds: return "holds";
    case Verdict::kViolated: return "violated";
    case Verdict::kVacuous: return "vacuous";
    case Verdict::kUnknown: return "unknown";
  }
  return "?";
}

}  // namespace wakecheck::properties
