#include "exporters/expected.hpp"

#include <algorithm>
#include <sstream>

namespace wakecheck::exporters {
namespace {

std::string joined(const std::vector<std::string>& names) {
  if (names.empty()) return "-";
  std::string text;
  for (const auto& n : names) text += (text.empty() ? "" : " ") + n;
  return text;
}

}  // namespace

std::string format_expected(const properties::PropertyFile& file, const HangVerdict& verdict) {
  std::vector<std::string> stuck;
  for (const auto& t : verdict.hung) {
    if (std::find(verdict.paused.begin(), verdict.paused.end(), t) == verdict.paused.end())
      stuck.push_back(t);
  }
  std::ostringstream out;
  out << "# wakecheck's verdict on hangs for " << file.path << " ("
      << model::to_string(file.scenario.flavor) << "): ";
  if (!verdict.forced.empty()) {
    out << "where " << verdict.forced << " ends, forced on real tokio.\n";
  } else {
    out << verdict.states << " states, " << verdict.ends << (verdict.ends == 1 ? " end" : " ends")
        << " of maximal runs (dead ends and fair cycles).\n";
  }
  out
      << "# hung: tasks whose JoinHandle never completes at some end (unfinished, paused ones "
         "included,\n"
      << "#   or dropped by their own drop_on_pause wrapper); paused: of those, the paused ones;\n"
      << "#   stuck: hung and not paused. determined: every end has the same hung set; each "
         "distinct\n"
      << "#   set is an outcome. '-' is the empty set.\n"
      << "hung " << joined(verdict.hung) << "\n"
      << "paused " << joined(verdict.paused) << "\n"
      << "stuck " << joined(stuck) << "\n"
      << "determined " << (verdict.determined ? "yes" : "no") << "\n";
  for (const auto& outcome : verdict.outcomes) out << "outcome " << joined(outcome) << "\n";
  return out.str();
}

}  // namespace wakecheck::exporters
