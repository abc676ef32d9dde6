// End-to-end tests of `wakecheck check` on bad input and bad usage: exit code 2, exactly one line
// on stderr that starts with the file's path (or "wakecheck:" for usage), nothing on stdout, and
// no --json file written.
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "tests/cli/tool_run.hpp"

#include <CppUTest/TestHarness.h>


namespace {

using namespace wakecheck::testing;

/// Exit 2, nothing on stdout, exactly `line` (one line) on stderr.
void check_rejected(const ToolRun& run, const std::string& line) {
  LONGS_EQUAL(2, run.exit_code);
  STRCMP_EQUAL("", run.out.c_str());
  STRCMP_EQUAL((line + "\n").c_str(), run.err.c_str());
}

/// Exit 2, nothing on stdout, one line on stderr starting with `prefix`.
void check_rejected_with_prefix(const ToolRun& run, const std::string& prefix) {
  LONGS_EQUAL(2, run.exit_code);
  STRCMP_EQUAL("", run.out.c_str());
  CHECK_TRUE(!run.err.empty() && run.err.back() == '\n');
  LONGS_EQUAL(1, static_cast<long>(std::count(run.err.begin(), run.err.end(), '\n')));
  STRCMP_EQUAL(prefix.c_str(), run.err.substr(0, prefix.size()).c_str());
}

const std::string kSeed = "properties/seed/pausable_worker.json";

// A valid property file but for one program operation.
std::string with_main_program(const std::string& program) {
  return "{\n"
         "  \"name\": \"bad\",\n"
         "  \"scenario\": {\n"
         "    \"runtime\": \"current_thread\",\n"
         "    \"resources\": [{\"name\": \"m\", \"kind\": \"tokio_mutex\"}],\n"
         "    \"tasks\": [\n"
         "      {\"name\": \"main\", \"program\": [" + program + "]},\n"
         "      {\"name\": \"worker\", \"copies\": 2, \"program\": [\"lock m\", \"unlock m\"]}\n"
         "    ]\n"
         "  },\n"
         "  \"checks\": [{\"property\": \"all_tasks_finish\", \"expect\": \"holds\"}]\n"
         "}\n";
}

}  // namespace

TEST_GROUP(BadInputFile) {
  TempDir dir;
  const std::string report = dir.file("report.json");

  void setup() override { CHECK_TRUE(dir.ok()); }

  /// `wakecheck check ARGS --json REPORT`.
  ToolRun check_with_report(const std::string& args) const {
    return run_wakecheck(dir, "check " + args + " --json " + quote(report));
  }
};

TEST(BadInputFile, MalformedJson) {
  const std::string file = dir.file("malformed.json");
  write_file(file, "{\n  \"name\": \"t\",\n  \"checks\": [1, 2,]\n}\n");
  check_rejected_with_prefix(check_with_report(quote(file)), file + ":3:19: invalid JSON: ");
  CHECK_FALSE(std::filesystem::exists(report));
}

TEST(BadInputFile, UnknownTask) {
  const std::string file = dir.file("unknown_task.json");
  write_file(file, with_main_program(R"("lock m", "spawn wroker", "unlock m")"));
  check_rejected(check_with_report(quote(file)),
                 file + ":7:53: scenario.tasks[0].program[1]: unknown task 'wroker'; did you mean 'worker'?");
  CHECK_FALSE(std::filesystem::exists(report));
}

TEST(BadInputFile, MissingFile) {
  const std::string file = dir.file("missing.json");
  check_rejected(check_with_report(quote(file)), file + ": no such file or directory");
  CHECK_FALSE(std::filesystem::exists(report));
}

TEST(BadInputFile, ADirectoryWithoutPropertyFiles) {
  const std::string empty = dir.file("empty");
  std::filesystem::create_directory(empty);
  const ToolRun run = run_wakecheck(dir, "check " + quote(empty));
  check_rejected(run, empty + ": no .json property files below this directory");
}

TEST(BadInputFile, ABadFileAfterAGoodOneGivesNoPartialReport) {
  const std::string file = dir.file("unknown_resource.json");
  write_file(file, with_main_program(R"("lock mm")"));
  check_rejected(check_with_report(kSeed + " " + quote(file)),
                 file + ":7:42: scenario.tasks[0].program[0]: unknown resource 'mm'; did you mean 'm'?");
  CHECK_FALSE(std::filesystem::exists(report));
}

TEST(BadInputFile, AnExistingJsonReportIsLeftAlone) {
  write_file(report, "previous\n");
  const ToolRun run = check_with_report(quote(dir.file("missing.json")));
  LONGS_EQUAL(2, run.exit_code);
  STRCMP_EQUAL("previous\n", read_file(report).c_str());
}

TEST_GROUP(BadUsage) {
  TempDir dir;

  void setup() override { CHECK_TRUE(dir.ok()); }
};

TEST(BadUsage, UnknownOptionSuggestsTheNearestOne) {
  const std::string report = dir.file("report.json");
  const ToolRun run = run_wakecheck(dir, "check " + kSeed + " --json " + quote(report) + " --no-timming");
  check_rejected(run, "wakecheck: unknown option '--no-timming'; did you mean '--no-timing'? (see wakecheck --help)");
  CHECK_FALSE(std::filesystem::exists(report));
}

TEST(BadUsage, UnknownOptionFarFromAnyIsNamed) {
  const ToolRun run = run_wakecheck(dir, "check " + kSeed + " --verbose");
  check_rejected(run, "wakecheck: unknown option '--verbose' (see wakecheck --help)");
}

TEST(BadUsage, MaxStatesNeedsAPositiveWholeNumber) {
  check_rejected(run_wakecheck(dir, "check " + kSeed + " --max-states 0"),
                 "wakecheck: option '--max-states' needs a positive whole number, found '0' (see wakecheck --help)");
  check_rejected(run_wakecheck(dir, "check " + kSeed + " --max-states 12x"),
                 "wakecheck: option '--max-states' needs a positive whole number, found '12x' (see wakecheck --help)");
  check_rejected(run_wakecheck(dir, "check " + kSeed + " --max-states -5"),
                 "wakecheck: option '--max-states' needs a positive whole number, found '-5' (see wakecheck --help)");
}

TEST(BadUsage, OptionWithoutItsValue) {
  check_rejected(run_wakecheck(dir, "check " + kSeed + " --json"),
                 "wakecheck: option '--json' needs a value (see wakecheck --help)");
}

TEST(BadUsage, MissingOrMisspelledCommand) {
  check_rejected(run_wakecheck(dir, ""),
                 "wakecheck: missing a command: check, replay, compare, export or init (see wakecheck --help)");
  check_rejected(run_wakecheck(dir, "chekc " + kSeed),
                 "wakecheck: unknown command 'chekc'; did you mean 'check'? (see wakecheck --help)");
  check_rejected(run_wakecheck(dir, "check"),
                 "wakecheck: 'check' needs at least one property file or directory (see wakecheck --help)");
}

TEST(BadUsage, UnwritableJsonReport) {
  const std::string report = dir.file("no/such/dir/report.json");
  check_rejected(run_wakecheck(dir, "check " + kSeed + " --json " + quote(report)),
                 "wakecheck: cannot write '" + report + "': no such file or directory");
}

TEST(BadUsage, HelpIsNotAnError) {
  const ToolRun run = run_wakecheck(dir, "--help");
  LONGS_EQUAL(0, run.exit_code);
  STRCMP_EQUAL("", run.err.c_str());
  // The usage opens the help, which names every command.
  const std::string usage = "usage: wakecheck COMMAND [ARGUMENTS]\n";
  STRCMP_EQUAL(usage.c_str(), run.out.substr(0, usage.size()).c_str());
  for (const char* part : {"  check PATH...", "  replay REPORT.json", "  compare FILE", "  export --rust PATH", "  init FILE"}) {
    CHECK_TEXT(run.out.find(part) != std::string::npos, part);
  }
}
