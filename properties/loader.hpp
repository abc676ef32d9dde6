// The property-file loader, inside the properties layer: one class whose parts live by concern:
//   property_file.cpp      reading the document: scenario, resources, variables, tasks, faults
//   loader_names.cpp       resolving names: tasks, copies, variables, resources, futures
//   loader_programs.cpp    compiling programs: blocks, compound statements, combinators
//   loader_operations.cpp  compiling one-line operations ("lock m", "spawn worker", ...)
//   loader_checks.cpp      checking: unlocks of what a task does not hold; the file's checks and
//                          their formulas
// The keys that nest statements are properties/statement_keys.hpp's table.
#pragma once

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "model/expr.hpp"
#include "properties/hold_analysis.hpp"
#include "properties/json_reader.hpp"
#include "properties/property_file.hpp"
#include "properties/schema_validator.hpp"
#include "properties/suggest.hpp"

namespace wakecheck::properties::loading {

using nlohmann::json;
using model::Op;
using model::OpKind;

struct TaskGroup {
  std::string name;
  std::size_t json_index = 0;  // where it is in scenario.tasks
  std::size_t first = 0;       // index of its first task in the scenario
  std::size_t copies = 1;
};

/// Where a statement is compiled: what it may contain.
struct Context {
  bool in_handler = false;  // an on_drop handler: synchronous operations only
  bool in_guard = false;    // inside an on_drop scope (they do not nest)
  bool in_future = false;   // inside a nested wrapped future (they do not nest)
  bool in_branch = false;   // a combinator's branch (combinators do not nest)
  bool in_block = false;    // inside block_in_place (it does not nest)
  bool in_shared = false;   // a shared future's body (polled by whichever clone awaits it)
  std::size_t depth = 0;    // blocks around this one (the program itself: 0)
};


// --- small lexing, for statements and formulas (no std::regex on user text) ---------------------

inline bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
inline bool is_word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; }

inline std::size_t skip_spaces(const std::string& text, std::size_t at) {
  while (at < text.size() && is_space(text[at])) ++at;
  return at;
}

/// The end of the name ([A-Za-z_][A-Za-z0-9_]*) starting at `at`, or `at` when none starts there.
inline std::size_t name_end(const std::string& text, std::size_t at) {
  if (at >= text.size() || std::isdigit(static_cast<unsigned char>(text[at])) != 0 || !is_word_char(text[at])) return at;
  while (at < text.size() && is_word_char(text[at])) ++at;
  return at;
}

/// "NAME = REST" (not "=="): the name's and the rest's offsets.
struct Assignment {
  std::size_t name_at = 0;
  std::size_t name_end = 0;
  std::size_t rest_at = 0;
};
inline std::optional<Assignment> split_assignment(const std::string& text) {
  Assignment a;
  a.name_at = skip_spaces(text, 0);
  a.name_end = name_end(text, a.name_at);
  if (a.name_end == a.name_at) return std::nullopt;
  const std::size_t eq = skip_spaces(text, a.name_end);
  if (eq >= text.size() || text[eq] != '=' || (eq + 1 < text.size() && text[eq + 1] == '=')) return std::nullopt;
  a.rest_at = skip_spaces(text, eq + 1);
  return a;
}

/// Where an expression nests deeper than the parser and evaluator may recurse: the offset and
/// what is wrong, checked on the text before it is parsed.
inline std::optional<std::pair<std::size_t, std::string>> expression_too_deep(const std::string& text) {
  std::size_t open = 0;
  std::size_t prefix = 0;
  bool operand_before = false;  // the previous token ends an operand (so '-' is binary)
  for (std::size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (is_space(c)) {
      ++i;
      continue;
    }
    if (is_word_char(c)) {
      const std::size_t start = i;
      while (i < text.size() && is_word_char(text[i])) ++i;
      const std::string word = text.substr(start, i - start);
      const bool nests = word == "not" || word == "implies" || word == "forall" || word == "exists";
      if (nests && ++prefix > kMaxExprPrefixOperators) {
        return std::pair{start, "more than " + std::to_string(kMaxExprPrefixOperators) +
                                    " 'not', unary '-', 'implies', 'forall' and 'exists' in one expression"};
      }
      operand_before = !nests && word != "and" && word != "or";
      continue;
    }
    if (c == '(') {
      if (++open > kMaxExprParentheses) {
        return std::pair{i, "more than " + std::to_string(kMaxExprParentheses) + " parentheses open at once"};
      }
    } else if (c == ')') {
      if (open > 0) --open;
    } else if (c == '-' && !operand_before) {
      if (++prefix > kMaxExprPrefixOperators) {
        return std::pair{i, "more than " + std::to_string(kMaxExprPrefixOperators) +
                                " 'not', unary '-', 'implies', 'forall' and 'exists' in one expression"};
      }
    }
    operand_before = c == ')';
    ++i;
  }
  return std::nullopt;
}

/// Levels of a parsed expression's tree (its nodes are in post-order: children come first).
inline std::size_t tree_depth(const model::Expr& expr) {
  std::vector<std::size_t> depth(expr.nodes.size(), 1);
  std::size_t deepest = 0;
  for (std::size_t i = 0; i < expr.nodes.size(); ++i) {
    for (const std::int32_t child : {expr.nodes[i].a, expr.nodes[i].b}) {
      if (child >= 0 && static_cast<std::size_t>(child) < i) {
        depth[i] = std::max(depth[i], depth[static_cast<std::size_t>(child)] + 1);
      }
    }
    deepest = std::max(deepest, depth[i]);
  }
  return deepest;
}

/// An expression error, with the near name for a misspelling.
inline std::string message_of(const model::ExprError& error) {
  if (error.unknown.empty()) return error.message;
  if (auto near = nearest_name(error.unknown, error.candidates)) {
    return error.message + "; did you mean '" + *near + "'?";
  }
  return error.message;
}


class Loader {
 public:
  Loader(const std::string& path, const std::string& text) : in_(path, text) {}

  PropertyFile load();

 private:
  static bool deferrable(const std::string& message) {
    return message.rfind("expected an operation", 0) == 0 || message.rfind("expected one of", 0) == 0 ||
           message.rfind("expected a formula", 0) == 0;
  }
  [[noreturn]] void report(const SchemaError& error) const {
    if (error.message.rfind("unknown key", 0) == 0) in_.fail_key(error.pointer, error.message);
    in_.fail(error.pointer, error.message);
  }

  // --- scenario --------------------------------------------------------------------------------

  model::Scenario scenario(const json& value, const std::string& at);

  std::string name(const json& value, const std::string& at);

  void resources(const json& value, const std::string& at, model::Scenario& sc);

  /// "variables": {"ready": false, "count": 0, "state": {"initial": 0, "min": 0, "max": 3}}
  /// A channel's "senders" (resolved once the tasks are known) and a oneshot's single send.
  void senders(const json& list, const std::string& at, model::Scenario& sc);
  void variables(const json& value, const std::string& at, model::Scenario& sc,
                 std::optional<std::size_t> task);

  void tasks(const json& value, const std::string& at, model::Scenario& sc);
  /// `"shared_futures"`: their slots (after every task and branch), then, once every task is
  /// known, their bodies.
  void shared_slots(model::Scenario& sc, std::vector<model::Wrapper>& wrappers);
  void shared_bodies(model::Scenario& sc);

  // --- unlocks of what the task does not hold -------------------------------------------------------

  /// A compiled program: a task's (or a branch's), or an on_drop handler.
  struct Owner {
    std::size_t index = 0;
    bool handler = false;
    bool operator==(const Owner&) const = default;
  };
  /// An unlock or std_unlock, where it was compiled and where it is written.
  struct UnlockSite {
    const std::vector<Op>* compiling = nullptr;  // while its program is being compiled
    std::optional<Owner> owner;                  // once that program is complete
    std::size_t pc = 0;
    std::string pointer;
    std::size_t column = 0;
    std::string text;
  };

  /// `program` is complete and belongs to `owner`: its unlock sites say so.
  void compiled(const std::vector<Op>& program, Owner owner);

  /// An unlock that no path reaches while the task holds the resource releases nothing: the
  /// file means something else. (Whether one that some path reaches holds on every path is
  /// left to the run: the model then narrates "no guard held".)
  void check_unlocks(const model::Scenario& sc);

  void check_sites(Owner owner, const std::vector<std::optional<Holdings>>& at, const model::Scenario& sc);

  model::Wrapper parse_wrapper(const json& value, const std::string& at);

  void collect_futures(const json& program, const std::string& at, model::Scenario& sc, std::size_t task);

  /// Creates a child slot for each branch of each combinator in `task`'s program. A branch is
  /// {"name": N, "wrapper"?: W, "do": [...]}; its slot is named N (N + copy for copies).
  void collect_children(const json& program, const std::string& at, model::Scenario& sc, std::size_t task,
                        const std::string& copy, std::vector<model::Wrapper>& wrappers);

  // --- programs ----------------------------------------------------------------------------------

  /// A list of statements, nested in `ctx.depth` blocks: checked before the recursion into it.
  void block(const json& value, const std::string& at, model::Scenario& sc, std::size_t task,
             const Context& ctx, std::vector<Op>& out);

  static std::uint8_t pc_of(const std::vector<Op>& out) { return static_cast<std::uint8_t>(std::min<std::size_t>(out.size(), 255)); }

  std::uint8_t expression(const std::string& text, const std::string& at, std::size_t offset,
                          model::Scenario& sc, std::size_t task);

  void statement(const json& st, const std::string& at, model::Scenario& sc, std::size_t task,
                 const Context& ctx, std::vector<Op>& out);

  /// A select!'s "won": the variable (+ 1) that receives the winning branch's index, or 0.
  std::uint8_t won_variable(const json& st, const std::string& at, const model::Scenario& sc, std::size_t task);
  /// join! / FuturesUnordered (buffer_unordered) / select_all: the branches' programs go to their
  /// child slots; the task's program gets the combinator.
  void combinator(const json& st, const std::string& at, const char* key, OpKind kind, model::Scenario& sc,
                  std::size_t task, const Context& ctx, std::vector<Op>& out);

  std::vector<std::string> variable_names(const model::Scenario& sc, std::size_t task) const;

  std::vector<std::string> task_names(const model::Scenario& sc) const;

  /// The tasks a name denotes: one task, or every copy of a template.
  std::optional<std::vector<std::size_t>> resolve_tasks(const model::Scenario& sc, const std::string& n) const;

  /// One statement written as a string: an operation ("lock m"), an assignment ("x = y + 1",
  /// "got = try_lock m") or "return".
  /// A duration: 1 to 255 ticks, or a located error.
  std::uint8_t ticks(const std::string& word, const std::string& at, std::size_t column);
  void simple(const std::string& text, const std::string& at, model::Scenario& sc, std::size_t task,
              const Context& ctx, std::vector<Op>& out, std::size_t base = 0);

  /// tokio::spawn takes the future: one task is spawned by one statement. A second `spawn` of it
  /// (another statement, or the same one in each copy of a template) is an error here; the model
  /// would ignore it ("already spawned").
  void spawn_once(std::size_t t, const std::string& at, std::size_t column, const model::Scenario& sc,
                  std::size_t spawner);

  std::uint8_t resource(const std::string& n, const std::string& at, std::size_t column,
                        const model::Scenario& sc, const std::vector<model::ResourceKind>& kinds,
                        const std::string& verb);

  // --- faults and checks -------------------------------------------------------------------------

  void faults(const json& value, const std::string& at, model::Scenario& sc);

  /// The futures a name denotes: a task's own ("worker1"), a template's copies ("worker"), a
  /// nested future ("worker1.wait") or that nested future in every copy ("worker.wait").
  std::vector<std::size_t> resolve_futures(const model::Scenario& sc, const std::string& n) const;

  std::vector<Check> checks(const json& value, const std::string& at, const model::Scenario& sc);

  model::Expr predicate(const std::string& text, std::size_t offset, const std::string& at,
                        const model::Scenario& sc);

  /// model::parse_expr recurses once per parenthesis and prefix operator, and eval once per
  /// level of the tree: both are bounded before they run.
  model::Expr parse_bounded(const std::string& text, const model::ExprScope& scope, const std::string& at,
                            std::size_t offset);

  /// "always P", "never P", "reachable P" or "P leads_to Q".
  Formula formula(const std::string& text, const std::string& at, const model::Scenario& sc);

  JsonReader in_;
  std::vector<TaskGroup> groups_;
  std::map<std::string, std::size_t> first_child_;  // combinator statement path -> first child
  std::vector<std::pair<std::string, std::size_t>> child_at_;  // branch path -> child slot
  std::map<std::string, const json*> child_json_;  // branch path -> its "do" program
  std::map<std::size_t, std::string> branch_name_;  // child slot -> its name as written (no copy index)
  const json* shared_json_ = nullptr;  // the scenario's "shared_futures", if any
  std::string shared_at_;
  std::optional<SchemaError> deferred_;
  std::vector<UnlockSite> unlocks_;
  std::map<std::size_t, std::pair<std::string, std::size_t>> spawned_;  // task -> where (pointer, column)
};

}  // namespace wakecheck::properties::loading
