// End-to-end tests of what a hostile user can throw at wakecheck: inputs that used to crash it,
// hang it or read without bound; outputs that used to fail silently or go through a planted
// symbolic link; text that used to reach the terminal raw; and the exit codes.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "properties/text.hpp"
#include "tests/cli/tool_run.hpp"

#include <CppUTest/TestHarness.h>

namespace {

using namespace wakecheck::testing;
namespace fs = std::filesystem;

const std::string kSeed = "properties/seed/pausable_worker.json";

std::string seed_text() { return read_file(std::string(WAKECHECK_SOURCE_DIR) + "/" + kSeed); }

/// The seed with `from` replaced by `to` (once).
std::string seed_with(const std::string& from, const std::string& to) {
  std::string text = seed_text();
  const std::size_t at = text.find(from);
  CHECK_TEXT(at != std::string::npos, from.c_str());
  return text.replace(at, from.size(), to);
}

std::string repeat(const std::string& piece, std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += piece;
  return out;
}

/// Exit 2, nothing on stdout, one line on stderr that starts with `prefix` and contains `part`.
void check_refused(const ToolRun& run, const std::string& prefix, const std::string& part) {
  LONGS_EQUAL(2, run.exit_code);
  STRCMP_EQUAL("", run.out.c_str());
  LONGS_EQUAL(1, static_cast<long>(std::count(run.err.begin(), run.err.end(), '\n')));
  STRCMP_EQUAL(prefix.c_str(), run.err.substr(0, prefix.size()).c_str());
  STRCMP_CONTAINS(part.c_str(), run.err.c_str());
}

/// Whether every byte sequence of `text` is well-formed UTF-8.
bool is_utf8(const std::string& text) {
  for (std::size_t at = 0; at < text.size();) {
    const auto c = wakecheck::properties::decode_utf8(std::string_view(text).substr(at));
    if (c.length == 0) return false;
    at += c.length;
  }
  return true;
}

bool sanitized() {
#if defined(__SANITIZE_ADDRESS__)
  return true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  return true;
#else
  return false;
#endif
#else
  return false;
#endif
}

}  // namespace

// --- inputs that crashed, hung or read without bound ------------------------------------------------

TEST_GROUP(HostileInput) {
  TempDir dir;
  void setup() override { CHECK_TRUE(dir.ok()); }
  ToolRun check(const std::string& file) const { return run_wakecheck_with(dir, "timeout 60", "check " + quote(file)); }
};

TEST(HostileInput, ThousandsOfNestedIfsGetALocatedErrorNotAStackOverflow) {
  const std::string file = dir.file("deep_if.json");
  write_file(file, seed_with("\"program\": [\"lock m\", \"sleep\", \"unlock m\"]",
                             "\"program\": [" + repeat("{\"if\": \"true\", \"then\": [", 3000) + "\"sleep\"" +
                                 repeat("]}", 3000) + "]"));
  check_refused(check(file), file + ":19:", "arrays and objects nested more than 64 levels deep");
}

TEST(HostileInput, AHundredThousandNestedArraysGetALocatedError) {
  const std::string file = dir.file("deep.json");
  write_file(file, repeat("[", 100000) + repeat("]", 100000));
  check_refused(check(file), file + ":1:65: [0][0]", "nested more than 64 levels deep");
}

TEST(HostileInput, AStatementOf30000CharactersGetsALocatedErrorNotARegexOverflow) {
  const std::string file = dir.file("long.json");
  write_file(file, seed_with("\"sleep\"", "\"" + repeat("s", 30000) + "\""));
  check_refused(check(file), file + ":19:", "scenario.tasks[1].program[1]: a string longer than 4096 bytes");
}

TEST(HostileInput, TwoThousandNestedParenthesesGetALocatedError) {
  const std::string file = dir.file("parens.json");
  write_file(file, seed_with("\"program\": [\"lock m\", \"sleep\", \"unlock m\"]",
                             "\"variables\": {\"x\": 0}, \"program\": [\"x = " + repeat("(", 2000) + "1" +
                                 repeat(")", 2000) + "\"]"));
  check_refused(check(file), file + ":19:", "scenario.tasks[1].program[0]: more than 32 parentheses open at once");
}

TEST(HostileInput, ANumberBeyondADoubleIsALocatedErrorNotAnInternalOne) {
  const std::string file = dir.file("overflow.json");
  write_file(file, seed_with("\"copies\": 4", "\"copies\": 1e999"));
  check_refused(check(file), file + ":18:36: scenario.tasks[1].copies: the number 1e999 is out of range", "");
}

TEST(HostileInput, AFileLargerThanOneMebibyteIsRefusedUnread) {
  const std::string file = dir.file("big.json");
  write_file(file, seed_text() + std::string(1024 * 1024, ' '));
  check_refused(check(file), file + ": the file has ", "bytes; at most 1048576 are read");
}

TEST(HostileInput, AFifoIsRefusedWithoutWaitingForAWriter) {
  const std::string file = dir.file("fifo.json");
  CHECK_EQUAL(0, ::mkfifo(file.c_str(), 0600));
  check_refused(check(file), file + ": not a regular file (a FIFO)", "");
}

TEST(HostileInput, TheZeroDeviceIsRefusedNotReadUntilMemoryRunsOut) {
  check_refused(check("/dev/zero"), "/dev/zero: not a regular file (a character device)", "");
}

TEST(HostileInput, ASymlinkLoopIsNamedAsOne) {
  const std::string file = dir.file("loop.json");
  fs::create_symlink("loop.json", file);
  check_refused(check(file), file + ": too many levels of symbolic links (a symbolic link loop)", "");
}

TEST(HostileInput, ADirectoryWithASelfReferencingSymlinkGivesOneLine) {
  const std::string sub = dir.file("walk");
  fs::create_directory(sub);
  write_file(sub + "/a.json", seed_text());
  fs::create_symlink("self.json", sub + "/self.json");
  check_refused(check(sub), sub + "/self.json: too many levels of symbolic links", "");
}

TEST(HostileInput, ADirectoryWithAFifoGivesOneLine) {
  const std::string sub = dir.file("walk");
  fs::create_directory(sub);
  CHECK_EQUAL(0, ::mkfifo((sub + "/f.json").c_str(), 0600));
  check_refused(check(sub), sub + "/f.json: not a regular file (a FIFO)", "");
}

TEST(HostileInput, AnUnreadableDirectoryInAWalkGivesOneLine) {
  // Root reads any directory: as root, wakecheck runs as nobody (setpriv) for this test.
  CHECK_EQUAL(0, ::chmod(dir.path().c_str(), 0755));
  const std::string sub = dir.file("walk");
  fs::create_directory(sub);
  write_file(sub + "/a.json", seed_text());
  fs::create_directory(sub + "/locked");
  CHECK_EQUAL(0, ::chmod((sub + "/locked").c_str(), 0));
  for (const auto& p : {sub, sub + "/a.json"}) ::chmod(p.c_str(), 0755);
  const std::string as = ::geteuid() == 0 ? "setpriv --reuid=65534 --regid=65534 --clear-groups" : "";
  const ToolRun run = run_wakecheck_with(dir, "chmod 0666 " + quote(dir.file("stderr.txt")) + " 2>/dev/null; " + as,
                                         "check " + quote(sub));
  ::chmod((sub + "/locked").c_str(), 0755);
  check_refused(run, sub + "/locked: cannot read the directory: permission denied", "");
}

TEST(HostileInput, ErrorMessagesNeverCutAUtf8CharacterInHalf) {
  const std::string file = dir.file("utf8.json");
  write_file(file, seed_with("\"name\": \"worker\"", "\"name\": \"" + repeat("\xC3\xA9", 100) + "\""));
  const ToolRun run = check(file);
  LONGS_EQUAL(2, run.exit_code);
  CHECK_TRUE(is_utf8(run.err));
  STRCMP_CONTAINS((repeat("\xC3\xA9", 60) + "...'").c_str(), run.err.c_str());
}

TEST(HostileInput, ALongJsonPathIsShortenedInTheMessage) {
  const std::string file = dir.file("deep.json");
  write_file(file, repeat("{\"key\": ", 200) + "1" + repeat("}", 200));
  const ToolRun run = check(file);
  LONGS_EQUAL(2, run.exit_code);
  CHECK_TEXT(run.err.size() < 300, run.err.c_str());
  STRCMP_CONTAINS(": key.key.key", run.err.c_str());
  STRCMP_CONTAINS("...key.key", run.err.c_str());
}

TEST(HostileInput, ExportOfAReportNamingADeviceIsRefusedNotHung) {
  const std::string report = dir.file("report.json");
  write_file(report, R"({"format_version": 1, "file": "/dev/zero", "properties": []})");
  const ToolRun run = run_wakecheck_with(dir, "timeout 60", "export --rust " + quote(report) + " --out " + quote(dir.path()));
  check_refused(run, "/dev/zero: not a regular file (a character device)", "");
}

// --- outputs: every write checked, never through a planted link ------------------------------------

TEST_GROUP(CheckedOutput) {
  TempDir dir;
  void setup() override { CHECK_TRUE(dir.ok()); }
};

TEST(CheckedOutput, AJsonReportToAFullDiskIsAnError) {
  const ToolRun run = run_wakecheck(dir, "check " + kSeed + " --json /dev/full");
  LONGS_EQUAL(2, run.exit_code);
  STRCMP_EQUAL("wakecheck: cannot write '/dev/full': no space left on device\n", run.err.c_str());
}

TEST(CheckedOutput, AJunitReportToAFullDiskIsAnError) {
  const ToolRun run = run_wakecheck(dir, "check " + kSeed + " --junit /dev/full");
  LONGS_EQUAL(2, run.exit_code);
  STRCMP_EQUAL("wakecheck: cannot write '/dev/full': no space left on device\n", run.err.c_str());
}

TEST(CheckedOutput, ADotGraphToAFullDiskIsAnError) {
  const ToolRun run = run_wakecheck(dir, "check " + kSeed + " --dot /dev/full");
  LONGS_EQUAL(2, run.exit_code);
  STRCMP_EQUAL("wakecheck: cannot write '/dev/full': no space left on device\n", run.err.c_str());
}

TEST(CheckedOutput, TheTextReportToAFullDiskIsAnError) {
  const ToolRun run = run_wakecheck_with(dir, "", "check " + kSeed, "/dev/full");
  LONGS_EQUAL(2, run.exit_code);
  STRCMP_EQUAL("wakecheck: cannot write to standard output: no space left on device\n", run.err.c_str());
}

TEST(CheckedOutput, AFifoNobodyReadsIsRefusedAtOnce) {
  const std::string fifo = dir.file("out.fifo");
  CHECK_EQUAL(0, ::mkfifo(fifo.c_str(), 0600));
  const ToolRun run = run_wakecheck_with(dir, "timeout 60", "check " + kSeed + " --json " + quote(fifo));
  LONGS_EQUAL(2, run.exit_code);
  STRCMP_EQUAL(("wakecheck: cannot write '" + fifo + "': no process reads it\n").c_str(), run.err.c_str());
  STRCMP_EQUAL("", run.out.c_str());
}

TEST(CheckedOutput, DevStdoutIsWrittenThroughNotReplaced) {
  // /dev/stdout is a symbolic link to /proc/self/fd/1: the report goes to the descriptor (here a
  // file), and the link is not replaced by a rename.
  const std::string out = dir.file("both.txt");
  const ToolRun run = run_wakecheck_with(dir, "", "check " + kSeed + " --no-timing --json /dev/stdout", out);
  LONGS_EQUAL(0, run.exit_code);
  STRCMP_EQUAL("", run.err.c_str());
  CHECK_TRUE(fs::is_symlink("/dev/stdout"));
  const std::string both = read_file(out);
  STRCMP_CONTAINS("all_tasks_finish", both.c_str());
  STRCMP_CONTAINS("\"format_version\": 1", both.c_str());
}

TEST(CheckedOutput, AFailedWriteLeavesNoTemporaryFileBehind) {
  // ulimit -f counts 512-byte blocks in sh: the seed's JSON report (about 20 KB) does not fit.
  const std::string report = dir.file("r.json");
  const ToolRun run = run_wakecheck_with(dir, "ulimit -f 8 &&", "check " + kSeed + " --json " + quote(report));
  LONGS_EQUAL(2, run.exit_code);
  STRCMP_CONTAINS(("wakecheck: cannot write '" + report + "': file too large").c_str(), run.err.c_str());
  CHECK_FALSE(fs::exists(report));
  for (const auto& entry : fs::directory_iterator(dir.path())) {
    CHECK_TEXT(entry.path().filename().string().rfind(".r.json", 0) != 0, entry.path().c_str());
  }
}

TEST(CheckedOutput, TheJsonReportReplacesAPlantedSymlinkInsteadOfFollowingIt) {
  const std::string victim = dir.file("victim");
  write_file(victim, "precious\n");
  const std::string report = dir.file("r.json");
  fs::create_symlink(victim, report);
  LONGS_EQUAL(0, run_wakecheck(dir, "check " + kSeed + " --json " + quote(report)).exit_code);
  STRCMP_EQUAL("precious\n", read_file(victim).c_str());
  CHECK_FALSE(fs::is_symlink(report));
  STRCMP_CONTAINS("\"format_version\"", read_file(report).c_str());
}

TEST(CheckedOutput, ShrinkReplacesAPlantedSymlinkInsteadOfFollowingIt) {
  const std::string victim = dir.file("victim");
  write_file(victim, "precious\n");
  const std::string shrunk = dir.file("pausable_worker.all_tasks_finish.shrunk.json");
  fs::create_symlink(victim, shrunk);
  const ToolRun run = run_wakecheck(dir, "check " + kSeed + " --shrink --json " + quote(dir.file("r.json")));
  LONGS_EQUAL(0, run.exit_code);
  STRCMP_EQUAL("precious\n", read_file(victim).c_str());
  CHECK_FALSE(fs::is_symlink(shrunk));
  STRCMP_CONTAINS("// Shrunk by wakecheck", read_file(shrunk).c_str());
}

TEST(CheckedOutput, AShrunkScenarioThatCannotBeWrittenIsAnErrorNotWrote) {
  const std::string shrunk = dir.file("pausable_worker.all_tasks_finish.shrunk.json");
  fs::create_directory(shrunk);
  const ToolRun run = run_wakecheck(dir, "check " + kSeed + " --shrink --json " + quote(dir.file("r.json")));
  LONGS_EQUAL(2, run.exit_code);
  STRCMP_EQUAL(("wakecheck: cannot write '" + shrunk + "': it is a directory\n").c_str(), run.err.c_str());
  CHECK_FALSE(contains(run.out, "wrote " + shrunk));
}

TEST(CheckedOutput, TheHtmlReportReplacesAPlantedSymlinkInsteadOfFollowingIt) {
  const std::string victim = dir.file("victim");
  write_file(victim, "precious\n");
  const std::string html = dir.file("html");
  fs::create_directory(html);
  fs::create_symlink(victim, html + "/index.html");
  LONGS_EQUAL(0, run_wakecheck(dir, "check " + kSeed + " --html " + quote(html)).exit_code);
  STRCMP_EQUAL("precious\n", read_file(victim).c_str());
  CHECK_FALSE(fs::is_symlink(html + "/index.html"));
  STRCMP_CONTAINS("<html", read_file(html + "/index.html").c_str());
}

TEST(CheckedOutput, AnHtmlPageThatCannotBeWrittenNamesItsFinalPath) {
  const std::string html = dir.file("html");
  // 60 blocks of 512 bytes: the text report and the index fit, the seed's page does not.
  const ToolRun run = run_wakecheck_with(dir, "ulimit -f 60 &&", "check " + kSeed + " --html " + quote(html));
  LONGS_EQUAL(2, run.exit_code);
  STRCMP_EQUAL(("wakecheck: cannot write '" + html + "/properties_seed_pausable_worker.html'\n").c_str(),
               run.err.c_str());
  for (const auto& entry : fs::directory_iterator(html)) {
    CHECK_TEXT(entry.path().filename().string().rfind(".wakecheck", 0) != 0, entry.path().c_str());
  }
}

TEST(CheckedOutput, DotRunsWithoutAShell) {
  // A stand-in for Graphviz that records its arguments and writes a fixed SVG.
  const std::string fake = dir.file("fake-dot");
  write_file(fake, "#!/bin/sh\nprintf '%s\\n' \"$@\" > \"$(dirname \"$0\")/argv.txt\"\necho '<svg/>'\n");
  CHECK_EQUAL(0, ::chmod(fake.c_str(), 0755));
  const std::string graph = dir.file("g'; touch pwned; $(touch pwned2).dot");
  const ToolRun run = run_wakecheck_with(dir, "WAKECHECK_DOT=" + quote(fake), "check " + kSeed + " --dot " + quote(graph));
  LONGS_EQUAL(0, run.exit_code);
  STRCMP_EQUAL("", run.err.c_str());
  STRCMP_EQUAL("<svg/>\n", read_file(graph + ".svg").c_str());
  STRCMP_EQUAL(("-Tsvg\n" + graph + "\n").c_str(), read_file(dir.file("argv.txt")).c_str());
  CHECK_FALSE(fs::exists(std::string(WAKECHECK_SOURCE_DIR) + "/pwned"));
  CHECK_FALSE(fs::exists(std::string(WAKECHECK_SOURCE_DIR) + "/pwned2"));
}

TEST(CheckedOutput, AFailingDotIsAnError) {
  const std::string fake = dir.file("fake-dot");
  write_file(fake, "#!/bin/sh\nexit 3\n");
  CHECK_EQUAL(0, ::chmod(fake.c_str(), 0755));
  const std::string graph = dir.file("g.dot");
  const ToolRun run = run_wakecheck_with(dir, "WAKECHECK_DOT=" + quote(fake), "check " + kSeed + " --dot " + quote(graph));
  LONGS_EQUAL(2, run.exit_code);
  STRCMP_EQUAL(("wakecheck: cannot write '" + graph + ".svg': " + fake + " exited with status 3\n").c_str(),
               run.err.c_str());
  CHECK_FALSE(fs::exists(graph + ".svg"));
}

// --- the terminal ------------------------------------------------------------------------------------

TEST_GROUP(TerminalText) {
  TempDir dir;
  void setup() override { CHECK_TRUE(dir.ok()); }
};

TEST(TerminalText, ControlCharactersFromAReportAreEscapedByReplay) {
  std::string report = read_file(std::string(WAKECHECK_SOURCE_DIR) + "/tests/golden/pausable_worker.json");
  const std::string name = "\"name\": \"all_tasks_finish\"";
  const std::size_t at = report.find(name);
  CHECK_TRUE(at != std::string::npos);
  report.replace(at, name.size(), "\"name\": \"all\\u001b[2J\\u202etasks\"");
  const std::string file = dir.file("report.json");
  write_file(file, report);
  const ToolRun run = run_wakecheck(dir, "replay " + quote(file));
  LONGS_EQUAL(0, run.exit_code);
  STRCMP_CONTAINS("all\\x1b[2J\\u{202e}tasks", run.out.c_str());
  CHECK_FALSE(contains(run.out, "\x1b"));
  CHECK_FALSE(contains(run.out, "\xE2\x80\xAE"));
}

TEST(TerminalText, APathWithControlCharactersIsEscapedInTheReport) {
  const std::string file = dir.file("odd\x1b]0;title\x07name.json");
  write_file(file, seed_text());
  const ToolRun run = run_wakecheck(dir, "check " + quote(file));
  LONGS_EQUAL(0, run.exit_code);
  STRCMP_CONTAINS("odd\\x1b]0;title\\x07name.json: ", run.out.c_str());
  CHECK_FALSE(contains(run.out, "\x1b"));
  CHECK_FALSE(contains(run.out, "\x07"));
}

// --- exit codes ---------------------------------------------------------------------------------------

TEST_GROUP(ExitCodes) {
  TempDir dir;
  void setup() override { CHECK_TRUE(dir.ok()); }
};

TEST(ExitCodes, HelpDocumentsEachExitCode) {
  const ToolRun run = run_wakecheck(dir, "--help");
  LONGS_EQUAL(0, run.exit_code);
  for (const char* line : {"\n  0  every verdict as expected", "\n  1  a verdict not as expected",
                           "\n  2  bad input or usage, or an output that could not be written",
                           "\n  3  internal error, a bug in wakecheck (the message names the file being checked)"}) {
    CHECK_TEXT(contains(run.out, line), line);
  }
}

TEST(ExitCodes, RunningOutOfMemoryEndsIncompleteWithStatisticsNotAnInternalError) {
  // Memory is capped (ulimit -v) below what seven different workers need: the search stops at
  // its memory budget and reports what it explored, with the verdicts left open as unknown
  // (exit 1), never std::bad_alloc (exit 3). AddressSanitizer reserves far more address space
  // than the limit: not under it.
  if (sanitized()) return;
  const std::string file = dir.file("big.json");
  std::string workers;
  for (int i = 0; i < 7; ++i) {
    std::string program = R"("lock m", "unlock m")";
    for (int k = 0; k < i; ++k) program += R"(, "yield_now")";
    workers += R"(, {"name": "worker)" + std::to_string(i) + R"(", "wrapper": "pausable", "program": [)" + program + "]}";
  }
  write_file(file, R"({"name": "big", "scenario": {"runtime": "multi_thread",
    "resources": [{"name": "m", "kind": "tokio_mutex"}],
    "tasks": [{"name": "main", "program": ["spawn worker0", "spawn worker1", "spawn worker2", "spawn worker3",
                                           "spawn worker4", "spawn worker5", "spawn worker6"]})" + workers + R"(],
    "faults": {"pause": {"budget": 1}, "drop": {"budget": 1}}},
  "checks": [{"property": "all_tasks_finish"}]})");
  const ToolRun run = run_wakecheck_with(dir, "ulimit -v 150000 &&", "check " + quote(file));
  LONGS_EQUAL(1, run.exit_code);
  STRCMP_CONTAINS("(stopped at the memory budget: incomplete)", run.out.c_str());
  STRCMP_CONTAINS("all_tasks_finish          unknown", run.out.c_str());
  STRCMP_EQUAL("", run.err.c_str());
}

// --- replay of what check writes -----------------------------------------------------------------------

TEST_GROUP(ReplayOfCheck) {
  TempDir dir;
  void setup() override { CHECK_TRUE(dir.ok()); }
};

TEST(ReplayOfCheck, AReportTheSameBuildWroteReplaysAPauseOfANestedFuture) {
  // once_compute_before's counterexamples pause getter1.wait: the report records "pause" of task
  // getter1, which replay used to reject ("pause getter1" is now "pause getter1.wait").
  const std::string report = dir.file("once.json");
  LONGS_EQUAL(0, run_wakecheck(dir, "check properties/language/once_compute_before.json --json " + quote(report)).exit_code);
  const ToolRun run = run_wakecheck(dir, "replay " + quote(report));
  STRCMP_EQUAL("", run.err.c_str());
  LONGS_EQUAL(0, run.exit_code);
  CHECK_FALSE(contains(run.out, "no longer applies"));
  STRCMP_CONTAINS("pause getter1.wait", run.out.c_str());
}

// --- export --trace: a report's counterexample forced on real tokio ------------------------------

TEST_GROUP(ForcedExport) {
  TempDir dir;
  void setup() override { CHECK_TRUE(dir.ok()); }
  /// The seed checked with its JSON report in the temporary folder.
  std::string seed_report() const {
    const std::string report = dir.file("seed.report.json");
    const ToolRun run = run_wakecheck(dir, "check " + kSeed + " --json " + quote(report));
    LONGS_EQUAL(0, run.exit_code);
    return report;
  }
};

TEST(ForcedExport, ATraceOfAPropertyFileIsAUsageError) {
  const ToolRun run = run_wakecheck(dir, "export --rust " + kSeed + " --trace all_tasks_finish --out " + quote(dir.path()));
  check_refused(run, "wakecheck: '--trace' needs a JSON report of `check`", "not a property file");
}

TEST(ForcedExport, ACheckTheReportHasNoCounterexampleOfIsNamedWithTheNearestOne) {
  const std::string report = seed_report();
  const ToolRun run = run_wakecheck(dir, "export --rust " + quote(report) + " --trace all_task_finish --out " + quote(dir.path()));
  check_refused(run, report + ": no counterexample of 'all_task_finish' in the report", "did you mean 'all_tasks_finish'?");
}

TEST(ForcedExport, TheSeedsCounterexampleIsWrittenWithItsOneOutcome) {
  const std::string report = seed_report();
  const ToolRun run = run_wakecheck(dir, "export --rust " + quote(report) + " --trace all_tasks_finish --out " + quote(dir.path()));
  LONGS_EQUAL(0, run.exit_code);
  const std::string expected = read_file(dir.file("pausable_worker.expected"));
  STRCMP_CONTAINS("where the counterexample of all_tasks_finish (", expected.c_str());
  STRCMP_CONTAINS("forced on real tokio", expected.c_str());
  STRCMP_CONTAINS("determined yes\noutcome ", expected.c_str());
  STRCMP_CONTAINS("fn forced_sleep(t: usize)", read_file(dir.file("pausable_worker.rs")).c_str());
}

TEST(ForcedExport, AMultiThreadTraceIsRefusedWithTheReason) {
  const std::string report = dir.file("mt.report.json");
  const std::string file = "properties/seed/pausable_worker_multi_thread.json";
  LONGS_EQUAL(0, run_wakecheck(dir, "check " + file + " --json " + quote(report)).exit_code);
  const ToolRun run = run_wakecheck(dir, "export --rust " + quote(report) + " --trace all_tasks_finish --out " + quote(dir.path()));
  check_refused(run, report + ": all_tasks_finish: a multi_thread trace cannot be forced on real tokio", "without --trace");
}
