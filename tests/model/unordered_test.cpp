// Tests of FuturesUnordered and buffer_unordered (futures-util 0.3.21 stream/futures_unordered,
// stream/buffer_unordered.rs): next() polls the woken children in wake order and returns at the
// first that finishes, and nothing polls them while the loop body awaits something else; and of
// futures::future::select_all: the children in order, the first to finish wins, the rest dropped
// or kept (docs/tokio-model.md#wrappers).
#include "tests/model/combinator_fixture.hpp"

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
  PendingThenTwoReady w(OpKind::kSelectAll);
  w.b.program(w.worker, {op(OpKind::kSelectAll, w.a, 3, 0)});
  const Scenario sc = w.b.build();
  const TokioModel model(sc);
  Runner run(model);
  run.run_until_polled(task_id(w.worker), 1);
  w.check_b_won_in_order(run.state());
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


// --- FuturesOrdered and buffered (futures-util 0.3.21 stream/futures_ordered.rs,
// stream/stream/buffered.rs) ---------------------------------------------------------------------

TEST_GROUP(FuturesOrderedSet){};

namespace {

/// `let mut set = FuturesOrdered::new(); set.push(slow); set.push(fast);` with slow =
/// `async { yield_now().await; x = 1 }` and fast = `async { x = 2 }`, and a body counting outputs
/// (then yielding, so that each output is seen in a state of its own).
struct SlowThenFast {
  Builder b;
  std::uint8_t x, count, main, slow, fast;

  explicit SlowThenFast(bool ordered) {
    x = b.variable("x", 0, 0, 2);
    count = b.variable("count", 0, 0, 3);
    main = b.task("main");
    slow = b.child(main, "slow", OpKind::kNextChild);
    fast = b.child(main, "fast", OpKind::kNextChild);
    auto program = unordered_loop(slow, 2, 0, {b.set(count, "count + 1"), op(OpKind::kYieldNow)});
    for (Op& o : program) {
      if (ordered && (o.kind == OpKind::kStartSet || o.kind == OpKind::kNextChild)) o.flags = m::kSetOrdered;
    }
    b.program(main, program);
    b.program(slow, {op(OpKind::kYieldNow), b.set(x, "1")});
    b.program(fast, {b.set(x, "2")});
  }
};

}  // namespace

TEST(FuturesOrderedSet, AnOutputThatFinishesBeforeTheOnePushedEarlierWaitsInTheQueue) {
  SlowThenFast w(true);
  const Scenario sc = w.b.build();
  const TokioModel model(sc);
  Runner run(model);
  run.run_until([&](const State& s) { return s.var(w.count) == 1; });
  // The first output is slow's, though fast finished first: x was last written by slow.
  LONGS_EQUAL(1, run.state().var(w.x));
  CHECK(run.state().tasks(w.fast).status == TaskStatus::kComplete);
  LONGS_EQUAL(1, run.state().tasks(w.fast).phase);  // its output still queued
  run.run();
  LONGS_EQUAL(2, run.state().var(w.count));
  LONGS_EQUAL(0, run.state().tasks(w.fast).phase);
  CHECK(run.state().task(task_at(w.main)).status == TaskStatus::kComplete);
}

TEST(FuturesOrderedSet, UnorderedTheSameSetYieldsTheFirstToFinishFirst) {
  SlowThenFast w(false);
  const Scenario sc = w.b.build();
  const TokioModel model(sc);
  Runner run(model);
  run.run_until([&](const State& s) { return s.var(w.count) == 1; });
  LONGS_EQUAL(2, run.state().var(w.x));
  CHECK_TRUE(run.state().tasks(w.slow).live());
}
