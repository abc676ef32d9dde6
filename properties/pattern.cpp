#include "properties/pattern.hpp"

#include <stdexcept>
#include <string>
#include <utility>

namespace wakecheck::properties {

/// The parsed pattern: what the compiler emits instructions from.
struct Pattern::Node {
  enum class Kind { kEmpty, kBytes, kAssert, kConcat, kAlternation, kRepeat } kind = Kind::kEmpty;
  std::size_t set = 0;         // kBytes; kAssert with kAhead or kNotAhead
  Op assertion = Op::kBegin;   // kAssert
  std::vector<Node> children;  // kConcat, kAlternation; kRepeat: one
  std::size_t min = 0;         // kRepeat
  std::size_t max = 0;         // kRepeat, unless unbounded
  bool unbounded = false;
};

namespace {

constexpr std::size_t kMaxRepeat = 100;  // {n,m} is unrolled: keep the program small

bool is_word_byte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

std::bitset<256> space_set() {
  std::bitset<256> s;
  for (char c : {' ', '\t', '\n', '\r', '\f', '\v'}) s.set(static_cast<unsigned char>(c));
  return s;
}
std::bitset<256> digit_set() {
  std::bitset<256> s;
  for (unsigned c = '0'; c <= '9'; ++c) s.set(c);
  return s;
}
std::bitset<256> word_set() {
  std::bitset<256> s;
  for (unsigned c = 0; c < 256; ++c) {
    if (is_word_byte(static_cast<unsigned char>(c))) s.set(c);
  }
  return s;
}

}  // namespace

/// Recursive descent over the pattern (trusted text from the schema, so its own nesting is not
/// bounded), then Thompson's construction.
class Pattern::Compiler {
 public:
  Compiler(std::string_view source, Pattern& out) : source_(source), out_(out) {}

  void compile() {
    Node root = alternation();
    if (pos_ != source_.size()) fail("unbalanced ')'");
    emit(root);
    out_.program_.push_back({Op::kMatch, 0, 0});
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw std::invalid_argument("pattern '" + std::string(source_) + "': " + what + " at offset " + std::to_string(pos_));
  }
  bool at_end() const { return pos_ >= source_.size(); }
  char peek() const { return at_end() ? '\0' : source_[pos_]; }

  std::size_t add_set(const std::bitset<256>& set) {
    out_.sets_.push_back(set);
    return out_.sets_.size() - 1;
  }
  Node bytes(const std::bitset<256>& set) {
    Node n;
    n.kind = Node::Kind::kBytes;
    n.set = add_set(set);
    return n;
  }
  static Node assertion(Op op, std::size_t set = 0) {
    Node n;
    n.kind = Node::Kind::kAssert;
    n.assertion = op;
    n.set = set;
    return n;
  }

  Node alternation() {
    Node alt;
    alt.kind = Node::Kind::kAlternation;
    alt.children.push_back(concatenation());
    while (peek() == '|') {
      ++pos_;
      alt.children.push_back(concatenation());
    }
    return alt.children.size() == 1 ? std::move(alt.children.front()) : alt;
  }

  Node concatenation() {
    Node seq;
    seq.kind = Node::Kind::kConcat;
    while (!at_end() && peek() != '|' && peek() != ')') seq.children.push_back(quantified());
    return seq;
  }

  Node quantified() {
    Node atom_node = atom();
    while (!at_end() && (peek() == '*' || peek() == '+' || peek() == '?' || peek() == '{')) {
      if (atom_node.kind == Node::Kind::kAssert) fail("a quantifier after an assertion");
      Node repeat;
      repeat.kind = Node::Kind::kRepeat;
      const char q = source_[pos_++];
      if (q == '*') {
        repeat.unbounded = true;
      } else if (q == '+') {
        repeat.min = 1;
        repeat.unbounded = true;
      } else if (q == '?') {
        repeat.max = 1;
      } else {
        repeat.min = number();
        repeat.max = repeat.min;
        if (peek() == ',') {
          ++pos_;
          if (peek() == '}') {
            repeat.unbounded = true;
          } else {
            repeat.max = number();
          }
        }
        if (peek() != '}') fail("expected '}'");
        ++pos_;
        if (repeat.max < repeat.min || repeat.max > kMaxRepeat || repeat.min > kMaxRepeat) fail("a repeat count out of range");
      }
      if (peek() == '?') fail("lazy quantifiers are not supported");
      repeat.children.push_back(std::move(atom_node));
      atom_node = std::move(repeat);
    }
    return atom_node;
  }

  std::size_t number() {
    std::size_t n = 0;
    const std::size_t start = pos_;
    while (!at_end() && peek() >= '0' && peek() <= '9' && pos_ - start < 4) n = n * 10 + static_cast<std::size_t>(source_[pos_++] - '0');
    if (pos_ == start) fail("expected a number");
    return n;
  }

  Node atom() {
    const char c = source_[pos_++];
    switch (c) {
      case '(': {
        enum class Group { kPlain, kAhead, kNotAhead } group = Group::kPlain;
        if (peek() == '?') {
          ++pos_;
          const char kind = at_end() ? '\0' : source_[pos_++];
          if (kind == '=') {
            group = Group::kAhead;
          } else if (kind == '!') {
            group = Group::kNotAhead;
          } else if (kind != ':') {
            fail("unsupported group '(?" + std::string(1, kind) + "'");
          }
        }
        Node inner = alternation();
        if (peek() != ')') fail("expected ')'");
        ++pos_;
        if (group == Group::kPlain) return inner;
        // Lookahead of one character or class: an assertion on the next byte.
        const Node* one = &inner;
        if (one->kind == Node::Kind::kConcat && one->children.size() == 1) one = &one->children.front();
        if (one->kind != Node::Kind::kBytes) fail("lookahead is supported for one character or class only");
        return assertion(group == Group::kAhead ? Op::kAhead : Op::kNotAhead, one->set);
      }
      case '[': return klass();
      case '.': {
        std::bitset<256> any;
        any.set();
        any.reset('\n');
        any.reset('\r');
        return bytes(any);
      }
      case '^': return assertion(Op::kBegin);
      case '$': return assertion(Op::kEnd);
      case '\\': {
        if (at_end()) fail("a pattern ending in '\\'");
        const char e = source_[pos_++];
        if (e == 'b') return assertion(Op::kWordBoundary);
        if (e == 'B') return assertion(Op::kNotWordBoundary);
        return bytes(escape(e));
      }
      case ')': fail("unbalanced ')'");
      case '*':
      case '+':
      case '?':
      case '{': fail(std::string("nothing to repeat before '") + c + "'");
      default: {
        std::bitset<256> one;
        one.set(static_cast<unsigned char>(c));
        return bytes(one);
      }
    }
  }

  /// The bytes an escape stands for (outside or inside a class).
  std::bitset<256> escape(char e) const {
    std::bitset<256> set;
    switch (e) {
      case 's': return space_set();
      case 'S': return ~space_set();
      case 'd': return digit_set();
      case 'D': return ~digit_set();
      case 'w': return word_set();
      case 'W': return ~word_set();
      case 'n': set.set('\n'); return set;
      case 't': set.set('\t'); return set;
      case 'r': set.set('\r'); return set;
      case 'f': set.set('\f'); return set;
      case 'v': set.set('\v'); return set;
      default:
        if (is_word_byte(static_cast<unsigned char>(e))) fail(std::string("unsupported escape '\\") + e + "'");
        set.set(static_cast<unsigned char>(e));
        return set;
    }
  }

  Node klass() {
    std::bitset<256> set;
    const bool negated = peek() == '^';
    if (negated) ++pos_;
    while (true) {
      if (at_end()) fail("an unterminated class");
      char c = source_[pos_++];
      if (c == ']') break;
      std::bitset<256> item;
      bool single = true;
      if (c == '\\') {
        if (at_end()) fail("an unterminated class");
        const char e = source_[pos_++];
        item = escape(e);
        single = item.count() == 1 && e != 's' && e != 'S' && e != 'd' && e != 'D' && e != 'w' && e != 'W';
        if (single) {
          for (unsigned b = 0; b < 256; ++b) {
            if (item.test(b)) c = static_cast<char>(b);
          }
        }
      } else {
        item.set(static_cast<unsigned char>(c));
      }
      if (single && peek() == '-' && pos_ + 1 < source_.size() && source_[pos_ + 1] != ']') {
        ++pos_;
        char high = source_[pos_++];
        if (high == '\\') {
          if (at_end()) fail("an unterminated class");
          const auto range_end = escape(source_[pos_++]);
          if (range_end.count() != 1) fail("a class shorthand at the end of a range");
          for (unsigned b = 0; b < 256; ++b) {
            if (range_end.test(b)) high = static_cast<char>(b);
          }
        }
        const auto low = static_cast<unsigned char>(c);
        const auto top = static_cast<unsigned char>(high);
        if (top < low) fail("a range out of order");
        for (unsigned b = low; b <= top; ++b) item.set(b);
      }
      set |= item;
    }
    return bytes(negated ? ~set : set);
  }

  std::size_t here() const { return out_.program_.size(); }
  std::size_t push(Op op, std::size_t x = 0, std::size_t y = 0) {
    out_.program_.push_back({op, x, y});
    return here() - 1;
  }

  void emit(const Node& n) {
    switch (n.kind) {
      case Node::Kind::kEmpty: return;
      case Node::Kind::kBytes: push(Op::kBytes, n.set); return;
      case Node::Kind::kAssert: push(n.assertion, n.set); return;
      case Node::Kind::kConcat:
        for (const auto& child : n.children) emit(child);
        return;
      case Node::Kind::kAlternation: {
        std::vector<std::size_t> exits;
        for (std::size_t i = 0; i < n.children.size(); ++i) {
          if (i + 1 == n.children.size()) {
            emit(n.children[i]);
            break;
          }
          const std::size_t split = push(Op::kSplit, here() + 1);
          emit(n.children[i]);
          exits.push_back(push(Op::kJump));
          out_.program_[split].y = here();
        }
        for (std::size_t j : exits) out_.program_[j].x = here();
        return;
      }
      case Node::Kind::kRepeat: {
        const Node& body = n.children.front();
        for (std::size_t i = 0; i < n.min; ++i) emit(body);
        if (n.unbounded) {
          const std::size_t loop = push(Op::kSplit, here() + 1);
          emit(body);
          push(Op::kJump, loop);
          out_.program_[loop].y = here();
          return;
        }
        std::vector<std::size_t> skips;
        for (std::size_t i = n.min; i < n.max; ++i) {
          skips.push_back(push(Op::kSplit, here() + 1));
          emit(body);
        }
        for (std::size_t s : skips) out_.program_[s].y = here();
        return;
      }
    }
  }

  std::string_view source_;
  std::size_t pos_ = 0;
  Pattern& out_;
};

Pattern::Pattern(std::string_view source) { Compiler(source, *this).compile(); }

bool Pattern::search(std::string_view text) const {
  // Thompson's simulation: the set of instructions alive at each position, advanced one byte at
  // a time; a new thread starts at every position (a search, not a whole-text match).
  const std::size_t n = text.size();
  std::vector<std::size_t> mark(program_.size(), 0);  // generation that last reached each one
  std::vector<std::size_t> current;
  std::vector<std::size_t> next;
  std::vector<std::size_t> stack;
  auto byte_at = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  auto word_at = [&](std::size_t i) { return i < n && is_word_byte(byte_at(i)); };
  // Adds `start` and what it reaches without consuming a byte at position `at` to `list`;
  // true when that reaches the end of the pattern.
  auto closure = [&](std::vector<std::size_t>& list, std::size_t start, std::size_t at) {
    const std::size_t generation = at + 1;
    stack.assign(1, start);
    while (!stack.empty()) {
      const std::size_t pc = stack.back();
      stack.pop_back();
      if (mark[pc] == generation) continue;
      mark[pc] = generation;
      const Instruction& in = program_[pc];
      switch (in.op) {
        case Op::kMatch: return true;
        case Op::kBytes: list.push_back(pc); break;
        case Op::kJump: stack.push_back(in.x); break;
        case Op::kSplit:
          stack.push_back(in.y);
          stack.push_back(in.x);
          break;
        case Op::kBegin:
          if (at == 0) stack.push_back(pc + 1);
          break;
        case Op::kEnd:
          if (at == n) stack.push_back(pc + 1);
          break;
        case Op::kWordBoundary:
        case Op::kNotWordBoundary: {
          const bool boundary = (at > 0 && word_at(at - 1)) != word_at(at);
          if (boundary == (in.op == Op::kWordBoundary)) stack.push_back(pc + 1);
          break;
        }
        case Op::kAhead:
        case Op::kNotAhead: {
          const bool seen = at < n && sets_[in.x].test(byte_at(at));
          if (seen == (in.op == Op::kAhead)) stack.push_back(pc + 1);
          break;
        }
      }
    }
    return false;
  };
  for (std::size_t at = 0;; ++at) {
    if (closure(current, 0, at)) return true;
    if (at == n) return false;
    next.clear();
    for (std::size_t pc : current) {
      if (sets_[program_[pc].x].test(byte_at(at)) && closure(next, pc + 1, at + 1)) return true;
    }
    std::swap(current, next);
  }
}

}  // namespace wakecheck::properties
