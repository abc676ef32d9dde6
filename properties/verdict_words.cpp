#include "properties/verdict_words.hpp"

namespace wakecheck::properties {

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
