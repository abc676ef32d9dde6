// Random schedules (explorer/random_walk.hpp) on the toy models: what they find is real and
// replayable, what they do not find stays unknown, and the same seed gives the same runs.
#include <cstdint>
#include <string>
#include <vector>

#include "explorer/random_walk.hpp"
#include "explorer/search.hpp"

#include <CppUTest/TestHarness.h>

#include "tests/explorer/toys.hpp"

using namespace wakecheck::testing;
using wakecheck::explorer::search;
using wakecheck::explorer::SearchOptions;
using wakecheck::explorer::SplitMix;
using wakecheck::explorer::Stop;
using wakecheck::explorer::Verdict;

namespace {

SearchOptions runs(std::uint64_t n, std::uint64_t seed = 1, unsigned pct = 0) {
  SearchOptions options;
  options.random_runs = n;
  options.seed = seed;
  options.pct_depth = pct;
  return options;
}

Property sum_below(int limit) {
  return property<TwoCounters>("a + b < " + std::to_string(limit), PropertyKind::kAlways,
                               [limit](const CounterState& s) { return s.a + s.b < limit; });
}

}  // namespace

TEST_GROUP(RandomSchedules){};

TEST(RandomSchedules, TheGeneratorIsFixedBySplitMix64sDefinition) {
  // The first output of SplitMix64 seeded with 0 (Steele, Lea and Flood), on every platform.
  SplitMix random(0);
  CHECK_TRUE(random.next() == 0xE220A8397B1DCDAFULL);
  SplitMix bounded(42);
  for (int i = 0; i < 1000; ++i) CHECK_TRUE(bounded.below(7) < 7);
}

TEST(RandomSchedules, AViolationFoundIsAReplayableCounterexample) {
  // Every run of the counters up to 3 ends at (3, 3), passing a + b = 4: each run violates it.
  const Toy<TwoCounters> model(TwoCounters{3});
  const auto result = search(model, {sum_below(4)}, runs(20));
  CHECK_TRUE(result.outcomes[0].verdict == Verdict::kViolated);
  UNSIGNED_LONGS_EQUAL(4, result.outcomes[0].trace->events.size());
  const auto [states, failed] = wakecheck::explorer::replay(model, result.outcomes[0].trace->events);
  CHECK_FALSE(failed.has_value());
  const auto last = Toy<TwoCounters>::read(states.back().data());
  UNSIGNED_LONGS_EQUAL(4, last.a + last.b);
  CHECK_TRUE(result.stats.stop == Stop::kSampled);
  CHECK_FALSE(result.stats.complete());
  UNSIGNED_LONGS_EQUAL(20, result.stats.random->runs);
  UNSIGNED_LONGS_EQUAL(20, result.stats.random->stuck);
  UNSIGNED_LONGS_EQUAL(6 * 20, result.stats.transitions);
  UNSIGNED_LONGS_EQUAL(6, result.stats.depth);
}

TEST(RandomSchedules, NothingThatHoldsIsClaimedToHold) {
  const Toy<TwoCounters> model(TwoCounters{3});
  const auto never = property<TwoCounters>("a == 4", PropertyKind::kSometimes,
                                           [](const CounterState& s) { return s.a == 4; });
  const auto result = search(model, {sum_below(7), never}, runs(50));
  CHECK_TRUE(result.outcomes[0].verdict == Verdict::kUnknown);
  CHECK_TRUE(result.outcomes[1].verdict == Verdict::kUnknown);
  CHECK_FALSE(result.outcomes[0].trace.has_value());
  // 50 runs of 6 steps through a 4 x 4 grid visit all 16 states.
  UNSIGNED_LONGS_EQUAL(16, result.stats.states);
}

TEST(RandomSchedules, TheSameSeedGivesTheSameRunsAndAnotherSeedOtherRuns) {
  const Toy<TwoCounters> model(TwoCounters{30});
  const auto one = search(model, {sum_below(12)}, runs(5, 7));
  const auto again = search(model, {sum_below(12)}, runs(5, 7));
  CHECK_TRUE(one.outcomes[0].trace->events == again.outcomes[0].trace->events);
  UNSIGNED_LONGS_EQUAL(one.stats.states, again.stats.states);
  bool differs = false;
  for (std::uint64_t seed = 8; seed < 16 && !differs; ++seed) {
    differs = search(model, {sum_below(12)}, runs(5, seed)).outcomes[0].trace->events != one.outcomes[0].trace->events;
  }
  CHECK_TRUE(differs);
}

TEST(RandomSchedules, ADeadEndWithoutTheTargetBreaksEventuallyAndTheShortestRunIsKept) {
  // 0 -> 1 (a dead end); 0 -> 2 -> 3 (the target): half the runs end at 1.
  const GraphModel graph{{{{1, 0}, {2, 0}}, {}, {{3, 0}}, {}}};
  const Property eventually_3 =
      leads_to<GraphModel>("eventually 3", {}, [](const NodeState& s) { return s.node == 3; });
  const auto result = search(Toy<GraphModel>(graph), {eventually_3}, runs(40));
  CHECK_TRUE(result.outcomes[0].verdict == Verdict::kViolated);
  UNSIGNED_LONGS_EQUAL(1, result.outcomes[0].trace->events.size());
  CHECK_TRUE(result.outcomes[0].trace->events[0] == (GraphEvent{1, 0}));
  // "eventually 1" is broken by the other runs: 0, 2, 3 ends stuck without passing 1.
  const Property eventually_1 =
      leads_to<GraphModel>("eventually 1", {}, [](const NodeState& s) { return s.node == 1; });
  const auto other = search(Toy<GraphModel>(graph), {eventually_1}, runs(40));
  CHECK_TRUE(other.outcomes[0].verdict == Verdict::kViolated);
  UNSIGNED_LONGS_EQUAL(2, other.outcomes[0].trace->events.size());
}

TEST(RandomSchedules, RunsWithoutADeadEndStopAtTheStepBound) {
  SearchOptions options = runs(3);
  options.max_steps = 50;
  const auto result = search(Toy<Ring>(), {}, options);
  UNSIGNED_LONGS_EQUAL(3, result.stats.random->cut);
  UNSIGNED_LONGS_EQUAL(0, result.stats.random->stuck);
  UNSIGNED_LONGS_EQUAL(150, result.stats.transitions);
  UNSIGNED_LONGS_EQUAL(5, result.stats.states);
}

TEST(RandomSchedules, PctRunsAreRecordedAndRepeatable) {
  const Toy<TwoCounters> model(TwoCounters{20});
  const auto one = search(model, {sum_below(30)}, runs(10, 3, 2));
  const auto again = search(model, {sum_below(30)}, runs(10, 3, 2));
  CHECK_TRUE(one.outcomes[0].verdict == Verdict::kViolated);
  CHECK_TRUE(one.outcomes[0].trace->events == again.outcomes[0].trace->events);
  UNSIGNED_LONGS_EQUAL(2, one.stats.random->pct_depth);
  UNSIGNED_LONGS_EQUAL(1, one.stats.random->processes);  // the toys' events share one key
}

TEST(RandomSchedules, AnEnvironmentOnlyDeadEndMayEndTheRunOrGoOn) {
  // Work 0 -> 1 -> 2 beside an optional pause: (2, 0) is a dead end whose pause may still happen.
  // Runs end at (2, 0) or (2, 1); both are reached over 40 runs, and each run ends stuck.
  const auto at_2_paused = property<WorkWithPause>("at (2, 1)", PropertyKind::kSometimes,
                                                   [](const WorkState& s) { return s.pos == 2 && s.paused == 1; });
  const auto result = search(Toy<WorkWithPause>(), {at_2_paused}, runs(40));
  CHECK_TRUE(result.outcomes[0].verdict == Verdict::kHolds);
  UNSIGNED_LONGS_EQUAL(40, result.stats.random->stuck);
  UNSIGNED_LONGS_EQUAL(6, result.stats.states);
}
