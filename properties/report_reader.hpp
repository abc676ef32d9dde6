// Reading back the JSON report that `wakecheck check --json` writes, for `replay` (its traces)
// and `export` (the property files it names). A report is input like any other: every problem
// is an InputError naming file:line:column and the JSON path.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace wakecheck::properties {

/// One counterexample or example of a report.
struct ReportTrace {
  std::string file;      // the property file it was found in (the report's "file")
  std::string property;  // the property's "name"
  std::string kind;      // "counterexample" or "example"
  std::vector<std::size_t> key;       // the replay key
  std::vector<std::string> expected;  // each step as recorded: "poll worker1", "park"
  // A cancel_safe counterexample: the task dropped and the await point (program index) it was
  // dropped at; the trace replays on that variant of the file's scenario.
  std::optional<std::pair<std::string, std::size_t>> cancelled_at;
};

struct Report {
  std::vector<std::string> files;   // each checked file's "file", in order
  std::vector<ReportTrace> traces;  // in order
};

/// Reads `text`, the contents of the report at `path`: one report object or an array of them.
/// Throws InputError for text that is not such a report, at the first offending value.
Report read_report(const std::string& path, const std::string& text);

/// Whether `text` is a JSON report (an object with "format_version" and a string "file", or a
/// non-empty array of such objects), and then the files it names; nullopt for anything else,
/// such as a property file. Never throws for malformed text.
std::optional<std::vector<std::string>> report_files(const std::string& path, const std::string& text);

}  // namespace wakecheck::properties
