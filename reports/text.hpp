// Small text helpers shared by the reporters.
#pragma once

#include <string>
#include <vector>

namespace wakecheck::reports {

/// "a", "a and b", "a, b and c".
std::string join_names(const std::vector<std::string>& names);

/// Seconds as reports print them: "0.013".
std::string format_seconds(double value);

}  // namespace wakecheck::reports
