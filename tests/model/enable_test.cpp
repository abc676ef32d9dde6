// Notified::enable against tokio 1.24.2 (sync/notify.rs): `enable` is poll_notified(None).
//
//   - in Init it takes a stored permit (ready), else joins the waiter list with no waker;
//   - a notify_one to an enabled Notified marks it notified and wakes nobody; awaited later, it
//     is ready at once;
//   - dropped unpolled after a notify_one, it forwards the notification (Notified::drop);
//   - while enabled, its task is not waiting on the Notify: it may await something else.
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
using m::OpKind;
using m::ResourceKind;
using m::State;
using m::TaskStatus;
using m::TokioModel;
using namespace wakecheck::testing;

/// `early` creates and enables a Notified of n, then runs `then`; `producer` yields once and
/// notifies n once; main spawns early then producer (then `late`, which awaits n, if asked).
struct Enabled {
  Builder b;
  std::uint8_t n = 0, main = 0, early = 0, producer = 0, late = 0;
  Enabled(std::vector<m::Op> then, bool with_late) {
    n = b.resource("n", ResourceKind::kNotify);
    main = b.task("main");
    early = b.task("early");
    producer = b.task("producer");
    if (with_late) late = b.task("late");
    std::vector<m::Op> program{op(OpKind::kCreateNotified, n), op(OpKind::kEnable, n)};
    program.insert(program.end(), then.begin(), then.end());
    b.program(early, program);
    b.program(producer, {op(OpKind::kYieldNow), op(OpKind::kNotifyOne, n)});
    if (with_late) {
      b.program(late, {op(OpKind::kNotified, n)});
      b.program(main, {op(OpKind::kSpawn, early), op(OpKind::kSpawn, late), op(OpKind::kSpawn, producer)});
    } else {
      b.program(main, {op(OpKind::kSpawn, early), op(OpKind::kSpawn, producer)});
    }
  }
};

}  // namespace

TEST_GROUP(NotifiedEnable){};

TEST(NotifiedEnable, AnEnabledNotifiedIsListedWithoutAWakerAndItsTaskDoesNotWaitOnIt) {
  Enabled e({op(OpKind::kSleep, 0, 0, 0), op(OpKind::kNotified, 0)}, false);
  const m::Scenario sc = e.b.build();
  const TokioModel model(sc);
  Runner run(model);
  run.run_until([&](const State& s) { return s.tasks(e.early).timer == 1; });
  const auto n = run.state().notify(m::resource_at(e.n));
  CHECK(n.waiters().contains(task_id(e.early)));
  UNSIGNED_LONGS_EQUAL(m::kEnabledWaiting, n.created(task_id(e.early)));
  // It sleeps: it waits on no resource, although its Notified is listed.
  CHECK(!m::waits_on(run.state(), sc, task_id(e.early)).has_value());
}

TEST(NotifiedEnable, ANotifyOneToItWakesNobodyAndTheLaterAwaitIsReadyAtOnce) {
  Enabled e({op(OpKind::kSleep, 0, 0, 0), op(OpKind::kNotified, 0)}, false);
  const m::Scenario sc = e.b.build();
  const TokioModel model(sc);
  Runner run(model);
  run.run_until([&](const State& s) { return s.tasks(e.producer).finished(); });
  const auto n = run.state().notify(m::resource_at(e.n));
  // Handed over (the oldest waiter), not stored as a permit, and early is not woken.
  UNSIGNED_LONGS_EQUAL(1, n.notified(task_id(e.early)));
  UNSIGNED_LONGS_EQUAL(0, n.permit());
  UNSIGNED_LONGS_EQUAL(0, run.state().tasks(e.early).wake_pending);
  CHECK(run.state().tasks(e.early).status == TaskStatus::kIdle);
  run.run();
  CHECK(run.state().tasks(e.early).status == TaskStatus::kComplete);
}

TEST(NotifiedEnable, EnableTakesAStoredPermitAndIsReady) {
  Builder b;
  const auto n = b.resource("n", ResourceKind::kNotify);
  const auto main = b.task("main");
  b.program(main, {op(OpKind::kNotifyOne, n), op(OpKind::kCreateNotified, n), op(OpKind::kEnable, n),
                   op(OpKind::kSleep)});
  const m::Scenario sc = b.build();
  const TokioModel model(sc);
  Runner run(model);
  run.run_until([&](const State& s) { return s.tasks(main).timer == 1; });
  const auto state = run.state().notify(m::resource_at(n));
  UNSIGNED_LONGS_EQUAL(0, state.permit());
  UNSIGNED_LONGS_EQUAL(m::kEnabledReady, state.created(task_id(main)));
  CHECK(state.waiters().empty());
}

TEST(NotifiedEnable, DroppedUnpolledAfterANotifyOneItForwardsTheNotification) {
  // early enables, sleeps and ends without awaiting it; late waits on n.
  Enabled e({op(OpKind::kSleep, 0, 0, 0)}, true);
  const m::Scenario sc = e.b.build();
  const TokioModel model(sc);
  Runner run(model);
  run.run_until([&](const State& s) { return s.tasks(e.producer).finished(); });
  UNSIGNED_LONGS_EQUAL(1, run.state().notify(m::resource_at(e.n)).notified(task_id(e.early)));
  CHECK(run.state().tasks(e.late).status == TaskStatus::kIdle);
  run.run();
  CHECK(run.state().tasks(e.early).status == TaskStatus::kComplete);
  CHECK(run.state().tasks(e.late).status == TaskStatus::kComplete);
}
