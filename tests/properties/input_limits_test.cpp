// The hardened readers, unit by unit: the schema's pattern matcher, message text, the source
// index's problems, the may-hold analysis behind the loader's check of unlocks, and the report
// reader.
#include <nlohmann/json.hpp>
#include <regex>
#include <stdexcept>
#include <string>
#include <vector>

#include "model/scenario.hpp"
#include "properties/hold_analysis.hpp"
#include "properties/input_error.hpp"
#include "properties/pattern.hpp"
#include "properties/property_file.hpp"
#include "properties/report_reader.hpp"
#include "properties/schema_validator.hpp"
#include "properties/source_map.hpp"
#include "properties/text.hpp"

#include <CppUTest/TestHarness.h>

namespace {

namespace props = wakecheck::properties;
using nlohmann::json;

std::string repeat(const std::string& piece, std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += piece;
  return out;
}

/// The schema's patterns, which the matcher must decide as ECMAScript's std::regex_search does.
std::vector<std::string> schema_patterns() {
  std::vector<std::string> patterns;
  std::vector<const json*> pending{&props::property_file_schema()};
  while (!pending.empty()) {
    const json* at = pending.back();
    pending.pop_back();
    if (at->is_object()) {
      if (at->contains("pattern") && (*at)["pattern"].is_string()) patterns.push_back((*at)["pattern"].get<std::string>());
      for (const auto& [key, value] : at->items()) {
        (void)key;
        pending.push_back(&value);
      }
    } else if (at->is_array()) {
      for (const auto& value : *at) pending.push_back(&value);
    }
  }
  return patterns;
}

std::string error_of(const std::string& text) {
  try {
    (void)props::parse_property_file("t.json", text);
  } catch (const props::InputError& error) {
    return error.what();
  }
  return "(no error)";
}

}  // namespace

TEST_GROUP(Pattern){};

TEST(Pattern, DecidesTheSchemasPatternsAsStdRegexDoes) {
  const std::vector<std::string> samples = {
      "", "m", "worker1", "1worker", "worker1.wait", "a.b.c", "lock m", "  lock m  ", "lock", "lock m n",
      "acquire_many s 2", "acquire_many s", "forget m", "forget m 3", "sleep", " sleep ", "sleepy", "x = y + 1",
      "x == 1", "got = try_lock m", "always true", "alwaystrue", "never x", "p leads_to q", "pleads_to q",
      "(a) leads_to(b)", "eventually finished(w)", "reachable", "yield_now", "drop_kept", "x=", "_a9", "a-b",
      "notify_waiters n", "spawn worker", "\tlock m", "lock\tm", "é", "x = é"};
  const auto patterns = schema_patterns();
  CHECK_TRUE(patterns.size() >= 5);
  for (const auto& pattern : patterns) {
    const props::Pattern mine(pattern);
    const std::regex theirs(pattern, std::regex::ECMAScript);
    for (const auto& sample : samples) {
      const bool expected = std::regex_search(sample, theirs);
      CHECK_EQUAL_TEXT(expected, mine.search(sample), (pattern + " on '" + sample + "'").c_str());
    }
  }
}

TEST(Pattern, SupportsClassesQuantifiersAnchorsAndLookahead) {
  CHECK_TRUE(props::Pattern("^a{2,3}$").search("aaa"));
  CHECK_FALSE(props::Pattern("^a{2,3}$").search("aaaa"));
  CHECK_TRUE(props::Pattern("^[^0-9]+$").search("abc"));
  CHECK_FALSE(props::Pattern("^[^0-9]+$").search("a1c"));
  CHECK_TRUE(props::Pattern("^x =(?!=)").search("x = 1"));
  CHECK_FALSE(props::Pattern("^x =(?!=)").search("x == 1"));
  CHECK_TRUE(props::Pattern("\\bb").search("a b"));
  CHECK_FALSE(props::Pattern("\\bb").search("ab"));
  CHECK_TRUE(props::Pattern("(?:ab|cd)*e").search("ababcde"));
}

TEST(Pattern, RejectsWhatItDoesNotSupport) {
  CHECK_THROWS(std::invalid_argument, props::Pattern("("));
  CHECK_THROWS(std::invalid_argument, props::Pattern("a)"));
  CHECK_THROWS(std::invalid_argument, props::Pattern("[a-"));
  CHECK_THROWS(std::invalid_argument, props::Pattern("a*?"));
  CHECK_THROWS(std::invalid_argument, props::Pattern("(?<=a)b"));
  CHECK_THROWS(std::invalid_argument, props::Pattern("\\1"));
  CHECK_THROWS(std::invalid_argument, props::Pattern("*a"));
}

TEST(Pattern, LongTextIsMatchedWithoutRecursion) {
  // std::regex_search overflowed the stack on some 26,000 characters of such text.
  const std::string text = "x = " + repeat("a", 200000);
  const props::Pattern assignment("^\\s*(?:[A-Za-z_][A-Za-z0-9_]*\\s*=(?!=)\\s*.*|sleep)\\s*$");
  CHECK_TRUE(assignment.search(text));
  CHECK_FALSE(assignment.search(text + "\nb"));  // '.' stops at a newline
}

TEST(Pattern, TheValidatorChecksAHugeStringAgainstTheSchema) {
  json doc = json::parse(R"({"name": "t", "scenario": {"runtime": "current_thread", "resources": [],
    "tasks": [{"name": "main", "program": ["sleep"]}]}, "checks": [{"property": "all_tasks_finish"}]})");
  doc["scenario"]["tasks"][0]["program"][0] = "x = " + repeat("(", 100000);
  const auto error = props::validate_against_schema(doc, props::property_file_schema());
  CHECK_FALSE(error.has_value());  // the pattern accepts any assignment; the loader judges it
}

TEST_GROUP(MessageText){};

TEST(MessageText, PrintableCutsBetweenCharactersNeverInsideOne) {
  STRCMP_EQUAL("\xC3\xA9\xC3\xA9...", props::printable("\xC3\xA9\xC3\xA9\xC3\xA9", 2).c_str());
  STRCMP_EQUAL("\xE2\x82\xAC...", props::printable("\xE2\x82\xAC\xE2\x82\xAC", 1).c_str());
}

TEST(MessageText, PrintableEscapesControlBidiAndBrokenBytes) {
  STRCMP_EQUAL("a\\x1b[31mb\\n", props::printable("a\x1b[31mb\n").c_str());
  STRCMP_EQUAL("\\u{202e}x\\u{2066}", props::printable("\xE2\x80\xAEx\xE2\x81\xA6").c_str());
  STRCMP_EQUAL("\\x00\\x7f\\x9b", props::printable(std::string("\0\x7f\xC2\x9B", 4)).c_str());
  STRCMP_EQUAL("\\xff\\xc3", props::printable("\xFF\xC3").c_str());
}

TEST(MessageText, ALongPathKeepsItsEnds) {
  std::string path = "scenario.tasks[0].program[0]";
  for (int i = 0; i < 40; ++i) path += ".then[0]";
  path += ".if";
  const std::string shown = props::shorten_path(path, 80);
  CHECK_TRUE(shown.size() <= 80);
  STRCMP_EQUAL("scenario.tasks[0]", shown.substr(0, 17).c_str());
  STRCMP_CONTAINS("...", shown.c_str());
  STRCMP_EQUAL("then[0].if", shown.substr(shown.size() - 10).c_str());
  STRCMP_EQUAL("scenario.tasks[0]", props::shorten_path("scenario.tasks[0]", 80).c_str());
}

TEST_GROUP(SourceProblems){};

TEST(SourceProblems, TheFirstRepeatedKeyIsFoundWithBothPlaces) {
  const auto map = props::SourceMap::index("{\"a\": 1,\n \"b\": {\"c\": 1, \"c\": 2}, \"a\": 3}");
  CHECK_TRUE(map.duplicate_key().has_value());
  STRCMP_EQUAL("/b/c", map.duplicate_key()->pointer.c_str());
  UNSIGNED_LONGS_EQUAL(24, map.duplicate_key()->offset);
  UNSIGNED_LONGS_EQUAL(16, *map.duplicate_key()->earlier);
  CHECK_FALSE(map.limit_problem().has_value());
}

TEST(SourceProblems, SameKeysInDifferentObjectsAreNotRepeats) {
  const auto map = props::SourceMap::index(R"([{"a": 1}, {"a": 2}, {"b": {"a": 3}}])");
  CHECK_FALSE(map.duplicate_key().has_value());
}

TEST(SourceProblems, NestingPastTheLimitStopsTheIndexAtTheBracket) {
  props::SourceLimits limits;
  limits.max_depth = 3;
  const auto ok = props::SourceMap::index("[[[1]]]", limits);
  CHECK_FALSE(ok.limit_problem().has_value());
  const auto deep = props::SourceMap::index("[[[[1]]]]", limits);
  CHECK_TRUE(deep.limit_problem().has_value());
  UNSIGNED_LONGS_EQUAL(3, deep.limit_problem()->offset);
  STRCMP_EQUAL("/0/0/0", deep.limit_problem()->pointer.c_str());
}

TEST(SourceProblems, ALongStringIsMeasuredDecoded) {
  props::SourceLimits limits;
  limits.max_string_bytes = 4;
  CHECK_FALSE(props::SourceMap::index(R"(["\u00e9\u00e9"])", limits).limit_problem().has_value());  // 4 bytes
  CHECK_TRUE(props::SourceMap::index(R"(["\u00e9\u00e9x"])", limits).limit_problem().has_value());
}

TEST(SourceProblems, NumbersBeyondADoubleAreProblemsOthersAreNot) {
  CHECK_TRUE(props::SourceMap::index("[1e999]").limit_problem().has_value());
  CHECK_TRUE(props::SourceMap::index("[-1E+400]").limit_problem().has_value());
  CHECK_TRUE(props::SourceMap::index("[" + repeat("9", 400) + "]").limit_problem().has_value());
  CHECK_FALSE(props::SourceMap::index("[1e300, 1e-999, 18446744073709551616]").limit_problem().has_value());
}

TEST_GROUP(HoldAnalysis){};

TEST(HoldAnalysis, ALoopThatLocksAndUnlocksHoldsAtItsUnlockOnly) {
  using wakecheck::model::Op;
  using wakecheck::model::OpKind;
  // 0: unless c goto 4; 1: lock m; 2: unlock m; 3: goto 0; 4: unlock m
  const std::vector<Op> program = {{OpKind::kJumpUnless, 0, 4, 0}, {OpKind::kLock, 0, 0, 1}, {OpKind::kUnlock, 0, 0, 1},
                                   {OpKind::kJump, 0, 0, 0},        {OpKind::kUnlock, 0, 0, 1}};
  const auto at = props::may_hold(program, props::Holdings{});
  LONGS_EQUAL(0, (*at[1])[0]);
  LONGS_EQUAL(1, (*at[2])[0]);
  LONGS_EQUAL(0, (*at[4])[0]);
}

TEST(HoldAnalysis, CodeAfterAReturnIsNotReached) {
  using wakecheck::model::Op;
  using wakecheck::model::OpKind;
  const std::vector<Op> program = {{OpKind::kLock, 0, 0, 1}, {OpKind::kReturn, 0, 0, 0}, {OpKind::kUnlock, 0, 0, 1}};
  const auto at = props::may_hold(program, props::Holdings{});
  CHECK_FALSE(at[2].has_value());
}

TEST(HoldAnalysis, ACancelledFutureContinuesAfterItsEnd) {
  using wakecheck::model::Op;
  using wakecheck::model::OpKind;
  // 0: wrap f (end 3); 1: lock m; 2: wrap end; 3: unlock m. Cancelled at 1 or 2: 3 holds m or not.
  const std::vector<Op> program = {{OpKind::kWrapBegin, 1, 3, 0}, {OpKind::kLock, 0, 0, 1}, {OpKind::kWrapEnd, 1, 0, 0},
                                   {OpKind::kUnlock, 0, 0, 1}};
  const auto at = props::may_hold(program, props::Holdings{});
  LONGS_EQUAL(1, (*at[3])[0]);
}

TEST(HoldAnalysis, TheLoaderAcceptsAnUnlockSomePathReachesHolding) {
  const std::string text = R"({"name": "t", "scenario": {"runtime": "current_thread",
    "resources": [{"name": "m", "kind": "tokio_mutex"}], "variables": {"ok": false},
    "tasks": [{"name": "main", "program": ["ok = try_lock m", {"if": "ok", "then": ["sleep"]}, "unlock m"]}]},
    "checks": [{"property": "all_tasks_finish"}]})";
  STRCMP_EQUAL("(no error)", error_of(text).c_str());
}

TEST(HoldAnalysis, TheLoaderAcceptsAnUnlockOfALockHandedOver) {
  const std::string text = R"({"name": "t", "scenario": {"runtime": "current_thread",
    "resources": [{"name": "m", "kind": "tokio_mutex"}],
    "tasks": [{"name": "main", "program": ["spawn w", {"hand_lock": "m", "to": "w"}]},
              {"name": "w", "program": ["await_lock m", "unlock m"]}]},
    "checks": [{"property": "all_tasks_finish"}]})";
  STRCMP_EQUAL("(no error)", error_of(text).c_str());
}

TEST_GROUP(ReportReader){};

TEST(ReportReader, ReadsTracesAsTheReportRecordsThem) {
  const auto report = props::read_report("r.json", R"([{"format_version": 1, "file": "a.json", "properties": [
      {"name": "p", "counterexample": {"steps": [{"event": "poll", "task": "main"}, {"event": "park", "task": null}],
                                       "replay": [0, 1]}},
      {"name": "q", "example": {"steps": [], "replay": []}}]}])");
  LONGS_EQUAL(1, report.files.size());
  LONGS_EQUAL(2, report.traces.size());
  STRCMP_EQUAL("poll main", report.traces[0].expected[0].c_str());
  STRCMP_EQUAL("park", report.traces[0].expected[1].c_str());
  STRCMP_EQUAL("example", report.traces[1].kind.c_str());
}

TEST(ReportReader, APropertyFileIsNotAReport) {
  CHECK_FALSE(props::report_files("x.json", R"({"name": "t", "scenario": {}, "checks": []})").has_value());
  CHECK_FALSE(props::report_files("x.json", "not json").has_value());
  const auto files = props::report_files("x.json", R"([{"format_version": 1, "file": "a.json"}, {"format_version": 1, "file": "b.json"}])");
  CHECK_TRUE(files.has_value());
  LONGS_EQUAL(2, files->size());
}
