// Reading a JSON document with the place of every value at hand, so that each complaint names
// file:line:column and the dotted path ("scenario.tasks[1].program[0]").
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "properties/limits.hpp"
#include "properties/source_map.hpp"

namespace wakecheck::properties {

class JsonReader {
 public:
  using json = nlohmann::json;

  /// Parses `text` (comments allowed). Throws InputError naming the place of the first problem:
  /// text longer than `max_bytes`, nesting or a string past `limits`, a control character in a
  /// string (when the limits say so), a number out of range, a syntax error, a repeated key.
  JsonReader(const std::string& path, const std::string& text, const SourceLimits& limits = {},
             std::size_t max_bytes = kMaxPropertyFileBytes);

  const json& root() const { return root_; }

  /// Throws InputError at the value `pointer`, `column_offset` bytes into it.
  [[noreturn]] void fail(const std::string& pointer, const std::string& message,
                         std::size_t column_offset = 0) const;
  /// Where `fail(pointer, ..., column_offset)` would point.
  SourcePos position(const std::string& pointer, std::size_t column_offset = 0) const;
  /// Throws InputError at the key of the member `pointer`.
  [[noreturn]] void fail_key(const std::string& pointer, const std::string& message) const;

  /// Checks that `value` is an object with only `allowed` keys and every `required` one.
  void expect_object(const json& value, const std::string& pointer,
                     const std::vector<std::string>& allowed,
                     const std::vector<std::string>& required) const;
  const std::string& string(const json& value, const std::string& pointer) const;
  bool boolean(const json& value, const std::string& pointer) const;
  std::int64_t integer(const json& value, const std::string& pointer, std::int64_t low,
                       std::int64_t high) const;
  const json& array(const json& value, const std::string& pointer) const;
  /// One of `choices`, with a suggestion for a near miss.
  std::string choice(const json& value, const std::string& pointer, const std::string& what,
                     const std::vector<std::string>& choices) const;
  /// "unknown WHAT 'name'; did you mean 'near'?" (or the list of choices when nothing is near).
  static std::string unknown(const std::string& what, const std::string& name,
                             const std::vector<std::string>& candidates, bool list_when_far = false);

  static std::string type_name(const json& value);
  static std::string join(const std::vector<std::string>& names);
  static std::string escape_token(const std::string& key);

 private:
  std::size_t token_start(const std::string& text, std::size_t byte) const;

  std::string path_;
  SourceMap map_;
  json root_;
};

}  // namespace wakecheck::properties
