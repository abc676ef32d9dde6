// "P leads to Q" under weak fairness (explorer/liveness.hpp), and the fair components it rests on
// (explorer/scc.hpp), on toy graphs whose edges carry fairness keys.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "explorer/scc.hpp"
#include "explorer/search.hpp"

#include <CppUTest/TestHarness.h>

#include "tests/explorer/toys.hpp"

using namespace wakecheck::testing;
using wakecheck::explorer::search;
using wakecheck::explorer::SearchOptions;
using wakecheck::explorer::Verdict;

namespace {

/// 0 -> 1 (a dead end); 0 -> 2 -> 3 (a dead end).
GraphModel dead_end_beside_the_target() { return GraphModel{{{{1, 0}, {2, 0}}, {}, {{3, 0}}, {}}}; }

/// 0 -> 1; 1 <-> 2 spin (key 0); the exit 1 -> 3 (key 1) is enabled in 1 only; 3 loops (key 0).
/// No dead end. The cycle 1, 2, 1, ... takes key 0 and never leaves 1 and 2: key 1 is not enabled
/// in every state of it (not in 2), so weak fairness does not force the exit.
GraphModel fair_spin() { return GraphModel{{{{1, 0}}, {{2, 0}, {3, 1}}, {{1, 0}}, {{3, 0}}}}; }

/// As fair_spin, but 2 also offers the exit (2 -> 3, key 1): key 1 is enabled in every state of
/// the spin and never taken in it, so staying in it forever is not a fair run.
GraphModel unfair_spin() { return GraphModel{{{{1, 0}}, {{2, 0}, {3, 1}}, {{1, 0}, {3, 1}}, {{3, 0}}}}; }

/// As unfair_spin, but both exits are environment events: they need not happen, so the spin is a
/// fair run that never reaches 3.
GraphModel spin_with_environment_exits() {
  return GraphModel{{{{1, 0}}, {{2, 0}, {3, kEnv}}, {{1, 0}, {3, kEnv}}, {{3, 0}}}};
}

/// "eventually `node`" (no condition: from the initial state) on a graph.
Property eventually_at(std::uint8_t node) {
  return leads_to<GraphModel>("eventually " + std::to_string(node), {},
                              [node](const NodeState& s) { return s.node == node; });
}

}  // namespace

TEST_GROUP(LeadsTo){};

TEST(LeadsTo, ViolatedByADeadEndBesideTheTarget) {
  // "eventually node 3": the run 0 -> 1 ends in a dead end without reaching 3. The counterexample
  // is that finite run, with no cycle.
  const auto result = search(Toy<GraphModel>(dead_end_beside_the_target()), {eventually_at(3)});
  UNSIGNED_LONGS_EQUAL(2, result.stats.dead_ends);
  const auto& outcome = result.outcomes[0];
  CHECK_TRUE(outcome.kind == PropertyKind::kLeadsTo);
  CHECK_TRUE(outcome.verdict == Verdict::kViolated);
  CHECK_FALSE(outcome.vacuous);
  CHECK_TRUE(outcome.trace.has_value());
  CHECK_FALSE(outcome.trace->loop_start.has_value());
  CHECK_TRUE(outcome.trace->events == std::vector<GraphEvent>({GraphEvent{1, 0}}));
  check_replays_to(dead_end_beside_the_target(), *outcome.trace, NodeState{1});
}

TEST(LeadsTo, HoldsFromAStateWhoseEveryRunReachesTheTarget) {
  // From 2 the only run is 2 -> 3; from 0 one run ends at 1 instead.
  const auto result = search(Toy<GraphModel>(dead_end_beside_the_target()),
                             {leads_to<GraphModel>("2 leads to 3", [](const NodeState& s) { return s.node == 2; },
                                                   [](const NodeState& s) { return s.node == 3; }),
                              leads_to<GraphModel>("0 leads to 3", [](const NodeState& s) { return s.node == 0; },
                                                   [](const NodeState& s) { return s.node == 3; })});
  CHECK_TRUE(result.outcomes[0].verdict == Verdict::kHolds);
  CHECK_FALSE(result.outcomes[0].trace.has_value());
  CHECK_TRUE(result.outcomes[1].verdict == Verdict::kViolated);
  check_replays_to(dead_end_beside_the_target(), *result.outcomes[1].trace, NodeState{1});
}

TEST(LeadsTo, HoldsOnAnAcyclicModelWhoseOnlyDeadEndIsTheTarget) {
  // Every maximal run of the counters ends at (3,3).
  const auto result = search(Toy<TwoCounters>(TwoCounters{3}),
                             {leads_to<TwoCounters>("eventually full", {},
                                                    [](const CounterState& s) { return s.a == 3 && s.b == 3; })});
  CHECK_TRUE(result.stats.complete());
  CHECK_TRUE(result.outcomes[0].verdict == Verdict::kHolds);
  CHECK_FALSE(result.outcomes[0].trace.has_value());
}

TEST(LeadsTo, AnEnvironmentEventNeedNotHappen) {
  // "eventually paused": the pause is an environment event, so the run that never takes it and
  // ends at (2,0), where only the pause is enabled, violates it. "eventually pos 2" holds: work is
  // never an environment event.
  const auto paused = search(Toy<WorkWithPause>(), {leads_to<WorkWithPause>("eventually paused", {},
                                                                             [](const WorkState& s) { return s.paused == 1; })});
  CHECK_TRUE(paused.outcomes[0].verdict == Verdict::kViolated);
  CHECK_FALSE(paused.outcomes[0].trace->loop_start.has_value());
  check_replays_to(WorkWithPause{}, *paused.outcomes[0].trace, WorkState{2, 0});
  const auto done = search(Toy<WorkWithPause>(), {leads_to<WorkWithPause>("eventually done", {},
                                                                           [](const WorkState& s) { return s.pos == 2; })});
  CHECK_TRUE(done.outcomes[0].verdict == Verdict::kHolds);
}

TEST(LeadsTo, ViolatedOnlyByAFairCycleIsReportedAsALasso) {
  // fair_spin has no dead end; the run 0, 1, 2, 1, 2, ... never reaches 3 and is fair (key 1 is
  // not enabled in 2). The lasso: the prefix 0 -> 1, then the cycle 1 -> 2 -> 1 from index 1.
  const auto result = search(Toy<GraphModel>(fair_spin()), {eventually_at(3)});
  CHECK_TRUE(result.stats.complete());
  UNSIGNED_LONGS_EQUAL(0, result.stats.dead_ends);
  UNSIGNED_LONGS_EQUAL(4, result.stats.states);
  CHECK_TRUE(result.outcomes[0].verdict == Verdict::kViolated);
  const auto& lasso = *result.outcomes[0].trace;
  UNSIGNED_LONGS_EQUAL(1, *lasso.loop_start);
  CHECK_TRUE(lasso.events == std::vector<GraphEvent>({GraphEvent{1, 0}, GraphEvent{2, 0}, GraphEvent{1, 0}}));
  check_replays_to(fair_spin(), lasso, NodeState{1});
  for (const auto& s : states_of(fair_spin(), lasso.events)) CHECK_TRUE(s.node != 3);
}

TEST(LeadsTo, ACounterexampleNeverPassesThroughTheTarget) {
  // 0 -> 1 -> 2 (a dead end) and 0 -> 3 -> 4 -> 2. "eventually 1" is violated by 0, 3, 4, 2:
  // the shortest path to the dead end, 0, 1, 2, passes through the target and is no
  // counterexample. The same trace on one thread and on two (where the components are found while
  // the paths from the initial state are).
  const GraphModel g{{{{1, 0}, {3, 0}}, {{2, 0}}, {}, {{4, 0}}, {{2, 0}}}};
  for (const unsigned threads : {1U, 2U}) {
    SearchOptions options;
    options.threads = threads;
    const auto result = search(Toy<GraphModel>(g), {eventually_at(1)}, options);
    CHECK_TRUE(result.outcomes[0].verdict == Verdict::kViolated);
    const auto& trace = *result.outcomes[0].trace;
    CHECK_FALSE(trace.loop_start.has_value());
    CHECK_TRUE(trace.events == std::vector<GraphEvent>({GraphEvent{3, 0}, GraphEvent{4, 0}, GraphEvent{2, 0}}));
  }
  // Where the target is never left (fair_spin's 3 loops), the lasso is the same on two threads.
  SearchOptions two;
  two.threads = 2;
  const auto lasso = search(Toy<GraphModel>(fair_spin()), {eventually_at(3)}, two).outcomes[0].trace;
  CHECK_TRUE(lasso.has_value());
  CHECK_TRUE(lasso->events == std::vector<GraphEvent>({GraphEvent{1, 0}, GraphEvent{2, 0}, GraphEvent{1, 0}}));
  UNSIGNED_LONGS_EQUAL(1, *lasso->loop_start);
}

TEST(LeadsTo, ACycleWithAKeyEnabledThroughoutButNeverTakenIsNotAViolation) {
  // unfair_spin: staying in 1 <-> 2 forever ignores key 1, enabled in both: not a fair run. Every
  // fair run leaves by an exit and reaches 3.
  const auto result = search(Toy<GraphModel>(unfair_spin()), {eventually_at(3)});
  CHECK_TRUE(result.stats.complete());
  UNSIGNED_LONGS_EQUAL(0, result.stats.dead_ends);
  CHECK_TRUE(result.outcomes[0].verdict == Verdict::kHolds);
  CHECK_FALSE(result.outcomes[0].trace.has_value());
  // A self-loop is a cycle too: spinning in 1 while the exit (key 1) stays enabled is unfair.
  const GraphModel self_loop{{{{1, 0}}, {{1, 0}, {2, 1}}, {{2, 0}}}};
  CHECK_TRUE(search(Toy<GraphModel>(self_loop), {eventually_at(2)}).outcomes[0].verdict == Verdict::kHolds);
  // With the spin and the exit in one fairness class, the spin alone is fair: violated, a lasso
  // whose cycle is the self-loop.
  const GraphModel one_class{{{{1, 0}}, {{1, 0}, {2, 0}}, {{2, 0}}}};
  const auto same = search(Toy<GraphModel>(one_class), {eventually_at(2)});
  CHECK_TRUE(same.outcomes[0].verdict == Verdict::kViolated);
  check_replays_to(one_class, *same.outcomes[0].trace, NodeState{1});
  UNSIGNED_LONGS_EQUAL(1, *same.outcomes[0].trace->loop_start);
  for (std::size_t i = 1; i < same.outcomes[0].trace->events.size(); ++i) {
    CHECK_TRUE(same.outcomes[0].trace->events[i] == GraphEvent({1, 0}));
  }
}

TEST(LeadsTo, EnvironmentExitsDoNotMakeACycleUnfair) {
  const auto result = search(Toy<GraphModel>(spin_with_environment_exits()), {eventually_at(3)});
  // Nodes 1 and 2 are not dead ends (the spin is not an environment event).
  UNSIGNED_LONGS_EQUAL(0, result.stats.dead_ends);
  CHECK_TRUE(result.outcomes[0].verdict == Verdict::kViolated);
  check_replays_to(spin_with_environment_exits(), *result.outcomes[0].trace, NodeState{1});
}

TEST(LeadsTo, IsUnknownWhenTheBoundCutsTheSearchShort) {
  SearchOptions options;
  options.max_states = 2;
  const auto result = search(Toy<GraphModel>(fair_spin()), {eventually_at(3)}, options);
  CHECK_FALSE(result.stats.complete());
  CHECK_TRUE(result.outcomes[0].verdict == Verdict::kUnknown);
  CHECK_FALSE(result.outcomes[0].trace.has_value());
  CHECK_FALSE(result.outcomes[0].vacuous);
}

/// The strongly connected components of a whole explored graph.
wakecheck::explorer::Components all_components(const Explored<GraphModel>& run) {
  const auto n = static_cast<std::uint32_t>(run.states.size());
  return wakecheck::explorer::strong_components(run.x->graph(), n, [](std::uint32_t) { return true; });
}

TEST_GROUP(FairComponents){};

TEST(FairComponents, SplitsTheGraphAndJudgesEachCycleByItsKeys) {
  // fair_spin: components {0}, {1, 2} (a cycle: fair, key 0 demanded), {3} (a self-loop: fair).
  // unfair_spin: {1, 2} demands keys 0 and 1 and takes only 0: unfair.
  for (const bool fair : {true, false}) {
    const Explored<GraphModel> run(fair ? fair_spin() : unfair_spin());
    const auto& g = run.x->graph();
    const auto comps = all_components(run);
    const std::uint32_t one = *run.find(NodeState{1});
    const std::uint32_t two = *run.find(NodeState{2});
    const std::uint32_t three = *run.find(NodeState{3});
    UNSIGNED_LONGS_EQUAL(3, comps.count);
    CHECK_TRUE(comps.of[one] == comps.of[two]);
    CHECK_TRUE(comps.cyclic[comps.of[one]]);
    CHECK_TRUE(comps.cyclic[comps.of[three]]);
    CHECK_FALSE(comps.cyclic[comps.of[0]]);
    const auto fairness = wakecheck::explorer::weak_fairness(g, comps, [&](std::uint32_t v) { return run.x->keys(v); });
    CHECK_EQUAL(fair, fairness.fair[comps.of[one]]);
    CHECK_TRUE(fairness.fair[comps.of[three]]);
    UNSIGNED_LONGS_EQUAL(fair ? 1 : 2, fairness.demanded(comps.of[one]).size());
  }
}

TEST(FairComponents, AKeyPendingThroughoutACycleAndEnabledInSomeStateIsDemanded) {
  // fair_spin: the exit (key 1) is enabled in 1 only, so weak fairness alone lets the spin
  // 1 <-> 2 go on forever. A key held pending in both states (a registered timer, which time
  // makes fire) and enabled in one of them is demanded: the spin becomes unfair. Pending in one
  // state only, or pending throughout but enabled nowhere (key 7), it is not demanded.
  const Explored<GraphModel> run(fair_spin());
  const auto& g = run.x->graph();
  const auto comps = all_components(run);
  const std::uint32_t one = *run.find(NodeState{1});
  const std::uint32_t two = *run.find(NodeState{2});
  auto judge = [&](std::vector<std::uint32_t> pending_in, std::uint16_t key) {
    return wakecheck::explorer::weak_fairness(
        g, comps, [&](std::uint32_t v) { return run.x->keys(v); },
        [&](std::uint32_t v) {
          return std::find(pending_in.begin(), pending_in.end(), v) != pending_in.end()
                     ? std::vector<std::uint16_t>{key}
                     : std::vector<std::uint16_t>{};
        });
  };
  const auto throughout = judge({one, two}, 1);
  CHECK_FALSE(throughout.fair[comps.of[one]]);
  UNSIGNED_LONGS_EQUAL(2, throughout.demanded(comps.of[one]).size());
  CHECK_TRUE(judge({one}, 1).fair[comps.of[one]]);
  CHECK_TRUE(judge({one, two}, 7).fair[comps.of[one]]);
}

TEST(FairComponents, AgreeWithMutualReachabilityOnRandomGraphs) {
  // Random graphs (a fixed generator), restricted to a region: two states of the region share a
  // component exactly when each reaches the other inside it; a component is cyclic exactly when it
  // has two states or a loop; a component comes before every component that reaches it; states
  // outside the region are in none.
  std::uint64_t seed = 12345;
  auto next = [&](std::uint32_t bound) {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<std::uint32_t>((seed >> 33) % bound);
  };
  for (int round = 0; round < 60; ++round) {
    const std::uint32_t nodes = 2 + next(40);
    GraphModel model;
    model.out.resize(nodes);
    for (auto& edges : model.out) {
      const std::uint32_t degree = next(4);
      for (std::uint32_t k = 0; k < degree; ++k) edges.push_back(GraphEvent{static_cast<std::uint8_t>(next(nodes)), 0});
    }
    const Explored<GraphModel> run(model);
    const auto& g = run.x->graph();
    const auto n = static_cast<std::uint32_t>(run.states.size());
    const std::uint32_t cut = next(3);
    auto in = [&](std::uint32_t v) { return v % 3 != cut || v == 0; };
    const auto comps = wakecheck::explorer::strong_components(g, n, in);
    // reach[v][w]: w is reached from v by edges inside the region.
    std::vector<std::vector<bool>> reach(n, std::vector<bool>(n, false));
    for (std::uint32_t v = 0; v < n; ++v) {
      if (!in(v)) continue;
      std::vector<std::uint32_t> queue{v};
      reach[v][v] = true;
      for (std::size_t i = 0; i < queue.size(); ++i) {
        g.for_each_out(queue[i], [&](std::uint32_t, std::uint32_t w) {
          if (in(w) && !reach[v][w]) {
            reach[v][w] = true;
            queue.push_back(w);
          }
        });
      }
    }
    std::vector<std::uint32_t> size(comps.count, 0);
    for (std::uint32_t v = 0; v < n; ++v) {
      if (!in(v)) {
        UNSIGNED_LONGS_EQUAL(wakecheck::explorer::Components::kOutside, comps.of[v]);
        continue;
      }
      CHECK_TRUE(comps.of[v] < comps.count);
      ++size[comps.of[v]];
    }
    for (std::uint32_t v = 0; v < n; ++v) {
      if (!in(v)) continue;
      bool loop = false;
      g.for_each_out(v, [&](std::uint32_t, std::uint32_t w) { loop = loop || w == v; });
      CHECK_EQUAL(size[comps.of[v]] > 1 || loop, static_cast<bool>(comps.cyclic[comps.of[v]]));
      for (std::uint32_t w = 0; w < n; ++w) {
        if (!in(w)) continue;
        CHECK_EQUAL(reach[v][w] && reach[w][v], comps.of[v] == comps.of[w]);
        if (reach[v][w] && comps.of[v] != comps.of[w]) CHECK_TRUE(comps.of[w] < comps.of[v]);
      }
    }
  }
}
