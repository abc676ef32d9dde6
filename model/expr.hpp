// Expressions: the small language shared by task programs (tests and assignments over variables)
// and by property files (state predicates over tasks, resources and variables).
//
//   expr    := implies
//   implies := or ('implies' implies)?
//   or      := and ('or' and)*
//   and     := not ('and' not)*
//   not     := 'not' not | cmp
//   cmp     := sum (('==' | '!=' | '<' | '<=' | '>' | '>=') sum)?
//   sum     := unary (('+' | '-') unary)*
//   unary   := '-' unary | atom
//   atom    := INT | 'true' | 'false' | NAME | NAME '.' NAME | NAME '(' args ')' | '(' expr ')'
//            | ('forall' | 'exists') NAME ':' expr
//
// Values are integers; booleans are 0 and 1. NAME is a variable (shared, or the running task's
// own) or a task bound by a quantifier (its index, so `t != u` compares tasks), `task.var` a
// task's own variable, and `NAME(...)` one of the atoms listed in atoms(). Quantifiers range
// over every task of the scenario.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace wakecheck::model {

struct Scenario;
template <class Byte>
class StateBase;
using StateView = StateBase<const std::uint8_t>;

enum class ExprOp : std::uint8_t {
  kConst, kVar,                 // value; variable index
  kBoundTask,                   // a task bound by a quantifier, as its index: value = slot
  kTaskLocalVar,                // `t.var` for a bound t: value = binding slot, args[task] = variable
  kNot, kNeg, kAnd, kOr, kImplies,
  kEq, kNe, kLt, kLe, kGt, kGe, kAdd, kSub,
  kForall, kExists,             // a: binding slot, b: body
  kAtom,                        // atom call: value = atom id, args in args[]
};

/// One argument of an atom: a task (fixed or bound by a quantifier) or a resource.
struct ExprArg {
  enum class Kind : std::uint8_t { kTask, kBoundTask, kResource } kind = Kind::kTask;
  std::uint8_t index = 0;
};

struct ExprNode {
  ExprOp op = ExprOp::kConst;
  std::int32_t value = 0;  // constant, variable index, local slot, atom id, binding slot
  std::int32_t a = -1;     // child node indices
  std::int32_t b = -1;
  std::vector<ExprArg> args;
};

/// A parsed expression: nodes in a pool, the root last.
struct Expr {
  std::vector<ExprNode> nodes;
  std::string text;
  bool uses_locals = false;  // refers to the running task's own variables
};

/// What names mean while parsing: variables, tasks, resources, and what is allowed.
struct ExprScope {
  const Scenario* scenario = nullptr;
  std::optional<std::size_t> task;  // the task whose program this is (its own variables)
  bool allow_state_atoms = true;    // properties: yes; programs: only variables
};

/// A parse error: what was expected, at which byte of the expression's text.
struct ExprError {
  std::size_t offset = 0;
  std::string message;
  // For an unknown name: the name and the names it could have been, so that the caller can
  // suggest the nearest ("did you mean").
  std::string unknown;
  std::vector<std::string> candidates;
};

/// Parses `text`. On failure returns nullopt and fills `error`.
std::optional<Expr> parse_expr(const std::string& text, const ExprScope& scope, ExprError& error);

/// Evaluates `expr` in `state`; `task` is the running task for its own variables.
std::int32_t eval(const Expr& expr, const Scenario& scenario, StateView state,
                  std::optional<std::size_t> task = std::nullopt);

/// The atoms a property may use, with their argument kinds ("t" task, "r" resource), for docs
/// and error messages.
struct AtomSpec {
  const char* name;
  const char* args;
  const char* meaning;
};
const std::vector<AtomSpec>& atoms();

}  // namespace wakecheck::model
