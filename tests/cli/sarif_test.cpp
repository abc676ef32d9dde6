// End-to-end tests of `wakecheck check --sarif FILE`: the log follows the structure the SARIF
// 2.1.0 schema requires of the objects it uses (checked below without the schema itself: the
// allowed and required properties of each object kind, its enums and minimums), a verdict that
// is not as expected is an error at its check's line and column, and the seed's stranding is a
// code flow with one thread flow per task.
#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/cli/tool_run.hpp"

#include <CppUTest/TestHarness.h>

namespace {

using nlohmann::json;
using namespace wakecheck::testing;

// --- the structure of SARIF 2.1.0 (sarif-schema-2.1.0.json), for the objects wakecheck writes ----

struct ObjectShape {
  std::set<std::string> allowed;   // the schema's "properties" (additionalProperties: false)
  std::set<std::string> required;  // its "required"
};

std::map<std::string, ObjectShape> sarif_shapes() {
  return {
      {"sarifLog", {{"$schema", "version", "runs", "inlineExternalProperties", "properties"}, {"version", "runs"}}},
      {"run",
       {{"tool", "invocations", "conversion", "language", "versionControlProvenance", "originalUriBaseIds",
         "artifacts", "logicalLocations", "graphs", "results", "automationDetails", "runAggregates",
         "baselineGuid", "redactionTokens", "defaultEncoding", "defaultSourceLanguage", "newlineSequences",
         "columnKind", "externalPropertyFileReferences", "threadFlowLocations", "taxonomies", "addresses",
         "translations", "policies", "webRequests", "webResponses", "specialLocations", "properties"},
        {"tool"}}},
      {"tool", {{"driver", "extensions", "properties"}, {"driver"}}},
      {"toolComponent",
       {{"guid", "name", "organization", "product", "productSuite", "shortDescription", "fullDescription",
         "fullName", "version", "semanticVersion", "dottedQuadFileVersion", "releaseDateUtc", "downloadUri",
         "informationUri", "globalMessageStrings", "notifications", "rules", "taxa", "locations", "language",
         "contents", "isComprehensive", "localizedDataSemanticVersion",
         "minimumRequiredLocalizedDataSemanticVersion", "associatedComponent", "translationMetadata",
         "supportedTaxonomies", "properties"},
        {"name"}}},
      {"reportingDescriptor",
       {{"id", "deprecatedIds", "guid", "deprecatedGuids", "name", "deprecatedNames", "shortDescription",
         "fullDescription", "messageStrings", "defaultConfiguration", "helpUri", "help", "relationships",
         "properties"},
        {"id"}}},
      {"reportingConfiguration", {{"enabled", "level", "rank", "parameters", "properties"}, {}}},
      {"multiformatMessageString", {{"text", "markdown", "properties"}, {"text"}}},
      {"message", {{"text", "markdown", "id", "arguments", "properties"}, {}}},
      {"result",
       {{"ruleId", "ruleIndex", "rule", "kind", "level", "message", "analysisTarget", "locations", "guid",
         "correlationGuid", "occurrenceCount", "partialFingerprints", "fingerprints", "stacks", "codeFlows",
         "graphs", "graphTraversals", "relatedLocations", "suppressions", "baselineState", "rank", "attachments",
         "hostedViewerUri", "workItemUris", "provenance", "fixes", "taxa", "webRequest", "webResponse",
         "properties"},
        {"message"}}},
      {"location",
       {{"id", "physicalLocation", "logicalLocations", "message", "annotations", "relationships", "properties"}, {}}},
      {"physicalLocation", {{"address", "artifactLocation", "region", "contextRegion", "properties"}, {}}},
      {"artifactLocation", {{"uri", "uriBaseId", "index", "description", "properties"}, {}}},
      {"region",
       {{"startLine", "startColumn", "endLine", "endColumn", "charOffset", "charLength", "byteOffset",
         "byteLength", "snippet", "message", "sourceLanguage", "properties"},
        {}}},
      {"codeFlow", {{"message", "threadFlows", "properties"}, {"threadFlows"}}},
      {"threadFlow", {{"id", "message", "initialState", "immutableState", "locations", "properties"}, {"locations"}}},
      {"threadFlowLocation",
       {{"index", "location", "stack", "kinds", "taxa", "module", "state", "nestingLevel", "executionOrder",
         "executionTimeUtc", "importance", "webRequest", "webResponse", "properties"},
        {}}},
      {"suppression", {{"guid", "kind", "status", "justification", "location", "properties"}, {"kind"}}},
  };
}

/// Checks `value` as a SARIF object of kind `kind` (and what it holds, recursively); each problem
/// is one line naming its JSON path.
class SarifChecker {
 public:
  std::vector<std::string> problems;

  void check(const json& value, const std::string& kind, const std::string& at) {
    if (!value.is_object()) return problem(at, "is not an object (" + kind + ")");
    const ObjectShape& shape = shapes_.at(kind);
    for (const auto& [key, child] : value.items()) {
      if (shape.allowed.count(key) == 0) problem(at, "has '" + key + "', which " + kind + " does not allow");
    }
    for (const auto& key : shape.required) {
      if (!value.contains(key)) problem(at, "lacks '" + key + "', which " + kind + " requires");
    }
    if (value.contains("properties") && !value["properties"].is_object()) problem(at + "/properties", "is not a property bag");
    if (kind == "sarifLog") {
      if (value.value("version", "") != "2.1.0") problem(at + "/version", "is not \"2.1.0\"");
      each(value, "runs", "run", at, 0);
    } else if (kind == "run") {
      object(value, "tool", "tool", at);
      each(value, "results", "result", at, 0);
      one_of(value, "columnKind", {"utf16CodeUnits", "unicodeCodePoints"}, at);
      rules_ = value.contains("tool") && value["tool"].contains("driver") ? value["tool"]["driver"].value("rules", json::array())
                                                                        : json::array();
      for (std::size_t i = 0; value.contains("results") && i < value["results"].size(); ++i) {
        rule_reference(value["results"][i], at + "/results/" + std::to_string(i));
      }
    } else if (kind == "tool") {
      object(value, "driver", "toolComponent", at);
    } else if (kind == "toolComponent") {
      each(value, "rules", "reportingDescriptor", at, 0);
      object(value, "shortDescription", "multiformatMessageString", at);
    } else if (kind == "reportingDescriptor") {
      object(value, "shortDescription", "multiformatMessageString", at);
      object(value, "fullDescription", "multiformatMessageString", at);
      object(value, "defaultConfiguration", "reportingConfiguration", at);
    } else if (kind == "reportingConfiguration") {
      one_of(value, "level", {"none", "note", "warning", "error"}, at);
    } else if (kind == "multiformatMessageString") {
      if (value.contains("text") && !value["text"].is_string()) problem(at + "/text", "is not a string");
    } else if (kind == "message") {
      if (!value.contains("text") && !value.contains("id")) problem(at, "has neither 'text' nor 'id'");
    } else if (kind == "result") {
      object(value, "message", "message", at);
      one_of(value, "kind", {"notApplicable", "pass", "fail", "review", "open", "informational"}, at);
      one_of(value, "level", {"none", "note", "warning", "error"}, at);
      each(value, "locations", "location", at, 0);
      each(value, "codeFlows", "codeFlow", at, 0);
      each(value, "suppressions", "suppression", at, 0);
      minimum(value, "ruleIndex", -1, at);
      if (value.contains("partialFingerprints")) {
        for (const auto& [key, fingerprint] : value["partialFingerprints"].items()) {
          if (!fingerprint.is_string()) problem(at + "/partialFingerprints/" + key, "is not a string");
        }
      }
    } else if (kind == "location") {
      object(value, "physicalLocation", "physicalLocation", at);
      object(value, "message", "message", at);
      minimum(value, "id", -1, at);
    } else if (kind == "physicalLocation") {
      if (!value.contains("address") && !value.contains("artifactLocation")) {
        problem(at, "has neither 'address' nor 'artifactLocation'");
      }
      object(value, "artifactLocation", "artifactLocation", at);
      object(value, "region", "region", at);
    } else if (kind == "artifactLocation") {
      if (value.contains("uri") && !value["uri"].is_string()) problem(at + "/uri", "is not a string");
    } else if (kind == "region") {
      if (!value.contains("startLine") && !value.contains("charOffset") && !value.contains("byteOffset")) {
        problem(at, "has none of 'startLine', 'charOffset', 'byteOffset'");
      }
      minimum(value, "startLine", 1, at);
      minimum(value, "startColumn", 1, at);
    } else if (kind == "codeFlow") {
      object(value, "message", "message", at);
      each(value, "threadFlows", "threadFlow", at, 1);
    } else if (kind == "threadFlow") {
      object(value, "message", "message", at);
      each(value, "locations", "threadFlowLocation", at, 1);
    } else if (kind == "threadFlowLocation") {
      object(value, "location", "location", at);
      minimum(value, "nestingLevel", 0, at);
      minimum(value, "executionOrder", -1, at);
      one_of(value, "importance", {"important", "essential", "unimportant"}, at);
      if (value.contains("kinds")) {
        const json& kinds = value["kinds"];
        if (!kinds.is_array()) problem(at + "/kinds", "is not an array");
        std::set<std::string> seen;
        for (const auto& k : kinds) {
          if (!k.is_string() || !seen.insert(k.get<std::string>()).second) problem(at + "/kinds", "holds a non-string or a repeat");
        }
      }
    } else if (kind == "suppression") {
      one_of(value, "kind", {"inSource", "external"}, at);
      one_of(value, "status", {"accepted", "underReview", "rejected"}, at);
    }
  }

 private:
  void problem(const std::string& at, const std::string& what) { problems.push_back(at + " " + what); }

  void object(const json& parent, const std::string& key, const std::string& kind, const std::string& at) {
    if (parent.contains(key)) check(parent[key], kind, at + "/" + key);
  }

  void each(const json& parent, const std::string& key, const std::string& kind, const std::string& at,
            std::size_t min_items) {
    if (!parent.contains(key)) return;
    const json& list = parent[key];
    if (!list.is_array()) return problem(at + "/" + key, "is not an array");
    if (list.size() < min_items) problem(at + "/" + key, "has fewer than " + std::to_string(min_items) + " items");
    for (std::size_t i = 0; i < list.size(); ++i) check(list[i], kind, at + "/" + key + "/" + std::to_string(i));
  }

  void one_of(const json& parent, const std::string& key, const std::set<std::string>& values, const std::string& at) {
    if (!parent.contains(key)) return;
    if (!parent[key].is_string() || values.count(parent[key].get<std::string>()) == 0) {
      problem(at + "/" + key, "is not one of the schema's values: " + parent[key].dump());
    }
  }

  void minimum(const json& parent, const std::string& key, long long least, const std::string& at) {
    if (!parent.contains(key)) return;
    if (!parent[key].is_number_integer() || parent[key].get<long long>() < least) {
      problem(at + "/" + key, "is not an integer of at least " + std::to_string(least));
    }
  }

  /// A result's ruleIndex points at the rule whose id is its ruleId.
  void rule_reference(const json& result, const std::string& at) {
    if (!result.contains("ruleIndex")) return;
    const auto index = result["ruleIndex"].get<long long>();
    if (index < 0 || static_cast<std::size_t>(index) >= rules_.size() ||
        rules_[static_cast<std::size_t>(index)].value("id", "") != result.value("ruleId", "")) {
      problem(at + "/ruleIndex", "does not point at the rule of its ruleId");
    }
  }

  std::map<std::string, ObjectShape> shapes_ = sarif_shapes();
  json rules_ = json::array();
};

std::vector<std::string> sarif_problems(const json& log) {
  SarifChecker checker;
  checker.check(log, "sarifLog", "");
  return checker.problems;
}

void check_valid(const json& log) {
  const auto problems = sarif_problems(log);
  std::string text;
  for (const auto& p : problems) text += p + "\n";
  CHECK_TEXT(problems.empty(), text.c_str());
}

// --- running wakecheck ------------------------------------------------------------------------

const std::string kSeed = "properties/seed/pausable_worker.json";

json sarif_of(const TempDir& dir, const std::string& file, int exit_code) {
  const std::string path = dir.file("report.sarif");
  const ToolRun run = run_wakecheck(dir, "check " + quote(file) + " --sarif " + quote(path));
  LONGS_EQUAL(exit_code, run.exit_code);
  STRCMP_EQUAL("", run.err.c_str());
  return json::parse(read_file(path));
}

const json& result_of(const json& log, const std::string& rule) {
  for (const auto& result : log.at("runs").at(0).at("results")) {
    if (result.at("ruleId") == rule) return result;
  }
  FAIL(("no result for " + rule).c_str());
  return log;
}

/// The 1-based line and column (in characters) where `part` starts in `text`.
std::pair<std::size_t, std::size_t> line_column(const std::string& text, const std::string& part) {
  const std::size_t at = text.find(part);
  CHECK_TRUE(at != std::string::npos);
  const std::size_t line = static_cast<std::size_t>(std::count(text.begin(), text.begin() + static_cast<long>(at), '\n')) + 1;
  const std::size_t start = text.rfind('\n', at) == std::string::npos ? 0 : text.rfind('\n', at) + 1;
  std::size_t column = 1;
  for (std::size_t i = start; i < at; ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++column;
  }
  return {line, column};
}

void check_region(const json& result, std::pair<std::size_t, std::size_t> where) {
  const json& region = result.at("locations").at(0).at("physicalLocation").at("region");
  UNSIGNED_LONGS_EQUAL(where.first, region.at("startLine").get<std::size_t>());
  UNSIGNED_LONGS_EQUAL(where.second, region.at("startColumn").get<std::size_t>());
}

}  // namespace

TEST_GROUP(SarifStructure){};

TEST(SarifStructure, TheCheckerFindsWhatTheSchemaForbids) {
  // Without this, a checker that accepts everything would pass the tests below.
  json log = {{"version", "2.1.0"},
              {"runs", {{{"tool", {{"driver", {{"name", "x"}}}}},
                         {"results", {{{"message", {{"text", "m"}}},
                                       {"level", "fatal"},
                                       {"codeFlows", {{{"threadFlows", json::array()}}}},
                                       {"step", 1}}}}}}}};
  const auto problems = sarif_problems(log);
  UNSIGNED_LONGS_EQUAL(3, problems.size());
  CHECK_TRUE(contains(problems[0], "/runs/0/results/0 has 'step'"));
  CHECK_TRUE(contains(problems[1], "/runs/0/results/0/level is not one of"));
  CHECK_TRUE(contains(problems[2], "/runs/0/results/0/codeFlows/0/threadFlows has fewer than 1 items"));
  log["runs"][0].erase("tool");
  CHECK_TRUE(contains(sarif_problems(log).at(0), "/runs/0 lacks 'tool'"));
}

TEST_GROUP(SarifReport) {
  TempDir dir;
};

TEST(SarifReport, TheSeedsStrandingIsAThreadFlowPerTaskInStepOrder) {
  const json log = sarif_of(dir, kSeed, 0);
  check_valid(log);
  const json& run = log.at("runs").at(0);
  STRCMP_EQUAL("wakecheck", run.at("tool").at("driver").at("name").get<std::string>().c_str());
  // As expected, so not an error: a note, suppressed by the file's expectation.
  const json& finish = result_of(log, "all_tasks_finish");
  STRCMP_EQUAL("note", finish.at("level").get<std::string>().c_str());
  STRCMP_EQUAL("inSource", finish.at("suppressions").at(0).at("kind").get<std::string>().c_str());
  CHECK_TRUE(contains(finish.at("message").at("text").get<std::string>(),
                      "stranded permit: m's permit was handed to worker1's lock future"));
  STRCMP_EQUAL(kSeed.c_str(),
               finish.at("locations").at(0).at("physicalLocation").at("artifactLocation").at("uri").get<std::string>().c_str());
  check_region(finish, line_column(read_file(std::string(WAKECHECK_SOURCE_DIR) + "/" + kSeed),
                                   R"({"property": "all_tasks_finish")"));

  const json& flows = finish.at("codeFlows").at(0).at("threadFlows");
  std::vector<std::string> ids;
  for (const auto& flow : flows) ids.push_back(flow.at("id").get<std::string>());
  const std::vector<std::string> tasks = {"main", "worker0", "worker1", "worker2", "worker3", "runtime"};
  CHECK_TRUE(ids == tasks);
  // Every step once, in the flow of the task it concerns, numbered in the global order.
  std::vector<long long> order;
  std::map<long long, std::string> flow_of;
  for (const auto& flow : flows) {
    long long previous = 0;
    for (const auto& where : flow.at("locations")) {
      const auto n = where.at("executionOrder").get<long long>();
      CHECK_TRUE(n > previous);
      previous = n;
      order.push_back(n);
      flow_of[n] = flow.at("id").get<std::string>();
      const std::string text = where.at("location").at("message").at("text").get<std::string>();
      const std::string id = flow.at("id").get<std::string>();
      if (id != "runtime") CHECK_TEXT(contains(text, " " + id), text.c_str());
    }
  }
  std::sort(order.begin(), order.end());
  UNSIGNED_LONGS_EQUAL(14, order.size());
  for (std::size_t i = 0; i < order.size(); ++i) LONGS_EQUAL(static_cast<long long>(i + 1), order[i]);
  STRCMP_EQUAL("runtime", flow_of[6].c_str());  // the park
  // The decisive steps: worker0's release hands the permit over (12), worker1's poll is swallowed (14).
  STRCMP_EQUAL("worker0", flow_of[12].c_str());
  STRCMP_EQUAL("worker1", flow_of[14].c_str());
  const json& last = flows.at(2).at("locations").back();
  LONGS_EQUAL(14, last.at("executionOrder").get<long long>());
  STRCMP_EQUAL("essential", last.at("importance").get<std::string>().c_str());
  CHECK_TRUE(contains(last.at("location").at("message").at("text").get<std::string>(), "swallowed"));
  // Each step is located at its task's definition: worker1 is a copy of the template "worker".
  const auto worker = line_column(read_file(std::string(WAKECHECK_SOURCE_DIR) + "/" + kSeed), R"({"name": "worker")");
  const json& region = last.at("location").at("physicalLocation").at("region");
  UNSIGNED_LONGS_EQUAL(worker.first, region.at("startLine").get<std::size_t>());
  UNSIGNED_LONGS_EQUAL(worker.second, region.at("startColumn").get<std::size_t>());
}

TEST(SarifReport, AVerdictNotAsExpectedIsAnErrorAtItsCheck) {
  std::string text = read_file(std::string(WAKECHECK_SOURCE_DIR) + "/" + kSeed);
  const std::string from = R"({"property": "all_tasks_finish", "expect": "violated"})";
  text.replace(text.find(from), from.size(), R"({"property": "all_tasks_finish", "expect": "holds"})");
  write_file(dir.file("wrong.json"), text);
  const json log = sarif_of(dir, dir.file("wrong.json"), 1);
  check_valid(log);
  const json& finish = result_of(log, "all_tasks_finish");
  STRCMP_EQUAL("error", finish.at("level").get<std::string>().c_str());
  CHECK_FALSE(finish.contains("suppressions"));
  CHECK_TRUE(finish.at("message").at("text").get<std::string>().rfind("all_tasks_finish: violated (expected holds).", 0) == 0);
  check_region(finish, line_column(text, R"({"property": "all_tasks_finish")"));
  CHECK_TRUE(finish.contains("codeFlows"));
  // The results that are as expected and have no counterexample are not reported.
  for (const auto& result : log.at("runs").at(0).at("results")) {
    const std::string rule = result.at("ruleId").get<std::string>();
    CHECK_TEXT(rule == "all_tasks_finish" || rule == "waker_contract", rule.c_str());
  }
}

TEST(SarifReport, AnUnreachedPropertyIsAnErrorWithoutACodeFlow) {
  std::string text = read_file(std::string(WAKECHECK_SOURCE_DIR) + "/" + kSeed);
  const std::string from = R"({"property": "coffman_all", "expect": "violated"})";
  // A multi-byte character before the check on its line: columns count characters.
  text.replace(text.find(from), from.size(), R"(/* é */ {"property": "coffman_all", "expect": "reached"})");
  write_file(dir.file("unreached.json"), text);
  const json log = sarif_of(dir, dir.file("unreached.json"), 1);
  check_valid(log);
  const json& all = result_of(log, "coffman_all");
  STRCMP_EQUAL("error", all.at("level").get<std::string>().c_str());
  CHECK_TRUE(all.at("message").at("text").get<std::string>().rfind("coffman_all: unreachable (expected reached).", 0) == 0);
  CHECK_FALSE(all.contains("codeFlows"));
  check_region(all, line_column(text, R"({"property": "coffman_all")"));
  STRCMP_EQUAL("unreachable", all.at("properties").at("verdict").get<std::string>().c_str());
}

TEST(SarifReport, EveryShippedFileGivesAValidLogWithoutErrors) {
  const json log = sarif_of(dir, "properties", 0);
  check_valid(log);
  std::size_t with_flows = 0;
  for (const auto& result : log.at("runs").at(0).at("results")) {
    STRCMP_EQUAL("note", result.at("level").get<std::string>().c_str());
    with_flows += result.contains("codeFlows") ? 1U : 0U;
  }
  CHECK_TRUE(with_flows > 50);
}
