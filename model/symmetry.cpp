#include "model/symmetry.hpp"

#include "model/queries.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstring>
#include <map>
#include <numeric>
#include <optional>

namespace wakecheck::model {
namespace {

/// What an operand of an operation denotes.
enum class Operand { kNone, kTask, kFuture, kVariable, kVariablePlusOne, kExpr, kHandler, kFirstChild, kValue };

struct OperandKinds {
  Operand a = Operand::kValue, b = Operand::kValue, c = Operand::kValue;
};

OperandKinds operands(OpKind kind) {
  switch (kind) {
    case OpKind::kSpawn:
    case OpKind::kJoin:
    case OpKind::kDrop:
    case OpKind::kAbort: return {Operand::kTask, Operand::kValue, Operand::kValue};
    case OpKind::kPause:
    case OpKind::kResume:
    case OpKind::kWrapBegin:
    case OpKind::kWrapEnd: return {Operand::kFuture, Operand::kValue, Operand::kValue};
    case OpKind::kAssign: return {Operand::kVariable, Operand::kExpr, Operand::kValue};
    case OpKind::kJumpUnless: return {Operand::kExpr, Operand::kValue, Operand::kValue};
    case OpKind::kGuardBegin:
    case OpKind::kGuardEnd: return {Operand::kHandler, Operand::kValue, Operand::kValue};
    case OpKind::kTryLock: return {Operand::kValue, Operand::kVariablePlusOne, Operand::kValue};
    case OpKind::kSelect: return {Operand::kValue, Operand::kValue, Operand::kVariablePlusOne};
    case OpKind::kHandLock: return {Operand::kValue, Operand::kTask, Operand::kValue};
    case OpKind::kJoinAll:
    case OpKind::kNextChild:
    case OpKind::kStartSet:
    case OpKind::kSelectAll: return {Operand::kFirstChild, Operand::kValue, Operand::kValue};
    default: return {};
  }
}

/// One copy of a task group: its slots, in an order every copy shares.
struct Copy {
  std::vector<std::size_t> tasks;      // the copy, then its branches in index order
  std::vector<std::size_t> futures;    // its slots' own futures, then nested ones, by index
  std::vector<std::size_t> variables;  // its own variables, by index
  std::vector<std::size_t> handlers;   // on_drop handlers its programs use, in order of use
  std::vector<std::size_t> exprs;      // expressions its programs use, in order of use
};

template <class T>
std::optional<std::size_t> position(const std::vector<T>& list, T value) {
  const auto it = std::find(list.begin(), list.end(), value);
  if (it == list.end()) return std::nullopt;
  return static_cast<std::size_t>(it - list.begin());
}

class Builder {
 public:
  Builder(const Scenario& sc, const std::vector<bool>& named, std::vector<std::string>& notes)
      : sc_(sc), named_(named), notes_(notes) {}

  std::vector<Symmetry::Class> classes() {
    std::vector<Symmetry::Class> out;
    // Groups of two or more copies, in task order.
    std::map<std::string, std::vector<std::size_t>> groups;
    std::vector<std::string> order;
    for (std::size_t t = 0; t < sc_.tasks.size(); ++t) {
      const auto& spec = sc_.tasks[t];
      if (spec.parent || spec.group == spec.name) continue;
      if (!groups.count(spec.group)) order.push_back(spec.group);
      groups[spec.group].push_back(t);
    }
    for (const auto& group : order) {
      const auto& members = groups[group];
      if (members.size() < 2) continue;
      std::vector<Copy> copies;
      for (std::size_t t : members) copies.push_back(copy_of(t));
      if (!alike(copies)) {
        notes_.push_back(group + ": its copies differ in shape; none is treated as another");
        continue;
      }
      // Copies named alone leave the class; the rest split by the faults that may strike them.
      const std::vector<bool> out_of_class = named_copies(copies);
      for (std::size_t i = 0; i < members.size(); ++i) {
        if (out_of_class[i]) notes_.push_back(sc_.tasks[members[i]].name + ": named on its own, so it is not interchangeable");
      }
      std::map<std::vector<bool>, std::vector<std::size_t>> by_faults;
      for (std::size_t i = 0; i < members.size(); ++i) {
        if (!out_of_class[i]) by_faults[fault_signature(copies[i])].push_back(i);
      }
      for (const auto& [signature, which] : by_faults) {
        if (which.size() < 2) continue;
        Symmetry::Class c;
        c.group = group;
        for (std::size_t i : which) {
          c.tasks.push_back(copies[i].tasks);
          c.futures.push_back(copies[i].futures);
          c.variables.push_back(copies[i].variables);
          c.handlers.push_back(copies[i].handlers);
        }
        out.push_back(std::move(c));
      }
    }
    return out;
  }

 private:
  Copy copy_of(std::size_t t) const {
    Copy copy;
    copy.tasks.push_back(t);
    for (std::size_t c = 0; c < sc_.tasks.size(); ++c) {
      if (sc_.tasks[c].parent == t) copy.tasks.push_back(c);
    }
    for (std::size_t slot : copy.tasks) copy.futures.push_back(slot);
    for (std::size_t f = sc_.tasks.size(); f < sc_.futures.size(); ++f) {
      if (position(copy.tasks, sc_.futures[f].task)) copy.futures.push_back(f);
    }
    for (std::size_t v = 0; v < sc_.variables.size(); ++v) {
      if (sc_.variables[v].task && position(copy.tasks, *sc_.variables[v].task)) copy.variables.push_back(v);
    }
    for (std::size_t slot : copy.tasks) collect(sc_.tasks[slot].program, copy);
    return copy;
  }

  void collect(const std::vector<Op>& program, Copy& copy) const {
    for (const Op& op : program) {
      const auto kinds = operands(op.kind);
      for (const auto& [kind, value] : {std::pair{kinds.a, op.a}, std::pair{kinds.b, op.b}, std::pair{kinds.c, op.c}}) {
        if (kind == Operand::kExpr && !position(copy.exprs, std::size_t{value})) copy.exprs.push_back(value);
        if (kind == Operand::kHandler && !position(copy.handlers, std::size_t{value})) {
          copy.handlers.push_back(value);
          collect(sc_.handlers[value], copy);
        }
      }
    }
  }

  /// Whether every copy has the shape of the first: as many slots, futures, variables, handlers
  /// and expressions, and programs equal operation by operation once each copy's own parts are
  /// matched with the first's.
  bool alike(const std::vector<Copy>& copies) const {
    const Copy& first = copies.front();
    for (std::size_t i = 1; i < copies.size(); ++i) {
      const Copy& other = copies[i];
      if (other.tasks.size() != first.tasks.size() || other.futures.size() != first.futures.size() ||
          other.variables.size() != first.variables.size() || other.handlers.size() != first.handlers.size() ||
          other.exprs.size() != first.exprs.size()) {
        return false;
      }
      for (std::size_t k = 0; k < first.tasks.size(); ++k) {
        if (!same_program(sc_.tasks[first.tasks[k]].program, sc_.tasks[other.tasks[k]].program, first, other)) return false;
        if (sc_.tasks[first.tasks[k]].combinator != sc_.tasks[other.tasks[k]].combinator) return false;
      }
      for (std::size_t k = 0; k < first.handlers.size(); ++k) {
        if (!same_program(sc_.handlers[first.handlers[k]], sc_.handlers[other.handlers[k]], first, other)) return false;
      }
      for (std::size_t k = 0; k < first.futures.size(); ++k) {
        const auto& a = sc_.futures[first.futures[k]];
        const auto& b = sc_.futures[other.futures[k]];
        if (a.wrapper != b.wrapper || a.end != b.end) return false;
        if (a.cancelled_variable.has_value() != b.cancelled_variable.has_value()) return false;
        if (a.cancelled_variable &&
            position(first.variables, *a.cancelled_variable) != position(other.variables, *b.cancelled_variable)) {
          return false;
        }
      }
      for (std::size_t k = 0; k < first.variables.size(); ++k) {
        const auto& a = sc_.variables[first.variables[k]];
        const auto& b = sc_.variables[other.variables[k]];
        if (a.name != b.name || a.initial != b.initial || a.min != b.min || a.max != b.max) return false;
      }
      for (std::size_t k = 0; k < first.exprs.size(); ++k) {
        if (!same_expr(sc_.exprs[first.exprs[k]], sc_.exprs[other.exprs[k]], first, other)) return false;
      }
    }
    return true;
  }

  /// `x` of copy `a` and `y` of copy `b` denote matching parts: the same position in their copies,
  /// or the same part outside both.
  static bool matches(const std::vector<std::size_t>& in_a, const std::vector<std::size_t>& in_b, std::size_t x,
                      std::size_t y) {
    const auto pa = position(in_a, x);
    const auto pb = position(in_b, y);
    if (pa || pb) return pa == pb;
    return x == y;
  }

  bool same_operand(Operand kind, std::uint8_t x, std::uint8_t y, const Copy& a, const Copy& b) const {
    switch (kind) {
      case Operand::kTask:
      case Operand::kFirstChild: return matches(a.tasks, b.tasks, x, y);
      case Operand::kFuture: return matches(a.futures, b.futures, x, y);
      case Operand::kVariable: return matches(a.variables, b.variables, x, y);
      case Operand::kVariablePlusOne:
        return (x == 0 || y == 0) ? x == y : matches(a.variables, b.variables, x - 1U, y - 1U);
      case Operand::kExpr: return matches(a.exprs, b.exprs, x, y);
      case Operand::kHandler: return matches(a.handlers, b.handlers, x, y);
      case Operand::kNone:
      case Operand::kValue: return x == y;
    }
    return false;
  }

  bool same_program(const std::vector<Op>& p, const std::vector<Op>& q, const Copy& a, const Copy& b) const {
    if (p.size() != q.size()) return false;
    for (std::size_t i = 0; i < p.size(); ++i) {
      if (p[i].kind != q[i].kind) return false;
      const auto kinds = operands(p[i].kind);
      if (!same_operand(kinds.a, p[i].a, q[i].a, a, b) || !same_operand(kinds.b, p[i].b, q[i].b, a, b) ||
          !same_operand(kinds.c, p[i].c, q[i].c, a, b)) {
        return false;
      }
    }
    return true;
  }

  bool same_expr(const Expr& e, const Expr& f, const Copy& a, const Copy& b) const {
    if (e.nodes.size() != f.nodes.size()) return false;
    for (std::size_t i = 0; i < e.nodes.size(); ++i) {
      const auto& x = e.nodes[i];
      const auto& y = f.nodes[i];
      if (x.op != y.op || x.a != y.a || x.b != y.b || x.args.size() != y.args.size()) return false;
      if (x.op == ExprOp::kVar) {
        if (!matches(a.variables, b.variables, static_cast<std::size_t>(x.value), static_cast<std::size_t>(y.value))) {
          return false;
        }
      } else if (x.value != y.value) {
        return false;
      }
      for (std::size_t k = 0; k < x.args.size(); ++k) {
        if (x.args[k].kind != y.args[k].kind) return false;
        const bool task = x.args[k].kind == ExprArg::Kind::kTask;
        if (task ? !matches(a.tasks, b.tasks, x.args[k].index, y.args[k].index) : x.args[k].index != y.args[k].index) {
          return false;
        }
      }
    }
    return true;
  }

  /// Which copy of `copies` owns task, future, variable or handler `x`, if any.
  template <class Member>
  static std::optional<std::size_t> owner(const std::vector<Copy>& copies, std::size_t x, Member member) {
    for (std::size_t i = 0; i < copies.size(); ++i) {
      if (position(copies[i].*member, x)) return i;
    }
    return std::nullopt;
  }

  /// The copies named on their own: by the properties checked, or by an operation or expression
  /// of a program (or handler) other than their own, except the one block that spawns every copy
  /// in order.
  std::vector<bool> named_copies(const std::vector<Copy>& copies) const {
    std::vector<bool> out(copies.size(), false);
    for (std::size_t i = 0; i < copies.size(); ++i) {
      for (std::size_t t : copies[i].tasks) out[i] = out[i] || (t < named_.size() && named_[t]);
    }
    auto note = [&](std::optional<std::size_t> part_of, std::optional<std::size_t> in_copy) {
      if (part_of && part_of != in_copy) out[*part_of] = true;
    };
    auto scan = [&](const std::vector<Op>& program, std::optional<std::size_t> in_copy) {
      for (std::size_t pc = 0; pc < program.size(); ++pc) {
        const Op& op = program[pc];
        const auto kinds = operands(op.kind);
        for (const auto& [kind, value] : {std::pair{kinds.a, op.a}, std::pair{kinds.b, op.b}, std::pair{kinds.c, op.c}}) {
          switch (kind) {
            case Operand::kTask:
              if (op.kind == OpKind::kSpawn && !in_copy && spawns_every_copy(program, pc, copies)) break;
              note(owner(copies, value, &Copy::tasks), in_copy);
              break;
            case Operand::kFirstChild: note(owner(copies, value, &Copy::tasks), in_copy); break;
            case Operand::kFuture: note(owner(copies, value, &Copy::futures), in_copy); break;
            case Operand::kVariable: note(owner(copies, value, &Copy::variables), in_copy); break;
            case Operand::kVariablePlusOne:
              if (value != 0) note(owner(copies, value - 1U, &Copy::variables), in_copy);
              break;
            case Operand::kHandler: note(owner(copies, value, &Copy::handlers), in_copy); break;
            case Operand::kExpr:
              for (const auto& node : sc_.exprs[value].nodes) {
                if (node.op == ExprOp::kVar) {
                  note(owner(copies, static_cast<std::size_t>(node.value), &Copy::variables), in_copy);
                }
                if (node.op != ExprOp::kAtom) continue;
                for (const auto& arg : node.args) {
                  if (arg.kind == ExprArg::Kind::kTask) note(owner(copies, arg.index, &Copy::tasks), in_copy);
                }
              }
              break;
            case Operand::kNone:
            case Operand::kValue: break;
          }
        }
      }
    };
    for (std::size_t t = 0; t < sc_.tasks.size(); ++t) scan(sc_.tasks[t].program, owner(copies, t, &Copy::tasks));
    for (std::size_t h = 0; h < sc_.handlers.size(); ++h) scan(sc_.handlers[h], owner(copies, h, &Copy::handlers));
    return out;
  }

  /// The spawn at `pc` is part of a block spawning every copy, in order, with nothing between.
  static bool spawns_every_copy(const std::vector<Op>& program, std::size_t pc, const std::vector<Copy>& copies) {
    const std::size_t n = copies.size();
    for (std::size_t start = pc >= n - 1 ? pc - (n - 1) : 0; start <= pc && start + n <= program.size(); ++start) {
      bool block = true;
      for (std::size_t k = 0; k < n && block; ++k) {
        block = program[start + k].kind == OpKind::kSpawn && program[start + k].a == copies[k].tasks.front();
      }
      if (block) return true;
    }
    return false;
  }

  std::vector<bool> fault_signature(const Copy& copy) const {
    std::vector<bool> signature;
    for (const auto& budget : sc_.faults) {
      for (std::size_t t : copy.tasks) signature.push_back(t < budget.tasks.size() && budget.tasks[t]);
      for (std::size_t f : copy.futures) signature.push_back(f < budget.futures.size() && budget.futures[f]);
    }
    return signature;
  }

 private:
  const Scenario& sc_;
  const std::vector<bool>& named_;
  std::vector<std::string>& notes_;
};

}  // namespace

Symmetry::Symmetry(const Scenario& scenario, const std::vector<bool>& named) {
  Builder builder(scenario, named, notes_);
  classes_ = builder.classes();
}

namespace {

constexpr std::uint8_t kOwn = 0x80;

/// A hash of a copy's key (FNV-1a over its bytes, then mixed): only to order keys quickly.
std::uint64_t hash_key(const std::uint8_t* key, std::size_t length) {
  std::uint64_t h = 0xCBF29CE484222325ULL;
  std::size_t i = 0;
  for (; i + 8 <= length; i += 8) {
    std::uint64_t word;
    std::memcpy(&word, key + i, 8);
    h = (h ^ word) * 0x100000001B3ULL;
    h ^= h >> 29;
  }
  for (; i < length; ++i) h = (h ^ key[i]) * 0x100000001B3ULL;
  return h ^ (h >> 32);
}

/// A reference (task, future or handler + 1, or 0) as a copy sees it: one of its own parts by
/// its place in the copy, anything else as it is.
std::uint8_t relative(std::uint8_t plus_one, const std::vector<std::size_t>& own) {
  if (plus_one == 0) return 0;
  const auto at = position(own, std::size_t{plus_one} - 1U);
  return at ? static_cast<std::uint8_t>(kOwn | *at) : plus_one;
}

/// Bytes on the stack for the usual sizes (keys, a copy of a state), the heap beyond them;
/// uninitialized.
class Scratch {
 public:
  explicit Scratch(std::size_t bytes) {
    if (bytes > kStack) heap_.resize(bytes);
  }
  std::uint8_t* data() { return heap_.empty() ? stack_.data() : heap_.data(); }

 private:
  static constexpr std::size_t kStack = 16384;
  std::array<std::uint8_t, kStack> stack_;
  std::vector<std::uint8_t> heap_;
};

/// The maps a permutation of copies induces on tasks, futures, variables and handlers.
struct Renaming {
  // Fixed arrays, not vectors: a renaming is made for most successors of a large class.
  std::array<std::uint8_t, kMaxTasks> task;
  std::array<std::uint8_t, 256> future, variable, handler;
  void reset(const Scenario& sc) {
    for (std::size_t t = 0; t < sc.tasks.size(); ++t) task[t] = static_cast<std::uint8_t>(t);
    std::iota(future.begin(), future.begin() + static_cast<std::ptrdiff_t>(sc.futures.size()), std::uint8_t{0});
    std::iota(variable.begin(), variable.begin() + static_cast<std::ptrdiff_t>(sc.variables.size()), std::uint8_t{0});
    std::iota(handler.begin(), handler.begin() + static_cast<std::ptrdiff_t>(sc.handlers.size()), std::uint8_t{0});
  }
  std::uint8_t task_plus_one(std::uint8_t v) const { return v == 0 ? 0 : static_cast<std::uint8_t>(task[v - 1U] + 1); }
  WaiterId waiter(WaiterId w) const {
    const auto i = static_cast<std::size_t>(w);
    return i < kKeptWaiterBase ? WaiterId{task[i]}
                               : WaiterId{static_cast<std::uint8_t>(kKeptWaiterBase + task[i - kKeptWaiterBase])};
  }
};

/// Rewrites `s` (a copy of which is `old`) with every part renamed by `m`.
void rename(const Scenario& sc, StateView old, StateRef s, const Renaming& m) {
  const StateLayout& l = s.layout();
  const std::size_t n = sc.tasks.size();
  for (std::size_t t = 0; t < n; ++t) {
    const TaskId to = task_at(m.task[t]);
    TaskState& ts = s.task(to);
    ts = old.tasks(t);
    ts.blocked = m.task_plus_one(ts.blocked);
    ts.received = m.task_plus_one(ts.received);
    ts.handed_to = m.task_plus_one(ts.handed_to);
    if (ts.region != 0) ts.region = static_cast<std::uint8_t>(m.future[ts.region - 1U] + 1);
    if (ts.guard != 0) ts.guard = static_cast<std::uint8_t>(m.handler[ts.guard - 1U] + 1);
    for (std::size_t r = 0; r < l.resource_count; ++r) {
      s.held(to, resource_at(r)) = old.held(task_at(t), resource_at(r));
      s.region_held(to, resource_at(r)) = old.region_held(task_at(t), resource_at(r));
    }
  }
  for (std::size_t f = 0; f < sc.futures.size(); ++f) {
    s.set_paused(m.future[f], old.is_paused(f));
    s.set_swallowed(m.future[f], old.is_swallowed(f));
  }
  for (std::size_t v = 0; v < sc.variables.size(); ++v) s.set_var(m.variable[v], old.var(v));
  auto rename_list = [&](auto from, auto to) {
    to.clear();
    for (const TaskId t : from) to.push_back(task_at(m.task[index(t)]));
  };
  if (l.run_queue_form == ListForm::kSet) {
    s.run_queue().clear();
    for (const TaskId t : old.run_queue()) s.run_queue().insert_sorted(task_at(m.task[index(t)]));
  } else {
    rename_list(old.run_queue(), s.run_queue());
  }
  rename_list(old.deferred(), s.deferred());
  rename_list(old.ready_children(), s.ready_children());
  rename_list(old.inject(), s.inject());
  s.scheduler().lifo = m.task_plus_one(old.scheduler().lifo);
  for (std::size_t r = 0; r < l.resource_count; ++r) {
    const auto res = resource_at(r);
    const auto from = old.semaphore(res);
    const auto to = s.semaphore(res);
    for (std::size_t t = 0; t < n; ++t) {
      for (const WaiterId w : {waiter_of(task_at(t)), kept_waiter_of(task_at(t))}) {
        if (from.has_node(w)) to.put_node(m.waiter(w), from.node(w));
      }
    }
    to.queue().clear();
    for (const WaiterId w : from.queue()) to.queue().push_back(m.waiter(w));
    s.std_owner(res) = m.task_plus_one(old.std_owner(res));
    if (!s.has_notify(res)) continue;
    const auto nf = old.notify(res);
    const auto nt = s.notify(res);
    for (std::size_t t = 0; t < n; ++t) {
      nt.notified(task_at(m.task[t])) = nf.notified(task_at(t));
      nt.created(task_at(m.task[t])) = nf.created(task_at(t));
    }
    rename_list(nf.waiters(), nt.waiters());
  }
}

}  // namespace

void mark_named(const Expr& expr, const Scenario& scenario, std::vector<bool>& named) {
  named.resize(scenario.tasks.size(), false);
  for (const auto& node : expr.nodes) {
    if (node.op == ExprOp::kVar) {
      const auto& spec = scenario.variables[static_cast<std::size_t>(node.value)];
      if (spec.task) named[*spec.task] = true;
    }
    if (node.op != ExprOp::kAtom) continue;
    for (const auto& arg : node.args) {
      if (arg.kind == ExprArg::Kind::kTask) named[arg.index] = true;
    }
  }
}

void Symmetry::bind(const StateLayout& layout) {
  // A copy's key: per slot its task state, then per resource the guards it holds, whether it owns
  // the std mutex, its waiter nodes with their places in the queue and its Notify marks with its
  // place among the waiters, then its places in the scheduler's lists; then its futures' flags
  // and its variables.
  shape_ = KeyShape{};
  std::size_t at = sizeof(TaskState);
  for (std::size_t r = 0; r < layout.resource_count; ++r) {
    KeyShape::Resource res;
    res.held = at;
    at += 3;  // held, held by the nested future, owns the std mutex
    const auto& shape = layout.resources[r].semaphore;
    if (shape.own_nodes != 0) {
      res.own_node = at;
      at += sizeof(WaiterNode) + 1;
    }
    if (shape.kept_nodes != 0) {
      res.kept_node = at;
      at += sizeof(WaiterNode) + 1;
    }
    if (layout.resources[r].notify_at != StateLayout::kNone) {
      res.notify = at;
      at += 3;
    }
    shape_.resources.push_back(res);
  }
  shape_.lists = at;
  at += 5;  // run queue, defer list, ready queue, inject queue, LIFO slot
  shape_.slot = at;
  member_.assign(kMaxTasks, Member{});
  shape_.class_at.clear();
  std::size_t total = 0;
  for (std::size_t ci = 0; ci < classes_.size(); ++ci) {
    const Class& c = classes_[ci];
    shape_.copy.push_back(c.tasks[0].size() * shape_.slot + c.futures[0].size() + 2 * c.variables[0].size());
    shape_.class_at.push_back(total);
    total += c.tasks.size() * shape_.copy.back();
    for (std::size_t i = 0; i < c.tasks.size(); ++i) {
      for (std::size_t j = 0; j < c.tasks[i].size(); ++j) {
        member_[c.tasks[i][j]] = Member{true, static_cast<std::uint32_t>(shape_.class_at.back() + i * shape_.copy.back() + j * shape_.slot)};
      }
    }
  }
  shape_.total = total;
}

void Symmetry::write_keys(StateView state, std::uint8_t* keys) const {
  const StateLayout& l = state.layout();
  std::memset(keys, 0, shape_.total);
  const SchedulerState& sched = state.scheduler();
  for (std::size_t ci = 0; ci < classes_.size(); ++ci) {
    const Class& c = classes_[ci];
    for (std::size_t i = 0; i < c.tasks.size(); ++i) {
      std::uint8_t* copy = keys + shape_.class_at[ci] + i * shape_.copy[ci];
      const auto& slots = c.tasks[i];
      for (std::size_t j = 0; j < slots.size(); ++j) {
        std::uint8_t* key = copy + j * shape_.slot;
        const TaskId t = task_at(slots[j]);
        // The task state as it is, then its references as the copy sees them (written in place:
        // a copy of the struct read back whole after byte writes would stall the store buffer).
        const TaskState& ts = state.task(t);
        std::memcpy(key, &ts, sizeof ts);
        key[offsetof(TaskState, blocked)] = relative(ts.blocked, slots);
        key[offsetof(TaskState, received)] = relative(ts.received, slots);
        key[offsetof(TaskState, handed_to)] = relative(ts.handed_to, slots);
        key[offsetof(TaskState, region)] = relative(ts.region, c.futures[i]);
        key[offsetof(TaskState, guard)] = relative(ts.guard, c.handlers[i]);
        for (std::size_t r = 0; r < l.resource_count; ++r) {
          const auto res = resource_at(r);
          const KeyShape::Resource& at = shape_.resources[r];
          key[at.held] = state.held(t, res);
          key[at.held + 1] = state.region_held(t, res);
          key[at.held + 2] = state.std_owner(res) == slots[j] + 1 ? 1 : 0;
          const auto sem = state.semaphore(res);
          if (at.own_node != 0) {
            const WaiterNode node = sem.node(waiter_of(t));
            std::memcpy(key + at.own_node, &node, sizeof node);
          }
          if (at.kept_node != 0) {
            const WaiterNode node = sem.node(kept_waiter_of(t));
            std::memcpy(key + at.kept_node, &node, sizeof node);
          }
          if (at.notify != 0) {
            key[at.notify] = state.notify(res).notified(t);
            key[at.notify + 1] = state.notify(res).created(t);
          }
        }
        key[shape_.lists + 4] = sched.lifo == slots[j] + 1 ? 1 : 0;
      }
      std::uint8_t* tail = copy + slots.size() * shape_.slot;
      for (const std::size_t f : c.futures[i]) {
        *tail++ = static_cast<std::uint8_t>((state.is_paused(f) ? 1 : 0) | (state.is_swallowed(f) ? 2 : 0));
      }
      for (const std::size_t v : c.variables[i]) {
        const auto value = static_cast<std::uint16_t>(state.var(v));
        *tail++ = static_cast<std::uint8_t>(value >> 8);
        *tail++ = static_cast<std::uint8_t>(value);
      }
    }
  }
  // Places in ordered lists (a set's members get 1: where a name sorts means nothing).
  auto places = [&](auto list, std::size_t offset, bool set) {
    std::uint8_t p = 0;
    for (const TaskId t : list) {
      ++p;
      const Member& m = member_[index(t)];
      if (m.in_class) keys[m.key + offset] = set ? 1 : p;
    }
  };
  places(state.run_queue(), shape_.lists, l.run_queue_form == ListForm::kSet);
  places(state.deferred(), shape_.lists + 1, false);
  places(state.ready_children(), shape_.lists + 2, false);
  places(state.inject(), shape_.lists + 3, false);
  for (std::size_t r = 0; r < l.resource_count; ++r) {
    const KeyShape::Resource& at = shape_.resources[r];
    if (at.own_node != 0 || at.kept_node != 0) {
      std::uint8_t p = 0;
      for (const WaiterId w : state.semaphore(resource_at(r)).queue()) {
        ++p;
        const Member& m = member_[index(task_of(w))];
        if (!m.in_class) continue;
        keys[m.key + (is_kept(w) ? at.kept_node : at.own_node) + sizeof(WaiterNode)] = p;
      }
    }
    if (at.notify != 0) places(state.notify(resource_at(r)).waiters(), at.notify + 2, false);
  }

}

std::vector<bool> Symmetry::twins(StateView state) const {
  std::vector<bool> out(state.layout().task_count, false);
  if (classes_.empty()) return out;
  Scratch key_space(shape_.total);
  std::uint8_t* keys = key_space.data();
  write_keys(state, keys);
  std::array<std::uint64_t, kMaxTasks> hashes;
  for (std::size_t ci = 0; ci < classes_.size(); ++ci) {
    const Class& c = classes_[ci];
    const std::size_t length = shape_.copy[ci];
    const std::uint8_t* base = keys + shape_.class_at[ci];
    // Copies are compared by a hash of their keys first: two words for almost every pair.
    for (std::size_t i = 0; i < c.tasks.size(); ++i) hashes[i] = hash_key(base + i * length, length);
    for (std::size_t i = 1; i < c.tasks.size(); ++i) {
      for (std::size_t e = 0; e < i; ++e) {
        if (hashes[e] != hashes[i] || std::memcmp(base + i * length, base + e * length, length) != 0) continue;
        for (const std::size_t t : c.tasks[i]) out[t] = true;
        break;
      }
    }
  }
  return out;
}

void Symmetry::canonicalize(const Scenario& scenario, StateRef state) const {
  if (classes_.empty()) return;
  const StateLayout& l = state.layout();
  Scratch key_space(shape_.total);
  std::uint8_t* keys = key_space.data();
  write_keys(state, keys);
  Renaming renaming;
  bool moved = false;
  for (std::size_t ci = 0; ci < classes_.size(); ++ci) {
    const Class& c = classes_[ci];
    const std::size_t k = c.tasks.size();
    const std::size_t length = shape_.copy[ci];
    const std::uint8_t* base = keys + shape_.class_at[ci];
    // Copies in the order of their keys: by a hash of the key first (one comparison of two
    // words for almost every pair), then by the key itself.
    std::array<std::pair<std::uint64_t, std::uint8_t>, kMaxTasks> order;
    for (std::size_t i = 0; i < k; ++i) {
      order[i] = {hash_key(base + i * length, length), static_cast<std::uint8_t>(i)};
    }
    auto less = [&](const std::pair<std::uint64_t, std::uint8_t>& a, const std::pair<std::uint64_t, std::uint8_t>& b) {
      if (a.first != b.first) return a.first < b.first;
      return std::memcmp(base + a.second * length, base + b.second * length, length) < 0;
    };
    bool sorted = true;
    for (std::size_t i = 1; i < k && sorted; ++i) sorted = !less(order[i], order[i - 1]);
    if (sorted) continue;
    std::sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(k), less);
    bool identity = true;
    for (std::size_t i = 0; i < k && identity; ++i) {
      // Equal keys are equal copies: which of them goes where does not matter.
      identity = order[i].second == i || std::memcmp(base + order[i].second * length, base + i * length, length) == 0;
    }
    if (identity) continue;
    if (!moved) {
      renaming.reset(scenario);
      moved = true;
    }
    // The copy with the i-th smallest key takes the place of copy i.
    for (std::size_t i = 0; i < k; ++i) {
      const std::size_t from = order[i].second;
      for (std::size_t j = 0; j < c.tasks[i].size(); ++j) renaming.task[c.tasks[from][j]] = static_cast<std::uint8_t>(c.tasks[i][j]);
      for (std::size_t j = 0; j < c.futures[i].size(); ++j) renaming.future[c.futures[from][j]] = static_cast<std::uint8_t>(c.futures[i][j]);
      for (std::size_t j = 0; j < c.variables[i].size(); ++j) {
        renaming.variable[c.variables[from][j]] = static_cast<std::uint8_t>(c.variables[i][j]);
      }
      for (std::size_t j = 0; j < c.handlers[i].size(); ++j) {
        renaming.handler[c.handlers[from][j]] = static_cast<std::uint8_t>(c.handlers[i][j]);
      }
    }
  }
  if (!moved) return;
  Scratch old_space(l.bytes);
  std::uint8_t* old = old_space.data();
  std::memcpy(old, state.bytes(), l.bytes);
  rename(scenario, StateView(old, &l), state, renaming);
}

std::vector<std::string> Symmetry::describe(const Scenario& scenario) const {
  std::vector<std::string> out;
  for (const Class& c : classes_) {
    // Every name up to four copies; else the first two, the last and how many.
    std::string names;
    const std::size_t k = c.tasks.size();
    for (std::size_t i = 0; i < k; ++i) {
      if (k > 4 && i >= 2 && i + 1 < k) {
        if (i == 2) names += ", ...";
        continue;
      }
      names += (names.empty() ? "" : ", ") + scenario.tasks[c.tasks[i].front()].name;
    }
    out.push_back("{" + names + "}" + (k > 4 ? " (" + std::to_string(k) + " copies)" : ""));
  }
  return out;
}

}  // namespace wakecheck::model
