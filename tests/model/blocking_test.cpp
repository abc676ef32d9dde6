// futures::executor::block_on inside a task (op kBlockBegin with a = 1): the thread blocks on
// the future and keeps its core, unlike block_in_place, which hands the core to another thread
// (tokio 1.24.2 runtime/scheduler/multi_thread/worker.rs block_in_place). So:
//
//   - current_thread: nothing else runs while it blocks: no task, no main, no timer (the driver
//     is parked only by the scheduler loop), not even a deferred wake;
//   - multi_thread with one worker: the worker runs nothing else; main, on its own thread, runs;
//   - a future that completes at once leaves the thread to the runtime in the same poll;
//   - every task only that thread runs waits for the blocked one in the wait-for graph.
// clang-format off
#include <cstddef>
#include <cstdint>
#include <vector>

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

namespace m = wakecheck::model;
using m::Event;
using m::EventKind;
using m::Flavor;
using m::OpKind;
using m::ResourceKind;
using m::State;
using m::TaskStatus;
using m::TokioModel;
using namespace wakecheck::testing;

/// main spawns holder and worker, then sleeps; holder locks m, yields, unlocks; worker runs
/// `block_on { lock m; unlock m }`.
struct Blocking {
  m::Scenario sc;
  std::uint8_t m = 0, main = 0, holder = 0, worker = 0;
};

Blocking blocking(Flavor flavor, std::uint8_t workers) {
  Builder b(flavor);
  Blocking x;
  x.m = b.resource("m", ResourceKind::kTokioMutex);
  x.main = b.task("main");
  x.holder = b.task("holder");
  x.worker = b.task("worker");
  b.scenario().worker_threads = workers;
  b.program(x.main, {op(OpKind::kSpawn, x.holder), op(OpKind::kSpawn, x.worker), op(OpKind::kSleep)});
  b.program(x.holder, {op(OpKind::kLock, x.m), op(OpKind::kYieldNow), op(OpKind::kUnlock, x.m)});
  b.program(x.worker, {op(OpKind::kBlockBegin, 1), op(OpKind::kLock, x.m), op(OpKind::kUnlock, x.m),
                       op(OpKind::kBlockEnd, 1)});
  x.sc = b.build();
  return x;
}

}  // namespace

TEST_GROUP(BlockOn){};

TEST(BlockOn, OnCurrentThreadNothingElseRunsNotEvenATimerOrADeferredWake) {
  const Blocking x = blocking(Flavor::kCurrentThread, 0);
  const TokioModel model(x.sc);
  Runner run(model);
  run.run_until([&](const State& s) { return s.tasks(x.worker).blocked != 0; });
  // holder holds m and waits for its deferred wake; main's sleep is registered; worker blocks
  // on m: a dead end, with the holder's release one poll away.
  UNSIGNED_LONGS_EQUAL(1, run.state().held(task_id(x.holder), m::resource_at(x.m)));
  CHECK(run.enabled().empty());
  const auto keeper = m::core_kept_by_block(run.state(), x.sc);
  CHECK(keeper.has_value() && *keeper == task_id(x.worker));
  // The holder and main wait for the blocked thread: a cycle through the lock.
  CHECK(m::has_wait_for_cycle(run.state(), x.sc));
}

TEST(BlockOn, OnOneWorkerMainStillRunsButNoOtherTaskOrTimer) {
  const Blocking x = blocking(Flavor::kMultiThread, 1);
  const TokioModel model(x.sc);
  Runner run(model);
  run.run_until([&](const State& s) { return s.tasks(x.worker).blocked != 0; });
  for (const Event& e : run.enabled()) {
    const bool main_poll = (e.kind == EventKind::kPoll || e.kind == EventKind::kPollSleepFirst) && e.task == m::kMainTask;
    CHECK_TEXT(main_poll, model.describe(e).c_str());
  }
  CHECK(m::has_wait_for_cycle(run.state(), x.sc));
}

TEST(BlockOn, AFutureReadyAtOnceGivesTheThreadBackInTheSamePoll) {
  Builder b;
  const auto mx = b.resource("m", ResourceKind::kTokioMutex);
  const auto main = b.task("main");
  b.program(main, {op(OpKind::kBlockBegin, 1), op(OpKind::kLock, mx), op(OpKind::kUnlock, mx), op(OpKind::kBlockEnd, 1),
                   op(OpKind::kYieldNow)});
  const m::Scenario sc = b.build();
  const TokioModel model(sc);
  const State s = model.next_state(model.initial_state(), {EventKind::kPoll, m::kMainTask});
  UNSIGNED_LONGS_EQUAL(0, s.task(m::kMainTask).blocked);
  UNSIGNED_LONGS_EQUAL(4, s.task(m::kMainTask).pc);  // at yield_now, pending
  CHECK(!m::core_kept_by_block(s, sc).has_value());
}

// std::sync::Mutex::lock of a mutex another thread holds (the holder's thread blocked in
// block_on with the guard): the calling thread blocks in the lock, keeping its core, and its
// poll goes on only when the guard is dropped.

TEST_GROUP(StdLockContention){};

namespace {

/// multi_thread: a: std_lock s; block_on { notified n }; std_unlock s. b: std_lock s; x = 1;
/// std_unlock s. main: spawn a, spawn b, yield_now, notify_one n.
struct Contended {
  m::Scenario sc;
  std::uint8_t s = 0, n = 0, x = 0, main = 0, a = 0, b = 0;
};

Contended contended() {
  Builder bld(Flavor::kMultiThread);
  Contended c;
  c.s = bld.resource("s", ResourceKind::kStdMutex);
  c.n = bld.resource("n", ResourceKind::kNotify);
  c.x = bld.variable("x", 0, 0, 1);
  c.main = bld.task("main");
  c.a = bld.task("a");
  c.b = bld.task("b");
  bld.program(c.main, {op(OpKind::kSpawn, c.a), op(OpKind::kSpawn, c.b), op(OpKind::kYieldNow), op(OpKind::kNotifyOne, c.n)});
  bld.program(c.a, {op(OpKind::kStdLock, c.s), op(OpKind::kBlockBegin, 1), op(OpKind::kNotified, c.n), op(OpKind::kBlockEnd, 1),
                    op(OpKind::kStdUnlock, c.s)});
  bld.program(c.b, {op(OpKind::kStdLock, c.s), bld.set(c.x, "1"), op(OpKind::kStdUnlock, c.s)});
  c.sc = bld.build();
  return c;
}

bool has_poll(const std::vector<Event>& events, std::uint8_t t) {
  for (const Event& e : events) {
    if (e.kind == EventKind::kPoll && e.task == task_id(t)) return true;
  }
  return false;
}

}  // namespace

TEST(StdLockContention, TheLockingThreadBlocksInTheLockKeepsItsCoreAndRunsOnOnceTheGuardIsDropped) {
  const Contended c = contended();
  const TokioModel model(c.sc);
  Runner run(model);
  run.apply({EventKind::kPoll, m::kMainTask});  // spawns a and b; yield_now
  run.apply({EventKind::kPoll, task_id(c.a)});  // a locks s and blocks its thread on n
  CHECK(run.state().tasks(c.a).blocked != 0);
  run.apply({EventKind::kPoll, task_id(c.b)});  // b blocks in s's lock
  {
    const State& s = run.state();
    UNSIGNED_LONGS_EQUAL(c.b + 1, s.tasks(c.b).blocked);
    CHECK_TRUE(m::std_waits_on(s, c.sc, task_id(c.b)) == m::resource_at(c.s));
    CHECK_TRUE(m::waits_on(s, c.sc, task_id(c.b)) == m::resource_at(c.s));
    UNSIGNED_LONGS_EQUAL(0, s.tasks(c.b).pc);
    LONGS_EQUAL(0, s.var(c.x));
    // b is not polled again while s is held, not even after a wake of it.
    CHECK_FALSE(has_poll(run.enabled(), c.b));
    CHECK_FALSE(m::has_wait_for_cycle(s, c.sc));
  }
  // main notifies: a's block_on finishes, a drops the guard, and b's thread wakes in the lock.
  run.run();
  const State& s = run.state();
  LONGS_EQUAL(1, s.var(c.x));
  CHECK(s.tasks(c.a).status == TaskStatus::kComplete);
  CHECK(s.tasks(c.b).status == TaskStatus::kComplete);
  UNSIGNED_LONGS_EQUAL(0, s.tasks(c.b).blocked);
  CHECK(s.tasks(c.b).failure == m::Failure::kNone);
}

TEST(StdLockContention, AGuardHeldInsideBlockOnIsNotHeldAcrossAnAwait) {
  const Contended c = contended();
  const TokioModel model(c.sc);
  Runner run(model);
  run.apply({EventKind::kPoll, m::kMainTask});
  run.apply({EventKind::kPoll, task_id(c.a)});  // the notified inside block_on is Pending
  CHECK(run.state().tasks(c.a).failure == m::Failure::kNone);
  CHECK(run.state().tasks(c.a).live());
}

// multi_thread, any number of workers: a wake issued from a worker puts the woken task in that
// worker's LIFO slot, which no other worker steals (1.24.2 worker.rs schedule_local); if the
// waking task then blocks its thread keeping its core, the woken task waits for that thread.

TEST_GROUP(BlockedWorkerLifoSlot){};

namespace {

/// a: notify_one n; [notify_one p;] block_on { notified q }. b: notified n. d: notified p.
/// main: spawn b, spawn d, yield_now, spawn a, yield_now, notify_one q.
struct Lifo {
  m::Scenario sc;
  std::uint8_t main = 0, a = 0, b = 0, d = 0;
};

Lifo lifo(bool wakes_two) {
  Builder bld(Flavor::kMultiThread);
  Lifo l;
  const auto n = bld.resource("n", ResourceKind::kNotify);
  const auto p = bld.resource("p", ResourceKind::kNotify);
  const auto q = bld.resource("q", ResourceKind::kNotify);
  l.main = bld.task("main");
  l.a = bld.task("a");
  l.b = bld.task("b");
  l.d = bld.task("d");
  bld.program(l.main, {op(OpKind::kSpawn, l.b), op(OpKind::kSpawn, l.d), op(OpKind::kYieldNow), op(OpKind::kSpawn, l.a),
                       op(OpKind::kYieldNow), op(OpKind::kNotifyOne, q)});
  std::vector<m::Op> a_program{op(OpKind::kNotifyOne, n)};
  if (wakes_two) a_program.push_back(op(OpKind::kNotifyOne, p));
  for (const m::Op& o : {op(OpKind::kBlockBegin, 1), op(OpKind::kNotified, q), op(OpKind::kBlockEnd, 1)}) a_program.push_back(o);
  bld.program(l.a, a_program);
  bld.program(l.b, {op(OpKind::kNotified, n)});
  bld.program(l.d, {op(OpKind::kNotified, p)});
  l.sc = bld.build();
  return l;
}

/// Delivers t's pending wake if it has one, then polls t.
void poll_task(Runner& run, m::TaskId t) {
  for (const Event& e : run.enabled()) {
    if (e.kind == EventKind::kWake && e.task == t) {
      run.apply(e);
      break;
    }
  }
  run.apply({EventKind::kPoll, t});
}

bool pollable(const std::vector<Event>& events, std::uint8_t t) {
  for (const Event& e : events) {
    if (e.kind == EventKind::kPoll && e.task == task_id(t)) return true;
  }
  return false;
}

}  // namespace

TEST(BlockedWorkerLifoSlot, TheTaskWokenLastBeforeTheThreadBlocksIsNotPolledUntilItIsFree) {
  const Lifo l = lifo(false);
  const TokioModel model(l.sc);
  Runner run(model);
  poll_task(run, m::kMainTask);   // spawns b and d
  poll_task(run, task_id(l.b));   // b waits on n
  poll_task(run, task_id(l.d));   // d waits on p
  poll_task(run, m::kMainTask);   // spawns a
  poll_task(run, task_id(l.a));   // wakes b, then blocks in block_on
  CHECK_TRUE(run.state().tasks(l.a).blocked != 0);
  UNSIGNED_LONGS_EQUAL(l.a + 1, run.state().tasks(l.b).stuck);
  run.apply({EventKind::kWake, task_id(l.b)});
  CHECK_FALSE(pollable(run.enabled(), l.b));
  // main notifies q: a's block_on ends, its thread is the runtime's again, and b runs.
  poll_task(run, m::kMainTask);
  poll_task(run, task_id(l.a));
  CHECK(run.state().tasks(l.a).status == TaskStatus::kComplete);
  CHECK_TRUE(pollable(run.enabled(), l.b));
}

TEST(BlockedWorkerLifoSlot, ALaterWakeTakesTheSlotAndTheFirstWokenGoesToAQueueOthersStealFrom) {
  const Lifo l = lifo(true);
  const TokioModel model(l.sc);
  Runner run(model);
  poll_task(run, m::kMainTask);
  poll_task(run, task_id(l.b));
  poll_task(run, task_id(l.d));
  poll_task(run, m::kMainTask);
  poll_task(run, task_id(l.a));  // wakes b, then d, then blocks
  UNSIGNED_LONGS_EQUAL(0, run.state().tasks(l.b).stuck);
  UNSIGNED_LONGS_EQUAL(l.a + 1, run.state().tasks(l.d).stuck);
  run.apply({EventKind::kWake, task_id(l.b)});
  run.apply({EventKind::kWake, task_id(l.d)});
  CHECK_TRUE(pollable(run.enabled(), l.b));
  CHECK_FALSE(pollable(run.enabled(), l.d));
}
