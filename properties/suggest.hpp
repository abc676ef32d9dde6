// "Did you mean ...?" suggestions for misspelled names in scenario files.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wakecheck::properties {

// The candidate closest to `name` by Damerau-Levenshtein (optimal string alignment) distance, if
// that distance is at most max(1, name.size() / 3) and the candidate differs from name; ties go to
// the earlier candidate. If `name` is itself a candidate it is the closest one, so nothing is
// suggested.
std::optional<std::string> nearest_name(std::string_view name, const std::vector<std::string>& candidates);

}  // namespace wakecheck::properties
