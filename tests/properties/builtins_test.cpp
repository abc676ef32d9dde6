// Tests for the built-in properties: each one where it holds and where it is violated, by a
// search over a small scenario built here or by its condition on a hand-built state, and the
// kind each is decided by (always / reachable / leads to, under weak fairness).
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "explorer/property.hpp"
#include "explorer/search.hpp"
#include "model/queries.hpp"
#include "model/scenario.hpp"
#include "model/state.hpp"
#include "model/tokio_model.hpp"
#include "properties/property_file.hpp"
#include "properties/builtins.hpp"
#include "properties/run.hpp"

#include <CppUTest/TestHarness.h>

namespace {

namespace explorer = wakecheck::explorer;
namespace model = wakecheck::model;
namespace properties = wakecheck::properties;

// The registry is a function-local static: build it before any test runs, so CppUTest's leak
// check does not count it against whichever test happens to call it first.
const auto& kRegistry = properties::builtin_properties();

using explorer::PropertyKind;
using explorer::Verdict;
using model::OpKind;
using model::resource_at;
using model::task_at;

model::Op op(OpKind kind, std::uint8_t a = 0, std::uint8_t b = 0) { return model::Op{kind, a, b}; }

/// A task and the wrapper on its own future (the scenario's futures[i] for task i).
struct TaskDef {
  model::TaskSpec spec;
  model::Wrapper wrapper = model::Wrapper::kNone;
};

TaskDef task(const std::string& name, std::vector<model::Op> program,
             model::Wrapper wrapper = model::Wrapper::kNone) {
  TaskDef def;
  def.spec.name = name;
  def.spec.group = name;
  def.spec.program = std::move(program);
  def.wrapper = wrapper;
  return def;
}

model::Scenario scenario(const std::string& name, const std::vector<std::string>& resources,
                         std::vector<TaskDef> tasks,
                         model::Flavor flavor = model::Flavor::kCurrentThread) {
  model::Scenario sc;
  sc.name = name;
  sc.flavor = flavor;
  for (const auto& r : resources) {
    model::ResourceSpec spec;
    spec.name = r;
    sc.resources.push_back(spec);
  }
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    model::FutureSpec future;
    future.name = tasks[i].spec.name;
    future.task = i;
    future.wrapper = tasks[i].wrapper;
    sc.futures.push_back(std::move(future));
    sc.tasks.push_back(std::move(tasks[i].spec));
  }
  for (auto& budget : sc.faults) {
    budget.tasks.assign(sc.tasks.size(), false);
    budget.futures.assign(sc.futures.size(), false);
  }
  return sc;
}

// Resource and task indices, named for readability.
constexpr std::uint8_t kM = 0;
constexpr std::uint8_t kA = 0;
constexpr std::uint8_t kB = 1;

/// Two mutexes taken in opposite orders: main spawns A and B; A: lock a, yield_now, lock b;
/// B: lock b, yield_now, lock a. Each yields while holding its first lock, so both queue on the
/// other's mutex: a wait-for cycle.
model::Scenario opposite_lock_orders() {
  return scenario("opposite lock orders", {"a", "b"},
                  {task("main", {op(OpKind::kSpawn, 1), op(OpKind::kSpawn, 2)}),
                   task("A", {op(OpKind::kLock, kA), op(OpKind::kYieldNow), op(OpKind::kLock, kB),
                              op(OpKind::kUnlock, kB), op(OpKind::kUnlock, kA)}),
                   task("B", {op(OpKind::kLock, kB), op(OpKind::kYieldNow), op(OpKind::kLock, kA),
                              op(OpKind::kUnlock, kA), op(OpKind::kUnlock, kB)})});
}

/// The seed: main holds m, spawns four pausable workers, yields so each queues on m, pauses
/// worker1 and unlocks. worker1's wrapper swallows the wake that hands it the permit.
model::Scenario seed(model::Flavor flavor = model::Flavor::kCurrentThread) {
  std::vector<model::Op> main_program = {op(OpKind::kLock, kM)};
  for (std::uint8_t w = 1; w <= 4; ++w) main_program.push_back(op(OpKind::kSpawn, w));
  main_program.push_back(op(OpKind::kYieldNow));
  main_program.push_back(op(OpKind::kPause, 2));
  main_program.push_back(op(OpKind::kUnlock, kM));
  std::vector<TaskDef> tasks = {task("main", main_program)};
  for (int w = 0; w < 4; ++w) {
    auto worker = task("worker" + std::to_string(w),
                       {op(OpKind::kLock, kM), op(OpKind::kSleep), op(OpKind::kUnlock, kM)},
                       model::Wrapper::kPausable);
    worker.spec.group = "worker";
    tasks.push_back(worker);
  }
  return scenario("seed", {"m"}, tasks, flavor);
}

/// Two tasks each awaiting the other's JoinHandle.
model::Scenario join_each_other() {
  return scenario("join each other", {},
                  {task("main", {op(OpKind::kSpawn, 1), op(OpKind::kSpawn, 2)}),
                   task("A", {op(OpKind::kJoin, 2)}), task("B", {op(OpKind::kJoin, 1)})});
}

/// main alone locks and unlocks m: nobody ever waits for anything.
model::Scenario lone_locker() {
  return scenario("lone locker", {"m"},
                  {task("main", {op(OpKind::kLock, kM), op(OpKind::kYieldNow), op(OpKind::kUnlock, kM)})});
}

/// main holds m while it awaits w's JoinHandle; w needs nothing, so it finishes and main goes on.
model::Scenario hold_m_and_join() {
  return scenario("hold m and join", {"m"},
                  {task("main", {op(OpKind::kLock, kM), op(OpKind::kSpawn, 1), op(OpKind::kJoin, 1),
                                 op(OpKind::kUnlock, kM)}),
                   task("w", {op(OpKind::kYieldNow)})});
}

/// main pauses a pausable worker before it has run, so its wrapper never polls the inner
/// future: the worker stays live and paused forever.
model::Scenario paused_before_start() {
  return scenario("paused before start", {},
                  {task("main", {op(OpKind::kSpawn, 1), op(OpKind::kPause, 1)}),
                   task("w", {op(OpKind::kSleep)}, model::Wrapper::kPausable)});
}

/// main pauses w after w queued on m, unlocks (the permit goes to w, whose wrapper swallows the
/// wake), yields, then resumes w: the resume's wake gets the inner future polled after all.
model::Scenario pause_then_resume() {
  return scenario("pause then resume", {"m"},
                  {task("main", {op(OpKind::kLock, kM), op(OpKind::kSpawn, 1), op(OpKind::kYieldNow),
                                 op(OpKind::kPause, 1), op(OpKind::kUnlock, kM),
                                 op(OpKind::kYieldNow), op(OpKind::kResume, 1)}),
                   task("w", {op(OpKind::kLock, kM), op(OpKind::kUnlock, kM)},
                        model::Wrapper::kPausable)});
}

/// w holds m for a while and the environment may drop w's future once.
model::Scenario droppable_holder(std::uint8_t drop_budget) {
  auto sc = scenario("droppable holder", {"m"},
                     {task("main", {op(OpKind::kSpawn, 1)}),
                      task("w", {op(OpKind::kLock, kM), op(OpKind::kYieldNow), op(OpKind::kUnlock, kM)})});
  auto& drop = sc.faults[static_cast<std::size_t>(model::FaultKind::kDrop)];
  drop.budget = drop_budget;
  drop.tasks = {false, true};
  return sc;
}

const char* verdict_name(Verdict verdict) {
  switch (verdict) {
    case Verdict::kHolds: return "holds";
    case Verdict::kViolated: return "violated";
    case Verdict::kUnknown: return "unknown";
  }
  return "?";
}

/// One search deciding one built-in property: one explorer property, or one per future for a
/// per-future property (waker_contract).
struct Decided {
  const model::TokioModel* model = nullptr;
  explorer::SearchResult<model::Event> result;
  const explorer::PropertyOutcome<model::Event>& outcome() const { return result.outcomes.front(); }
  /// The outcome of the property bound for future `f` (per-future properties), or the only one.
  const explorer::PropertyOutcome<model::Event>& outcome_of(std::size_t f) const { return result.outcomes.at(f); }
  /// The combined verdict: violated when any bound property is; else unknown if any is.
  Verdict verdict() const {
    bool unknown = false;
    for (const auto& o : result.outcomes) {
      if (o.verdict == Verdict::kViolated) return Verdict::kViolated;
      unknown = unknown || o.verdict == Verdict::kUnknown;
    }
    return unknown ? Verdict::kUnknown : Verdict::kHolds;
  }
  /// The state the trace of outcome `i` ends in (a lasso: where its cycle starts).
  std::optional<model::State> witness(std::size_t i = 0) const {
    const auto& trace = outcome_of(i).trace;
    if (!trace) return std::nullopt;
    model::State s = model->initial_state();
    for (std::size_t k = 0; k < trace->loop_start.value_or(trace->events.size()); ++k) {
      s = model->next_state(s, trace->events[k]);
    }
    return s;
  }
};

Decided decide(const model::TokioModel& m, std::string_view name) {
  const properties::BuiltinProperty* builtin = properties::find_builtin(name);
  CHECK_TRUE(builtin != nullptr);
  const std::vector<explorer::Property> props = properties::bind(*builtin, m);
  Decided decided{&m, explorer::search(m, props)};
  CHECK_TRUE(decided.result.stats.complete());
  if (builtin->per_future) {
    UNSIGNED_LONGS_EQUAL(m.scenario().futures.size(), decided.result.outcomes.size());
    for (std::size_t f = 0; f < m.scenario().futures.size(); ++f) {
      STRCMP_EQUAL((std::string(name) + "[" + m.scenario().futures[f].name + "]").c_str(),
                   decided.outcome_of(f).name.c_str());
    }
  } else {
    UNSIGNED_LONGS_EQUAL(1, decided.result.outcomes.size());
    STRCMP_EQUAL(std::string(name).c_str(), decided.outcome().name.c_str());
  }
  return decided;
}

/// Every reachable state of `m`.
std::vector<model::State> reachable_states(const model::TokioModel& m) {
  const auto [x, witnesses] = explorer::explore(m, {});
  std::vector<model::State> states;
  for (std::uint32_t v = 0; v < x->size(); ++v) states.emplace_back(m.view(x->state(v).data()));
  return states;
}

void check_verdict(Verdict expected, const Decided& decided) {
  STRCMP_EQUAL(verdict_name(expected), verdict_name(decided.verdict()));
}

/// The witness of a violation: `decided` must be violated, with a witness.
model::State violation_witness(const Decided& decided) {
  check_verdict(Verdict::kViolated, decided);
  const auto witness = decided.witness();
  CHECK_TRUE(witness.has_value());
  return *witness;
}

/// A kLeadsTo counterexample: a trace from the initial state whose every event is enabled where
/// it is taken, ending at the outcome's witness.
void check_lasso_ends_at_witness(const Decided& decided, std::size_t i = 0) {
  const auto& lasso = decided.outcome_of(i).trace;
  CHECK_TRUE(lasso.has_value());
  CHECK_FALSE(lasso->events.empty());
  const auto [states, failed] = explorer::replay(*decided.model, lasso->events);
  CHECK_FALSE(failed.has_value());
  if (!lasso->loop_start) CHECK_TRUE(model::State(decided.model->view(states.back().data())) == *decided.witness(i));
}

/// No event but environment events is enabled in `s`.
bool is_dead_end(const model::TokioModel& m, model::StateView s) {
  std::vector<model::Event> events;
  m.enabled_events(s, events);
  for (const auto& e : events) {
    if (!m.is_environment(e)) return false;
  }
  return true;
}

/// Some reachable state of the decided model fails `condition`.
bool some_state_fails(const Decided& decided, const model::Scenario& sc,
                      bool (*condition)(const model::Scenario&, model::StateView)) {
  for (const auto& s : reachable_states(*decided.model)) {
    if (!condition(sc, s)) return true;
  }
  return false;
}

}  // namespace

// --- the registry ------------------------------------------------------------------------------

TEST_GROUP(BuiltinRegistry){};

TEST(BuiltinRegistry, ListsEveryPropertyInAFixedOrderWithItsKind) {
  struct Expected {
    const char* name;
    PropertyKind kind;
  };
  const Expected expected[] = {
      {"mutual_exclusion", PropertyKind::kAlways},
      {"deadlock_free", PropertyKind::kAlways},
      {"all_tasks_finish", PropertyKind::kLeadsTo},
      {"waker_contract", PropertyKind::kLeadsTo},
      {"no_model_error", PropertyKind::kAlways},
      {"coffman_mutual_exclusion", PropertyKind::kSometimes},
      {"coffman_hold_and_wait", PropertyKind::kSometimes},
      {"coffman_no_preemption", PropertyKind::kSometimes},
      {"coffman_circular_wait", PropertyKind::kSometimes},
      {"coffman_all", PropertyKind::kSometimes},
  };
  const auto& registry = properties::builtin_properties();
  CHECK_TRUE(&registry == &kRegistry);
  const auto names = properties::builtin_names();
  UNSIGNED_LONGS_EQUAL(10, registry.size());
  UNSIGNED_LONGS_EQUAL(10, names.size());
  for (std::size_t i = 0; i < registry.size(); ++i) {
    STRCMP_EQUAL(expected[i].name, std::string(registry[i].name).c_str());
    STRCMP_EQUAL(expected[i].name, names[i].c_str());
    ENUMS_EQUAL_INT(expected[i].kind, registry[i].kind);
    CHECK_FALSE(registry[i].description.empty());
    CHECK_TRUE(properties::find_builtin(expected[i].name) == &registry[i]);
    // Only waker_contract is decided once per future.
    CHECK_EQUAL(std::string(expected[i].name) == "waker_contract", registry[i].per_future);
  }
}

TEST(BuiltinRegistry, UnknownNameIsNotFound) {
  CHECK_TRUE(properties::find_builtin("all_task_finish") == nullptr);
  CHECK_TRUE(properties::find_builtin("") == nullptr);
}

TEST(BuiltinRegistry, BindKeepsNameKindAndConditionOnTheScenario) {
  const auto sc = lone_locker();
  const model::TokioModel m(sc);
  const auto all = properties::bind(*properties::find_builtin("all_tasks_finish"), m);
  UNSIGNED_LONGS_EQUAL(1, all.size());
  const auto& bound = all.front();
  STRCMP_EQUAL("all_tasks_finish", bound.name.c_str());
  ENUMS_EQUAL_INT(PropertyKind::kLeadsTo, bound.kind);
  // "eventually": no condition (from the initial state); the built-in's condition is the target.
  CHECK_FALSE(static_cast<bool>(bound.condition));
  CHECK_TRUE(static_cast<bool>(bound.target));
  model::State s = m.initial_state();
  CHECK_FALSE(bound.target(s.bytes().data()));  // main is scheduled: live
  s.tasks(0).status = model::TaskStatus::kComplete;
  CHECK_TRUE(bound.target(s.bytes().data()));

  // A kAlways built-in binds its condition.
  const auto me = properties::bind(*properties::find_builtin("mutual_exclusion"), m);
  UNSIGNED_LONGS_EQUAL(1, me.size());
  ENUMS_EQUAL_INT(PropertyKind::kAlways, me.front().kind);
  CHECK_TRUE(me.front().condition(m.initial_state().bytes().data()));
  CHECK_FALSE(static_cast<bool>(me.front().target));

  // no_model_error: always, violated by a failed task.
  const auto nme = properties::bind(*properties::find_builtin("no_model_error"), m);
  UNSIGNED_LONGS_EQUAL(1, nme.size());
  ENUMS_EQUAL_INT(PropertyKind::kAlways, nme.front().kind);
  model::State failed = m.initial_state();
  CHECK_TRUE(nme.front().condition(failed.bytes().data()));
  failed.tasks(0).status = model::TaskStatus::kFailed;
  failed.tasks(0).failure = model::Failure::kStdMutexAcrossAwait;
  CHECK_FALSE(nme.front().condition(failed.bytes().data()));
}

TEST(BuiltinRegistry, WakerContractBindsOneLeadsToPropertyPerFuture) {
  // "swallowed(f) leads_to not swallowed(f)" for each future f, named after it.
  const auto sc = seed();
  const model::TokioModel m(sc);
  const auto bound = properties::bind(*properties::find_builtin("waker_contract"), m);
  UNSIGNED_LONGS_EQUAL(5, bound.size());
  const char* names[] = {"waker_contract[main]", "waker_contract[worker0]", "waker_contract[worker1]",
                         "waker_contract[worker2]", "waker_contract[worker3]"};
  for (std::size_t f = 0; f < bound.size(); ++f) {
    STRCMP_EQUAL(names[f], bound[f].name.c_str());
    ENUMS_EQUAL_INT(PropertyKind::kLeadsTo, bound[f].kind);
    model::State s = m.initial_state();
    CHECK_FALSE(bound[f].condition(s.bytes().data()));
    CHECK_TRUE(bound[f].target(s.bytes().data()));
    s.ref().set_swallowed(f, true);
    CHECK_TRUE(bound[f].condition(s.bytes().data()));
    CHECK_FALSE(bound[f].target(s.bytes().data()));
    // Another future's swallowed wake is not this one's.
    s.ref().set_swallowed(f, false);
    s.ref().set_swallowed((f + 1) % bound.size(), true);
    CHECK_FALSE(bound[f].condition(s.bytes().data()));
  }
}

// --- mutual_exclusion --------------------------------------------------------------------------

TEST_GROUP(MutualExclusion){};

TEST(MutualExclusion, TwoGuardsOfAOnePermitMutexViolateIt) {
  const auto sc = seed();
  model::State s = model::TokioModel(sc).initial_state();
  s.held(task_at(1), resource_at(kM)) = 1;
  CHECK_TRUE(properties::mutual_exclusion(sc, s));
  s.held(task_at(2), resource_at(kM)) = 1;
  CHECK_FALSE(properties::mutual_exclusion(sc, s));
}

TEST(MutualExclusion, TwoGuardsOfATwoPermitResourceAreAllowed) {
  auto sc = seed();
  sc.resources[kM].permits = 2;
  model::State s = model::TokioModel(sc).initial_state();
  s.held(task_at(1), resource_at(kM)) = 1;
  s.held(task_at(2), resource_at(kM)) = 1;
  CHECK_TRUE(properties::mutual_exclusion(sc, s));
  s.held(task_at(3), resource_at(kM)) = 1;
  CHECK_FALSE(properties::mutual_exclusion(sc, s));
}

TEST(MutualExclusion, HoldsInEveryReachableStateOfTheSeedOnBothRuntimes) {
  const model::TokioModel current(seed());
  const auto on_current = decide(current, "mutual_exclusion");
  check_verdict(Verdict::kHolds, on_current);
  CHECK_FALSE(on_current.outcome().trace.has_value());

  const model::TokioModel multi(seed(model::Flavor::kMultiThread));
  const auto on_multi = decide(multi, "mutual_exclusion");
  check_verdict(Verdict::kHolds, on_multi);
  // The multi_thread model interleaves more than the single thread's fixed order.
  CHECK_TRUE(on_multi.result.stats.states > on_current.result.stats.states);
}

TEST(MutualExclusion, HoldsForTheOppositeLockOrders) {
  const model::TokioModel m(opposite_lock_orders());
  check_verdict(Verdict::kHolds, decide(m, "mutual_exclusion"));
}

// --- deadlock_free -----------------------------------------------------------------------------

TEST_GROUP(DeadlockFree){};

TEST(DeadlockFree, OppositeLockOrdersViolateIt) {
  const model::TokioModel m(opposite_lock_orders());
  const auto decided = decide(m, "deadlock_free");
  const model::State witness = violation_witness(decided);
  const auto& sc = m.scenario();
  CHECK_FALSE(properties::deadlock_free(sc, witness));
  // A holds a and waits for b; B holds b and waits for a.
  UNSIGNED_LONGS_EQUAL(1, model::held_by(witness, model::TaskId{1}, model::ResourceId{kA}));
  UNSIGNED_LONGS_EQUAL(1, model::held_by(witness, model::TaskId{2}, model::ResourceId{kB}));
  CHECK_TRUE(model::waits_on(witness, sc, model::TaskId{1}) == model::ResourceId{kB});
  CHECK_TRUE(model::waits_on(witness, sc, model::TaskId{2}) == model::ResourceId{kA});
  // The cycle is final: nothing can run any more.
  CHECK_TRUE(is_dead_end(m, witness));
}

TEST(DeadlockFree, TasksJoiningEachOtherViolateIt) {
  const model::TokioModel m(join_each_other());
  const auto decided = decide(m, "deadlock_free");
  const model::State witness = violation_witness(decided);
  CHECK_TRUE(model::joins(witness, m.scenario(), model::TaskId{1}) == model::TaskId{2});
  CHECK_TRUE(model::joins(witness, m.scenario(), model::TaskId{2}) == model::TaskId{1});
}

TEST(DeadlockFree, TheSeedHasNoCycle) {
  const model::TokioModel m(seed());
  const auto decided = decide(m, "deadlock_free");
  check_verdict(Verdict::kHolds, decided);
  CHECK_FALSE(decided.outcome().trace.has_value());
}

TEST(DeadlockFree, HandBuiltCycleViolatesItAndOneWaiterDoesNot) {
  const auto sc = opposite_lock_orders();
  model::State s = model::TokioModel(sc).initial_state();
  const auto wa = model::waiter_of(model::TaskId{1});
  const auto wb = model::waiter_of(model::TaskId{2});
  auto a = s.semaphore(resource_at(kA));
  auto b = s.semaphore(resource_at(kB));
  CHECK_TRUE(a.poll_acquire(wa, 1) == model::Semaphore::Poll::kReady);
  s.held(task_at(1), resource_at(kA)) = 1;
  CHECK_TRUE(b.poll_acquire(wb, 1) == model::Semaphore::Poll::kReady);
  s.held(task_at(2), resource_at(kB)) = 1;
  CHECK_TRUE(b.poll_acquire(wa, 1) == model::Semaphore::Poll::kPending);
  // A waits for B, B waits for nothing: no cycle yet.
  CHECK_TRUE(properties::deadlock_free(sc, s));
  CHECK_TRUE(a.poll_acquire(wb, 1) == model::Semaphore::Poll::kPending);
  CHECK_FALSE(properties::deadlock_free(sc, s));
  CHECK_TRUE(properties::coffman_circular_wait(sc, s));
  CHECK_TRUE(properties::coffman_all(sc, s));
}

TEST(DeadlockFree, WaitingBehindItsOwnKeptLockFutureIsACycleOfOneTask) {
  // S13: the racer's kept lock future (select! on &mut fut) is handed m's permit while the
  // racer waits for m again: it waits for itself.
  const auto file = properties::load_property_file(std::string(WAKECHECK_SOURCE_DIR) +
                                                   "/properties/futurelock/s13_select_mut_fut.json");
  const model::TokioModel m(file.scenario);
  const model::State witness = violation_witness(decide(m, "deadlock_free"));
  const auto racer = model::TaskId{static_cast<std::uint8_t>(*file.scenario.find_task("racer"))};
  const auto cycle = model::wait_for_cycle(witness, file.scenario);
  CHECK_TRUE(cycle == std::vector<model::TaskId>{racer});
  CHECK_TRUE(model::owned_by_future(witness, racer, resource_at(0)) > 0);
  CHECK_TRUE(model::waits_for_itself(witness, file.scenario, racer, resource_at(0)));
}

TEST(DeadlockFree, HoldingOneOfTwoPermitsWhileWaitingForAnotherIsNoCycleOfItsOwn) {
  // A semaphore of 2: A holds one and waits for one more, which B holds. B can release it, so A
  // does not wait for itself; only when B waits for A as well is there a cycle.
  auto sc = opposite_lock_orders();
  sc.resources[kA].kind = model::ResourceKind::kSemaphore;
  sc.resources[kA].permits = 2;
  model::State s = model::TokioModel(sc).initial_state();
  const auto wa = model::waiter_of(model::TaskId{1});
  const auto wb = model::waiter_of(model::TaskId{2});
  auto a = s.semaphore(resource_at(kA));
  CHECK_TRUE(a.poll_acquire(wa, 1) == model::Semaphore::Poll::kReady);
  s.held(task_at(1), resource_at(kA)) = 1;
  CHECK_TRUE(a.poll_acquire(wb, 1) == model::Semaphore::Poll::kReady);
  s.held(task_at(2), resource_at(kA)) = 1;
  // A asks for one more: queued, none is available.
  CHECK_TRUE(a.poll_acquire(wa, 1) == model::Semaphore::Poll::kPending);
  CHECK_TRUE(model::waits_on(s, sc, model::TaskId{1}) == resource_at(kA));
  CHECK_FALSE(model::waits_for_itself(s, sc, model::TaskId{1}, resource_at(kA)));
  CHECK_TRUE(properties::deadlock_free(sc, s));
  CHECK_TRUE(a.poll_acquire(wb, 1) == model::Semaphore::Poll::kPending);
  CHECK_FALSE(properties::deadlock_free(sc, s));
  // With one permit (a mutex), holding it and asking again is waiting for itself.
  sc.resources[kA].permits = 1;
  CHECK_TRUE(model::waits_for_itself(s, sc, model::TaskId{1}, resource_at(kA)));
}

// --- all_tasks_finish (eventually, under weak fairness) -------------------------------------------

TEST_GROUP(AllTasksFinish){};

TEST(AllTasksFinish, HoldsWhenEveryTaskFinishesAlthoughLiveTasksAreReachable) {
  const model::TokioModel finishing(hold_m_and_join());
  const auto decided = decide(finishing, "all_tasks_finish");
  check_verdict(Verdict::kHolds, decided);
  // Its condition fails on the way (main is live in the initial state): a kAlways reading would
  // call it violated. Deciding it as "eventually" (leads to from the initial state) is what
  // makes it hold.
  CHECK_FALSE(properties::all_tasks_finish(finishing.scenario(), finishing.initial_state()));
  CHECK_TRUE(some_state_fails(decided, finishing.scenario(), &properties::all_tasks_finish));
  UNSIGNED_LONGS_EQUAL(1, decided.result.stats.dead_ends);
}

TEST(AllTasksFinish, APausedTaskThatNeverRunsIsExempt) {
  const model::TokioModel m(paused_before_start());
  const auto decided = decide(m, "all_tasks_finish");
  check_verdict(Verdict::kHolds, decided);
  // And the run does end with w live: it is paused, not finished.
  model::State s = m.initial_state();
  for (;;) {
    std::vector<model::Event> events;
    m.enabled_events(s, events);
    if (events.empty()) break;
    UNSIGNED_LONGS_EQUAL(1, events.size());
    s = m.next_state(s, events.front());
  }
  CHECK_TRUE(s.tasks(1).live());
  CHECK_TRUE(s.is_paused(1));
  CHECK_TRUE(model::task_paused(s, m.scenario(), model::TaskId{1}));
  CHECK_TRUE(properties::all_tasks_finish(m.scenario(), s));
  s.set_paused(1, false);
  CHECK_FALSE(properties::all_tasks_finish(m.scenario(), s));
}

TEST(AllTasksFinish, TheSeedViolatesItAtADeadEnd) {
  const model::TokioModel m(seed());
  const auto decided = decide(m, "all_tasks_finish");
  const model::State witness = violation_witness(decided);
  CHECK_TRUE(is_dead_end(m, witness));
  // The counterexample is a run that ends (a dead end), not a cycle.
  check_lasso_ends_at_witness(decided);
  CHECK_FALSE(decided.outcome().trace->loop_start.has_value());
  // worker1 is paused; worker2 and worker3 wait for m, live and not paused.
  CHECK_TRUE(witness.is_paused(2));
  CHECK_TRUE(model::waits_on(witness, m.scenario(), model::TaskId{3}) == model::ResourceId{kM});
  CHECK_TRUE(model::waits_on(witness, m.scenario(), model::TaskId{4}) == model::ResourceId{kM});
  CHECK_TRUE(witness.tasks(1).finished());
}

TEST(AllTasksFinish, OppositeLockOrdersViolateItAtADeadEnd) {
  const model::TokioModel m(opposite_lock_orders());
  const auto decided = decide(m, "all_tasks_finish");
  const model::State witness = violation_witness(decided);
  CHECK_TRUE(is_dead_end(m, witness));
  CHECK_TRUE(witness.tasks(1).live());
  CHECK_TRUE(witness.tasks(2).live());
  check_lasso_ends_at_witness(decided);
}

// --- waker_contract (per future: swallowed leads to not swallowed) ------------------------------

TEST_GROUP(WakerContract){};

TEST(WakerContract, TheSeedViolatesItAtADeadEnd) {
  const model::TokioModel m(seed());
  const auto decided = decide(m, "waker_contract");
  check_verdict(Verdict::kViolated, decided);
  // Only worker1's future (future 2) breaks it; the others never swallow a wake.
  for (std::size_t f = 0; f < 5; ++f) {
    STRCMP_EQUAL(verdict_name(f == 2 ? Verdict::kViolated : Verdict::kHolds),
                 verdict_name(decided.outcome_of(f).verdict));
  }
  const auto witness = decided.witness(2);
  CHECK_TRUE(witness.has_value());
  CHECK_TRUE(is_dead_end(m, *witness));
  check_lasso_ends_at_witness(decided, 2);
  CHECK_TRUE(witness->is_swallowed(2));  // worker1
  CHECK_TRUE(model::task_swallowed(*witness, m.scenario(), model::TaskId{2}));
  CHECK_FALSE(model::task_swallowed(*witness, m.scenario(), model::TaskId{3}));
  // Its lock future owns the permit that no guard holds.
  UNSIGNED_LONGS_EQUAL(1, model::owned_by_future(*witness, model::TaskId{2}, model::ResourceId{kM}));
  UNSIGNED_LONGS_EQUAL(0, model::guard_holders(*witness, m.scenario(), model::ResourceId{kM}));
}

TEST(WakerContract, HoldsWhenASwallowedWakeIsMadeGoodByAResume) {
  const model::TokioModel m(pause_then_resume());
  const auto decided = decide(m, "waker_contract");
  check_verdict(Verdict::kHolds, decided);
  // A wake is swallowed on the way; it must only lead to a poll (here after the resume).
  CHECK_TRUE(some_state_fails(decided, m.scenario(), &properties::waker_contract));
  check_verdict(Verdict::kHolds, decide(m, "all_tasks_finish"));
}

TEST(WakerContract, HoldsWithoutWrappers) {
  const model::TokioModel m(opposite_lock_orders());
  const auto decided = decide(m, "waker_contract");
  check_verdict(Verdict::kHolds, decided);
  CHECK_FALSE(some_state_fails(decided, m.scenario(), &properties::waker_contract));
}

// --- the Coffman conditions (reachability: holds = some state has it) -----------------------------

TEST_GROUP(Coffman){};

TEST(Coffman, OppositeLockOrdersReachAllFourConditionsInOneState) {
  const model::TokioModel m(opposite_lock_orders());
  for (const char* name : {"coffman_mutual_exclusion", "coffman_hold_and_wait", "coffman_no_preemption",
                           "coffman_circular_wait", "coffman_all"}) {
    const auto decided = decide(m, name);
    check_verdict(Verdict::kHolds, decided);
    const auto example = decided.witness();
    CHECK_TRUE(example.has_value());
    CHECK_TRUE(properties::find_builtin(name)->condition(m.scenario(), *example));
  }
  const auto all = decide(m, "coffman_all").witness();
  CHECK_TRUE(all.has_value());
  CHECK_TRUE(properties::coffman_mutual_exclusion(m.scenario(), *all));
  CHECK_TRUE(properties::coffman_hold_and_wait(m.scenario(), *all));
  CHECK_TRUE(properties::coffman_no_preemption(m.scenario(), *all));
  CHECK_TRUE(properties::coffman_circular_wait(m.scenario(), *all));
}

TEST(Coffman, TheSeedHasNoCircularWaitAndNoHoldAndWait) {
  const model::TokioModel m(seed());
  check_verdict(Verdict::kHolds, decide(m, "coffman_mutual_exclusion"));
  check_verdict(Verdict::kHolds, decide(m, "coffman_no_preemption"));
  for (const char* name : {"coffman_hold_and_wait", "coffman_circular_wait", "coffman_all"}) {
    const auto decided = decide(m, name);
    check_verdict(Verdict::kViolated, decided);
    CHECK_FALSE(decided.outcome().trace.has_value());
  }
}

TEST(Coffman, MutualExclusionNeedsSomeoneWaiting) {
  const model::TokioModel m(lone_locker());
  check_verdict(Verdict::kViolated, decide(m, "coffman_mutual_exclusion"));
  // By hand: m taken by main and w queued behind it.
  const auto sc = hold_m_and_join();
  model::State s = model::TokioModel(sc).initial_state();
  auto sem = s.semaphore(resource_at(kM));
  CHECK_TRUE(sem.poll_acquire(model::waiter_of(model::TaskId{0}), 1) == model::Semaphore::Poll::kReady);
  s.held(task_at(0), resource_at(kM)) = 1;
  CHECK_FALSE(properties::coffman_mutual_exclusion(sc, s));
  CHECK_TRUE(sem.poll_acquire(model::waiter_of(model::TaskId{1}), 1) == model::Semaphore::Poll::kPending);
  CHECK_TRUE(properties::coffman_mutual_exclusion(sc, s));
}

TEST(Coffman, HoldAndWaitCountsAJoinWhileHoldingAGuard) {
  const model::TokioModel m(hold_m_and_join());
  const auto decided = decide(m, "coffman_hold_and_wait");
  check_verdict(Verdict::kHolds, decided);
  const auto example = decided.witness();
  CHECK_TRUE(example.has_value());
  UNSIGNED_LONGS_EQUAL(1, model::held_by(*example, model::kMainTask, model::ResourceId{kM}));
  CHECK_TRUE(model::joins(*example, m.scenario(), model::kMainTask) == model::TaskId{1});
  // No cycle: w needs nothing main holds.
  check_verdict(Verdict::kViolated, decide(m, "coffman_circular_wait"));
  check_verdict(Verdict::kHolds, decide(m, "deadlock_free"));
  const model::TokioModel lone(lone_locker());
  check_verdict(Verdict::kViolated, decide(lone, "coffman_hold_and_wait"));
}

TEST(Coffman, NoPreemptionFailsWhileTheEnvironmentCanDropTheHolder) {
  const model::TokioModel droppable(droppable_holder(1));
  check_verdict(Verdict::kViolated, decide(droppable, "coffman_no_preemption"));
  const model::TokioModel undroppable(droppable_holder(0));
  const auto decided = decide(undroppable, "coffman_no_preemption");
  check_verdict(Verdict::kHolds, decided);
  const auto example = decided.witness();
  CHECK_TRUE(example.has_value());
  UNSIGNED_LONGS_EQUAL(1, model::held_by(*example, model::TaskId{1}, model::ResourceId{kM}));
  // The same state with a drop left in the budget: w could be dropped, so it is preemptible.
  model::State s = *example;
  s.faults_left(model::FaultKind::kDrop) = 1;
  CHECK_FALSE(properties::coffman_no_preemption(droppable.scenario(), s));
  s.faults_left(model::FaultKind::kDrop) = 0;
  CHECK_TRUE(properties::coffman_no_preemption(droppable.scenario(), s));
}

TEST(Coffman, CircularWaitAndAllAreUnreachableWithoutACycle) {
  const model::TokioModel m(lone_locker());
  check_verdict(Verdict::kViolated, decide(m, "coffman_circular_wait"));
  check_verdict(Verdict::kViolated, decide(m, "coffman_all"));
  const model::TokioModel joins(join_each_other());
  check_verdict(Verdict::kHolds, decide(joins, "coffman_circular_wait"));
  // A join cycle holds no resource: no mutual exclusion, so not all four.
  check_verdict(Verdict::kViolated, decide(joins, "coffman_all"));
}

// --- the two cycle finders agree -------------------------------------------------------------------

TEST_GROUP(WaitForCycle){};

TEST(WaitForCycle, TheHotLoopTestAgreesWithTheCycleReportsShowOnEveryReachableState) {
  // has_wait_for_cycle (a quick test where every wait is for a resource, else bit-set peeling; used
  // on every state) and wait_for_cycle (strong components, used by reports) must agree on every
  // state of scenarios with and without a cycle, among them waits of every kind (branches,
  // JoinHandles, a channel's slot, a shared future, a blocked thread, a worker's LIFO slot, more
  // permits than a semaphore has), and the cycle reported must be a real one: each task waits for
  // the next.
  std::size_t cyclic = 0, checked = 0;
  for (const char* path : {"properties/deadlock/abba.json", "properties/seed/pausable_worker.json",
                           "properties/seed/pause_any_time.json", "properties/language/once_compute_before.json",
                           "properties/futurelock/s13_select_mut_fut.json",
                           "properties/combinators/futures_unordered_lock_in_body.json",
                           "properties/combinators/block_in_place_in_join.json",
                           "properties/combinators/join_branch_deadlock.json",
                           "properties/primitives/s4_multi_permit_head.json",
                           "properties/real/subspace_1316_send_in_select_handler.json",
                           "properties/real/moka_240_get_with_unpolled_initializer.json",
                           "properties/blocking/block_on_lock_current_thread.json",
                           "properties/scheduler/lifo_slot_batch_from_main.json"}) {
    const auto file = properties::load_property_file(std::string(WAKECHECK_SOURCE_DIR) + "/" + path);
    const model::TokioModel m(file.scenario);
    for (const auto& s : reachable_states(m)) {
      const auto cycle = model::wait_for_cycle(s, file.scenario);
      CHECK_EQUAL(!cycle.empty(), model::has_wait_for_cycle(s, file.scenario));
      const auto edges = model::wait_for_edges(s, file.scenario);
      for (std::size_t k = 0; k < cycle.size(); ++k) {
        const auto next = cycle[(k + 1) % cycle.size()];
        CHECK(std::find(edges.begin(), edges.end(), std::make_pair(cycle[k], next)) != edges.end());
      }
      if (!cycle.empty()) ++cyclic;
      ++checked;
    }
  }
  CHECK(cyclic > 0);
  CHECK(checked > 300);
}
