// End-to-end tests of what a run says it found: the words of reachable properties ("reached",
// "unreachable") in every report and in property files, and the indexes of several files (the
// text summary, the HTML index) that name each file's findings and list those files first.
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/cli/tool_run.hpp"

#include <CppUTest/TestHarness.h>

namespace {

using nlohmann::json;
using namespace wakecheck::testing;

const std::string kSeedDir = std::string(WAKECHECK_SOURCE_DIR) + "/properties/seed/";

/// The seed with `from` (which it must contain) replaced by `to`.
std::string edited_seed(const std::string& from, const std::string& to) {
  std::string text = read_file(kSeedDir + "pausable_worker.json");
  const auto at = text.find(from);
  CHECK_TRUE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

/// The lines of `text` that start with `prefix`, in order.
std::vector<std::string> lines_starting(const std::string& text, const std::string& prefix) {
  std::vector<std::string> out;
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t end = text.find('\n', at);
    const std::string line = text.substr(at, end == std::string::npos ? std::string::npos : end - at);
    if (line.rfind(prefix, 0) == 0) out.push_back(line);
    if (end == std::string::npos) break;
    at = end + 1;
  }
  return out;
}

}  // namespace

TEST_GROUP(VerdictWords) {
  TempDir dir;
};

TEST(VerdictWords, AReachablePropertyIsReachedOrUnreachableInEveryReport) {
  // coffman_all is unreachable in the seed; expecting it reached makes it a mismatch everywhere.
  write_file(dir.file("seed.json"), edited_seed(R"({"property": "coffman_all", "expect": "violated"})",
                                                R"({"property": "coffman_all", "expect": "reached"})"));
  const ToolRun run = run_wakecheck(dir, "check " + quote(dir.file("seed.json")) + " --no-timing --json " +
                                             quote(dir.file("r.json")) + " --junit " + quote(dir.file("r.xml")) +
                                             " --html " + quote(dir.file("html")));
  LONGS_EQUAL(1, run.exit_code);
  CHECK_TRUE(contains(run.out, "  coffman_all               unreachable  (expected reached)      MISMATCH\n"));
  CHECK_TRUE(contains(run.out, "  coffman_mutual_exclusion  reached      (expected reached)      ok\n"));
  CHECK_FALSE(contains(run.out, "coffman_hold_and_wait     violated"));
  const json report = json::parse(read_file(dir.file("r.json")));
  for (const auto& property : report.at("properties")) {
    if (property.at("name") == "coffman_all") {
      STRCMP_EQUAL("unreachable", property.at("verdict").get<std::string>().c_str());
      STRCMP_EQUAL("reached", property.at("expected").get<std::string>().c_str());
    }
  }
  CHECK_TRUE(contains(read_file(dir.file("r.xml")), "<failure message=\"unreachable, expected reached\""));
  // The file's page, as the index links it.
  const std::string index = read_file(dir.file("html/index.html"));
  const auto href = index.find("<a href=\"") + 9;
  const std::string page = read_file(dir.file("html/") + index.substr(href, index.find('"', href) - href));
  CHECK_TRUE(contains(page, "<span class=\"badge verdict unreachable\">unreachable</span></td><td class=\"expected\">reached</td>"));
}

TEST(VerdictWords, OldAndNewSpellingsOfAnExpectationGiveTheSameReport) {
  std::string renamed = read_file(kSeedDir + "pausable_worker.json");
  for (const char* property : {"coffman_hold_and_wait", "coffman_circular_wait", "coffman_all"}) {
    const std::string from = std::string(R"({"property": ")") + property + R"(", "expect": "violated"})";
    const auto at = renamed.find(from);
    CHECK_TRUE(at != std::string::npos);
    renamed.replace(at, from.size(), std::string(R"({"property": ")") + property + R"(", "expect": "unreachable"})");
  }
  const std::string from = R"({"property": "coffman_no_preemption", "expect": "holds"})";
  renamed.replace(renamed.find(from), from.size(), R"({"property": "coffman_no_preemption", "expect": "reached"})");
  write_file(dir.file("old.json"), read_file(kSeedDir + "pausable_worker.json"));
  write_file(dir.file("new.json"), renamed);
  const ToolRun old_run = run_wakecheck(dir, "check " + quote(dir.file("old.json")) + " --no-timing");
  const ToolRun new_run = run_wakecheck(dir, "check " + quote(dir.file("new.json")) + " --no-timing");
  LONGS_EQUAL(0, old_run.exit_code);
  LONGS_EQUAL(0, new_run.exit_code);
  std::string old_text = old_run.out;
  old_text.replace(old_text.find("old.json"), 8, "new.json");
  STRCMP_EQUAL(old_text.c_str(), new_run.out.c_str());
}

TEST(VerdictWords, ReachedIsOnlyForReachableProperties) {
  const std::string text = edited_seed(R"({"property": "deadlock_free", "expect": "holds"})",
                                       R"({"property": "deadlock_free", "expect": "reached"})");
  write_file(dir.file("bad.json"), text);
  const ToolRun run = run_wakecheck(dir, "check " + quote(dir.file("bad.json")));
  LONGS_EQUAL(2, run.exit_code);
  STRCMP_EQUAL("", run.out.c_str());
  CHECK_TRUE(contains(run.err, "checks[1].expect: 'reached' is for reachable properties; expected holds, violated or vacuous\n"));
  CHECK_TRUE(run.err.rfind(dir.file("bad.json") + ":", 0) == 0);
  const auto newline = run.err.find('\n');
  UNSIGNED_LONGS_EQUAL(run.err.size() - 1, newline);  // one line
}

TEST(VerdictWords, AFormulaWithReachableTakesTheNewWords) {
  const std::string text = edited_seed(R"({"property": "coffman_all", "expect": "violated"})",
                                       R"x({"name": "paused_worker", "formula": "reachable paused(worker1)", "expect": "reached"})x");
  write_file(dir.file("formula.json"), text);
  const ToolRun run = run_wakecheck(dir, "check " + quote(dir.file("formula.json")));
  LONGS_EQUAL(0, run.exit_code);
  CHECK_TRUE(contains(run.out, "  paused_worker             reached      (expected reached)      ok\n"));
}

TEST_GROUP(FindingsIndex) {
  TempDir dir;

  /// Three files, in this sorted order: a.json a clean pass, b.json with findings as expected,
  /// c.json with a verdict not as expected.
  void write_files() {
    std::filesystem::create_directories(dir.file("files"));
    write_file(dir.file("files/a.json"), read_file(kSeedDir + "drop_on_pause.json"));
    write_file(dir.file("files/b.json"), read_file(kSeedDir + "pausable_worker.json"));
    write_file(dir.file("files/c.json"), edited_seed(R"({"property": "deadlock_free", "expect": "holds"})",
                                                     R"({"property": "deadlock_free", "expect": "violated"})"));
  }
};

TEST(FindingsIndex, TheTextSummaryNamesFindingsAndListsThoseFilesFirst) {
  write_files();
  const ToolRun run = run_wakecheck(dir, "check " + quote(dir.file("files")) + " --no-timing");
  LONGS_EQUAL(1, run.exit_code);
  const auto rows = lines_starting(run.out.substr(run.out.find("\nsummary (files with findings first)\n")),
                                   "  " + dir.file("files/"));
  UNSIGNED_LONGS_EQUAL(3, rows.size());
  const std::string findings =
      "violated: all_tasks_finish, waker_contract; unreachable: coffman_hold_and_wait, coffman_circular_wait, coffman_all";
  CHECK_TEXT(contains(rows[0], "c.json") && contains(rows[0], "MISMATCH  " + findings), rows[0].c_str());
  CHECK_TEXT(contains(rows[1], "b.json") && contains(rows[1], "ok        " + findings), rows[1].c_str());
  CHECK_TEXT(contains(rows[2], "a.json") && rows[2].substr(rows[2].size() - 3) == " ok", rows[2].c_str());
}

TEST(FindingsIndex, TheHtmlIndexNamesFindingsAndListsThoseFilesFirst) {
  write_files();
  const ToolRun run = run_wakecheck(dir, "check " + quote(dir.file("files")) + " --no-timing --html " + quote(dir.file("html")));
  LONGS_EQUAL(1, run.exit_code);
  const std::string index = read_file(dir.file("html/index.html"));
  const auto c = index.find("<tr class=\"file mismatch\">");
  const auto b = index.find("<tr class=\"file findings\">");
  const auto a = index.find("<tr class=\"file clean\">");
  CHECK_TRUE(c != std::string::npos && b != std::string::npos && a != std::string::npos);
  CHECK_TRUE(c < b && b < a);
  CHECK_TRUE(contains(index.substr(c, b - c), "c.json"));
  CHECK_TRUE(contains(index.substr(b, a - b), "b.json"));
  CHECK_TRUE(contains(index.substr(b, a - b),
                      "<span class=\"finding\"><span class=\"badge verdict violated\">violated</span> all_tasks_finish</span>"));
  CHECK_TRUE(contains(index.substr(b, a - b),
                      "<span class=\"finding\"><span class=\"badge verdict unreachable\">unreachable</span> coffman_all</span>"));
  CHECK_FALSE(contains(index.substr(a), "class=\"finding\""));
  CHECK_TRUE(contains(index, "2 files have findings"));
}
