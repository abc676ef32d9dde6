// The JSON Schema `pattern` keyword without std::regex: a small regular-expression matcher whose
// time is linear in the text and whose stack does not grow with it (std::regex backtracks by
// recursion and overflows the stack on a string of some 26,000 characters).
//
// Syntax, the ECMAScript subset that properties/schema.json uses: literals; `.` (any byte but a
// newline); classes `[a-z_]`, `[^...]` with ranges and the escapes below; `\s \S \d \D \w \W`;
// escaped punctuation (`\.`, `\(` ...); anchors `^` and `$` (of the whole text); word boundaries
// `\b` and `\B`; groups `(...)` and `(?:...)`; alternation `|`; the greedy quantifiers `*`, `+`,
// `?`, `{n}`, `{n,}` and `{n,m}`; and lookahead of one character or class, `(?=x)` and `(?!x)`.
// Anything else is rejected when the pattern is compiled. Text is matched byte by byte: a class
// or `.` matches one byte of a UTF-8 character, which is what the schema's ASCII classes need.
#pragma once

#include <bitset>
#include <cstddef>
#include <string_view>
#include <vector>

namespace wakecheck::properties {

class Pattern {
 public:
  /// Compiles `source`. Throws std::invalid_argument naming what is malformed or unsupported.
  explicit Pattern(std::string_view source);

  /// Whether the pattern matches somewhere in `text` (std::regex_search's question).
  bool search(std::string_view text) const;

 private:
  enum class Op { kBytes, kSplit, kJump, kBegin, kEnd, kWordBoundary, kNotWordBoundary, kAhead, kNotAhead, kMatch };
  struct Instruction {
    Op op = Op::kMatch;
    std::size_t x = 0;  // kBytes, kAhead, kNotAhead: the byte set; kSplit, kJump: the target
    std::size_t y = 0;  // kSplit: the second target (the first is preferred)
  };
  struct Node;
  class Compiler;

  std::vector<Instruction> program_;
  std::vector<std::bitset<256>> sets_;
};

}  // namespace wakecheck::properties
