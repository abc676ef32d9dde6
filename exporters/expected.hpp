// The .expected file written beside an exported program: the model's verdict on hangs, in the
// form tests/conformance/run.sh compares with the program's output.
#pragma once

#include <string>

#include "exporters/hang_verdict.hpp"

namespace wakecheck::exporters {

/// The verdict as the .expected file beside the program: comment lines, then
/// "hung T...", "paused T...", "stuck T..." (hung and not paused), "determined yes|no" and one
/// "outcome T..." line per distinct hung set; an empty set is written "-".
std::string format_expected(const properties::PropertyFile& file, const HangVerdict& verdict);

}  // namespace wakecheck::exporters
