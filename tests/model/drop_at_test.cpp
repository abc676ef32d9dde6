// A drop fault restricted to one await point (FaultBudget::at_pc, what `cancel_safe` uses): the
// environment may drop the task only while it is suspended at that operation, never while it
// is suspended elsewhere, runnable, or not yet started.
// clang-format off
#include <algorithm>
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
using m::OpKind;
using m::State;
using m::TokioModel;
using namespace wakecheck::testing;

bool drop_enabled(const TokioModel& model, const State& s, std::uint8_t task) {
  std::vector<Event> events;
  model.enabled_events(s, events);
  for (const Event& e : events) {
    if (e == Event{EventKind::kDrop, task_id(task)}) return true;
  }
  return false;
}

}  // namespace

TEST_GROUP(DropAtAwaitPoint){};

TEST(DropAtAwaitPoint, OnlyWhileSuspendedAtThatOperation) {
  Builder b;
  const auto main = b.task("main");
  const auto w = b.task("w");
  b.program(main, {op(OpKind::kSpawn, w), op(OpKind::kYieldNow), op(OpKind::kYieldNow), op(OpKind::kYieldNow)});
  b.program(w, {op(OpKind::kYieldNow), op(OpKind::kYieldNow)});  // await points 0 and 1
  b.fault(m::FaultKind::kDrop, w);
  b.scenario().faults[static_cast<std::size_t>(m::FaultKind::kDrop)].at_pc = 1;
  const m::Scenario sc = b.build();
  const TokioModel model(sc);
  Runner run(model);
  std::vector<std::uint8_t> pcs_with_drop;
  for (int i = 0; i < 100 && !run.state().tasks(w).finished(); ++i) {
    const State& s = run.state();
    if (drop_enabled(model, s, w)) pcs_with_drop.push_back(s.tasks(w).pc);
    if (drop_enabled(model, s, w)) CHECK(s.tasks(w).inflight == 1);
    if (!run.step()) break;
  }
  CHECK(!pcs_with_drop.empty());
  for (std::uint8_t pc : pcs_with_drop) UNSIGNED_LONGS_EQUAL(1, pc);
}

TEST(DropAtAwaitPoint, ANestedFutureIsDroppedOnlyInsideItAndItsTaskGoesOnAfterIt) {
  // w: yield_now (pc 0); nested future f { lock m (pc 2); unlock m }; x = 1. main holds m across
  // two yields. A drop of f at pc 2 is offered only while w is queued on m inside f; it takes
  // w's node out of m's queue, sets f's cancelled variable, and w runs on past f.
  Builder b;
  const auto mx = b.resource("m", m::ResourceKind::kTokioMutex);
  const auto x = b.variable("x", 0, 0, 1);
  const auto cut = b.variable("cut", 0, 0, 1);
  const auto main = b.task("main");
  const auto w = b.task("w");
  const auto f = b.nested(w, "f", m::Wrapper::kNone, cut);
  b.program(main, {op(OpKind::kLock, mx), op(OpKind::kSpawn, w), op(OpKind::kYieldNow), op(OpKind::kYieldNow),
                   op(OpKind::kUnlock, mx)});
  b.program(w, {op(OpKind::kYieldNow), op(OpKind::kWrapBegin, f, 5), op(OpKind::kLock, mx), op(OpKind::kUnlock, mx),
                op(OpKind::kWrapEnd, f), b.set(x, "1")});
  auto& drop = b.scenario().faults[static_cast<std::size_t>(m::FaultKind::kDrop)];
  drop.budget = 1;
  drop.at_pc = 2;
  const m::Scenario built = [&] {
    m::Scenario sc = b.build();
    sc.faults[static_cast<std::size_t>(m::FaultKind::kDrop)].futures[f] = true;
    return sc;
  }();
  const TokioModel model(built);
  Runner run(model);
  const Event drop_f{EventKind::kDrop, m::TaskId{f}};
  bool offered = false;
  for (int i = 0; i < 100 && !offered; ++i) {
    const auto events = run.enabled();
    offered = std::find(events.begin(), events.end(), drop_f) != events.end();
    if (offered) {
      const State& s = run.state();
      UNSIGNED_LONGS_EQUAL(2, s.tasks(w).pc);
      CHECK(s.tasks(w).inflight == 1);
      UNSIGNED_LONGS_EQUAL(f + 1, s.tasks(w).region);
      break;
    }
    if (!run.step()) break;
  }
  CHECK_TRUE(offered);
  STRCMP_EQUAL("w", model.task_of(drop_f)->c_str());
  run.apply(drop_f);
  {
    const State& s = run.state();
    LONGS_EQUAL(1, s.var(cut));
    UNSIGNED_LONGS_EQUAL(0, s.tasks(w).region);
    CHECK_FALSE(s.semaphore(m::resource_at(mx)).node(m::waiter_of(task_id(w))).queued != 0);
  }
  run.run();
  LONGS_EQUAL(1, run.state().var(x));
  CHECK(run.state().tasks(w).status == m::TaskStatus::kComplete);
  (void)main;
}
