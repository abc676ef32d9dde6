// SARIF 2.1.0, for code-scanning annotations (GitHub code scanning, GitLab, IDE viewers).
#pragma once

#include <memory>
#include <ostream>

#include "reports/reporter.hpp"

namespace wakecheck::reports {

/// One SARIF log with one run of wakecheck; a rule per property name. A result for each verdict
/// that is not the expected one (level "error"), located at the property's check in its property
/// file (line and column, from properties/source_map.hpp); its message is the verdict, the
/// expectation and the diagnosis; a counterexample is its codeFlow, with one threadFlow per task
/// (steps that concern no task, such as a park, in a thread flow named "runtime"): every step
/// goes to the thread flow of its task, with its step number as executionOrder, located at that
/// task's definition in the file, the decisive steps "essential". A violation the file expects
/// is a result too, so that the counterexample travels with the report, but at level "note" and
/// suppressed in source (the file's "expect" is the suppression).
std::unique_ptr<Reporter> make_sarif_reporter(std::ostream& out);

}  // namespace wakecheck::reports
