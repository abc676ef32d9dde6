// The breadth-first search on toy models (tests/explorer/toys.hpp): what it counts, the order it
// stores states in, its bounds (states, memory, time), and that it is deterministic.
#include <array>
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
using wakecheck::explorer::Stop;
using wakecheck::explorer::Verdict;

TEST_GROUP(Search){};

TEST(Search, CountsEveryReachableStateOnceInTwoIndependentCounters) {
  // N = 3: (3+1)^2 = 16 states, 2*3*4 = 24 transitions, depth 6, one dead end (3, 3).
  const Explored<TwoCounters> run(TwoCounters{3});
  const auto& stats = run.x->stats();
  UNSIGNED_LONGS_EQUAL(16, stats.states);
  UNSIGNED_LONGS_EQUAL(16, run.states.size());
  UNSIGNED_LONGS_EQUAL(24, stats.transitions);
  UNSIGNED_LONGS_EQUAL(6, stats.depth);
  UNSIGNED_LONGS_EQUAL(1, stats.dead_ends);
  CHECK_TRUE(stats.complete());
  CHECK_TRUE(stats.memory_bytes > 0);
  // Every pair is present exactly once, at depth a + b.
  for (std::uint8_t a = 0; a <= 3; ++a) {
    for (std::uint8_t b = 0; b <= 3; ++b) {
      std::size_t copies = 0;
      for (std::uint32_t i = 0; i < run.states.size(); ++i) {
        if (run.states[i] == CounterState{a, b}) {
          ++copies;
          UNSIGNED_LONGS_EQUAL(a + b, run.depth[i]);
        }
      }
      UNSIGNED_LONGS_EQUAL(1, copies);
    }
  }
}

TEST(Search, CountsALargerSpaceThatOutgrowsTheInitialHashTable) {
  // N = 40: 41^2 = 1681 states (more than the 1024-slot initial index holds at 70% load),
  // 2*40*41 = 3280 transitions, depth 80, one dead end.
  const auto result = search(Toy<TwoCounters>(TwoCounters{40}), {});
  UNSIGNED_LONGS_EQUAL(1681, result.stats.states);
  UNSIGNED_LONGS_EQUAL(3280, result.stats.transitions);
  UNSIGNED_LONGS_EQUAL(80, result.stats.depth);
  UNSIGNED_LONGS_EQUAL(1, result.stats.dead_ends);
  CHECK_TRUE(result.stats.complete());
}

TEST(Search, StatesAreStoredInBreadthFirstOrder) {
  // Expanding (0,0) gives (1,0), (0,1); (1,0) gives (2,0), (1,1); (0,1) gives (0,2) (its (1,1) is
  // known); and so on.
  const Explored<TwoCounters> run(TwoCounters{3});
  const std::array<CounterState, 10> expected{
      {{0, 0}, {1, 0}, {0, 1}, {2, 0}, {1, 1}, {0, 2}, {3, 0}, {2, 1}, {1, 2}, {0, 3}}};
  for (std::uint32_t i = 0; i < expected.size(); ++i) CHECK_TRUE(expected[i] == run.states[i]);
  for (std::uint32_t i = 1; i < run.states.size(); ++i) CHECK_TRUE(run.depth[i] >= run.depth[i - 1]);
}

TEST(Search, TheGraphKeepsEveryTransitionInEnabledOrder) {
  // (1,1) is reached from (1,0) by inc b and from (0,1) by inc a: both edges are kept, and edge k
  // of a state is its k-th enabled event.
  const Explored<TwoCounters> run(TwoCounters{3});
  const auto& g = run.x->graph();
  UNSIGNED_LONGS_EQUAL(24, g.edge_count());
  const std::uint32_t diamond = *run.find(CounterState{1, 1});
  std::vector<std::uint32_t> into;
  for (std::uint32_t v = 0; v < run.states.size(); ++v) {
    g.for_each_out(v, [&](std::uint32_t e, std::uint32_t w) {
      if (w == diamond) into.push_back(e);
    });
  }
  UNSIGNED_LONGS_EQUAL(2, into.size());
  CHECK_TRUE(run.states[g.source(into[0])] == CounterState({1, 0}));
  UNSIGNED_LONGS_EQUAL(1, g.choice(into[0]));  // (1,0): inc a, then inc b
  CHECK_TRUE(run.states[g.source(into[1])] == CounterState({0, 1}));
  UNSIGNED_LONGS_EQUAL(0, g.choice(into[1]));
  CHECK_TRUE(run.x->events(g.source(into[0]))[g.choice(into[0])] == kB);
}

TEST(Search, CountsTransitionsToKnownStatesInACyclicGraph) {
  // Ring of 5 with steps +1, +2: 5 states, 10 transitions, depth 2, no dead ends.
  const auto result = search(Toy<Ring>(), {});
  UNSIGNED_LONGS_EQUAL(5, result.stats.states);
  UNSIGNED_LONGS_EQUAL(10, result.stats.transitions);
  UNSIGNED_LONGS_EQUAL(2, result.stats.depth);
  UNSIGNED_LONGS_EQUAL(0, result.stats.dead_ends);
  CHECK_TRUE(result.stats.complete());
}

TEST(Search, ExploresEnvironmentEventsAndCountsEnvironmentOnlyStatesAsDeadEnds) {
  // See WorkWithPause: 6 states, 7 transitions, depth 3, dead ends (2,0) and (2,1).
  const Explored<WorkWithPause> run(WorkWithPause{});
  UNSIGNED_LONGS_EQUAL(6, run.x->stats().states);
  UNSIGNED_LONGS_EQUAL(7, run.x->stats().transitions);
  UNSIGNED_LONGS_EQUAL(3, run.x->stats().depth);
  UNSIGNED_LONGS_EQUAL(2, run.x->stats().dead_ends);
  CHECK_TRUE(run.x->dead_end(*run.find(WorkState{2, 0})));
  CHECK_TRUE(run.x->dead_end(*run.find(WorkState{2, 1})));
  CHECK_FALSE(run.x->dead_end(*run.find(WorkState{1, 1})));
  // Environment edges are marked: the pause from (0,0) is one, the work is not.
  const auto& g = run.x->graph();
  CHECK_FALSE(g.environment(g.first(0)));
  CHECK_TRUE(g.environment(g.first(0) + 1));
}

TEST(Search, ReportsPropertyNamesAndKindsInTheOrderGiven) {
  const auto result =
      search(Toy<TwoCounters>(TwoCounters{1}),
             {property<TwoCounters>("first", PropertyKind::kSometimes, [](const CounterState&) { return true; }),
              property<TwoCounters>("second", PropertyKind::kAtDeadEnds, [](const CounterState&) { return true; }),
              property<TwoCounters>("third", PropertyKind::kAlways, [](const CounterState&) { return true; })});
  UNSIGNED_LONGS_EQUAL(3, result.outcomes.size());
  STRCMP_EQUAL("first", result.outcomes[0].name.c_str());
  STRCMP_EQUAL("second", result.outcomes[1].name.c_str());
  STRCMP_EQUAL("third", result.outcomes[2].name.c_str());
  CHECK_TRUE(result.outcomes[0].kind == PropertyKind::kSometimes);
  CHECK_TRUE(result.outcomes[1].kind == PropertyKind::kAtDeadEnds);
  CHECK_TRUE(result.outcomes[2].kind == PropertyKind::kAlways);
  for (const auto& outcome : result.outcomes) CHECK_TRUE(outcome.verdict == Verdict::kHolds);
}

TEST(Search, StoresStatesPackedToTheBitsTheModelGives) {
  // A value model keeps every byte whole: two bytes of counters take 16 bits, in one word.
  const auto result = search(Toy<TwoCounters>(TwoCounters{3}), {});
  UNSIGNED_LONGS_EQUAL(8, result.stats.state_bytes);
  UNSIGNED_LONGS_EQUAL(16, result.stats.packed_bits);
}

// ----------------------------------------------------------------------------------------------
TEST_GROUP(Bound){};

namespace {

// With N = 3 and max_states = 5 the search stores (0,0), (1,0), (0,1), (2,0), (1,1), then stops
// at the first event of (0,1) that leads to a new state: depth reached 2.
wakecheck::explorer::SearchResult<CounterEvent> bounded_counters() {
  SearchOptions options;
  options.max_states = 5;
  return search(Toy<TwoCounters>(TwoCounters{3}),
                {property<TwoCounters>("sum below 2", PropertyKind::kAlways,
                                       [](const CounterState& s) { return s.a + s.b < 2; }),
                 property<TwoCounters>("a below 3", PropertyKind::kAlways, [](const CounterState& s) { return s.a < 3; }),
                 property<TwoCounters>("a reaches 3", PropertyKind::kSometimes,
                                       [](const CounterState& s) { return s.a == 3; }),
                 property<TwoCounters>("b reaches 1", PropertyKind::kSometimes,
                                       [](const CounterState& s) { return s.b == 1; }),
                 property<TwoCounters>("full at the end", PropertyKind::kAtDeadEnds,
                                       [](const CounterState& s) { return s.a == 3 && s.b == 3; })},
                options);
}

// The counters up to 3 (16 states) searched for "a below 4", which holds, with at most
// `max_states` states stored.
wakecheck::explorer::SearchResult<CounterEvent> counters_bounded_at(std::size_t max_states) {
  SearchOptions options;
  options.max_states = max_states;
  return search(Toy<TwoCounters>(TwoCounters{3}),
                {property<TwoCounters>("a below 4", PropertyKind::kAlways, [](const CounterState& s) { return s.a < 4; })},
                options);
}

}  // namespace

TEST(Bound, StopsAtMaxStatesAndMarksTheSearchIncomplete) {
  const auto result = bounded_counters();
  CHECK_FALSE(result.stats.complete());
  CHECK_TRUE(result.stats.stop == Stop::kMaxStates);
  UNSIGNED_LONGS_EQUAL(5, result.stats.states);
  UNSIGNED_LONGS_EQUAL(2, result.stats.depth);
  UNSIGNED_LONGS_EQUAL(0, result.stats.dead_ends);
}

TEST(Bound, UndecidedPropertiesAreUnknownAndDecidedOnesKeepTheirVerdict) {
  const auto result = bounded_counters();
  CHECK_TRUE(result.outcomes[1].verdict == Verdict::kUnknown);  // kAlways not yet violated
  CHECK_TRUE(result.outcomes[2].verdict == Verdict::kUnknown);  // kSometimes not yet seen
  CHECK_TRUE(result.outcomes[4].verdict == Verdict::kUnknown);  // kAtDeadEnds: no dead end yet
  // a + b < 2 is violated at (2,0) before the bound; b == 1 holds at (0,1).
  CHECK_TRUE(result.outcomes[0].verdict == Verdict::kViolated);
  CHECK_TRUE(result.outcomes[3].verdict == Verdict::kHolds);
}

TEST(Bound, ABoundAboveOrEqualToTheStateCountLeavesTheSearchComplete) {
  for (const std::size_t bound : {std::size_t{16}, std::size_t{17}}) {
    const auto result = counters_bounded_at(bound);
    CHECK_TRUE(result.stats.complete());
    UNSIGNED_LONGS_EQUAL(16, result.stats.states);
    UNSIGNED_LONGS_EQUAL(24, result.stats.transitions);
    CHECK_TRUE(result.outcomes[0].verdict == Verdict::kHolds);
  }
}

TEST(Bound, CountsOnlyTransitionsActuallyApplied) {
  // The bound stops the search only at a new state it has no room for. With the bound of 5 the
  // search applies (0,0)->(1,0), (0,0)->(0,1), (1,0)->(2,0), (1,0)->(1,1) and (0,1)->(1,1) (a
  // known state: room is not needed); then (0,1)->(0,2) would be a sixth state, so it is not
  // counted and the search stops.
  const auto result = bounded_counters();
  UNSIGNED_LONGS_EQUAL(5, result.stats.transitions);
}

TEST(Bound, AMemoryBudgetTooSmallEndsTheSearchIncompleteInsteadOfFailing) {
  // The records of the first states alone need more than 4 KiB (the store takes memory in
  // chunks): the search stops, incomplete, with whatever it had decided.
  SearchOptions options;
  options.max_memory = 4096;
  const auto result = search(Toy<TwoCounters>(TwoCounters{40}),
                             {property<TwoCounters>("a below 50", PropertyKind::kAlways,
                                                    [](const CounterState& s) { return s.a < 50; })},
                             options);
  CHECK_FALSE(result.stats.complete());
  CHECK_TRUE(result.stats.stop == Stop::kMemory);
  CHECK_TRUE(result.outcomes[0].verdict == Verdict::kUnknown);
  CHECK_TRUE(result.stats.memory_bytes <= 4096);
}

TEST(Bound, ANegligibleTimeLimitEndsALargeSearchIncomplete) {
  SearchOptions options;
  options.time_limit = 1e-9;
  const auto result = search(Toy<TwoCounters>(TwoCounters{250}), {}, options);
  CHECK_FALSE(result.stats.complete());
  CHECK_TRUE(result.stats.stop == Stop::kTime);
  CHECK_TRUE(result.stats.states < 251U * 251U);
}

TEST(Bound, ProgressIsReportedWhileALongSearchRuns) {
  // A search of 63,001 states calls the progress callback only after a second: none here, or a
  // few with growing counts on a slow machine. Either way the figures never go backwards.
  SearchOptions options;
  std::vector<wakecheck::explorer::Progress> seen;
  options.progress = [&](const wakecheck::explorer::Progress& p) { seen.push_back(p); };
  const auto result = search(Toy<TwoCounters>(TwoCounters{250}), {}, options);
  CHECK_TRUE(result.stats.complete());
  for (std::size_t i = 1; i < seen.size(); ++i) CHECK_TRUE(seen[i].states >= seen[i - 1].states);
}

// ----------------------------------------------------------------------------------------------
TEST_GROUP(Determinism){};

TEST(Determinism, TwoSearchesGiveIdenticalCountsVerdictsAndTraces) {
  const Toy<TwoCounters> model(TwoCounters{5});
  const std::vector<Property> properties{
      property<TwoCounters>("sum below 7", PropertyKind::kAlways, [](const CounterState& s) { return s.a + s.b < 7; }),
      property<TwoCounters>("b four a one", PropertyKind::kSometimes,
                            [](const CounterState& s) { return s.a == 1 && s.b == 4; }),
      property<TwoCounters>("a full at the end", PropertyKind::kAtDeadEnds, [](const CounterState& s) { return s.a < 5; })};
  const auto first = search(model, properties);
  const auto second = search(model, properties);
  UNSIGNED_LONGS_EQUAL(36, first.stats.states);
  UNSIGNED_LONGS_EQUAL(60, first.stats.transitions);
  UNSIGNED_LONGS_EQUAL(first.stats.states, second.stats.states);
  UNSIGNED_LONGS_EQUAL(first.stats.transitions, second.stats.transitions);
  UNSIGNED_LONGS_EQUAL(first.stats.depth, second.stats.depth);
  UNSIGNED_LONGS_EQUAL(first.stats.dead_ends, second.stats.dead_ends);
  for (std::size_t p = 0; p < first.outcomes.size(); ++p) {
    CHECK_TRUE(first.outcomes[p].verdict == second.outcomes[p].verdict);
    CHECK_TRUE(first.outcomes[p].trace.has_value());
    CHECK_TRUE(first.outcomes[p].trace->events == second.outcomes[p].trace->events);
  }
  CHECK_TRUE(first.outcomes[0].verdict == Verdict::kViolated);
  CHECK_TRUE(first.outcomes[1].verdict == Verdict::kHolds);
  CHECK_TRUE(first.outcomes[2].verdict == Verdict::kViolated);
  CHECK_TRUE(end_of(model.rules(), *first.outcomes[1].trace) == CounterState({1, 4}));
}

TEST(Determinism, AnyNumberOfThreadsGivesTheSameIdsCountsVerdictsAndTraces) {
  // 201^2 = 40,401 states: many chunks of work in flight at once. Ids are handed out by one
  // thread in breadth-first order, so the stored states, the graph and the traces are those of
  // one thread whatever the number of threads.
  const Toy<TwoCounters> model(TwoCounters{200});
  const std::vector<Property> properties{
      property<TwoCounters>("sum below 300", PropertyKind::kAlways, [](const CounterState& s) { return s.a + s.b < 300; }),
      property<TwoCounters>("b 150 a 3", PropertyKind::kSometimes,
                            [](const CounterState& s) { return s.a == 3 && s.b == 150; }),
      property<TwoCounters>("a full at the end", PropertyKind::kAtDeadEnds, [](const CounterState& s) { return s.a < 200; })};
  SearchOptions one;
  one.threads = 1;
  const auto single = explore(model, properties, one);
  const auto reference = search(model, properties, one);
  UNSIGNED_LONGS_EQUAL(40401, reference.stats.states);
  for (const unsigned threads : {2U, 3U, 8U}) {
    SearchOptions many;
    many.threads = threads;
    const auto parallel = explore(model, properties, many);
    UNSIGNED_LONGS_EQUAL(single.first->size(), parallel.first->size());
    for (std::uint32_t v = 0; v < single.first->size(); v += 97) {
      CHECK_TRUE(single.first->state(v) == parallel.first->state(v));
      const auto& g = single.first->graph();
      const auto& h = parallel.first->graph();
      UNSIGNED_LONGS_EQUAL(g.first(v), h.first(v));
      UNSIGNED_LONGS_EQUAL(g.end(v), h.end(v));
      for (std::uint32_t e = g.first(v); e < g.end(v); ++e) UNSIGNED_LONGS_EQUAL(g.target(e), h.target(e));
    }
    CHECK_TRUE(single.second.first == parallel.second.first);
    const auto result = search(model, properties, many);
    UNSIGNED_LONGS_EQUAL(reference.stats.transitions, result.stats.transitions);
    UNSIGNED_LONGS_EQUAL(reference.stats.depth, result.stats.depth);
    UNSIGNED_LONGS_EQUAL(reference.stats.dead_ends, result.stats.dead_ends);
    for (std::size_t p = 0; p < reference.outcomes.size(); ++p) {
      CHECK_TRUE(reference.outcomes[p].verdict == result.outcomes[p].verdict);
      CHECK_TRUE(reference.outcomes[p].trace->events == result.outcomes[p].trace->events);
    }
  }
}

TEST(Determinism, ABoundStopsAtTheSameStateWhateverTheNumberOfThreads) {
  const Toy<TwoCounters> model(TwoCounters{200});
  SearchOptions one;
  one.threads = 1;
  one.max_states = 5000;
  SearchOptions four = one;
  four.threads = 4;
  const auto a = search(model, {}, one);
  const auto b = search(model, {}, four);
  CHECK_TRUE(a.stats.stop == Stop::kMaxStates);
  CHECK_TRUE(b.stats.stop == Stop::kMaxStates);
  UNSIGNED_LONGS_EQUAL(a.stats.states, b.stats.states);
  UNSIGNED_LONGS_EQUAL(a.stats.transitions, b.stats.transitions);
}

TEST_GROUP(FirstCounterexample){};

TEST(FirstCounterexample, StopsSoonAfterTheFirstViolationWithAShortestTraceAndLeavesTheRestUnknown) {
  // The invariant a + b < 10 first fails at depth 10 of a 40,401-state space: the search stops
  // at the end of the chunk that found it, the trace has 10 steps (breadth-first), and a property
  // that holds everywhere is left unknown, not declared to hold.
  const Toy<TwoCounters> model(TwoCounters{200});
  const std::vector<Property> properties{
      property<TwoCounters>("sum below 10", PropertyKind::kAlways, [](const CounterState& s) { return s.a + s.b < 10; }),
      property<TwoCounters>("sum at most 400", PropertyKind::kAlways,
                            [](const CounterState& s) { return s.a + s.b <= 400; })};
  SearchOptions options;
  options.first = true;
  const auto result = search(model, properties, options);
  CHECK_TRUE(result.stats.stop == Stop::kFirst);
  CHECK_FALSE(result.stats.complete());
  CHECK_TRUE(result.stats.states < 2000);
  CHECK_TRUE(result.outcomes[0].verdict == Verdict::kViolated);
  UNSIGNED_LONGS_EQUAL(10, result.outcomes[0].trace->events.size());
  const CounterState end = end_of(model.rules(), *result.outcomes[0].trace);
  UNSIGNED_LONGS_EQUAL(10, end.a + end.b);
  CHECK_TRUE(result.outcomes[1].verdict == Verdict::kUnknown);
}

TEST(FirstCounterexample, ADeadEndWhereALeadsToTargetIsFalseStopsTheSearchAndIsReported) {
  // EarlyDeadEnd: node 1, one step from the initial state, is a dead end; node 9 is the goal.
  const Toy<EarlyDeadEnd> model{EarlyDeadEnd{}};
  std::vector<Property> properties{
      leads_to<EarlyDeadEnd>("reaches node 9", nullptr, [](const NodeState& s) { return s.node == 9; })};
  SearchOptions options;
  options.first = true;
  const auto first = search(model, properties, options);
  const auto full = search(model, properties);
  CHECK_TRUE(full.outcomes[0].verdict == Verdict::kViolated);
  CHECK_TRUE(first.outcomes[0].verdict == Verdict::kViolated);
  CHECK_TRUE(first.outcomes[0].trace->events == full.outcomes[0].trace->events);
}

TEST(FirstCounterexample, AnyNumberOfThreadsStopsAtTheSameState) {
  const Toy<TwoCounters> model(TwoCounters{200});
  const std::vector<Property> properties{
      property<TwoCounters>("sum below 30", PropertyKind::kAlways, [](const CounterState& s) { return s.a + s.b < 30; })};
  SearchOptions one;
  one.first = true;
  one.threads = 1;
  SearchOptions four = one;
  four.threads = 4;
  const auto a = search(model, properties, one);
  const auto b = search(model, properties, four);
  UNSIGNED_LONGS_EQUAL(a.stats.states, b.stats.states);
  UNSIGNED_LONGS_EQUAL(a.stats.transitions, b.stats.transitions);
  CHECK_TRUE(a.outcomes[0].trace->events == b.outcomes[0].trace->events);
}
