// Tests of the multi_thread runtime with one worker (Scenario::worker_threads = 1) against tokio
// 1.24.2's runtime/scheduler/multi_thread/worker.rs and runtime/park.rs (block_on's thread):
//
//   - `schedule_task(task, is_yield = false)`: a wake issued on the worker (during a worker task's
//     poll, or while the worker parks: deferred yield_now wakes, timers) puts the task in the LIFO
//     slot, moving the previous occupant to the back of the local queue; a wake or a spawn from
//     main's thread goes to the inject queue;
//   - harness.rs: a task woken while it runs is scheduled with is_yield = true after its poll: the
//     back of the local queue, never the LIFO slot;
//   - `next_task`: the LIFO slot, else every 61st tick the inject queue first, else the local
//     queue, else the inject queue;
//   - with nothing to run the worker parks: the deferred wakes (yield_now) are woken, FIFO in 1.24
//     and LIFO since 1.29, each into the LIFO slot; timers fire only while the worker is parked;
//   - main (CachedParkThread::block_on) runs on its own thread beside the worker, and wakes its
//     deferred wakers right after its poll, so its yield_now makes it pollable again at once.
//
// With one worker main's poll and the worker's next event may both be enabled, so runs are
// stepped by hand: main's poll, or the worker's single next event.
// clang-format off
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "model/event.hpp"
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
using m::FaultKind;
using m::Flavor;
using m::kMainTask;
using m::Op;
using m::OpKind;
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

/// A one-worker multi_thread scenario (Scenario::worker_threads = 1).
class OneWorker : public Builder {
 public:
  explicit OneWorker(TokioVersion version = TokioVersion::k1_24)
      : Builder(Flavor::kMultiThread, version) {
    scenario().worker_threads = 1;
  }
};

/// The task in the worker's LIFO slot, if any.
bool lifo_holds(StateView s, std::size_t task) {
  return s.scheduler().lifo == task + 1;
}
bool lifo_empty(StateView s) {
  return s.scheduler().lifo == 0;
}

/// What the worker's queues hold: the task in the LIFO slot (none: the slot is empty), the local
/// queue and the inject queue, in order.
struct Queues {
  std::optional<std::size_t> slot;
  std::vector<TaskId> local;
  std::vector<TaskId> inject;
};

void check_queues(StateView s, const Queues& expected) {
  if (expected.slot) {
    CHECK_TRUE(lifo_holds(s, *expected.slot));
  } else {
    CHECK_TRUE(lifo_empty(s));
  }
  check_tasks(expected.local, ids(s.run_queue()));
  check_tasks(expected.inject, ids(s.inject()));
}

TaskStatus status(StateView s, std::size_t t) {
  return s.tasks(t).status;
}

const Event kPollMain{EventKind::kPoll, kMainTask};

bool main_pollable(const Runner& run) {
  for (const Event& e : run.enabled()) {
    if (e == kPollMain) return true;
  }
  return false;
}

/// The worker's enabled events: every scheduler event but main's poll.
std::vector<Event> worker_events(const Runner& run) {
  std::vector<Event> events;
  for (const Event& e : run.scheduler_events()) {
    if (!(e == kPollMain)) events.push_back(e);
  }
  return events;
}

/// Polls main, which must be pollable.
void poll_main(Runner& run) {
  run.apply(kPollMain);
}

/// Applies the worker's single next event; false when the worker has nothing to do.
bool worker_step(Runner& run) {
  const auto events = worker_events(run);
  if (events.empty()) return false;
  UNSIGNED_LONGS_EQUAL(1, events.size());
  run.apply(events.front());
  return true;
}

/// Steps the worker alone until it has nothing to do (main is not polled meanwhile).
void run_worker(Runner& run) {
  for (int i = 0; i < 10'000; ++i) {
    if (!worker_step(run)) return;
  }
  FAIL("the worker did not stop within 10000 steps");
}

/// Steps the worker alone until `done(state)` holds; fails if the worker stops first.
template <class Pred>
void run_worker_until(Runner& run, Pred done) {
  for (int i = 0; i < 10'000; ++i) {
    if (done(run.state())) return;
    if (!worker_step(run)) FAIL("the worker stopped before the awaited state");
  }
  FAIL("the awaited state was not reached within 10000 steps");
}

/// Runs to the dead end, polling main whenever it is pollable, else stepping the worker.
void run_main_first(Runner& run) {
  for (int i = 0; i < 10'000; ++i) {
    if (main_pollable(run)) {
      poll_main(run);
    } else if (!worker_step(run)) {
      return;
    }
  }
  FAIL("the run did not reach a dead end within 10000 steps");
}

/// The polls of worker tasks (main's left out), in order.
std::vector<TaskId> worker_polls(const Runner& run) {
  std::vector<TaskId> polls;
  for (TaskId t : run.polls()) {
    if (t != kMainTask) polls.push_back(t);
  }
  return polls;
}

bool has_kind(const std::vector<Event>& events, EventKind kind) {
  for (const Event& e : events) {
    if (e.kind == kind) return true;
  }
  return false;
}

/// The worker's single enabled event is `kind` (of `task`, when given).
void check_worker_next(const Runner& run, EventKind kind,
                       std::optional<std::size_t> task = std::nullopt) {
  const auto events = worker_events(run);
  UNSIGNED_LONGS_EQUAL(1, events.size());
  CHECK_TRUE(task ? has_event(events, kind, *task) : has_kind(events, kind));
}

void check_all_complete(const Runner& run, const Scenario& sc) {
  for (std::size_t t = 0; t < sc.tasks.size(); ++t) {
    CHECK_TEXT(status(run.state(), t) == TaskStatus::kComplete,
               (sc.tasks[t].name + " did not finish").c_str());
  }
}

/// Runs to the dead end main first: the worker tasks are polled in the order `polls` (all of the
/// run's, from its start) and every task completes.
void finish_main_first(Runner& run, const Scenario& sc, const std::vector<TaskId>& polls) {
  run_main_first(run);
  check_tasks(polls, worker_polls(run));
  check_all_complete(run, sc);
}

/// Checks the queues now against `now`, then runs to the dead end main first: every task
/// completes, and the worker tasks are polled in the order `order` from now on.
void check_queues_then_order(Runner& run, const Scenario& sc, const Queues& now,
                             const std::vector<TaskId>& order) {
  check_queues(run.state(), now);
  const auto before = static_cast<std::ptrdiff_t>(worker_polls(run).size());
  run_main_first(run);
  check_all_complete(run, sc);
  const auto polls = worker_polls(run);
  check_tasks(order, {polls.begin() + before, polls.end()});
}

}  // namespace

// --- where a spawn or a wake puts a task (worker.rs schedule_task / schedule_local) ----------

TEST_GROUP(OneWorkerQueues){};

TEST(OneWorkerQueues, SpawnsFromMainGoToTheInjectQueueAndRunInSpawnOrder) {
  // main: spawn a; spawn b; spawn c; join each. main's thread holds no worker core: every spawn
  // is pushed to the inject queue, which the idle worker serves FIFO.
  OneWorker b;
  const auto main = b.task("main");
  const auto a = b.task("a");
  const auto bb = b.task("b");
  const auto c = b.task("c");
  b.program(main, spawn_then_join({a, bb, c}));
  const Scenario sc = b.build();
  const TokioModel model(sc);
  Runner run(model);
  poll_main(run);
  {
    const State& s = run.state();
    check_queues(s, {.slot = {}, .local = {}, .inject = {task_id(a), task_id(bb), task_id(c)}});
    CHECK(status(s, a) == TaskStatus::kScheduled);
  }
  finish_main_first(run, sc, {task_id(a), task_id(bb), task_id(c)});
}

TEST(OneWorkerQueues, ASpawnFromAWorkerTaskGoesToTheLifoSlotPushingItsOccupantToTheLocalQueue) {
  // main spawns p and q (inject); p, on the worker, spawns x then y: x enters the LIFO slot, then
  // y takes it and x moves to the local queue. The worker runs y (LIFO), x (local), then q
  // (inject).
  OneWorker b;
  const auto main = b.task("main");
  const auto p = b.task("p");
  const auto q = b.task("q");
  const auto x = b.task("x");
  const auto y = b.task("y");
  b.program(main, {op(OpKind::kSpawn, p), op(OpKind::kSpawn, q), op(OpKind::kJoin, p),
                   op(OpKind::kJoin, q), op(OpKind::kJoin, x), op(OpKind::kJoin, y)});
  b.program(p, {op(OpKind::kSpawn, x), op(OpKind::kSpawn, y)});
  const Scenario sc = b.build();
  const TokioModel model(sc);
  Runner run(model);
  poll_main(run);
  CHECK_TRUE(worker_step(run));  // polls p
  {
    const State& s = run.state();
    check_tasks({task_id(p)}, worker_polls(run));
    check_queues(s, {.slot = y, .local = {task_id(x)}, .inject = {task_id(q)}});
    CHECK(status(s, x) == TaskStatus::kScheduled);
    CHECK(status(s, y) == TaskStatus::kScheduled);
  }
  finish_main_first(run, sc, {task_id(p), task_id(y), task_id(x), task_id(q)});
}

TEST(OneWorkerQueues, WhileTheLifoSlotIsOccupiedTheWorkerPollsOnlyItsOccupant) {
  // p spawns x, y, z on the worker: the slot holds z, the local queue x then y, and q waits in
  // the inject queue. The worker's only possible event is z's poll; main, woken, may be polled
  // beside it.
  OneWorker b;
  const auto main = b.task("main");
  const auto p = b.task("p");
  const auto q = b.task("q");
  const auto x = b.task("x");
  const auto y = b.task("y");
  const auto z = b.task("z");
  b.program(main, {op(OpKind::kSpawn, p), op(OpKind::kSpawn, q), op(OpKind::kYieldNow),
                   op(OpKind::kJoin, p), op(OpKind::kJoin, q), op(OpKind::kJoin, x),
                   op(OpKind::kJoin, y), op(OpKind::kJoin, z)});
  b.program(p, {op(OpKind::kSpawn, x), op(OpKind::kSpawn, y), op(OpKind::kSpawn, z)});
  const Scenario sc = b.build();
  const TokioModel model(sc);
  Runner run(model);
  poll_main(run);                // spawns p and q, yields: main is pollable again
  CHECK_TRUE(worker_step(run));  // polls p
  {
    const State& s = run.state();
    check_queues(s, {.slot = z, .local = {task_id(x), task_id(y)}, .inject = {task_id(q)}});
    check_worker_next(run, EventKind::kPoll, z);
    CHECK_TRUE(main_pollable(run));
  }
  finish_main_first(run, sc, {task_id(p), task_id(z), task_id(x), task_id(y), task_id(q)});
}

TEST(OneWorkerQueues, ATaskWokenDuringItsOwnPollGoesToTheBackOfTheLocalQueueNotTheLifoSlot) {
  // p spawns t, u, v (slot: v; local: t, u). v runs from the slot. t's coop budget is spent, so
  // its acquire is refused and t wakes itself while it runs: after the poll it is scheduled with
  // is_yield, at the back of the local queue behind u, and the slot stays empty.
  OneWorker b;
  const auto mx = b.resource("m", ResourceKind::kTokioMutex);
  const auto main = b.task("main");
  const auto p = b.task("p");
  const auto t = b.task("t");
  const auto u = b.task("u");
  const auto v = b.task("v");
  b.program(main, {op(OpKind::kSpawn, p), op(OpKind::kJoin, p), op(OpKind::kJoin, t),
                   op(OpKind::kJoin, u), op(OpKind::kJoin, v)});
  b.program(p, {op(OpKind::kSpawn, t), op(OpKind::kSpawn, u), op(OpKind::kSpawn, v)});
  b.program(t, {op(OpKind::kLock, mx), op(OpKind::kUnlock, mx)});
  b.fault(FaultKind::kCoopYield, t);
  const Scenario sc = b.build();
  const TokioModel model(sc);
  Runner run(model);
  poll_main(run);
  CHECK_TRUE(worker_step(run));  // p
  CHECK_TRUE(worker_step(run));  // v, from the slot
  run.apply(Event{EventKind::kCoopYield, task_id(t)});
  CHECK_TRUE(worker_step(run));  // t: refused by coop, wakes itself
  {
    const State& s = run.state();
    check_tasks({task_id(p), task_id(v), task_id(t)}, worker_polls(run));
    CHECK(status(s, t) == TaskStatus::kScheduled);
    check_queues(s, {.slot = {}, .local = {task_id(u), task_id(t)}, .inject = {}});
    UNSIGNED_LONGS_EQUAL(0, s.semaphore(resource_at(mx)).queue().size());  // the semaphore was not touched
  }
  finish_main_first(run, sc, {task_id(p), task_id(v), task_id(t), task_id(u), task_id(t)});
}

TEST(OneWorkerQueues, EverySixtyFirstTickTheInjectQueueIsServedBeforeTheLocalQueue) {
  // main spawns t and o (inject). t loops over a free mutex: each poll is cut by coop and t wakes
  // itself into the local queue, which is never empty again until t finishes. o waits in the
  // inject queue until the 61st tick, when the worker looks there first: after t's 60th poll
  // (t's first poll, from the inject queue, was tick 1).
  OneWorker b;
  const LoopThenObserver f(b, 9000);
  const Scenario sc = b.build();
  const TokioModel model(sc);
  Runner run(model);
  poll_main(run);
  run_worker_until(run, [&](const State&) { return run.polls_of(task_id(f.t)) == 60; });
  {
    const State& s = run.state();
    // o passed over for 59 ticks
    check_queues(s, {.slot = {}, .local = {task_id(f.t)}, .inject = {task_id(f.o)}});
    UNSIGNED_LONGS_EQUAL(0, run.polls_of(task_id(f.o)));
    check_worker_next(run, EventKind::kPoll, f.o);
  }
  CHECK_TRUE(worker_step(run));
  LONGS_EQUAL(60 * 128, run.state().var(f.seen));
  CHECK_TRUE(run.state().inject().empty());
  run_main_first(run);
  LONGS_EQUAL(9000, run.state().var(f.count));
  check_all_complete(run, sc);
}

// --- a batch of wakes from one release (S8; checked on real tokio by the conformance suite)

TEST_GROUP(OneWorkerBatch){};

namespace {

/// a (task 1), b (2) and c (3) queue on a Semaphore(0) in that order; then 3 permits are added,
/// by a task r on the worker or by main itself. Checks the worker's queues right after the
/// release against `after_release`, and the polls of a, b and c after it against `order`.
void check_batch(TokioVersion version, bool release_on_worker, const Queues& after_release,
                 const std::vector<TaskId>& order) {
  OneWorker b(version);
  const auto s = b.resource("s", ResourceKind::kSemaphore, 0);
  const auto main = b.task("main");
  const auto a = b.task("a");
  const auto bb = b.task("b");
  const auto c = b.task("c");
  const auto r = release_on_worker ? b.task("r") : u8(0);
  std::vector<Op> main_program{op(OpKind::kSpawn, a), op(OpKind::kSpawn, bb), op(OpKind::kSpawn, c),
                               op(OpKind::kYieldNow)};
  if (release_on_worker) {
    main_program.push_back(op(OpKind::kSpawn, r));
  } else {
    main_program.push_back(op(OpKind::kAddPermits, s, 3));
  }
  for (std::uint8_t t : {a, bb, c}) main_program.push_back(op(OpKind::kJoin, t));
  if (release_on_worker) main_program.push_back(op(OpKind::kJoin, r));
  b.program(main, main_program);
  for (std::uint8_t t : {a, bb, c}) b.program(t, {op(OpKind::kLock, s), op(OpKind::kForget, s, 1)});
  if (release_on_worker) b.program(r, {op(OpKind::kAddPermits, s, 3)});
  const Scenario sc = b.build();
  const TokioModel model(sc);
  Runner run(model);
  poll_main(run);   // spawns a, b, c and yields
  run_worker(run);  // a, b, c queue on s, in that order
  check_tasks({task_id(a), task_id(bb), task_id(c)}, worker_polls(run));
  UNSIGNED_LONGS_EQUAL(3, run.state().semaphore(resource_at(s)).queue().size());
  poll_main(run);                                       // spawns r, or adds the permits itself
  if (release_on_worker) CHECK_TRUE(worker_step(run));  // r
  check_queues_then_order(run, sc, after_release, order);
}

}  // namespace

TEST(OneWorkerBatch, On1_24AReleaseOnTheWorkerToThreeWaitersRunsThemACB) {
  // 1.24.2 wakes the batch youngest first: c, b, a. Each wake on the worker takes the slot and
  // pushes the previous occupant to the local queue: the slot ends with a, the queue holds c, b.
  check_batch(TokioVersion::k1_24, true,
              {.slot = 1, .local = {task_id(3), task_id(2)}, .inject = {}},
              {task_id(1), task_id(3), task_id(2)});
}

TEST(OneWorkerBatch, On1_24AReleaseFromMainToThreeWaitersRunsThemCBA) {
  // From main's thread every wake goes to the inject queue in the order issued: c, b, a.
  check_batch(TokioVersion::k1_24, false,
              {.slot = {}, .local = {}, .inject = {task_id(3), task_id(2), task_id(1)}},
              {task_id(3), task_id(2), task_id(1)});
}

TEST(OneWorkerBatch, On1_53AReleaseOnTheWorkerToThreeWaitersRunsThemCAB) {
  // Since 1.38 the batch is woken oldest first: a, b, c; the slot ends with c, the queue a, b.
  check_batch(TokioVersion::k1_53, true,
              {.slot = 3, .local = {task_id(1), task_id(2)}, .inject = {}},
              {task_id(3), task_id(1), task_id(2)});
}

TEST(OneWorkerBatch, On1_53AReleaseFromMainToThreeWaitersRunsThemABC) {
  check_batch(TokioVersion::k1_53, false,
              {.slot = {}, .local = {}, .inject = {task_id(1), task_id(2), task_id(3)}},
              {task_id(1), task_id(2), task_id(3)});
}

// --- yield_now (task/yield_now.rs: context::defer) ---------------------------------------------

TEST_GROUP(OneWorkerYield){};

TEST(OneWorkerYield, YieldNowOnTheWorkerIsDeferredUntilTheWorkerHasNothingElseToRun) {
  // a yields; its wake waits in the defer list while b, in the inject queue, runs. Only then,
  // with nothing to run, the worker parks (park_timeout(0)), waking a into the LIFO slot.
  OneWorker b;
  const auto main = b.task("main");
  const auto a = b.task("a");
  const auto bb = b.task("b");
  b.program(main, spawn_then_join({a, bb}));
  b.program(a, {op(OpKind::kYieldNow)});
  b.program(bb, {});
  const Scenario sc = b.build();
  const TokioModel model(sc);
  Runner run(model);
  poll_main(run);
  CHECK_TRUE(worker_step(run));  // a yields
  {
    const State& s = run.state();
    check_tasks({task_id(a)}, ids(s.deferred()));
    CHECK(status(s, a) == TaskStatus::kIdle);
    check_queues(s, {.slot = {}, .local = {}, .inject = {task_id(bb)}});
    check_worker_next(run, EventKind::kPoll, bb);  // b, not a park
  }
  CHECK_TRUE(worker_step(run));  // b finishes
  check_worker_next(run, EventKind::kPark);
  CHECK_TRUE(worker_step(run));  // the park wakes a
  {
    const State& s = run.state();
    CHECK_TRUE(s.deferred().empty());
    CHECK_TRUE(lifo_holds(s, a));
    CHECK(status(s, a) == TaskStatus::kScheduled);
  }
  finish_main_first(run, sc, {task_id(a), task_id(bb), task_id(a)});
}

namespace {

/// p spawns a (task 2) then b (3) (slot: b; local: a); both yield; the park wakes the defer list
/// into the LIFO slot one by one. Checks the worker's queues right after the park against
/// `after_park`, and the polls after it against `order`.
void check_two_yields(TokioVersion version, const Queues& after_park,
                      const std::vector<TaskId>& order) {
  OneWorker b(version);
  const auto main = b.task("main");
  const auto p = b.task("p");
  const auto a = b.task("a");
  const auto bb = b.task("b");
  b.program(main, {op(OpKind::kSpawn, p), op(OpKind::kJoin, p), op(OpKind::kJoin, a),
                   op(OpKind::kJoin, bb)});
  b.program(p, {op(OpKind::kSpawn, a), op(OpKind::kSpawn, bb)});
  b.program(a, {op(OpKind::kYieldNow)});
  b.program(bb, {op(OpKind::kYieldNow)});
  const Scenario sc = b.build();
  const TokioModel model(sc);
  Runner run(model);
  poll_main(run);
  run_worker_until(run, [](StateView s) { return s.deferred().size() == 2; });
  check_tasks({task_id(p), task_id(bb), task_id(a)}, worker_polls(run));
  check_tasks({task_id(bb), task_id(a)}, ids(run.state().deferred()));
  CHECK_TRUE(worker_step(run));  // park
  check_queues_then_order(run, sc, after_park, order);
}

}  // namespace

TEST(OneWorkerYield, On1_24TheDeferredWakesAreWokenFifoSoTheLastYielderRunsFirst) {
  // Defer list b, a woken in that order: b takes the slot, then a takes it and b moves to the
  // local queue. a runs first, then b.
  check_two_yields(TokioVersion::k1_24, {.slot = 2, .local = {task_id(3)}, .inject = {}},
                   {task_id(2), task_id(3)});
}

TEST(OneWorkerYield, On1_53TheDeferredWakesAreWokenLifoSoTheFirstYielderRunsFirst) {
  check_two_yields(TokioVersion::k1_53, {.slot = 3, .local = {task_id(2)}, .inject = {}},
                   {task_id(3), task_id(2)});
}

namespace {

/// main: spawn a; yield_now; seen = flag; join a. a: flag = 1.
struct MainReadsAfterYield {
  Scenario sc;
  std::uint8_t flag = 0, seen = 0, main = 0, a = 0;

  MainReadsAfterYield() {
    OneWorker b;
    flag = b.variable("flag", 0, 0, 1);
    seen = b.variable("seen", -1, -1, 1);
    main = b.task("main");
    a = b.task("a");
    b.program(main, {op(OpKind::kSpawn, a), op(OpKind::kYieldNow), b.set(seen, "flag"),
                     op(OpKind::kJoin, a)});
    b.program(a, {b.set(flag, "1")});
    sc = b.build();
  }
};

}  // namespace

TEST(OneWorkerYield, MainsYieldNowMakesMainPollableAgainAtOnceWhileTheWorkerHasWork) {
  // park.rs block_on wakes main's deferred wakers right after its poll: main is woken at once,
  // nothing waits in the worker's defer list, and main's next poll may come before the worker
  // runs anything.
  const MainReadsAfterYield f;
  const TokioModel model(f.sc);
  Runner run(model);
  poll_main(run);
  {
    const State& s = run.state();
    CHECK(status(s, f.main) == TaskStatus::kScheduled);
    CHECK_TRUE(s.deferred().empty());
    CHECK_TRUE(main_pollable(run));
    CHECK_TRUE(has_event(worker_events(run), EventKind::kPoll, f.a));
  }
  poll_main(run);  // main resumes before a has run
  LONGS_EQUAL(0, run.state().var(f.seen));
  run_main_first(run);
  LONGS_EQUAL(1, run.state().var(f.flag));
  UNSIGNED_LONGS_EQUAL(3, run.polls_of(kMainTask));
  check_all_complete(run, f.sc);
}

// --- main beside the worker --------------------------------------------------------------------

TEST_GROUP(OneWorkerMain){};

TEST(OneWorkerMain, MainsPollAndTheWorkersPollInterleaveInEitherOrder) {
  // main: spawn a; yield; seen = flag. a: flag = 1. Both orders of main's second poll and a's
  // poll are possible, and each shows in what main saw.
  for (const bool main_first : {true, false}) {
    const MainReadsAfterYield f;
    const TokioModel model(f.sc);
    Runner run(model);
    poll_main(run);
    if (main_first) {
      poll_main(run);
      CHECK_TRUE(worker_step(run));
    } else {
      CHECK_TRUE(worker_step(run));
      CHECK_TRUE(main_pollable(run));
      poll_main(run);
    }
    LONGS_EQUAL(main_first ? 0 : 1, run.state().var(f.seen));
    run_main_first(run);
    check_all_complete(run, f.sc);
  }
}

TEST(OneWorkerMain, AWakeOfMainFromTheWorkerUnparksMainsThreadAndEntersNoWorkerQueue) {
  // main awaits a's JoinHandle; a finishes on the worker and wakes main: main is pollable, and
  // neither the slot nor a queue holds it.
  OneWorker b;
  const auto main = b.task("main");
  const auto a = b.task("a");
  b.program(main, spawn_then_join({a}));
  b.program(a, {});
  const Scenario sc = b.build();
  const TokioModel model(sc);
  Runner run(model);
  poll_main(run);
  CHECK(status(run.state(), main) == TaskStatus::kIdle);
  CHECK_FALSE(main_pollable(run));
  CHECK_TRUE(worker_step(run));
  {
    const State& s = run.state();
    CHECK(status(s, main) == TaskStatus::kScheduled);
    CHECK_TRUE(main_pollable(run));
    check_queues(s, {.slot = {}, .local = {}, .inject = {}});
    CHECK_TRUE(worker_events(run).empty());
  }
  poll_main(run);
  check_all_complete(run, sc);
}

TEST(OneWorkerMain, ANotifyFromMainWakesIntoTheInjectQueueBehindTasksAlreadyThere) {
  // w waits on n. main spawns x, then notifies n: w is pushed to the inject queue behind x, and
  // the slot, though empty, is not used from main's thread.
  OneWorker b;
  const auto n = b.resource("n", ResourceKind::kNotify);
  const auto main = b.task("main");
  const auto w = b.task("w");
  const auto x = b.task("x");
  b.program(main, {op(OpKind::kSpawn, w), op(OpKind::kYieldNow), op(OpKind::kSpawn, x),
                   op(OpKind::kNotifyOne, n), op(OpKind::kJoin, w), op(OpKind::kJoin, x)});
  b.program(w, {op(OpKind::kNotified, n)});
  b.program(x, {});
  const Scenario sc = b.build();
  const TokioModel model(sc);
  Runner run(model);
  poll_main(run);
  CHECK_TRUE(worker_step(run));  // w waits
  CHECK(status(run.state(), w) == TaskStatus::kIdle);
  poll_main(run);
  {
    const State& s = run.state();
    check_queues(s, {.slot = {}, .local = {}, .inject = {task_id(x), task_id(w)}});
    CHECK(status(s, w) == TaskStatus::kScheduled);
  }
  finish_main_first(run, sc, {task_id(w), task_id(x), task_id(w)});
}

// --- timers (the time driver is turned by the parked worker) ----------------------------------

TEST_GROUP(OneWorkerTimers){};

TEST(OneWorkerTimers, ATimerFiresOnlyWhenTheWorkerHasNothingToRunAndItsTaskTakesTheLifoSlot) {
  // t sleeps; u loops over a free mutex for three polls (coop cuts each). While u is runnable no
  // timer may fire; then t's timer fires on the parked worker and t enters the LIFO slot.
  OneWorker b;
  const auto mx = b.resource("m", ResourceKind::kTokioMutex);
  const auto count = b.variable("count", 0, 0, 300);
  const auto seen = b.variable("seen", -1, -1, 300);
  const auto main = b.task("main");
  const auto t = b.task("t");
  const auto u = b.task("u");
  b.program(main, spawn_then_join({t, u}));
  b.program(t, {op(OpKind::kSleep), b.set(seen, "count")});
  b.program(u, lock_loop(b, mx, count, "300", 0));
  const Scenario sc = b.build();
  const TokioModel model(sc);
  Runner run(model);
  poll_main(run);
  CHECK_TRUE(worker_step(run));  // t sleeps
  UNSIGNED_LONGS_EQUAL(1, run.state().tasks(t).timer);
  while (run.polls_of(task_id(u)) < 3) {
    CHECK_FALSE(has_kind(worker_events(run), EventKind::kTimer));
    CHECK_TRUE(worker_step(run));
  }
  CHECK(status(run.state(), u) == TaskStatus::kComplete);
  check_worker_next(run, EventKind::kTimer, t);
  CHECK_TRUE(worker_step(run));  // the timer fires
  {
    const State& s = run.state();
    CHECK_TRUE(lifo_holds(s, t));
    CHECK(status(s, t) == TaskStatus::kScheduled);
    CHECK_TRUE(s.inject().empty());
  }
  run_main_first(run);
  LONGS_EQUAL(300, run.state().var(seen));
  check_all_complete(run, sc);
}

TEST(OneWorkerTimers, DeferredWakesAreWokenBeforeAnyTimerFires) {
  // t sleeps and y yields: with nothing to run the worker first parks with the defer list
  // non-empty (park_timeout(0)), waking y; only once y has run may t's timer fire.
  OneWorker b;
  const auto main = b.task("main");
  const auto t = b.task("t");
  const auto y = b.task("y");
  b.program(main, spawn_then_join({t, y}));
  b.program(t, {op(OpKind::kSleep)});
  b.program(y, {op(OpKind::kYieldNow)});
  const Scenario sc = b.build();
  const TokioModel model(sc);
  Runner run(model);
  poll_main(run);
  CHECK_TRUE(worker_step(run));  // t sleeps
  CHECK_TRUE(worker_step(run));  // y yields
  check_worker_next(run, EventKind::kPark);
  CHECK_TRUE(worker_step(run));  // park: y into the slot
  CHECK_TRUE(lifo_holds(run.state(), y));
  CHECK_FALSE(has_kind(worker_events(run), EventKind::kTimer));
  CHECK_TRUE(worker_step(run));  // y finishes
  CHECK(status(run.state(), y) == TaskStatus::kComplete);
  CHECK_TRUE(has_event(worker_events(run), EventKind::kTimer, t));
  finish_main_first(run, sc, {task_id(t), task_id(y), task_id(y), task_id(t)});
}
