// Positions of values and keys inside a JSON text, so diagnostics can point at line:column.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "properties/limits.hpp"

namespace wakecheck::properties {

// A place in the text; both fields are 1-based and the column counts bytes, not characters.
struct SourcePos {
  std::size_t line = 1;
  std::size_t column = 1;
  friend bool operator==(const SourcePos&, const SourcePos&) = default;
};

// What the index checks while it walks the text (properties/limits.hpp has the values used).
struct SourceLimits {
  std::size_t max_depth = kMaxJsonDepth;               // arrays and objects inside each other
  std::size_t max_string_bytes = kMaxStringBytes;      // of a key or a string value, decoded
  bool reject_unsafe_characters = true;  // control and bidirectional characters in strings
};

// The first problem the index met, in document order: past a limit or a number out of range
// (indexing stops there), or a key repeated in one object (indexing goes on). nlohmann keeps the
// last of repeated keys silently, and parses deep nesting fine but leaves it to recursive
// consumers: these problems are reported before anything else reads the document.
struct SourceProblem {
  std::size_t offset = 0;  // byte where it is
  std::string pointer;     // the value (or, for a key, the member) it concerns
  std::string message;
  std::optional<std::size_t> earlier;  // a repeated key: where it was first
};

// Index of a JSON text (which may contain // line and /* block */ comments, as accepted by
// nlohmann::json::parse(text, nullptr, true, /*ignore_comments=*/true)) giving the position of
// every value and every object key, addressed by JSON pointer (RFC 6901: "" is the root,
// "/scenario/tasks/0"; '~' and '/' inside keys are written ~0 and ~1).
class SourceMap {
 public:
  // Never throws on malformed text: indexing stops at the first error and keeps what it found.
  static SourceMap index(std::string_view text, const SourceLimits& limits = {});

  // A limit exceeded, a number out of range (the first one; indexing stopped there).
  const std::optional<SourceProblem>& limit_problem() const { return limit_problem_; }
  // The first key repeated within one object.
  const std::optional<SourceProblem>& duplicate_key() const { return duplicate_key_; }

  // First character of the value at `pointer`.
  std::optional<SourcePos> value(std::string_view pointer) const;
  // Opening quote of the key naming the object member `pointer` (its last token).
  std::optional<SourcePos> key(std::string_view pointer) const;
  // Line and column of a byte offset; offsets past the end are clamped to the end of the text.
  SourcePos at_offset(std::size_t byte_offset) const;
  // Best position to report for `pointer`: its value if indexed, else the value of the nearest
  // indexed ancestor, else 1:1.
  SourcePos nearest(std::string_view pointer) const;

 private:
  using OffsetMap = std::map<std::string, std::size_t, std::less<>>;

  std::size_t text_size_ = 0;
  std::vector<std::size_t> line_starts_{0};  // byte offset where each line begins; sorted
  OffsetMap values_;                         // pointer -> offset of the value's first byte
  OffsetMap keys_;                           // pointer -> offset of the member key's opening quote
  std::optional<SourceProblem> limit_problem_;
  std::optional<SourceProblem> duplicate_key_;

  struct Builder;  // the tokenizer that fills the maps; defined in source_map.cpp
};

// The dotted form of a JSON pointer that users read in error messages:
// "/scenario/tasks/0/program/1" -> "scenario.tasks[0].program[1]"; "" -> "(root)".
std::string pointer_to_path(std::string_view pointer);

}  // namespace wakecheck::properties
