#include "reports/sarif_report.hpp"

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "properties/source_map.hpp"
#include "properties/verdict_words.hpp"
#include "reports/reporter.hpp"

#ifndef WAKECHECK_VERSION
#define WAKECHECK_VERSION "0"
#endif

namespace wakecheck::reports {
namespace {

using nlohmann::ordered_json;
using properties::FileRun;
using properties::PropertyResult;
using properties::SourceMap;
using properties::SourcePos;

/// A relative path stays relative (to the directory wakecheck ran in, which code scanning takes
/// as the repository's root); an absolute one becomes a file: URI. Bytes outside RFC 3986's
/// unreserved set and '/' are percent-encoded.
std::string path_uri(const std::string& path) {
  static const char* hex = "0123456789ABCDEF";
  std::string out = path.rfind('/', 0) == 0 ? "file://" : "";
  for (char ch : path) {
    const auto c = static_cast<unsigned char>(ch);
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '-' || c == '.' || c == '_' || c == '~' || c == '/';
    if (plain) {
      out += ch;
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

/// One property file's text and where things are in it.
class FilePlaces {
 public:
  explicit FilePlaces(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    text_ = text.str();
    map_ = SourceMap::index(text_);
    document_ = nlohmann::json::parse(text_, nullptr, false, /*ignore_comments=*/true);
  }

  /// The check of `name` (its object in "checks"); a check the file does not list (the implicit
  /// no_model_error) points at the "checks" key.
  SourcePos check(const std::string& name) const {
    if (document_.is_object() && document_.contains("checks") && document_["checks"].is_array()) {
      const auto& checks = document_["checks"];
      for (std::size_t i = 0; i < checks.size(); ++i) {
        const auto& c = checks[i];
        if (!c.is_object()) continue;
        const bool named = (c.contains("name") && c["name"] == name) ||
                           (!c.contains("name") && c.contains("formula") && c["formula"] == name) ||
                           (c.contains("property") && c["property"] == name);
        if (named) return at(map_.nearest("/checks/" + std::to_string(i)));
      }
    }
    if (auto key = map_.key("/checks")) return at(*key);
    return {};
  }

  /// The definition of the task (or template) named `group` in "scenario.tasks"; the runtime's
  /// line for steps of no task.
  SourcePos task(const std::string& group) const {
    if (group.empty()) return at(map_.nearest("/scenario/runtime"));
    if (document_.is_object() && document_.contains("scenario") && document_["scenario"].is_object()) {
      const auto& scenario = document_["scenario"];
      if (scenario.contains("tasks") && scenario["tasks"].is_array()) {
        const auto& tasks = scenario["tasks"];
        for (std::size_t i = 0; i < tasks.size(); ++i) {
          if (tasks[i].is_object() && tasks[i].contains("name") && tasks[i]["name"] == group) {
            return at(map_.nearest("/scenario/tasks/" + std::to_string(i)));
          }
        }
      }
    }
    return at(map_.nearest("/scenario/tasks"));
  }

 private:
  /// SourcePos counts bytes; SARIF's default columnKind counts Unicode code points.
  SourcePos at(SourcePos pos) const {
    std::size_t offset = 0;
    for (std::size_t line = 1; line < pos.line && offset < text_.size(); ++offset) {
      if (text_[offset] == '\n') ++line;
    }
    std::size_t column = 1;
    for (std::size_t i = 0; i + 1 < pos.column && offset + i < text_.size(); ++i) {
      const auto byte = static_cast<unsigned char>(text_[offset + i]);
      if ((byte & 0xC0) != 0x80) ++column;  // not a UTF-8 continuation byte
    }
    pos.column = column;
    return pos;
  }

  std::string text_;
  SourceMap map_;
  nlohmann::json document_;
};

ordered_json physical(const std::string& uri, SourcePos pos) {
  return {{"artifactLocation", {{"uri", uri}}},
          {"region", {{"startLine", pos.line}, {"startColumn", pos.column}}}};
}

/// The counterexample as a codeFlow: a threadFlow per task, in the scenario's task order, then
/// "runtime" for the steps of no task; each step once, in its task's flow, with its step number
/// as executionOrder (the interleaving is the order of those numbers across the flows).
ordered_json code_flow(const FileRun& run, const PropertyResult& result, const FilePlaces& places,
                       const std::string& uri) {
  const auto& trace = *result.trace;
  const auto& sc = run.file->scenario;
  const Diagnosis& d = trace.diagnosis;
  std::vector<std::string> order;
  for (const auto& task : sc.tasks) order.push_back(task.name);
  order.push_back("");
  std::map<std::string, ordered_json> flows;
  for (const auto& step : trace.steps) {
    std::string task = step.task;
    bool known = task.empty();
    for (const auto& name : order) known = known || name == task;
    if (!known) order.insert(order.end() - 1, task);
    // Where the task is written: its template (worker for worker1), or a branch's task.
    std::string group;
    if (const auto t = sc.find_task(task)) {
      const auto* spec = &sc.tasks[*t];
      while (spec->parent) spec = &sc.tasks[*spec->parent];
      group = spec->group;
    }
    std::string text = std::to_string(step.index) + "  " + step.event_text;
    for (std::size_t i = 0; i < step.effects.size(); ++i) text += (i == 0 ? " -> " : "; ") + step.effects[i].text;
    if (trace.loop_start && step.index == *trace.loop_start) {
      text += " (the cycle starts here: from this step on the run repeats forever)";
    }
    const bool decisive = step.index == d.handover_step || step.index == d.swallowed_step;
    ordered_json location = {{"physicalLocation", physical(uri, places.task(task.empty() ? "" : group))},
                             {"message", {{"text", text}}}};
    ordered_json where = {{"location", location},
                          {"kinds", {model::to_string(step.event.kind)}},
                          {"nestingLevel", 0},
                          {"executionOrder", step.index},
                          {"importance", decisive ? "essential" : "important"}};
    flows[task].push_back(std::move(where));
  }
  ordered_json thread_flows = ordered_json::array();
  for (const auto& name : order) {
    auto found = flows.find(name);
    if (found == flows.end()) continue;
    const std::string id = name.empty() ? "runtime" : name;
    thread_flows.push_back({{"id", id},
                            {"message", {{"text", name.empty() ? "the runtime (steps of no task)" : "task " + name}}},
                            {"locations", found->second}});
  }
  std::string what = trace.loop_start ? "a lasso: " + std::to_string(*trace.loop_start - 1) +
                                            " steps, then steps " + std::to_string(*trace.loop_start) +
                                            " to " + std::to_string(trace.steps.size()) + " repeat forever"
                                      : "shortest, " + std::to_string(trace.steps.size()) + " steps";
  std::string key;
  for (std::size_t choice : trace.replay_key()) key += (key.empty() ? "" : " ") + std::to_string(choice);
  return {{"message", {{"text", "counterexample (" + what + "); replay key: " + key}}},
          {"threadFlows", thread_flows}};
}

std::string message_of(const PropertyResult& result) {
  std::string text = result.name + ": " + properties::verdict_word(result);
  if (result.expected) text += " (expected " + std::string(properties::expectation_word(result)) + ")";
  text += ". " + result.description + ".";
  if (result.trace && result.kind != explorer::PropertyKind::kSometimes) {
    const Diagnosis& d = result.trace->diagnosis;
    if (d.cause != Cause::kNone) {
      text += " Cause: " + d.summary + ".";
      for (const auto& sentence : d.details) text += " " + sentence + ".";
    }
    if (!d.coffman.empty()) text += " " + d.coffman;
  }
  return text;
}

class SarifReporter final : public Reporter {
 public:
  explicit SarifReporter(std::ostream& out) : out_(out) {}

  void add(const FileRun& run) override {
    const FilePlaces places(run.file->path);
    const std::string uri = path_uri(run.file->path);
    for (const auto& result : run.results) {
      const bool counterexample = result.trace && result.kind != explorer::PropertyKind::kSometimes;
      if (result.as_expected && !(counterexample && result.verdict == properties::Verdict::kViolated)) continue;
      ordered_json r;
      r["ruleId"] = result.name;
      r["ruleIndex"] = rule_index(result);
      r["kind"] = "fail";
      r["level"] = result.as_expected ? "note" : "error";
      r["message"] = {{"text", message_of(result)}};
      r["locations"] = ordered_json::array({{{"physicalLocation", physical(uri, places.check(result.name))}}});
      r["partialFingerprints"] = {{"wakecheckCheck/v1", run.file->path + ":" + result.name}};
      if (counterexample) r["codeFlows"] = ordered_json::array({code_flow(run, result, places, uri)});
      if (result.as_expected) {
        r["suppressions"] = ordered_json::array(
            {{{"kind", "inSource"},
              {"justification", std::string("the property file expects '") + properties::expectation_word(result) + "'"}}});
      }
      ordered_json bag = {{"file", run.file->path},
                          {"verdict", properties::verdict_word(result)},
                          {"expected", result.expected ? ordered_json(properties::expectation_word(result))
                                                       : ordered_json(nullptr)}};
      if (result.trace) bag["replay"] = result.trace->replay_key();
      r["properties"] = bag;
      results_.push_back(std::move(r));
    }
  }

  void finish() override {
    ordered_json driver = {{"name", "wakecheck"},
                           {"version", WAKECHECK_VERSION},
                           {"semanticVersion", WAKECHECK_VERSION},
                           {"rules", rules_}};
    ordered_json run = {{"tool", {{"driver", driver}}}, {"columnKind", "unicodeCodePoints"}, {"results", results_}};
    ordered_json log = {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
                        {"version", "2.1.0"},
                        {"runs", ordered_json::array({run})}};
    out_ << log.dump(2) << "\n";
  }

 private:
  /// The rule of a property name, added at its first result.
  std::size_t rule_index(const PropertyResult& result) {
    for (std::size_t i = 0; i < rules_.size(); ++i) {
      if (rules_[i]["id"] == result.name) return i;
    }
    rules_.push_back({{"id", result.name},
                      {"shortDescription", {{"text", result.description}}},
                      {"defaultConfiguration", {{"level", "error"}}},
                      {"properties", {{"kind", properties::kind_word(result.kind)}}}});
    return rules_.size() - 1;
  }

  std::ostream& out_;
  ordered_json rules_ = ordered_json::array();
  ordered_json results_ = ordered_json::array();
};

}  // namespace

std::unique_ptr<Reporter> make_sarif_reporter(std::ostream& out) { return std::make_unique<SarifReporter>(out); }

}  // namespace wakecheck::reports
