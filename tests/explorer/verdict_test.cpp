// How the explorer decides safety properties (kAlways), reachability (kSometimes) and properties
// of dead ends, on toy models: verdicts, the traces that decide them (fault-minimal, then
// shortest), and vacuity.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "explorer/search.hpp"

#include <CppUTest/TestHarness.h>

#include "tests/explorer/toys.hpp"

using namespace wakecheck::testing;
using wakecheck::explorer::search;
using wakecheck::explorer::SearchOptions;
using wakecheck::explorer::Verdict;

namespace {

// "always a + b < 4": on the counters up to 3 it first fails at depth 4.
wakecheck::explorer::SearchResult<CounterEvent> search_sum_below_four() {
  return search(Toy<TwoCounters>(TwoCounters{3}),
                {property<TwoCounters>("sum below 4", PropertyKind::kAlways,
                                       [](const CounterState& s) { return s.a + s.b < 4; })});
}

}  // namespace

TEST_GROUP(Always){};

TEST(Always, HoldsOverTheWholeSpaceWithoutATrace) {
  const auto result = search(Toy<TwoCounters>(TwoCounters{3}),
                             {property<TwoCounters>("bounded", PropertyKind::kAlways,
                                                    [](const CounterState& s) { return s.a <= 3 && s.b <= 3; })});
  CHECK_TRUE(result.outcomes[0].verdict == Verdict::kHolds);
  CHECK_FALSE(result.outcomes[0].trace.has_value());
  UNSIGNED_LONGS_EQUAL(16, result.stats.states);
}

TEST(Always, TheCounterexampleIsAShortestPathToTheFirstViolatingStateFound) {
  // a + b < 4 first fails at depth 4; of the least-cost states the first in breadth-first order is
  // (3,1), reached by a, a, a, b. The search still explores the whole space.
  const auto result = search_sum_below_four();
  const auto& outcome = result.outcomes[0];
  CHECK_TRUE(outcome.verdict == Verdict::kViolated);
  CHECK_TRUE(outcome.trace.has_value());
  const auto& trace = *outcome.trace;
  UNSIGNED_LONGS_EQUAL(4, trace.events.size());
  CHECK_TRUE(trace.events == std::vector<CounterEvent>({kA, kA, kA, kB}));
  check_replays_to(TwoCounters{3}, trace, CounterState{3, 1});
  UNSIGNED_LONGS_EQUAL(16, result.stats.states);
  CHECK_TRUE(result.stats.complete());
}

TEST(Always, BreadthFirstFindsTheShortPathEvenWhenTheLongOneIsListedFirst) {
  // Node 5 is 4 steps away along the first-listed branch and 2 along the second.
  const auto result = search(Toy<LongAndShortPaths>(), {property<LongAndShortPaths>("never 5", PropertyKind::kAlways,
                                                                                     [](const NodeState& s) { return s.node != 5; })});
  UNSIGNED_LONGS_EQUAL(6, result.stats.states);
  UNSIGNED_LONGS_EQUAL(6, result.stats.transitions);
  UNSIGNED_LONGS_EQUAL(3, result.stats.depth);
  UNSIGNED_LONGS_EQUAL(1, result.stats.dead_ends);
  const auto& outcome = result.outcomes[0];
  CHECK_TRUE(outcome.verdict == Verdict::kViolated);
  CHECK_TRUE(outcome.trace->events == std::vector<EdgeEvent>({EdgeEvent{4}, EdgeEvent{5}}));
  check_replays_to(LongAndShortPaths{}, *outcome.trace, NodeState{5});
}

TEST(Always, ViolatedInTheInitialStateGivesAnEmptyTrace) {
  const auto result = search(Toy<TwoCounters>(TwoCounters{2}),
                             {property<TwoCounters>("never zero", PropertyKind::kAlways,
                                                    [](const CounterState& s) { return s.a + s.b > 0; })});
  CHECK_TRUE(result.outcomes[0].verdict == Verdict::kViolated);
  CHECK_TRUE(result.outcomes[0].trace.has_value());
  UNSIGNED_LONGS_EQUAL(0, result.outcomes[0].trace->events.size());
}

TEST(Always, FewerFaultsBeatFewerSteps) {
  // "never pos 2 and paused": reachable by work, work, pause (3 steps, 1 fault) or pause first;
  // every path has one fault, so the shortest of them: 3 steps. "never paused": one fault, one
  // step (the pause at once).
  const auto result = search(Toy<WorkWithPause>(),
                             {property<WorkWithPause>("not done and paused", PropertyKind::kAlways,
                                                      [](const WorkState& s) { return !(s.pos == 2 && s.paused == 1); }),
                              property<WorkWithPause>("never paused", PropertyKind::kAlways,
                                                      [](const WorkState& s) { return s.paused == 0; })});
  UNSIGNED_LONGS_EQUAL(3, result.outcomes[0].trace->events.size());
  UNSIGNED_LONGS_EQUAL(1, result.outcomes[1].trace->events.size());
  CHECK_TRUE(result.outcomes[1].trace->events[0] == WorkEvent{kPause});
}

TEST_GROUP(Sometimes){};

TEST(Sometimes, HoldsWithAnExampleAtMinimalDepth) {
  const auto result = search(Toy<TwoCounters>(TwoCounters{3}),
                             {property<TwoCounters>("both two", PropertyKind::kSometimes,
                                                    [](const CounterState& s) { return s.a == 2 && s.b == 2; })});
  const auto& outcome = result.outcomes[0];
  CHECK_TRUE(outcome.verdict == Verdict::kHolds);
  UNSIGNED_LONGS_EQUAL(4, outcome.trace->events.size());
  check_replays_to(TwoCounters{3}, *outcome.trace, CounterState{2, 2});
}

TEST(Sometimes, PicksTheFirstExampleInBreadthFirstOrder) {
  // a + b == 2 holds at (2,0), (1,1), (0,2); (2,0) is reached first.
  const auto result = search(Toy<TwoCounters>(TwoCounters{3}),
                             {property<TwoCounters>("sum two", PropertyKind::kSometimes,
                                                    [](const CounterState& s) { return s.a + s.b == 2; })});
  CHECK_TRUE(result.outcomes[0].verdict == Verdict::kHolds);
  CHECK_TRUE(end_of(TwoCounters{3}, *result.outcomes[0].trace) == CounterState({2, 0}));
}

TEST(Sometimes, HoldsInTheInitialStateWithAnEmptyExample) {
  const auto result = search(Toy<TwoCounters>(TwoCounters{3}),
                             {property<TwoCounters>("start", PropertyKind::kSometimes,
                                                    [](const CounterState& s) { return s.a == 0; })});
  CHECK_TRUE(result.outcomes[0].verdict == Verdict::kHolds);
  UNSIGNED_LONGS_EQUAL(0, result.outcomes[0].trace->events.size());
}

TEST(Sometimes, ViolatedWhenNeverReachedInACompleteSearch) {
  const auto result = search(Toy<TwoCounters>(TwoCounters{3}),
                             {property<TwoCounters>("a reaches 4", PropertyKind::kSometimes,
                                                    [](const CounterState& s) { return s.a == 4; })});
  CHECK_TRUE(result.stats.complete());
  CHECK_TRUE(result.outcomes[0].verdict == Verdict::kViolated);
  CHECK_FALSE(result.outcomes[0].trace.has_value());
}

TEST_GROUP(AtDeadEnds){};

TEST(AtDeadEnds, HoldsWhenItFailsOnlyAtStatesThatAreNotDeadEnds) {
  // pos == 2 fails at (0,*) and (1,*), none of which is a dead end; it holds at both dead ends.
  const auto at_ends = search(Toy<WorkWithPause>(), {property<WorkWithPause>("finished", PropertyKind::kAtDeadEnds,
                                                                              [](const WorkState& s) { return s.pos == 2; })});
  CHECK_TRUE(at_ends.outcomes[0].verdict == Verdict::kHolds);
  CHECK_FALSE(at_ends.outcomes[0].trace.has_value());
  // The same condition as kAlways is violated, in the initial state.
  const auto always = search(Toy<WorkWithPause>(), {property<WorkWithPause>("finished", PropertyKind::kAlways,
                                                                             [](const WorkState& s) { return s.pos == 2; })});
  CHECK_TRUE(always.outcomes[0].verdict == Verdict::kViolated);
  UNSIGNED_LONGS_EQUAL(0, always.outcomes[0].trace->events.size());
}

TEST(AtDeadEnds, AStateWithOnlyEnvironmentEventsIsADeadEnd) {
  // paused == 1 fails at (0,0), (1,0) and (2,0); only (2,0) is a dead end, and only because its one
  // enabled event (the pause) is an environment event.
  const auto result = search(Toy<WorkWithPause>(), {property<WorkWithPause>("paused at the end", PropertyKind::kAtDeadEnds,
                                                                             [](const WorkState& s) { return s.paused == 1; })});
  const auto& outcome = result.outcomes[0];
  CHECK_TRUE(outcome.verdict == Verdict::kViolated);
  CHECK_TRUE(outcome.trace->events == std::vector<WorkEvent>({WorkEvent{kWork}, WorkEvent{kWork}}));
  check_replays_to(WorkWithPause{}, *outcome.trace, WorkState{2, 0});
}

TEST(AtDeadEnds, AStateWithNoEventsIsADeadEnd) {
  // Fails only at (2,1), which has no enabled event at all, three steps away.
  const auto result = search(Toy<WorkWithPause>(),
                             {property<WorkWithPause>("not paused and finished", PropertyKind::kAtDeadEnds,
                                                      [](const WorkState& s) { return !(s.pos == 2 && s.paused == 1); })});
  CHECK_TRUE(result.outcomes[0].verdict == Verdict::kViolated);
  check_replays_to(WorkWithPause{}, *result.outcomes[0].trace, WorkState{2, 1});
  UNSIGNED_LONGS_EQUAL(3, result.outcomes[0].trace->events.size());
}

TEST(AtDeadEnds, IsNotCheckedAtStatesWithANonEnvironmentEvent) {
  // In the counters every state but (3,3) has an event; a condition false everywhere except at
  // (3,3) holds at dead ends, and one false only at (3,3) is violated there, six steps away.
  const auto holds = search(Toy<TwoCounters>(TwoCounters{3}),
                            {property<TwoCounters>("full", PropertyKind::kAtDeadEnds,
                                                   [](const CounterState& s) { return s.a == 3 && s.b == 3; })});
  CHECK_TRUE(holds.outcomes[0].verdict == Verdict::kHolds);
  const auto violated = search(Toy<TwoCounters>(TwoCounters{3}),
                               {property<TwoCounters>("not full", PropertyKind::kAtDeadEnds,
                                                      [](const CounterState& s) { return !(s.a == 3 && s.b == 3); })});
  CHECK_TRUE(violated.outcomes[0].verdict == Verdict::kViolated);
  check_replays_to(TwoCounters{3}, *violated.outcomes[0].trace, CounterState{3, 3});
  UNSIGNED_LONGS_EQUAL(6, violated.outcomes[0].trace->events.size());
}

TEST(AtDeadEnds, AViolationFoundBeforeTheBoundStaysViolated) {
  // EarlyDeadEnd stores 0; 1, 2; expands the dead end 1 (a violation), then 2 -> 3 and 3 -> 4 (5
  // states), and stops at 4's event: node 5 and beyond are never stored.
  SearchOptions options;
  options.max_states = 5;
  const auto result = search(Toy<EarlyDeadEnd>(),
                             {property<EarlyDeadEnd>("never stuck at 1", PropertyKind::kAtDeadEnds,
                                                     [](const NodeState& s) { return s.node != 1; }),
                              property<EarlyDeadEnd>("never stuck at 9", PropertyKind::kAtDeadEnds,
                                                     [](const NodeState& s) { return s.node != 9; })},
                             options);
  CHECK_FALSE(result.stats.complete());
  UNSIGNED_LONGS_EQUAL(5, result.stats.states);
  UNSIGNED_LONGS_EQUAL(1, result.stats.dead_ends);
  CHECK_TRUE(result.outcomes[0].verdict == Verdict::kViolated);
  CHECK_TRUE(result.outcomes[1].verdict == Verdict::kUnknown);
  // Unbounded, both are violated: 10 states, 9 transitions, dead ends 1 and 9, depth 8.
  const auto full = search(Toy<EarlyDeadEnd>(), {property<EarlyDeadEnd>("never stuck at 9", PropertyKind::kAtDeadEnds,
                                                                         [](const NodeState& s) { return s.node != 9; })});
  CHECK_TRUE(full.stats.complete());
  UNSIGNED_LONGS_EQUAL(10, full.stats.states);
  UNSIGNED_LONGS_EQUAL(9, full.stats.transitions);
  UNSIGNED_LONGS_EQUAL(2, full.stats.dead_ends);
  UNSIGNED_LONGS_EQUAL(8, full.stats.depth);
  check_replays_to(EarlyDeadEnd{}, *full.outcomes[0].trace, NodeState{9});
}

TEST_GROUP(Vacuity){};

TEST(Vacuity, LeadsToWhoseConditionNeverHoldsIsVacuous) {
  // The antecedent of "P leads_to Q" is P. Node 7 does not exist: the property holds vacuously.
  const GraphModel graph{{{{1, 0}, {2, 0}}, {}, {{3, 0}}, {}}};
  auto never = leads_to<GraphModel>("7 leads to 3", [](const NodeState& s) { return s.node == 7; },
                                    [](const NodeState& s) { return s.node == 3; });
  never.antecedent = never.condition;
  auto sometimes = leads_to<GraphModel>("2 leads to 3", [](const NodeState& s) { return s.node == 2; },
                                        [](const NodeState& s) { return s.node == 3; });
  sometimes.antecedent = sometimes.condition;
  const auto result = search(Toy<GraphModel>(graph), {never, sometimes});
  CHECK_TRUE(result.outcomes[0].verdict == Verdict::kHolds);
  CHECK_TRUE(result.outcomes[0].vacuous);
  CHECK_FALSE(result.outcomes[0].trace.has_value());
  CHECK_TRUE(result.outcomes[1].verdict == Verdict::kHolds);
  CHECK_FALSE(result.outcomes[1].vacuous);
}

TEST(Vacuity, AlwaysWithAnAntecedentThatNeverHoldsIsVacuous) {
  // "always (a == 4 implies b == 0)" on the counters up to 3: a is never 4. "always (a == 3
  // implies b <= 3)": a reaches 3, so it holds, not vacuously. Without an antecedent nothing is.
  auto implication = property<TwoCounters>("a four implies b zero", PropertyKind::kAlways,
                                           [](const CounterState& s) { return s.a != 4 || s.b == 0; });
  implication.antecedent = wakecheck::explorer::on_values<CounterState>([](const CounterState& s) { return s.a == 4; });
  auto reached = property<TwoCounters>("a three implies b at most three", PropertyKind::kAlways,
                                       [](const CounterState& s) { return s.a != 3 || s.b <= 3; });
  reached.antecedent = wakecheck::explorer::on_values<CounterState>([](const CounterState& s) { return s.a == 3; });
  const auto plain = property<TwoCounters>("bounded", PropertyKind::kAlways, [](const CounterState& s) { return s.a <= 3; });
  const auto result = search(Toy<TwoCounters>(TwoCounters{3}), {implication, reached, plain});
  CHECK_TRUE(result.outcomes[0].verdict == Verdict::kHolds);
  CHECK_TRUE(result.outcomes[0].vacuous);
  CHECK_TRUE(result.outcomes[1].verdict == Verdict::kHolds);
  CHECK_FALSE(result.outcomes[1].vacuous);
  CHECK_TRUE(result.outcomes[2].verdict == Verdict::kHolds);
  CHECK_FALSE(result.outcomes[2].vacuous);
}

TEST(Vacuity, AnIncompleteSearchIsNeverVacuous) {
  // The antecedent might hold beyond the bound.
  auto implication = property<TwoCounters>("a four implies b zero", PropertyKind::kAlways,
                                           [](const CounterState& s) { return s.a != 4 || s.b == 0; });
  implication.antecedent = wakecheck::explorer::on_values<CounterState>([](const CounterState& s) { return s.a == 4; });
  SearchOptions options;
  options.max_states = 5;
  const auto result = search(Toy<TwoCounters>(TwoCounters{3}), {implication}, options);
  CHECK_FALSE(result.stats.complete());
  CHECK_TRUE(result.outcomes[0].verdict == Verdict::kUnknown);
  CHECK_FALSE(result.outcomes[0].vacuous);
}
