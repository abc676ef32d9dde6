// End-to-end tests of the command line's help (every command answers --help; the bare command
// names them all) and of `wakecheck init` (starter files: written once, never over a file).
#include <filesystem>
#include <string>
#include <vector>

#include "tests/cli/tool_run.hpp"

#include <CppUTest/TestHarness.h>

namespace {

using namespace wakecheck::testing;

const std::vector<std::string> kCommands = {"check", "replay", "compare", "export", "init"};

void check_rejected(const ToolRun& run, const std::string& error) {
  LONGS_EQUAL(2, run.exit_code);
  STRCMP_EQUAL("", run.out.c_str());
  STRCMP_EQUAL((error + "\n").c_str(), run.err.c_str());
}

}  // namespace

TEST_GROUP(CommandHelp) {
  TempDir dir;
};

TEST(CommandHelp, EveryCommandAnswersHelpWithItsOwnUsage) {
  for (const auto& command : kCommands) {
    for (const std::string& ask : {command + " --help", command + " -h", "help " + command,
                                   command + " properties/seed --help"}) {
      const ToolRun run = run_wakecheck(dir, ask);
      LONGS_EQUAL_TEXT(0, run.exit_code, ask.c_str());
      STRCMP_EQUAL_TEXT("", run.err.c_str(), ask.c_str());
      const std::string usage = "usage: wakecheck " + command + " ";
      STRCMP_EQUAL_TEXT(usage.c_str(), run.out.substr(0, usage.size()).c_str(), ask.c_str());
      CHECK_TEXT(contains(run.out, "exit status: "), ask.c_str());
    }
  }
}

TEST(CommandHelp, CheckHelpNamesEveryOption) {
  const ToolRun run = run_wakecheck(dir, "check --help");
  for (const char* option : {"--json FILE", "--junit FILE", "--sarif FILE", "--html DIR", "--dot FILE", "--shrink",
                             "--max-states N", "--no-timing"}) {
    CHECK_TEXT(contains(run.out, std::string("\n  ") + option), option);
  }
}

TEST(CommandHelp, TheBareCommandNamesEveryCommandInOneErrorLine) {
  const ToolRun run = run_wakecheck(dir, "");
  check_rejected(run, "wakecheck: missing a command: check, replay, compare, export or init (see wakecheck --help)");
}

TEST(CommandHelp, TheOverviewNamesEveryCommand) {
  const ToolRun run = run_wakecheck(dir, "--help");
  LONGS_EQUAL(0, run.exit_code);
  for (const auto& command : kCommands) CHECK_TEXT(contains(run.out, "\n  " + command + " "), command.c_str());
}

TEST(CommandHelp, HelpOnAnUnknownCommandIsAnError) {
  check_rejected(run_wakecheck(dir, "help chek"), "wakecheck: no command 'chek'; did you mean 'check'? (see wakecheck --help)");
}

TEST_GROUP(InitCommand) {
  TempDir dir;
};

TEST(InitCommand, WritesTheSeedTemplateByDefaultAndItChecksAsExpected) {
  const std::string file = dir.file("starter.json");
  const ToolRun run = run_wakecheck(dir, "init " + quote(file));
  LONGS_EQUAL(0, run.exit_code);
  STRCMP_EQUAL("", run.err.c_str());
  CHECK_TRUE(contains(run.out, "wrote " + file + " (template seed)"));
  const std::string text = read_file(file);
  CHECK_TRUE(text.rfind("// A starter property file, written by `wakecheck init` (template \"seed\")", 0) == 0);
  const ToolRun check = run_wakecheck(dir, "check " + quote(file));
  LONGS_EQUAL(0, check.exit_code);
  CHECK_TRUE(contains(check.out, "all_tasks_finish"));
}

TEST(InitCommand, EachTemplateIsWrittenAndNamesItself) {
  for (const std::string name : {"seed", "futurelock", "semaphore_pool"}) {
    const std::string file = dir.file(name + ".json");
    const ToolRun run = run_wakecheck(dir, "init --template " + name + " " + quote(file));
    LONGS_EQUAL_TEXT(0, run.exit_code, name.c_str());
    CHECK_TEXT(contains(read_file(file), "(template \"" + name + "\")"), name.c_str());
  }
}

TEST(InitCommand, NeverOverwritesAFile) {
  const std::string file = dir.file("mine.json");
  write_file(file, "my own work\n");
  check_rejected(run_wakecheck(dir, "init --template futurelock " + quote(file)),
                 file + ": already exists; wakecheck init writes only new files");
  STRCMP_EQUAL("my own work\n", read_file(file).c_str());
}

TEST(InitCommand, AnUnknownTemplateSuggestsTheNearestOne) {
  check_rejected(run_wakecheck(dir, "init --template futurelok " + quote(dir.file("x.json"))),
                 "wakecheck: unknown template 'futurelok'; did you mean 'futurelock'? (see wakecheck init --help)");
  check_rejected(run_wakecheck(dir, "init --template zzzzzzzzzz " + quote(dir.file("x.json"))),
                 "wakecheck: unknown template 'zzzzzzzzzz'; the templates are seed, futurelock, semaphore_pool "
                 "(see wakecheck init --help)");
  CHECK_FALSE(std::filesystem::exists(dir.file("x.json")));
}

TEST(InitCommand, BadUsageIsOneErrorLine) {
  check_rejected(run_wakecheck(dir, "init"), "wakecheck: 'init' needs the file to write (see wakecheck init --help)");
  check_rejected(run_wakecheck(dir, "init a.json b.json"),
                 "wakecheck: 'init' writes one file; found 'a.json' and 'b.json' (see wakecheck init --help)");
  check_rejected(run_wakecheck(dir, "init --templat seed a.json"),
                 "wakecheck: unknown option '--templat' for 'init'; did you mean '--template'? (see wakecheck init --help)");
  check_rejected(run_wakecheck(dir, "init " + quote(dir.file("no/such/dir/a.json"))),
                 dir.file("no/such/dir/a.json") + ": cannot create the file");
}

TEST(CommandHelp, VersionIsTheProjectsVersion) {
  const std::string cmake = read_file(std::string(WAKECHECK_SOURCE_DIR) + "/CMakeLists.txt");
  const std::string key = "project(wakecheck VERSION ";
  const auto at = cmake.find(key);
  CHECK_TRUE(at != std::string::npos);
  const std::string version = cmake.substr(at + key.size(), cmake.find(' ', at + key.size()) - at - key.size());
  const ToolRun run = run_wakecheck(dir, "--version");
  LONGS_EQUAL(0, run.exit_code);
  STRCMP_EQUAL(("wakecheck " + version + "\n").c_str(), run.out.c_str());
}
