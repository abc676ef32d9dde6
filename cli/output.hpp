// Writing what the command line produces, with every write checked: report files through a
// temporary file renamed over the target (never written through a symbolic link planted at the
// target's name), the HTML directory through a staging directory, Graphviz run without a shell,
// and the terminal's text with control and bidirectional characters escaped. A failure throws
// properties::InputError "wakecheck: cannot write 'PATH': reason" (exit 2).
#pragma once

#include <memory>
#include <ostream>
#include <sstream>
#include <string>

#include "explorer/search.hpp"
#include "reports/reporter.hpp"

namespace wakecheck::cli {

/// One output file. Constructed before anything is checked, so that an unwritable place is
/// reported before a report is half written: a regular file (or a name that does not exist yet,
/// or a symbolic link, which is replaced, not followed) gets a temporary file beside it, created
/// now; a FIFO or a device (`/dev/full`) is opened now and written in place, and the name of an
/// open descriptor (`/dev/stdout`, `/dev/fd/3`) is written through that descriptor.
class OutputFile {
 public:
  explicit OutputFile(std::string path);
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  const std::string& path() const { return path_; }
  /// Where the contents go until commit().
  std::ostream& stream() { return buffer_; }
  /// The descriptor the contents go to (for a child process's standard output).
  int descriptor() const { return fd_; }
  /// Writes the contents, flushes them to the disk and closes the file; then renames the
  /// temporary file over the target. Throws when any of that fails (the target is untouched).
  void commit();

 private:
  [[noreturn]] void fail(const std::string& why);
  void discard();

  std::string path_;
  std::string temporary_;  // empty when writing in place
  bool in_place_ = false;  // a FIFO, a device, an open descriptor's name
  int fd_ = -1;
  std::ostringstream buffer_;
};

/// Writes `text` to `path` as OutputFile does.
void write_output(const std::string& path, const std::string& text);

/// Graphviz's `dot` ($WAKECHECK_DOT, else /usr/bin/dot or /usr/local/bin/dot), run without a
/// shell: renders `dot_path` to `dot_path`.svg (through a temporary file, like OutputFile). Does
/// nothing when dot is not installed; throws when it cannot run or fails.
void render_svg(const std::string& dot_path);

/// The HTML reporter writing into a staging directory inside `directory`, whose files are
/// renamed into `directory` at finish(): a page never goes through a planted symbolic link, and
/// a failed write names the final path.
std::unique_ptr<reports::Reporter> make_staged_html_reporter(const std::string& directory, bool include_timing);

/// Makes std::cout and std::cerr escape what must not reach a terminal raw (C0 and C1 controls
/// but newline and tab, DEL, bidirectional overrides and isolates, bytes that are not UTF-8), as
/// \x1b or \u{202e}. Names in property files cannot hold such characters; file paths and reports
/// read back can.
void escape_terminal_output();

/// Flushes std::cout; throws when anything written to it failed (a full disk, a closed pipe).
void check_standard_output();

/// The search's progress as one line on standard error, rewritten in place (only for a terminal):
/// states, states per second, depth, states waiting, memory and seconds.
void progress_line(const explorer::Progress& progress);
/// Clears the progress line, if one was written.
void end_progress();

}  // namespace wakecheck::cli
