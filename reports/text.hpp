// Small text helpers shared by the reporters.
#pragma once

#include <string>
#include <vector>

#include "properties/text.hpp"

namespace wakecheck::reports {

using properties::join_names;

/// Seconds as reports print them: "0.013".
std::string format_seconds(double value);

}  // namespace wakecheck::reports
