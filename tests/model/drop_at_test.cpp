// A drop fault restricted to one await point (FaultBudget::at_pc, what `cancel_safe` uses): the
// environment may drop the task only while it is suspended at that operation, never while it
// is suspended elsewhere, runnable, or not yet started.
// clang-format off
#include <cstddef>
#include <cstdint>
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
