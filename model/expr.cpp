#include "model/expr.hpp"

#include <array>
#include <cctype>

#include "model/queries.hpp"
#include "model/scenario.hpp"
#include "model/state.hpp"

namespace wakecheck::model {

namespace {

enum AtomId : std::int32_t {
  kHolds, kWaits, kOwnsPermit, kAvailable, kQueueLength, kPaused, kFinished, kSpawned,
  kRunnable, kWaiting, kSwallowed, kCancelled, kDropped, kFailed, kSleeping, kCompleted, kInCycle,
};

constexpr std::size_t kMaxBindings = 4;
constexpr std::uint8_t kNoVariable = 255;

struct Token {
  enum class Kind { kEnd, kName, kNumber, kSymbol } kind = Kind::kEnd;
  std::string text;
  std::size_t offset = 0;
};

class Parser {
 public:
  Parser(const std::string& text, const ExprScope& scope, ExprError& error)
      : text_(text), scope_(scope), error_(error) {
    next();
  }

  std::optional<Expr> parse() {
    const std::int32_t root = implies();
    if (failed_) return std::nullopt;
    if (token_.kind != Token::Kind::kEnd) {
      fail(token_.offset, "unexpected '" + token_.text + "'; expected an operator or the end");
      return std::nullopt;
    }
    // Evaluation starts at the last node: copy the root there (its children stay in place).
    expr_.nodes.push_back(expr_.nodes[static_cast<std::size_t>(root)]);
    expr_.text = text_;
    return std::move(expr_);
  }

 private:
  // --- lexing --------------------------------------------------------------------------------
  void next() {
    std::size_t i = pos_;
    while (i < text_.size() && std::isspace(static_cast<unsigned char>(text_[i])) != 0) ++i;
    token_ = Token{};
    token_.offset = i;
    if (i >= text_.size()) {
      pos_ = i;
      return;
    }
    const char c = text_[i];
    if (std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '_') {
      std::size_t j = i;
      while (j < text_.size() &&
             (std::isalnum(static_cast<unsigned char>(text_[j])) != 0 || text_[j] == '_')) {
        ++j;
      }
      token_ = {Token::Kind::kName, text_.substr(i, j - i), i};
      pos_ = j;
      return;
    }
    if (std::isdigit(static_cast<unsigned char>(c)) != 0) {
      std::size_t j = i;
      while (j < text_.size() && std::isdigit(static_cast<unsigned char>(text_[j])) != 0) ++j;
      token_ = {Token::Kind::kNumber, text_.substr(i, j - i), i};
      pos_ = j;
      return;
    }
    static const char* const two[] = {"==", "!=", "<=", ">="};
    for (const char* op : two) {
      if (text_.compare(i, 2, op) == 0) {
        token_ = {Token::Kind::kSymbol, op, i};
        pos_ = i + 2;
        return;
      }
    }
    token_ = {Token::Kind::kSymbol, std::string(1, c), i};
    pos_ = i + 1;
  }

  bool is(const char* symbol) const { return token_.kind != Token::Kind::kEnd && token_.text == symbol; }
  bool is_word(const char* word) const { return token_.kind == Token::Kind::kName && token_.text == word; }

  void fail(std::size_t offset, const std::string& message) {
    if (failed_) return;
    failed_ = true;
    error_.offset = offset;
    error_.message = message;
  }
  void fail_unknown(std::size_t offset, const std::string& message, const std::string& name,
                    std::vector<std::string> candidates) {
    if (failed_) return;
    fail(offset, message);
    error_.unknown = name;
    error_.candidates = std::move(candidates);
  }
  std::vector<std::string> task_names() const {
    std::vector<std::string> names(bound_.begin(), bound_.end());
    for (const auto& t : scope_.scenario->tasks) names.push_back(t.name);
    return names;
  }
  std::vector<std::string> resource_names() const {
    std::vector<std::string> names;
    for (const auto& r : scope_.scenario->resources) names.push_back(r.name);
    return names;
  }
  std::vector<std::string> variable_names() const {
    std::vector<std::string> names;
    for (const auto& v : scope_.scenario->variables) {
      if (!v.task || v.task == scope_.task) names.push_back(v.name);
    }
    return names;
  }

  void expect(const char* symbol, const char* what) {
    if (is(symbol)) {
      next();
      return;
    }
    fail(token_.offset, std::string("expected ") + what + ", found " + describe(token_));
  }
  static std::string describe(const Token& t) {
    return t.kind == Token::Kind::kEnd ? "the end" : "'" + t.text + "'";
  }

  std::int32_t add(ExprNode node) {
    expr_.nodes.push_back(std::move(node));
    return static_cast<std::int32_t>(expr_.nodes.size() - 1);
  }
  std::int32_t binary(ExprOp op, std::int32_t a, std::int32_t b) {
    ExprNode node;
    node.op = op;
    node.a = a;
    node.b = b;
    return add(std::move(node));
  }

  // --- grammar -------------------------------------------------------------------------------
  std::int32_t implies() {
    const std::int32_t left = disjunction();
    if (is_word("implies")) {
      next();
      return binary(ExprOp::kImplies, left, implies());
    }
    return left;
  }
  std::int32_t disjunction() {
    std::int32_t left = conjunction();
    while (is_word("or")) {
      next();
      left = binary(ExprOp::kOr, left, conjunction());
    }
    return left;
  }
  std::int32_t conjunction() {
    std::int32_t left = negation();
    while (is_word("and")) {
      next();
      left = binary(ExprOp::kAnd, left, negation());
    }
    return left;
  }
  std::int32_t negation() {
    if (is_word("not")) {
      next();
      return binary(ExprOp::kNot, negation(), -1);
    }
    return comparison();
  }
  std::int32_t comparison() {
    const std::int32_t left = sum();
    static const std::pair<const char*, ExprOp> ops[] = {
        {"==", ExprOp::kEq}, {"!=", ExprOp::kNe}, {"<=", ExprOp::kLe},
        {">=", ExprOp::kGe}, {"<", ExprOp::kLt},  {">", ExprOp::kGt}};
    for (const auto& [symbol, op] : ops) {
      if (is(symbol)) {
        next();
        return binary(op, left, sum());
      }
    }
    if (is("=")) fail(token_.offset, "'=' assigns; to compare, write '=='");
    return left;
  }
  std::int32_t sum() {
    std::int32_t left = unary();
    while (is("+") || is("-")) {
      const ExprOp op = is("+") ? ExprOp::kAdd : ExprOp::kSub;
      next();
      left = binary(op, left, unary());
    }
    return left;
  }
  std::int32_t unary() {
    if (is("-")) {
      next();
      return binary(ExprOp::kNeg, unary(), -1);
    }
    return atom();
  }

  std::int32_t constant(std::int32_t value) {
    ExprNode node;
    node.op = ExprOp::kConst;
    node.value = value;
    return add(std::move(node));
  }

  std::int32_t atom() {
    if (failed_) return constant(0);
    if (token_.kind == Token::Kind::kNumber) {
      const std::string digits = token_.text;
      next();
      if (digits.size() > 6) {
        fail(token_.offset, "number too large: " + digits);
        return constant(0);
      }
      return constant(std::stoi(digits));
    }
    if (is("(")) {
      next();
      const std::int32_t inner = implies();
      expect(")", "')'");
      return inner;
    }
    if (token_.kind != Token::Kind::kName) {
      fail(token_.offset, "expected a value, a name or '(', found " + describe(token_));
      return constant(0);
    }
    const Token name = token_;
    next();
    if (name.text == "true") return constant(1);
    if (name.text == "false") return constant(0);
    if (name.text == "forall" || name.text == "exists") return quantifier(name);
    if (is("(")) return call(name);
    if (is(".")) {
      next();
      return task_variable(name);
    }
    return variable(name);
  }

  std::int32_t quantifier(const Token& word) {
    if (!scope_.allow_state_atoms) {
      fail(word.offset, "'" + word.text + "' is for properties; programs test variables only");
      return constant(0);
    }
    if (token_.kind != Token::Kind::kName) {
      fail(token_.offset, "expected a name to bind after '" + word.text + "'");
      return constant(0);
    }
    if (bound_.size() >= kMaxBindings) {
      fail(token_.offset, "quantifiers nest at most 4 deep");
      return constant(0);
    }
    bound_.push_back(token_.text);
    next();
    expect(":", "':' after the bound name");
    const std::int32_t body = implies();
    ExprNode node;
    node.op = word.text == "forall" ? ExprOp::kForall : ExprOp::kExists;
    node.value = static_cast<std::int32_t>(bound_.size() - 1);
    node.a = body;
    bound_.pop_back();
    return add(std::move(node));
  }

  std::optional<std::size_t> bound(const std::string& name) const {
    for (std::size_t i = bound_.size(); i > 0; --i) {
      if (bound_[i - 1] == name) return i - 1;
    }
    return std::nullopt;
  }

  std::int32_t variable(const Token& name) {
    if (const auto slot = bound(name.text)) {
      // A bound task as a value: its index, so that `t != u` compares tasks.
      ExprNode node;
      node.op = ExprOp::kBoundTask;
      node.value = static_cast<std::int32_t>(*slot);
      return add(std::move(node));
    }
    std::optional<std::size_t> index;
    if (scope_.task) index = scope_.scenario->find_variable(name.text, scope_.task);
    if (!index) index = scope_.scenario->find_variable(name.text);
    if (!index) {
      std::string message = "unknown variable '" + name.text + "'";
      if (scope_.scenario->find_task(name.text)) {
        message += " ('" + name.text + "' is a task; write an atom such as finished(" + name.text + "))";
        fail(name.offset, message);
      } else {
        fail_unknown(name.offset, message, name.text, variable_names());
      }
      return constant(0);
    }
    ExprNode node;
    node.op = ExprOp::kVar;
    node.value = static_cast<std::int32_t>(*index);
    return add(std::move(node));
  }

  std::int32_t task_variable(const Token& task) {
    if (token_.kind != Token::Kind::kName) {
      fail(token_.offset, "expected a variable name after '" + task.text + ".'");
      return constant(0);
    }
    const Token var = token_;
    next();
    if (const auto slot = bound(task.text)) {
      // The variable of that name owned by whichever task is bound: one entry per task
      // (kNoVariable where that task has none).
      ExprNode node;
      node.op = ExprOp::kTaskLocalVar;
      node.value = static_cast<std::int32_t>(*slot);
      bool any = false;
      for (std::size_t t = 0; t < scope_.scenario->tasks.size(); ++t) {
        const auto index = scope_.scenario->find_variable(var.text, t);
        any = any || index.has_value();
        node.args.push_back({ExprArg::Kind::kTask, static_cast<std::uint8_t>(index.value_or(kNoVariable))});
      }
      if (!any) {
        fail(var.offset, "no task has a variable '" + var.text + "'");
        return constant(0);
      }
      return add(std::move(node));
    }
    const auto t = scope_.scenario->find_task(task.text);
    if (!t) {
      fail_unknown(task.offset, "unknown task '" + task.text + "'", task.text, task_names());
      return constant(0);
    }
    const auto index = scope_.scenario->find_variable(var.text, *t);
    if (!index) {
      fail(var.offset, "task '" + task.text + "' has no variable '" + var.text + "'");
      return constant(0);
    }
    ExprNode node;
    node.op = ExprOp::kVar;
    node.value = static_cast<std::int32_t>(*index);
    return add(std::move(node));
  }

  std::int32_t call(const Token& name) {
    const auto& specs = atoms();
    std::optional<std::size_t> id;
    for (std::size_t i = 0; i < specs.size(); ++i) {
      if (name.text == specs[i].name) id = i;
    }
    if (!id) {
      std::vector<std::string> names;
      for (const auto& spec : specs) names.emplace_back(spec.name);
      fail_unknown(name.offset, "unknown atom '" + name.text + "'", name.text, names);
      return constant(0);
    }
    if (!scope_.allow_state_atoms) {
      fail(name.offset, "'" + name.text + "' is for properties; programs test variables only");
      return constant(0);
    }
    next();  // '('
    ExprNode node;
    node.op = ExprOp::kAtom;
    node.value = static_cast<std::int32_t>(*id);
    const std::string kinds = specs[*id].args;
    for (std::size_t k = 0; k < kinds.size(); ++k) {
      if (k > 0) expect(",", "','");
      if (failed_) return constant(0);
      if (token_.kind != Token::Kind::kName) {
        fail(token_.offset, std::string("expected a ") + (kinds[k] == 't' ? "task" : "resource") +
                                " name, found " + describe(token_));
        return constant(0);
      }
      const Token arg = token_;
      next();
      if (kinds[k] == 't') {
        if (const auto slot = bound(arg.text)) {
          node.args.push_back({ExprArg::Kind::kBoundTask, static_cast<std::uint8_t>(*slot)});
        } else if (const auto t = scope_.scenario->find_task(arg.text)) {
          node.args.push_back({ExprArg::Kind::kTask, static_cast<std::uint8_t>(*t)});
        } else {
          fail_unknown(arg.offset, "unknown task '" + arg.text + "'", arg.text, task_names());
          return constant(0);
        }
      } else if (const auto r = scope_.scenario->find_resource(arg.text)) {
        node.args.push_back({ExprArg::Kind::kResource, static_cast<std::uint8_t>(*r)});
      } else {
        fail_unknown(arg.offset, "unknown resource '" + arg.text + "'", arg.text, resource_names());
        return constant(0);
      }
    }
    expect(")", "')'");
    return add(std::move(node));
  }

  const std::string& text_;
  const ExprScope& scope_;
  ExprError& error_;
  Expr expr_;
  Token token_;
  std::size_t pos_ = 0;
  bool failed_ = false;
  std::vector<std::string> bound_;
};

struct Evaluator {
  const Expr& expr;
  const Scenario& sc;
  StateView s;
  std::optional<std::size_t> task;
  std::array<std::size_t, kMaxBindings> bindings{};

  std::size_t task_arg(const ExprArg& arg) const {
    return arg.kind == ExprArg::Kind::kBoundTask ? bindings[arg.index] : arg.index;
  }

  std::int32_t atom(const ExprNode& node) const {
    const auto t = node.args.empty() ? TaskId{} : task_at(task_arg(node.args[0]));
    auto resource = [&](std::size_t k) { return resource_at(node.args[k].index); };
    const TaskState& ts = s.task(t);
    switch (static_cast<AtomId>(node.value)) {
      case kHolds: return holds(s, sc, t, resource(1)) ? 1 : 0;
      case kWaits: return waits_on(s, sc, t) == resource(1) ? 1 : 0;
      case kOwnsPermit: return owned_by_future(s, t, resource(1)) > 0 ? 1 : 0;
      case kAvailable: return available(s, sc, resource(0));
      case kQueueLength: return queue_length(s, sc, resource(0));
      case kPaused: return task_paused(s, sc, t) ? 1 : 0;
      case kFinished: return ts.finished() ? 1 : 0;
      case kSpawned: return ts.status != TaskStatus::kNotSpawned ? 1 : 0;
      case kRunnable:
        // A task in a run queue or with a wake on its way; a branch in its set's ready queue.
        return (ts.status == TaskStatus::kScheduled || ts.wake_pending || s.ready_children().contains(t)) ? 1 : 0;
      case kWaiting: return waits_on(s, sc, t).has_value() || joins(s, sc, t).has_value() ? 1 : 0;
      case kSwallowed: return task_swallowed(s, sc, t) ? 1 : 0;
      case kCancelled: return ts.status == TaskStatus::kCancelled ? 1 : 0;
      case kDropped: return ts.status == TaskStatus::kDropped ? 1 : 0;
      case kFailed: return ts.status == TaskStatus::kFailed ? 1 : 0;
      case kSleeping: return ts.timer == 1 ? 1 : 0;
      case kCompleted: return ts.status == TaskStatus::kComplete ? 1 : 0;
      case kInCycle: {
        if (!has_wait_for_cycle(s, sc)) return 0;
        for (TaskId member : wait_for_cycle(s, sc)) {
          if (member == t) return 1;
        }
        return 0;
      }
    }
    return 0;
  }

  std::int32_t eval(std::int32_t at) {
    const ExprNode& node = expr.nodes[static_cast<std::size_t>(at)];
    switch (node.op) {
      case ExprOp::kConst: return node.value;
      case ExprOp::kBoundTask: return static_cast<std::int32_t>(bindings[static_cast<std::size_t>(node.value)]);
      case ExprOp::kVar: return s.var(static_cast<std::size_t>(node.value));
      case ExprOp::kTaskLocalVar: {
        const std::size_t owner = bindings[static_cast<std::size_t>(node.value)];
        const std::uint8_t index = node.args[owner].index;
        return index == kNoVariable ? 0 : s.var(index);
      }
      case ExprOp::kNot: return eval(node.a) == 0 ? 1 : 0;
      case ExprOp::kNeg: return -eval(node.a);
      case ExprOp::kAnd: return (eval(node.a) != 0 && eval(node.b) != 0) ? 1 : 0;
      case ExprOp::kOr: return (eval(node.a) != 0 || eval(node.b) != 0) ? 1 : 0;
      case ExprOp::kImplies: return (eval(node.a) == 0 || eval(node.b) != 0) ? 1 : 0;
      case ExprOp::kEq: return eval(node.a) == eval(node.b) ? 1 : 0;
      case ExprOp::kNe: return eval(node.a) != eval(node.b) ? 1 : 0;
      case ExprOp::kLt: return eval(node.a) < eval(node.b) ? 1 : 0;
      case ExprOp::kLe: return eval(node.a) <= eval(node.b) ? 1 : 0;
      case ExprOp::kGt: return eval(node.a) > eval(node.b) ? 1 : 0;
      case ExprOp::kGe: return eval(node.a) >= eval(node.b) ? 1 : 0;
      case ExprOp::kAdd: return eval(node.a) + eval(node.b);
      case ExprOp::kSub: return eval(node.a) - eval(node.b);
      case ExprOp::kForall:
      case ExprOp::kExists: {
        const bool all = node.op == ExprOp::kForall;
        const auto slot = static_cast<std::size_t>(node.value);
        for (std::size_t t = 0; t < sc.tasks.size(); ++t) {
          bindings[slot] = t;
          const bool value = eval(node.a) != 0;
          if (all && !value) return 0;
          if (!all && value) return 1;
        }
        return all ? 1 : 0;
      }
      case ExprOp::kAtom: return atom(node);
    }
    return 0;
  }

};

}  // namespace

std::optional<Expr> parse_expr(const std::string& text, const ExprScope& scope, ExprError& error) {
  Parser parser(text, scope, error);
  auto expr = parser.parse();
  if (expr) {
    for (const auto& node : expr->nodes) {
      if (node.op == ExprOp::kVar && scope.task &&
          scope.scenario->variables[static_cast<std::size_t>(node.value)].task == scope.task) {
        expr->uses_locals = true;
      }
    }
  }
  return expr;
}

std::int32_t eval(const Expr& expr, const Scenario& scenario, StateView state,
                  std::optional<std::size_t> task) {
  Evaluator evaluator{expr, scenario, state, task, {}};
  return evaluator.eval(static_cast<std::int32_t>(expr.nodes.size() - 1));
}

const std::vector<AtomSpec>& atoms() {
  static const std::vector<AtomSpec> specs = {
      {"holds", "tr", "the task holds a guard of the resource (tokio or std mutex)"},
      {"waits", "tr", "the task is queued on the resource (a lock, or a Notify)"},
      {"owns_permit", "tr", "a permit of the resource is assigned to the task's pending lock future"},
      {"available", "r", "permits available (a Notify: 1 if it stores a permit)"},
      {"queue_length", "r", "waiters queued on the resource"},
      {"paused", "t", "a pause flag of the task, or of a future inside it, is set"},
      {"finished", "t", "the task's future is gone: completed, cancelled, dropped or failed"},
      {"spawned", "t", "the task has been spawned (main always has)"},
      {"runnable", "t", "the task is scheduled, or a wake for it is on its way"},
      {"waiting", "t", "the task waits for a resource or a join"},
      {"swallowed", "t", "a wake reached a wrapper of the task that did not poll its inner future"},
      {"cancelled", "t", "the task was aborted"},
      {"dropped", "t", "the task's future was dropped (drop, drop_on_pause)"},
      {"failed", "t", "a modelling error stopped the task"},
      {"sleeping", "t", "the task waits for its timer"},
      {"completed", "t", "the task's future returned Ready"},
      {"in_cycle", "t", "the task is on a cycle of the wait-for graph (a circular wait)"},
  };
  return specs;
}

}  // namespace wakecheck::model
