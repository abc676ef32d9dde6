#include "reports/findings.hpp"

#include "properties/verdict_words.hpp"

namespace wakecheck::reports {

std::vector<Finding> findings_of(const properties::FileRun& run) {
  std::vector<Finding> out;
  for (const auto& result : run.results) {
    if (result.verdict == properties::Verdict::kViolated || result.verdict == properties::Verdict::kUnknown) {
      out.push_back({result.name, properties::verdict_word(result)});
    }
  }
  return out;
}

std::string findings_text(const std::vector<Finding>& findings) {
  std::vector<std::string> words;
  for (const auto& f : findings) {
    bool seen = false;
    for (const auto& w : words) seen = seen || w == f.word;
    if (!seen) words.push_back(f.word);
  }
  std::string out;
  for (const auto& word : words) {
    out += (out.empty() ? "" : "; ") + word + ":";
    bool first = true;
    for (const auto& f : findings) {
      if (f.word != word) continue;
      out += (first ? " " : ", ") + f.property;
      first = false;
    }
  }
  return out;
}

int index_rank(bool all_as_expected, const std::vector<Finding>& findings) {
  if (!all_as_expected) return 0;
  return findings.empty() ? 2 : 1;
}

}  // namespace wakecheck::reports
