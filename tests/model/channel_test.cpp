// Channels against tokio 1.24.2:
//
//   - mpsc::unbounded_channel (sync/mpsc/unbounded.rs, chan.rs): `send` never waits; `recv`
//     takes the oldest message, waits when there is none, and returns None once every Sender is
//     dropped and nothing is left; dropping the last Sender wakes a waiting receiver;
//   - oneshot (sync/oneshot.rs): a value sent is received even after the Sender is gone; a Sender
//     dropped unsent gives the receiver Err(RecvError);
//   - watch (sync/watch.rs): `send` moves the version on and wakes every `changed()` waiter; a
//     Receiver made after a send has seen it; sends between two looks are one change; an unseen
//     version is Ok even after the Sender is dropped (maybe_changed comes before the closed
//     check), and Err comes only with nothing new.
//
// A channel's senders are tasks; dropping a task's future drops its Sender.
// clang-format off
#include <algorithm>
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
using m::EventKind;
using m::OpKind;
using m::ResourceKind;
using m::State;
using m::TaskStatus;
using m::TokioModel;
using namespace wakecheck::testing;

/// main spawns `sender` then `receiver` and joins both; `ch` is a channel of `kind` whose one
/// sender is `sender`; `got` is the receiver's last result (1: a message or Ok, 0: the end).
struct Pair {
  Builder b;
  std::uint8_t main = 0, sender = 0, receiver = 0, ch = 0, got = 0, count = 0;
  explicit Pair(ResourceKind kind) {
    ch = b.resource("ch", kind);
    got = b.variable("got", 1, 0, 1);
    count = b.variable("count", 0, 0, 3);
    main = b.task("main");
    sender = b.task("sender");
    receiver = b.task("receiver");
    b.scenario().resources[ch].senders = {sender};
    b.program(main, spawn_then_join({sender, receiver}));
  }
  /// The receiver's loop: `while got { got = VERB ch; if got { count = count + 1 } }`.
  std::vector<m::Op> receive_loop(OpKind verb) {
    return {b.unless("got", 5), op(verb, ch, u8(got + 1U)), b.unless("got", 4), b.set(count, "count + 1"),
            op(OpKind::kJump, 0, 0)};
  }
};

m::Op put(std::uint8_t ch) { return op(OpKind::kPut, ch); }

}  // namespace

TEST_GROUP(UnboundedChannel){};

TEST(UnboundedChannel, SendNeverWaitsAndEveryMessageIsReceivedBeforeNone) {
  Pair p(ResourceKind::kUnbounded);
  p.b.program(p.sender, {put(p.ch), put(p.ch), put(p.ch)});
  p.b.program(p.receiver, p.receive_loop(OpKind::kRecv));
  const m::Scenario sc = p.b.build();
  const TokioModel model(sc);
  Runner run(model);
  // The sender's one poll sends all three and finishes: nothing waits for room.
  run.run_until([&](const State& s) { return s.tasks(p.sender).finished(); });
  UNSIGNED_LONGS_EQUAL(1, std::count(run.polls().begin(), run.polls().end(), task_id(p.sender)));
  UNSIGNED_LONGS_EQUAL(3, run.state().notify(m::resource_at(p.ch)).permit());
  run.run();
  LONGS_EQUAL(3, run.state().var(p.count));
  LONGS_EQUAL(0, run.state().var(p.got));
  CHECK(run.state().tasks(p.receiver).status == TaskStatus::kComplete);
}

TEST(UnboundedChannel, RecvWaitsWhileASenderLivesAndTheLastSenderDroppedWakesItWithNone) {
  Pair p(ResourceKind::kUnbounded);
  p.b.program(p.sender, {op(OpKind::kYieldNow), op(OpKind::kYieldNow)});
  p.b.program(p.receiver, {op(OpKind::kRecv, p.ch, u8(p.got + 1U))});
  const m::Scenario sc = p.b.build();
  const TokioModel model(sc);
  Runner run(model);
  run.run_until([&](const State& s) { return s.tasks(p.receiver).status == TaskStatus::kIdle; });
  // Empty and a Sender alive: pending, registered as the receiver.
  CHECK(!run.state().tasks(p.sender).finished());
  CHECK(run.state().notify(m::resource_at(p.ch)).waiters().contains(task_id(p.receiver)));
  run.run_until([&](const State& s) { return s.tasks(p.sender).finished(); });
  // The sender's future ended, and its Sender with it: the receiver is woken...
  UNSIGNED_LONGS_EQUAL(1, run.state().tasks(p.receiver).wake_pending);
  run.run();
  // ... and gets None.
  LONGS_EQUAL(0, run.state().var(p.got));
  CHECK(run.state().tasks(p.receiver).status == TaskStatus::kComplete);
}

TEST(UnboundedChannel, AChannelWithoutNamedSendersNeverClosesSoTheReceiverWaitsForever) {
  Pair p(ResourceKind::kUnbounded);
  p.b.scenario().resources[p.ch].senders.clear();
  p.b.program(p.sender, {put(p.ch)});
  p.b.program(p.receiver, p.receive_loop(OpKind::kRecv));
  const m::Scenario sc = p.b.build();
  const TokioModel model(sc);
  Runner run(model);
  run.run();
  LONGS_EQUAL(1, run.state().var(p.count));
  LONGS_EQUAL(1, run.state().var(p.got));
  CHECK(run.state().tasks(p.receiver).status == TaskStatus::kIdle);
}

TEST(UnboundedChannel, AbortingAPendingReceiverTakesItOffTheWaiters) {
  Pair p(ResourceKind::kUnbounded);
  p.b.program(p.main, {op(OpKind::kSpawn, p.sender), op(OpKind::kSpawn, p.receiver), op(OpKind::kYieldNow),
                       op(OpKind::kAbort, p.receiver), op(OpKind::kJoin, p.sender)});
  p.b.program(p.sender, {op(OpKind::kYieldNow), op(OpKind::kYieldNow), op(OpKind::kYieldNow)});
  p.b.program(p.receiver, {op(OpKind::kRecv, p.ch, 0)});
  const m::Scenario sc = p.b.build();
  const TokioModel model(sc);
  Runner run(model);
  run.run_until([&](const State& s) {
    return s.notify(m::resource_at(p.ch)).waiters().contains(task_id(p.receiver));
  });
  run.run_until([&](const State& s) { return s.tasks(p.receiver).finished(); });
  CHECK(run.state().notify(m::resource_at(p.ch)).waiters().empty());
}

TEST_GROUP(OneshotChannel){};

TEST(OneshotChannel, AValueSentIsReceivedEvenAfterTheSenderIsGone) {
  Pair p(ResourceKind::kOneshot);
  p.b.program(p.main, {op(OpKind::kSpawn, p.sender), op(OpKind::kJoin, p.sender), op(OpKind::kSpawn, p.receiver),
                       op(OpKind::kJoin, p.receiver)});
  p.b.program(p.sender, {put(p.ch)});
  p.b.program(p.receiver, {op(OpKind::kRecv, p.ch, u8(p.got + 1U))});
  p.b.scenario().variables[p.got].initial = 0;
  const m::Scenario sc = p.b.build();
  const TokioModel model(sc);
  Runner run(model);
  run.run_until([&](const State& s) { return s.tasks(p.sender).finished(); });
  CHECK(run.state().tasks(p.receiver).status == TaskStatus::kNotSpawned);
  run.run();
  LONGS_EQUAL(1, run.state().var(p.got));
}

TEST(OneshotChannel, ASenderDroppedUnsentGivesTheWaitingReceiverRecvError) {
  Pair p(ResourceKind::kOneshot);
  p.b.program(p.sender, {op(OpKind::kYieldNow)});
  p.b.program(p.receiver, {op(OpKind::kRecv, p.ch, u8(p.got + 1U))});
  const m::Scenario sc = p.b.build();
  const TokioModel model(sc);
  Runner run(model);
  run.run_until([&](const State& s) { return s.tasks(p.receiver).status == TaskStatus::kIdle; });
  run.run();
  LONGS_EQUAL(0, run.state().var(p.got));
  CHECK(run.state().tasks(p.receiver).status == TaskStatus::kComplete);
}

TEST_GROUP(WatchChannel){};

TEST(WatchChannel, SendsBetweenTwoLooksAreOneChangeAndTheEndComesAfterIt) {
  Pair p(ResourceKind::kWatch);
  // Both sends happen in the sender's one poll, before the receiver looks.
  p.b.program(p.sender, {put(p.ch), put(p.ch)});
  p.b.program(p.main, {op(OpKind::kSpawn, p.receiver), op(OpKind::kSpawn, p.sender), op(OpKind::kJoin, p.receiver)});
  p.b.program(p.receiver, p.receive_loop(OpKind::kChanged));
  const m::Scenario sc = p.b.build();
  const TokioModel model(sc);
  Runner run(model);
  run.run();
  // One change seen for two sends; then the Sender is gone and nothing is new: Err.
  LONGS_EQUAL(1, run.state().var(p.count));
  LONGS_EQUAL(0, run.state().var(p.got));
}

TEST(WatchChannel, AnUnseenVersionIsOkEvenAfterTheSenderIsDropped) {
  Pair p(ResourceKind::kWatch);
  p.b.program(p.sender, {put(p.ch)});
  // The receiver is spawned first but looks only after the sender has sent and finished.
  p.b.program(p.main, {op(OpKind::kSpawn, p.receiver), op(OpKind::kSpawn, p.sender), op(OpKind::kJoin, p.sender),
                       op(OpKind::kJoin, p.receiver)});
  p.b.program(p.receiver, {op(OpKind::kYieldNow), op(OpKind::kYieldNow), op(OpKind::kChanged, p.ch, u8(p.got + 1U)),
                           op(OpKind::kChanged, p.ch, u8(p.count + 1U))});
  p.b.scenario().variables[p.count].initial = 1;
  const m::Scenario sc = p.b.build();
  const TokioModel model(sc);
  Runner run(model);
  run.run_until([&](const State& s) { return s.tasks(p.sender).finished(); });
  CHECK(!run.state().tasks(p.receiver).finished());
  run.run();
  LONGS_EQUAL(1, run.state().var(p.got));    // the version it had not seen
  LONGS_EQUAL(0, run.state().var(p.count));  // then Err: closed, nothing new
}

TEST(WatchChannel, AReceiverMadeAfterASendHasSeenItAndWaits) {
  Pair p(ResourceKind::kWatch);
  p.b.scenario().resources[p.ch].senders = {p.main};
  p.b.program(p.main, {put(p.ch), op(OpKind::kSpawn, p.receiver), op(OpKind::kJoin, p.receiver)});
  p.b.program(p.sender, {});
  p.b.program(p.receiver, {op(OpKind::kChanged, p.ch, u8(p.got + 1U))});
  const m::Scenario sc = p.b.build();
  const TokioModel model(sc);
  Runner run(model);
  run.run();
  CHECK(run.state().tasks(p.receiver).status == TaskStatus::kIdle);
  CHECK(run.state().notify(m::resource_at(p.ch)).waiters().contains(task_id(p.receiver)));
}

TEST(WatchChannel, ASendWakesEveryReceiverWaitingForAChange) {
  Builder b;
  const auto ch = b.resource("ch", ResourceKind::kWatch);
  const auto main = b.task("main");
  const auto r1 = b.task("r1");
  const auto r2 = b.task("r2");
  b.program(main, {op(OpKind::kSpawn, r1), op(OpKind::kSpawn, r2), op(OpKind::kYieldNow), put(ch),
                   op(OpKind::kJoin, r1), op(OpKind::kJoin, r2)});
  b.program(r1, {op(OpKind::kChanged, ch)});
  b.program(r2, {op(OpKind::kChanged, ch)});
  const m::Scenario sc = b.build();
  const TokioModel model(sc);
  Runner run(model);
  run.run_until([&](const State& s) { return s.notify(m::resource_at(ch)).waiters().size() == 2; });
  run.run();
  CHECK(run.state().tasks(r1).status == TaskStatus::kComplete);
  CHECK(run.state().tasks(r2).status == TaskStatus::kComplete);
}
