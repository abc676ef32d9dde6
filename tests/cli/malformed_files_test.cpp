// Malformed files, pinned: every tests/cli/bad_input/NAME.json is refused by `wakecheck check` and
// every tests/cli/bad_reports/NAME.json by `wakecheck replay`, each with exit code 2, nothing on
// standard output, no report written, and exactly the one line in NAME.err on standard error
// (file:line:column: JSON path: message). Each file opens with a comment saying what is wrong.
// After a deliberate change of a message, rewrite the .err files from the tool's own output:
//   for f in tests/cli/bad_input/*.json; do build/wakecheck check $f 2> ${f%.json}.err; done
//   for f in tests/cli/bad_reports/*.json; do build/wakecheck replay $f 2> ${f%.json}.err; done
#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/cli/tool_run.hpp"

#include <CppUTest/TestHarness.h>

namespace {

using namespace wakecheck::testing;

/// The NAME.json files of a folder of the source tree, relative to the source root, sorted.
std::vector<std::string> cases_in(const std::string& folder) {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(WAKECHECK_SOURCE_DIR) + "/" + folder)) {
    if (entry.path().extension() == ".json") files.push_back(folder + "/" + entry.path().filename().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

/// Runs `command FILE` for every case of `folder`; returns a description of each mismatch.
std::vector<std::string> mismatches(const std::string& folder, const std::string& command, std::size_t& count) {
  std::vector<std::string> problems;
  const auto files = cases_in(folder);
  count = files.size();
  for (const auto& file : files) {
    TempDir dir;
    if (!dir.ok()) return {"cannot create a temporary directory"};
    const std::string stem = file.substr(0, file.size() - 5);
    const std::string err_path = std::string(WAKECHECK_SOURCE_DIR) + "/" + stem + ".err";
    if (!std::filesystem::exists(err_path)) {
      problems.push_back(file + ": no " + stem + ".err beside it");
      continue;
    }
    const std::string expected = read_file(err_path);
    const std::string report = dir.file("report.json");
    const std::string args = command == "check" ? "check " + file + " --json " + quote(report) : command + " " + file;
    const ToolRun run = run_wakecheck(dir, args);
    if (run.exit_code != 2) problems.push_back(file + ": exit " + std::to_string(run.exit_code) + ", expected 2");
    if (!run.out.empty()) problems.push_back(file + ": printed on standard output: " + run.out.substr(0, 200));
    if (std::filesystem::exists(report)) problems.push_back(file + ": wrote a report");
    if (std::count(expected.begin(), expected.end(), '\n') != 1) problems.push_back(file + ": the .err file is not one line");
    if (run.err != expected) problems.push_back(file + ":\n  expected " + expected + "  but got  " + run.err);
  }
  return problems;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines) out += line + "\n";
  return out;
}

}  // namespace

TEST_GROUP(MalformedFiles){};

TEST(MalformedFiles, EveryBadPropertyFileGetsItsPinnedLocatedError) {
  std::size_t count = 0;
  const auto problems = mismatches("tests/cli/bad_input", "check", count);
  CHECK_TEXT(problems.empty(), joined(problems).c_str());
  CHECK_TEXT(count >= 60, ("only " + std::to_string(count) + " malformed property files").c_str());
}

TEST(MalformedFiles, EveryBadReportGetsItsPinnedLocatedErrorFromReplay) {
  std::size_t count = 0;
  const auto problems = mismatches("tests/cli/bad_reports", "replay", count);
  CHECK_TEXT(problems.empty(), joined(problems).c_str());
  CHECK_TEXT(count >= 10, ("only " + std::to_string(count) + " malformed reports").c_str());
}
