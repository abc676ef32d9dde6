#include "properties/source_map.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <utility>

#include "properties/text.hpp"

namespace wakecheck::properties {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void append_utf8(std::string& out, std::uint32_t cp) {
  auto byte = [&out](std::uint32_t b) { out.push_back(static_cast<char>(static_cast<unsigned char>(b))); };
  if (cp < 0x80) {
    byte(cp);
  } else if (cp < 0x800) {
    byte(0xC0 | (cp >> 6));
    byte(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    byte(0xE0 | (cp >> 12));
    byte(0x80 | ((cp >> 6) & 0x3F));
    byte(0x80 | (cp & 0x3F));
  } else {
    byte(0xF0 | (cp >> 18));
    byte(0x80 | ((cp >> 12) & 0x3F));
    byte(0x80 | ((cp >> 6) & 0x3F));
    byte(0x80 | (cp & 0x3F));
  }
}

// A key's offset not yet seen (std::map's value-initialised slot).
constexpr std::size_t kUnset = 0;

// One reference token of a JSON pointer, with '~' and '/' escaped.
std::string escape_token(std::string_view key) { return escape_pointer_token(std::string(key)); }

std::string unescape_token(std::string_view token) {
  std::string out;
  out.reserve(token.size());
  for (std::size_t i = 0; i < token.size(); ++i) {
    if (token[i] == '~' && i + 1 < token.size() && (token[i + 1] == '0' || token[i + 1] == '1')) {
      out.push_back(token[i + 1] == '0' ? '~' : '/');
      ++i;
    } else {
      out.push_back(token[i]);
    }
  }
  return out;
}

}  // namespace

// Recursive-descent walk over the text that records offsets instead of building values.
// Every member function returns false at the first malformed token, which ends indexing.
struct SourceMap::Builder {
  std::string_view text;
  SourceMap& map;
  const SourceLimits& limits;
  std::size_t pos = 0;

  // Records the problem that ends indexing; returns false, as a malformed token does.
  bool stop(std::size_t offset, const std::string& pointer, std::string message) {
    map.limit_problem_ = SourceProblem{offset, pointer, std::move(message), std::nullopt};
    return false;
  }

  // One character of a string's decoded content, at byte `at` of the text.
  bool admit(std::size_t& length, std::size_t bytes, std::uint32_t code_point, std::size_t at,
             std::size_t open, const std::string& pointer, bool key) {
    const char* what = key ? "a key" : "a string";
    length += bytes;
    if (length > limits.max_string_bytes) {
      return stop(open, pointer, std::string(what) + " longer than " + std::to_string(limits.max_string_bytes) + " bytes");
    }
    if (limits.reject_unsafe_characters && is_unsafe_code_point(code_point)) {
      static const char* hex = "0123456789ABCDEF";
      std::string u = "U+";
      for (int shift = code_point > 0xFFFF ? 20 : 12; shift >= 0; shift -= 4) u += hex[(code_point >> shift) & 0xF];
      return stop(at, pointer, "the control character " + u + " in " + what +
                                   " (control and bidirectional-override characters are not allowed: names and "
                                   "statements are shown on terminals)");
    }
    return true;
  }

  bool at_end() const { return pos >= text.size(); }
  char peek(std::size_t ahead = 0) const {
    return pos + ahead < text.size() ? text[pos + ahead] : '\0';
  }

  // Whitespace and both comment styles.
  bool skip_space() {
    while (!at_end()) {
      const char c = text[pos];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        ++pos;
      } else if (c == '/' && peek(1) == '/') {
        const std::size_t nl = text.find('\n', pos + 2);
        pos = nl == std::string_view::npos ? text.size() : nl + 1;
      } else if (c == '/' && peek(1) == '*') {
        const std::size_t close = text.find("*/", pos + 2);
        if (close == std::string_view::npos) return false;  // unterminated comment
        pos = close + 2;
      } else if (c == '/') {
        return false;  // a lone '/' is not a comment
      } else {
        break;
      }
    }
    return true;
  }

  // Four hex digits after "\u"; pos is on the first digit.
  std::optional<std::uint32_t> read_hex4() {
    if (pos + 4 > text.size()) return std::nullopt;
    std::uint32_t v = 0;
    for (std::size_t i = 0; i < 4; ++i) {
      const int h = hex_value(text[pos + i]);
      if (h < 0) return std::nullopt;
      v = (v << 4) | static_cast<std::uint32_t>(h);
    }
    pos += 4;
    return v;
  }

  // A string starting at the opening quote; its decoded UTF-8 content goes to `out` when given
  // (keys need it to build pointers, values only need to be checked and skipped). `pointer`
  // names it in a problem.
  bool read_string(std::string* out, const std::string& pointer, bool key = false) {
    const std::size_t open = pos;
    std::size_t length = 0;
    ++pos;  // opening quote
    while (!at_end()) {
      const char c = text[pos];
      if (c == '"') {
        ++pos;
        return true;
      }
      if (static_cast<unsigned char>(c) < 0x20) return false;  // raw control character
      if (c != '\\') {
        Utf8Char ch = decode_utf8(text.substr(pos));
        // Not UTF-8: one byte, left for the parser to reject.
        if (ch.length == 0) ch = {0xFFFD, 1};
        if (!admit(length, ch.length, ch.code_point, pos, open, pointer, key)) return false;
        if (out) out->append(text.substr(pos, ch.length));
        pos += ch.length;
        continue;
      }
      const std::size_t escape_at = pos;
      ++pos;  // backslash
      if (at_end()) return false;
      const char e = text[pos++];
      char plain = '\0';
      switch (e) {
        case '"': plain = '"'; break;
        case '\\': plain = '\\'; break;
        case '/': plain = '/'; break;
        case 'b': plain = '\b'; break;
        case 'f': plain = '\f'; break;
        case 'n': plain = '\n'; break;
        case 'r': plain = '\r'; break;
        case 't': plain = '\t'; break;
        case 'u': {
          auto cp = read_hex4();
          if (!cp) return false;
          if (*cp >= 0xD800 && *cp <= 0xDBFF) {  // high surrogate: a low one must follow
            if (peek() != '\\' || peek(1) != 'u') return false;
            pos += 2;
            auto low = read_hex4();
            if (!low || *low < 0xDC00 || *low > 0xDFFF) return false;
            cp = 0x10000 + ((*cp - 0xD800) << 10) + (*low - 0xDC00);
          } else if (*cp >= 0xDC00 && *cp <= 0xDFFF) {
            return false;  // lone low surrogate
          }
          std::string bytes;
          append_utf8(bytes, *cp);
          if (!admit(length, bytes.size(), *cp, escape_at, open, pointer, key)) return false;
          if (out) *out += bytes;
          continue;
        }
        default: return false;
      }
      if (!admit(length, 1, static_cast<unsigned char>(plain), escape_at, open, pointer, key)) return false;
      if (out) out->push_back(plain);
    }
    return false;  // unterminated
  }

  bool read_literal(std::string_view word) {
    if (text.substr(pos, word.size()) != word) return false;
    pos += word.size();
    return true;
  }

  bool read_number(const std::string& pointer) {
    const std::size_t start = pos;
    if (peek() == '-') ++pos;
    if (!is_digit(peek())) return false;
    while (!at_end()) {
      const char c = text[pos];
      if (is_digit(c) || c == '.' || c == 'e' || c == 'E' || ((c == '+' || c == '-') && pos > start)) {
        ++pos;
      } else {
        break;
      }
    }
    // nlohmann reads a number that fits no integer type as a double, and throws for one beyond
    // a double's range (1e999): that is bad input, located here.
    const std::string number(text.substr(start, pos - start));
    if (!std::isfinite(std::strtod(number.c_str(), nullptr))) {
      return stop(start, pointer, "the number " + printable(number, 40) + " is out of range");
    }
    return true;
  }

  bool read_object(const std::string& pointer, std::size_t depth) {
    ++pos;  // '{'
    if (!skip_space()) return false;
    if (peek() == '}') {
      ++pos;
      return true;
    }
    while (true) {
      if (peek() != '"') return false;
      const std::size_t key_offset = pos;
      std::string key;
      if (!read_string(&key, pointer, true)) return false;
      const std::string member = pointer + "/" + escape_token(key);
      auto& slot = map.keys_[member];
      if (slot != kUnset && !map.duplicate_key_) {
        map.duplicate_key_ = SourceProblem{key_offset, member, "duplicate key '" + printable(key, 60) + "'", slot};
      }
      slot = key_offset;  // a repeated key keeps the last one, as nlohmann does
      if (!skip_space() || peek() != ':') return false;
      ++pos;
      if (!skip_space() || !read_value(member, depth + 1) || !skip_space()) return false;
      if (peek() == ',') {
        ++pos;
        if (!skip_space()) return false;
      } else if (peek() == '}') {
        ++pos;
        return true;
      } else {
        return false;
      }
    }
  }

  bool read_array(const std::string& pointer, std::size_t depth) {
    ++pos;  // '['
    if (!skip_space()) return false;
    if (peek() == ']') {
      ++pos;
      return true;
    }
    for (std::size_t i = 0;; ++i) {
      if (!read_value(pointer + "/" + std::to_string(i), depth + 1) || !skip_space()) return false;
      if (peek() == ',') {
        ++pos;
        if (!skip_space()) return false;
      } else if (peek() == ']') {
        ++pos;
        return true;
      } else {
        return false;
      }
    }
  }

  // A value starting at pos (whitespace already skipped); `depth` containers enclose it.
  bool read_value(const std::string& pointer, std::size_t depth) {
    if (at_end()) return false;
    if ((text[pos] == '{' || text[pos] == '[') && depth + 1 > limits.max_depth) {
      return stop(pos, pointer, "arrays and objects nested more than " + std::to_string(limits.max_depth) + " levels deep");
    }
    map.values_[pointer] = pos;
    switch (text[pos]) {
      case '{': return read_object(pointer, depth);
      case '[': return read_array(pointer, depth);
      case '"': return read_string(nullptr, pointer);
      case 't': return read_literal("true");
      case 'f': return read_literal("false");
      case 'n': return read_literal("null");
      default: return read_number(pointer);
    }
  }
};

SourceMap SourceMap::index(std::string_view text, const SourceLimits& limits) {
  SourceMap map;
  map.text_size_ = text.size();
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') map.line_starts_.push_back(i + 1);
  }
  Builder builder{text, map, limits};
  if (text.substr(0, 3) == "\xEF\xBB\xBF") builder.pos = 3;  // nlohmann skips a UTF-8 BOM too
  if (builder.skip_space()) builder.read_value("", 0);
  return map;
}

std::optional<SourcePos> SourceMap::value(std::string_view pointer) const {
  const auto it = values_.find(pointer);
  if (it == values_.end()) return std::nullopt;
  return at_offset(it->second);
}

std::optional<SourcePos> SourceMap::key(std::string_view pointer) const {
  const auto it = keys_.find(pointer);
  if (it == keys_.end()) return std::nullopt;
  return at_offset(it->second);
}

SourcePos SourceMap::at_offset(std::size_t byte_offset) const {
  const std::size_t offset = std::min(byte_offset, text_size_);
  // The last line start not after `offset`; line_starts_ always holds 0, so this is never begin().
  const auto next = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  const auto line_index = static_cast<std::size_t>(next - line_starts_.begin()) - 1;
  return SourcePos{line_index + 1, offset - line_starts_[line_index] + 1};
}

SourcePos SourceMap::nearest(std::string_view pointer) const {
  while (true) {
    if (auto pos = value(pointer)) return *pos;
    if (pointer.empty()) return SourcePos{};
    const std::size_t slash = pointer.rfind('/');
    pointer = slash == std::string_view::npos ? std::string_view{} : pointer.substr(0, slash);
  }
}

std::string pointer_to_path(std::string_view pointer) {
  if (pointer.empty()) return "(root)";
  if (pointer.front() == '/') pointer.remove_prefix(1);
  std::string path;
  while (true) {
    const std::size_t slash = pointer.find('/');
    const std::string token = unescape_token(pointer.substr(0, slash));
    const bool is_index =
        !token.empty() && std::all_of(token.begin(), token.end(), [](char c) { return is_digit(c); });
    if (is_index) {
      path += "[" + token + "]";
    } else {
      if (!path.empty()) path.push_back('.');
      path += token.empty() ? std::string("\"\"") : token;  // keep an empty key visible
    }
    if (slash == std::string_view::npos) break;
    pointer.remove_prefix(slash + 1);
  }
  return path;
}

}  // namespace wakecheck::properties
