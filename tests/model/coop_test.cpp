// Tests of the runtime's knobs around futures inside a task, in tokio 1.24.2 and 1.53: the coop
// budget (128 completed operations per poll; 1.24 re-queues at once, 1.44+ defers), a Notified
// created before notify_waiters (S12), and Builder::event_interval (S20)
// (docs/tokio-model.md#coop-budget, #notify, #current-thread-scheduler, #newer-tokio).
#include "tests/model/combinator_fixture.hpp"

// --- coop (coop.rs; docs/tokio-model.md#coop-budget, #newer-tokio) -----------------------

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

// --- a Notified created before notify_waiters (docs/tokio-model.md#notify, S12) -----------------

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
