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
#include <string>
#include <utility>
#include <vector>

#include "model/event.hpp"
#include "model/expr.hpp"
#include "model/scenario.hpp"
#include "model/state.hpp"
#include "model/tokio_model.hpp"

#include <CppUTest/TestHarness.h>

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
using m::TaskId;
using m::TaskStatus;
using m::TokioModel;
using m::TokioVersion;
using wakecheck::testing::Runner;

constexpr TaskId task_id(std::size_t i) {
  return TaskId{static_cast<std::uint8_t>(i)};
}
constexpr std::uint8_t u8(std::size_t i) {
  return static_cast<std::uint8_t>(i);
}

Op op(OpKind kind, std::uint8_t a = 0, std::uint8_t b = 0, std::uint8_t c = 0) {
  return Op{kind, a, b, c};
}

/// Builds a one-worker multi_thread scenario by parts: resources, variables, tasks, programs.
/// Every task gets its own future.
class Builder {
 public:
  explicit Builder(TokioVersion version = TokioVersion::k1_24) {
    sc_.name = "one worker test";
    sc_.flavor = Flavor::kMultiThread;
    sc_.worker_threads = 1;
    sc_.version = version;
  }

  std::uint8_t resource(const std::string& name, ResourceKind kind, std::uint8_t permits = 1) {
    sc_.resources.push_back(m::ResourceSpec{name, kind, permits});
    return u8(sc_.resources.size() - 1);
  }

  std::uint8_t variable(const std::string& name, std::int16_t initial, std::int16_t min,
                        std::int16_t max) {
    m::VariableSpec spec;
    spec.name = name;
    spec.boolean = min == 0 && max == 1;
    spec.initial = initial;
    spec.min = min;
    spec.max = max;
    sc_.variables.push_back(spec);
    return u8(sc_.variables.size() - 1);
  }

  std::uint8_t task(const std::string& name) {
    m::TaskSpec spec;
    spec.name = name;
    spec.group = name;
    sc_.tasks.push_back(spec);
    return u8(sc_.tasks.size() - 1);
  }

  /// `var = text` (shared variables only).
  Op set(std::uint8_t var, const std::string& text) { return op(OpKind::kAssign, var, expr(text)); }
  /// Jump to `target` unless `text` holds.
  Op unless(const std::string& text, std::uint8_t target) {
    return op(OpKind::kJumpUnless, expr(text), target);
  }

  void program(std::uint8_t task, std::vector<Op> ops) { sc_.tasks[task].program = std::move(ops); }

  /// The environment may inject one fault of `kind` into `task`.
  void fault(FaultKind kind, std::uint8_t task) { faults_.emplace_back(kind, task); }

  Scenario build() {
    sc_.futures.clear();
    for (std::size_t t = 0; t < sc_.tasks.size(); ++t) {
      m::FutureSpec own;
      own.name = sc_.tasks[t].name;
      own.task = t;
      sc_.futures.push_back(own);
    }
    for (auto& budget : sc_.faults) {
      budget.tasks.assign(sc_.tasks.size(), false);
      budget.futures.assign(sc_.futures.size(), false);
    }
    for (const auto& [kind, who] : faults_) {
      auto& budget = sc_.faults[static_cast<std::size_t>(kind)];
      budget.budget = 1;
      budget.tasks[who] = true;
    }
    return sc_;
  }

 private:
  std::uint8_t expr(const std::string& text) {
    m::ExprScope scope;
    scope.scenario = &sc_;
    scope.allow_state_atoms = false;
    m::ExprError error;
    auto parsed = m::parse_expr(text, scope, error);
    CHECK_TEXT(parsed.has_value(), ("expression '" + text + "': " + error.message).c_str());
    sc_.exprs.push_back(std::move(*parsed));
    return u8(sc_.exprs.size() - 1);
  }

  Scenario sc_;
  std::vector<std::pair<FaultKind, std::uint8_t>> faults_;
};

/// `while count < limit { lock m; unlock m; count = count + 1 }`, its first operation at `pc`.
/// Each poll completes 128 acquires; the 129th is refused by coop and the task wakes itself, so
/// the loop is polled again and again from the local queue without any park.
std::vector<Op> lock_loop(Builder& b, std::uint8_t mx, std::uint8_t count, const std::string& limit,
                          std::size_t pc) {
  const auto end = u8(pc + 5);
  return {b.unless("count < " + limit, end), op(OpKind::kLock, mx), op(OpKind::kUnlock, mx),
          b.set(count, "count + 1"), op(OpKind::kJump, 0, u8(pc))};
}

void check_tasks(const std::vector<TaskId>& expected, const std::vector<TaskId>& actual) {
  UNSIGNED_LONGS_EQUAL(expected.size(), actual.size());
  for (std::size_t i = 0; i < expected.size() && i < actual.size(); ++i) {
    UNSIGNED_LONGS_EQUAL(static_cast<unsigned>(expected[i]), static_cast<unsigned>(actual[i]));
  }
}

template <class List>
std::vector<TaskId> ids(const List& list) {
  return {list.begin(), list.end()};
}

/// The task in the worker's LIFO slot, if any.
bool lifo_holds(const State& s, std::size_t task) {
  return s.lifo == task + 1;
}
bool lifo_empty(const State& s) {
  return s.lifo == 0;
}

TaskStatus status(const State& s, std::size_t t) {
  return s.tasks[t].status;
}

const Event kPollMain{EventKind::kPoll, kMainTask};

bool main_pollable(const Runner& run) {
  for (const Event& e : run.enabled()) {
    if (e == kPollMain) return true;
  }
  return false;
}

/// The worker's enabled events: every scheduler event but main's poll.
std::vector<Event> worker_events(const TokioModel& model, const Runner& run) {
  std::vector<Event> events;
  for (const Event& e : run.enabled()) {
    if (!model.is_environment(e) && !(e == kPollMain)) events.push_back(e);
  }
  return events;
}

/// Polls main, which must be pollable.
void poll_main(Runner& run) {
  run.apply(kPollMain);
}

/// Applies the worker's single next event; false when the worker has nothing to do.
bool worker_step(Runner& run, const TokioModel& model) {
  const auto events = worker_events(model, run);
  if (events.empty()) return false;
  UNSIGNED_LONGS_EQUAL(1, events.size());
  run.apply(events.front());
  return true;
}

/// Steps the worker alone until it has nothing to do (main is not polled meanwhile).
void run_worker(Runner& run, const TokioModel& model) {
  for (int i = 0; i < 10'000; ++i) {
    if (!worker_step(run, model)) return;
  }
  FAIL("the worker did not stop within 10000 steps");
}

/// Steps the worker alone until `done(state)` holds; fails if the worker stops first.
template <class Pred>
void run_worker_until(Runner& run, const TokioModel& model, Pred done) {
  for (int i = 0; i < 10'000; ++i) {
    if (done(run.state())) return;
    if (!worker_step(run, model)) FAIL("the worker stopped before the awaited state");
  }
  FAIL("the awaited state was not reached within 10000 steps");
}

/// Runs to the dead end, polling main whenever it is pollable, else stepping the worker.
void run_main_first(Runner& run, const TokioModel& model) {
  for (int i = 0; i < 10'000; ++i) {
    if (main_pollable(run)) {
      poll_main(run);
    } else if (!worker_step(run, model)) {
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

bool has_event(const std::vector<Event>& events, EventKind kind, std::size_t task) {
  for (const Event& e : events) {
    if (e.kind == kind && e.task == task_id(task)) return true;
  }
  return false;
}

bool has_kind(const std::vector<Event>& events, EventKind kind) {
  for (const Event& e : events) {
    if (e.kind == kind) return true;
  }
  return false;
}

void check_all_complete(const Runner& run, const Scenario& sc) {
  for (std::size_t t = 0; t < sc.tasks.size(); ++t) {
    CHECK_TEXT(status(run.state(), t) == TaskStatus::kComplete,
               (sc.tasks[t].name + " did not finish").c_str());
  }
}

}  // namespace

// --- where a spawn or a wake puts a task (worker.rs schedule_task / schedule_local) ----------

TEST_GROUP(OneWorkerQueues){};

TEST(OneWorkerQueues, SpawnsFromMainGoToTheInjectQueueAndRunInSpawnOrder) {
  // main: spawn a; spawn b; spawn c; join each. main's thread holds no worker core: every spawn
  // is pushed to the inject queue, which the idle worker serves FIFO.
  Builder b;
  const auto main = b.task("main");
  const auto a = b.task("a");
  const auto bb = b.task("b");
  const auto c = b.task("c");
  b.program(main, {op(OpKind::kSpawn, a), op(OpKind::kSpawn, bb), op(OpKind::kSpawn, c),
                   op(OpKind::kJoin, a), op(OpKind::kJoin, bb), op(OpKind::kJoin, c)});
  const Scenario sc = b.build();
  const TokioModel model(sc);
  Runner run(model);
  poll_main(run);
  {
    const State& s = run.state();
    check_tasks({task_id(a), task_id(bb), task_id(c)}, ids(s.inject));
    CHECK_TRUE(lifo_empty(s));
    CHECK_TRUE(s.run_queue.empty());
    CHECK(status(s, a) == TaskStatus::kScheduled);
  }
  run_main_first(run, model);
  check_tasks({task_id(a), task_id(bb), task_id(c)}, worker_polls(run));
  check_all_complete(run, sc);
}

TEST(OneWorkerQueues, ASpawnFromAWorkerTaskGoesToTheLifoSlotPushingItsOccupantToTheLocalQueue) {
  // main spawns p and q (inject); p, on the worker, spawns x then y: x enters the LIFO slot, then
  // y takes it and x moves to the local queue. The worker runs y (LIFO), x (local), then q
  // (inject).
  Builder b;
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
  CHECK_TRUE(worker_step(run, model));  // polls p
  {
    const State& s = run.state();
    check_tasks({task_id(p)}, worker_polls(run));
    CHECK_TRUE(lifo_holds(s, y));
    check_tasks({task_id(x)}, ids(s.run_queue));
    check_tasks({task_id(q)}, ids(s.inject));
    CHECK(status(s, x) == TaskStatus::kScheduled);
    CHECK(status(s, y) == TaskStatus::kScheduled);
  }
  run_main_first(run, model);
  check_tasks({task_id(p), task_id(y), task_id(x), task_id(q)}, worker_polls(run));
  check_all_complete(run, sc);
}

TEST(OneWorkerQueues, WhileTheLifoSlotIsOccupiedTheWorkerPollsOnlyItsOccupant) {
  // p spawns x, y, z on the worker: the slot holds z, the local queue x then y, and q waits in
  // the inject queue. The worker's only possible event is z's poll; main, woken, may be polled
  // beside it.
  Builder b;
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
  poll_main(run);  // spawns p and q, yields: main is pollable again
  CHECK_TRUE(worker_step(run, model));  // polls p
  {
    const State& s = run.state();
    CHECK_TRUE(lifo_holds(s, z));
    check_tasks({task_id(x), task_id(y)}, ids(s.run_queue));
    check_tasks({task_id(q)}, ids(s.inject));
    const auto worker = worker_events(model, run);
    UNSIGNED_LONGS_EQUAL(1, worker.size());
    CHECK_TRUE(has_event(worker, EventKind::kPoll, z));
    CHECK_TRUE(main_pollable(run));
  }
  run_main_first(run, model);
  check_tasks({task_id(p), task_id(z), task_id(x), task_id(y), task_id(q)}, worker_polls(run));
  check_all_complete(run, sc);
}

TEST(OneWorkerQueues, ATaskWokenDuringItsOwnPollGoesToTheBackOfTheLocalQueueNotTheLifoSlot) {
  // p spawns t, u, v (slot: v; local: t, u). v runs from the slot. t's coop budget is spent, so
  // its acquire is refused and t wakes itself while it runs: after the poll it is scheduled with
  // is_yield, at the back of the local queue behind u, and the slot stays empty.
  Builder b;
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
  CHECK_TRUE(worker_step(run, model));  // p
  CHECK_TRUE(worker_step(run, model));  // v, from the slot
  run.apply(Event{EventKind::kCoopYield, task_id(t)});
  CHECK_TRUE(worker_step(run, model));  // t: refused by coop, wakes itself
  {
    const State& s = run.state();
    check_tasks({task_id(p), task_id(v), task_id(t)}, worker_polls(run));
    CHECK(status(s, t) == TaskStatus::kScheduled);
    CHECK_TRUE(lifo_empty(s));
    check_tasks({task_id(u), task_id(t)}, ids(s.run_queue));
    CHECK_TRUE(s.inject.empty());
    UNSIGNED_LONGS_EQUAL(0, s.semaphores[mx].queue().size());  // the semaphore was not touched
  }
  run_main_first(run, model);
  check_tasks({task_id(p), task_id(v), task_id(t), task_id(u), task_id(t)}, worker_polls(run));
  check_all_complete(run, sc);
}

TEST(OneWorkerQueues, EverySixtyFirstTickTheInjectQueueIsServedBeforeTheLocalQueue) {
  // main spawns t and x (inject). t loops over a free mutex: each poll is cut by coop and t wakes
  // itself into the local queue, which is never empty again until t finishes. x waits in the
  // inject queue until the 61st tick, when the worker looks there first: after t's 60th poll
  // (t's first poll, from the inject queue, was tick 1).
  Builder b;
  const auto mx = b.resource("m", ResourceKind::kTokioMutex);
  const auto count = b.variable("count", 0, 0, 9000);
  const auto seen = b.variable("seen", -1, -1, 9000);
  const auto main = b.task("main");
  const auto t = b.task("t");
  const auto x = b.task("x");
  b.program(main, {op(OpKind::kSpawn, t), op(OpKind::kSpawn, x), op(OpKind::kJoin, t),
                   op(OpKind::kJoin, x)});
  b.program(t, lock_loop(b, mx, count, "9000", 0));
  b.program(x, {b.set(seen, "count")});
  const Scenario sc = b.build();
  const TokioModel model(sc);
  Runner run(model);
  poll_main(run);
  run_worker_until(run, model, [&](const State&) { return run.polls_of(task_id(t)) == 60; });
  {
    const State& s = run.state();
    CHECK_TRUE(lifo_empty(s));
    check_tasks({task_id(t)}, ids(s.run_queue));
    check_tasks({task_id(x)}, ids(s.inject));  // passed over for 59 ticks
    UNSIGNED_LONGS_EQUAL(0, run.polls_of(task_id(x)));
    const auto worker = worker_events(model, run);
    UNSIGNED_LONGS_EQUAL(1, worker.size());
    CHECK_TRUE(has_event(worker, EventKind::kPoll, x));
  }
  CHECK_TRUE(worker_step(run, model));
  LONGS_EQUAL(60 * 128, run.state().vars[seen]);
  CHECK_TRUE(run.state().inject.empty());
  run_main_first(run, model);
  LONGS_EQUAL(9000, run.state().vars[count]);
  check_all_complete(run, sc);
}

// --- a batch of wakes from one release (S8; real tokio: /tmp/rustcheck/src/bin/s8_lifo_batch.rs)

TEST_GROUP(OneWorkerBatch){};

namespace {

/// a, b, c queue on a Semaphore(0) in that order; then 3 permits are added, by a task r on the
/// worker or by main itself. Returns the run's polls of a, b and c after the release.
std::vector<TaskId> batch_order(TokioVersion version, bool release_on_worker,
                                State& after_release) {
  Builder b(version);
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
  poll_main(run);         // spawns a, b, c and yields
  run_worker(run, model);  // a, b, c queue on s, in that order
  check_tasks({task_id(a), task_id(bb), task_id(c)}, worker_polls(run));
  UNSIGNED_LONGS_EQUAL(3, run.state().semaphores[s].queue().size());
  poll_main(run);  // spawns r, or adds the permits itself
  if (release_on_worker) CHECK_TRUE(worker_step(run, model));  // r
  after_release = run.state();
  const std::size_t before = worker_polls(run).size();
  run_main_first(run, model);
  check_all_complete(run, sc);
  const auto polls = worker_polls(run);
  return {polls.begin() + static_cast<std::ptrdiff_t>(before), polls.end()};
}

}  // namespace

TEST(OneWorkerBatch, On1_24AReleaseOnTheWorkerToThreeWaitersRunsThemACB) {
  // 1.24.2 wakes the batch youngest first: c, b, a. Each wake on the worker takes the slot and
  // pushes the previous occupant to the local queue: the slot ends with a, the queue holds c, b.
  State s;
  const auto order = batch_order(TokioVersion::k1_24, true, s);
  CHECK_TRUE(lifo_holds(s, 1));
  check_tasks({task_id(3), task_id(2)}, ids(s.run_queue));
  CHECK_TRUE(s.inject.empty());
  check_tasks({task_id(1), task_id(3), task_id(2)}, order);
}

TEST(OneWorkerBatch, On1_24AReleaseFromMainToThreeWaitersRunsThemCBA) {
  // From main's thread every wake goes to the inject queue in the order issued: c, b, a.
  State s;
  const auto order = batch_order(TokioVersion::k1_24, false, s);
  CHECK_TRUE(lifo_empty(s));
  CHECK_TRUE(s.run_queue.empty());
  check_tasks({task_id(3), task_id(2), task_id(1)}, ids(s.inject));
  check_tasks({task_id(3), task_id(2), task_id(1)}, order);
}

TEST(OneWorkerBatch, On1_53AReleaseOnTheWorkerToThreeWaitersRunsThemCAB) {
  // Since 1.38 the batch is woken oldest first: a, b, c; the slot ends with c, the queue a, b.
  State s;
  const auto order = batch_order(TokioVersion::k1_53, true, s);
  CHECK_TRUE(lifo_holds(s, 3));
  check_tasks({task_id(1), task_id(2)}, ids(s.run_queue));
  check_tasks({task_id(3), task_id(1), task_id(2)}, order);
}

TEST(OneWorkerBatch, On1_53AReleaseFromMainToThreeWaitersRunsThemABC) {
  State s;
  const auto order = batch_order(TokioVersion::k1_53, false, s);
  check_tasks({task_id(1), task_id(2), task_id(3)}, ids(s.inject));
  check_tasks({task_id(1), task_id(2), task_id(3)}, order);
}

// --- yield_now (task/yield_now.rs: context::defer) ---------------------------------------------

TEST_GROUP(OneWorkerYield){};

TEST(OneWorkerYield, YieldNowOnTheWorkerIsDeferredUntilTheWorkerHasNothingElseToRun) {
  // a yields; its wake waits in the defer list while b, in the inject queue, runs. Only then,
  // with nothing to run, the worker parks (park_timeout(0)), waking a into the LIFO slot.
  Builder b;
  const auto main = b.task("main");
  const auto a = b.task("a");
  const auto bb = b.task("b");
  b.program(main, {op(OpKind::kSpawn, a), op(OpKind::kSpawn, bb), op(OpKind::kJoin, a),
                   op(OpKind::kJoin, bb)});
  b.program(a, {op(OpKind::kYieldNow)});
  b.program(bb, {});
  const Scenario sc = b.build();
  const TokioModel model(sc);
  Runner run(model);
  poll_main(run);
  CHECK_TRUE(worker_step(run, model));  // a yields
  {
    const State& s = run.state();
    check_tasks({task_id(a)}, ids(s.deferred));
    CHECK(status(s, a) == TaskStatus::kIdle);
    CHECK_TRUE(lifo_empty(s));
    CHECK_TRUE(s.run_queue.empty());
    const auto worker = worker_events(model, run);
    UNSIGNED_LONGS_EQUAL(1, worker.size());
    CHECK_TRUE(has_event(worker, EventKind::kPoll, bb));  // b, not a park
  }
  CHECK_TRUE(worker_step(run, model));  // b finishes
  {
    const auto worker = worker_events(model, run);
    UNSIGNED_LONGS_EQUAL(1, worker.size());
    CHECK_TRUE(worker.front().kind == EventKind::kPark);
  }
  CHECK_TRUE(worker_step(run, model));  // the park wakes a
  {
    const State& s = run.state();
    CHECK_TRUE(s.deferred.empty());
    CHECK_TRUE(lifo_holds(s, a));
    CHECK(status(s, a) == TaskStatus::kScheduled);
  }
  run_main_first(run, model);
  check_tasks({task_id(a), task_id(bb), task_id(a)}, worker_polls(run));
  check_all_complete(run, sc);
}

namespace {

/// p spawns a then b (slot: b; local: a); both yield; the park wakes the defer list into the
/// LIFO slot one by one. Returns the polls after the park, and the queues right after it.
std::vector<TaskId> after_two_yields(TokioVersion version, State& after_park) {
  Builder b(version);
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
  run_worker_until(run, model, [](const State& s) { return s.deferred.size() == 2; });
  check_tasks({task_id(p), task_id(bb), task_id(a)}, worker_polls(run));
  check_tasks({task_id(bb), task_id(a)}, ids(run.state().deferred));
  CHECK_TRUE(worker_step(run, model));  // park
  after_park = run.state();
  run_main_first(run, model);
  check_all_complete(run, sc);
  const auto polls = worker_polls(run);
  return {polls.begin() + 3, polls.end()};
}

}  // namespace

TEST(OneWorkerYield, On1_24TheDeferredWakesAreWokenFifoSoTheLastYielderRunsFirst) {
  // Defer list b, a woken in that order: b takes the slot, then a takes it and b moves to the
  // local queue. a runs first, then b.
  State s;
  const auto order = after_two_yields(TokioVersion::k1_24, s);
  CHECK_TRUE(lifo_holds(s, 2));
  check_tasks({task_id(3)}, ids(s.run_queue));
  check_tasks({task_id(2), task_id(3)}, order);
}

TEST(OneWorkerYield, On1_53TheDeferredWakesAreWokenLifoSoTheFirstYielderRunsFirst) {
  State s;
  const auto order = after_two_yields(TokioVersion::k1_53, s);
  CHECK_TRUE(lifo_holds(s, 3));
  check_tasks({task_id(2)}, ids(s.run_queue));
  check_tasks({task_id(3), task_id(2)}, order);
}

TEST(OneWorkerYield, MainsYieldNowMakesMainPollableAgainAtOnceWhileTheWorkerHasWork) {
  // park.rs block_on wakes main's deferred wakers right after its poll: main is woken at once,
  // nothing waits in the worker's defer list, and main's next poll may come before the worker
  // runs anything.
  Builder b;
  const auto flag = b.variable("flag", 0, 0, 1);
  const auto seen = b.variable("seen", -1, -1, 1);
  const auto main = b.task("main");
  const auto a = b.task("a");
  b.program(main, {op(OpKind::kSpawn, a), op(OpKind::kYieldNow), b.set(seen, "flag"),
                   op(OpKind::kJoin, a)});
  b.program(a, {b.set(flag, "1")});
  const Scenario sc = b.build();
  const TokioModel model(sc);
  Runner run(model);
  poll_main(run);
  {
    const State& s = run.state();
    CHECK(status(s, main) == TaskStatus::kScheduled);
    CHECK_TRUE(s.deferred.empty());
    CHECK_TRUE(main_pollable(run));
    CHECK_TRUE(has_event(worker_events(model, run), EventKind::kPoll, a));
  }
  poll_main(run);  // main resumes before a has run
  LONGS_EQUAL(0, run.state().vars[seen]);
  run_main_first(run, model);
  LONGS_EQUAL(1, run.state().vars[flag]);
  UNSIGNED_LONGS_EQUAL(3, run.polls_of(kMainTask));
  check_all_complete(run, sc);
}

// --- main beside the worker --------------------------------------------------------------------

TEST_GROUP(OneWorkerMain){};

TEST(OneWorkerMain, MainsPollAndTheWorkersPollInterleaveInEitherOrder) {
  // main: spawn a; yield; seen = flag. a: flag = 1. Both orders of main's second poll and a's
  // poll are possible, and each shows in what main saw.
  for (const bool main_first : {true, false}) {
    Builder b;
    const auto flag = b.variable("flag", 0, 0, 1);
    const auto seen = b.variable("seen", -1, -1, 1);
    const auto main = b.task("main");
    const auto a = b.task("a");
    b.program(main, {op(OpKind::kSpawn, a), op(OpKind::kYieldNow), b.set(seen, "flag"),
                     op(OpKind::kJoin, a)});
    b.program(a, {b.set(flag, "1")});
    const Scenario sc = b.build();
    const TokioModel model(sc);
    Runner run(model);
    poll_main(run);
    if (main_first) {
      poll_main(run);
      CHECK_TRUE(worker_step(run, model));
    } else {
      CHECK_TRUE(worker_step(run, model));
      CHECK_TRUE(main_pollable(run));
      poll_main(run);
    }
    LONGS_EQUAL(main_first ? 0 : 1, run.state().vars[seen]);
    run_main_first(run, model);
    check_all_complete(run, sc);
  }
}

TEST(OneWorkerMain, AWakeOfMainFromTheWorkerUnparksMainsThreadAndEntersNoWorkerQueue) {
  // main awaits a's JoinHandle; a finishes on the worker and wakes main: main is pollable, and
  // neither the slot nor a queue holds it.
  Builder b;
  const auto main = b.task("main");
  const auto a = b.task("a");
  b.program(main, {op(OpKind::kSpawn, a), op(OpKind::kJoin, a)});
  b.program(a, {});
  const Scenario sc = b.build();
  const TokioModel model(sc);
  Runner run(model);
  poll_main(run);
  CHECK(status(run.state(), main) == TaskStatus::kIdle);
  CHECK_FALSE(main_pollable(run));
  CHECK_TRUE(worker_step(run, model));
  {
    const State& s = run.state();
    CHECK(status(s, main) == TaskStatus::kScheduled);
    CHECK_TRUE(main_pollable(run));
    CHECK_TRUE(lifo_empty(s));
    CHECK_TRUE(s.run_queue.empty());
    CHECK_TRUE(s.inject.empty());
    CHECK_TRUE(worker_events(model, run).empty());
  }
  poll_main(run);
  check_all_complete(run, sc);
}

TEST(OneWorkerMain, ANotifyFromMainWakesIntoTheInjectQueueBehindTasksAlreadyThere) {
  // w waits on n. main spawns x, then notifies n: w is pushed to the inject queue behind x, and
  // the slot, though empty, is not used from main's thread.
  Builder b;
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
  CHECK_TRUE(worker_step(run, model));  // w waits
  CHECK(status(run.state(), w) == TaskStatus::kIdle);
  poll_main(run);
  {
    const State& s = run.state();
    check_tasks({task_id(x), task_id(w)}, ids(s.inject));
    CHECK_TRUE(lifo_empty(s));
    CHECK(status(s, w) == TaskStatus::kScheduled);
  }
  run_main_first(run, model);
  check_tasks({task_id(w), task_id(x), task_id(w)}, worker_polls(run));
  check_all_complete(run, sc);
}

// --- timers (the time driver is turned by the parked worker) ----------------------------------

TEST_GROUP(OneWorkerTimers){};

TEST(OneWorkerTimers, ATimerFiresOnlyWhenTheWorkerHasNothingToRunAndItsTaskTakesTheLifoSlot) {
  // t sleeps; u loops over a free mutex for three polls (coop cuts each). While u is runnable no
  // timer may fire; then t's timer fires on the parked worker and t enters the LIFO slot.
  Builder b;
  const auto mx = b.resource("m", ResourceKind::kTokioMutex);
  const auto count = b.variable("count", 0, 0, 300);
  const auto seen = b.variable("seen", -1, -1, 300);
  const auto main = b.task("main");
  const auto t = b.task("t");
  const auto u = b.task("u");
  b.program(main, {op(OpKind::kSpawn, t), op(OpKind::kSpawn, u), op(OpKind::kJoin, t),
                   op(OpKind::kJoin, u)});
  b.program(t, {op(OpKind::kSleep), b.set(seen, "count")});
  b.program(u, lock_loop(b, mx, count, "300", 0));
  const Scenario sc = b.build();
  const TokioModel model(sc);
  Runner run(model);
  poll_main(run);
  CHECK_TRUE(worker_step(run, model));  // t sleeps
  UNSIGNED_LONGS_EQUAL(1, run.state().tasks[t].timer);
  while (run.polls_of(task_id(u)) < 3) {
    CHECK_FALSE(has_kind(worker_events(model, run), EventKind::kTimer));
    CHECK_TRUE(worker_step(run, model));
  }
  CHECK(status(run.state(), u) == TaskStatus::kComplete);
  {
    const auto worker = worker_events(model, run);
    UNSIGNED_LONGS_EQUAL(1, worker.size());
    CHECK_TRUE(has_event(worker, EventKind::kTimer, t));
  }
  CHECK_TRUE(worker_step(run, model));  // the timer fires
  {
    const State& s = run.state();
    CHECK_TRUE(lifo_holds(s, t));
    CHECK(status(s, t) == TaskStatus::kScheduled);
    CHECK_TRUE(s.inject.empty());
  }
  run_main_first(run, model);
  LONGS_EQUAL(300, run.state().vars[seen]);
  check_all_complete(run, sc);
}

TEST(OneWorkerTimers, DeferredWakesAreWokenBeforeAnyTimerFires) {
  // t sleeps and y yields: with nothing to run the worker first parks with the defer list
  // non-empty (park_timeout(0)), waking y; only once y has run may t's timer fire.
  Builder b;
  const auto main = b.task("main");
  const auto t = b.task("t");
  const auto y = b.task("y");
  b.program(main, {op(OpKind::kSpawn, t), op(OpKind::kSpawn, y), op(OpKind::kJoin, t),
                   op(OpKind::kJoin, y)});
  b.program(t, {op(OpKind::kSleep)});
  b.program(y, {op(OpKind::kYieldNow)});
  const Scenario sc = b.build();
  const TokioModel model(sc);
  Runner run(model);
  poll_main(run);
  CHECK_TRUE(worker_step(run, model));  // t sleeps
  CHECK_TRUE(worker_step(run, model));  // y yields
  {
    const auto worker = worker_events(model, run);
    UNSIGNED_LONGS_EQUAL(1, worker.size());
    CHECK_TRUE(worker.front().kind == EventKind::kPark);
  }
  CHECK_TRUE(worker_step(run, model));  // park: y into the slot
  CHECK_TRUE(lifo_holds(run.state(), y));
  CHECK_FALSE(has_kind(worker_events(model, run), EventKind::kTimer));
  CHECK_TRUE(worker_step(run, model));  // y finishes
  CHECK(status(run.state(), y) == TaskStatus::kComplete);
  CHECK_TRUE(has_event(worker_events(model, run), EventKind::kTimer, t));
  run_main_first(run, model);
  check_tasks({task_id(t), task_id(y), task_id(y), task_id(t)}, worker_polls(run));
  check_all_complete(run, sc);
}
