#include "properties/json_reader.hpp"

#include <algorithm>
#include <cctype>
#include <sstream>

#include "properties/input_error.hpp"
#include "properties/limits.hpp"
#include "properties/suggest.hpp"
#include "properties/text.hpp"

namespace wakecheck::properties {

namespace {

/// "file:line:column: where: message", one line: the path shortened, user text escaped, and a
/// message grown long on user text cut short.
std::string located(const std::string& path, SourcePos pos, const std::string& where,
                    const std::string& message) {
  std::ostringstream out;
  out << printable(path) << ":" << pos.line << ":" << pos.column << ": " << printable(shorten_path(where)) << ": "
      << printable(message, 400);
  return out.str();
}

}  // namespace

JsonReader::JsonReader(const std::string& path, const std::string& text, const SourceLimits& limits,
                       std::size_t max_bytes)
    : path_(path) {
  if (text.size() > max_bytes) {
    throw InputError(printable(path_) + ": the file has " + std::to_string(text.size()) + " bytes; at most " +
                     std::to_string(max_bytes) + " are read");
  }
  // The index walks the text first: nesting, strings and numbers past their limits are reported
  // before any recursive reader (the schema validator, the loader, nlohmann's dump) sees them.
  map_ = SourceMap::index(text, limits);
  if (const auto& problem = map_.limit_problem()) {
    throw InputError(located(path_, map_.at_offset(problem->offset), pointer_to_path(problem->pointer), problem->message));
  }
  try {
    root_ = json::parse(text, nullptr, /*allow_exceptions=*/true, /*ignore_comments=*/true);
  } catch (const json::parse_error& e) {
    const SourcePos pos = map_.at_offset(token_start(text, e.byte));
    std::string what = e.what();
    // "[json.exception.parse_error.101] parse error at line 3, column 5: syntax error ..."
    if (const auto colon = what.find(": "); colon != std::string::npos) what = what.substr(colon + 2);
    throw InputError(printable(path_) + ":" + std::to_string(pos.line) + ":" + std::to_string(pos.column) +
                     ": invalid JSON: " + printable(what, 400));
  } catch (const json::exception& e) {
    // Anything else nlohmann refuses (the index above catches numbers out of range first).
    throw InputError(printable(path_) + ":1:1: invalid JSON: " + printable(e.what(), 400));
  }
  // nlohmann keeps the last of repeated keys without a word; a repeated key is a mistake.
  if (const auto& duplicate = map_.duplicate_key()) {
    const SourcePos first = map_.at_offset(*duplicate->earlier);
    throw InputError(located(path_, map_.at_offset(duplicate->offset), pointer_to_path(duplicate->pointer),
                             duplicate->message + " (first at line " + std::to_string(first.line) + ", column " +
                                 std::to_string(first.column) + ")"));
  }
}

std::size_t JsonReader::token_start(const std::string& text, std::size_t byte) const {
  // nlohmann reports the byte after the last one it read; point at the start of that token, or
  // at the end of the text when the input ended early.
  if (byte > text.size()) return text.size();
  std::size_t at = std::min(byte == 0 ? 0 : byte - 1, text.size() - 1);
  while (at > 0 && std::isspace(static_cast<unsigned char>(text[at])) != 0) --at;
  if (text[at] == '"') {
    for (std::size_t open = at; open > 0;) {
      --open;
      if (text[open] == '"' && (open == 0 || text[open - 1] != '\\')) return open;
    }
    return at;
  }
  auto literal = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '-' || c == '+' ||
           c == '_';
  };
  if (literal(text[at])) {
    while (at > 0 && literal(text[at - 1])) --at;
  }
  return at;
}

SourcePos JsonReader::position(const std::string& pointer, std::size_t column_offset) const {
  SourcePos pos = map_.nearest(pointer);
  pos.column += column_offset;
  return pos;
}

void JsonReader::fail(const std::string& pointer, const std::string& message,
                      std::size_t column_offset) const {
  throw InputError(located(path_, position(pointer, column_offset), pointer_to_path(pointer), message));
}

void JsonReader::fail_key(const std::string& pointer, const std::string& message) const {
  const SourcePos pos = map_.key(pointer).value_or(map_.nearest(pointer));
  throw InputError(located(path_, pos, pointer_to_path(pointer), message));
}

std::string JsonReader::type_name(const json& value) {
  if (value.is_object()) return "an object";
  if (value.is_array()) return "an array";
  if (value.is_string()) return "a string";
  if (value.is_boolean()) return "a boolean";
  if (value.is_number()) return "the number " + value.dump();
  return "null";
}

std::string JsonReader::join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "" : ", ") + name;
  return out;
}

std::string JsonReader::escape_token(const std::string& key) { return escape_pointer_token(key); }

std::string JsonReader::unknown(const std::string& what, const std::string& name,
                                const std::vector<std::string>& candidates, bool list_when_far) {
  std::string message = "unknown " + what + " '" + name + "'";
  if (auto near = nearest_name(name, candidates)) {
    message += "; did you mean '" + *near + "'?";
  } else if (list_when_far && !candidates.empty()) {
    message += "; expected one of: " + join(candidates);
  }
  return message;
}

void JsonReader::expect_object(const json& value, const std::string& pointer,
                               const std::vector<std::string>& allowed,
                               const std::vector<std::string>& required) const {
  if (!value.is_object()) fail(pointer, "expected an object, found " + type_name(value));
  for (const auto& [key, member] : value.items()) {
    (void)member;
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      fail_key(pointer + "/" + escape_token(key), unknown("key", key, allowed, true));
    }
  }
  for (const auto& name : required) {
    if (!value.contains(name)) fail(pointer, "missing required key '" + name + "'");
  }
}

const std::string& JsonReader::string(const json& value, const std::string& pointer) const {
  if (!value.is_string()) fail(pointer, "expected a string, found " + type_name(value));
  return value.get_ref<const std::string&>();
}

bool JsonReader::boolean(const json& value, const std::string& pointer) const {
  if (!value.is_boolean()) fail(pointer, "expected true or false, found " + type_name(value));
  return value.get<bool>();
}

std::int64_t JsonReader::integer(const json& value, const std::string& pointer, std::int64_t low,
                                 std::int64_t high) const {
  if (!value.is_number_integer()) fail(pointer, "expected a whole number, found " + type_name(value));
  const bool too_big = value.is_number_unsigned() &&
                       value.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX);
  const std::int64_t n = too_big ? INT64_MAX : value.get<std::int64_t>();
  if (too_big || n < low || n > high) {
    fail(pointer, "expected a number from " + std::to_string(low) + " to " + std::to_string(high) +
                      ", found " + value.dump());
  }
  return n;
}

const JsonReader::json& JsonReader::array(const json& value, const std::string& pointer) const {
  if (!value.is_array()) fail(pointer, "expected an array, found " + type_name(value));
  return value;
}

std::string JsonReader::choice(const json& value, const std::string& pointer,
                               const std::string& what, const std::vector<std::string>& choices) const {
  const std::string& text = string(value, pointer);
  if (std::find(choices.begin(), choices.end(), text) != choices.end()) return text;
  fail(pointer, unknown(what, text, choices, true));
}

}  // namespace wakecheck::properties
