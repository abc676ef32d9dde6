#include "properties/report_reader.hpp"

#include "properties/input_error.hpp"
#include "properties/json_reader.hpp"
#include "properties/limits.hpp"

namespace wakecheck::properties {

namespace {

using nlohmann::json;

/// Reports hold effects with newlines, and long ones: their own limits.
SourceLimits report_limits() {
  SourceLimits limits;
  limits.max_string_bytes = kMaxReportStringBytes;
  limits.reject_unsafe_characters = false;
  return limits;
}

bool is_report_object(const json& j) {
  return j.is_object() && j.contains("format_version") && j.contains("file") && j["file"].is_string();
}

class ReportReader {
 public:
  ReportReader(const std::string& path, const std::string& text)
      : in_(path, text, report_limits(), kMaxReportBytes) {}

  Report read() {
    const json& root = in_.root();
    Report report;
    if (root.is_array()) {
      if (root.empty()) bad("", "an empty array");
      for (std::size_t i = 0; i < root.size(); ++i) entry(root[i], "/" + std::to_string(i), report);
    } else {
      entry(root, "", report);
    }
    return report;
  }

 private:
  [[noreturn]] void bad(const std::string& pointer, const std::string& what) const {
    in_.fail(pointer, "not a JSON report of wakecheck: " + what);
  }

  const json& member(const json& object, const std::string& pointer, const char* key) const {
    if (!object.contains(key)) bad(pointer, std::string("missing the key '") + key + "'");
    return object[key];
  }

  void entry(const json& value, const std::string& at, Report& report) const {
    if (!value.is_object()) bad(at, "expected a report object, found " + JsonReader::type_name(value));
    const std::string file = in_.string(member(value, at, "file"), at + "/file");
    if (file.empty()) in_.fail(at + "/file", "expected the path of a property file, found an empty string");
    report.files.push_back(file);
    const json& properties = in_.array(member(value, at, "properties"), at + "/properties");
    for (std::size_t p = 0; p < properties.size(); ++p) {
      const std::string pp = at + "/properties/" + std::to_string(p);
      const json& property = properties[p];
      if (!property.is_object()) in_.fail(pp, "expected a property object, found " + JsonReader::type_name(property));
      std::string name = "?";
      if (property.contains("name")) name = in_.string(property["name"], pp + "/name");
      for (const char* kind : {"counterexample", "example"}) {
        if (!property.contains(kind) || property[kind].is_null()) continue;
        report.traces.push_back(trace(property[kind], pp + "/" + kind, file, name, kind));
      }
    }
  }

  ReportTrace trace(const json& value, const std::string& at, const std::string& file, const std::string& property,
                    const char* kind) const {
    if (!value.is_object()) in_.fail(at, "expected a trace object, found " + JsonReader::type_name(value));
    ReportTrace out{file, property, kind, {}, {}, std::nullopt};
    const json& key = in_.array(member(value, at, "replay"), at + "/replay");
    for (std::size_t i = 0; i < key.size(); ++i) {
      if (!key[i].is_number_unsigned()) {
        in_.fail(at + "/replay/" + std::to_string(i),
                 "expected an event index (a whole number from 0), found " + JsonReader::type_name(key[i]));
      }
      out.key.push_back(key[i].get<std::size_t>());
    }
    if (value.contains("cancelled_at")) {
      const std::string cp = at + "/cancelled_at";
      const json& cancelled = value["cancelled_at"];
      if (!cancelled.is_object()) in_.fail(cp, "expected an object {task, pc}, found " + JsonReader::type_name(cancelled));
      const std::string& task = in_.string(member(cancelled, cp, "task"), cp + "/task");
      const json& pc = member(cancelled, cp, "pc");
      if (!pc.is_number_unsigned()) in_.fail(cp + "/pc", "expected a program index (a whole number from 0), found " + JsonReader::type_name(pc));
      out.cancelled_at = std::pair{task, pc.get<std::size_t>()};
    }
    const json& steps = in_.array(member(value, at, "steps"), at + "/steps");
    for (std::size_t i = 0; i < steps.size(); ++i) {
      const std::string sp = at + "/steps/" + std::to_string(i);
      const json& step = steps[i];
      if (!step.is_object()) in_.fail(sp, "expected a step object, found " + JsonReader::type_name(step));
      const std::string& event = in_.string(member(step, sp, "event"), sp + "/event");
      std::string task;
      if (step.contains("task") && !step["task"].is_null()) task = in_.string(step["task"], sp + "/task");
      out.expected.push_back(event == "park" ? "park" : event + " " + task);
    }
    return out;
  }

  JsonReader in_;
};

}  // namespace

Report read_report(const std::string& path, const std::string& text) { return ReportReader(path, text).read(); }

std::optional<std::vector<std::string>> report_files(const std::string& path, const std::string& text) {
  try {
    const JsonReader in(path, text, report_limits(), kMaxReportBytes);
    const json& root = in.root();
    if (is_report_object(root)) return std::vector<std::string>{root["file"].get<std::string>()};
    if (!root.is_array() || root.empty()) return std::nullopt;
    std::vector<std::string> files;
    for (const auto& entry : root) {
      if (!is_report_object(entry)) return std::nullopt;
      files.push_back(entry["file"].get<std::string>());
    }
    return files;
  } catch (const InputError&) {
    return std::nullopt;  // not JSON, or past a limit: not a report; the caller reads it otherwise
  }
}

}  // namespace wakecheck::properties
