// What the tests of futures inside one task share (join_test.cpp, unordered_test.cpp,
// coop_test.cpp).
//
// Branches are task slots with TaskSpec::parent set; they are never scheduled themselves. What a
// branch does when polled is made visible through shared variables it assigns, and through the
// one observable effect of a poll on a pending `yield_now`: its second poll is Ready whether or
// not its deferred wake was delivered, so a branch that gets past a yield_now before that wake
// was polled because something else woke the task.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "explorer/property.hpp"
#include "explorer/search.hpp"
#include "model/event.hpp"
#include "model/queries.hpp"
#include "model/scenario.hpp"
#include "model/state.hpp"
#include "model/tokio_model.hpp"

#include <CppUTest/TestHarness.h>

#include "tests/model/builder.hpp"
#include "tests/model/runner.hpp"
// clang-format on

namespace {

namespace explorer = wakecheck::explorer;
namespace m = wakecheck::model;
using m::Event;
using m::EventKind;
using m::Flavor;
using m::kMainTask;
using m::Op;
using m::OpKind;
using m::ResourceId;
using m::ResourceKind;
using m::Scenario;
using m::State;
using m::StateView;
using m::resource_at;
using m::task_at;
using m::TaskId;
using m::TaskStatus;
using m::TokioModel;
using m::TokioVersion;
using namespace wakecheck::testing;

/// `let mut set = FuturesUnordered::from_iter(children)` (or `stream::iter(children)
/// .buffer_unordered(limit)`), then `while let Some(_) = set.next().await { body }`: a whole
/// program; `body` must not jump.
inline std::vector<Op> unordered_loop(std::uint8_t first, std::uint8_t count, std::uint8_t limit,
                               const std::vector<Op>& body) {
  std::vector<Op> program{op(OpKind::kStartSet, first, count, limit)};
  const auto top = u8(program.size());
  program.push_back(op(OpKind::kNextChild, first, count, limit));
  const std::size_t exit_jump = program.size();
  program.push_back(op(OpKind::kJump));
  for (const Op& o : body) program.push_back(o);
  program.push_back(op(OpKind::kJump, 0, top));
  program[exit_jump].b = u8(program.size());
  return program;
}

/// Tasks main and worker, and the worker's whole program `join!(a, b)` over two branches.
struct JoinOfTwo {
  std::uint8_t main, worker, a, b;

  explicit JoinOfTwo(Builder& bld)
      : main(bld.task("main")),
        worker(bld.task("worker")),
        a(bld.child(worker, "a", OpKind::kJoinAll)),
        b(bld.child(worker, "b", OpKind::kJoinAll)) {
    bld.program(worker, {op(OpKind::kJoinAll, a, 2)});
  }
};

/// block_in_place_in_join.json (`block_in_place`) and block_in_place_fixed.json: main locks m,
/// spawns the worker, sleeps twice, unlocks m and joins the worker; in the worker's join!, a locks
/// m, and b sleeps, then locks m inside `block_in_place(|| block_on(..))` or not.
inline void program_sleeping_join(Builder& b, const JoinOfTwo& j, std::uint8_t mx, bool block_in_place) {
  b.program(j.main, {op(OpKind::kLock, mx), op(OpKind::kSpawn, j.worker), op(OpKind::kSleep),
                     op(OpKind::kSleep), op(OpKind::kUnlock, mx), op(OpKind::kJoin, j.worker)});
  b.program(j.a, {op(OpKind::kLock, mx), op(OpKind::kUnlock, mx)});
  if (block_in_place) {
    b.program(j.b, {op(OpKind::kSleep), op(OpKind::kBlockBegin), op(OpKind::kLock, mx),
                    op(OpKind::kUnlock, mx), op(OpKind::kBlockEnd)});
  } else {
    b.program(j.b, {op(OpKind::kSleep), op(OpKind::kLock, mx), op(OpKind::kUnlock, mx)});
  }
}

inline TaskStatus status(StateView s, std::size_t t) {
  return s.tasks(t).status;
}
inline bool finished(StateView s, std::size_t t) {
  return s.tasks(t).finished();
}
inline TaskStatus status(StateView s, TaskId t) {
  return s.task(t).status;
}
inline bool finished(StateView s, TaskId t) {
  return s.task(t).finished();
}

/// A worker whose combinator (`kind`) races three branches: a awaits `n.notified()` (pending), b
/// sets x = 2 and c sets x = 3 (both ready at once); main spawns and joins the worker. The test
/// writes the worker's program.
struct PendingThenTwoReady {
  Builder b;
  std::uint8_t n, x, main, worker, a, bb, c;

  explicit PendingThenTwoReady(OpKind kind)
      : n(b.resource("n", ResourceKind::kNotify)),
        x(b.variable("x", 0, 0, 3)),
        main(b.task("main")),
        worker(b.task("worker")),
        a(b.child(worker, "a", kind)),
        bb(b.child(worker, "b", kind)),
        c(b.child(worker, "c", kind)) {
    b.program(main, spawn_then_join({worker}));
    b.program(a, {op(OpKind::kNotified, n)});
    b.program(bb, {b.set(x, "2")});
    b.program(c, {b.set(x, "3")});
  }

  /// After the worker's first poll, when its branches are polled in order: b won (x = 2), c was
  /// dropped without a poll, a's Notified was dropped out of the waiter list, the worker is done.
  void check_b_won_in_order(const State& s) const {
    LONGS_EQUAL(2, s.var(x));
    CHECK(status(s, bb) == TaskStatus::kComplete);
    CHECK(status(s, a) == TaskStatus::kDropped);
    CHECK(status(s, c) == TaskStatus::kDropped);
    UNSIGNED_LONGS_EQUAL(0, s.notify(resource_at(n)).waiters().size());
    CHECK(status(s, worker) == TaskStatus::kComplete);
  }
};

/// A branch is never a task of the runtime: never in the run queue, never woken or polled as a
/// task (only its timer may fire).
inline void check_branches_never_scheduled(const TokioModel& model, const Runner& run) {
  const Scenario& sc = model.scenario();
  const State& s = run.state();
  for (std::size_t c = 0; c < sc.tasks.size(); ++c) {
    if (!sc.tasks[c].parent) continue;
    CHECK_FALSE(s.run_queue().contains(task_id(c)));
    UNSIGNED_LONGS_EQUAL(0, s.tasks(c).wake_pending);
    const auto events = run.scheduler_events();
    CHECK_FALSE(has_event(events, EventKind::kPoll, c));
    CHECK_FALSE(has_event(events, EventKind::kWake, c));
  }
}

/// Runs to the dead end, checking after every step that no branch is ever scheduled. Returns,
/// per task, the step (counted from this call, from 1) in which it finished: 0 for one finished
/// before, -1 for one that never finishes. (Runner::finish_order lists the tasks that finish in
/// one step by index, so a task and its last branch, finishing in the same poll, are in index
/// order there.)
inline std::vector<int> run_checking_branches(Runner& run, const TokioModel& model) {
  const std::size_t n = model.scenario().tasks.size();
  std::vector<int> at(n, -1);
  auto note = [&](int step) {
    for (std::size_t t = 0; t < n; ++t) {
      if (at[t] < 0 && run.state().tasks(t).finished()) at[t] = step;
    }
  };
  check_branches_never_scheduled(model, run);
  note(0);
  for (int step = 1; step < 10'000 && run.step(); ++step) {
    check_branches_never_scheduled(model, run);
    note(step);
  }
  return at;
}

/// The finishing steps of a join!(a, b) (from run_checking_branches): a finished before b, the
/// worker in the same step as b, its last branch, and main after the worker, complete.
inline void check_finish_steps(const JoinOfTwo& j, const std::vector<int>& at, StateView s) {
  CHECK_TRUE(at[j.a] < at[j.b]);
  LONGS_EQUAL(at[j.b], at[j.worker]);
  CHECK_TRUE(at[j.worker] < at[j.main]);
  CHECK(status(s, j.main) == TaskStatus::kComplete);
}

/// Applies `e` (one of several enabled on multi_thread).
inline void apply(Runner& run, EventKind kind, std::size_t task) {
  run.apply(Event{kind, task_id(task)});
}

}  // namespace
