// What the tests of the tokio rules share (tokio_model_test.cpp, scheduler_test.cpp): scenarios
// built in code, among them the seed and its variants, and checks of task lists.
#pragma once

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

inline Op op(OpKind kind, std::uint8_t a = 0, std::uint8_t b = 0) { return Op{kind, a, b}; }

/// `program` followed by `handle.await` on each of `tasks`, in order.
inline std::vector<Op> then_join(std::vector<Op> program, std::initializer_list<std::uint8_t> tasks) {
  for (std::uint8_t t : tasks) program.push_back(op(OpKind::kJoin, t));
  return program;
}

/// A task and the wrapper around its own future (futures[i] of the scenario for task i).
struct TaskDef {
  std::string name;
  std::vector<Op> program;
  Wrapper wrapper = Wrapper::kNone;
};

inline TaskDef task(std::string name, std::vector<Op> program, Wrapper wrapper = Wrapper::kNone) {
  return TaskDef{std::move(name), std::move(program), wrapper};
}

inline Scenario scenario(std::vector<TaskDef> tasks, Flavor flavor = Flavor::kCurrentThread) {
  Scenario sc;
  sc.name = "test";
  sc.flavor = flavor;
  sc.resources.push_back(ResourceSpec{"m", wakecheck::model::ResourceKind::kTokioMutex, 1, {}});
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

inline bool finished(StateView s, TaskId t) { return s.task(t).finished(); }
inline TaskStatus status(StateView s, TaskId t) { return s.task(t).status; }

using wakecheck::testing::Runner;

inline void check_tasks(const std::vector<TaskId>& expected, const std::vector<TaskId>& actual) {
  UNSIGNED_LONGS_EQUAL(expected.size(), actual.size());
  for (std::size_t i = 0; i < expected.size() && i < actual.size(); ++i) {
    UNSIGNED_LONGS_EQUAL(static_cast<unsigned>(expected[i]), static_cast<unsigned>(actual[i]));
  }
}

// --- the seed (S1 and its variants) ------------------------------------------------------------

struct SeedOptions {
  Wrapper wrapper = Wrapper::kPausable;
  std::size_t paused = 1;                // the worker whose stop flag main sets
  bool pause_before_first_poll = false;  // S1f: set before the workers first run
  bool abort_after_first_finishes = false;  // S1d: then main aborts the paused worker
  Flavor flavor = Flavor::kCurrentThread;
};

/// main holds m; worker0..worker3 `lock m` and queue in order; main sets one worker's stop
/// flag, drops its guard and awaits the workers. Workers: lock m, sleep, unlock m.
inline Scenario seed(const SeedOptions& o = {}) {
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
inline void check_stranded(StateView s, const Scenario& sc) {
  UNSIGNED_LONGS_EQUAL(0, q::guard_holders(s, sc, kM));
  UNSIGNED_LONGS_EQUAL(0, s.semaphore(kM).available());
  State probe = s;
  CHECK_FALSE(probe.semaphore(kM).try_acquire(1));
}

/// Nobody holds or owns m and `try_lock` would succeed.
inline void check_free(StateView s, const Scenario& sc) {
  UNSIGNED_LONGS_EQUAL(0, q::guard_holders(s, sc, kM));
  UNSIGNED_LONGS_EQUAL(1, s.semaphore(kM).available());
  CHECK_TRUE(s.semaphore(kM).queue().empty());
  State probe = s;
  CHECK_TRUE(probe.semaphore(kM).try_acquire(1));
}

using wakecheck::testing::state_property;

template <class M>
inline explorer::Property always(const TokioModel& model, std::string name, M condition) {
  return state_property(model, std::move(name), explorer::PropertyKind::kAlways, std::move(condition));
}

inline explorer::Property permits_conserved(const TokioModel& model) {
  const Scenario& sc = model.scenario();
  return always(model, "permits conserved", [&sc](StateView s) {
    return q::permits_accounted(s, sc, kM) == sc.resource(kM).permits;
  });
}

inline explorer::Property mutual_exclusion(const TokioModel& model) {
  const Scenario& sc = model.scenario();
  return always(model, "mutual exclusion", [&sc](StateView s) {
    std::size_t guards = 0;
    for (std::size_t i = 0; i < sc.tasks.size(); ++i) guards += s.held(task_at(i), kM);
    return guards <= 1;
  });
}

inline void check_holds(const explorer::SearchResult<Event>& result) {
  CHECK_TRUE(result.stats.complete());
  for (const auto& outcome : result.outcomes) {
    if (outcome.verdict != explorer::Verdict::kHolds) FAIL(("violated: " + outcome.name).c_str());
  }
}

}  // namespace
