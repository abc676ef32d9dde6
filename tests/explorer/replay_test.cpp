// Replaying a saved trace against a model: the states it passes through, or where it stops
// applying.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "explorer/search.hpp"

#include <CppUTest/TestHarness.h>

#include "tests/explorer/toys.hpp"

using namespace wakecheck::testing;
using wakecheck::explorer::replay;
using wakecheck::explorer::search;

namespace {
CounterState at(const std::vector<std::uint8_t>& bytes) { return Toy<TwoCounters>::read(bytes.data()); }
}  // namespace

TEST_GROUP(Replay){};

TEST(Replay, ReturnsTheIndexOfTheFirstEventThatIsNotEnabled) {
  // inc a is not enabled at (3,0): the fourth event, index 3.
  const auto [states, failed_at] = replay(Toy<TwoCounters>(TwoCounters{3}), {kA, kA, kA, kA, kB});
  CHECK_TRUE(failed_at.has_value());
  UNSIGNED_LONGS_EQUAL(3, *failed_at);
  UNSIGNED_LONGS_EQUAL(3, states.size());
  CHECK_TRUE(at(states.back()) == CounterState({3, 0}));
}

TEST(Replay, AnUnknownFirstEventFailsAtIndexZero) {
  const auto [states, failed_at] = replay(Toy<TwoCounters>(TwoCounters{3}), {CounterEvent{7}, kA});
  CHECK_TRUE(failed_at.has_value());
  UNSIGNED_LONGS_EQUAL(0, *failed_at);
  UNSIGNED_LONGS_EQUAL(0, states.size());
}

TEST(Replay, AppliesEveryEnabledEventInOrder) {
  const auto [states, failed_at] = replay(Toy<TwoCounters>(TwoCounters{3}), {kB, kA, kB});
  CHECK_FALSE(failed_at.has_value());
  UNSIGNED_LONGS_EQUAL(3, states.size());
  CHECK_TRUE(at(states[0]) == CounterState({0, 1}));
  CHECK_TRUE(at(states[1]) == CounterState({1, 1}));
  CHECK_TRUE(at(states[2]) == CounterState({1, 2}));
}

TEST(Replay, AnEmptyTraceReplaysToTheInitialState) {
  const auto [states, failed_at] = replay(Toy<TwoCounters>(TwoCounters{3}), {});
  CHECK_FALSE(failed_at.has_value());
  UNSIGNED_LONGS_EQUAL(0, states.size());
}

TEST(Replay, FailsWhenTheModelChangedUnderASavedTrace) {
  // A trace found with N = 3 no longer replays with N = 2: the third inc a is not enabled.
  const auto result = search(Toy<TwoCounters>(TwoCounters{3}),
                             {property<TwoCounters>("a below 3", PropertyKind::kAlways,
                                                    [](const CounterState& s) { return s.a < 3; })});
  const auto& saved = *result.outcomes[0].trace;
  UNSIGNED_LONGS_EQUAL(3, saved.events.size());
  const auto [states, failed_at] = replay(Toy<TwoCounters>(TwoCounters{2}), saved.events);
  CHECK_TRUE(failed_at.has_value());
  UNSIGNED_LONGS_EQUAL(2, *failed_at);
  UNSIGNED_LONGS_EQUAL(2, states.size());
}
