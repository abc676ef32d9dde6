// Tests of the tokio rules for what the scenario language added: tokio::sync::Notify
// (docs/tokio-model.md#notify, scenarios S9-S11), std::sync::Mutex (never held across
// an await), variables and jumps, on_drop handlers, nested futures under their own wrapper, and
// the spurious-wake fault. Scenarios are built here op by op (expressions are parsed with the
// model's own parser), so these test the model without the property-file loader.
//
// current_thread runs are stepped one scheduler event at a time, as in tokio_model_test.cpp.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "model/event.hpp"
#include "model/queries.hpp"
#include "model/scenario.hpp"
#include "model/state.hpp"
#include "model/tokio_model.hpp"

#include <CppUTest/TestHarness.h>

#include "tests/model/builder.hpp"
#include "tests/model/runner.hpp"

namespace {

namespace m = wakecheck::model;
using m::Event;
using m::EventKind;
using m::Failure;
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
using m::Wrapper;
using namespace wakecheck::testing;

TaskStatus status(StateView s, std::size_t t) { return s.tasks(t).status; }

std::vector<TaskId> waiters(StateView s, std::uint8_t notify) {
  return ids(s.notify(resource_at(notify)).waiters());
}

}  // namespace

// --- Notify (docs/tokio-model.md#notify) -------------------------------------------------------------------

TEST_GROUP(TokioNotify){};

TEST(TokioNotify, NotifyOneStoresAtMostOnePermit) {
  // S11, second part: 2x notify_one with no waiter, then 2x notified(): the first is ready, the
  // second waits.
  Builder b;
  const auto n = b.resource("n", ResourceKind::kNotify);
  const auto main = b.task("main");
  const auto first = b.task("first");
  const auto second = b.task("second");
  b.program(main, {op(OpKind::kNotifyOne, n), op(OpKind::kNotifyOne, n), op(OpKind::kSpawn, first),
                   op(OpKind::kSpawn, second), op(OpKind::kJoin, first)});
  b.program(first, {op(OpKind::kNotified, n)});
  b.program(second, {op(OpKind::kNotified, n)});
  const Scenario sc = b.build();
  const TokioModel model(sc);
  Runner run(model);
  CHECK_TRUE(run.step());  // main's first poll: both notify_one, both spawns
  UNSIGNED_LONGS_EQUAL(1, run.state().notify(resource_at(n)).permit());
  LONGS_EQUAL(1, m::available(run.state(), sc, ResourceId{n}));
  run.run();
  const State& s = run.state();
  CHECK(status(s, first) == TaskStatus::kComplete);
  CHECK(status(s, second) == TaskStatus::kIdle);
  CHECK_TRUE(m::waits_on(s, sc, task_id(second)) == ResourceId{n});
  UNSIGNED_LONGS_EQUAL(0, s.notify(resource_at(n)).permit());
  LONGS_EQUAL(1, m::queue_length(s, sc, ResourceId{n}));
  CHECK(status(s, main) == TaskStatus::kComplete);
}

TEST(TokioNotify, NotifyOneHandsTheNotificationToTheOldestWaiter) {
  // notify_one with waiters pops the oldest (FIFO) and hands the notification to its Notified
  // future before the wake: nothing is stored.
  Builder b;
  const auto n = b.resource("n", ResourceKind::kNotify);
  const auto main = b.task("main");
  const auto a = b.task("a");
  const auto bb = b.task("b");
  const auto c = b.task("c");
  b.program(main, {op(OpKind::kSpawn, a), op(OpKind::kSpawn, bb), op(OpKind::kSpawn, c),
                   op(OpKind::kYieldNow), op(OpKind::kNotifyOne, n), op(OpKind::kJoin, a)});
  for (auto t : {a, bb, c}) b.program(t, {op(OpKind::kNotified, n)});
  const Scenario sc = b.build();
  const TokioModel model(sc);
  Runner run(model);
  run.run_until_polled(kMainTask, 2);
  {
    const State& s = run.state();
    UNSIGNED_LONGS_EQUAL(1, s.notify(resource_at(n)).notified(task_at(a)));  // OneWaiter
    check_tasks({task_id(bb), task_id(c)}, waiters(s, n));
    UNSIGNED_LONGS_EQUAL(0, s.notify(resource_at(n)).permit());
    UNSIGNED_LONGS_EQUAL(1, s.tasks(a).wake_pending);
    UNSIGNED_LONGS_EQUAL(0, s.tasks(bb).wake_pending);
  }
  run.run();
  const State& s = run.state();
  CHECK(status(s, a) == TaskStatus::kComplete);
  CHECK(status(s, bb) == TaskStatus::kIdle);
  CHECK(status(s, c) == TaskStatus::kIdle);
  check_tasks({task_id(bb), task_id(c)}, waiters(s, n));
  UNSIGNED_LONGS_EQUAL(0, s.notify(resource_at(n)).permit());
}

TEST(TokioNotify, NotifyWaitersWakesEveryCurrentWaiterInReverseAndStoresNothing) {
  // S11: n1, n2 waiting; notify_waiters; then a new notified() waits (nothing stored). 1.24.2
  // wakes the batch in reverse, so the younger waiter runs first (S1b: entry order w3, w2, w0).
  Builder b;
  const auto n = b.resource("n", ResourceKind::kNotify);
  const auto main = b.task("main");
  const auto n1 = b.task("n1");
  const auto n2 = b.task("n2");
  const auto late = b.task("late");
  b.program(main, {op(OpKind::kSpawn, n1), op(OpKind::kSpawn, n2), op(OpKind::kYieldNow),
                   op(OpKind::kNotifyWaiters, n), op(OpKind::kSpawn, late), op(OpKind::kJoin, n1),
                   op(OpKind::kJoin, n2)});
  for (auto t : {n1, n2, late}) b.program(t, {op(OpKind::kNotified, n)});
  const Scenario sc = b.build();
  const TokioModel model(sc);
  Runner run(model);
  run.run_until_polled(kMainTask, 2);
  {
    const State& s = run.state();
    CHECK_TRUE(waiters(s, n).empty());
    UNSIGNED_LONGS_EQUAL(2, s.notify(resource_at(n)).notified(task_at(n1)));  // AllWaiters
    UNSIGNED_LONGS_EQUAL(2, s.notify(resource_at(n)).notified(task_at(n2)));
    UNSIGNED_LONGS_EQUAL(0, s.notify(resource_at(n)).permit());
    // Reverse of the waiter list (n1 oldest), then the spawned task.
    check_tasks({task_id(n2), task_id(n1), task_id(late)}, ids(s.run_queue()));
  }
  run.run();
  const State& s = run.state();
  check_tasks({kMainTask, task_id(n1), task_id(n2), kMainTask, task_id(n2), task_id(n1), task_id(late),
               kMainTask},
              run.polls());
  CHECK(status(s, n1) == TaskStatus::kComplete);
  CHECK(status(s, n2) == TaskStatus::kComplete);
  CHECK(status(s, late) == TaskStatus::kIdle);
  check_tasks({task_id(late)}, waiters(s, n));
  UNSIGNED_LONGS_EQUAL(0, s.notify(resource_at(n)).permit());
  CHECK(status(s, main) == TaskStatus::kComplete);
}

TEST(TokioNotify, NotifyWaitersWithoutWaitersLeavesAStoredPermitAlone) {
  // tokio-model.md#notify: with no waiters, notify_waiters only bumps its counter; a stored permit stays, and a
  // later notified() consumes it.
  Builder b;
  const auto n = b.resource("n", ResourceKind::kNotify);
  const auto main = b.task("main");
  const auto w = b.task("w");
  b.program(main, {op(OpKind::kNotifyOne, n), op(OpKind::kNotifyWaiters, n), op(OpKind::kSpawn, w),
                   op(OpKind::kJoin, w)});
  b.program(w, {op(OpKind::kNotified, n)});
  const Scenario sc = b.build();
  const TokioModel model(sc);
  Runner run(model);
  CHECK_TRUE(run.step());
  UNSIGNED_LONGS_EQUAL(1, run.state().notify(resource_at(n)).permit());
  run.run();
  CHECK(status(run.state(), w) == TaskStatus::kComplete);
  CHECK(status(run.state(), main) == TaskStatus::kComplete);
  UNSIGNED_LONGS_EQUAL(0, run.state().notify(resource_at(n)).permit());
}

TEST(TokioNotify, DroppingANotifiedThatGotNotifyOneForwardsIt) {
  // S10: A (drop_on_pause, paused) then B wait; notify_one hands the notification to A, whose
  // wrapper drops the Notified at its next poll: Notified::drop forwards it to B, which finishes.
  Builder b;
  const auto n = b.resource("n", ResourceKind::kNotify);
  const auto main = b.task("main");
  const auto a = b.task("a", Wrapper::kDropOnPause);
  const auto bb = b.task("b");
  b.program(main, {op(OpKind::kSpawn, a), op(OpKind::kSpawn, bb), op(OpKind::kYieldNow),
                   op(OpKind::kPause, a), op(OpKind::kNotifyOne, n), op(OpKind::kJoin, bb)});
  b.program(a, {op(OpKind::kNotified, n)});
  b.program(bb, {op(OpKind::kNotified, n)});
  const Scenario sc = b.build();
  const TokioModel model(sc);
  Runner run(model);
  run.run_until_polled(kMainTask, 2);
  UNSIGNED_LONGS_EQUAL(1, run.state().notify(resource_at(n)).notified(task_at(a)));  // handed to the oldest: A
  check_tasks({task_id(bb)}, waiters(run.state(), n));
  run.run();
  const State& s = run.state();
  CHECK(status(s, a) == TaskStatus::kDropped);
  CHECK(status(s, bb) == TaskStatus::kComplete);
  CHECK(status(s, main) == TaskStatus::kComplete);
  CHECK_TRUE(waiters(s, n).empty());
  UNSIGNED_LONGS_EQUAL(0, s.notify(resource_at(n)).permit());  // forwarded to B, not stored
}

TEST(TokioNotify, DroppingANotifiedThatGotNotifyWaitersForwardsNothing) {
  // tokio-model.md#notify: notify_waiters notifications are not forwarded. A (drop_on_pause, paused) and B wait;
  // main spawns C, then notify_waiters: C registers before A's wrapper drops A's Notified, and a
  // forwarded notification would reach it. It must not: C waits.
  Builder b;
  const auto n = b.resource("n", ResourceKind::kNotify);
  const auto main = b.task("main");
  const auto a = b.task("a", Wrapper::kDropOnPause);
  const auto bb = b.task("b");
  const auto c = b.task("c");
  b.program(main, {op(OpKind::kSpawn, a), op(OpKind::kSpawn, bb), op(OpKind::kYieldNow),
                   op(OpKind::kPause, a), op(OpKind::kSpawn, c), op(OpKind::kNotifyWaiters, n),
                   op(OpKind::kJoin, bb)});
  for (auto t : {a, bb, c}) b.program(t, {op(OpKind::kNotified, n)});
  const Scenario sc = b.build();
  const TokioModel model(sc);
  Runner run(model);
  run.run();
  const State& s = run.state();
  // C's first poll came before A's (C was queued by the spawn, A and B by the notify_waiters).
  check_tasks({kMainTask, task_id(a), task_id(bb), kMainTask, task_id(c), task_id(bb), task_id(a), kMainTask},
              run.polls());
  CHECK(status(s, a) == TaskStatus::kDropped);
  CHECK(status(s, bb) == TaskStatus::kComplete);
  CHECK(status(s, c) == TaskStatus::kIdle);
  check_tasks({task_id(c)}, waiters(s, n));
  UNSIGNED_LONGS_EQUAL(0, s.notify(resource_at(n)).notified(task_at(c)));
  UNSIGNED_LONGS_EQUAL(0, s.notify(resource_at(n)).permit());
}

TEST(TokioNotify, APausedWaiterStrandsNotifyOneAndASecondNotifyOneReachesTheNext) {
  // S9: A (paused) then B wait on notified(); notify_one: the notification is handed to A's
  // Notified, which its pausable wrapper does not poll: A and B both still wait. A second
  // notify_one reaches B (A was already popped from the list).
  Builder b;
  const auto n = b.resource("n", ResourceKind::kNotify);
  const auto main = b.task("main");
  const auto a = b.task("a", Wrapper::kPausable);
  const auto bb = b.task("b");
  b.program(main, {op(OpKind::kSpawn, a), op(OpKind::kSpawn, bb), op(OpKind::kYieldNow),
                   op(OpKind::kPause, a), op(OpKind::kNotifyOne, n), op(OpKind::kYieldNow),
                   op(OpKind::kNotifyOne, n), op(OpKind::kJoin, bb)});
  b.program(a, {op(OpKind::kNotified, n)});
  b.program(bb, {op(OpKind::kNotified, n)});
  const Scenario sc = b.build();
  const TokioModel model(sc);
  Runner run(model);
  // Just before main's third poll: after the first notify_one and A's swallowed poll.
  run.run_until([&](StateView s) {
    return run.polls_of(kMainTask) == 2 && s.scheduler().phase == m::Phase::kTop &&
           s.tasks(0).status == TaskStatus::kScheduled;
  });
  {
    const State& s = run.state();
    UNSIGNED_LONGS_EQUAL(2, run.polls_of(task_id(a)));  // woken, polled, swallowed
    CHECK_TRUE(s.is_swallowed(a));
    CHECK_FALSE(s.tasks(a).finished());
    CHECK_FALSE(s.tasks(bb).finished());
    UNSIGNED_LONGS_EQUAL(1, s.notify(resource_at(n)).notified(task_at(a)));  // the notification is stranded in A
    check_tasks({task_id(bb)}, waiters(s, n));            // B still waits
    UNSIGNED_LONGS_EQUAL(0, s.notify(resource_at(n)).permit());
  }
  run.run();
  const State& s = run.state();
  CHECK(status(s, bb) == TaskStatus::kComplete);
  CHECK(status(s, main) == TaskStatus::kComplete);
  CHECK_FALSE(s.tasks(a).finished());
  UNSIGNED_LONGS_EQUAL(1, s.notify(resource_at(n)).notified(task_at(a)));
  CHECK_TRUE(waiters(s, n).empty());
  UNSIGNED_LONGS_EQUAL(0, s.notify(resource_at(n)).permit());
}

TEST(TokioNotify, YieldNowResumesAfterATaskWokenByNotifyOneMeanwhile) {
  // S17: spawn C (waits on a Notify), A (A1, yield_now, A2), B (B1, notify_one -> C): the order
  // is A1, B1, C, A2; a yielding task resumes after every task that became ready meanwhile.
  Builder b;
  const auto n = b.resource("n", ResourceKind::kNotify);
  const auto main = b.task("main");
  const auto c = b.task("c");
  const auto a = b.task("a");
  const auto bb = b.task("b");
  b.program(main, {op(OpKind::kSpawn, c), op(OpKind::kSpawn, a), op(OpKind::kSpawn, bb), op(OpKind::kJoin, c),
                   op(OpKind::kJoin, a), op(OpKind::kJoin, bb)});
  b.program(c, {op(OpKind::kNotified, n)});
  b.program(a, {op(OpKind::kYieldNow)});
  b.program(bb, {op(OpKind::kNotifyOne, n)});
  const Scenario sc = b.build();
  const TokioModel model(sc);
  Runner run(model);
  run.run();
  // C's first poll (it waits), A1, B1, C, then A2 after the park that issues A's deferred wake.
  check_tasks({kMainTask, task_id(c), task_id(a), task_id(bb), task_id(c), kMainTask, task_id(a), kMainTask},
              run.polls());
  for (auto t : {c, a, bb, main}) CHECK(status(run.state(), t) == TaskStatus::kComplete);
}

// --- std::sync::Mutex ---------------------------------------------------------------------------

TEST_GROUP(StdMutex){};

TEST(StdMutex, HeldAcrossAnAwaitFailsTheTaskAndReleasesTheMutex) {
  Builder b;
  const auto s_mutex = b.resource("s", ResourceKind::kStdMutex);
  const auto main = b.task("main");
  const auto w = b.task("w");
  b.program(main, {op(OpKind::kSpawn, w), op(OpKind::kJoin, w), op(OpKind::kStdLock, s_mutex),
                   op(OpKind::kStdUnlock, s_mutex)});
  b.program(w, {op(OpKind::kStdLock, s_mutex), op(OpKind::kYieldNow), op(OpKind::kStdUnlock, s_mutex)});
  const Scenario sc = b.build();
  const TokioModel model(sc);
  Runner run(model);
  run.run_until([&](StateView s) { return s.tasks(w).finished(); });
  CHECK(status(run.state(), w) == TaskStatus::kFailed);
  CHECK(run.state().tasks(w).failure == Failure::kStdMutexAcrossAwait);
  STRCMP_CONTAINS("held across an await", m::to_string(Failure::kStdMutexAcrossAwait));
  // The failed task's future is dropped with its std guard.
  UNSIGNED_LONGS_EQUAL(0, run.state().std_owner(resource_at(s_mutex)));
  LONGS_EQUAL(1, m::available(run.state(), sc, ResourceId{s_mutex}));
  run.run();
  CHECK(status(run.state(), main) == TaskStatus::kComplete);
  CHECK(run.state().tasks(main).failure == Failure::kNone);
}

TEST(StdMutex, ReleasedBeforeTheAwaitIsFine) {
  Builder b;
  const auto s_mutex = b.resource("s", ResourceKind::kStdMutex);
  const auto main = b.task("main");
  const auto w = b.task("w");
  b.program(main, {op(OpKind::kSpawn, w), op(OpKind::kJoin, w)});
  b.program(w, {op(OpKind::kStdLock, s_mutex), op(OpKind::kStdUnlock, s_mutex), op(OpKind::kYieldNow),
                op(OpKind::kStdLock, s_mutex)});
  const Scenario sc = b.build();
  const TokioModel model(sc);
  Runner run(model);
  run.run_until([&](StateView s) { return run.polls_of(task_id(w)) == 1 && s.tasks(w).status == TaskStatus::kIdle; });
  CHECK_FALSE(m::holds(run.state(), sc, task_id(w), ResourceId{s_mutex}));
  run.run();
  // It finished holding the guard, which is dropped with its future.
  CHECK(status(run.state(), w) == TaskStatus::kComplete);
  CHECK(run.state().tasks(w).failure == Failure::kNone);
  UNSIGNED_LONGS_EQUAL(0, run.state().std_owner(resource_at(s_mutex)));
}

// --- variables and jumps ------------------------------------------------------------------------

TEST_GROUP(ProgramFlow){};

TEST(ProgramFlow, AWhileLoopCountsToThree) {
  // while count < 3 { count = count + 1; yield_now }: the pc and the variable survive the awaits.
  Builder b;
  const auto main = b.task("main");
  const auto count = b.variable("count", 0, 0, 3);
  const auto test = b.expr("count < 3", main);
  const auto add = b.expr("count + 1", main);
  b.program(main, {op(OpKind::kJumpUnless, test, 4), op(OpKind::kAssign, count, add), op(OpKind::kYieldNow),
                   op(OpKind::kJump, 0, 0)});
  const Scenario sc = b.build();
  const TokioModel model(sc);
  Runner run(model);
  run.run();
  const State& s = run.state();
  CHECK(status(s, main) == TaskStatus::kComplete);
  LONGS_EQUAL(3, s.var(count));
  // One poll per yield_now, plus the last one that leaves the loop.
  UNSIGNED_LONGS_EQUAL(4, run.polls_of(kMainTask));
}

TEST(ProgramFlow, AnAssignmentOutOfRangeFailsTheTask) {
  Builder b;
  const auto main = b.task("main");
  const auto count = b.variable("count", 0, 0, 2);
  const auto add = b.expr("count + 1", main);
  b.program(main, {op(OpKind::kAssign, count, add), op(OpKind::kAssign, count, add),
                   op(OpKind::kAssign, count, add)});
  const Scenario sc = b.build();
  const TokioModel model(sc);
  Runner run(model);
  run.run();
  CHECK(status(run.state(), main) == TaskStatus::kFailed);
  CHECK(run.state().tasks(main).failure == Failure::kOutOfRange);
  LONGS_EQUAL(2, run.state().var(count));
}

TEST(ProgramFlow, ReturnEndsTheFutureAndDropsItsGuards) {
  // if (not go) return; with a tokio guard held: the guard is released with the future.
  Builder b;
  const auto mx = b.resource("m", ResourceKind::kTokioMutex);
  const auto main = b.task("main");
  const auto go = b.variable("go", 0, 0, 1);
  const auto test = b.expr("go", main);
  b.program(main, {op(OpKind::kLock, mx), op(OpKind::kJumpUnless, test, 3), op(OpKind::kUnlock, mx),
                   op(OpKind::kReturn), op(OpKind::kAssign, go, test)});
  const Scenario sc = b.build();
  const TokioModel model(sc);
  Runner run(model);
  run.run();
  CHECK(status(run.state(), main) == TaskStatus::kComplete);
  UNSIGNED_LONGS_EQUAL(1, run.state().semaphore(resource_at(mx)).available());
  UNSIGNED_LONGS_EQUAL(0, m::held_by(run.state(), kMainTask, ResourceId{mx}));
}

// --- on_drop handlers ---------------------------------------------------------------------------

TEST_GROUP(OnDrop){};

namespace {

/// w: on_drop { flag = 1 } do { sleep }; then done = 1. main spawns w, lets it start sleeping,
/// and aborts it or not.
struct GuardedSleep {
  Scenario sc;
  std::uint8_t w = 0, flag = 0, done = 0;
};

GuardedSleep guarded_sleep(bool abort) {
  Builder b;
  GuardedSleep g;
  const auto main = b.task("main");
  g.w = b.task("w");
  g.flag = b.variable("flag", 0, 0, 1);
  g.done = b.variable("done", 0, 0, 1);
  const auto one = b.expr("1", g.w);
  const auto h = b.handler({op(OpKind::kAssign, g.flag, one)});
  std::vector<Op> main_program{op(OpKind::kSpawn, g.w), op(OpKind::kYieldNow)};
  if (abort) main_program.push_back(op(OpKind::kAbort, g.w));
  main_program.push_back(op(OpKind::kJoin, g.w));
  b.program(main, main_program);
  b.program(g.w, {op(OpKind::kGuardBegin, h), op(OpKind::kSleep), op(OpKind::kGuardEnd, h),
                  op(OpKind::kAssign, g.done, one)});
  g.sc = b.build();
  return g;
}

/// Runs a current_thread model to its end, letting pending timers fire (the only events then).
State run_with_timers(const TokioModel& model) {
  State s = model.initial_state();
  for (int i = 0; i < 10'000; ++i) {
    std::vector<Event> events;
    model.enabled_events(s, events);
    if (events.empty()) return s;
    s = model.next_state(s, events.front());
  }
  FAIL("no end within 10000 steps");
  return s;
}

}  // namespace

TEST(OnDrop, TheHandlerRunsWhenTheFutureIsDroppedInsideTheScope) {
  const GuardedSleep g = guarded_sleep(true);
  const TokioModel model(g.sc);
  const State s = run_with_timers(model);
  CHECK(status(s, g.w) == TaskStatus::kCancelled);
  LONGS_EQUAL(1, s.var(g.flag));
  LONGS_EQUAL(0, s.var(g.done));
  CHECK(status(s, 0) == TaskStatus::kComplete);
  UNSIGNED_LONGS_EQUAL(0, s.tasks(g.w).guard);
}

TEST(OnDrop, TheHandlerDoesNotRunOnNormalCompletion) {
  const GuardedSleep g = guarded_sleep(false);
  const TokioModel model(g.sc);
  const State s = run_with_timers(model);
  CHECK(status(s, g.w) == TaskStatus::kComplete);
  LONGS_EQUAL(0, s.var(g.flag));
  LONGS_EQUAL(1, s.var(g.done));
  CHECK(status(s, 0) == TaskStatus::kComplete);
}

TEST(OnDrop, TheHandlerDoesNotRunWhenTheFutureIsDroppedAfterTheScope) {
  // w: on_drop { flag = 1 } do { yield_now }; sleep. Aborted while sleeping, after the scope.
  Builder b;
  const auto main = b.task("main");
  const auto w = b.task("w");
  const auto flag = b.variable("flag", 0, 0, 1);
  const auto one = b.expr("1", w);
  const auto h = b.handler({op(OpKind::kAssign, flag, one)});
  b.program(main, {op(OpKind::kSpawn, w), op(OpKind::kYieldNow), op(OpKind::kYieldNow), op(OpKind::kAbort, w),
                   op(OpKind::kJoin, w)});
  b.program(w, {op(OpKind::kGuardBegin, h), op(OpKind::kYieldNow), op(OpKind::kGuardEnd, h), op(OpKind::kSleep)});
  const Scenario sc = b.build();
  const TokioModel model(sc);
  const State s = run_with_timers(model);
  CHECK(status(s, w) == TaskStatus::kCancelled);
  LONGS_EQUAL(0, s.var(flag));
}

// --- nested futures under their own wrapper -----------------------------------------------------

TEST_GROUP(NestedFuture){};

namespace {

/// w: future inner (drop_on_pause, cancelled: cancelled) { lock m; sleep; unlock m }; after = 1.
/// main spawns w and joins it; with `pause`, it first yields and pauses w.inner, and locks m after
/// the join.
struct DroppableInner {
  Scenario sc;
  std::uint8_t mx = 0, w = 0, cancelled = 0, after = 0, inner = 0;
};

DroppableInner droppable_inner(bool pause) {
  Builder b;
  DroppableInner d;
  d.mx = b.resource("m", ResourceKind::kTokioMutex);
  const auto main = b.task("main");
  d.w = b.task("w");
  d.cancelled = b.variable("cancelled", 0, 0, 1, d.w);
  d.after = b.variable("after", 0, 0, 1, d.w);
  d.inner = b.nested(d.w, "inner", Wrapper::kDropOnPause, d.cancelled);
  const auto one = b.expr("1", d.w);
  if (pause) {
    b.program(main, {op(OpKind::kSpawn, d.w), op(OpKind::kYieldNow), op(OpKind::kPause, d.inner),
                     op(OpKind::kJoin, d.w), op(OpKind::kLock, d.mx)});
  } else {
    b.program(main, {op(OpKind::kSpawn, d.w), op(OpKind::kJoin, d.w)});
  }
  b.program(d.w, {op(OpKind::kWrapBegin, d.inner, 5), op(OpKind::kLock, d.mx), op(OpKind::kSleep),
                  op(OpKind::kUnlock, d.mx), op(OpKind::kWrapEnd, d.inner),
                  op(OpKind::kAssign, d.after, one)});
  d.sc = b.build();
  return d;
}

}  // namespace

TEST(NestedFuture, DropOnPauseCancelsItAtItsNextPollReleasingItsGuardAndTheTaskGoesOn) {
  // main pauses w.inner while w sleeps holding m; the timer wakes w, whose next poll drops the
  // nested future: its guard of m is released, `cancelled` is set and w runs on after it.
  const DroppableInner d = droppable_inner(true);
  STRCMP_EQUAL("w.inner", d.sc.futures[d.inner].name.c_str());
  UNSIGNED_LONGS_EQUAL(5, d.sc.futures[d.inner].end);
  const TokioModel model(d.sc);
  State s = model.initial_state();
  // Up to the pause: w holds m inside the nested future and sleeps.
  for (int i = 0; i < 100 && !s.is_paused(d.inner); ++i) {
    std::vector<Event> events;
    model.enabled_events(s, events);
    s = model.next_state(s, events.front());
  }
  CHECK_TRUE(s.is_paused(d.inner));
  UNSIGNED_LONGS_EQUAL(1, m::held_by(s, task_id(d.w), ResourceId{d.mx}));
  UNSIGNED_LONGS_EQUAL(1, s.region_held(task_at(d.w), resource_at(d.mx)));
  UNSIGNED_LONGS_EQUAL(d.inner + 1U, s.tasks(d.w).region);
  CHECK_TRUE(m::task_paused(s, d.sc, task_id(d.w)));
  s = run_with_timers(model);
  CHECK(status(s, d.w) == TaskStatus::kComplete);
  LONGS_EQUAL(1, s.var(d.cancelled));
  LONGS_EQUAL(1, s.var(d.after));
  // main got m after w's nested future released it, and dropped it when it finished.
  CHECK(status(s, 0) == TaskStatus::kComplete);
  UNSIGNED_LONGS_EQUAL(1, s.semaphore(resource_at(d.mx)).available());
  UNSIGNED_LONGS_EQUAL(0, m::held_by(s, task_id(d.w), ResourceId{d.mx}));
}

TEST(NestedFuture, UnpausedItRunsToItsEndAndLeavesTheCancelledVariableAlone) {
  const DroppableInner d = droppable_inner(false);
  const TokioModel model(d.sc);
  const State s = run_with_timers(model);
  CHECK(status(s, d.w) == TaskStatus::kComplete);
  LONGS_EQUAL(0, s.var(d.cancelled));
  LONGS_EQUAL(1, s.var(d.after));
  UNSIGNED_LONGS_EQUAL(1, s.semaphore(resource_at(d.mx)).available());
}

TEST(NestedFuture, APausedPausableNestedFutureSwallowsTheWakeOfItsTask) {
  // The nested future's wrapper swallows its task's polls while paused: the task stays live.
  Builder b;
  const auto mx = b.resource("m", ResourceKind::kTokioMutex);
  const auto main = b.task("main");
  const auto w = b.task("w");
  const auto inner = b.nested(w, "inner", Wrapper::kPausable);
  b.program(main, {op(OpKind::kLock, mx), op(OpKind::kSpawn, w), op(OpKind::kYieldNow), op(OpKind::kPause, inner),
                   op(OpKind::kUnlock, mx), op(OpKind::kJoin, w)});
  b.program(w, {op(OpKind::kWrapBegin, inner, 3), op(OpKind::kLock, mx), op(OpKind::kWrapEnd, inner)});
  const Scenario sc = b.build();
  const TokioModel model(sc);
  Runner run(model);
  run.run();
  const State& s = run.state();
  CHECK_FALSE(s.tasks(w).finished());
  CHECK_TRUE(s.is_swallowed(inner));
  CHECK_FALSE(s.is_swallowed(w));
  CHECK_TRUE(m::task_swallowed(s, sc, task_id(w)));
  UNSIGNED_LONGS_EQUAL(1, m::owned_by_future(s, task_id(w), ResourceId{mx}));  // stranded
}

// --- the spurious-wake fault ----------------------------------------------------------------------

TEST_GROUP(SpuriousWake){};

TEST(SpuriousWake, RepollsAnIdleTaskWithoutChangingWhatItAwaits) {
  // w queues on m (main holds it); a spurious wake re-polls w: Acquire::poll on a queued node
  // that still needs its permit returns Pending and leaves the node where it is.
  Builder b;
  const auto mx = b.resource("m", ResourceKind::kTokioMutex);
  const auto main = b.task("main");
  const auto w = b.task("w");
  b.program(main, {op(OpKind::kLock, mx), op(OpKind::kSpawn, w), op(OpKind::kYieldNow), op(OpKind::kYieldNow),
                   op(OpKind::kUnlock, mx), op(OpKind::kJoin, w)});
  b.program(w, {op(OpKind::kLock, mx), op(OpKind::kUnlock, mx)});
  b.fault(m::FaultKind::kSpuriousWake, w);
  const Scenario sc = b.build();
  const TokioModel model(sc);
  Runner run(model);
  run.run_until([&](StateView s) { return run.polls_of(task_id(w)) == 1 && s.tasks(w).status == TaskStatus::kIdle; });
  const Event wake{EventKind::kSpuriousWake, task_id(w)};
  const State before = run.state();
  CHECK_TRUE(m::waits_on(before, sc, task_id(w)) == ResourceId{mx});
  run.apply(wake);
  UNSIGNED_LONGS_EQUAL(0, run.state().faults_left(m::FaultKind::kSpuriousWake));
  // Not offered again: the budget is spent.
  for (const Event& e : run.enabled()) CHECK_FALSE(e.kind == EventKind::kSpuriousWake);
  run.run_until_polled(task_id(w), 2);
  const State& after = run.state();
  CHECK(status(after, w) == TaskStatus::kIdle);
  UNSIGNED_LONGS_EQUAL(before.tasks(w).pc, after.tasks(w).pc);
  UNSIGNED_LONGS_EQUAL(1, after.tasks(w).inflight);
  CHECK_TRUE(m::waits_on(after, sc, task_id(w)) == ResourceId{mx});
  CHECK_TRUE(after.semaphore(resource_at(mx)) == before.semaphore(resource_at(mx)));  // same node, same queue place
  UNSIGNED_LONGS_EQUAL(1, m::held_by(after, kMainTask, ResourceId{mx}));
  run.run();
  CHECK(status(run.state(), w) == TaskStatus::kComplete);
  CHECK(status(run.state(), main) == TaskStatus::kComplete);
  UNSIGNED_LONGS_EQUAL(1, run.state().semaphore(resource_at(mx)).available());
}

TEST(SpuriousWake, IsOfferedOnlyForAnIdleTaskInTheFaultsTaskSet) {
  Builder b;
  const auto mx = b.resource("m", ResourceKind::kTokioMutex);
  const auto main = b.task("main");
  const auto w = b.task("w");
  const auto other = b.task("other");
  b.program(main, {op(OpKind::kLock, mx), op(OpKind::kSpawn, w), op(OpKind::kSpawn, other), op(OpKind::kYieldNow),
                   op(OpKind::kUnlock, mx)});
  b.program(w, {op(OpKind::kLock, mx)});
  b.program(other, {op(OpKind::kLock, mx)});
  b.fault(m::FaultKind::kSpuriousWake, w, 2);
  const Scenario sc = b.build();
  const TokioModel model(sc);
  Runner run(model);
  auto offered = [&](std::size_t t) {
    for (const Event& e : run.enabled()) {
      if (e.kind == EventKind::kSpuriousWake && e.task == task_id(t)) return true;
    }
    return false;
  };
  CHECK_TRUE(run.step());  // main's first poll: w and other are scheduled, not idle
  CHECK_FALSE(offered(w));
  run.run_until([&](StateView s) { return s.tasks(w).status == TaskStatus::kIdle && s.tasks(other).status == TaskStatus::kIdle; });
  CHECK_TRUE(offered(w));
  CHECK_FALSE(offered(other));  // not in the fault's task set
}
