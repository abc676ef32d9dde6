#include "model/symmetry.hpp"

#include "model/queries.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
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
    case OpKind::kTryLock:
    case OpKind::kRecv:
    case OpKind::kChanged: return {Operand::kValue, Operand::kVariablePlusOne, Operand::kValue};
    case OpKind::kSelect: return {Operand::kValue, Operand::kValue, Operand::kVariablePlusOne};
    case OpKind::kHandLock: return {Operand::kValue, Operand::kTask, Operand::kValue};
    case OpKind::kJoinAll:
    case OpKind::kNextChild:
    case OpKind::kStartSet:
    case OpKind::kSelectAll:
    case OpKind::kAwaitBranch:
    case OpKind::kDropBranch: return {Operand::kFirstChild, Operand::kValue, Operand::kValue};
    case OpKind::kSelectBranches: return {Operand::kFirstChild, Operand::kValue, Operand::kVariablePlusOne};
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
      if (awaits_a_shared_future(copies.front())) {
        notes_.push_back(group + ": its copies await a shared future, which wakes its clones in task order; none is treated as another");
        continue;
      }
      // Copies named alone leave the class; the rest split by the faults that may strike them.
      const std::vector<bool> out_of_class = named_copies(copies);
      for (std::size_t i = 0; i < members.size(); ++i) {
        if (out_of_class[i]) notes_.push_back(sc_.tasks[members[i]].name + ": named on its own, so it is not interchangeable");
      }
      std::map<std::vector<bool>, std::vector<std::size_t>> by_signature;
      for (std::size_t i = 0; i < members.size(); ++i) {
        if (!out_of_class[i]) by_signature[class_signature(copies[i])].push_back(i);
      }
      for (const auto& [signature, which] : by_signature) {
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
  bool awaits_a_shared_future(const Copy& copy) const {
    for (std::size_t slot : copy.tasks) {
      for (const Op& op : sc_.tasks[slot].program) {
        if (op.kind == OpKind::kAwaitShared) return true;
      }
    }
    return false;
  }

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
        if (sc_.tasks[first.tasks[k]].kept != sc_.tasks[other.tasks[k]].kept) return false;
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

  /// The fault budgets that may strike a copy and the channels it holds a Sender of: copies that
  /// differ here are not interchangeable.
  std::vector<bool> class_signature(const Copy& copy) const {
    std::vector<bool> signature;
    for (const auto& resource : sc_.resources) {
      const auto& senders = resource.senders;
      signature.push_back(std::find(senders.begin(), senders.end(), copy.tasks.front()) != senders.end());
    }
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

/// Rewrites `s` (a copy of which is `old`) with every part renamed by `m`. The parts `m` leaves
/// in place are in place already: only references in them are rewritten.
void rename(const Scenario& sc, StateView old, StateRef s, const Renaming& m) {
  const StateLayout& l = s.layout();
  const std::size_t n = sc.tasks.size();
  for (std::size_t t = 0; t < n; ++t) {
    const TaskId to = task_at(m.task[t]);
    TaskState& ts = s.task(to);
    if (m.task[t] == t) {
      if ((ts.blocked | ts.received | ts.handed_to | ts.region | ts.guard | ts.stuck) == 0) continue;
      ts.stuck = m.task_plus_one(ts.stuck);
      ts.blocked = m.task_plus_one(ts.blocked);
      ts.received = m.task_plus_one(ts.received);
      ts.handed_to = m.task_plus_one(ts.handed_to);
      if (ts.region != 0) ts.region = static_cast<std::uint8_t>(m.future[ts.region - 1U] + 1);
      if (ts.guard != 0) ts.guard = static_cast<std::uint8_t>(m.handler[ts.guard - 1U] + 1);
      continue;
    }
    ts = old.tasks(t);
    ts.stuck = m.task_plus_one(ts.stuck);
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
    if (m.future[f] == f) continue;
    s.set_paused(m.future[f], old.is_paused(f));
    s.set_swallowed(m.future[f], old.is_swallowed(f));
  }
  for (std::size_t v = 0; v < sc.variables.size(); ++v) {
    if (m.variable[v] != v) s.set_var(m.variable[v], old.var(v));
  }
  // Lists are renamed where they are (`s` holds them as `old` does).
  auto rename_task = [&](TaskId t) { return task_at(m.task[index(t)]); };
  if (l.run_queue_form == ListForm::kSet) {
    s.run_queue().clear();
    for (const TaskId t : old.run_queue()) s.run_queue().insert_sorted(task_at(m.task[index(t)]));
  } else {
    s.run_queue().map_ordered(rename_task);
  }
  s.deferred().map_ordered(rename_task);
  s.ready_children().map_ordered(rename_task);
  s.inject().map_ordered(rename_task);
  s.scheduler().lifo = m.task_plus_one(old.scheduler().lifo);
  for (std::size_t r = 0; r < l.resource_count; ++r) {
    const auto res = resource_at(r);
    const auto from = old.semaphore(res);
    const auto to = s.semaphore(res);
    for (std::size_t t = 0; t < n; ++t) {
      if (m.task[t] == t) continue;
      for (const WaiterId w : {waiter_of(task_at(t)), kept_waiter_of(task_at(t))}) {
        if (from.has_node(w)) to.put_node(m.waiter(w), from.node(w));
      }
    }
    to.queue().map_ordered([&](WaiterId w) { return m.waiter(w); });
    s.std_owner(res) = m.task_plus_one(old.std_owner(res));
    if (!s.has_notify(res)) continue;
    const auto nf = old.notify(res);
    const auto nt = s.notify(res);
    for (std::size_t t = 0; t < n; ++t) {
      if (m.task[t] == t) continue;
      nt.notified(task_at(m.task[t])) = nf.notified(task_at(t));
      nt.created(task_at(m.task[t])) = nf.created(task_at(t));
    }
    nt.waiters().map_ordered(rename_task);
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
  shape_ = Shape{};
  member_.assign(kMaxTasks, Member{});
  // Places in lists: the scheduler's five, then each resource's queues.
  std::size_t width = 5;
  for (std::size_t r = 0; r < layout.resource_count; ++r) {
    const auto& res = layout.resources[r];
    Shape::ResourcePlaces p;
    if (res.semaphore.own_nodes != 0) p.own = width++;
    if (res.semaphore.kept_nodes != 0) p.kept = width++;
    if (res.notify_at != StateLayout::kNone) p.notify = width++;
    shape_.resource_places.push_back(p);
  }
  shape_.place_width = width;
  std::size_t places = 0;
  for (const Class& c : classes_) {
    // Whole words per copy, so that places compare as words.
    shape_.copy_places.push_back((c.tasks[0].size() * width + 7) / 8 * 8);
    shape_.class_places_at.push_back(places);
    for (std::size_t i = 0; i < c.tasks.size(); ++i) {
      for (std::size_t j = 0; j < c.tasks[i].size(); ++j) {
        member_[c.tasks[i][j]] = Member{true, static_cast<std::uint32_t>(places + i * shape_.copy_places.back() + j * width)};
      }
    }
    places += c.tasks.size() * shape_.copy_places.back();
  }
  shape_.places_total = places;
  // The bytes a fingerprint reads, found through the state's own accessors on a scratch state.
  std::vector<std::uint8_t> scratch(layout.bytes);
  const StateView view(scratch.data(), &layout);
  auto offset = [&](const std::uint8_t& byte) { return static_cast<std::uint32_t>(&byte - scratch.data()); };
  for (std::size_t r = 0; r < layout.resource_count; ++r) {
    shape_.std_owners.push_back(offset(view.std_owner(resource_at(r))));
  }
  for (const Class& c : classes_) {
    std::vector<std::uint32_t> gather;
    for (std::size_t i = 0; i < c.tasks.size(); ++i) {
      for (const std::size_t slot : c.tasks[i]) {
        const TaskId t = task_at(slot);
        for (std::size_t r = 0; r < layout.resource_count; ++r) {
          const auto res = resource_at(r);
          const Shape::ResourcePlaces& parts = shape_.resource_places[r];
          gather.push_back(offset(view.held(t, res)));
          gather.push_back(offset(view.region_held(t, res)));
          const auto& sem = layout.resources[r];
          for (const bool kept : {false, true}) {
            if ((kept ? parts.kept : parts.own) == 0) continue;
            const std::size_t node = sem.semaphore_at + sem.semaphore.node_offset(kept ? kept_waiter_of(t) : waiter_of(t));
            for (std::size_t b = 0; b < sizeof(WaiterNode); ++b) gather.push_back(static_cast<std::uint32_t>(node + b));
          }
          if (parts.notify != 0) {
            gather.push_back(offset(view.notify(res).notified(t)));
            gather.push_back(offset(view.notify(res).created(t)));
          }
        }
      }
      for (const std::size_t f : c.futures[i]) gather.push_back(static_cast<std::uint32_t>(layout.futures_at + f));
      for (const std::size_t v : c.variables[i]) {
        gather.push_back(static_cast<std::uint32_t>(layout.vars_at + 2 * v));
        gather.push_back(static_cast<std::uint32_t>(layout.vars_at + 2 * v + 1));
      }
      if (i == 0) shape_.gather_length.push_back(gather.size());
    }
    shape_.gather.push_back(std::move(gather));
  }
  // Which copy's fingerprint reads each byte.
  byte_owner_.assign(layout.bytes, kNone);
  class_first_.clear();
  copy_count_ = 0;
  for (std::size_t ci = 0; ci < classes_.size(); ++ci) {
    const Class& c = classes_[ci];
    class_first_.push_back(copy_count_);
    for (std::size_t i = 0; i < c.tasks.size(); ++i) {
      const auto copy = static_cast<std::uint16_t>(copy_count_ + i);
      for (const std::size_t slot : c.tasks[i]) {
        const std::uint32_t task = offset(*reinterpret_cast<const std::uint8_t*>(&view.task(task_at(slot))));
        for (std::size_t b = 0; b < sizeof(TaskState); ++b) byte_owner_[task + b] = copy;
      }
      const std::size_t length = shape_.gather_length[ci];
      for (std::size_t k = 0; k < length; ++k) byte_owner_[shape_.gather[ci][i * length + k]] = copy;
    }
    copy_count_ += c.tasks.size();
  }
  for (const std::uint32_t owner : shape_.std_owners) byte_owner_[owner] = kShared;
  static std::atomic<std::uint64_t> bindings{0};
  binding_ = ++bindings;
}

namespace {

/// One step of the copies' fingerprints: a multiply-xorshift mix, cheap and well spread.
inline std::uint64_t mix(std::uint64_t h, std::uint64_t word) {
  h = (h ^ word) * 0x9E3779B97F4A7C15ULL;
  return h ^ (h >> 29);
}

inline std::uint64_t load64(const std::uint8_t* p) {
  std::uint64_t w;
  std::memcpy(&w, p, 8);
  return w;
}

}  // namespace

template <class SlotWords, class RestWord>
void Symmetry::copy_words(StateView state, std::size_t ci, std::size_t i, SlotWords slot_words, RestWord rest_word) const {
  const Class& c = classes_[ci];
  const StateLayout& l = state.layout();
  const std::uint8_t* p = state.bytes();
  const auto& slots = c.tasks[i];
  for (const std::size_t slot : slots) {
    // The task state with its references as the copy sees them (they are rarely set), read as
    // words straight from the state: bytes written to a buffer and read back as words would
    // stall on store forwarding.
    const TaskState& ts = state.task(task_at(slot));
    const auto* raw = reinterpret_cast<const std::uint8_t*>(&ts);
    std::array<std::uint64_t, 3> words{load64(raw), load64(raw + 8), 0};
    std::uint16_t last;
    std::memcpy(&last, raw + 16, 2);
    words[2] = last;
    if ((ts.blocked | ts.received | ts.handed_to | ts.region | ts.guard) != 0) {
      auto set = [&](std::size_t at, std::uint8_t value) {
        const std::size_t shift = (at % 8) * 8;
        words[at / 8] = (words[at / 8] & ~(std::uint64_t{0xFF} << shift)) | (std::uint64_t{value} << shift);
      };
      set(offsetof(TaskState, blocked), relative(ts.blocked, slots));
      set(offsetof(TaskState, received), relative(ts.received, slots));
      set(offsetof(TaskState, handed_to), relative(ts.handed_to, slots));
      set(offsetof(TaskState, region), relative(ts.region, c.futures[i]));
      set(offsetof(TaskState, guard), relative(ts.guard, c.handlers[i]));
    }
    std::uint64_t owners = 0;
    for (std::size_t r = 0; r < l.resource_count; ++r) {
      owners = owners << 1 | (p[shape_.std_owners[r]] == slot + 1 ? 1U : 0U);
    }
    slot_words(words[0], words[1], words[2] | owners << 16);
  }
  // The rest, eight bytes to a word, the last one partly filled (or empty).
  const std::size_t length = shape_.gather_length[ci];
  const std::uint32_t* at = shape_.gather[ci].data() + i * length;
  for (std::size_t k = 0; k <= length; k += 8) {
    std::uint64_t w = 0;
    for (std::size_t b = 0; b < 8 && k + b < length; ++b) w |= std::uint64_t{p[at[k + b]]} << (8 * b);
    rest_word(w, k + 8 > length);
  }
}

std::uint64_t Symmetry::fingerprint(StateView state, std::size_t ci, std::size_t i) const {
  std::uint64_t h = 0x243F6A8885A308D3ULL;
  copy_words(
      state, ci, i,
      // Three products side by side rather than a chain: this runs for every copy a step
      // touches. Each product is a bijection of its word; the mix spreads them.
      [&](std::uint64_t a, std::uint64_t b, std::uint64_t c) {
        h = mix(h, (a * 0x9E3779B97F4A7C15ULL) ^ std::rotl(b * 0xC2B2AE3D27D4EB4FULL, 21) ^
                       std::rotl(c * 0x165667B19E3779F9ULL, 42));
      },
      [&](std::uint64_t w, bool last) { h = mix(h, last ? w ^ shape_.gather_length[ci] : w); });
  return h ^ (h >> 32);
}

void Symmetry::write_places(StateView state, std::uint8_t* places) const {
  const StateLayout& l = state.layout();
  std::memset(places, 0, shape_.places_total);
  auto mark = [&](auto list, std::size_t offset, bool set) {
    std::uint8_t p = 0;
    for (const TaskId t : list) {
      ++p;
      const Member& m = member_[index(t)];
      if (m.in_class) places[m.place + offset] = set ? 1 : p;
    }
  };
  mark(state.run_queue(), 0, l.run_queue_form == ListForm::kSet);
  mark(state.deferred(), 1, false);
  mark(state.ready_children(), 2, false);
  mark(state.inject(), 3, false);
  if (state.scheduler().lifo != 0) {
    const Member& m = member_[state.scheduler().lifo - 1U];
    if (m.in_class) places[m.place + 4] = 1;
  }
  for (std::size_t r = 0; r < l.resource_count; ++r) {
    const Shape::ResourcePlaces& at = shape_.resource_places[r];
    if (at.own != 0 || at.kept != 0) {
      std::uint8_t p = 0;
      for (const WaiterId w : state.semaphore(resource_at(r)).queue()) {
        ++p;
        const Member& m = member_[index(task_of(w))];
        if (m.in_class) places[m.place + (is_kept(w) ? at.kept : at.own)] = p;
      }
    }
    if (at.notify != 0) mark(state.notify(resource_at(r)).waiters(), at.notify, false);
  }
}

std::vector<bool> Symmetry::twins(StateView state) const {
  std::vector<bool> out(state.layout().task_count, false);
  if (classes_.empty()) return out;
  Scratch place_space(shape_.places_total);
  std::uint8_t* places = place_space.data();
  write_places(state, places);
  std::array<std::uint64_t, kMaxTasks> prints;
  for (std::size_t ci = 0; ci < classes_.size(); ++ci) {
    const Class& c = classes_[ci];
    const std::size_t width = shape_.copy_places[ci];
    const std::uint8_t* base = places + shape_.class_places_at[ci];
    for (std::size_t i = 0; i < c.tasks.size(); ++i) prints[i] = fingerprint(state, ci, i);
    // Copies are compared by their fingerprints and places first, then word by word.
    auto alike = [&](std::size_t a, std::size_t b) {
      if (prints[a] != prints[b] || std::memcmp(base + a * width, base + b * width, width) != 0) return false;
      Scratch word_space((c.tasks[a].size() * 3 + shape_.gather_length[ci] / 8 + 1) * 8);
      std::uint8_t* words = word_space.data();
      std::size_t k = 0;
      auto keep = [&](std::uint64_t w) { std::memcpy(words + 8 * k++, &w, 8); };
      copy_words(state, ci, a, [&](std::uint64_t x, std::uint64_t y, std::uint64_t z) { keep(x), keep(y), keep(z); },
                 [&](std::uint64_t w, bool) { keep(w); });
      k = 0;
      bool same = true;
      auto check = [&](std::uint64_t w) { same = same && load64(words + 8 * k++) == w; };
      copy_words(state, ci, b, [&](std::uint64_t x, std::uint64_t y, std::uint64_t z) { check(x), check(y), check(z); },
                 [&](std::uint64_t w, bool) { check(w); });
      static_assert(offsetof(TaskState, timer_left) == 18);
      // The words leave out a task's last bytes (timed sleeps' ticks, a blocked worker's LIFO
      // slot): twins must agree there too (compared as they are: a reference to another task
      // may only make alike copies look different, which is safe).
      for (std::size_t slot = 0; same && slot < c.tasks[a].size(); ++slot) {
        const auto* x = reinterpret_cast<const std::uint8_t*>(&state.task(task_at(c.tasks[a][slot])));
        const auto* y = reinterpret_cast<const std::uint8_t*>(&state.task(task_at(c.tasks[b][slot])));
        same = std::memcmp(x + 18, y + 18, sizeof(TaskState) - 18) == 0;
      }
      return same;
    };
    for (std::size_t i = 1; i < c.tasks.size(); ++i) {
      for (std::size_t e = 0; e < i; ++e) {
        if (!alike(i, e)) continue;
        for (const std::size_t t : c.tasks[i]) out[t] = true;
        break;
      }
    }
  }
  return out;
}

namespace {

/// The fingerprints of the copies of the last parent state a thread canonicalized successors of.
/// Fixed arrays, nothing on the heap; a state larger than they hold is canonicalized from scratch.
struct ParentPrints {
  static constexpr std::size_t kBytes = 4096;
  std::uint64_t binding = 0;
  std::size_t size = 0;
  std::array<std::uint8_t, kBytes> bytes;
  std::array<std::uint64_t, kMaxTasks> prints;
};
thread_local ParentPrints parent_prints;

}  // namespace

void Symmetry::canonicalize(const Scenario& scenario, StateRef state, const std::uint8_t* parent) const {
  if (classes_.empty()) return;
  const StateLayout& l = state.layout();
  // With a parent: its fingerprints (computed once for all its successors), and which copies
  // the step touched (a byte their fingerprints read differs from the parent's).
  const std::uint64_t* kept = nullptr;
  std::array<std::uint8_t, kMaxTasks> touched{};
  if (parent != nullptr && l.bytes <= ParentPrints::kBytes) {
    ParentPrints& cache = parent_prints;
    if (cache.binding != binding_ || cache.size != l.bytes || std::memcmp(cache.bytes.data(), parent, l.bytes) != 0) {
      cache.binding = binding_;
      cache.size = l.bytes;
      std::memcpy(cache.bytes.data(), parent, l.bytes);
      const StateView view(parent, &l);
      for (std::size_t ci = 0; ci < classes_.size(); ++ci) {
        for (std::size_t i = 0; i < classes_[ci].tasks.size(); ++i) {
          cache.prints[class_first_[ci] + i] = fingerprint(view, ci, i);
        }
      }
    }
    kept = cache.prints.data();
    const std::uint8_t* now = state.bytes();
    for (std::size_t w = 0; w < l.bytes; w += 8) {
      std::uint64_t diff = load64(now + w) ^ load64(parent + w);
      while (diff != 0) {
        const std::size_t b = w + static_cast<std::size_t>(std::countr_zero(diff)) / 8;
        diff &= ~(std::uint64_t{0xFF} << (8 * (b - w)));
        const std::uint16_t owner = byte_owner_[b];
        if (owner == kShared) {
          kept = nullptr;  // a std mutex changed hands: every copy is read anew
          break;
        }
        if (owner != kNone) touched[owner] = 1;
      }
      if (kept == nullptr) break;
    }
  }
  Scratch place_space(shape_.places_total);
  std::uint8_t* places = place_space.data();
  write_places(state, places);
  Renaming renaming;
  bool moved = false;
  struct Entry {
    std::uint64_t print;
    std::uint64_t place;  // the first word of the places (all of them, mostly)
    std::uint8_t copy;
  };
  std::array<Entry, kMaxTasks> order;
  for (std::size_t ci = 0; ci < classes_.size(); ++ci) {
    const Class& c = classes_[ci];
    const std::size_t k = c.tasks.size();
    const std::size_t width = shape_.copy_places[ci];
    const std::uint8_t* base = places + shape_.class_places_at[ci];
    const bool word = width == 8;
    for (std::size_t i = 0; i < k; ++i) {
      const std::uint64_t place = load64(base + i * width);
      const std::size_t copy = class_first_[ci] + i;
      const std::uint64_t print = kept != nullptr && touched[copy] == 0 ? kept[copy] : fingerprint(state, ci, i);
      order[i] = {print, place, static_cast<std::uint8_t>(i)};
    }
    // By fingerprint, then places; equal keys keep their order (they are equal copies).
    auto compare = [&](const Entry& a, const Entry& b) {
      if (a.print != b.print) return a.print < b.print ? -1 : 1;
      if (a.place != b.place) return a.place < b.place ? -1 : 1;
      if (word) return 0;
      return std::memcmp(base + a.copy * width, base + b.copy * width, width);
    };
    // Insertion sort: the successor of a canonical state is sorted but for the copies it changed.
    bool identity = true;
    for (std::size_t i = 1; i < k; ++i) {
      if (compare(order[i], order[i - 1]) >= 0) continue;
      identity = false;
      const Entry e = order[i];
      std::size_t j = i;
      for (; j > 0 && compare(e, order[j - 1]) < 0; --j) order[j] = order[j - 1];
      order[j] = e;
    }
    if (identity) continue;
    if (!moved) {
      renaming.reset(scenario);
      moved = true;
    }
    // The copy with the i-th smallest key takes the place of copy i.
    for (std::size_t i = 0; i < k; ++i) {
      const std::size_t from = order[i].copy;
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
