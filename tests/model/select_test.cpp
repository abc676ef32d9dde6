// select! over a lock future and a sleep or `std::future::ready(())` (tokio 1.24.2 macros/select.rs):
//
//   - biased, the lock branch is polled first: a free lock wins; a held one queues its future,
//     and a ready(()) branch then wins at once;
//   - without `biased;`, a poll may start at the ready branch: the lock future is then not polled
//     at all (never queued); the checker offers that start as its own event;
//   - a lost lock future kept as `&mut fut` stays alive, queued if it was polled;
//   - an rwlock's write asks for every permit, a read for one.
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
using m::OpKind;
using m::ResourceKind;
using m::State;
using m::TaskStatus;
using m::TokioModel;
using namespace wakecheck::testing;

/// main holds l (if `held`), then runs `select! { x = [&mut] LOCK l => 0, _ = ready(()) => 1 }`
/// storing the winner in `won`, then sleeps.
struct ReadySelect {
  m::Scenario sc;
  std::uint8_t l = 0, won = 0, main = 0;
};

ReadySelect ready_select(ResourceKind kind, std::uint8_t flags, bool held) {
  Builder b;
  ReadySelect r;
  r.l = b.resource("l", kind, kind == ResourceKind::kRwLock ? 4 : 1);
  r.won = b.variable("won", 9, 0, 9);
  r.main = b.task("main");
  std::vector<m::Op> program;
  if (held) program.push_back(op(OpKind::kTryLock, r.l, 0, kind == ResourceKind::kRwLock ? 4 : 1));
  program.push_back(op(OpKind::kSelect, r.l, static_cast<std::uint8_t>(flags | m::kSelectReady), u8(r.won + 1U)));
  program.push_back(op(OpKind::kSleep));
  b.program(r.main, program);
  r.sc = b.build();
  return r;
}

}  // namespace

TEST_GROUP(SelectReadyBranch){};

TEST(SelectReadyBranch, BiasedAFreeLockWinsBeforeTheReadyBranch) {
  const ReadySelect r = ready_select(ResourceKind::kTokioMutex, 0, false);
  const TokioModel model(r.sc);
  const State s = model.next_state(model.initial_state(), {EventKind::kPoll, m::kMainTask});
  LONGS_EQUAL(0, s.var(r.won));
  UNSIGNED_LONGS_EQUAL(1, s.held(m::kMainTask, m::resource_at(r.l)));
}

TEST(SelectReadyBranch, BiasedAHeldLockQueuesAKeptFutureAndTheReadyBranchWins) {
  const ReadySelect r = ready_select(ResourceKind::kTokioMutex, m::kSelectKeep, true);
  const TokioModel model(r.sc);
  const State s = model.next_state(model.initial_state(), {EventKind::kPoll, m::kMainTask});
  LONGS_EQUAL(1, s.var(r.won));
  const auto sem = s.semaphore(m::resource_at(r.l));
  CHECK(sem.node(m::kept_waiter_of(m::kMainTask)).queued);
}

TEST(SelectReadyBranch, UnbiasedEitherStartIsExploredAndTheReadyStartLeavesTheFutureUnqueued) {
  const ReadySelect r = ready_select(ResourceKind::kTokioMutex, m::kSelectKeep | m::kSelectUnbiased, true);
  const TokioModel model(r.sc);
  std::vector<Event> events;
  model.enabled_events(model.initial_state(), events);
  bool ready_first = false;
  for (const Event& e : events) ready_first = ready_first || e == Event{EventKind::kPollSleepFirst, m::kMainTask};
  CHECK(ready_first);
  const State s = model.next_state(model.initial_state(), {EventKind::kPollSleepFirst, m::kMainTask});
  LONGS_EQUAL(1, s.var(r.won));
  const auto sem = s.semaphore(m::resource_at(r.l));
  CHECK(!sem.node(m::kept_waiter_of(m::kMainTask)).queued);
  CHECK(sem.queue().empty());
}

TEST(SelectReadyBranch, AnRwLockWriteBranchAsksForEveryPermitAndAReadForOne) {
  // Free, a write takes all 4 permits.
  const ReadySelect w = ready_select(ResourceKind::kRwLock, m::kSelectWrite, false);
  const TokioModel write_model(w.sc);
  const State ws = write_model.next_state(write_model.initial_state(), {EventKind::kPoll, m::kMainTask});
  LONGS_EQUAL(0, ws.var(w.won));
  UNSIGNED_LONGS_EQUAL(4, ws.held(m::kMainTask, m::resource_at(w.l)));
  const ReadySelect rd = ready_select(ResourceKind::kRwLock, 0, false);
  const TokioModel read_model(rd.sc);
  const State rs = read_model.next_state(read_model.initial_state(), {EventKind::kPoll, m::kMainTask});
  UNSIGNED_LONGS_EQUAL(1, rs.held(m::kMainTask, m::resource_at(rd.l)));
}

TEST(SelectReadyBranch, ASendBranchOnAFullChannelQueuesForASlotAndOnAFreeOneSendsTheMessage) {
  // ready_select's try_lock cannot fill a channel: build the two cases by hand.
  for (const bool full : {true, false}) {
    Builder b;
    const auto ch = b.resource("ch", ResourceKind::kMpsc, 1);
    const auto won = b.variable("won", 9, 0, 9);
    const auto main = b.task("main");
    std::vector<m::Op> program;
    if (full) program.push_back(op(OpKind::kSend, ch));
    program.push_back(op(OpKind::kSelect, ch, static_cast<std::uint8_t>(m::kSelectKeep | m::kSelectReady), u8(won + 1U)));
    program.push_back(op(OpKind::kSleep));
    b.program(main, program);
    const m::Scenario sc = b.build();
    const TokioModel model(sc);
    const State s = model.next_state(model.initial_state(), {EventKind::kPoll, m::kMainTask});
    const auto sem = s.semaphore(m::resource_at(ch));
    if (full) {
      LONGS_EQUAL(1, s.var(won));
      CHECK(sem.node(m::kept_waiter_of(m::kMainTask)).queued);
      UNSIGNED_LONGS_EQUAL(1, s.notify(m::resource_at(ch)).permit());  // the first message only
    } else {
      LONGS_EQUAL(0, s.var(won));
      UNSIGNED_LONGS_EQUAL(1, s.notify(m::resource_at(ch)).permit());  // the select's message
      UNSIGNED_LONGS_EQUAL(0, s.held(m::kMainTask, m::resource_at(ch)));  // a slot is no guard
    }
  }
}

TEST(SelectReadyBranch, ANotifyWaitersDeliveredToANotifiedBranchIsLostWhenTheOtherBranchWins) {
  // client: select! { _ = n.notified() => 0, _ = sleep(5) => 1 } (unbiased); main sleeps 5 too,
  // then notifies all: both deadlines fall due in one turn.
  Builder b;
  const auto n = b.resource("n", ResourceKind::kNotify);
  const auto won = b.variable("won", 9, 0, 9);
  const auto main = b.task("main");
  const auto client = b.task("client");
  b.program(main, {op(OpKind::kSpawn, client), m::Op{OpKind::kSleep, 0, 0, 0, 5}, op(OpKind::kNotifyWaiters, n)});
  b.program(client, {m::Op{OpKind::kSelect, n, static_cast<std::uint8_t>(m::kSelectNotified | m::kSelectUnbiased),
                           u8(won + 1U), 5},
                     op(OpKind::kSleep)});
  const m::Scenario sc = b.build();
  const TokioModel model(sc);
  Runner run(model);
  run.run_until([&](const State& s) { return s.tasks(main).timer == 1 && s.tasks(client).timer == 1 && !run.scheduler_events().empty() &&
                                             run.scheduler_events().front().kind == EventKind::kTimer; });
  run.apply({EventKind::kTimer, task_id(main)});  // both fire; main first
  run.apply({EventKind::kPoll, task_id(main)});   // notify_waiters reaches the client's Notified
  UNSIGNED_LONGS_EQUAL(2, run.state().notify(m::resource_at(n)).notified(task_id(client)));
  UNSIGNED_LONGS_EQUAL(2, run.state().tasks(client).timer);
  // Started at the notified branch it wins; started at the elapsed sleep, the notification is lost.
  const State seen = model.next_state(run.state(), {EventKind::kPoll, task_id(client)});
  LONGS_EQUAL(0, seen.var(won));
  const State lost = model.next_state(run.state(), {EventKind::kPollSleepFirst, task_id(client)});
  LONGS_EQUAL(1, lost.var(won));
  UNSIGNED_LONGS_EQUAL(0, lost.notify(m::resource_at(n)).notified(task_id(client)));
  UNSIGNED_LONGS_EQUAL(0, lost.notify(m::resource_at(n)).permit());
  CHECK(lost.notify(m::resource_at(n)).waiters().empty());
}
