// Tests of the tokio rules against tokio 1.24.2 as written in shared/tokio-semantics.md: the
// scheduler (§3.1-3.4), Mutex over the batch semaphore (§1, §2.1), cancellation (§3.7) and the
// scenarios of §6 that a tokio Mutex can express. current_thread runs are stepped one scheduler
// event at a time (there is exactly one); multi_thread runs are explored exhaustively.
//
// In every scenario main awaits the JoinHandles of the tasks it spawns before it returns: in
// tokio, block_on returns when main's future is Ready and the runtime's drop then drops every
// task's future (§3.2, §3.7), so what tasks do after main has finished is not tokio behaviour.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <utility>
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

namespace explorer = wakecheck::explorer;
using wakecheck::model::Event;
using wakecheck::model::EventKind;
using wakecheck::model::FaultKind;
using wakecheck::model::FutureSpec;
using wakecheck::model::Flavor;
using wakecheck::model::kMainTask;
using wakecheck::model::Op;
using wakecheck::model::OpKind;
using wakecheck::model::ResourceId;
using wakecheck::model::ResourceSpec;
using wakecheck::model::Scenario;
using wakecheck::model::State;
using wakecheck::model::StateView;
using wakecheck::model::resource_at;
using wakecheck::model::task_at;
using wakecheck::model::TaskId;
using wakecheck::model::TaskSpec;
using wakecheck::model::TaskStatus;
using wakecheck::model::TokioModel;
using wakecheck::model::Wrapper;
namespace q = wakecheck::model;  // the queries

namespace {

constexpr ResourceId kM{0};

constexpr TaskId task_id(std::size_t i) { return TaskId{static_cast<std::uint8_t>(i)}; }
/// In the seed scenarios, worker i is task i + 1.
constexpr TaskId worker(std::size_t i) { return task_id(i + 1); }
constexpr std::uint8_t worker_target(std::size_t i) { return static_cast<std::uint8_t>(i + 1); }

Op op(OpKind kind, std::uint8_t a = 0, std::uint8_t b = 0) { return Op{kind, a, b}; }

/// `program` followed by `handle.await` on each of `tasks`, in order.
std::vector<Op> then_join(std::vector<Op> program, std::initializer_list<std::uint8_t> tasks) {
  for (std::uint8_t t : tasks) program.push_back(op(OpKind::kJoin, t));
  return program;
}

/// A task and the wrapper around its own future (futures[i] of the scenario for task i).
struct TaskDef {
  std::string name;
  std::vector<Op> program;
  Wrapper wrapper = Wrapper::kNone;
};

TaskDef task(std::string name, std::vector<Op> program, Wrapper wrapper = Wrapper::kNone) {
  return TaskDef{std::move(name), std::move(program), wrapper};
}

Scenario scenario(std::vector<TaskDef> tasks, Flavor flavor = Flavor::kCurrentThread) {
  Scenario sc;
  sc.name = "test";
  sc.flavor = flavor;
  sc.resources.push_back(ResourceSpec{"m", wakecheck::model::ResourceKind::kTokioMutex, 1});
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    TaskSpec spec;
    spec.name = tasks[i].name;
    spec.group = tasks[i].name;
    spec.program = std::move(tasks[i].program);
    sc.tasks.push_back(std::move(spec));
    FutureSpec future;
    future.name = tasks[i].name;
    future.task = i;
    future.wrapper = tasks[i].wrapper;
    sc.futures.push_back(std::move(future));
  }
  return sc;
}

bool finished(StateView s, TaskId t) { return s.task(t).finished(); }
TaskStatus status(StateView s, TaskId t) { return s.task(t).status; }

using wakecheck::testing::Runner;

void check_tasks(const std::vector<TaskId>& expected, const std::vector<TaskId>& actual) {
  UNSIGNED_LONGS_EQUAL(expected.size(), actual.size());
  for (std::size_t i = 0; i < expected.size() && i < actual.size(); ++i) {
    UNSIGNED_LONGS_EQUAL(static_cast<unsigned>(expected[i]), static_cast<unsigned>(actual[i]));
  }
}

// --- the seed (§6 S1 and its variants) ---------------------------------------------------------

struct SeedOptions {
  Wrapper wrapper = Wrapper::kPausable;
  std::size_t paused = 1;                // the worker whose stop flag main sets
  bool pause_before_first_poll = false;  // S1f: set before the workers first run
  bool abort_after_first_finishes = false;  // S1d: then main aborts the paused worker
  Flavor flavor = Flavor::kCurrentThread;
};

/// main holds m; worker0..worker3 `lock m` and queue in order; main sets one worker's stop
/// flag, drops its guard and awaits the workers. Workers: lock m, sleep, unlock m.
Scenario seed(const SeedOptions& o = {}) {
  std::vector<Op> main_program{op(OpKind::kLock)};
  for (std::size_t i = 0; i < 4; ++i) main_program.push_back(op(OpKind::kSpawn, worker_target(i)));
  // Only a wrapper reads the stop flag, so an unwrapped seed has nothing to pause (property
  // files reject `pause` of a future without a wrapper).
  const bool wrapped = o.wrapper != Wrapper::kNone;
  const Op pause = op(OpKind::kPause, worker_target(o.paused));
  if (wrapped && o.pause_before_first_poll) main_program.push_back(pause);
  main_program.push_back(op(OpKind::kYieldNow));  // the workers run and queue, in spawn order
  if (wrapped && !o.pause_before_first_poll) main_program.push_back(pause);
  main_program.push_back(op(OpKind::kUnlock));
  if (o.abort_after_first_finishes) {
    main_program.push_back(op(OpKind::kJoin, worker_target(0)));
    main_program.push_back(op(OpKind::kAbort, worker_target(o.paused)));
  }
  main_program = then_join(std::move(main_program), {1, 2, 3, 4});
  std::vector<TaskDef> tasks{task("main", main_program)};
  for (std::size_t i = 0; i < 4; ++i) {
    tasks.push_back(task("worker" + std::to_string(i),
                         {op(OpKind::kLock), op(OpKind::kSleep), op(OpKind::kUnlock)}, o.wrapper));
  }
  return scenario(std::move(tasks), o.flavor);
}

/// No guard is held, and `try_lock` would fail.
void check_stranded(StateView s, const Scenario& sc) {
  UNSIGNED_LONGS_EQUAL(0, q::guard_holders(s, sc, kM));
  UNSIGNED_LONGS_EQUAL(0, s.semaphore(kM).available());
  State probe = s;
  CHECK_FALSE(probe.semaphore(kM).try_acquire(1));
}

/// Nobody holds or owns m and `try_lock` would succeed.
void check_free(StateView s, const Scenario& sc) {
  UNSIGNED_LONGS_EQUAL(0, q::guard_holders(s, sc, kM));
  UNSIGNED_LONGS_EQUAL(1, s.semaphore(kM).available());
  CHECK_TRUE(s.semaphore(kM).queue().empty());
  State probe = s;
  CHECK_TRUE(probe.semaphore(kM).try_acquire(1));
}

using wakecheck::testing::state_property;

template <class M>
explorer::Property always(const TokioModel& model, std::string name, M condition) {
  return state_property(model, std::move(name), explorer::PropertyKind::kAlways, std::move(condition));
}

explorer::Property permits_conserved(const TokioModel& model) {
  const Scenario& sc = model.scenario();
  return always(model, "permits conserved", [&sc](StateView s) {
    return q::permits_accounted(s, sc, kM) == sc.resource(kM).permits;
  });
}

explorer::Property mutual_exclusion(const TokioModel& model) {
  const Scenario& sc = model.scenario();
  return always(model, "mutual exclusion", [&sc](StateView s) {
    std::size_t guards = 0;
    for (std::size_t i = 0; i < sc.tasks.size(); ++i) guards += s.held(task_at(i), kM);
    return guards <= 1;
  });
}

void check_holds(const explorer::SearchResult<Event>& result) {
  CHECK_TRUE(result.stats.complete());
  for (const auto& outcome : result.outcomes) {
    if (outcome.verdict != explorer::Verdict::kHolds) FAIL(("violated: " + outcome.name).c_str());
  }
}

}  // namespace

// --- scheduling (§3.1-3.4) ---------------------------------------------------------------------

TEST_GROUP(TokioScheduler){};

TEST(TokioScheduler, SpawnedTasksDoNotRunUntilMainReturnsPending) {
  const TokioModel model(scenario({
      task("main", {op(OpKind::kSpawn, 1), op(OpKind::kSpawn, 2), op(OpKind::kYieldNow)}),
      task("a", {}),
      task("b", {}),
  }));
  Runner run(model);
  CHECK_TRUE(run.step());  // main's first poll: both spawns, then yield_now is Pending
  check_tasks({kMainTask}, run.polls());
  CHECK(status(run.state(), task_id(1)) == TaskStatus::kScheduled);
  CHECK(status(run.state(), task_id(2)) == TaskStatus::kScheduled);
  UNSIGNED_LONGS_EQUAL(0, run.finish_order().size());
}

TEST(TokioScheduler, SpawnOrderIsRunOrderOnCurrentThread) {
  // §3.3: tasks spawned from main run in spawn order once main returns Pending (not task order).
  const TokioModel model(scenario({
      task("main", then_join({op(OpKind::kSpawn, 3), op(OpKind::kSpawn, 1), op(OpKind::kSpawn, 2)},
                             {1, 2, 3})),
      task("a", {}),
      task("b", {}),
      task("c", {}),
  }));
  Runner run(model);
  run.run();
  check_tasks({kMainTask, task_id(3), task_id(1), task_id(2), kMainTask}, run.polls());
  check_tasks({task_id(3), task_id(1), task_id(2), kMainTask}, run.finish_order());
}

TEST(TokioScheduler, MainResumesFromYieldNowOnlyAfterTheRunQueueDrains) {
  // §3.2 / S20: the block_on future is not a task; with fewer than 61 ready tasks, all of them
  // run before main's yield_now returns.
  std::vector<Op> main_program;
  std::vector<TaskDef> tasks{task("main", {})};
  for (std::size_t i = 1; i <= 6; ++i) {
    main_program.push_back(op(OpKind::kSpawn, static_cast<std::uint8_t>(i)));
    tasks.push_back(task("t" + std::to_string(i), {}));
  }
  main_program.push_back(op(OpKind::kYieldNow));
  tasks[0].program = main_program;
  const TokioModel model(scenario(std::move(tasks)));
  Runner run(model);
  run.run();
  UNSIGNED_LONGS_EQUAL(8, run.polls().size());
  UNSIGNED_LONGS_EQUAL(static_cast<unsigned>(kMainTask), static_cast<unsigned>(run.polls().back()));
  UNSIGNED_LONGS_EQUAL(7, run.finish_order().size());
  UNSIGNED_LONGS_EQUAL(static_cast<unsigned>(kMainTask),
                       static_cast<unsigned>(run.finish_order().back()));
}

TEST(TokioScheduler, YieldNowResumesAfterEveryReadyTaskIncludingOneWokenMeanwhile) {
  // S17: spawn C (waits), A (A1, yield_now, A2), B (B1, wakes C): A1, B1, C, A2. Here C waits on
  // B's JoinHandle, which B's completion wakes the same way (language_test.cpp has the Notify
  // form).
  const TokioModel model(scenario({
      task("main", then_join({op(OpKind::kSpawn, 1), op(OpKind::kSpawn, 2), op(OpKind::kSpawn, 3)},
                             {1, 2, 3})),
      task("c", {op(OpKind::kJoin, 3)}),
      task("a", {op(OpKind::kYieldNow)}),
      task("b", {}),
  }));
  const TaskId c = task_id(1), a = task_id(2), b = task_id(3);
  Runner run(model);
  run.run();
  // C's first poll (Pending), A1, B1, C (woken by B), A2. main, woken by C's completion, is
  // polled at the top of the loop after the park that issues A's deferred wake (§3.2).
  check_tasks({kMainTask, c, a, b, c, kMainTask, a, kMainTask}, run.polls());
  check_tasks({b, c, a, kMainTask}, run.finish_order());
}

TEST(TokioScheduler, DeferredYieldWakesAreDeliveredFifo) {
  // S25 (1.24.2): A, B, C each log X1, yield_now, log X2 -> A2, B2, C2.
  const TokioModel model(scenario({
      task("main", then_join({op(OpKind::kSpawn, 1), op(OpKind::kSpawn, 2), op(OpKind::kSpawn, 3)},
                             {1, 2, 3})),
      task("a", {op(OpKind::kYieldNow)}),
      task("b", {op(OpKind::kYieldNow)}),
      task("c", {op(OpKind::kYieldNow)}),
  }));
  Runner run(model);
  run.run();
  check_tasks({kMainTask, task_id(1), task_id(2), task_id(3), task_id(1), task_id(2), task_id(3),
               kMainTask},
              run.polls());
  check_tasks({task_id(1), task_id(2), task_id(3), kMainTask}, run.finish_order());
}

TEST(TokioScheduler, WakesOfAnIdleTaskBeforeItRunsCoalesceIntoOnePoll) {
  // S19: an idle task woken 3 times before it runs is polled once for them. X waits on m (main
  // holds it); main wakes X three times (resume issues a wake), then yields, then unlocks.
  const TokioModel model(scenario({
      task("main", {op(OpKind::kLock), op(OpKind::kSpawn, 1), op(OpKind::kYieldNow),
                    op(OpKind::kResume, 1), op(OpKind::kResume, 1), op(OpKind::kResume, 1),
                    op(OpKind::kYieldNow), op(OpKind::kUnlock), op(OpKind::kJoin, 1)}),
      task("x", {op(OpKind::kLock), op(OpKind::kUnlock)}, Wrapper::kPausable),
  }));
  const TaskId x = task_id(1);
  Runner run(model);
  // Right after main's second poll, which woke X three times.
  run.run_until_polled(kMainTask, 2);
  check_tasks({x}, {run.state().run_queue().begin(), run.state().run_queue().end()});
  // Up to main's third poll (the one that unlocks): X ran once for the three wakes.
  run.run_until_polled(kMainTask, 3);
  check_tasks({kMainTask, x, kMainTask, x, kMainTask}, run.polls());
  UNSIGNED_LONGS_EQUAL(1, q::owned_by_future(run.state(), x, kM));  // assigned by the unlock
  run.run();
  check_tasks({kMainTask, x, kMainTask, x, kMainTask, x, kMainTask}, run.polls());
  CHECK(status(run.state(), x) == TaskStatus::kComplete);
}

TEST(TokioScheduler, WakeOfAnAlreadyScheduledTaskIsCoalesced) {
  // §3.1: a wake of a NOTIFIED (queued) task does nothing. main's unlock wakes X; the extra wake
  // (resume) that follows in the same poll does not queue it twice.
  const TokioModel model(scenario({
      task("main", {op(OpKind::kLock), op(OpKind::kSpawn, 1), op(OpKind::kYieldNow),
                    op(OpKind::kUnlock), op(OpKind::kResume, 1), op(OpKind::kResume, 1),
                    op(OpKind::kJoin, 1)}),
      task("x", {op(OpKind::kLock), op(OpKind::kUnlock)}, Wrapper::kPausable),
  }));
  const TaskId x = task_id(1);
  Runner run(model);
  run.run_until_polled(kMainTask, 2);
  UNSIGNED_LONGS_EQUAL(1, run.state().run_queue().size());
  run.run();
  UNSIGNED_LONGS_EQUAL(2, run.polls_of(x));
  CHECK(status(run.state(), x) == TaskStatus::kComplete);
  check_free(run.state(), model.scenario());
}

TEST(TokioScheduler, WokenMainIsPolledWithinOneEventIntervalOfTaskPolls) {
  // §3.2 (S20): the block_on future is polled at the top of the scheduler loop, reached when
  // the run queue drains or after event_interval = 61 task polls, whichever comes first. Here
  // b, c and d hand m to each other for about 90 polls without the queue draining; x, which
  // queues in the middle of it, finishes early and wakes main: main must be polled within 61
  // task polls of that wake, while the hand-offs are still going on.
  auto handoffs = [](std::size_t n) {
    std::vector<Op> ops;
    for (std::size_t i = 0; i < n; ++i) {
      ops.push_back(op(OpKind::kUnlock));
      ops.push_back(op(OpKind::kLock));
    }
    return ops;
  };
  std::vector<Op> b{op(OpKind::kLock), op(OpKind::kYieldNow), op(OpKind::kSpawn, 4)};
  std::vector<Op> c{op(OpKind::kLock)};
  for (const Op& o : handoffs(30)) b.push_back(o);
  for (const Op& o : handoffs(31)) c.push_back(o);
  b.push_back(op(OpKind::kUnlock));
  c.push_back(op(OpKind::kUnlock));
  const TokioModel model(scenario({
      task("main", then_join({op(OpKind::kSpawn, 1), op(OpKind::kSpawn, 2), op(OpKind::kSpawn, 3)},
                             {4, 1, 2, 3})),
      task("b", b),
      task("c", c),
      task("d", c),
      task("x", {op(OpKind::kLock), op(OpKind::kUnlock)}),
  }));
  const TaskId x = task_id(4);
  Runner run(model);
  run.run_until([&](StateView s) { return s.task(x).finished(); });
  // x's completion woke main (its JoinHandle), while b, c and d still hand m over.
  CHECK_TRUE(run.state().task(kMainTask).wake_pending == 1 ||
             run.state().task(kMainTask).status == TaskStatus::kScheduled);
  CHECK_FALSE(run.state().task(task_id(1)).finished());
  const std::size_t polls_at_wake = run.polls().size();
  run.run_until_polled(kMainTask, 2);
  const std::size_t task_polls = run.polls().size() - 1 - polls_at_wake;
  CHECK_TEXT(task_polls <= 61,
             ("task polls between main's wake and its poll: " + std::to_string(task_polls)).c_str());
  // b, c and d were still handing m over when main was polled.
  CHECK_FALSE(run.state().task(task_id(1)).finished() && run.state().task(task_id(2)).finished() &&
              run.state().task(task_id(3)).finished());
  run.run();
  CHECK(status(run.state(), kMainTask) == TaskStatus::kComplete);
  check_free(run.state(), model.scenario());
}

TEST(TokioScheduler, NarrationTakesTheSameStepAsNextState) {
  const TokioModel model(seed());
  State s = model.initial_state();
  for (int i = 0; i < 200; ++i) {
    std::vector<Event> enabled;
    model.enabled_events(s, enabled);
    if (enabled.empty()) break;
    std::vector<wakecheck::model::Effect> effects;
    const State told = model.narrate(s, enabled.front(), effects);
    const State next = model.next_state(s, enabled.front());
    CHECK_TRUE(told == next);
    s = next;
  }
  std::vector<Event> left;
  model.enabled_events(s, left);
  UNSIGNED_LONGS_EQUAL(0, left.size());
}

// --- Mutex over the batch semaphore (§1, §2.1) ------------------------------------------------

TEST_GROUP(TokioMutex){};

TEST(TokioMutex, ReleaseAssignsPermitToOldestWaiterBeforeItIsPolled) {
  const Scenario sc = seed({.wrapper = Wrapper::kNone});
  const TokioModel model(sc);
  Runner run(model);
  // Up to the end of main's second poll (it unlocks m, then awaits worker0).
  run.run_until_polled(kMainTask, 2);
  const State& s = run.state();
  UNSIGNED_LONGS_EQUAL(1, q::owned_by_future(s, worker(0), kM));
  UNSIGNED_LONGS_EQUAL(0, q::held_by(s, worker(0), kM));
  UNSIGNED_LONGS_EQUAL(0, q::guard_holders(s, sc, kM));
  UNSIGNED_LONGS_EQUAL(0, s.semaphore(kM).available());
  CHECK_FALSE(q::waits_on(s, sc, worker(0)).has_value());
  for (std::size_t i = 1; i < 4; ++i) {
    CHECK_TRUE(q::waits_on(s, sc, worker(i)) == kM);
    UNSIGNED_LONGS_EQUAL(0, q::owned_by_future(s, worker(i), kM));
  }
  // The wake was issued; worker0 has not been polled since it queued.
  UNSIGNED_LONGS_EQUAL(1, run.polls_of(worker(0)));
  UNSIGNED_LONGS_EQUAL(1, s.task(worker(0)).wake_pending);
  // Its next poll turns the assigned permit into a guard.
  run.run_until_polled(worker(0), 2);
  UNSIGNED_LONGS_EQUAL(1, q::held_by(run.state(), worker(0), kM));
  UNSIGNED_LONGS_EQUAL(0, q::owned_by_future(run.state(), worker(0), kM));
}

TEST(TokioMutex, WaitersAcquireInTheOrderTheyQueued) {
  const Scenario sc = seed({.wrapper = Wrapper::kNone});
  const TokioModel model(sc);
  Runner run(model);
  run.run();
  check_tasks({worker(0), worker(1), worker(2), worker(3), kMainTask}, run.finish_order());
  check_free(run.state(), sc);
}

TEST(TokioMutex, UnlockThenTryLockInTheSamePollFailsBecauseThePermitIsInTheWaitersNode) {
  // S2: main holds; A queued; main drops the guard and immediately calls try_lock (Err), then
  // lock().await: A locked, A released, main re-locked.
  const Scenario sc = scenario({
      task("main", {op(OpKind::kLock), op(OpKind::kSpawn, 1), op(OpKind::kYieldNow),
                    op(OpKind::kUnlock), op(OpKind::kTryLock), op(OpKind::kLock),
                    op(OpKind::kUnlock)}),
      task("a", {op(OpKind::kLock), op(OpKind::kUnlock)}),
  });
  const TaskId a = task_id(1);
  const TokioModel model(sc);
  Runner run(model);
  run.run_until_polled(kMainTask, 2);
  const State& s = run.state();
  UNSIGNED_LONGS_EQUAL(0, q::held_by(s, kMainTask, kM));  // try_lock failed
  UNSIGNED_LONGS_EQUAL(1, q::owned_by_future(s, a, kM));
  CHECK_TRUE(q::waits_on(s, sc, kMainTask) == kM);  // main's lock() queued behind
  UNSIGNED_LONGS_EQUAL(0, s.semaphore(kM).available());
  run.run();
  check_tasks({kMainTask, a, kMainTask, a, kMainTask}, run.polls());
  check_tasks({a, kMainTask}, run.finish_order());
  check_free(run.state(), sc);
}

TEST(TokioMutex, GuardHeldWhenTheFutureFinishesIsReleased) {
  // §3.1: a completed task's future is dropped at once, running the guard's destructor.
  const Scenario sc = scenario({
      task("main", then_join({op(OpKind::kSpawn, 1), op(OpKind::kSpawn, 2)}, {1, 2})),
      task("a", {op(OpKind::kLock)}),
      task("b", {op(OpKind::kLock), op(OpKind::kYieldNow)}),
  });
  const TokioModel model(sc);
  Runner run(model);
  run.run();
  check_tasks({task_id(1), task_id(2), kMainTask}, run.finish_order());
  check_free(run.state(), sc);
}

// --- the seed and its variants (§1.7, §6) -----------------------------------------------------

TEST_GROUP(TokioSeed){};

TEST(TokioSeed, PausedAssignedWaiterStrandsThePermitAndEveryLaterWaiterHangs) {
  // S1: w0 finishes; w1, w2, w3 never finish; w1's lock future owns the permit; no guard is held;
  // available is 0; try_lock fails.
  const Scenario sc = seed();
  const TokioModel model(sc);
  Runner run(model);
  run.run();
  const State& s = run.state();
  check_tasks({worker(0)}, run.finish_order());
  CHECK(status(s, worker(0)) == TaskStatus::kComplete);
  for (std::size_t i = 1; i < 4; ++i) {
    CHECK_FALSE(finished(s, worker(i)));
    CHECK(status(s, worker(i)) == TaskStatus::kIdle);
  }
  UNSIGNED_LONGS_EQUAL(1, q::owned_by_future(s, worker(1), kM));
  CHECK_FALSE(q::waits_on(s, sc, worker(1)).has_value());
  CHECK_TRUE(q::waits_on(s, sc, worker(2)) == kM);
  CHECK_TRUE(q::waits_on(s, sc, worker(3)) == kM);
  for (std::size_t i = 0; i < 4; ++i) UNSIGNED_LONGS_EQUAL(0, q::held_by(s, worker(i), kM));
  check_stranded(s, sc);
  // w1 was woken and polled once more, but its wrapper swallowed the poll.
  UNSIGNED_LONGS_EQUAL(2, run.polls_of(worker(1)));
  UNSIGNED_LONGS_EQUAL(1, run.polls_of(worker(2)));
  UNSIGNED_LONGS_EQUAL(1, run.polls_of(worker(3)));
  // The hang is a chain, not a cycle: w2 and w3 wait for w1's unpolled future, main for w1.
  const auto edges = q::wait_for_edges(s, sc);
  UNSIGNED_LONGS_EQUAL(3, edges.size());
  for (const auto& [from, to] : edges) {
    CHECK_TRUE(from == kMainTask || from == worker(2) || from == worker(3));
    CHECK_TRUE(to == worker(1));
  }
  CHECK_FALSE(q::has_wait_for_cycle(s, sc));
}

TEST(TokioSeed, DropOnPauseForwardsThePermitAndTheOtherWorkersFinish) {
  // S1a: w0, w2, w3 finish; w1 does not (paused); try_lock OK.
  const Scenario sc = seed({.wrapper = Wrapper::kDropOnPause});
  const TokioModel model(sc);
  Runner run(model);
  run.run();
  const State& s = run.state();
  check_tasks({worker(0), worker(1), worker(2), worker(3), kMainTask}, run.finish_order());
  CHECK(status(s, worker(0)) == TaskStatus::kComplete);
  CHECK(status(s, worker(1)) == TaskStatus::kDropped);
  CHECK(status(s, worker(2)) == TaskStatus::kComplete);
  CHECK(status(s, worker(3)) == TaskStatus::kComplete);
  UNSIGNED_LONGS_EQUAL(0, q::owned_by_future(s, worker(1), kM));
  check_free(s, sc);
}

TEST(TokioSeed, PausingTheLastWaiterStrandsThePermitAfterTheOthersFinish) {
  // S1e: w3 paused: w0, w1, w2 finish; w3 strands the permit; try_lock Err.
  const Scenario sc = seed({.paused = 3});
  const TokioModel model(sc);
  Runner run(model);
  run.run();
  const State& s = run.state();
  check_tasks({worker(0), worker(1), worker(2)}, run.finish_order());
  CHECK_FALSE(finished(s, worker(3)));
  UNSIGNED_LONGS_EQUAL(1, q::owned_by_future(s, worker(3), kM));
  CHECK_TRUE(s.semaphore(kM).queue().empty());
  check_stranded(s, sc);
}

TEST(TokioSeed, PausingBeforeTheFirstPollIsHarmless) {
  // S1f: w1 paused before its first poll: w0, w2, w3 finish (w1 was never queued).
  const Scenario sc = seed({.pause_before_first_poll = true});
  const TokioModel model(sc);
  Runner run(model);
  run.run();
  const State& s = run.state();
  check_tasks({worker(0), worker(2), worker(3)}, run.finish_order());
  CHECK_FALSE(finished(s, worker(1)));
  UNSIGNED_LONGS_EQUAL(0, s.semaphore(kM).node(q::waiter_of(worker(1))).queued);
  UNSIGNED_LONGS_EQUAL(0, q::owned_by_future(s, worker(1), kM));
  CHECK_FALSE(q::waits_on(s, sc, worker(1)).has_value());
  check_free(s, sc);
}

TEST(TokioSeed, AbortingThePausedAssignedWorkerForwardsThePermit) {
  // S1d: S1, then abort() w1: before the abort only w0 is done; after it w2, w3 finish and
  // try_lock is OK.
  const Scenario sc = seed({.abort_after_first_finishes = true});
  const TokioModel model(sc);
  Runner run(model);
  // Just before main's poll that aborts w1: the S1 situation.
  run.run_until([&](StateView s) {
    return s.task(worker(0)).finished() && s.task(kMainTask).status == TaskStatus::kScheduled &&
           s.scheduler().phase == wakecheck::model::Phase::kTop;
  });
  {
    const State& s = run.state();
    check_tasks({worker(0)}, run.finish_order());
    UNSIGNED_LONGS_EQUAL(1, q::owned_by_future(s, worker(1), kM));
    check_stranded(s, sc);
  }
  run.run();
  const State& s = run.state();
  CHECK(status(s, worker(1)) == TaskStatus::kCancelled);
  CHECK(status(s, worker(2)) == TaskStatus::kComplete);
  CHECK(status(s, worker(3)) == TaskStatus::kComplete);
  check_tasks({worker(0), worker(1), worker(2), worker(3), kMainTask}, run.finish_order());
  check_free(s, sc);
}

TEST(TokioSeed, AbortOfAnAssignedButUnpolledWaiterForwardsThePermit) {
  // S15: main holds; w0, w1 queued; main drops the guard (w0 assigned and scheduled) and aborts
  // w0 in the same poll: w0 is cancelled, its permit is forwarded, w1 finishes.
  const Scenario sc = scenario({
      task("main", {op(OpKind::kLock), op(OpKind::kSpawn, 1), op(OpKind::kSpawn, 2),
                    op(OpKind::kYieldNow), op(OpKind::kUnlock), op(OpKind::kAbort, 1),
                    op(OpKind::kJoin, 1), op(OpKind::kJoin, 2)}),
      task("w0", {op(OpKind::kLock), op(OpKind::kUnlock)}),
      task("w1", {op(OpKind::kLock), op(OpKind::kUnlock)}),
  });
  const TaskId w0 = task_id(1), w1 = task_id(2);
  const TokioModel model(sc);
  Runner run(model);
  run.run_until_polled(kMainTask, 2);
  UNSIGNED_LONGS_EQUAL(1, q::owned_by_future(run.state(), w0, kM));
  UNSIGNED_LONGS_EQUAL(1, run.state().task(w0).cancel_requested);
  UNSIGNED_LONGS_EQUAL(1, run.state().run_queue().size());  // the abort queued nothing extra
  run.run();
  const State& s = run.state();
  CHECK(status(s, w0) == TaskStatus::kCancelled);
  CHECK(status(s, w1) == TaskStatus::kComplete);
  UNSIGNED_LONGS_EQUAL(0, q::held_by(s, w0, kM));
  check_tasks({w0, w1, kMainTask}, run.finish_order());
  check_free(s, sc);
}

TEST(TokioSeed, DroppingTheInnerFutureOfTheAssignedWorkerLetsTheRestFinish) {
  // §1.5 / S1a with an explicit drop (the program's `drop`), after w1 was assigned.
  std::vector<Op> main_program{op(OpKind::kLock)};
  for (std::size_t i = 0; i < 4; ++i) main_program.push_back(op(OpKind::kSpawn, worker_target(i)));
  for (Op o : {op(OpKind::kYieldNow), op(OpKind::kPause, worker_target(1)), op(OpKind::kUnlock),
               op(OpKind::kJoin, worker_target(0)), op(OpKind::kDrop, worker_target(1))}) {
    main_program.push_back(o);
  }
  main_program = then_join(std::move(main_program), {3, 4});
  std::vector<TaskDef> tasks{task("main", main_program)};
  for (std::size_t i = 0; i < 4; ++i) {
    tasks.push_back(task("worker" + std::to_string(i),
                         {op(OpKind::kLock), op(OpKind::kSleep), op(OpKind::kUnlock)},
                         Wrapper::kPausable));
  }
  const Scenario sc = scenario(std::move(tasks));
  const TokioModel model(sc);
  Runner run(model);
  run.run();
  const State& s = run.state();
  CHECK(status(s, worker(1)) == TaskStatus::kDropped);
  CHECK(status(s, worker(2)) == TaskStatus::kComplete);
  CHECK(status(s, worker(3)) == TaskStatus::kComplete);
  CHECK(status(s, kMainTask) == TaskStatus::kComplete);
  check_free(s, sc);
}

// --- exhaustive: multi_thread and invariants ---------------------------------------------------

TEST_GROUP(TokioSeedSearch){};

namespace {

/// S1 for multi_thread, where any ready task may run next: the workers still queue in order,
/// because each one spawns the next in the same poll in which it queues, and main releases only
/// after the last has queued (it joins a marker task the last worker spawns as it queues).
Scenario chained_seed(Flavor flavor) {
  const std::uint8_t marker = 5;
  std::vector<TaskDef> tasks{task("main", then_join({op(OpKind::kLock), op(OpKind::kSpawn, 1),
                                                      op(OpKind::kJoin, marker),
                                                      op(OpKind::kPause, 2), op(OpKind::kUnlock)},
                                                     {1, 2, 3, 4}))};
  for (std::size_t i = 0; i < 4; ++i) {
    const auto next = static_cast<std::uint8_t>(i + 2);  // worker i+1, or the marker after w3
    tasks.push_back(task("worker" + std::to_string(i),
                         {op(OpKind::kSpawn, next), op(OpKind::kLock), op(OpKind::kSleep),
                          op(OpKind::kUnlock)},
                         Wrapper::kPausable));
  }
  tasks.push_back(task("marker", {}));
  return scenario(std::move(tasks), flavor);
}

bool s1_outcome(StateView s, const Scenario& sc) {
  return s.task(worker(0)).status == TaskStatus::kComplete && !s.task(worker(1)).finished() &&
         !s.task(worker(2)).finished() && !s.task(worker(3)).finished() &&
         q::owned_by_future(s, worker(1), kM) == 1 && q::waits_on(s, sc, worker(2)) == kM &&
         q::waits_on(s, sc, worker(3)) == kM && q::guard_holders(s, sc, kM) == 0 &&
         s.semaphore(kM).available() == 0;
}

}  // namespace

TEST(TokioSeedSearch, ChainedSeedOnCurrentThreadEndsInTheSeedOutcome) {
  const Scenario sc = chained_seed(Flavor::kCurrentThread);
  const TokioModel model(sc);
  Runner run(model);
  run.run();
  CHECK_TRUE(s1_outcome(run.state(), sc));
  check_stranded(run.state(), sc);
}

TEST(TokioSeedSearch, MultiThreadSeedReachesTheSameOutcomeAtEveryDeadEnd) {
  // S1m: the seed on multi_thread gives the same outcome as on current_thread.
  const Scenario sc = chained_seed(Flavor::kMultiThread);
  const TokioModel model(sc);
  std::vector<explorer::Property> properties{
      state_property(model, "seed outcome", explorer::PropertyKind::kAtDeadEnds,
               [&sc](StateView s) { return s1_outcome(s, sc); }),
      permits_conserved(model),
      mutual_exclusion(model),
  };
  const auto result = explorer::search(model, properties);
  check_holds(result);
  // Every schedule ends in the one S1 end state.
  UNSIGNED_LONGS_EQUAL(1, result.stats.dead_ends);
  CHECK_TRUE(result.stats.states > 1);
}

TEST(TokioSeedSearch, MultiThreadSeedStrandsThePermitWheneverThePausedWorkerQueuedBeforeTheRelease) {
  // The plain seed on multi_thread, where main may resume before some workers first run: w1 is
  // either queued when main sets its flag (then it is assigned the permit and strands it: no
  // guard, available 0, every unfinished worker waits on m behind it), or not yet polled (then
  // it never queues and every other worker finishes). The exact S1 outcome is one of the ends.
  const Scenario sc = seed({.flavor = Flavor::kMultiThread});
  const TokioModel model(sc);
  auto dead_end = [&model](StateView s) {
    std::vector<Event> enabled;
    model.enabled_events(s, enabled);
    for (const Event& e : enabled) {
      if (!model.is_environment(e)) return false;
    }
    return true;
  };
  auto stranded_or_never_queued = [&sc](StateView s) {
    if (s.task(worker(1)).finished()) return false;
    if (q::owned_by_future(s, worker(1), kM) == 1) {
      bool others_wait = true;
      for (std::size_t i : {0U, 2U, 3U}) {
        others_wait = others_wait && (s.task(worker(i)).status == TaskStatus::kComplete ||
                                      q::waits_on(s, sc, worker(i)) == kM);
      }
      return others_wait && q::guard_holders(s, sc, kM) == 0 && s.semaphore(kM).available() == 0;
    }
    return s.semaphore(kM).node(q::waiter_of(worker(1))).queued == 0 &&
           s.task(worker(0)).status == TaskStatus::kComplete &&
           s.task(worker(2)).status == TaskStatus::kComplete &&
           s.task(worker(3)).status == TaskStatus::kComplete && s.semaphore(kM).available() == 1;
  };
  std::vector<explorer::Property> properties{
      state_property(model, "paused worker strands the permit or never queues",
               explorer::PropertyKind::kAtDeadEnds, stranded_or_never_queued),
      state_property(model, "the S1 outcome is reachable", explorer::PropertyKind::kSometimes,
               [&](StateView s) { return dead_end(s) && s1_outcome(s, sc); }),
      state_property(model, "S1f outcome is reachable", explorer::PropertyKind::kSometimes,
               [&](StateView s) {
                 return dead_end(s) && s.semaphore(kM).node(q::waiter_of(worker(1))).queued == 0 &&
                        s.semaphore(kM).available() == 1;
               }),
      permits_conserved(model),
      mutual_exclusion(model),
  };
  const auto result = explorer::search(model, properties);
  check_holds(result);
  CHECK_TRUE(result.stats.dead_ends > 1);
}

TEST(TokioSeedSearch, MultiThreadDropOnPauseLetsEveryUnpausedWorkerFinishAtEveryDeadEnd) {
  Scenario sc = chained_seed(Flavor::kMultiThread);
  for (std::size_t i = 0; i < 4; ++i) sc.futures[index(worker(i))].wrapper = Wrapper::kDropOnPause;
  const TokioModel model(sc);
  std::vector<explorer::Property> properties{
      state_property(model, "S1a outcome", explorer::PropertyKind::kAtDeadEnds,
               [&sc](StateView s) {
                 return s.task(worker(0)).status == TaskStatus::kComplete &&
                        s.task(worker(1)).status == TaskStatus::kDropped &&
                        s.task(worker(2)).status == TaskStatus::kComplete &&
                        s.task(worker(3)).status == TaskStatus::kComplete &&
                        s.semaphore(kM).available() == 1 && q::guard_holders(s, sc, kM) == 0;
               }),
      permits_conserved(model),
      mutual_exclusion(model),
  };
  const auto result = explorer::search(model, properties);
  check_holds(result);
  CHECK_TRUE(result.stats.dead_ends >= 1);
}

TEST(TokioSeedSearch, PermitsAreConservedInEveryReachableStateOfTheSeedScenarios) {
  // Invariant: available + guards + permits assigned to futures == the mutex's one permit.
  const std::vector<Scenario> scenarios{
      seed(),
      seed({.wrapper = Wrapper::kDropOnPause}),
      seed({.paused = 3}),
      seed({.pause_before_first_poll = true}),
      seed({.abort_after_first_finishes = true}),
      seed({.flavor = Flavor::kMultiThread}),
      seed({.wrapper = Wrapper::kDropOnPause, .flavor = Flavor::kMultiThread}),
      seed({.abort_after_first_finishes = true, .flavor = Flavor::kMultiThread}),
  };
  for (const Scenario& sc : scenarios) {
    const TokioModel model(sc);
    const auto result = explorer::search(model, {permits_conserved(model), mutual_exclusion(model)});
    check_holds(result);
  }
}

TEST(TokioSeedSearch, PermitsAreConservedUnderInjectedPausesResumesAndDrops) {
  // The seed without main's own pause; the environment may pause, resume and drop any worker
  // at any point (one of each).
  for (Flavor flavor : {Flavor::kCurrentThread, Flavor::kMultiThread}) {
    Scenario sc = seed({.flavor = flavor});
    auto& main_program = sc.tasks[0].program;
    std::erase_if(main_program, [](const Op& o) { return o.kind == OpKind::kPause; });
    for (FaultKind kind : {FaultKind::kPause, FaultKind::kResume, FaultKind::kDrop}) {
      auto& fault = sc.faults[static_cast<std::size_t>(kind)];
      fault.budget = 1;
      // Pause and resume strike futures (here each worker's own), drop strikes tasks.
      if (kind == FaultKind::kDrop) {
        fault.tasks = {false, true, true, true, true};
      } else {
        fault.futures = {false, true, true, true, true};
      }
    }
    const TokioModel model(sc);
    const auto result = explorer::search(model, {permits_conserved(model), mutual_exclusion(model)});
    check_holds(result);
    CHECK_TRUE(result.stats.states > 100);
  }
}

TEST_GROUP(TokioResume){};

TEST(TokioResume, ResumingATaskPausedBeforeItsFirstPollWakesIt) {
  // The worker is paused before it first runs, so its first poll is swallowed and nothing of
  // the inner future has started; `resume` clears the flag and wakes it, and it finishes.
  std::vector<Op> main_program{op(OpKind::kSpawn, 1), op(OpKind::kPause, 1), op(OpKind::kYieldNow),
                               op(OpKind::kResume, 1), op(OpKind::kJoin, 1)};
  const Scenario sc = scenario({task("main", main_program),
                                task("worker", {op(OpKind::kYieldNow)}, Wrapper::kPausable)});
  const TokioModel model(sc);
  Runner run(model);
  run.run();
  const State& s = run.state();
  CHECK(s.task(TaskId{1}).status == TaskStatus::kComplete);
  CHECK(s.task(kMainTask).status == TaskStatus::kComplete);
}
