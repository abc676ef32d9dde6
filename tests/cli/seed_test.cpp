// End-to-end tests of `wakecheck check` on the shipped seed property files: exit codes, the
// verdict lines and counterexample steps of the text report, and the JSON report (--json).
//
// The binary and the source root come from the build (WAKECHECK_BINARY, WAKECHECK_SOURCE_DIR);
// the tool runs in the source root, so file paths in its reports are "properties/seed/...".
#include <sys/wait.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/cli/tool_run.hpp"

#include <CppUTest/TestHarness.h>


namespace {

using nlohmann::json;

using namespace wakecheck::testing;

std::string pad(std::string text, std::size_t width) {
  if (text.size() < width) text.append(width - text.size(), ' ');
  return text;
}

/// The verdict columns of a file's table: 10 and 22 wide, wider where a file's words need it
/// ("unreachable": 13 and 24).
struct Columns {
  std::size_t verdict = 10;
  std::size_t expected = 22;
};
constexpr Columns kWideColumns{13, 24};

/// A verdict line of the text report whose verdict is the expected one.
std::string verdict_line(const std::string& property, const std::string& verdict, Columns columns = {}) {
  return "  " + pad(property, 26) + pad(verdict, columns.verdict) +
         pad("(expected " + verdict + ")", columns.expected) + "ok\n";
}

struct ExpectedVerdict {
  const char* property;
  const char* verdict;
};

void check_seed_file(const std::string& file, const std::string& name, const std::vector<ExpectedVerdict>& verdicts) {
  TempDir dir;
  CHECK_TRUE(dir.ok());
  const ToolRun run = run_wakecheck(dir, "check " + file);
  LONGS_EQUAL(0, run.exit_code);
  STRCMP_EQUAL("", run.err.c_str());
  // The report opens with the file and its name.
  STRCMP_EQUAL((file + ": " + name + "\n").c_str(), run.out.substr(0, file.size() + name.size() + 3).c_str());
  std::size_t at = 0;
  Columns columns;
  for (const auto& v : verdicts) {
    if (std::string(v.verdict) == "unreachable") columns = kWideColumns;
  }
  for (const auto& v : verdicts) {
    const std::string line = verdict_line(v.property, v.verdict, columns);
    const std::size_t found = run.out.find(line, at);
    CHECK_TEXT(found != std::string::npos, ("missing, or out of order: " + line).c_str());
    at = found + line.size();
  }
  CHECK_FALSE(contains(run.out, "MISMATCH"));
}

/// The JSON report of `file` (written with --json and --no-timing).
json json_report(const TempDir& dir, const std::string& file) {
  const std::string path = dir.file("report.json");
  const ToolRun run = run_wakecheck(dir, "check " + file + " --json " + quote(path) + " --no-timing");
  LONGS_EQUAL(0, run.exit_code);
  return json::parse(read_file(path));
}

const json& property_named(const json& report, const std::string& name) {
  for (const auto& property : report.at("properties")) {
    if (property.at("name") == name) return property;
  }
  FAIL(("no property " + name + " in the report").c_str());
  return report;
}

/// The counterexample steps of `property` in the JSON report of `file`.
json counterexample_steps(const std::string& file, const std::string& property) {
  TempDir dir;
  CHECK_TRUE(dir.ok());
  const json report = json_report(dir, file);
  return property_named(report, property).at("counterexample").at("steps");
}

/// A run over the three seed files: it passed, its text report names `first`, `second` and
/// `third` (first occurrences) in that order, and the totals count 4 + 4 + 9 checks, each file
/// with no_model_error added.
void check_three_seed_reports_in_order(const ToolRun& run, const std::string& first,
                                       const std::string& second, const std::string& third) {
  LONGS_EQUAL(0, run.exit_code);
  STRCMP_EQUAL("", run.err.c_str());
  const auto a = run.out.find(first);
  const auto b = run.out.find(second);
  const auto c = run.out.find(third);
  CHECK_TRUE(a != std::string::npos && b != std::string::npos && c != std::string::npos);
  CHECK_TRUE(a < b);
  CHECK_TRUE(b < c);
  CHECK_TRUE(contains(run.out, "3 files, 20 checks: 20 as expected, 0 not\n"));
}

/// The shipped file `shipped` (a path below the source root) with `from`, which it must contain,
/// replaced by `to`, written as `name` in `dir`; returns its path.
std::string write_edited_copy(const TempDir& dir, const std::string& shipped, const std::string& from,
                              const std::string& to, const std::string& name) {
  std::string text = read_file(std::string(WAKECHECK_SOURCE_DIR) + "/" + shipped);
  const auto at = text.find(from);
  CHECK_TRUE(at != std::string::npos);
  text.replace(at, from.size(), to);
  const std::string file = dir.file(name);
  write_file(file, text);
  return file;
}

}  // namespace

TEST_GROUP(SeedFiles){};

TEST(SeedFiles, PausableWorkerExitsZeroWithItsVerdicts) {
  check_seed_file("properties/seed/pausable_worker.json", "seed: a pausable worker strands the tokio mutex",
                  {{"mutual_exclusion", "holds"},
                   {"deadlock_free", "holds"},
                   {"all_tasks_finish", "violated"},
                   {"waker_contract", "violated"},
                   // Reachable properties: reached or unreachable.
                   {"coffman_mutual_exclusion", "reached"},
                   {"coffman_hold_and_wait", "unreachable"},
                   {"coffman_no_preemption", "reached"},
                   {"coffman_circular_wait", "unreachable"},
                   {"coffman_all", "unreachable"},
                   // Added to every file that does not name it.
                   {"no_model_error", "holds"}});
}

TEST(SeedFiles, PauseAnyTimeExitsZeroWithItsVerdicts) {
  check_seed_file("properties/seed/pause_any_time.json", "seed, unscripted: one worker may be paused at any point",
                  {{"mutual_exclusion", "holds"},
                   {"deadlock_free", "holds"},
                   {"all_tasks_finish", "violated"},
                   {"waker_contract", "violated"},
                   {"no_model_error", "holds"}});
}

TEST(SeedFiles, DropOnPauseExitsZeroWithItsVerdicts) {
  check_seed_file("properties/seed/drop_on_pause.json", "seed fix: drop the inner future on pause",
                  {{"mutual_exclusion", "holds"},
                   {"deadlock_free", "holds"},
                   {"all_tasks_finish", "holds"},
                   {"waker_contract", "holds"},
                   {"no_model_error", "holds"}});
}

TEST(SeedFiles, TheThreeSeedFilesTogetherAreReportedInTheOrderGiven) {
  TempDir dir;
  CHECK_TRUE(dir.ok());
  const ToolRun run = run_wakecheck(dir,
                                    "check properties/seed/pause_any_time.json properties/seed/drop_on_pause.json "
                                    "properties/seed/pausable_worker.json");
  check_three_seed_reports_in_order(run, "properties/seed/pause_any_time.json: ",
                                    "properties/seed/drop_on_pause.json: ",
                                    "properties/seed/pausable_worker.json: ");
}

TEST(SeedFiles, ADirectoryMeansEveryJsonFileBelowItSorted) {
  TempDir dir;
  CHECK_TRUE(dir.ok());
  const std::string seed_dir = std::string(WAKECHECK_SOURCE_DIR) + "/properties/seed/";
  std::filesystem::create_directories(dir.file("files/nested"));
  write_file(dir.file("files/b.json"), read_file(seed_dir + "drop_on_pause.json"));
  write_file(dir.file("files/nested/a.json"), read_file(seed_dir + "pausable_worker.json"));
  write_file(dir.file("files/a.json"), read_file(seed_dir + "pause_any_time.json"));
  write_file(dir.file("files/notes.txt"), "not a property file\n");
  const ToolRun run = run_wakecheck(dir, "check " + quote(dir.file("files")));
  check_three_seed_reports_in_order(run, dir.file("files/a.json") + ": seed, unscripted",
                                    dir.file("files/b.json") + ": seed fix",
                                    dir.file("files/nested/a.json") + ": seed: a pausable worker");
}

TEST(SeedFiles, PausableWorkerTextShowsTheSwallowedWakeAndTheFifoHandOver) {
  TempDir dir;
  CHECK_TRUE(dir.ok());
  const ToolRun run = run_wakecheck(dir, "check properties/seed/pausable_worker.json");
  LONGS_EQUAL(0, run.exit_code);
  const auto hand_over = run.out.find("unlock m -> permit assigned to worker0 (oldest waiter)");
  const auto swallowed = run.out.find("poll worker1 -> swallowed: worker1 is paused, inner future not polled");
  CHECK_TRUE(hand_over != std::string::npos);
  CHECK_TRUE(swallowed != std::string::npos);
  CHECK_TRUE(hand_over < swallowed);
  CHECK_TRUE(contains(run.out, "all_tasks_finish: violated -- "));
  CHECK_TRUE(contains(run.out, "  counterexample, shortest (14 steps):\n"));
  // waker_contract has the same counterexample, which is shown once.
  CHECK_TRUE(contains(run.out, "waker_contract: violated -- "));
  CHECK_TRUE(contains(run.out, "  counterexample: the same as for all_tasks_finish\n"));
}

TEST(SeedFiles, TheFinalStateKeepsLongTaskNamesApartFromTheirStatus) {
  TempDir dir;
  CHECK_TRUE(dir.ok());
  const std::string file = dir.file("long_names.json");
  write_file(file, R"({"name": "long names",
    "scenario": {"runtime": "current_thread", "resources": [{"name": "m", "kind": "tokio_mutex"}],
      "tasks": [{"name": "main", "program": ["lock m", "spawn live_waiter", "spawn a_rather_long_task_name", "yield_now", "pause live_waiter", "unlock m", "join a_rather_long_task_name"]},
                {"name": "live_waiter", "wrapper": "pausable", "program": ["lock m", "unlock m"]},
                {"name": "a_rather_long_task_name", "program": ["lock m", "unlock m"]}]},
    "checks": [{"property": "all_tasks_finish", "expect": "violated"}]})");
  const ToolRun run = run_wakecheck(dir, "check " + quote(file));
  LONGS_EQUAL(0, run.exit_code);
  // The name column is as wide as the longest name and one more.
  CHECK_TRUE(contains(run.out, "\n    live_waiter             paused"));
  CHECK_TRUE(contains(run.out, "\n    a_rather_long_task_name waiting for m"));
  CHECK_TRUE(contains(run.out, "\n    main                    "));
}

TEST(SeedFiles, UnscriptedPauseFindsACounterexampleNoLongerThanTheScriptedOne) {
  const json scripted = counterexample_steps("properties/seed/pausable_worker.json", "all_tasks_finish");
  const json found = counterexample_steps("properties/seed/pause_any_time.json", "all_tasks_finish");
  CHECK_TRUE(scripted.is_array());
  CHECK_TRUE(found.is_array());
  CHECK_TRUE(found.size() > 0);
  CHECK_TRUE(found.size() <= scripted.size());
  // Both end with a poll that the paused worker's wrapper swallows.
  STRCMP_EQUAL("poll", found.back().at("event").get<std::string>().c_str());
  const std::string effect = found.back().at("effect").get<std::string>();
  CHECK_TEXT(effect.rfind("swallowed: worker", 0) == 0, effect.c_str());
  CHECK_TEXT(contains(effect, " is paused, inner future not polled"), effect.c_str());
  STRCMP_EQUAL("poll", scripted.back().at("event").get<std::string>().c_str());
  STRCMP_EQUAL("worker1", scripted.back().at("task").get<std::string>().c_str());
  // The unscripted one needs the environment's pause somewhere.
  bool paused_by_environment = false;
  for (const auto& step : found) paused_by_environment = paused_by_environment || step.at("event") == "pause";
  CHECK_TRUE(paused_by_environment);
}

TEST_GROUP(JsonReport){};

TEST(JsonReport, HasTheDocumentedShape) {
  TempDir dir;
  CHECK_TRUE(dir.ok());
  const json report = json_report(dir, "properties/seed/pausable_worker.json");
  CHECK_TRUE(report.is_object());
  LONGS_EQUAL(1, report.at("format_version").get<int>());
  STRCMP_EQUAL("properties/seed/pausable_worker.json", report.at("file").get<std::string>().c_str());

  const json& scenario = report.at("scenario");
  STRCMP_EQUAL("seed: a pausable worker strands the tokio mutex", scenario.at("name").get<std::string>().c_str());
  STRCMP_EQUAL("current_thread", scenario.at("runtime").get<std::string>().c_str());
  UNSIGNED_LONGS_EQUAL(5, scenario.at("tasks").size());
  STRCMP_EQUAL("worker3", scenario.at("tasks").at(4).at("name").get<std::string>().c_str());

  const json& stats = report.at("stats");
  CHECK_TRUE(stats.at("states").is_number_unsigned());
  CHECK_TRUE(stats.at("transitions").is_number_unsigned());
  CHECK_TRUE(stats.at("depth").is_number_unsigned());
  CHECK_TRUE(stats.at("seconds").is_number());
  const auto states = stats.at("states").get<std::uint64_t>();
  CHECK_TRUE(states > 1);
  CHECK_TRUE(stats.at("transitions").get<std::uint64_t>() >= states - 1);
  CHECK_TRUE(stats.at("depth").get<std::uint64_t>() < states);
  DOUBLES_EQUAL(0.0, stats.at("seconds").get<double>(), 0.0);

  const json& props = report.at("properties");
  UNSIGNED_LONGS_EQUAL(10, props.size());  // the file's 9 and no_model_error
  for (const auto& property : props) {
    CHECK_TRUE(property.at("name").is_string());
    // A reachable property is reached or unreachable; the others hold or are violated.
    if (property.at("kind") == "reachable") {
      CHECK_TRUE(property.at("verdict") == "reached" || property.at("verdict") == "unreachable");
    } else {
      CHECK_TRUE(property.at("verdict") == "holds" || property.at("verdict") == "violated");
    }
    CHECK_TRUE(property.at("expected") == property.at("verdict"));
  }
  const json& finish = property_named(report, "all_tasks_finish");
  STRCMP_EQUAL("violated", finish.at("verdict").get<std::string>().c_str());
  STRCMP_EQUAL("violated", finish.at("expected").get<std::string>().c_str());
  const json& counterexample = finish.at("counterexample");
  const json& steps = counterexample.at("steps");
  UNSIGNED_LONGS_EQUAL(14, steps.size());
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const json& step = steps.at(i);
    UNSIGNED_LONGS_EQUAL(i + 1, step.at("index").get<std::size_t>());
    CHECK_TRUE(step.at("event").is_string());
    CHECK_TRUE(step.at("task").is_string() || step.at("task").is_null());
    CHECK_TRUE(step.at("effect").is_string());
  }
  STRCMP_EQUAL("poll", steps.at(0).at("event").get<std::string>().c_str());
  STRCMP_EQUAL("main", steps.at(0).at("task").get<std::string>().c_str());
  STRCMP_EQUAL("park", steps.at(5).at("event").get<std::string>().c_str());
  CHECK_TRUE(steps.at(5).at("task").is_null());

  const json& final_state = counterexample.at("final_state");
  const json& m = final_state.at("resources").at(0);
  STRCMP_EQUAL("m", m.at("name").get<std::string>().c_str());
  LONGS_EQUAL(0, m.at("available").get<int>());
  CHECK_TRUE(m.at("guard_holders").empty());
  CHECK_TRUE(m.at("owning_futures") == json::array({"worker1"}));
  CHECK_TRUE(m.at("waiters") == json::array({"worker2", "worker3"}));
  const json& worker1 = final_state.at("tasks").at(2);
  STRCMP_EQUAL("worker1", worker1.at("name").get<std::string>().c_str());
  STRCMP_EQUAL("paused", worker1.at("status").get<std::string>().c_str());
  CHECK_TRUE(worker1.at("wake_swallowed").get<bool>());

  // Properties that hold have no counterexample.
  CHECK_FALSE(property_named(report, "mutual_exclusion").contains("counterexample"));
}

TEST(JsonReport, StatsAgreeWithTheTextReport) {
  TempDir dir;
  CHECK_TRUE(dir.ok());
  const std::string path = dir.file("report.json");
  const ToolRun run = run_wakecheck(dir, "check properties/seed/pause_any_time.json --json " + quote(path));
  LONGS_EQUAL(0, run.exit_code);
  const json stats = json::parse(read_file(path)).at("stats");
  const std::string explored = "  explored " + std::to_string(stats.at("states").get<std::uint64_t>()) +
                               " states, " + std::to_string(stats.at("transitions").get<std::uint64_t>()) +
                               " transitions, depth " + std::to_string(stats.at("depth").get<std::uint64_t>()) +
                               ", ";
  CHECK_TEXT(contains(run.out, explored), explored.c_str());
  CHECK_TRUE(stats.at("seconds").get<double>() >= 0.0);
}

TEST(JsonReport, TwoRunsWithoutTimingAreByteIdentical) {
  TempDir dir;
  CHECK_TRUE(dir.ok());
  const std::string first = dir.file("first.json");
  const std::string second = dir.file("second.json");
  const std::string files = "properties/seed/pausable_worker.json properties/seed/pause_any_time.json";
  LONGS_EQUAL(0, run_wakecheck(dir, "check " + files + " --no-timing --json " + quote(first)).exit_code);
  LONGS_EQUAL(0, run_wakecheck(dir, "check " + files + " --json " + quote(second) + " --no-timing").exit_code);
  const std::string a = read_file(first);
  const std::string b = read_file(second);
  CHECK_TRUE(a.size() > 0);
  CHECK_TRUE(a == b);
  // Two files give an array of two reports.
  const json both = json::parse(a);
  CHECK_TRUE(both.is_array());
  UNSIGNED_LONGS_EQUAL(2, both.size());
  STRCMP_EQUAL("properties/seed/pause_any_time.json", both.at(1).at("file").get<std::string>().c_str());
}

TEST_GROUP(WrongExpectation){};

TEST(WrongExpectation, AVerdictThatIsNotAsExpectedExitsOne) {
  TempDir dir;
  CHECK_TRUE(dir.ok());
  const std::string file =
      write_edited_copy(dir, "properties/seed/pausable_worker.json",
                        R"({"property": "all_tasks_finish", "expect": "violated"})",
                        R"({"property": "all_tasks_finish", "expect": "holds"})", "wrong.json");
  const std::string report = dir.file("report.json");

  const ToolRun run = run_wakecheck(dir, "check " + quote(file) + " --json " + quote(report));
  LONGS_EQUAL(1, run.exit_code);
  STRCMP_EQUAL("", run.err.c_str());
  CHECK_TRUE(contains(run.out, "  " + pad("all_tasks_finish", 26) + pad("violated", kWideColumns.verdict) +
                                   pad("(expected holds)", kWideColumns.expected) + "MISMATCH\n"));
  // The other checks are still as expected.
  CHECK_TRUE(contains(run.out, verdict_line("waker_contract", "violated", kWideColumns)));
  const json finish = property_named(json::parse(read_file(report)), "all_tasks_finish");
  STRCMP_EQUAL("violated", finish.at("verdict").get<std::string>().c_str());
  STRCMP_EQUAL("holds", finish.at("expected").get<std::string>().c_str());
  CHECK_FALSE(finish.at("as_expected").get<bool>());
}

TEST(WrongExpectation, OneMismatchAmongSeveralFilesExitsOne) {
  TempDir dir;
  CHECK_TRUE(dir.ok());
  const std::string file =
      write_edited_copy(dir, "properties/seed/drop_on_pause.json",
                        R"({"property": "waker_contract", "expect": "holds"})",
                        R"({"property": "waker_contract", "expect": "violated"})", "wrong.json");
  const ToolRun run = run_wakecheck(dir, "check properties/seed/pausable_worker.json " + quote(file));
  LONGS_EQUAL(1, run.exit_code);
  // 10 + 5 checks, no_model_error included.
  CHECK_TRUE(contains(run.out, "2 files, 15 checks: 14 as expected, 1 not\n"));
}

// --- the language examples: lassos and vacuity ----------------------------------------------------

TEST_GROUP(LanguageFiles){};

namespace {

const std::string kSpin = "properties/language/try_lock_spin.json";

/// The shipped files under properties/language/, as paths relative to the source root, sorted.
std::vector<std::string> language_files() {
  std::vector<std::string> files;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(WAKECHECK_SOURCE_DIR) + "/properties/language")) {
    if (entry.path().extension() == ".json") files.push_back("properties/language/" + entry.path().filename().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

/// The verdict line of `property` in a text report: its name, then the verdict, then the
/// expectation and "ok" (the name column is as wide as the file's longest name).
std::string line_of(const std::string& report, const std::string& property) {
  const std::string start = "\n  " + property + " ";
  const auto at = report.find(start);
  if (at == std::string::npos) return "";
  const auto end = report.find('\n', at + 1);
  return report.substr(at + 1, end - at - 1);
}

}  // namespace

TEST(LanguageFiles, EveryFileExitsZeroWithEveryVerdictAsExpected) {
  const auto files = language_files();
  CHECK_TRUE(files.size() >= 4);
  TempDir dir;
  CHECK_TRUE(dir.ok());
  for (const auto& file : files) {
    const ToolRun run = run_wakecheck(dir, "check " + file);
    CHECK_EQUAL_TEXT(0, run.exit_code, file.c_str());
    STRCMP_EQUAL("", run.err.c_str());
    CHECK_TEXT(!contains(run.out, "MISMATCH"), file.c_str());
  }
  // The directory at once: every file, as expected.
  const ToolRun all = run_wakecheck(dir, "check properties/language");
  LONGS_EQUAL(0, all.exit_code);
  CHECK_TRUE(contains(all.out, std::to_string(files.size()) + " files, "));
  CHECK_TRUE(contains(all.out, " 0 not\n"));
}

TEST(LanguageFiles, TryLockSpinIsReportedAsALassoInTheText) {
  // The spinner is polled forever while the permit is stranded: no dead end, a cycle.
  TempDir dir;
  CHECK_TRUE(dir.ok());
  const ToolRun run = run_wakecheck(dir, "check " + kSpin);
  LONGS_EQUAL(0, run.exit_code);
  CHECK_TRUE(contains(run.out, "all_tasks_finish: violated -- "));
  CHECK_TRUE(contains(run.out, "a lasso"));
  const auto cycle = run.out.find("-- the cycle: from here the run repeats forever --");
  CHECK_TRUE(cycle != std::string::npos);
  // The cycle's steps poll the spinner, whose try_lock keeps failing.
  const auto retry = run.out.find("spinner: try_lock m -> Err (no permit available)", cycle);
  CHECK_TRUE(retry != std::string::npos);
  // spinner_gets_the_lock has the same lasso, shown once.
  CHECK_TRUE(contains(run.out, "spinner_gets_the_lock: violated -- "));
  CHECK_TRUE(contains(run.out, "  counterexample: the same as for all_tasks_finish\n"));
}

TEST(LanguageFiles, TryLockSpinJsonCounterexampleHasItsLoopStart) {
  TempDir dir;
  CHECK_TRUE(dir.ok());
  const json report = json_report(dir, kSpin);
  const json& finish = property_named(report, "all_tasks_finish");
  STRCMP_EQUAL("violated", finish.at("verdict").get<std::string>().c_str());
  STRCMP_EQUAL("leads_to", finish.at("kind").get<std::string>().c_str());
  const json& counterexample = finish.at("counterexample");
  CHECK_FALSE(counterexample.at("loop_start").is_null());
  const auto loop_start = counterexample.at("loop_start").get<std::size_t>();
  const auto steps = counterexample.at("steps").size();
  // 1-based, inside the steps: the cycle is steps loop_start..steps.
  CHECK_TRUE(loop_start >= 1);
  CHECK_TRUE(loop_start <= steps);
  // The text report says the same.
  const ToolRun run = run_wakecheck(dir, "check " + kSpin);
  const std::string repeat =
      "then steps " + std::to_string(loop_start) + " to " + std::to_string(steps) + " repeat forever";
  CHECK_TEXT(contains(run.out, repeat), repeat.c_str());
  // The cycle polls the spinner again.
  bool spinner_polled = false;
  for (std::size_t i = loop_start - 1; i < steps; ++i) {
    const json& step = counterexample.at("steps").at(i);
    spinner_polled = spinner_polled || (step.at("event") == "poll" && step.at("task") == "spinner");
  }
  CHECK_TRUE(spinner_polled);
  // A counterexample that ends in a dead end has none.
  const json seed = json_report(dir, "properties/seed/pausable_worker.json");
  CHECK_TRUE(property_named(seed, "all_tasks_finish").at("counterexample").at("loop_start").is_null());
}

TEST(LanguageFiles, AVacuousPropertyIsReportedAsVacuous) {
  TempDir dir;
  CHECK_TRUE(dir.ok());
  const ToolRun run = run_wakecheck(dir, "check " + kSpin);
  LONGS_EQUAL(0, run.exit_code);
  for (const char* property : {"spinner_releases", "no_pause_while_spinner_holds"}) {
    const std::string line = line_of(run.out, property);
    CHECK_TEXT(contains(line, " vacuous "), line.c_str());
    CHECK_TEXT(contains(line, "(expected vacuous)"), line.c_str());
    CHECK_TEXT(line.size() >= 2 && line.substr(line.size() - 2) == "ok", line.c_str());
  }
  const json report = json_report(dir, kSpin);
  const json& releases = property_named(report, "spinner_releases");
  STRCMP_EQUAL("vacuous", releases.at("verdict").get<std::string>().c_str());
  STRCMP_EQUAL("vacuous", releases.at("expected").get<std::string>().c_str());
  CHECK_TRUE(releases.at("as_expected").get<bool>());
  CHECK_FALSE(releases.contains("counterexample"));
}

TEST(LanguageFiles, AVacuousVerdictDoesNotPassForHolds) {
  // Vacuity is reported, not a pass: expecting "holds" of a vacuous property is a mismatch.
  TempDir dir;
  CHECK_TRUE(dir.ok());
  const std::string releases = R"x("holds(spinner, m) leads_to not holds(spinner, m)",
     "expect": )x";
  const std::string file =
      write_edited_copy(dir, kSpin, releases + "\"vacuous\"", releases + "\"holds\"", "spin.json");
  const ToolRun run = run_wakecheck(dir, "check " + quote(file));
  LONGS_EQUAL(1, run.exit_code);
  const std::string line = line_of(run.out, "spinner_releases");
  CHECK_TEXT(contains(line, " vacuous "), line.c_str());
  CHECK_TEXT(contains(line, "(expected holds)"), line.c_str());
  CHECK_TEXT(contains(line, "MISMATCH"), line.c_str());
}
