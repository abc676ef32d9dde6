#include "properties/text.hpp"

#include <vector>

namespace wakecheck::properties {

Utf8Char decode_utf8(std::string_view text) {
  if (text.empty()) return {};
  const auto lead = static_cast<unsigned char>(text[0]);
  if (lead < 0x80) return {lead, 1};
  std::size_t length = 0;
  std::uint32_t cp = 0;
  std::uint32_t least = 0;  // the smallest code point this length may encode (no overlong forms)
  if ((lead & 0xE0) == 0xC0) {
    length = 2;
    cp = lead & 0x1FU;
    least = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3;
    cp = lead & 0x0FU;
    least = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4;
    cp = lead & 0x07U;
    least = 0x10000;
  } else {
    return {};
  }
  if (text.size() < length) return {};
  for (std::size_t i = 1; i < length; ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if ((byte & 0xC0) != 0x80) return {};
    cp = (cp << 6) | (byte & 0x3FU);
  }
  if (cp < least || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return {};
  return {cp, length};
}

bool is_unsafe_code_point(std::uint32_t cp) {
  return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) ||
         (cp >= 0x2066 && cp <= 0x2069);
}

namespace {

constexpr const char* kHex = "0123456789abcdef";

void append_escape(std::string& out, std::uint32_t cp) {
  if (cp == '\n') {
    out += "\\n";
  } else if (cp == '\t') {
    out += "\\t";
  } else if (cp < 0x100) {
    out += "\\x";
    out += kHex[(cp >> 4) & 0xF];
    out += kHex[cp & 0xF];
  } else {
    std::string digits;
    for (std::uint32_t v = cp; v != 0; v >>= 4) digits.insert(digits.begin(), kHex[v & 0xF]);
    out += "\\u{" + digits + "}";
  }
}

}  // namespace

std::string printable(std::string_view text, std::size_t limit) {
  std::string out;
  std::size_t shown = 0;
  for (std::size_t at = 0; at < text.size();) {
    if (shown == limit) {
      out += "...";
      break;
    }
    ++shown;
    const Utf8Char c = decode_utf8(text.substr(at));
    if (c.length == 0) {
      append_escape(out, static_cast<unsigned char>(text[at]));  // not UTF-8: the byte itself
      ++at;
      continue;
    }
    if (is_unsafe_code_point(c.code_point)) {
      append_escape(out, c.code_point);
    } else {
      out.append(text.substr(at, c.length));
    }
    at += c.length;
  }
  return out;
}

std::string shorten_path(const std::string& path, std::size_t limit) {
  if (path.size() <= limit) return path;
  // Components start at a '.' or a '[' outside quotes; a component is kept whole.
  std::vector<std::size_t> starts{0};
  for (std::size_t i = 1; i < path.size(); ++i) {
    if (path[i] == '.' || path[i] == '[') starts.push_back(i);
  }
  auto piece = [&](std::size_t k) {
    const std::size_t end = k + 1 < starts.size() ? starts[k + 1] : path.size();
    return path.substr(starts[k], end - starts[k]);
  };
  std::string head;
  std::string tail;
  std::size_t first = 0;
  std::size_t last = starts.size();
  // Alternately take one component from each end while both fit in the limit.
  while (first < last) {
    const std::string next_tail = piece(last - 1);
    if (head.size() + tail.size() + next_tail.size() + 5 > limit) break;
    tail = next_tail + tail;
    --last;
    if (first == last) break;
    const std::string next_head = piece(first);
    if (head.size() + tail.size() + next_head.size() + 5 > limit) break;
    head += next_head;
    ++first;
  }
  if (first >= last) return path;
  if (head.empty()) head = printable(piece(0), limit / 2);  // one component longer than the limit
  if (!tail.empty() && tail[0] == '.') tail.erase(0, 1);
  return head + "..." + tail;
}

std::string escape_pointer_token(const std::string& key) {
  std::string out;
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

std::string join_list(const std::vector<std::string>& items, const char* last) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += i + 1 == items.size() ? last : ", ";
    out += items[i];
  }
  return out;
}

std::string join_names(const std::vector<std::string>& names) { return join_list(names, " and "); }

}  // namespace wakecheck::properties
