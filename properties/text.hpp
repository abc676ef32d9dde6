// Small text helpers shared by the readers of property files.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace wakecheck::properties {

/// The UTF-8 sequence at the start of `text`: its code point and length in bytes. Length 0 when
/// the bytes are not a well-formed sequence (a stray continuation byte, an overlong form, a
/// surrogate, a value above U+10FFFF, or a sequence cut off by the end of `text`).
struct Utf8Char {
  std::uint32_t code_point = 0;
  std::size_t length = 0;
};
Utf8Char decode_utf8(std::string_view text);

/// Code points that must not reach a terminal raw: C0 controls (newline and tab included), DEL,
/// C1 controls, and the bidirectional overrides and isolates (U+202A..U+202E, U+2066..U+2069),
/// which reorder what a reader sees.
bool is_unsafe_code_point(std::uint32_t code_point);

/// User text inside a one-line message: unsafe code points shown escaped (\n, \t, \x1b,
/// \u{202e}), bytes that are not UTF-8 as \xNN, and text longer than `limit` characters cut
/// short with "..." (never inside a character).
std::string printable(std::string_view text, std::size_t limit = std::string::npos);

/// A dotted JSON path ("scenario.tasks[0].program[1]") of at most about `limit` characters:
/// a longer one keeps its first and last components around "...".
std::string shorten_path(const std::string& path, std::size_t limit = 120);

/// A key as one token of a JSON pointer (RFC 6901): '~' becomes ~0 and '/' becomes ~1.
std::string escape_pointer_token(const std::string& key);

/// The items separated by ", ", the last two by `last`: join_list({a, b, c}, " or ") is
/// "a, b or c".
std::string join_list(const std::vector<std::string>& items, const char* last);

/// "a", "a and b", "a, b and c".
std::string join_names(const std::vector<std::string>& names);

}  // namespace wakecheck::properties
