// Tests of the futures inside one task and of the runtime knobs around them, against tokio
// 1.24.2 / 1.53 and futures-util 0.3.21 (shared/tokio-semantics.md §2.4, §3.2, §3.5, §5):
//
//   - tokio::join! (macros/join.rs): each poll polls every unfinished branch, the first one
//     rotating (`skip_next_time`); the branches share the task's waker;
//   - FuturesUnordered / buffer_unordered (stream/futures_unordered, stream/buffer_unordered.rs):
//     next() polls the woken children in wake order and returns at the first that finishes;
//     nothing polls them while the loop body awaits something else;
//   - futures::future::select_all: the children in order, the first to finish wins; the rest are
//     dropped or kept;
//   - block_in_place(|| block_on(..)) on multi_thread: the thread runs only the blocking future;
//   - the coop budget (128 completed operations per poll; 1.24 re-queues at once, 1.44+ defers);
//   - a Notified created before notify_waiters (S12) and Builder::event_interval (S20).
//
// Branches are task slots with TaskSpec::parent set; they are never scheduled themselves. What a
// branch does when polled is made visible through shared variables it assigns, and through the
// one observable effect of a poll on a pending `yield_now`: its second poll is Ready whether or
// not its deferred wake was delivered, so a branch that gets past a yield_now before that wake
// was polled because something else woke the task.
// clang-format off
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
std::vector<Op> unordered_loop(std::uint8_t first, std::uint8_t count, std::uint8_t limit,
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
void program_sleeping_join(Builder& b, const JoinOfTwo& j, std::uint8_t mx, bool block_in_place) {
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

TaskStatus status(StateView s, std::size_t t) {
  return s.tasks(t).status;
}
bool finished(StateView s, std::size_t t) {
  return s.tasks(t).finished();
}
TaskStatus status(StateView s, TaskId t) {
  return s.task(t).status;
}
bool finished(StateView s, TaskId t) {
  return s.task(t).finished();
}

/// A branch is never a task of the runtime: never in the run queue, never woken or polled as a
/// task (only its timer may fire).
void check_branches_never_scheduled(const TokioModel& model, const Runner& run) {
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
std::vector<int> run_checking_branches(Runner& run, const TokioModel& model) {
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
void check_finish_steps(const JoinOfTwo& j, const std::vector<int>& at, StateView s) {
  CHECK_TRUE(at[j.a] < at[j.b]);
  LONGS_EQUAL(at[j.b], at[j.worker]);
  CHECK_TRUE(at[j.worker] < at[j.main]);
  CHECK(status(s, j.main) == TaskStatus::kComplete);
}

/// Applies `e` (one of several enabled on multi_thread).
void apply(Runner& run, EventKind kind, std::size_t task) {
  run.apply(Event{kind, task_id(task)});
}

}  // namespace

// --- tokio::join! (macros/join.rs, 1.24.2) ----------------------------------------------------

TEST_GROUP(JoinMacro){};

TEST(JoinMacro, AWakeOfOneBranchPollsEveryUnfinishedBranch) {
  // join!(a, b): a yields (its wake deferred until the scheduler parks), b waits on a Notify.
  // u's notify_one wakes b, that is the task; the task's poll polls a too, whose yield_now is
  // then Ready although its own deferred wake has not been issued yet.
  Builder b;
  const auto n = b.resource("n", ResourceKind::kNotify);
  const auto na = b.variable("na", 0, 0, 9);
  const auto nb = b.variable("nb", 0, 0, 9);
  const auto main = b.task("main");
  const auto worker = b.task("worker");
  const auto u = b.task("u");
  const auto a = b.child(worker, "a", OpKind::kJoinAll);
  const auto bb = b.child(worker, "b", OpKind::kJoinAll);
  b.program(main, {op(OpKind::kSpawn, worker), op(OpKind::kSpawn, u), op(OpKind::kJoin, worker),
                   op(OpKind::kJoin, u)});
  b.program(worker, {op(OpKind::kJoinAll, a, 2)});
  b.program(a, {b.set(na, "na + 1"), op(OpKind::kYieldNow), b.set(na, "na + 1")});
  b.program(bb, {op(OpKind::kNotified, n), b.set(nb, "nb + 1")});
  b.program(u, {op(OpKind::kNotifyOne, n)});
  const Scenario sc = b.build();
  const TokioModel model(sc);
  Runner run(model);
  run.run_until_polled(task_id(u), 1);
  {
    const State& s = run.state();
    LONGS_EQUAL(1, s.var(na));
    LONGS_EQUAL(0, s.var(nb));
    CHECK_TRUE(s.deferred().contains(task_id(a)));       // a's own wake is still deferred
    check_tasks({task_id(worker)}, ids(s.run_queue()));  // b's wake scheduled the task
    UNSIGNED_LONGS_EQUAL(1, s.tasks(worker).wake_pending);
  }
  run.run_until_polled(task_id(worker), 2);
  LONGS_EQUAL(1, run.state().var(nb));
  LONGS_EQUAL(2, run.state().var(na));  // polled by b's wake, not its own
  run.run();
  CHECK(status(run.state(), worker) == TaskStatus::kComplete);
  CHECK(status(run.state(), main) == TaskStatus::kComplete);
  UNSIGNED_LONGS_EQUAL(2, run.polls_of(task_id(worker)));
}

TEST(JoinMacro, TheFirstBranchPolledRotatesFromOnePollToTheNext) {
  // join!(a, b, c), each branch yielding between records: skip_next_time makes the polls
  // a,b,c / b,c,a / c,a,b / a,b,c. The first two polls are logged as base-4 digits (a=1, b=2,
  // c=3); for the next two, `last` tells which branch was polled last.
  Builder b;
  const auto log = b.variable("log", 0, 0, 4095);
  const auto last = b.variable("last", 0, 0, 3);
  const auto main = b.task("main");
  const auto worker = b.task("worker");
  const auto first = b.child(worker, "a", OpKind::kJoinAll);
  (void)b.child(worker, "b", OpKind::kJoinAll);
  (void)b.child(worker, "c", OpKind::kJoinAll);
  b.program(main, spawn_then_join({worker}));
  b.program(worker, {op(OpKind::kJoinAll, first, 3)});
  for (std::size_t i = 0; i < 3; ++i) {
    const std::string id = std::to_string(i + 1);
    b.program(u8(first + i), {b.set(log, "log + log + log + log + " + id), op(OpKind::kYieldNow),
                              b.set(log, "log + log + log + log + " + id), op(OpKind::kYieldNow),
                              b.set(last, id), op(OpKind::kYieldNow), b.set(last, id)});
  }
  const Scenario sc = b.build();
  const TokioModel model(sc);
  Runner run(model);
  const std::vector<std::int16_t> expected_log{1 * 16 + 2 * 4 + 3, 27 * 64 + 2 * 16 + 3 * 4 + 1};
  for (std::size_t poll = 1; poll <= 2; ++poll) {
    run.run_until_polled(task_id(worker), poll);
    LONGS_EQUAL(expected_log[poll - 1], run.state().var(log));
  }
  run.run_until_polled(task_id(worker), 3);
  LONGS_EQUAL(2, run.state().var(last));  // c, a, b
  run.run_until_polled(task_id(worker), 4);
  LONGS_EQUAL(3, run.state().var(last));  // a, b, c
  CHECK(status(run.state(), worker) == TaskStatus::kComplete);
  run.run();
  UNSIGNED_LONGS_EQUAL(4, run.polls_of(task_id(worker)));
}

TEST(JoinMacro, TheTaskFinishesOnlyAfterEveryBranchHasFinished) {
  // join!(a, b): a finishes in the first poll, b after three yields: the task stays pending
  // until b is done, and its output (completion) comes after both branches'.
  Builder b;
  const auto x = b.variable("x", 0, 0, 1);
  const JoinOfTwo j(b);
  b.program(j.main, spawn_then_join({j.worker}));
  b.program(j.a, {b.set(x, "1")});
  b.program(j.b, {op(OpKind::kYieldNow), op(OpKind::kYieldNow), op(OpKind::kYieldNow)});
  const Scenario sc = b.build();
  const TokioModel model(sc);
  Runner run(model);
  run.run_until_polled(task_id(j.worker), 1);
  CHECK(status(run.state(), j.a) == TaskStatus::kComplete);
  CHECK_FALSE(finished(run.state(), j.b));
  CHECK(status(run.state(), j.worker) == TaskStatus::kIdle);
  for (std::size_t poll = 2; poll <= 3; ++poll) {
    run.run_until_polled(task_id(j.worker), poll);
    CHECK_FALSE(finished(run.state(), j.worker));
  }
  const auto at = run_checking_branches(run, model);
  // b finishes after a, the task in the same poll as b (its last branch), main after it.
  check_finish_steps(j, at, run.state());
  UNSIGNED_LONGS_EQUAL(4, run.polls_of(task_id(j.worker)));
  LONGS_EQUAL(1, run.state().var(x));
}

TEST(JoinMacro, BranchesAreWokenThroughTheTaskAndNeverScheduledThemselves) {
  // join!(a, b) on m, held by main: each release hands the permit to the oldest branch and wakes
  // the task (never the branch); the task's polls poll both branches, so both finish, a first.
  Builder b;
  const auto mx = b.resource("m", ResourceKind::kTokioMutex);
  const JoinOfTwo j(b);
  b.program(j.main, {op(OpKind::kLock, mx), op(OpKind::kSpawn, j.worker), op(OpKind::kYieldNow),
                     op(OpKind::kUnlock, mx), op(OpKind::kJoin, j.worker)});
  b.program(j.a, {op(OpKind::kLock, mx), op(OpKind::kUnlock, mx)});
  b.program(j.b, {op(OpKind::kLock, mx), op(OpKind::kUnlock, mx)});
  const Scenario sc = b.build();
  const TokioModel model(sc);
  Runner run(model);
  run.run_until_polled(kMainTask, 2);
  {
    // main's unlock assigned the permit to a (queued first) and scheduled the worker.
    const State& s = run.state();
    UNSIGNED_LONGS_EQUAL(1, m::owned_by_future(s, task_id(j.a), ResourceId{mx}));
    CHECK_TRUE(m::waits_on(s, sc, task_id(j.b)) == ResourceId{mx});
    CHECK_TRUE(s.tasks(j.worker).wake_pending == 1 ||
               s.tasks(j.worker).status == TaskStatus::kScheduled);
    check_branches_never_scheduled(model, run);
  }
  const auto at = run_checking_branches(run, model);
  CHECK_TRUE(at[j.a] > 0);
  check_finish_steps(j, at, run.state());
  // The poll after the unlock: a locks and unlocks (handing m to b, waking the task again); the
  // next poll: b.
  UNSIGNED_LONGS_EQUAL(3, run.polls_of(task_id(j.worker)));
  UNSIGNED_LONGS_EQUAL(1, run.state().semaphore(resource_at(mx)).available());
}

TEST(JoinMacro, OnMultiThreadBranchesAreNeverScheduledAndEveryScheduleFinishes) {
  // block_in_place_fixed.json explored: join!(a: lock m, b: sleep then lock m) against main's
  // guard, in every multi_thread interleaving.
  Builder b(Flavor::kMultiThread);
  const auto mx = b.resource("m", ResourceKind::kTokioMutex);
  const JoinOfTwo j(b);
  program_sleeping_join(b, j, mx, false);
  const Scenario sc = b.build();
  const TokioModel model(sc);
  const auto never_scheduled = wakecheck::testing::state_property(
      model, "branches are never scheduled", explorer::PropertyKind::kAlways, [&sc](StateView s) {
    for (std::size_t c = 0; c < sc.tasks.size(); ++c) {
      if (sc.tasks[c].parent && (s.run_queue().contains(task_id(c)) || s.tasks(c).wake_pending != 0))
        return false;
    }
    return true;
  });
  const auto all_finish = wakecheck::testing::state_property(
      model, "every dead end has every task finished", explorer::PropertyKind::kAtDeadEnds, [&sc](StateView s) {
    for (std::size_t t = 0; t < sc.tasks.size(); ++t) {
      if (s.tasks(t).status != TaskStatus::kComplete) return false;
    }
    return s.semaphore(resource_at(0)).available() == 1;
  });
  const auto exclusive = wakecheck::testing::state_property(
      model, "mutual exclusion", explorer::PropertyKind::kAlways, [&sc](StateView s) {
    std::size_t guards = 0;
    for (std::size_t t = 0; t < sc.tasks.size(); ++t) guards += s.held(task_at(t), resource_at(0));
    return guards <= 1 && m::permits_accounted(s, sc, ResourceId{0}) == 1;
  });
  const auto result = explorer::search(model, {never_scheduled, all_finish, exclusive});
  CHECK_TRUE(result.stats.complete());
  CHECK_TRUE(result.stats.dead_ends >= 1);
  for (const auto& outcome : result.outcomes) {
    CHECK_TEXT(outcome.verdict == explorer::Verdict::kHolds, ("violated: " + outcome.name).c_str());
  }
}

TEST(JoinMacro, ADeadlockThroughABranchIsACycleInTheWaitForGraph) {
  // main holds m and awaits the worker's JoinHandle; the worker's join! branch a waits for m.
  // Real tokio: a deadlock (the same as with `lock m` directly in the worker, which the
  // wait-for graph reports). MODEL GAP: queries.cpp has no edge from a task to the branches
  // its completion waits for (nor from a branch to its task), so the cycle main -> worker ->
  // a -> main is not seen and deadlock_free holds. Enable when fixed.
  Builder b;
  const auto mx = b.resource("m", ResourceKind::kTokioMutex);
  const JoinOfTwo j(b);
  b.program(j.main, {op(OpKind::kLock, mx), op(OpKind::kSpawn, j.worker),
                     op(OpKind::kJoin, j.worker), op(OpKind::kUnlock, mx)});
  b.program(j.a, {op(OpKind::kLock, mx), op(OpKind::kUnlock, mx)});
  b.program(j.b, {op(OpKind::kYieldNow)});
  const Scenario sc = b.build();
  const TokioModel model(sc);
  Runner run(model);
  run.run();
  const State& s = run.state();
  CHECK_TRUE(m::waits_on(s, sc, task_id(j.a)) == ResourceId{mx});
  CHECK_FALSE(finished(s, j.worker));
  CHECK_TRUE(m::has_wait_for_cycle(s, sc));
}

// --- FuturesUnordered (futures-util 0.3.21 stream/futures_unordered) -------------------------

TEST_GROUP(FuturesUnorderedSet){};

namespace {

/// worker: a FuturesUnordered of c0 (notified n0), c1 (yield_now) and c2 (notified n2), each
/// logging its id (1, 2, 3) as a base-4 digit when it finishes; loop body `body`. u wakes c2,
/// then c0.
struct WakeOrderSet {
  Scenario sc;
  std::uint8_t log = 0, worker = 0, u = 0, c0 = 0, c1 = 0, c2 = 0, n0 = 0, n2 = 0;

  explicit WakeOrderSet(bool body_yields) {
    Builder b;
    n0 = b.resource("n0", ResourceKind::kNotify);
    n2 = b.resource("n2", ResourceKind::kNotify);
    log = b.variable("log", 0, 0, 4095);
    const auto main = b.task("main");
    worker = b.task("worker");
    u = b.task("u");
    c0 = b.child(worker, "c0", OpKind::kNextChild);
    c1 = b.child(worker, "c1", OpKind::kNextChild);
    c2 = b.child(worker, "c2", OpKind::kNextChild);
    b.program(main, spawn_then_join({worker, u}));
    b.program(worker, unordered_loop(c0, 3, 0,
                                     body_yields ? std::vector<Op>{op(OpKind::kYieldNow)}
                                                 : std::vector<Op>{}));
    b.program(c0, {op(OpKind::kNotified, n0), b.set(log, "log + log + log + log + 1")});
    b.program(c1, {op(OpKind::kYieldNow), b.set(log, "log + log + log + log + 2")});
    b.program(c2, {op(OpKind::kNotified, n2), b.set(log, "log + log + log + log + 3")});
    b.program(u, {op(OpKind::kNotifyOne, n2), op(OpKind::kNotifyOne, n0)});
    sc = b.build();
  }
};

}  // namespace

TEST(FuturesUnorderedSet, NextPollsOnlyTheWokenChildrenInWakeOrder) {
  // u wakes c2, then c0; c1's wake is still deferred. The task's next poll: next() polls c2
  // (Some), the empty body, next() polls c0 (Some), then nothing is ready: c1, not woken, is not
  // polled (if it were, its yield_now would be Ready). After the park issues c1's wake, c1 runs.
  const WakeOrderSet f(false);
  const TokioModel model(f.sc);
  Runner run(model);
  run.run_until_polled(task_id(f.u), 1);
  {
    const State& s = run.state();
    check_tasks({task_id(f.c2), task_id(f.c0)}, ids(s.ready_children()));  // the set's ready queue
    check_tasks({task_id(f.worker)}, ids(s.run_queue()));
    CHECK_TRUE(s.deferred().contains(task_id(f.c1)));
  }
  run.run_until_polled(task_id(f.worker), 2);
  {
    const State& s = run.state();
    LONGS_EQUAL(3 * 4 + 1, s.var(f.log));  // c2, then c0
    CHECK(status(s, f.c0) == TaskStatus::kComplete);
    CHECK(status(s, f.c2) == TaskStatus::kComplete);
    CHECK_FALSE(finished(s, f.c1));
    CHECK_TRUE(s.deferred().contains(task_id(f.c1)));
  }
  run_checking_branches(run, model);
  LONGS_EQUAL((3 * 4 + 1) * 4 + 2, run.state().var(f.log));
  CHECK(status(run.state(), f.worker) == TaskStatus::kComplete);
  CHECK(status(run.state(), kMainTask) == TaskStatus::kComplete);
}

TEST(FuturesUnorderedSet, NextReturnsAtTheFirstChildToFinishLeavingTheOtherWokenOnesUnpolled) {
  // The same set with a body that yields: next() returns Some(c2) and the body's yield_now is
  // Pending, so c0, woken and handed its notification, is not polled in that poll of the task.
  const WakeOrderSet f(true);
  const TokioModel model(f.sc);
  Runner run(model);
  run.run_until_polled(task_id(f.worker), 2);
  {
    const State& s = run.state();
    LONGS_EQUAL(3, s.var(f.log));  // c2 only
    CHECK(status(s, f.c2) == TaskStatus::kComplete);
    CHECK_FALSE(finished(s, f.c0));
    UNSIGNED_LONGS_EQUAL(1, s.notify(resource_at(f.n0)).notified(task_at(f.c0)));  // the notification is c0's
    CHECK_TRUE(s.ready_children().contains(task_id(f.c0)));
    CHECK_TRUE(s.deferred().contains(task_id(f.worker)));  // the body's yield_now
  }
  run_checking_branches(run, model);
  // c0 was polled by the next call to next(), then c1.
  LONGS_EQUAL((3 * 4 + 1) * 4 + 2, run.state().var(f.log));
  CHECK(status(run.state(), f.worker) == TaskStatus::kComplete);
}

namespace {

/// futures_unordered_lock_in_body.json (body_locks) and futures_unordered_body_sleeps.json:
/// c0 locks m, sleeps and unlocks; c1 locks m; the loop body locks m or sleeps.
struct LockSet {
  Scenario sc;
  std::uint8_t worker = 0, c0 = 0, c1 = 0, mx = 0;

  explicit LockSet(bool body_locks) {
    Builder b;
    mx = b.resource("m", ResourceKind::kTokioMutex);
    const auto main = b.task("main");
    worker = b.task("worker");
    c0 = b.child(worker, "c0", OpKind::kNextChild);
    c1 = b.child(worker, "c1", OpKind::kNextChild);
    b.program(main, spawn_then_join({worker}));
    b.program(worker, unordered_loop(c0, 2, 0,
                                     body_locks ? std::vector<Op>{op(OpKind::kLock, mx),
                                                                  op(OpKind::kUnlock, mx)}
                                                : std::vector<Op>{op(OpKind::kSleep)}));
    b.program(c0, {op(OpKind::kLock, mx), op(OpKind::kSleep), op(OpKind::kUnlock, mx)});
    b.program(c1, {op(OpKind::kLock, mx), op(OpKind::kUnlock, mx)});
    sc = b.build();
  }
};

}  // namespace

TEST(FuturesUnorderedSet,
     WhileTheBodyAwaitsAChildHandedAPermitKeepsItAndTheBodysLockNeverCompletes) {
  // c0's guard drop hands m to c1, the oldest waiter, and wakes it: into the set's ready queue
  // and the task. But the task is in the body, awaiting its own lock of m: next() is not called,
  // so c1 is not polled, owns the permit for ever, and the body's lock waits behind it.
  const LockSet f(true);
  const TokioModel model(f.sc);
  Runner run(model);
  run_checking_branches(run, model);
  const State& s = run.state();
  UNSIGNED_LONGS_EQUAL(0, run.scheduler_events().size());
  CHECK(status(s, f.c0) == TaskStatus::kComplete);
  CHECK_FALSE(finished(s, f.c1));
  UNSIGNED_LONGS_EQUAL(1, m::owned_by_future(s, task_id(f.c1), ResourceId{f.mx}));
  UNSIGNED_LONGS_EQUAL(0, m::held_by(s, task_id(f.c1), ResourceId{f.mx}));
  CHECK_TRUE(s.ready_children().contains(task_id(f.c1)));  // woken, never polled since
  CHECK_TRUE(m::waits_on(s, f.sc, task_id(f.worker)) == ResourceId{f.mx});
  UNSIGNED_LONGS_EQUAL(0, s.semaphore(resource_at(f.mx)).available());
  CHECK_FALSE(finished(s, f.worker));
  CHECK_FALSE(finished(s, kMainTask));
}

TEST(FuturesUnorderedSet, AChildWokenWhileTheBodyAwaitsIsPolledByTheNextCallToNext) {
  // The body sleeps instead: c1 owns the permit while the body sleeps, and the next call to
  // next() polls it, so everything finishes and m is free.
  const LockSet f(false);
  const TokioModel model(f.sc);
  Runner run(model);
  bool owned_while_body_sleeps = false;
  for (int i = 0; i < 1'000; ++i) {
    const State& s = run.state();
    owned_while_body_sleeps =
        owned_while_body_sleeps || (s.tasks(f.worker).timer == 1 &&
                                    m::owned_by_future(s, task_id(f.c1), ResourceId{f.mx}) == 1);
    if (!run.step()) break;
    check_branches_never_scheduled(model, run);
  }
  CHECK_TRUE(owned_while_body_sleeps);
  const State& s = run.state();
  CHECK(status(s, f.c0) == TaskStatus::kComplete);
  CHECK(status(s, f.c1) == TaskStatus::kComplete);
  CHECK(status(s, f.worker) == TaskStatus::kComplete);
  CHECK(status(s, kMainTask) == TaskStatus::kComplete);
  UNSIGNED_LONGS_EQUAL(1, s.semaphore(resource_at(f.mx)).available());
}

TEST(FuturesUnorderedSet, ANextThatPolledEveryChildWakesTheTaskAndYields) {
  // futures-util 0.3.21 FuturesUnordered::poll_next: after a Pending poll, `if yielded >= 2 ||
  // polled == len { cx.waker().wake_by_ref(); return Poll::Pending; }`. A set of two children
  // that both wait: the first next() polls both, then wakes the task, whose next poll finds the
  // ready queue empty (Pending, no wake). MODEL GAP: next_child checks `polled == live` only
  // before polling one more ready child, so with the ready queue empty it returns Pending
  // without the self-wake: the task is polled once instead of twice. Enable when fixed.
  Builder b;
  const auto n = b.resource("n", ResourceKind::kNotify);
  const auto main = b.task("main");
  const auto worker = b.task("worker");
  const auto c0 = b.child(worker, "c0", OpKind::kNextChild);
  const auto c1 = b.child(worker, "c1", OpKind::kNextChild);
  b.program(main, spawn_then_join({worker}));
  b.program(worker, unordered_loop(c0, 2, 0, {}));
  b.program(c0, {op(OpKind::kNotified, n)});
  b.program(c1, {op(OpKind::kNotified, n)});
  const Scenario sc = b.build();
  const TokioModel model(sc);
  Runner run(model);
  run.run_until_polled(task_id(worker), 1);
  CHECK_TRUE(run.state().tasks(worker).wake_pending == 1);
  run.run();
  UNSIGNED_LONGS_EQUAL(2, run.polls_of(task_id(worker)));
}

// --- buffer_unordered (futures-util 0.3.21 stream/stream/buffer_unordered.rs) -----------------

TEST_GROUP(BufferUnordered){};

namespace {

/// main spawns and joins the worker: `stream::iter([item0, item1, item2]).buffer_unordered(2)`,
/// then `while let Some(_) = next().await { body }`. Each item yields once and the body yields,
/// or (buffer_unordered_lock_in_body.json, `lock_in_body`) each item locks m, sleeps and
/// unlocks, and the body locks m.
struct BufferedStream {
  Scenario sc;
  std::uint8_t worker = 0, i0 = 0, i1 = 0, i2 = 0, mx = 0;

  explicit BufferedStream(bool lock_in_body) {
    Builder b;
    if (lock_in_body) mx = b.resource("m", ResourceKind::kTokioMutex);
    const auto main = b.task("main");
    worker = b.task("worker");
    i0 = b.child(worker, "item0", OpKind::kNextChild);
    i1 = b.child(worker, "item1", OpKind::kNextChild);
    i2 = b.child(worker, "item2", OpKind::kNextChild);
    b.program(main, spawn_then_join({worker}));
    if (lock_in_body) {
      b.program(worker, unordered_loop(i0, 3, 2, {op(OpKind::kLock, mx), op(OpKind::kUnlock, mx)}));
      for (auto item : {i0, i1, i2}) {
        b.program(item, {op(OpKind::kLock, mx), op(OpKind::kSleep), op(OpKind::kUnlock, mx)});
      }
    } else {
      b.program(worker, unordered_loop(i0, 3, 2, {op(OpKind::kYieldNow)}));
      for (auto item : {i0, i1, i2}) b.program(item, {op(OpKind::kYieldNow)});
    }
    sc = b.build();
  }
};

}  // namespace

TEST(BufferUnordered, AtMostLimitChildrenAreInFlightAndTheNextIsTakenByTheNextCallToNext) {
  // buffer_unordered(2) over three items that yield once; the loop body yields too, so each
  // poll of the task finishes at most one item. item2 is not taken from the stream while item0
  // and item1 are in flight, nor when item0 has just finished: only by the next call to next().
  const BufferedStream f(false);
  const TokioModel model(f.sc);
  Runner run(model);
  std::size_t most = 0;
  for (int i = 0; i < 1'000; ++i) {
    const State& s = run.state();
    std::size_t in_flight = 0;
    for (auto item : {f.i0, f.i1, f.i2}) in_flight += s.tasks(item).live() ? 1U : 0U;
    CHECK_TEXT(in_flight <= 2, ("in flight: " + std::to_string(in_flight)).c_str());
    most = std::max(most, in_flight);
    if (!run.step()) break;
    check_branches_never_scheduled(model, run);
    if (run.polls_of(task_id(f.worker)) == 1) {
      // The set was created with item0 and item1; both yielded.
      CHECK_TRUE(run.state().tasks(f.i0).live() && run.state().tasks(f.i1).live());
      CHECK(status(run.state(), f.i2) == TaskStatus::kNotSpawned);
    }
  }
  UNSIGNED_LONGS_EQUAL(2, most);
  check_tasks({task_id(f.i0), task_id(f.i1), task_id(f.i2), task_id(f.worker), kMainTask},
              run.finish_order());
}

TEST(BufferUnordered, TheNextItemIsTakenOnlyWhenNextIsCalledAgain) {
  // The same stream: right after the poll in which item0 finished (next() returned it and the
  // body yields), item2 is still in the stream; the poll after it takes item2.
  const BufferedStream f(false);
  const TokioModel model(f.sc);
  Runner run(model);
  run.run_until([&](StateView s) { return finished(s, f.i0); });
  CHECK_TRUE(run.state().tasks(f.i1).live());
  CHECK(status(run.state(), f.i2) == TaskStatus::kNotSpawned);
  const std::size_t polls = run.polls_of(task_id(f.worker));
  run.run_until_polled(task_id(f.worker), polls + 1);
  CHECK_TRUE(run.state().tasks(f.i2).live());
  CHECK(status(run.state(), f.i1) == TaskStatus::kComplete);
}

TEST(BufferUnordered, TheLoopBodyLockingWhatABufferedItemWasHandedHangsBeforeTheLastItemIsTaken) {
  // buffer_unordered_lock_in_body.json: items lock m, sleep, unlock; limit 2; the body locks m.
  // item0 finishes and hands m to item1, which the task does not poll while its body waits on m.
  const BufferedStream f(true);
  const TokioModel model(f.sc);
  Runner run(model);
  run_checking_branches(run, model);
  const State& s = run.state();
  CHECK(status(s, f.i0) == TaskStatus::kComplete);
  UNSIGNED_LONGS_EQUAL(1, m::owned_by_future(s, task_id(f.i1), ResourceId{f.mx}));
  CHECK(status(s, f.i2) == TaskStatus::kNotSpawned);
  CHECK_TRUE(m::waits_on(s, f.sc, task_id(f.worker)) == ResourceId{f.mx});
  CHECK_FALSE(finished(s, f.worker));
}

// --- futures::future::select_all (futures-util 0.3.21 future/select_all.rs) ------------------

TEST_GROUP(SelectAll){};

TEST(SelectAll, ChildrenArePolledInOrderAndTheFirstReadyWinsBeforeTheRestArePolled) {
  // select_all([a: notified n, b: x = 2, c: x = 3]): a is Pending, b Ready: b wins and c is
  // dropped without a poll; a's Notified is dropped and leaves the waiter list.
  Builder b;
  const auto n = b.resource("n", ResourceKind::kNotify);
  const auto x = b.variable("x", 0, 0, 3);
  const auto main = b.task("main");
  const auto worker = b.task("worker");
  const auto a = b.child(worker, "a", OpKind::kSelectAll);
  const auto bb = b.child(worker, "b", OpKind::kSelectAll);
  const auto c = b.child(worker, "c", OpKind::kSelectAll);
  b.program(main, spawn_then_join({worker}));
  b.program(worker, {op(OpKind::kSelectAll, a, 3, 0)});
  b.program(a, {op(OpKind::kNotified, n)});
  b.program(bb, {b.set(x, "2")});
  b.program(c, {b.set(x, "3")});
  const Scenario sc = b.build();
  const TokioModel model(sc);
  Runner run(model);
  run.run_until_polled(task_id(worker), 1);
  const State& s = run.state();
  LONGS_EQUAL(2, s.var(x));
  CHECK(status(s, bb) == TaskStatus::kComplete);
  CHECK(status(s, a) == TaskStatus::kDropped);
  CHECK(status(s, c) == TaskStatus::kDropped);
  UNSIGNED_LONGS_EQUAL(0, s.notify(resource_at(n)).waiters().size());
  CHECK(status(s, worker) == TaskStatus::kComplete);
}

namespace {

enum class Rest { kDrop, kKeep, kKeepThenDropKept };

/// select_all_rest_kept.json and its fixes: main holds m; the worker races a (yield_now) and b
/// (lock m); a wins while b is still queued; then the worker locks m itself. main releases m
/// after a second yield_now.
struct QueuedLoser {
  Scenario sc;
  std::uint8_t worker = 0, a = 0, b = 0, mx = 0;

  explicit QueuedLoser(Rest rest) {
    Builder bld;
    mx = bld.resource("m", ResourceKind::kTokioMutex);
    const auto main = bld.task("main");
    worker = bld.task("worker");
    a = bld.child(worker, "a", OpKind::kSelectAll);
    b = bld.child(worker, "b", OpKind::kSelectAll);
    bld.program(main, {op(OpKind::kLock, mx), op(OpKind::kSpawn, worker), op(OpKind::kYieldNow),
                       op(OpKind::kYieldNow), op(OpKind::kUnlock, mx), op(OpKind::kJoin, worker)});
    std::vector<Op> program{op(OpKind::kSelectAll, a, 2, rest == Rest::kDrop ? 0 : 1)};
    if (rest == Rest::kKeepThenDropKept) program.push_back(op(OpKind::kDropKept));
    program.push_back(op(OpKind::kLock, mx));
    program.push_back(op(OpKind::kUnlock, mx));
    bld.program(worker, program);
    bld.program(a, {op(OpKind::kYieldNow)});
    bld.program(b, {op(OpKind::kLock, mx), op(OpKind::kUnlock, mx)});
    sc = bld.build();
  }
};

/// b, the loser, was dropped and its lock future left m's queue.
void check_loser_dropped(StateView s, const QueuedLoser& f) {
  CHECK(status(s, f.b) == TaskStatus::kDropped);
  CHECK_FALSE(s.semaphore(resource_at(f.mx)).node(m::waiter_of(task_id(f.b))).queued != 0);
}

/// Runs to the end (no branch ever scheduled): the worker's own lock succeeds, the worker and
/// main complete, and m is free.
void finish_with_m_free(Runner& run, const TokioModel& model, const QueuedLoser& f) {
  run_checking_branches(run, model);
  CHECK(status(run.state(), f.worker) == TaskStatus::kComplete);
  CHECK(status(run.state(), kMainTask) == TaskStatus::kComplete);
  UNSIGNED_LONGS_EQUAL(1, run.state().semaphore(resource_at(f.mx)).available());
}

}  // namespace

TEST(SelectAll, WithTheRestDroppedALosersLockFutureLeavesTheQueue) {
  const QueuedLoser f(Rest::kDrop);
  const TokioModel model(f.sc);
  Runner run(model);
  run.run_until([&](StateView s) { return finished(s, f.a); });
  {
    const State& s = run.state();
    check_loser_dropped(s, f);
    // The worker's own lock is the only waiter.
    UNSIGNED_LONGS_EQUAL(1, s.semaphore(resource_at(f.mx)).queue().size());
    CHECK_TRUE(m::waits_on(s, f.sc, task_id(f.worker)) == ResourceId{f.mx});
  }
  finish_with_m_free(run, model, f);
}

TEST(SelectAll, WithTheRestKeptALosersLockFutureStaysQueuedAndStrandsThePermitItIsHanded) {
  const QueuedLoser f(Rest::kKeep);
  const TokioModel model(f.sc);
  Runner run(model);
  run.run_until([&](StateView s) { return finished(s, f.a); });
  {
    const State& s = run.state();
    CHECK_TRUE(s.tasks(f.b).live());
    CHECK_TRUE(m::waits_on(s, f.sc, task_id(f.b)) == ResourceId{f.mx});
    // b first, the worker's own lock behind it.
    UNSIGNED_LONGS_EQUAL(2, s.semaphore(resource_at(f.mx)).queue().size());
    CHECK_TRUE(s.semaphore(resource_at(f.mx)).queue()[0] == m::waiter_of(task_id(f.b)));
  }
  run_checking_branches(run, model);
  const State& s = run.state();
  UNSIGNED_LONGS_EQUAL(1, m::owned_by_future(s, task_id(f.b), ResourceId{f.mx}));
  UNSIGNED_LONGS_EQUAL(0, m::guard_holders(s, f.sc, ResourceId{f.mx}));
  CHECK_TRUE(m::waits_on(s, f.sc, task_id(f.worker)) == ResourceId{f.mx});
  CHECK_FALSE(finished(s, f.worker));
  CHECK_FALSE(finished(s, kMainTask));
}

TEST(SelectAll, DropKeptDropsTheRestAndTheWorkersLockSucceeds) {
  const QueuedLoser f(Rest::kKeepThenDropKept);
  const TokioModel model(f.sc);
  Runner run(model);
  run.run_until([&](StateView s) { return finished(s, f.a); });
  check_loser_dropped(run.state(), f);
  finish_with_m_free(run, model, f);
}

namespace {

/// main holds m; the worker races a (yield_now) against b (lock m), z queues behind b; main's
/// release assigns m to b and, in the same poll of the worker, a wins (polled first).
struct AssignedLoser {
  Scenario sc;
  std::uint8_t worker = 0, z = 0, a = 0, b = 0, mx = 0;

  explicit AssignedLoser(bool keep) {
    Builder bld;
    mx = bld.resource("m", ResourceKind::kTokioMutex);
    const auto main = bld.task("main");
    worker = bld.task("worker");
    z = bld.task("z");
    a = bld.child(worker, "a", OpKind::kSelectAll);
    b = bld.child(worker, "b", OpKind::kSelectAll);
    bld.program(main, {op(OpKind::kLock, mx), op(OpKind::kSpawn, worker), op(OpKind::kSpawn, z),
                       op(OpKind::kYieldNow), op(OpKind::kUnlock, mx), op(OpKind::kJoin, worker),
                       op(OpKind::kJoin, z)});
    bld.program(worker, {op(OpKind::kSelectAll, a, 2, keep ? 1 : 0), op(OpKind::kLock, mx),
                         op(OpKind::kUnlock, mx)});
    bld.program(a, {op(OpKind::kYieldNow)});
    bld.program(b, {op(OpKind::kLock, mx), op(OpKind::kUnlock, mx)});
    bld.program(z, {op(OpKind::kLock, mx), op(OpKind::kUnlock, mx)});
    sc = bld.build();
  }
};

}  // namespace

TEST(SelectAll, WithTheRestDroppedTheLosersAssignedPermitPassesToTheNextWaiter) {
  const AssignedLoser f(false);
  const TokioModel model(f.sc);
  Runner run(model);
  // Just before the worker's second poll: b was handed m by main's release.
  run.run_until(
      [&](StateView s) { return m::owned_by_future(s, task_id(f.b), ResourceId{f.mx}) == 1; });
  CHECK_TRUE(m::waits_on(run.state(), f.sc, task_id(f.z)) == ResourceId{f.mx});
  run.run_until([&](StateView s) { return finished(s, f.a); });
  {
    const State& s = run.state();
    CHECK(status(s, f.b) == TaskStatus::kDropped);
    UNSIGNED_LONGS_EQUAL(0, m::owned_by_future(s, task_id(f.b), ResourceId{f.mx}));
    UNSIGNED_LONGS_EQUAL(1, m::owned_by_future(s, task_id(f.z), ResourceId{f.mx}));
    CHECK_TRUE(m::waits_on(s, f.sc, task_id(f.worker)) == ResourceId{f.mx});
  }
  const auto at = run_checking_branches(run, model);
  CHECK_TRUE(at[f.a] <= 0 && at[f.b] <= 0);  // a won and b was dropped in one poll
  CHECK_TRUE(0 < at[f.z] && at[f.z] < at[f.worker] && at[f.worker] < at[0]);
  UNSIGNED_LONGS_EQUAL(1, run.state().semaphore(resource_at(f.mx)).available());
}

TEST(SelectAll, WithTheRestKeptTheLoserKeepsItsAssignedPermitAndEveryoneElseWaits) {
  const AssignedLoser f(true);
  const TokioModel model(f.sc);
  Runner run(model);
  run_checking_branches(run, model);
  const State& s = run.state();
  CHECK(status(s, f.a) == TaskStatus::kComplete);
  CHECK_TRUE(s.tasks(f.b).live());
  UNSIGNED_LONGS_EQUAL(1, m::owned_by_future(s, task_id(f.b), ResourceId{f.mx}));
  CHECK_TRUE(m::waits_on(s, f.sc, task_id(f.z)) == ResourceId{f.mx});
  CHECK_TRUE(m::waits_on(s, f.sc, task_id(f.worker)) == ResourceId{f.mx});
  CHECK_FALSE(finished(s, f.z));
  CHECK_FALSE(finished(s, f.worker));
}

// --- block_in_place (multi_thread) --------------------------------------------------------------

TEST_GROUP(BlockInPlace){};

TEST(BlockInPlace, WhileABranchIsBlockedTheOtherBranchIsNotPolledEvenWhenWoken) {
  // block_in_place_in_join.json: join!(a: lock m, b: sleep, block_in_place(block_on(lock m))).
  // a queues first; b blocks the worker's thread on its own lock; main's release hands m to a
  // and wakes it, but the thread is inside b's block_on: a is never polled, b never gets m.
  Builder b(Flavor::kMultiThread);
  const auto mx = b.resource("m", ResourceKind::kTokioMutex);
  const JoinOfTwo j(b);
  program_sleeping_join(b, j, mx, true);
  const Scenario sc = b.build();
  const TokioModel model(sc);
  Runner run(model);
  apply(run, EventKind::kPoll, j.main);    // lock m, spawn, sleep
  apply(run, EventKind::kPoll, j.worker);  // a queues on m, b sleeps
  apply(run, EventKind::kTimer, j.b);
  apply(run, EventKind::kWake, j.worker);
  apply(run, EventKind::kPoll, j.worker);  // b first (rotation): block_in_place, lock m queues
  CHECK_TRUE(run.state().tasks(j.worker).blocked != 0);
  CHECK_TRUE(m::waits_on(run.state(), sc, task_id(j.b)) == ResourceId{mx});
  apply(run, EventKind::kTimer, j.main);
  apply(run, EventKind::kPoll, j.main);
  apply(run, EventKind::kTimer, j.main);
  apply(run, EventKind::kPoll, j.main);  // unlock m: a is handed the permit and woken
  const State& s = run.state();
  UNSIGNED_LONGS_EQUAL(1, m::owned_by_future(s, task_id(j.a), ResourceId{mx}));
  CHECK_TRUE(m::waits_on(s, sc, task_id(j.b)) == ResourceId{mx});
  // Nothing can run: a's wake did not make the blocked thread poll the worker.
  UNSIGNED_LONGS_EQUAL(0, run.scheduler_events().size());
  CHECK_FALSE(finished(s, j.worker));
  CHECK_FALSE(finished(s, j.a));
}

TEST(BlockInPlace, AWakeOfTheBlockedBranchPollsItAndTheTaskIsPolledAgainAfterTheBlock) {
  // join!(a: lock m, b: block_in_place(block_on(sleep)); x = 1), main releasing m while b is
  // blocked: a's wake does not reach the blocked thread; b's timer does, and its poll polls b
  // only (a keeps its assigned permit); after the block ends the task is woken and polled anew,
  // and a gets m.
  Builder b(Flavor::kMultiThread);
  const auto mx = b.resource("m", ResourceKind::kTokioMutex);
  const auto x = b.variable("x", 0, 0, 1);
  const JoinOfTwo j(b);
  b.program(j.main, {op(OpKind::kLock, mx), op(OpKind::kSpawn, j.worker), op(OpKind::kYieldNow),
                     op(OpKind::kUnlock, mx), op(OpKind::kJoin, j.worker)});
  b.program(j.a, {op(OpKind::kLock, mx), op(OpKind::kUnlock, mx)});
  b.program(j.b,
            {op(OpKind::kBlockBegin), op(OpKind::kSleep), op(OpKind::kBlockEnd), b.set(x, "1")});
  const Scenario sc = b.build();
  const TokioModel model(sc);
  Runner run(model);
  apply(run, EventKind::kPoll, j.main);  // lock m, spawn, yield_now (woken at once on multi_thread)
  apply(run, EventKind::kPoll, j.worker);  // a queues; b blocks the thread in its sleep
  CHECK_TRUE(run.state().tasks(j.worker).blocked != 0);
  apply(run, EventKind::kWake, j.main);
  apply(run, EventKind::kPoll, j.main);  // unlock m: a is handed the permit
  {
    const State& s = run.state();
    UNSIGNED_LONGS_EQUAL(1, m::owned_by_future(s, task_id(j.a), ResourceId{mx}));
    const auto events = run.scheduler_events();
    CHECK_FALSE(has_event(events, EventKind::kPoll, j.worker));
    CHECK_FALSE(has_event(events, EventKind::kWake, j.worker));
    CHECK_TRUE(has_event(events, EventKind::kTimer, j.b));
  }
  apply(run, EventKind::kTimer, j.b);
  CHECK_TRUE(has_event(run.scheduler_events(), EventKind::kPoll, j.worker));
  apply(run, EventKind::kPoll,
        j.worker);  // the block_on polls b: the sleep is over, the block ends
  {
    const State& s = run.state();
    LONGS_EQUAL(1, s.var(x));
    CHECK(status(s, j.b) == TaskStatus::kComplete);
    UNSIGNED_LONGS_EQUAL(0, s.tasks(j.worker).blocked);
    // a was not polled by the block_on: its permit is still only assigned.
    UNSIGNED_LONGS_EQUAL(1, m::owned_by_future(s, task_id(j.a), ResourceId{mx}));
    UNSIGNED_LONGS_EQUAL(0, m::held_by(s, task_id(j.a), ResourceId{mx}));
    CHECK_TRUE(has_event(run.scheduler_events(), EventKind::kWake, j.worker));
  }
  apply(run, EventKind::kWake, j.worker);
  apply(run, EventKind::kPoll, j.worker);
  CHECK(status(run.state(), j.a) == TaskStatus::kComplete);
  CHECK(status(run.state(), j.worker) == TaskStatus::kComplete);
  UNSIGNED_LONGS_EQUAL(1, run.state().semaphore(resource_at(mx)).available());
}

TEST(BlockInPlace, AWakeIssuedBeforeTheBranchBlockedDoesNotLetTheBlockedThreadBePolled) {
  // join!(a: yield_now, b: block_in_place(block_on(lock m))) while main holds m and awaits the
  // worker. In the worker's first poll a's yield_now wakes the task (multi_thread: at once),
  // then b blocks the thread on m. Real tokio: the task is RUNNING, so that wake only sets
  // NOTIFIED; the thread sits in b's block_on until b's waker fires, which never happens: a
  // hang. MODEL GAP: the wake is delivered (status kScheduled), kPoll(worker) is enabled
  // although block_woken is 0, and poll_blocked re-polls b without clearing kScheduled, so
  // kPoll(worker) stays enabled for ever: a self-loop the report calls "starvation: worker is
  // polled again and again" instead of a dead end. Enable when fixed.
  Builder b(Flavor::kMultiThread);
  const auto mx = b.resource("m", ResourceKind::kTokioMutex);
  const JoinOfTwo j(b);
  b.program(j.main, {op(OpKind::kLock, mx), op(OpKind::kSpawn, j.worker),
                     op(OpKind::kJoin, j.worker), op(OpKind::kUnlock, mx)});
  b.program(j.a, {op(OpKind::kYieldNow)});
  b.program(j.b, {op(OpKind::kBlockBegin), op(OpKind::kLock, mx), op(OpKind::kUnlock, mx),
                  op(OpKind::kBlockEnd)});
  const Scenario sc = b.build();
  const TokioModel model(sc);
  Runner run(model);
  apply(run, EventKind::kPoll, j.main);
  apply(run, EventKind::kPoll, j.worker);
  CHECK_TRUE(run.state().tasks(j.worker).blocked != 0);
  // Whatever the model does with the wake a issued, the blocked thread is not polled.
  for (int i = 0; i < 10; ++i) {
    const auto events = run.scheduler_events();
    CHECK_FALSE(has_event(events, EventKind::kPoll, j.worker));
    if (!has_event(events, EventKind::kWake, j.worker)) break;
    apply(run, EventKind::kWake, j.worker);
  }
  UNSIGNED_LONGS_EQUAL(0, run.scheduler_events().size());
  CHECK_TRUE(m::waits_on(run.state(), sc, task_id(j.b)) == ResourceId{mx});
}

// --- coop (coop.rs; tokio-semantics.md §3.5, §5.5) ---------------------------------------------

TEST_GROUP(CoopBudget){};

TEST(CoopBudget, The129thAcquireOfAPollIsPendingAndTheBudgetIsFreshAtTheNextPoll) {
  // S16: t acquires and releases a free mutex 300 times; o, spawned after it, records the count.
  // 128 acquires complete in t's first poll; the 129th is Pending and (1.24) t is re-queued at
  // once, behind o. Each later poll has a fresh budget of 128.
  Builder b;
  const LoopThenObserver f(b, 300);
  const Scenario sc = b.build();
  const TokioModel model(sc);
  Runner run(model);
  run.run_until_polled(task_id(f.t), 1);
  {
    const State& s = run.state();
    LONGS_EQUAL(128, s.var(f.count));
    UNSIGNED_LONGS_EQUAL(1, s.semaphore(resource_at(f.mx)).available());  // the mutex was free
    check_tasks({task_id(f.o), task_id(f.t)}, ids(s.run_queue()));
  }
  run.run_until_polled(task_id(f.o), 1);
  LONGS_EQUAL(128, run.state().var(f.seen));
  run.run_until_polled(task_id(f.t), 2);
  LONGS_EQUAL(256, run.state().var(f.count));
  run.run();
  LONGS_EQUAL(300, run.state().var(f.count));
  UNSIGNED_LONGS_EQUAL(3, run.polls_of(task_id(f.t)));
  CHECK(status(run.state(), f.main) == TaskStatus::kComplete);
}

namespace {

/// S24: v waits on n; t spends its budget and acquires again; u notifies v after t's refused
/// acquire. Returns the polls of the run.
std::vector<TaskId> s24_polls(TokioVersion version, std::vector<TaskId>& queue_after_t,
                              bool& t_deferred) {
  Builder b(Flavor::kCurrentThread, version);
  const auto mx = b.resource("m", ResourceKind::kTokioMutex);
  const auto n = b.resource("n", ResourceKind::kNotify);
  const auto count = b.variable("count", 0, 0, 128);
  const auto main = b.task("main");
  const auto v = b.task("v");
  const auto t = b.task("t");
  const auto u = b.task("u");
  b.program(main, {op(OpKind::kSpawn, v), op(OpKind::kSpawn, t), op(OpKind::kSpawn, u),
                   op(OpKind::kJoin, t), op(OpKind::kJoin, u), op(OpKind::kJoin, v)});
  b.program(v, {op(OpKind::kNotified, n)});
  std::vector<Op> program = lock_loop(b, mx, count, "128", 0);
  program.push_back(op(OpKind::kLock, mx));
  program.push_back(op(OpKind::kUnlock, mx));
  b.program(t, program);
  b.program(u, {op(OpKind::kNotifyOne, n)});
  const Scenario sc = b.build();
  const TokioModel model(sc);
  Runner run(model);
  run.run_until_polled(task_id(t), 1);
  LONGS_EQUAL(128, run.state().var(count));
  CHECK_FALSE(finished(run.state(), t));
  queue_after_t = ids(run.state().run_queue());
  t_deferred = run.state().deferred().contains(task_id(t));
  run.run();
  CHECK(status(run.state(), main) == TaskStatus::kComplete);
  return run.polls();
}

}  // namespace

TEST(CoopBudget, On1_24TheRefusedAcquireRequeuesTheTaskAtOnceAheadOfATaskWokenLater) {
  std::vector<TaskId> queue;
  bool deferred = true;
  const auto polls = s24_polls(TokioVersion::k1_24, queue, deferred);
  const TaskId v = task_id(1), t = task_id(2), u = task_id(3);
  check_tasks({u, t}, queue);
  CHECK_FALSE(deferred);
  check_tasks({kMainTask, v, t, u, t, v, kMainTask}, polls);
}

TEST(CoopBudget, On1_53TheRefusedAcquireDefersTheWakeUntilTheQueueDrains) {
  std::vector<TaskId> queue;
  bool deferred = false;
  const auto polls = s24_polls(TokioVersion::k1_53, queue, deferred);
  const TaskId v = task_id(1), t = task_id(2), u = task_id(3);
  check_tasks({u}, queue);
  CHECK_TRUE(deferred);
  check_tasks({kMainTask, v, t, u, v, t, kMainTask}, polls);
}

TEST(CoopBudget, JoinBranchesShareTheTasksBudget) {
  // join!(a, b), each looping 100 uncontended acquires: one poll of the task completes 128 of
  // them in all, a's 100 and b's first 28.
  Builder b;
  const auto mx = b.resource("m", ResourceKind::kTokioMutex);
  const auto ca = b.variable("ca", 0, 0, 100);
  const auto cb = b.variable("cb", 0, 0, 100);
  const JoinOfTwo j(b);
  b.program(j.main, spawn_then_join({j.worker}));
  b.program(j.a, lock_loop(b, mx, ca, "100", 0));
  b.program(j.b, lock_loop(b, mx, cb, "100", 0));
  const Scenario sc = b.build();
  const TokioModel model(sc);
  Runner run(model);
  run.run_until_polled(task_id(j.worker), 1);
  LONGS_EQUAL(100, run.state().var(ca));
  LONGS_EQUAL(28, run.state().var(cb));
  CHECK_TRUE(run.state().tasks(j.worker).wake_pending == 1);  // b's refused acquire woke the task
  run_checking_branches(run, model);
  LONGS_EQUAL(100, run.state().var(cb));
  CHECK(status(run.state(), j.worker) == TaskStatus::kComplete);
}

TEST(CoopBudget, NotifyAndTryLockAreNotCoopParticipants) {
  // t stores a notify_one permit, spends the budget on 128 acquires, then awaits notified()
  // (Ready: Notify has no coop) and try_lock (Ok: try_* has no coop); only its next lock() is
  // refused, and succeeds at the next poll.
  Builder b;
  const auto mx = b.resource("m", ResourceKind::kTokioMutex);
  const auto n = b.resource("n", ResourceKind::kNotify);
  const auto count = b.variable("count", 0, 0, 128);
  const auto notified = b.variable("notified", 0, 0, 1);
  const auto ok = b.variable("ok", 0, 0, 1);
  const auto locked = b.variable("locked", 0, 0, 1);
  const auto main = b.task("main");
  const auto t = b.task("t");
  b.program(main, {op(OpKind::kSpawn, t), op(OpKind::kJoin, t)});
  std::vector<Op> program{op(OpKind::kNotifyOne, n)};
  for (const Op& o : lock_loop(b, mx, count, "128", 1)) program.push_back(o);
  for (const Op& o : {op(OpKind::kNotified, n), b.set(notified, "1"),
                      op(OpKind::kTryLock, mx, u8(ok + 1)), op(OpKind::kUnlock, mx),
                      op(OpKind::kLock, mx), b.set(locked, "1"), op(OpKind::kUnlock, mx)}) {
    program.push_back(o);
  }
  b.program(t, program);
  const Scenario sc = b.build();
  const TokioModel model(sc);
  Runner run(model);
  run.run_until_polled(task_id(t), 1);
  {
    const State& s = run.state();
    LONGS_EQUAL(128, s.var(count));
    LONGS_EQUAL(1, s.var(notified));
    LONGS_EQUAL(1, s.var(ok));
    LONGS_EQUAL(0, s.var(locked));  // the lock after them was refused
    UNSIGNED_LONGS_EQUAL(1, s.semaphore(resource_at(mx)).available());
    CHECK_TRUE(s.tasks(t).wake_pending == 1);
  }
  run.run_until_polled(task_id(t), 2);
  LONGS_EQUAL(1, run.state().var(locked));
  CHECK(status(run.state(), t) == TaskStatus::kComplete);
}

// --- a Notified created before notify_waiters (§2.4, S12) --------------------------------------

TEST_GROUP(CreatedNotified){};

namespace {

/// main: `let a = n.notified(); n.notify_waiters(); [n.notify_one();] a.await;` then spawns
/// `fresh` (notified n) and awaits it.
struct CreatedThenNotified {
  Scenario sc;
  std::uint8_t n = 0, fresh = 0;

  CreatedThenNotified(TokioVersion version, bool notify_one) {
    Builder b(Flavor::kCurrentThread, version);
    n = b.resource("n", ResourceKind::kNotify);
    const auto main = b.task("main");
    fresh = b.task("fresh");
    std::vector<Op> program{op(OpKind::kCreateNotified, n), op(OpKind::kNotifyWaiters, n)};
    if (notify_one) program.push_back(op(OpKind::kNotifyOne, n));
    for (const Op& o :
         {op(OpKind::kNotified, n), op(OpKind::kSpawn, fresh), op(OpKind::kJoin, fresh)}) {
      program.push_back(o);
    }
    b.program(main, program);
    b.program(fresh, {op(OpKind::kNotified, n)});
    sc = b.build();
  }
};

}  // namespace

TEST(CreatedNotified, On1_24AwaitingItAfterNotifyOneConsumesTheStoredPermit) {
  // S12 (1.24.2): the created Notified is Ready at once, but by taking notify_one's permit, so
  // the fresh notified() afterwards waits for ever.
  const CreatedThenNotified f(TokioVersion::k1_24, true);
  const TokioModel model(f.sc);
  Runner run(model);
  CHECK_TRUE(run.step());  // main's first poll gets past `a.await` and spawns fresh
  CHECK(status(run.state(), f.fresh) == TaskStatus::kScheduled);
  UNSIGNED_LONGS_EQUAL(0, run.state().notify(resource_at(f.n)).permit());
  run.run();
  CHECK(status(run.state(), f.fresh) == TaskStatus::kIdle);
  CHECK_TRUE(m::waits_on(run.state(), f.sc, task_id(f.fresh)) == ResourceId{f.n});
  CHECK_FALSE(finished(run.state(), kMainTask));
}

TEST(CreatedNotified, On1_53AwaitingItAfterNotifyOneLeavesTheStoredPermit) {
  // S12 (1.51+, #7996): the created Notified is Ready by the notify_waiters call; the permit
  // stays for the fresh notified().
  const CreatedThenNotified f(TokioVersion::k1_53, true);
  const TokioModel model(f.sc);
  Runner run(model);
  CHECK_TRUE(run.step());
  CHECK(status(run.state(), f.fresh) == TaskStatus::kScheduled);
  UNSIGNED_LONGS_EQUAL(1, run.state().notify(resource_at(f.n)).permit());
  run.run();
  CHECK(status(run.state(), f.fresh) == TaskStatus::kComplete);
  CHECK(status(run.state(), kMainTask) == TaskStatus::kComplete);
  UNSIGNED_LONGS_EQUAL(0, run.state().notify(resource_at(f.n)).permit());
}

TEST(CreatedNotified, NotifyWaitersMakesItReadyWithoutStoringAnythingInBothVersions) {
  // S11: a Notified created before notify_waiters completes when first polled; nothing is
  // stored, so a later notified() waits.
  for (TokioVersion version : {TokioVersion::k1_24, TokioVersion::k1_53}) {
    const CreatedThenNotified f(version, false);
    const TokioModel model(f.sc);
    Runner run(model);
    CHECK_TRUE(run.step());
    CHECK(status(run.state(), f.fresh) == TaskStatus::kScheduled);
    run.run();
    CHECK_TRUE(m::waits_on(run.state(), f.sc, task_id(f.fresh)) == ResourceId{f.n});
    UNSIGNED_LONGS_EQUAL(0, run.state().notify(resource_at(f.n)).permit());
  }
}

// --- event_interval (current_thread.rs, Builder::event_interval; S20) ---------------------------

TEST_GROUP(EventInterval){};

TEST(EventInterval, AMainThatSpawnedSixTasksAndYieldedIsPolledAfterEventIntervalTaskPolls) {
  // main spawns t1..t6 and yields; each task counts itself in `ran`; main records `seen = ran`
  // when it resumes. With event_interval k the loop parks after k task polls (or when the queue
  // drains) and polls the woken main: seen == min(k, 6).
  for (std::uint8_t interval : std::vector<std::uint8_t>{1, 2, 3, 4, 6, 7, 61}) {
    Builder b;
    const auto ran = b.variable("ran", 0, 0, 6);
    const auto seen = b.variable("seen", -1, -1, 6);
    const auto main = b.task("main");
    std::vector<Op> program;
    std::vector<Op> joins;
    for (std::size_t i = 1; i <= 6; ++i) {
      const auto t = b.task("t" + std::to_string(i));
      program.push_back(op(OpKind::kSpawn, t));
      joins.push_back(op(OpKind::kJoin, t));
    }
    program.push_back(op(OpKind::kYieldNow));
    program.push_back(b.set(seen, "ran"));
    for (const Op& o : joins) program.push_back(o);
    b.program(main, program);
    for (std::size_t i = 1; i <= 6; ++i) b.program(u8(i), {b.set(ran, "ran + 1")});
    b.scenario().event_interval = interval;
    const Scenario sc = b.build();
    const TokioModel model(sc);
    Runner run(model);
    run.run_until_polled(kMainTask, 2);
    const std::size_t expected = std::min<std::size_t>(interval, 6);
    LONGS_EQUAL(static_cast<long>(expected), run.state().var(seen));
    // main's second poll comes right after `expected` task polls, in spawn order.
    std::vector<TaskId> polls{kMainTask};
    for (std::size_t i = 1; i <= expected; ++i) polls.push_back(task_id(i));
    polls.push_back(kMainTask);
    check_tasks(polls, run.polls());
    run.run();
    CHECK(status(run.state(), main) == TaskStatus::kComplete);
    LONGS_EQUAL(6, run.state().var(ran));
  }
}
