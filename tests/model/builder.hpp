// Building a scenario op by op for the model tests (expressions are parsed with the model's own
// parser, so the tests do not go through the property-file loader), and the small helpers the
// tests share. Include after the STL and project headers and after <CppUTest/TestHarness.h> (it
// asserts).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "explorer/search.hpp"
#include "model/event.hpp"
#include "model/expr.hpp"
#include "model/scenario.hpp"
#include "model/tokio_model.hpp"

namespace wakecheck::testing {

constexpr model::TaskId task_id(std::size_t i) {
  return model::TaskId{static_cast<std::uint8_t>(i)};
}
constexpr std::uint8_t u8(std::size_t i) {
  return static_cast<std::uint8_t>(i);
}

inline model::Op op(model::OpKind kind, std::uint8_t a = 0, std::uint8_t b = 0,
                    std::uint8_t c = 0) {
  return model::Op{kind, a, b, c};
}

/// `spawn t` for each of `tasks`, then `join t` for each, in the same order.
inline std::vector<model::Op> spawn_then_join(std::initializer_list<std::uint8_t> tasks) {
  std::vector<model::Op> program;
  for (std::uint8_t t : tasks) program.push_back(op(model::OpKind::kSpawn, t));
  for (std::uint8_t t : tasks) program.push_back(op(model::OpKind::kJoin, t));
  return program;
}

/// Builds a scenario by parts: resources, variables and tasks first (futures[i] is task i's own
/// future; a combinator's branches are tasks too, contiguous), then nested futures, expressions
/// and programs, which may refer to all of them.
class Builder {
 public:
  explicit Builder(model::Flavor flavor = model::Flavor::kCurrentThread,
                   model::TokioVersion version = model::TokioVersion::k1_24) {
    sc_.name = "model test";
    sc_.flavor = flavor;
    sc_.version = version;
  }

  std::uint8_t resource(const std::string& name, model::ResourceKind kind,
                        std::uint8_t permits = 1) {
    sc_.resources.push_back(model::ResourceSpec{name, kind, permits, {}});
    return u8(sc_.resources.size() - 1);
  }

  /// A shared variable, or `owner`'s own.
  std::uint8_t variable(const std::string& name, std::int16_t initial, std::int16_t min,
                        std::int16_t max, std::optional<std::size_t> owner = std::nullopt) {
    model::VariableSpec spec;
    spec.name = name;
    spec.task = owner;
    spec.boolean = min == 0 && max == 1;
    spec.initial = initial;
    spec.min = min;
    spec.max = max;
    sc_.variables.push_back(spec);
    return u8(sc_.variables.size() - 1);
  }

  /// A task with an empty program (set it with program() once everything it names exists).
  std::uint8_t task(const std::string& name, model::Wrapper wrapper = model::Wrapper::kNone) {
    CHECK_TEXT(nested_ == 0, "tasks must be added before nested futures");
    model::TaskSpec spec;
    spec.name = name;
    spec.group = name;
    sc_.tasks.push_back(spec);
    model::FutureSpec own;
    own.name = name;
    own.task = sc_.tasks.size() - 1;
    own.wrapper = wrapper;
    sc_.futures.push_back(own);
    return u8(sc_.tasks.size() - 1);
  }

  /// A branch of a combinator (`kind`: kJoinAll, kNextChild or kSelectAll) in `parent`'s program;
  /// never scheduled itself.
  std::uint8_t child(std::uint8_t parent, const std::string& name, model::OpKind kind) {
    const auto c = task(name);
    sc_.tasks[c].parent = parent;
    sc_.tasks[c].combinator = kind;
    return c;
  }

  /// A shared future (`async { .. }.boxed().shared()`): awaited by clones (kAwaitShared), kept
  /// by a cache for the whole run or (`cached` false) dropped with its last awaiting clone.
  std::uint8_t shared(const std::string& name, bool cached) {
    const auto c = task(name);
    sc_.tasks[c].shared = true;
    sc_.tasks[c].cached = cached;
    return c;
  }

  /// A nested future of `task` ("task.name"); `end` is set by program() from its kWrapEnd.
  std::uint8_t nested(std::uint8_t task, const std::string& name, model::Wrapper wrapper,
                      std::optional<std::size_t> cancelled = std::nullopt) {
    ++nested_;
    model::FutureSpec f;
    f.name = sc_.tasks[task].name + "." + name;
    f.task = task;
    f.wrapper = wrapper;
    f.cancelled_variable = cancelled;
    sc_.futures.push_back(f);
    return u8(sc_.futures.size() - 1);
  }

  /// An expression of a program (no state atoms): shared variables, and `task`'s own if given.
  std::uint8_t expr(const std::string& text, std::optional<std::size_t> task = std::nullopt) {
    model::ExprScope scope;
    scope.scenario = &sc_;
    scope.task = task;
    scope.allow_state_atoms = false;
    model::ExprError error;
    auto parsed = model::parse_expr(text, scope, error);
    CHECK_TEXT(parsed.has_value(), ("expression '" + text + "': " + error.message).c_str());
    sc_.exprs.push_back(std::move(*parsed));
    return u8(sc_.exprs.size() - 1);
  }

  /// `var = text` (shared variables only).
  model::Op set(std::uint8_t var, const std::string& text) {
    return op(model::OpKind::kAssign, var, expr(text));
  }
  /// Jump to `target` unless `text` holds.
  model::Op unless(const std::string& text, std::uint8_t target) {
    return op(model::OpKind::kJumpUnless, expr(text), target);
  }

  /// An on_drop handler.
  std::uint8_t handler(std::vector<model::Op> ops) {
    sc_.handlers.push_back(std::move(ops));
    return u8(sc_.handlers.size() - 1);
  }

  void program(std::uint8_t task, std::vector<model::Op> ops) {
    for (std::size_t pc = 0; pc < ops.size(); ++pc) {
      if (ops[pc].kind == model::OpKind::kWrapEnd) sc_.futures[ops[pc].a].end = pc + 1;
    }
    sc_.tasks[task].program = std::move(ops);
  }

  /// The environment may inject `budget` faults of `kind` into `task` (add the tasks first).
  void fault(model::FaultKind kind, std::uint8_t task, std::uint8_t budget = 1) {
    auto& faults = sc_.faults[static_cast<std::size_t>(kind)];
    faults.tasks.resize(sc_.tasks.size(), false);
    faults.budget = budget;
    faults.tasks[task] = true;
  }

  model::Scenario& scenario() { return sc_; }

  model::Scenario build() {
    for (auto& budget : sc_.faults) {
      budget.tasks.resize(sc_.tasks.size(), false);
      budget.futures.resize(sc_.futures.size(), false);
    }
    return sc_;
  }

 private:
  model::Scenario sc_;
  std::size_t nested_ = 0;
};

/// `while count < limit { lock m; unlock m; count = count + 1 }` (`count`: a shared variable),
/// its first operation at `pc`. Each poll completes 128 acquires of a free mutex; the 129th is
/// refused by coop.
inline std::vector<model::Op> lock_loop(Builder& b, std::uint8_t mx, std::uint8_t count,
                                        const std::string& limit, std::size_t pc) {
  const std::string name = b.scenario().variables[count].name;
  const auto end = u8(pc + 5);
  return {b.unless(name + " < " + limit, end), op(model::OpKind::kLock, mx),
          op(model::OpKind::kUnlock, mx), b.set(count, name + " + 1"),
          op(model::OpKind::kJump, 0, u8(pc))};
}

/// S16's shape: main spawns t, which acquires and releases a free mutex m until `count` reaches
/// `limit` (lock_loop), then o, which records `seen = count` when it runs; and joins both.
struct LoopThenObserver {
  std::uint8_t mx = 0, count = 0, seen = 0, main = 0, t = 0, o = 0;

  LoopThenObserver(Builder& b, std::int16_t limit) {
    mx = b.resource("m", model::ResourceKind::kTokioMutex);
    count = b.variable("count", 0, 0, limit);
    seen = b.variable("seen", -1, -1, limit);
    main = b.task("main");
    t = b.task("t");
    o = b.task("o");
    b.program(main, spawn_then_join({t, o}));
    b.program(t, lock_loop(b, mx, count, std::to_string(limit), 0));
    b.program(o, {b.set(seen, "count")});
  }
};

inline void check_tasks(const std::vector<model::TaskId>& expected,
                        const std::vector<model::TaskId>& actual) {
  UNSIGNED_LONGS_EQUAL(expected.size(), actual.size());
  for (std::size_t i = 0; i < expected.size() && i < actual.size(); ++i) {
    UNSIGNED_LONGS_EQUAL(static_cast<unsigned>(expected[i]), static_cast<unsigned>(actual[i]));
  }
}

/// The tasks of a queue or list of the state, in order.
template <class List>
std::vector<model::TaskId> ids(const List& list) {
  return {list.begin(), list.end()};
}

/// An explorer property of `m`'s states (`m` must outlive it).
inline explorer::Property state_property(const model::TokioModel& m, std::string name, explorer::PropertyKind kind,
                                         std::function<bool(model::StateView)> condition) {
  explorer::Property p;
  p.name = std::move(name);
  p.kind = kind;
  p.condition = [&m, condition = std::move(condition)](const std::uint8_t* s) { return condition(m.view(s)); };
  return p;
}

/// The state a trace the explorer found ends in (the state before its cycle, for a lasso).
inline model::State end_of(const model::TokioModel& m, const explorer::Trace<model::Event>& trace) {
  model::State s = m.initial_state();
  const std::size_t n = trace.loop_start.value_or(trace.events.size());
  for (std::size_t i = 0; i < n; ++i) s = m.next_state(s, trace.events[i]);
  return s;
}

inline bool has_event(const std::vector<model::Event>& events, model::EventKind kind,
                      std::size_t task) {
  for (const model::Event& e : events) {
    if (e.kind == kind && e.task == task_id(task)) return true;
  }
  return false;
}

}  // namespace wakecheck::testing
