// futures::executor::block_on inside a task (op kBlockBegin with a = 1): the thread blocks on
// the future and keeps its core, unlike block_in_place, which hands the core to another thread
// (tokio 1.24.2 runtime/scheduler/multi_thread/worker.rs block_in_place). So:
//
//   - current_thread: nothing else runs while it blocks: no task, no main, no timer (the driver
//     is parked only by the scheduler loop), not even a deferred wake;
//   - multi_thread with one worker: the worker runs nothing else; main, on its own thread, runs;
//   - a future that completes at once leaves the thread to the runtime in the same poll;
//   - every task only that thread runs waits for the blocked one in the wait-for graph.
// clang-format off
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
using m::Flavor;
using m::OpKind;
using m::ResourceKind;
using m::State;
using m::TaskStatus;
using m::TokioModel;
using namespace wakecheck::testing;

/// main spawns holder and worker, then sleeps; holder locks m, yields, unlocks; worker runs
/// `block_on { lock m; unlock m }`.
struct Blocking {
  m::Scenario sc;
  std::uint8_t m = 0, main = 0, holder = 0, worker = 0;
};

Blocking blocking(Flavor flavor, std::uint8_t workers) {
  Builder b(flavor);
  Blocking x;
  x.m = b.resource("m", ResourceKind::kTokioMutex);
  x.main = b.task("main");
  x.holder = b.task("holder");
  x.worker = b.task("worker");
  b.scenario().worker_threads = workers;
  b.program(x.main, {op(OpKind::kSpawn, x.holder), op(OpKind::kSpawn, x.worker), op(OpKind::kSleep)});
  b.program(x.holder, {op(OpKind::kLock, x.m), op(OpKind::kYieldNow), op(OpKind::kUnlock, x.m)});
  b.program(x.worker, {op(OpKind::kBlockBegin, 1), op(OpKind::kLock, x.m), op(OpKind::kUnlock, x.m),
                       op(OpKind::kBlockEnd, 1)});
  x.sc = b.build();
  return x;
}

}  // namespace

TEST_GROUP(BlockOn){};

TEST(BlockOn, OnCurrentThreadNothingElseRunsNotEvenATimerOrADeferredWake) {
  const Blocking x = blocking(Flavor::kCurrentThread, 0);
  const TokioModel model(x.sc);
  Runner run(model);
  run.run_until([&](const State& s) { return s.tasks(x.worker).blocked != 0; });
  // holder holds m and waits for its deferred wake; main's sleep is registered; worker blocks
  // on m: a dead end, with the holder's release one poll away.
  UNSIGNED_LONGS_EQUAL(1, run.state().held(task_id(x.holder), m::resource_at(x.m)));
  CHECK(run.enabled().empty());
  const auto keeper = m::core_kept_by_block(run.state(), x.sc);
  CHECK(keeper.has_value() && *keeper == task_id(x.worker));
  // The holder and main wait for the blocked thread: a cycle through the lock.
  CHECK(m::has_wait_for_cycle(run.state(), x.sc));
}

TEST(BlockOn, OnOneWorkerMainStillRunsButNoOtherTaskOrTimer) {
  const Blocking x = blocking(Flavor::kMultiThread, 1);
  const TokioModel model(x.sc);
  Runner run(model);
  run.run_until([&](const State& s) { return s.tasks(x.worker).blocked != 0; });
  for (const Event& e : run.enabled()) {
    const bool main_poll = (e.kind == EventKind::kPoll || e.kind == EventKind::kPollSleepFirst) && e.task == m::kMainTask;
    CHECK_TEXT(main_poll, model.describe(e).c_str());
  }
  CHECK(m::has_wait_for_cycle(run.state(), x.sc));
}

TEST(BlockOn, AFutureReadyAtOnceGivesTheThreadBackInTheSamePoll) {
  Builder b;
  const auto mx = b.resource("m", ResourceKind::kTokioMutex);
  const auto main = b.task("main");
  b.program(main, {op(OpKind::kBlockBegin, 1), op(OpKind::kLock, mx), op(OpKind::kUnlock, mx), op(OpKind::kBlockEnd, 1),
                   op(OpKind::kYieldNow)});
  const m::Scenario sc = b.build();
  const TokioModel model(sc);
  const State s = model.next_state(model.initial_state(), {EventKind::kPoll, m::kMainTask});
  UNSIGNED_LONGS_EQUAL(0, s.task(m::kMainTask).blocked);
  UNSIGNED_LONGS_EQUAL(4, s.task(m::kMainTask).pc);  // at yield_now, pending
  CHECK(!m::core_kept_by_block(s, sc).has_value());
}
