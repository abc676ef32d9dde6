#include "properties/suggest.hpp"

#include <algorithm>
#include <cstddef>
#include <utility>

namespace wakecheck::properties {

namespace {

// Optimal string alignment distance: insertions, deletions, substitutions and transpositions of
// adjacent bytes, each costing 1, with no substring edited twice.
std::size_t osa_distance(std::string_view a, std::string_view b) {
  const std::size_t cols = b.size() + 1;
  // Three rolling rows: two back (for transpositions), previous and current.
  std::vector<std::size_t> before(cols), prev(cols), cur(cols);
  for (std::size_t j = 0; j < cols; ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j < cols; ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        cur[j] = std::min(cur[j], before[j - 2] + 1);
      }
    }
    std::swap(before, prev);
    std::swap(prev, cur);
  }
  return prev[cols - 1];
}

}  // namespace

std::optional<std::string> nearest_name(std::string_view name, const std::vector<std::string>& candidates) {
  const std::size_t limit = std::max<std::size_t>(1, name.size() / 3);
  const std::string* best = nullptr;
  std::size_t best_distance = 0;
  for (const std::string& candidate : candidates) {
    const std::size_t d = osa_distance(name, candidate);
    if (best == nullptr || d < best_distance) {  // strict '<' keeps the earlier one on ties
      best = &candidate;
      best_distance = d;
    }
  }
  if (best == nullptr || best_distance == 0 || best_distance > limit) return std::nullopt;
  return *best;
}

}  // namespace wakecheck::properties
