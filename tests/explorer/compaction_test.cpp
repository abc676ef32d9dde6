// Hash compaction (explorer/compaction.hpp): fingerprints instead of states, on the toy models,
// against what the full search finds on the same models.
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "explorer/compaction.hpp"
#include "explorer/search.hpp"

#include <CppUTest/TestHarness.h>

#include "tests/explorer/toys.hpp"

using namespace wakecheck::testing;
using wakecheck::explorer::FingerprintSet;
using wakecheck::explorer::MemoryBudget;
using wakecheck::explorer::omission_probability;
using wakecheck::explorer::search;
using wakecheck::explorer::SearchOptions;
using wakecheck::explorer::Stop;
using wakecheck::explorer::Verdict;

namespace {

SearchOptions compacted(unsigned threads = 1) {
  SearchOptions options;
  options.hash_compaction = true;
  options.threads = threads;
  return options;
}

/// "eventually `node`" (no condition: from the initial state) on a graph.
Property eventually_at(std::uint8_t node) {
  return leads_to<GraphModel>("eventually " + std::to_string(node), {},
                              [node](const NodeState& s) { return s.node == node; });
}

}  // namespace

TEST_GROUP(FingerprintSet){};

TEST(FingerprintSet, KeepsEachFingerprintOnceThroughManyGrowths) {
  MemoryBudget budget;
  FingerprintSet set(&budget);
  std::mt19937_64 random(7);
  std::vector<std::uint64_t> values(200000);
  for (auto& v : values) v = random();
  for (const auto v : values) CHECK_TRUE(set.insert(v));
  UNSIGNED_LONGS_EQUAL(values.size(), set.size());
  for (const auto v : values) CHECK_FALSE(set.insert(v));
  UNSIGNED_LONGS_EQUAL(values.size(), set.size());
  // At most 90% full after the last growth, and not more than twice the room it needs.
  CHECK_TRUE(set.memory_bytes() * 9 >= values.size() * 8 * 10);
  CHECK_TRUE(set.memory_bytes() <= values.size() * 8 * 2);
}

TEST(FingerprintSet, ZeroIsAFingerprintLikeAnyOther) {
  MemoryBudget budget;
  FingerprintSet set(&budget);
  CHECK_TRUE(set.insert(0));
  CHECK_FALSE(set.insert(0));
  UNSIGNED_LONGS_EQUAL(1, set.size());
}

TEST(FingerprintSet, RefusesToGrowBeyondItsBudget) {
  MemoryBudget budget(64 * 1024);
  FingerprintSet set(&budget);
  std::uint64_t inserted = 0;
  bool refused = false;
  try {
    for (std::uint64_t v = 1; v < 1000000; ++v, ++inserted) set.insert(v * 0x9E3779B97F4A7C15ULL);
  } catch (const wakecheck::explorer::OutOfMemory&) {
    refused = true;
  }
  CHECK_TRUE(refused);
  UNSIGNED_LONGS_EQUAL(inserted, set.size());
}

TEST_GROUP(HashCompaction){};

TEST(HashCompaction, OmissionProbabilityIsTheSumOverPairsOfTheirChanceToCollide) {
  DOUBLES_EQUAL(0.0, omission_probability(1), 0.0);
  DOUBLES_EQUAL(1.0 / 18446744073709551616.0, omission_probability(2), 1e-30);
  // 3 million states: 4.5e12 pairs over 2^64.
  DOUBLES_EQUAL(2.44e-7, omission_probability(3000000), 0.01e-7);
  DOUBLES_EQUAL(1.0, omission_probability(std::uint64_t{1} << 40), 0.0);
}

TEST(HashCompaction, CountsTheSameStatesTransitionsDepthAndDeadEndsAsTheFullSearch) {
  const Toy<TwoCounters> model(TwoCounters{40});
  const auto full = search(model, {});
  const auto small = search(model, {}, compacted());
  CHECK_TRUE(small.stats.hash_compaction);
  CHECK_FALSE(full.stats.hash_compaction);
  UNSIGNED_LONGS_EQUAL(41 * 41, small.stats.states);
  UNSIGNED_LONGS_EQUAL(full.stats.transitions, small.stats.transitions);
  UNSIGNED_LONGS_EQUAL(80, small.stats.depth);
  UNSIGNED_LONGS_EQUAL(1, small.stats.dead_ends);
  CHECK_TRUE(small.stats.complete());
  CHECK_TRUE(small.stats.omission_probability > 0.0 && small.stats.omission_probability < 1e-12);
}

TEST(HashCompaction, AnInvariantGetsTheFullSearchsVerdictAndAShortestCounterexample) {
  // "always a + b < 4" on the counters up to 3 first fails at depth 4.
  const Toy<TwoCounters> model(TwoCounters{3});
  const auto p = property<TwoCounters>("a + b < 4", PropertyKind::kAlways,
                                       [](const CounterState& s) { return s.a + s.b < 4; });
  const auto result = search(model, {p}, compacted());
  CHECK_TRUE(result.outcomes[0].verdict == Verdict::kViolated);
  CHECK_TRUE(result.outcomes[0].trace.has_value());
  UNSIGNED_LONGS_EQUAL(4, result.outcomes[0].trace->events.size());
  const auto [states, failed] = wakecheck::explorer::replay(model, result.outcomes[0].trace->events);
  CHECK_FALSE(failed.has_value());
  const auto last = Toy<TwoCounters>::read(states.back().data());
  UNSIGNED_LONGS_EQUAL(4, last.a + last.b);
}

TEST(HashCompaction, BreadthFirstFindsTheShortPathEvenWhenTheLongOneIsListedFirst) {
  const auto p = property<LongAndShortPaths>("not at 5", PropertyKind::kAlways,
                                             [](const NodeState& s) { return s.node != 5; });
  const auto result = search(Toy<LongAndShortPaths>(), {p}, compacted());
  CHECK_TRUE(result.outcomes[0].verdict == Verdict::kViolated);
  UNSIGNED_LONGS_EQUAL(2, result.outcomes[0].trace->events.size());
  CHECK_TRUE(result.outcomes[0].trace->events[0] == EdgeEvent{4});
}

TEST(HashCompaction, AnInvariantThatHoldsHoldsAndAnExampleIsFound) {
  const Toy<TwoCounters> model(TwoCounters{5});
  const auto always = property<TwoCounters>("a <= 5", PropertyKind::kAlways,
                                            [](const CounterState& s) { return s.a <= 5; });
  const auto sometimes = property<TwoCounters>("a == 2 and b == 3", PropertyKind::kSometimes,
                                               [](const CounterState& s) { return s.a == 2 && s.b == 3; });
  const auto never = property<TwoCounters>("a == 6", PropertyKind::kSometimes,
                                           [](const CounterState& s) { return s.a == 6; });
  const auto result = search(model, {always, sometimes, never}, compacted());
  CHECK_TRUE(result.outcomes[0].verdict == Verdict::kHolds);
  CHECK_FALSE(result.outcomes[0].trace.has_value());
  CHECK_TRUE(result.outcomes[1].verdict == Verdict::kHolds);
  UNSIGNED_LONGS_EQUAL(5, result.outcomes[1].trace->events.size());
  CHECK_TRUE(result.outcomes[2].verdict == Verdict::kViolated);
}

TEST(HashCompaction, ALeadsToBrokenByADeadEndIsViolatedWithThatFiniteRun) {
  // 0 -> 1 (a dead end); 0 -> 2 -> 3 (a dead end): "eventually 3" fails on 0, 1.
  const GraphModel graph{{{{1, 0}, {2, 0}}, {}, {{3, 0}}, {}}};
  const auto result = search(Toy<GraphModel>(graph), {eventually_at(3)}, compacted());
  CHECK_TRUE(result.outcomes[0].verdict == Verdict::kViolated);
  CHECK_TRUE(result.outcomes[0].trace.has_value());
  CHECK_FALSE(result.outcomes[0].trace->loop_start.has_value());
  UNSIGNED_LONGS_EQUAL(1, result.outcomes[0].trace->events.size());
  CHECK_TRUE(result.outcomes[0].trace->events[0] == (GraphEvent{1, 0}));
  CHECK_FALSE(result.stats.cycles_unsearched);
}

TEST(HashCompaction, ADeadEndPastTheTargetDoesNotBreakEventually) {
  // 0 -> 1 -> 2 (a dead end), and 0 -> 3 -> 1: "eventually 1" holds, yet 2 is a dead end where the
  // target is false. Its path passed the target, so it is no counterexample; the edge 3 -> 1
  // reaches a known state, so cycles are possible as far as the search knows: the verdict stays
  // open.
  const GraphModel graph{{{{1, 0}, {3, 0}}, {{2, 0}}, {}, {{1, 0}}}};
  const auto full = search(Toy<GraphModel>(graph), {eventually_at(1)});
  CHECK_TRUE(full.outcomes[0].verdict == Verdict::kHolds);
  const auto result = search(Toy<GraphModel>(graph), {eventually_at(1)}, compacted());
  CHECK_TRUE(result.outcomes[0].verdict == Verdict::kUnknown);
  CHECK_TRUE(result.stats.cycles_unsearched);
}

TEST(HashCompaction, OnATreeEveryPathIsCheckedSoALeadsToThatHoldsHolds) {
  // 0 -> 1 -> 2 (a dead end), 0 -> 3 (a dead end at the target): every transition finds a new
  // state, so there is no cycle and each dead end has one path.
  const GraphModel graph{{{{1, 0}, {3, 0}}, {{2, 0}}, {}, {}}};
  const Property reaches = leads_to<GraphModel>("1 or 3", {}, [](const NodeState& s) { return s.node == 1 || s.node == 3; });
  const auto result = search(Toy<GraphModel>(graph), {reaches}, compacted());
  CHECK_TRUE(result.outcomes[0].verdict == Verdict::kHolds);
  CHECK_FALSE(result.stats.cycles_unsearched);
}

TEST(HashCompaction, ALeadsToBrokenOnlyByACycleIsUnknownNotHolds) {
  // 0 -> 1; 1 <-> 2 spin; 1 -> 3 (enabled in 1 only): the spin is a fair run that never reaches
  // 3, which only the full search (with the graph) can find.
  const GraphModel graph{{{{1, 0}}, {{2, 0}, {3, 1}}, {{1, 0}}, {{3, 0}}}};
  const auto full = search(Toy<GraphModel>(graph), {eventually_at(3)});
  CHECK_TRUE(full.outcomes[0].verdict == Verdict::kViolated);
  const auto result = search(Toy<GraphModel>(graph), {eventually_at(3)}, compacted());
  CHECK_TRUE(result.outcomes[0].verdict == Verdict::kUnknown);
  CHECK_TRUE(result.stats.cycles_unsearched);
}

TEST(HashCompaction, StopsAtMaxStatesWithTheRestUnknown) {
  SearchOptions options = compacted();
  options.max_states = 100;
  const auto p = property<TwoCounters>("a <= 40", PropertyKind::kAlways,
                                       [](const CounterState& s) { return s.a <= 40; });
  const auto result = search(Toy<TwoCounters>(TwoCounters{40}), {p}, options);
  CHECK_TRUE(result.stats.stop == Stop::kMaxStates);
  UNSIGNED_LONGS_EQUAL(100, result.stats.states);
  CHECK_TRUE(result.outcomes[0].verdict == Verdict::kUnknown);
}

TEST(HashCompaction, AnyNumberOfThreadsGivesTheSameCountsAndTraces) {
  const Toy<TwoCounters> model(TwoCounters{60});
  const auto p = property<TwoCounters>("a + b < 90", PropertyKind::kAlways,
                                       [](const CounterState& s) { return s.a + s.b < 90; });
  const auto one = search(model, {p}, compacted(1));
  const auto four = search(model, {p}, compacted(4));
  UNSIGNED_LONGS_EQUAL(one.stats.states, four.stats.states);
  UNSIGNED_LONGS_EQUAL(one.stats.transitions, four.stats.transitions);
  CHECK_TRUE(one.outcomes[0].trace->events == four.outcomes[0].trace->events);
}
