// Timed sleeps and timeouts against tokio 1.24.2's time driver (runtime/time/mod.rs, wheel/):
//
//   - `sleep(d)` registers an entry at now + d; when the runtime parks with nothing to run, the
//     driver advances the clock to the earliest deadline and fires every entry due by then, in
//     one turn, waking their tasks;
//   - entries with the same deadline fire in that same turn (which wakes first is not promised);
//   - `timeout(d, fut)` is a sleep beside the inner future: the inner future is polled first, and
//     once the deadline has fired a still-pending inner future is dropped;
//   - an untimed `sleep` (no duration) keeps its own meaning: it may fire at any park, before or
//     after the timed ones.
//
// The model counts time in ticks and lets work take none of it.
// clang-format off
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
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
using m::Op;
using m::OpKind;
using m::ResourceKind;
using m::State;
using m::TaskStatus;
using m::TokioModel;
using m::Wrapper;
using namespace wakecheck::testing;

Op sleep_for(std::uint8_t ticks) { return Op{OpKind::kSleep, 0, 0, 0, ticks}; }

/// The timer events enabled now.
std::vector<Event> timer_events(const Runner& run) {
  std::vector<Event> timers;
  for (const Event& e : run.scheduler_events()) {
    if (e.kind == EventKind::kTimer || e.kind == EventKind::kDeadline) timers.push_back(e);
  }
  return timers;
}

/// main spawns a and b and joins both; a sleeps `a_ticks`, b sleeps `b_ticks` (0: untimed).
struct TwoSleepers {
  m::Scenario sc;
  std::uint8_t a = 0, b = 0;
};

TwoSleepers two_sleepers(std::uint8_t a_ticks, std::uint8_t b_ticks) {
  Builder builder;
  TwoSleepers t;
  const auto main = builder.task("main");
  t.a = builder.task("a");
  t.b = builder.task("b");
  builder.program(main, spawn_then_join({t.a, t.b}));
  builder.program(t.a, {sleep_for(a_ticks)});
  builder.program(t.b, {sleep_for(b_ticks)});
  t.sc = builder.build();
  return t;
}

/// Runs until both sleepers wait on their timers and nothing else can run.
void run_until_both_sleep(Runner& run, const TwoSleepers& t) {
  run.run_until([&](const State& s) {
    return s.tasks(t.a).timer == 1 && s.tasks(t.b).timer == 1 && !timer_events(run).empty();
  });
}

}  // namespace

TEST_GROUP(TimedSleep){};

TEST(TimedSleep, OnlyTheEarliestDeadlineCanFireAndTheLaterOneWaits) {
  // a sleeps 30 ticks, b 10: at the park only b's entry is due; a's fires after it.
  const TwoSleepers t = two_sleepers(30, 10);
  const TokioModel model(t.sc);
  Runner run(model);
  run_until_both_sleep(run, t);
  const std::vector<Event> timers = timer_events(run);
  UNSIGNED_LONGS_EQUAL(1, timers.size());
  CHECK(timers.front() == (Event{EventKind::kTimer, task_id(t.b)}));
  run.run();
  UNSIGNED_LONGS_EQUAL(3, run.finish_order().size());
  CHECK(run.finish_order()[0] == task_id(t.b));
  CHECK(run.finish_order()[1] == task_id(t.a));
}

TEST(TimedSleep, FiringAnEntryAdvancesTheClockForEveryOtherEntry) {
  const TwoSleepers t = two_sleepers(30, 10);
  const TokioModel model(t.sc);
  Runner run(model);
  run_until_both_sleep(run, t);
  UNSIGNED_LONGS_EQUAL(30, run.state().tasks(t.a).timer_left);
  run.apply({EventKind::kTimer, task_id(t.b)});
  // 10 ticks passed: a's entry is 20 ticks away; b's fired.
  UNSIGNED_LONGS_EQUAL(1, run.state().tasks(t.a).timer);
  UNSIGNED_LONGS_EQUAL(20, run.state().tasks(t.a).timer_left);
  UNSIGNED_LONGS_EQUAL(2, run.state().tasks(t.b).timer);
  UNSIGNED_LONGS_EQUAL(0, run.state().tasks(t.b).timer_left);
}

TEST(TimedSleep, EntriesWithTheSameDeadlineFireInOneTurnEitherWakingFirst) {
  const TwoSleepers t = two_sleepers(10, 10);
  const TokioModel model(t.sc);
  Runner run(model);
  run_until_both_sleep(run, t);
  const std::vector<Event> timers = timer_events(run);
  UNSIGNED_LONGS_EQUAL(2, timers.size());
  for (const Event& first : timers) {
    const State s = model.next_state(run.state(), first);
    // Both fired in this one event, and the chosen one was scheduled first.
    UNSIGNED_LONGS_EQUAL(2, s.tasks(t.a).timer);
    UNSIGNED_LONGS_EQUAL(2, s.tasks(t.b).timer);
    CHECK(s.tasks(t.a).status == TaskStatus::kScheduled);
    CHECK(s.tasks(t.b).status == TaskStatus::kScheduled);
    CHECK(s.run_queue().front() == first.task);
  }
}

TEST(TimedSleep, AnUntimedSleepMayFireBeforeOrAfterATimedOne) {
  const TwoSleepers t = two_sleepers(30, 0);
  const TokioModel model(t.sc);
  Runner run(model);
  run_until_both_sleep(run, t);
  const std::vector<Event> timers = timer_events(run);
  UNSIGNED_LONGS_EQUAL(2, timers.size());
  // The untimed one firing moves no clock: a is still 30 ticks away.
  const State s = model.next_state(run.state(), {EventKind::kTimer, task_id(t.b)});
  UNSIGNED_LONGS_EQUAL(30, s.tasks(t.a).timer_left);
}

TEST(TimedSleep, ATickerLoopingOnAShortSleepReachesTheLongSleepsDeadlineAndTiesWithIt) {
  // a sleeps 30 once; b sleeps 10 three times. b's third entry is due at 30, with a's: they
  // fire in one turn. Time never runs past a's deadline without firing it.
  Builder builder;
  const auto main = builder.task("main");
  const auto a = builder.task("a");
  const auto b = builder.task("b");
  builder.program(main, spawn_then_join({a, b}));
  builder.program(a, {sleep_for(30)});
  builder.program(b, {sleep_for(10), sleep_for(10), sleep_for(10)});
  const m::Scenario sc = builder.build();
  const TokioModel model(sc);
  Runner run(model);
  std::vector<std::uint8_t> left_at_b_fires;
  for (int i = 0; i < 1000; ++i) {
    const std::vector<Event> timers = timer_events(run);
    if (timers.size() == 2) break;  // the tie at 30
    const std::vector<Event> events = run.scheduler_events();
    if (events.empty()) FAIL("the run ended before the tie");
    UNSIGNED_LONGS_EQUAL(1, events.size());
    if (events.front() == Event{EventKind::kTimer, task_id(b)}) left_at_b_fires.push_back(run.state().tasks(a).timer_left);
    run.apply(events.front());
  }
  // Before b's first two fires, a was 30 and then 20 ticks away; now both are due.
  UNSIGNED_LONGS_EQUAL(2, left_at_b_fires.size());
  UNSIGNED_LONGS_EQUAL(30, left_at_b_fires[0]);
  UNSIGNED_LONGS_EQUAL(20, left_at_b_fires[1]);
  UNSIGNED_LONGS_EQUAL(10, run.state().tasks(a).timer_left);
  UNSIGNED_LONGS_EQUAL(10, run.state().tasks(b).timer_left);
}

TEST_GROUP(TimedTimeout){};

namespace {

/// w: timeout(after, { sleep inner_ticks }) with `cancelled`; main spawns w and joins it.
struct TimedOut {
  m::Scenario sc;
  std::uint8_t w = 0, cancelled = 0;
};

TimedOut timed_out(std::uint8_t after, std::uint8_t inner_ticks) {
  Builder b;
  TimedOut t;
  const auto main = b.task("main");
  t.w = b.task("w");
  t.cancelled = b.variable("cancelled", 0, 0, 1, t.w);
  const auto inner = b.nested(t.w, "inner", Wrapper::kTimeout, t.cancelled);
  b.scenario().futures[inner].after = after;
  b.program(main, spawn_then_join({t.w}));
  b.program(t.w, {op(OpKind::kWrapBegin, inner, 3), sleep_for(inner_ticks), op(OpKind::kWrapEnd, inner)});
  t.sc = b.build();
  return t;
}

}  // namespace

namespace {

/// Runs timed_out(after, inner_ticks) to its end: w completes; returns its `cancelled`.
std::int32_t cancelled_after_run(std::uint8_t after, std::uint8_t inner_ticks) {
  const TimedOut t = timed_out(after, inner_ticks);
  const TokioModel model(t.sc);
  Runner run(model);
  run.run();
  CHECK(run.state().tasks(t.w).status == TaskStatus::kComplete);
  return run.state().var(t.cancelled);
}

}  // namespace

TEST(TimedTimeout, ADeadlineBeforeTheInnerSleepDropsTheInnerFuture) {
  LONGS_EQUAL(1, cancelled_after_run(20, 30));
}

TEST(TimedTimeout, ADeadlineAfterTheInnerSleepLetsItFinish) {
  LONGS_EQUAL(0, cancelled_after_run(40, 30));
}

TEST(TimedTimeout, AnUntimedTimeoutStillWaitsForEverySleep) {
  // Without a duration the timeout outlasts the sleep, timed or not (today's meaning).
  LONGS_EQUAL(0, cancelled_after_run(0, 30));
}
