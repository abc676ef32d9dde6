// The loader's checks of what it compiled: unlocks of what a task does not hold; and the file's
// checks, built-in properties and formulas.

#include <algorithm>
#include <set>
#include <sstream>

#include "model/limits.hpp"
#include "properties/builtins.hpp"
#include "properties/input_error.hpp"
#include "properties/limits.hpp"
#include "properties/loader.hpp"
#include "properties/statement_keys.hpp"

namespace wakecheck::properties::loading {

void Loader::compiled(const std::vector<Op>& program, Owner owner) {
  for (auto& site : unlocks_) {
    if (!site.owner && site.compiling == &program) {
      site.owner = owner;
      site.compiling = nullptr;
    }
  }
}

void Loader::check_unlocks(const model::Scenario& sc) {
  for (std::size_t t = 0; t < sc.tasks.size(); ++t) {
    const auto& program = sc.tasks[t].program;
    const auto at = may_hold(program, Holdings{});
    check_sites(Owner{t, false}, at, sc);
    for (std::size_t h = 0; h < sc.handlers.size(); ++h) {
      if (const auto entry = handler_entry(program, at, h)) check_sites(Owner{h, true}, may_hold(sc.handlers[h], *entry), sc);
    }
  }
}

void Loader::check_sites(Owner owner, const std::vector<std::optional<Holdings>>& at, const model::Scenario& sc) {
  const auto& program = owner.handler ? sc.handlers[owner.index] : sc.tasks[owner.index].program;
  for (const auto& site : unlocks_) {
    if (site.owner != owner || site.pc >= program.size()) continue;
    const std::size_t r = program[site.pc].a;
    if (at[site.pc] && (*at[site.pc])[r] > 0) continue;
    const std::string& res = sc.resources[r].name;
    const bool std_mutex = program[site.pc].kind == OpKind::kStdUnlock;
    in_.fail(site.pointer, "'" + site.text + "': the task never holds " + res + " here (no " +
                               (std_mutex ? "std_lock" : "lock, try_lock or select") + " of " + res +
                               " reaches this statement)",
             site.column);
  }
}

std::vector<Check> Loader::checks(const json& value, const std::string& at, const model::Scenario& sc) {
  const json& list = in_.array(value, at);
  if (list.empty()) in_.fail(at, "expected at least one check");
  std::vector<Check> out;
  std::set<std::string> seen;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string p = at + "/" + std::to_string(i);
    Check check;
    if (list[i].is_object() && list[i].contains("cancel_safe")) {
      in_.expect_object(list[i], p, {"name", "cancel_safe", "expect"}, {"cancel_safe"});
      const std::string& task = in_.string(list[i]["cancel_safe"], p + "/cancel_safe");
      const auto t = sc.find_task(task);
      const auto f = t ? std::nullopt : sc.find_future(task);
      if (!t && (!f || *f < sc.tasks.size())) {
        std::vector<std::string> names = task_names(sc);
        for (std::size_t n = sc.tasks.size(); n < sc.futures.size(); ++n) names.push_back(sc.futures[n].name);
        in_.fail(p + "/cancel_safe", JsonReader::unknown("task or nested future", task, names));
      }
      if (t && *t == 0) in_.fail(p + "/cancel_safe", "main is the runtime's block_on future; nothing drops it");
      if (t && sc.tasks[*t].parent) {
        in_.fail(p + "/cancel_safe", "'" + task + "' is a branch inside " + sc.tasks[*sc.tasks[*t].parent].name +
                                         "; name a task, whose future a caller can drop");
      }
      // A nested future ("worker.compute") is dropped at each await point inside it, and its task
      // goes on after it.
      const std::size_t owner = t ? *t : sc.futures[*f].task;
      if (model::await_points(sc, owner, f).empty()) {
        in_.fail(p + "/cancel_safe", "'" + task + "' has no await point to be dropped at");
      }
      if (sc.fault(model::FaultKind::kDrop).budget > 0) {
        in_.fail(p + "/cancel_safe", std::string("cancel_safe drops the ") + (t ? "task" : "future") +
                                         " itself; the file's drop fault budget would add more drops");
      }
      check.cancel_safe = owner;
      check.cancel_future = f;
      std::string default_name = "cancel_safe_" + task;
      std::replace(default_name.begin(), default_name.end(), '.', '_');
      check.name = list[i].contains("name") ? name(list[i]["name"], p + "/name") : default_name;
    } else if (list[i].is_object() && list[i].contains("formula")) {
      in_.expect_object(list[i], p, {"name", "formula", "expect"}, {"formula"});
      const std::string& text = in_.string(list[i]["formula"], p + "/formula");
      check.formula = formula(text, p + "/formula", sc);
      check.name = list[i].contains("name") ? name(list[i]["name"], p + "/name") : text;
    } else {
      in_.expect_object(list[i], p, {"property", "expect"}, {"property"});
      check.builtin = in_.choice(list[i]["property"], p + "/property", "property", builtin_names());
      check.name = check.builtin;
    }
    if (!seen.insert(check.name).second) in_.fail(p, "property '" + check.name + "' is checked twice");
    if (list[i].contains("expect")) {
      const auto e = in_.choice(list[i]["expect"], p + "/expect", "expectation",
                                {"holds", "violated", "vacuous", "reached", "unreachable"});
      // A reachable property is "reached" or "unreachable" (holds and violated still mean the
      // same); the other kinds have no such words.
      const bool reachable = check.formula       ? check.formula->kind == FormulaKind::kReachable
                             : check.cancel_safe ? false
                                                 : find_builtin(check.builtin)->kind == explorer::PropertyKind::kSometimes;
      if (!reachable && (e == "reached" || e == "unreachable")) {
        in_.fail(p + "/expect", "'" + e + "' is for reachable properties; expected holds, violated or vacuous");
      }
      check.expected = e == "holds" || e == "reached"        ? Expectation::kHolds
                       : e == "violated" || e == "unreachable" ? Expectation::kViolated
                                                               : Expectation::kVacuous;
    }
    out.push_back(std::move(check));
  }
  return out;
}

model::Expr Loader::predicate(const std::string& text, std::size_t offset, const std::string& at,
                      const model::Scenario& sc) {
  model::ExprScope scope;
  scope.scenario = &sc;
  return parse_bounded(text, scope, at, offset);
}

model::Expr Loader::parse_bounded(const std::string& text, const model::ExprScope& scope, const std::string& at,
                          std::size_t offset) {
  if (const auto deep = expression_too_deep(text)) in_.fail(at, deep->second, offset + deep->first + 1);
  model::ExprError error;
  auto expr = model::parse_expr(text, scope, error);
  if (!expr) in_.fail(at, message_of(error), offset + error.offset + 1);
  if (const std::size_t depth = tree_depth(*expr); depth > kMaxExprTreeDepth) {
    in_.fail(at, "an expression nested " + std::to_string(depth) + " levels deep; at most " +
                     std::to_string(kMaxExprTreeDepth),
             offset + skip_spaces(text, 0) + 1);
  }
  return std::move(*expr);
}

Formula Loader::formula(const std::string& text, const std::string& at, const model::Scenario& sc) {
  Formula f;
  f.text = text;
  const std::size_t first_at = skip_spaces(text, 0);
  std::size_t first_end = first_at;
  while (first_end < text.size() && is_word_char(text[first_end])) ++first_end;
  const std::string word = text.substr(first_at, first_end - first_at);
  if (word == "always" || word == "never" || word == "reachable" || word == "eventually") {
    f.kind = word == "always"       ? FormulaKind::kAlways
             : word == "never"      ? FormulaKind::kNever
             : word == "eventually" ? FormulaKind::kEventually
                                    : FormulaKind::kReachable;
    const std::size_t offset = first_end;
    f.p = predicate(text.substr(offset), offset, at, sc);
    if (f.kind == FormulaKind::kAlways && f.p.nodes.back().op == model::ExprOp::kImplies) {
      // The antecedent: the implication's left operand, as its own expression.
      model::Expr a = f.p;
      a.nodes.push_back(a.nodes[static_cast<std::size_t>(f.p.nodes.back().a)]);
      f.antecedent = std::move(a);
    }
    return f;
  }
  // "P leads_to Q": split at the first leads_to outside parentheses.
  int depth = 0;
  for (std::size_t i = 0; i + 8 <= text.size(); ++i) {
    if (text[i] == '(') ++depth;
    if (text[i] == ')') --depth;
    const bool word_start = i == 0 || !(std::isalnum(static_cast<unsigned char>(text[i - 1])) != 0 || text[i - 1] == '_');
    const bool word_end = i + 8 == text.size() || !(std::isalnum(static_cast<unsigned char>(text[i + 8])) != 0 || text[i + 8] == '_');
    if (depth == 0 && word_start && word_end && text.compare(i, 8, "leads_to") == 0) {
      f.kind = FormulaKind::kLeadsTo;
      f.p = predicate(text.substr(0, i), 0, at, sc);
      f.q = predicate(text.substr(i + 8), i + 8, at, sc);
      return f;
    }
  }
  in_.fail(at, "expected a formula: 'always P', 'never P', 'reachable P', 'eventually P' or 'P leads_to Q'", 1);
}

}  // namespace wakecheck::properties::loading
