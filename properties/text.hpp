// Small text helpers shared by the readers of property files.
#pragma once

#include <cstddef>
#include <string>

namespace wakecheck::properties {

/// User text inside a one-line message: control characters shown escaped (\n, \t, \xNN), and
/// text longer than `limit` bytes cut short with "...".
std::string printable(const std::string& text, std::size_t limit = std::string::npos);

/// A key as one token of a JSON pointer (RFC 6901): '~' becomes ~0 and '/' becomes ~1.
std::string escape_pointer_token(const std::string& key);

}  // namespace wakecheck::properties
