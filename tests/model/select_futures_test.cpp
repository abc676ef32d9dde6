// tokio::select! over any futures (tokio 1.24.2 macros/select.rs): each poll polls the branches
// in order (`biased;`) or from a random start branch, the first to finish wins, the losers are
// dropped before the handler runs, and a branch borrowed as `&mut fut` (kept) outlives a loss
// (docs/tokio-model.md#wrappers).
#include "tests/model/combinator_fixture.hpp"

TEST_GROUP(SelectOverFutures){};

namespace {

/// An op of kSelectBranches over `count` children from `first`, the winner's index in `won`.
Op select_op(std::uint8_t first, std::uint8_t count, std::uint8_t won, bool biased) {
  Op o = op(OpKind::kSelectBranches, first, count, static_cast<std::uint8_t>(won + 1));
  o.flags = biased ? 0 : m::kSelectUnbiased;
  return o;
}

bool has_poll_from(const std::vector<Event>& events, std::uint8_t task, std::uint8_t start) {
  return std::any_of(events.begin(), events.end(), [&](const Event& e) {
    return e.kind == EventKind::kPoll && e.task == task_id(task) && e.start == start;
  });
}

}  // namespace

TEST(SelectOverFutures, BiasedPollsInOrderTheFirstToFinishWinsAndTheLosersAreDroppedUnpolledAfterIt) {
  // select! { biased; _ = n.notified() => 0, _ = async { x = 2 } => 1, _ = async { x = 3 } => 2 }:
  // a is Pending (listed), b Ready: b wins, c is dropped without a poll, and a's Notified is
  // dropped out of the waiter list.
  PendingThenTwoReady w(OpKind::kSelectBranches);
  const auto won = w.b.variable("won", 9, 0, 9);
  w.b.program(w.worker, {select_op(w.a, 3, won, true)});
  const Scenario sc = w.b.build();
  const TokioModel model(sc);
  Runner run(model);
  run.run_until_polled(task_id(w.worker), 1);
  w.check_b_won_in_order(run.state());
  LONGS_EQUAL(1, run.state().var(won));
}

TEST(SelectOverFutures, UnbiasedEveryStartBranchIsAPollOfItsOwnAndTheFirstReadyFromThereWins) {
  // select! { _ = async { x = 1 } => 0, _ = async { yield_now; x = 2 } => 1, _ = async { x = 3 } => 2 }
  // without `biased;`: a poll starting at b polls b (Pending) and then c, which wins.
  for (std::uint8_t start = 0; start < 3; ++start) {
    Builder b;
    const auto x = b.variable("x", 0, 0, 3);
    const auto won = b.variable("won", 9, 0, 9);
    const auto main = b.task("main");
    const auto a = b.child(main, "a", OpKind::kSelectBranches);
    const auto bb = b.child(main, "b", OpKind::kSelectBranches);
    const auto c = b.child(main, "c", OpKind::kSelectBranches);
    b.program(main, {select_op(a, 3, won, false)});
    b.program(a, {b.set(x, "1")});
    b.program(bb, {op(OpKind::kYieldNow), b.set(x, "2")});
    b.program(c, {b.set(x, "3")});
    const Scenario sc = b.build();
    const TokioModel model(sc);
    Runner run(model);
    const auto events = run.scheduler_events();
    CHECK_TRUE(has_poll_from(events, main, 0));
    CHECK_TRUE(has_poll_from(events, main, 1));
    CHECK_TRUE(has_poll_from(events, main, 2));
    run.apply(Event{EventKind::kPoll, task_id(main), start});
    const State& s = run.state();
    const int expected_winner = start == 0 ? 0 : 2;
    LONGS_EQUAL(expected_winner, s.var(won));
    LONGS_EQUAL(expected_winner == 0 ? 1 : 3, s.var(x));
    // b was polled (and is dropped, unfinished) only when the poll started at it.
    CHECK(status(s, bb) == TaskStatus::kDropped);
    CHECK(status(s, main) == TaskStatus::kComplete);
  }
}

TEST(SelectOverFutures, ABiasedSelectOffersOnlyOnePoll) {
  Builder b;
  const auto won = b.variable("won", 9, 0, 9);
  const auto main = b.task("main");
  const auto a = b.child(main, "a", OpKind::kSelectBranches);
  b.child(main, "b", OpKind::kSelectBranches);
  b.program(main, {select_op(a, 2, won, true)});
  const Scenario sc = b.build();
  const TokioModel model(sc);
  Runner run(model);
  UNSIGNED_LONGS_EQUAL(1, run.scheduler_events().size());
}

namespace {

enum class After { kLockAgain, kAwaitKept, kDropKeptThenLock };

/// select_futures_kept_claim.json and its fixes: main holds m; the worker races k (`&mut k`:
/// lock m, unlock m) against t (yield_now); t wins while k is queued on m; then the worker locks
/// m again, awaits k, or drops k and locks m. main releases m after two yields.
struct KeptClaim {
  Scenario sc;
  std::uint8_t worker = 0, k = 0, t = 0, mx = 0, won = 0;

  explicit KeptClaim(After after) {
    Builder bld;
    mx = bld.resource("m", ResourceKind::kTokioMutex);
    won = bld.variable("won", 9, 0, 9);
    const auto main = bld.task("main");
    worker = bld.task("worker");
    k = bld.child(worker, "k", OpKind::kSelectBranches);
    t = bld.child(worker, "t", OpKind::kSelectBranches);
    bld.scenario().tasks[k].kept = true;
    bld.program(main, {op(OpKind::kLock, mx), op(OpKind::kSpawn, worker), op(OpKind::kYieldNow),
                       op(OpKind::kYieldNow), op(OpKind::kUnlock, mx), op(OpKind::kJoin, worker)});
    std::vector<Op> program{select_op(k, 2, won, true)};
    switch (after) {
      case After::kLockAgain:
        program.push_back(op(OpKind::kLock, mx));
        program.push_back(op(OpKind::kUnlock, mx));
        break;
      case After::kAwaitKept: program.push_back(op(OpKind::kAwaitBranch, k, 1)); break;
      case After::kDropKeptThenLock:
        program.push_back(op(OpKind::kDropBranch, k));
        program.push_back(op(OpKind::kLock, mx));
        program.push_back(op(OpKind::kUnlock, mx));
        break;
    }
    bld.program(worker, program);
    bld.program(k, {op(OpKind::kLock, mx), op(OpKind::kUnlock, mx)});
    bld.program(t, {op(OpKind::kYieldNow)});
    sc = bld.build();
  }
};

/// t won; k is alive, the only waiter queued on m.
void check_kept_and_queued(StateView s, const KeptClaim& f) {
  LONGS_EQUAL(1, s.var(f.won));
  CHECK_TRUE(s.tasks(f.k).live());
  CHECK_TRUE(s.semaphore(resource_at(f.mx)).node(m::waiter_of(task_id(f.k))).queued != 0);
}

}  // namespace

TEST(SelectOverFutures, AKeptLoserStaysQueuedAndIsHandedThePermitNobodyPollsWhenItsTaskLocksAgain) {
  const KeptClaim f(After::kLockAgain);
  const TokioModel model(f.sc);
  Runner run(model);
  run.run_until([&](StateView s) { return finished(s, f.t); });
  check_kept_and_queued(run.state(), f);
  run_checking_branches(run, model);
  const State& s = run.state();
  UNSIGNED_LONGS_EQUAL(1, m::owned_by_future(s, task_id(f.k), ResourceId{f.mx}));
  CHECK_TRUE(m::waits_on(s, f.sc, task_id(f.worker)) == ResourceId{f.mx});
  CHECK_FALSE(finished(s, f.worker));
  CHECK_FALSE(finished(s, kMainTask));
}

TEST(SelectOverFutures, AwaitingTheKeptFuturePollsItWhereItStoppedWithoutQueueingAgain) {
  const KeptClaim f(After::kAwaitKept);
  const TokioModel model(f.sc);
  Runner run(model);
  run.run_until([&](StateView s) { return finished(s, f.t); });
  check_kept_and_queued(run.state(), f);
  // Its next poll finds the node it queued: still one waiter, never a second one for k.
  run.run_until([&](StateView s) { return s.semaphore(resource_at(f.mx)).queue().empty() || finished(s, f.k); });
  run_checking_branches(run, model);
  const State& s = run.state();
  CHECK(status(s, f.k) == TaskStatus::kComplete);
  CHECK(status(s, f.worker) == TaskStatus::kComplete);
  CHECK(status(s, kMainTask) == TaskStatus::kComplete);
  UNSIGNED_LONGS_EQUAL(1, s.semaphore(resource_at(f.mx)).available());
}

TEST(SelectOverFutures, DroppingTheKeptFutureByNameLeavesTheQueueAndTheTasksOwnLockIsServed) {
  const KeptClaim f(After::kDropKeptThenLock);
  const TokioModel model(f.sc);
  Runner run(model);
  // The drop runs in the same poll as the select! t won.
  run.run_until([&](StateView s) { return finished(s, f.t); });
  CHECK(status(run.state(), f.k) == TaskStatus::kDropped);
  CHECK_FALSE(run.state().semaphore(resource_at(f.mx)).node(m::waiter_of(task_id(f.k))).queued != 0);
  run_checking_branches(run, model);
  const State& s = run.state();
  CHECK(status(s, f.worker) == TaskStatus::kComplete);
  CHECK(status(s, kMainTask) == TaskStatus::kComplete);
  UNSIGNED_LONGS_EQUAL(1, s.semaphore(resource_at(f.mx)).available());
}

TEST(SelectOverFutures, ASiblingAwaitingTheKeptFutureMakesALaterSelectPollItAgain) {
  // The first select! keeps k (lock m, unlock m) queued when t (yield_now) wins; a second select!
  // races a (await k) against u (yield_now; yield_now). While the second select! runs, k is polled
  // through a: it is no branch its task leaves unpolled, and main's release hands it the permit,
  // which it takes there.
  Builder bld;
  const auto mx = bld.resource("m", ResourceKind::kTokioMutex);
  const auto won = bld.variable("won", 9, 0, 9);
  const auto second = bld.variable("second", 9, 0, 9);
  const auto main = bld.task("main");
  const auto worker = bld.task("worker");
  const auto k = bld.child(worker, "k", OpKind::kSelectBranches);
  const auto t = bld.child(worker, "t", OpKind::kSelectBranches);
  const auto a = bld.child(worker, "a", OpKind::kSelectBranches);
  const auto u = bld.child(worker, "u", OpKind::kSelectBranches);
  bld.scenario().tasks[k].kept = true;
  bld.program(main, {op(OpKind::kLock, mx), op(OpKind::kSpawn, worker), op(OpKind::kYieldNow), op(OpKind::kYieldNow),
                     op(OpKind::kUnlock, mx), op(OpKind::kJoin, worker)});
  bld.program(worker, {select_op(k, 2, won, true), select_op(a, 2, second, true)});
  bld.program(k, {op(OpKind::kLock, mx), op(OpKind::kUnlock, mx)});
  bld.program(t, {op(OpKind::kYieldNow)});
  bld.program(a, {op(OpKind::kAwaitBranch, k, 1)});
  bld.program(u, {op(OpKind::kYieldNow), op(OpKind::kYieldNow), op(OpKind::kYieldNow)});
  const Scenario sc = bld.build();
  const TokioModel model(sc);
  Runner run(model);
  run.run_until([&](StateView s) { return finished(s, t); });
  CHECK_TRUE(run.state().tasks(k).live());
  run.run_until([&](StateView s) { return s.tasks(a).live() && s.tasks(worker).pc == 1; });
  CHECK_TRUE(m::polled_now(run.state(), sc, task_id(k)));
  CHECK_FALSE(m::has_wait_for_cycle(run.state(), sc));
  run_checking_branches(run, model);
  const State& s = run.state();
  LONGS_EQUAL(0, s.var(second));
  CHECK(status(s, k) == TaskStatus::kComplete);
  CHECK(status(s, worker) == TaskStatus::kComplete);
  UNSIGNED_LONGS_EQUAL(1, s.semaphore(resource_at(mx)).available());
}
