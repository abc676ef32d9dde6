#include <nlohmann/json.hpp>

#include "reports/reporter.hpp"
#include "properties/verdict_words.hpp"

namespace wakecheck::reports {
namespace {

using nlohmann::ordered_json;
using properties::FileRun;
using properties::TraceData;

constexpr int kFormatVersion = 1;

ordered_json scenario_json(const model::Scenario& sc) {
  ordered_json out;
  out["name"] = sc.name;
  out["runtime"] = model::to_string(sc.flavor);
  out["resources"] = ordered_json::array();
  for (const auto& r : sc.resources) {
    out["resources"].push_back({{"name", r.name}, {"kind", model::to_string(r.kind)}, {"permits", r.permits}});
  }
  out["variables"] = ordered_json::array();
  for (const auto& v : sc.variables) {
    out["variables"].push_back({{"name", v.task ? sc.tasks[*v.task].name + "." + v.name : v.name},
                                {"initial", v.initial}, {"min", v.min}, {"max", v.max}});
  }
  out["tasks"] = ordered_json::array();
  for (std::size_t i = 0; i < sc.tasks.size(); ++i) {
    const auto& t = sc.tasks[i];
    ordered_json task = {{"name", t.name}, {"wrapper", model::to_string(sc.futures[i].wrapper)}};
    task["program"] = ordered_json::array();
    for (const auto& op : t.program) task["program"].push_back(model::describe_op(sc, op));
    out["tasks"].push_back(task);
  }
  out["faults"] = ordered_json::object();
  for (std::size_t k = 0; k < model::kFaultKinds; ++k) {
    const auto& f = sc.faults[k];
    if (f.budget == 0) continue;
    ordered_json fault = {{"budget", f.budget}, {"tasks", ordered_json::array()}};
    for (std::size_t t = 0; t < f.tasks.size(); ++t) {
      if (f.tasks[t]) fault["tasks"].push_back(sc.tasks[t].name);
    }
    for (std::size_t u = 0; u < f.futures.size(); ++u) {
      if (f.futures[u]) fault["tasks"].push_back(sc.futures[u].name);
    }
    out["faults"][model::to_string(static_cast<model::FaultKind>(k))] = fault;
  }
  return out;
}

ordered_json final_state_json(const FinalStateView& view) {
  ordered_json out;
  out["resources"] = ordered_json::array();
  for (const auto& r : view.resources) {
    ordered_json resource = {{"name", r.name},
                             {"kind", r.kind},
                             {"permits", r.permits},
                             {"available", r.available},
                             {"guard_holders", r.guard_holders},
                             {"owning_futures", r.owning_futures},
                             {"waiters", r.waiters}};
    if (!r.contents.empty()) resource["contents"] = r.contents;
    out["resources"].push_back(std::move(resource));
  }
  out["tasks"] = ordered_json::array();
  for (const auto& t : view.tasks) {
    ordered_json task = {{"name", t.name},       {"status", t.status},
                         {"paused", t.paused},   {"holds", t.holds},
                         {"owns_permits", t.owns_permits}};
    task["waits_for"] = t.waits_for ? ordered_json(*t.waits_for) : ordered_json(nullptr);
    task["wake_swallowed"] = t.wake_swallowed;
    out["tasks"].push_back(task);
  }
  return out;
}

ordered_json diagnosis_json(const Diagnosis& d) {
  ordered_json out;
  out["cause"] = to_string(d.cause);
  out["summary"] = d.summary;
  out["details"] = d.details;
  out["coffman"] = d.coffman;
  out["handover_step"] = d.handover_step ? ordered_json(*d.handover_step) : ordered_json(nullptr);
  out["swallowed_step"] = d.swallowed_step ? ordered_json(*d.swallowed_step) : ordered_json(nullptr);
  out["cycle"] = d.cycle;
  return out;
}

ordered_json trace_json(const TraceData& trace) {
  ordered_json out;
  out["steps"] = ordered_json::array();
  for (const auto& step : trace.steps) {
    std::string effect;
    for (const auto& line : step.effects) effect += (effect.empty() ? "" : "\n") + line.text;
    out["steps"].push_back({{"index", step.index},
                            {"event", model::to_string(step.event.kind)},
                            {"task", step.task.empty() ? ordered_json(nullptr) : ordered_json(step.task)},
                            {"effect", effect}});
  }
  out["loop_start"] = trace.loop_start ? ordered_json(*trace.loop_start) : ordered_json(nullptr);
  out["replay"] = trace.replay_key();
  // A cancel_safe counterexample replays on the file's scenario with this one drop allowed.
  if (trace.cancelled_at) out["cancelled_at"] = {{"task", trace.cancelled_at->task_name}, {"pc", trace.cancelled_at->pc}};
  out["final_state"] = final_state_json(trace.final_view);
  out["diagnosis"] = diagnosis_json(trace.diagnosis);
  return out;
}

class JsonReporter final : public Reporter {
 public:
  JsonReporter(std::ostream& out, bool include_timing) : out_(out), timing_(include_timing) {}

  void add(const FileRun& run) override {
    const auto& sc = run.file->scenario;
    ordered_json report;
    report["format_version"] = kFormatVersion;
    report["file"] = run.file->path;
    report["scenario"] = scenario_json(sc);
    report["stats"] = {{"states", run.stats.states},
                       {"transitions", run.stats.transitions},
                       {"depth", run.stats.depth},
                       {"seconds", timing_ ? run.stats.seconds : 0.0},
                       {"complete", run.stats.complete()},
                       {"symmetry", run.symmetry},
                       {"symmetry_notes", run.symmetry_notes}};
    if (run.stats.random) {
      const auto& r = *run.stats.random;
      report["stats"]["random"] = {{"runs", r.runs},           {"seed", r.seed},
                                   {"pct_depth", r.pct_depth}, {"max_steps", r.max_steps},
                                   {"stuck", r.stuck},         {"cut", r.cut},
                                   {"tasks_scheduled", r.processes}};
    }
    if (run.stats.hash_compaction) {
      report["stats"]["hash_compaction"] = {{"omission_probability", run.stats.omission_probability},
                                            {"cycles_searched", !run.stats.cycles_unsearched}};
    }
    report["properties"] = ordered_json::array();
    for (const auto& result : run.results) {
      ordered_json property = {{"name", result.name},
                               {"description", result.description},
                               {"kind", properties::kind_word(result.kind)},
                               {"verdict", properties::verdict_word(result)}};
      property["expected"] =
          result.expected ? ordered_json(properties::expectation_word(result)) : ordered_json(nullptr);
      property["as_expected"] = result.as_expected;
      if (result.trace) {
        const char* key = result.kind == explorer::PropertyKind::kSometimes ? "example" : "counterexample";
        property[key] = trace_json(*result.trace);
      }
      report["properties"].push_back(property);
    }
    reports_.push_back(std::move(report));
  }

  void finish() override {
    const ordered_json doc = reports_.size() == 1 ? reports_.front() : ordered_json(reports_);
    out_ << doc.dump(2) << "\n";
  }

 private:
  std::ostream& out_;
  bool timing_;
  std::vector<ordered_json> reports_;
};

}  // namespace

std::unique_ptr<Reporter> make_json_reporter(std::ostream& out, bool include_timing) {
  return std::make_unique<JsonReporter>(out, include_timing);
}

}  // namespace wakecheck::reports
