// Reporters are plug-ins: each turns checked files into one format. The command line picks the
// ones asked for; none of them runs a search.
#pragma once

#include <memory>
#include <ostream>
#include <string>

#include "properties/run.hpp"

namespace wakecheck::reports {

// What reporters read from a checked file's result (properties/run.hpp).
using properties::Cause;
using properties::Diagnosis;
using properties::FinalStateView;
using properties::ResourceView;
using properties::TaskView;

class Reporter {
 public:
  virtual ~Reporter() = default;
  /// One checked file, in the order the files were given.
  virtual void add(const properties::FileRun& run) = 0;
  /// After the last file.
  virtual void finish() = 0;
};

/// The human report: verdicts, then each counterexample as numbered steps and the final state.
/// `include_timing` false leaves seconds out, so the bytes depend on the input only.
std::unique_ptr<Reporter> make_text_reporter(std::ostream& out, bool include_timing = true);

/// The JSON report (format_version 1). One file gives one object; several give an array of them.
/// `include_timing` false writes 0 seconds, so the bytes depend on the input only.
std::unique_ptr<Reporter> make_json_reporter(std::ostream& out, bool include_timing = true);

/// JUnit XML: a testsuite per file, a testcase per (file, property); a verdict other than the
/// expected one is a failure with the counterexample.
std::unique_ptr<Reporter> make_junit_reporter(std::ostream& out, bool include_timing = true);

/// Graphviz: the wait-for graph of the state that the first counterexample ends in.
std::unique_ptr<Reporter> make_dot_reporter(std::ostream& out);

/// HTML: into `directory` (created if missing), one self-contained page per file (named after its
/// path: properties/seed/x.json -> properties_seed_x.html) with a sequence diagram and the wait-for
/// graph of each distinct counterexample, and at finish() index.html linking them. Throws
/// properties::InputError when the directory cannot be created or a page cannot be written.
/// `include_timing` false writes 0 seconds, so the bytes depend on the input only.
std::unique_ptr<Reporter> make_html_reporter(const std::string& directory, bool include_timing = true);

}  // namespace wakecheck::reports
