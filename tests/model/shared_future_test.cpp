// Shared futures (futures-util 0.3 future/future/shared.rs): one inner future, polled by whichever
// clone is polled; the inner future's waker wakes every clone that awaits it, and the clone that
// sees it finish wakes the others; its output is cloned to every awaiter. A clone dropped takes
// only its waker out; the inner future is dropped with the last clone, unless a cache keeps one
// (docs/tokio-model.md#shared-futures).
#include "tests/model/combinator_fixture.hpp"

TEST_GROUP(SharedFuture){};

namespace {

TaskStatus shared_status(const State& s, std::uint8_t t) { return s.tasks(t).status; }

/// main spawns a holder of m that waits for n, spawns `a` (awaiting shared `sf`, whose body is
/// `body`), drops `a` once both wait, then releases the holder and spawns `c` (`c_program`).
struct AbandonedAwaiter {
  Builder b;
  std::uint8_t m, n, x, main, holder, a, c, sf;

  AbandonedAwaiter(bool cached, const std::vector<OpKind>& c_awaits) {
    m = b.resource("m", ResourceKind::kTokioMutex);
    n = b.resource("n", ResourceKind::kNotify);
    x = b.variable("x", 0, 0, 3);
    main = b.task("main");
    holder = b.task("holder");
    a = b.task("a");
    c = b.task("c");
    sf = b.shared("load", cached);
    b.program(main, {op(OpKind::kSpawn, holder), op(OpKind::kSpawn, a), op(OpKind::kYieldNow), op(OpKind::kDrop, a),
                     op(OpKind::kNotifyOne, n), op(OpKind::kSpawn, c)});
    b.program(holder, {op(OpKind::kLock, m), op(OpKind::kNotified, n), op(OpKind::kUnlock, m)});
    b.program(a, {op(OpKind::kAwaitShared, sf)});
    std::vector<Op> c_program;
    for (const OpKind kind : c_awaits) c_program.push_back(kind == OpKind::kAwaitShared ? op(kind, sf) : op(kind, m));
    b.program(c, c_program);
    b.program(sf, {b.set(x, "x + 1"), op(OpKind::kLock, m), op(OpKind::kUnlock, m)});
  }

  /// Where a run ends once c got the shared future's output: c and the shared future complete,
  /// its body having run `runs` times, and m's permit back.
  void check_c_got_the_output(const State& s, std::int32_t runs) const {
    CHECK(shared_status(s, c) == TaskStatus::kComplete);
    CHECK(shared_status(s, sf) == TaskStatus::kComplete);
    LONGS_EQUAL(runs, s.var(x));
    LONGS_EQUAL(1, s.semaphore(resource_at(m)).available());
  }
};

}  // namespace

TEST(SharedFuture, ItsBodyRunsOnceAndEveryAwaiterGetsItsOutput) {
  // let s = async { x += 1; yield_now().await }.shared(); spawn(s.clone()); spawn(s.clone());
  Builder b;
  const auto x = b.variable("x", 0, 0, 3);
  const auto main = b.task("main");
  const auto a = b.task("a");
  const auto c = b.task("c");
  const auto sf = b.shared("s", true);
  b.program(main, {op(OpKind::kSpawn, a), op(OpKind::kSpawn, c)});
  b.program(a, {op(OpKind::kAwaitShared, sf)});
  b.program(c, {op(OpKind::kAwaitShared, sf)});
  b.program(sf, {b.set(x, "x + 1"), op(OpKind::kYieldNow)});
  const Scenario sc = b.build();
  const TokioModel model(sc);
  Runner run(model);
  run.run();
  const State& s = run.state();
  LONGS_EQUAL(1, s.var(x));
  CHECK(shared_status(s, sf) == TaskStatus::kComplete);
  CHECK(shared_status(s, a) == TaskStatus::kComplete);
  CHECK(shared_status(s, c) == TaskStatus::kComplete);
  // Never scheduled as a task of its own: only its awaiters are polled.
  UNSIGNED_LONGS_EQUAL(0, run.polls_of(task_at(sf)));
  (void)main;
}

TEST(SharedFuture, ItsWakeWakesEveryCloneSoAPausedCloneDoesNotStopAnotherFromDrivingIt) {
  // a (pausable) and c await clones of s = async { n.notified().await }; a is paused, then n is
  // notified: the wake of s reaches c too, whose poll finishes s.
  Builder b;
  const auto n = b.resource("n", ResourceKind::kNotify);
  const auto main = b.task("main");
  const auto a = b.task("a", m::Wrapper::kPausable);
  const auto c = b.task("c");
  const auto sf = b.shared("s", true);
  b.program(main, {op(OpKind::kSpawn, a), op(OpKind::kSpawn, c), op(OpKind::kYieldNow), op(OpKind::kPause, a),
                   op(OpKind::kNotifyOne, n)});
  b.program(a, {op(OpKind::kAwaitShared, sf)});
  b.program(c, {op(OpKind::kAwaitShared, sf)});
  b.program(sf, {op(OpKind::kNotified, n)});
  const Scenario sc = b.build();
  const TokioModel model(sc);
  Runner run(model);
  run.run_until([&](const State& s) { return s.task(task_at(main)).finished(); });
  // The notification went to s, whose wake woke both clones.
  CHECK_TRUE(run.state().task(task_at(a)).status == TaskStatus::kScheduled || run.state().task(task_at(a)).wake_pending);
  CHECK_TRUE(run.state().task(task_at(c)).status == TaskStatus::kScheduled || run.state().task(task_at(c)).wake_pending);
  run.run();
  const State& s = run.state();
  CHECK(shared_status(s, sf) == TaskStatus::kComplete);
  CHECK(shared_status(s, c) == TaskStatus::kComplete);
  CHECK(shared_status(s, a) == TaskStatus::kIdle);  // paused: its wrapper swallowed the polls
}

TEST(SharedFuture, ACachedFutureOutlivesItsLastAwaiterAndStrandsThePermitItIsHanded) {
  // heph#241's shape: a's clone is dropped while s's lock is queued; the cache keeps s, the
  // holder's release hands s the permit, and nobody polls s again: c waits for m forever.
  AbandonedAwaiter w(true, {OpKind::kLock, OpKind::kUnlock});
  const Scenario sc = w.b.build();
  const TokioModel model(sc);
  Runner run(model);
  run.run();
  const State& s = run.state();
  CHECK(shared_status(s, w.a) == TaskStatus::kDropped);
  CHECK_TRUE(s.tasks(w.sf).live());
  UNSIGNED_LONGS_EQUAL(1, m::owned_by_future(s, task_at(w.sf), resource_at(w.m)));
  CHECK_FALSE(m::polled_now(s, sc, task_at(w.sf)));
  CHECK(m::waits_on(s, sc, task_at(w.c)) == resource_at(w.m));
  // c waits for the permit s owns; s waits for nobody to poll it: no cycle, a hang all the same.
  const auto edges = m::wait_for_edges(s, sc);
  CHECK_TRUE(std::find(edges.begin(), edges.end(), std::make_pair(task_at(w.c), task_at(w.sf))) != edges.end());
  CHECK_FALSE(m::has_wait_for_cycle(s, sc));
}

TEST(SharedFuture, ALaterAwaiterOfACachedFutureTakesOverWhereItStopped) {
  // The cache's purpose: c awaits s again, polls it where a left it (its lock future already owns
  // the permit), and s's body does not run a second time.
  AbandonedAwaiter w(true, {OpKind::kAwaitShared});
  const Scenario sc = w.b.build();
  const TokioModel model(sc);
  Runner run(model);
  run.run();
  w.check_c_got_the_output(run.state(), 1);
}

TEST(SharedFuture, WithoutACacheTheLastClonesDropDropsItAndTheNextAwaitStartsItAnew) {
  // Only awaiters hold clones: a's drop drops s (its lock future leaves m's queue), the holder's
  // release returns the permit, and c's await makes a new s whose body runs again.
  AbandonedAwaiter w(false, {OpKind::kAwaitShared});
  const Scenario sc = w.b.build();
  const TokioModel model(sc);
  Runner run(model);
  run.run_until([&](const State& s) { return s.task(task_at(w.a)).finished(); });
  CHECK(shared_status(run.state(), w.sf) == TaskStatus::kDropped);
  CHECK_TRUE(run.state().semaphore(resource_at(w.m)).queue().empty());
  run.run();
  w.check_c_got_the_output(run.state(), 2);
}

TEST(SharedFuture, ATaskAwaitingASharedFutureThatLocksWhatItHoldsIsACycle) {
  // let _g = m.lock().await; s.clone().await, with s = async { m.lock().await; }: main -> s -> main.
  Builder b;
  const auto mx = b.resource("m", ResourceKind::kTokioMutex);
  const auto main = b.task("main");
  const auto sf = b.shared("s", true);
  b.program(main, {op(OpKind::kLock, mx), op(OpKind::kAwaitShared, sf), op(OpKind::kUnlock, mx)});
  b.program(sf, {op(OpKind::kLock, mx), op(OpKind::kUnlock, mx)});
  const Scenario sc = b.build();
  const TokioModel model(sc);
  Runner run(model);
  run.run();
  const State& s = run.state();
  CHECK(m::awaited_shared(s, sc, task_at(main)) == task_at(sf));
  CHECK_TRUE(m::polled_now(s, sc, task_at(sf)));
  const auto edges = m::wait_for_edges(s, sc);
  CHECK_TRUE(std::find(edges.begin(), edges.end(), std::make_pair(task_at(main), task_at(sf))) != edges.end());
  CHECK_TRUE(std::find(edges.begin(), edges.end(), std::make_pair(task_at(sf), task_at(main))) != edges.end());
  CHECK_TRUE(m::has_wait_for_cycle(s, sc));
}
