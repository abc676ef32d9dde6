// Checking one property file: search the scenario's states once, decide every check, and turn
// each deciding path into a trace of narrated steps. The result is data for the reporters.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "explorer/search.hpp"
#include "model/tokio_model.hpp"
#include "properties/diagnosis.hpp"
#include "properties/final_state.hpp"
#include "properties/property_file.hpp"

namespace wakecheck::properties {

enum class Verdict {
  kHolds,
  kViolated,
  kVacuous,  // holds only because its antecedent never holds: reported, not a pass
  kUnknown,  // the search stopped at a bound before deciding it
};

struct TraceStep {
  std::size_t index = 0;      // 1-based step number
  model::Event event;
  std::string event_text;     // "poll worker1"
  std::string task;           // the task the event concerns ("" for park)
  std::vector<model::Effect> effects;  // what the step did, one per operation
  std::size_t choice = 0;     // index of the event among those enabled (the replay key)
};

/// A counterexample (or example) told as data, computed once when it is found: its steps, the
/// state each step leaves as reports describe it, the final state, and the diagnosis.
/// Where a `cancel_safe` check dropped a task: the trace runs on the file's scenario with that
/// one drop allowed (cancel_variant), and replays there.
struct CancelPoint {
  std::size_t task = 0;  // the task dropped, or whose nested future is dropped
  std::size_t pc = 0;    // the await point of its program it is dropped at
  std::string task_name;  // the task's name, or the nested future's ("worker.compute")
  std::optional<std::size_t> future;  // the nested future dropped (the task goes on after it)
};

/// Where `name` ("worker", or a nested future "worker.compute") may be dropped at await point `pc`
/// of its task's program: the cancel point, or nothing when the file has no such await point.
std::optional<CancelPoint> cancel_point(const model::Scenario& scenario, const std::string& name, std::size_t pc);


/// The file's scenario where task `at.task` may be dropped once, while suspended at `at.pc`.
model::Scenario cancel_variant(const model::Scenario& scenario, const CancelPoint& at);

struct TraceData {
  std::vector<TraceStep> steps;
  model::State final_state;
  std::vector<FinalStateView> views;  // views[0]: the initial state; views[i]: after step i
  FinalStateView final_view;          // final_state as reports describe it
  Diagnosis diagnosis;
  // A lasso: steps from this 1-based index on repeat forever (the last leads back to the state
  // before it). None: the run ends at the final state.
  std::optional<std::size_t> loop_start;
  std::optional<CancelPoint> cancelled_at;  // found by a cancel_safe check, on its variant
  std::vector<std::size_t> replay_key() const;
};

struct PropertyResult {
  std::string name;
  std::string description;  // the built-in's description, or the formula
  explorer::PropertyKind kind = explorer::PropertyKind::kAlways;
  Verdict verdict = Verdict::kUnknown;
  std::optional<Expectation> expected;
  bool as_expected = true;
  // Violated: the counterexample. kSometimes holding: the example.
  std::optional<TraceData> trace;
};

struct FileRun {
  const PropertyFile* file = nullptr;
  explorer::SearchStats stats;
  /// The copies counted as one when states were explored up to renaming ("worker0..worker3"),
  /// and why any copy was left out; empty when states were explored as they are.
  std::vector<std::string> symmetry;
  std::vector<std::string> symmetry_notes;
  std::vector<PropertyResult> results;
  bool all_as_expected() const;
};

FileRun run_checks(const PropertyFile& file, const model::TokioModel& model,
                   const explorer::SearchOptions& options = {});

/// Re-executes `events` against `model`, narrating each step, and describes and diagnoses the
/// trace (the one place a trace is executed: the search's results and replay come through here).
TraceData narrate_trace(const model::TokioModel& model, const std::vector<model::Event>& events,
                        std::optional<std::size_t> loop_start = std::nullopt);

const char* to_string(Verdict verdict);

}  // namespace wakecheck::properties
