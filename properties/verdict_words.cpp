#include "properties/verdict_words.hpp"

namespace wakecheck::properties {

const char* kind_word(explorer::PropertyKind kind) {
  switch (kind) {
    case explorer::PropertyKind::kAlways: return "always";
    case explorer::PropertyKind::kSometimes: return "reachable";
    case explorer::PropertyKind::kAtDeadEnds: return "at_dead_ends";
    case explorer::PropertyKind::kLeadsTo: return "leads_to";
  }
  return "?";
}

const char* verdict_word(Verdict verdict, explorer::PropertyKind kind) {
  if (kind == explorer::PropertyKind::kSometimes) {
    if (verdict == Verdict::kHolds) return "reached";
    if (verdict == Verdict::kViolated) return "unreachable";
  }
  return to_string(verdict);
}

const char* expectation_word(Expectation expectation, explorer::PropertyKind kind) {
  if (kind == explorer::PropertyKind::kSometimes) {
    if (expectation == Expectation::kHolds) return "reached";
    if (expectation == Expectation::kViolated) return "unreachable";
  }
  return to_string(expectation);
}

const char* verdict_word(const PropertyResult& result) { return verdict_word(result.verdict, result.kind); }

const char* expectation_word(const PropertyResult& result) {
  return result.expected ? expectation_word(*result.expected, result.kind) : "";
}

}  // namespace wakecheck::properties
