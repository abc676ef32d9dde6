// Running the built wakecheck from a CLI test: a temporary directory, the run's exit code,
// stdout and stderr, and small file helpers. Include after the STL headers, before CppUTest's.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

#ifndef WAKECHECK_BINARY
#error "compile with -DWAKECHECK_BINARY='\"/path/to/wakecheck\"'"
#endif
#ifndef WAKECHECK_SOURCE_DIR
#error "compile with -DWAKECHECK_SOURCE_DIR='\"/path/to/source\"'"
#endif

namespace wakecheck::testing {

/// A fresh directory (mkdtemp) for one test's files, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "wakecheck_test_XXXXXX").string();
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    if (const char* made = mkdtemp(buffer.data())) path_ = made;
  }
  ~TempDir() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  bool ok() const { return !path_.empty(); }
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

/// Single-quoted for the shell.
inline std::string quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

struct ToolRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

/// Runs `wakecheck ARGS` in the source root; stdout and stderr go to files in `dir`.
inline ToolRun run_wakecheck(const TempDir& dir, const std::string& args) {
  const std::string out = dir.file("stdout.txt");
  const std::string err = dir.file("stderr.txt");
  const std::string command = "cd " + quote(WAKECHECK_SOURCE_DIR) + " && " + quote(WAKECHECK_BINARY) + " " +
                              args + " >" + quote(out) + " 2>" + quote(err);
  const int status = std::system(command.c_str());
  ToolRun run;
  if (status != -1 && WIFEXITED(status)) run.exit_code = WEXITSTATUS(status);
  run.out = read_file(out);
  run.err = read_file(err);
  return run;
}

/// Runs `wakecheck ARGS` like run_wakecheck, with `before` in front of the binary (shell words
/// such as "timeout 20", "ulimit -f 8 &&" or "NAME=value"), and its standard output sent to
/// `out_target` (a path, such as /dev/full) instead of a file when that is not empty.
inline ToolRun run_wakecheck_with(const TempDir& dir, const std::string& before, const std::string& args,
                                  const std::string& out_target = "") {
  const std::string out = out_target.empty() ? dir.file("stdout.txt") : out_target;
  const std::string err = dir.file("stderr.txt");
  const std::string command = "cd " + quote(WAKECHECK_SOURCE_DIR) + " && " + before + " " + quote(WAKECHECK_BINARY) +
                              " " + args + " >" + quote(out) + " 2>" + quote(err);
  const int status = std::system(command.c_str());
  ToolRun run;
  if (status != -1 && WIFEXITED(status)) run.exit_code = WEXITSTATUS(status);
  if (out_target.empty()) run.out = read_file(out);
  run.err = read_file(err);
  return run;
}

inline bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace wakecheck::testing
