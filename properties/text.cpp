#include "properties/text.hpp"

namespace wakecheck::properties {

std::string printable(const std::string& text, std::size_t limit) {
  std::string out;
  std::size_t shown = 0;
  for (char c : text) {
    if (shown == limit) {
      out += "...";
      break;
    }
    ++shown;
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (byte < 0x20 || byte == 0x7F) {
      static const char* hex = "0123456789abcdef";
      out += "\\x";
      out += hex[byte >> 4];
      out += hex[byte & 0xF];
    } else {
      out += c;
    }
  }
  return out;
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

}  // namespace wakecheck::properties
