// The exporter's small parts: refusing a scenario, Rust identifiers and literals, and how the
// program groups the scenario's tasks and statics.
#pragma once

#include <cctype>
#include <cstddef>
#include <initializer_list>
#include <set>
#include <string>
#include <vector>

#include "model/scenario.hpp"
#include "properties/input_error.hpp"
#include "properties/property_file.hpp"

namespace wakecheck::exporters::rust {

using model::ResourceKind;
using properties::InputError;

[[noreturn]] inline void refuse(const properties::PropertyFile& file, const std::string& why) {
  throw InputError(file.path + ": cannot export to Rust: " + why);
}

inline bool supported_resource(ResourceKind kind) {
  return kind != ResourceKind::kBargingMutex;
}

/// A channel: a Sender side and a Receiver side.
inline bool channel(ResourceKind kind) {
  return kind == ResourceKind::kMpsc || kind == ResourceKind::kUnbounded || kind == ResourceKind::kOneshot ||
         kind == ResourceKind::kWatch;
}

// --- names -----------------------------------------------------------------------------------

inline std::string upper(const std::string& name) {
  std::string out;
  for (char c : name) out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

inline bool rust_keyword(const std::string& name) {
  static const std::set<std::string> keywords = {
      "as",    "async",  "await",    "break",   "const", "continue", "crate", "dyn",    "else",
      "enum",  "extern", "false",    "fn",      "for",   "if",       "impl",  "in",     "let",
      "loop",  "match",  "mod",      "move",    "mut",   "pub",      "ref",   "return", "self",
      "Self",  "static", "struct",   "super",   "trait", "true",     "type",  "unsafe", "use",
      "where", "while",  "abstract", "become",  "box",   "do",       "final", "macro",  "override",
      "priv",  "typeof", "unsized",  "virtual", "yield", "try",      "gen",   "union"};
  return keywords.count(name) != 0;
}

/// Hands out identifiers, each once: a name already taken (or a Rust keyword, or one of the
/// program's own helpers) gets a suffix.
class NameTable {
 public:
  explicit NameTable(std::initializer_list<const char*> reserved) {
    for (const char* r : reserved) taken_.insert(r);
  }
  std::string take(const std::string& wanted) {
    std::string name = wanted;
    if (rust_keyword(name)) name += "_";
    for (int n = 2; taken_.count(name) != 0; ++n) name = wanted + "_" + std::to_string(n);
    taken_.insert(name);
    return name;
  }

 private:
  std::set<std::string> taken_;
};

/// Pads `code` so that comments line up, then adds `// comment`.
inline std::string with_comment(const std::string& code, const std::string& comment, std::size_t indent) {
  if (comment.empty()) return code;
  constexpr std::size_t kColumn = 56;
  std::string line = code;
  const std::size_t width = indent + line.size();
  line += width + 2 < kColumn ? std::string(kColumn - width, ' ') : std::string("  ");
  return line + "// " + comment;
}

/// Rust's string literal for `text`.
inline std::string rust_string(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// --- the scenario's parts, as the program names them -----------------------------------------

/// A task template ("worker", copies worker0..worker3) or a single task, emitted as one async fn
/// (`worker(me, sh)` for a template whose copies run the same program) or one per copy.
struct Unit {
  std::string group;
  std::vector<std::size_t> tasks;  // task indices, in order
  bool generic = false;            // one fn for every copy, taking the copy's index `me`
  std::string fn;                  // the async fn running the program
  std::string spawn_fn;            // the fn spawning it (none for main); a branch's: making it
  bool branch = false;             // a combinator's branch (a future inside its task)
};

/// A group of statics: one per copy of a template (an array indexed by copy), or one scalar.
struct StaticSlot {
  std::string name;
  bool array = false;
};

}  // namespace wakecheck::exporters::rust
