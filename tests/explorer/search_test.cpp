// Tests for the generic explorer (hashing, the state store, breadth-first search, traces and
// replay) on small toy models defined here, so that a bug in the tokio model cannot hide a bug
// in the search. Every expected count below is worked out by hand in the comment next to it.
#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "explorer/hash.hpp"
#include "explorer/model.hpp"
#include "explorer/property.hpp"
#include "explorer/search.hpp"
#include "explorer/state_store.hpp"

#include <CppUTest/TestHarness.h>

using wakecheck::explorer::hash_bytes;
using wakecheck::explorer::hash_value;
using wakecheck::explorer::HashableValue;
using wakecheck::explorer::index_of;
using wakecheck::explorer::Model;
using wakecheck::explorer::Property;
using wakecheck::explorer::PropertyKind;
using wakecheck::explorer::replay;
using wakecheck::explorer::search;
using wakecheck::explorer::SearchOptions;
using wakecheck::explorer::SearchResult;
using wakecheck::explorer::StateId;
using wakecheck::explorer::StateStore;
using wakecheck::explorer::Trace;
using wakecheck::explorer::Verdict;

namespace {

// --- Toy model 1: two counters, each incremented independently from 0 up to `limit` (N). ------
//
// States are the pairs (a, b) with 0 <= a, b <= N: (N+1)^2 of them. A state has one event per
// counter below N, so the transitions number sum over states of [a<N] + [b<N] = 2 * N * (N+1).
// The state (a, b) is at breadth-first depth a + b, so the depth is 2N, and (N, N) is the only
// state with no event: one dead end. Every (a, b) with a, b > 0 is reached by two paths (a
// diamond), so transitions exceed states - 1.

struct CounterState {
  std::uint8_t a;
  std::uint8_t b;
  bool operator==(const CounterState&) const = default;
};

struct CounterEvent {
  std::uint8_t which;  // kIncA or kIncB
  bool operator==(const CounterEvent&) const = default;
};

constexpr std::uint8_t kIncA = 0;
constexpr std::uint8_t kIncB = 1;
constexpr CounterEvent kA{kIncA};
constexpr CounterEvent kB{kIncB};

struct TwoCounters {
  using State = CounterState;
  using Event = CounterEvent;

  std::uint8_t limit = 3;

  State initial_state() const { return State{0, 0}; }
  void enabled_events(const State& state, std::vector<Event>& events) const {
    if (state.a < limit) events.push_back(kA);
    if (state.b < limit) events.push_back(kB);
  }
  State next_state(const State& state, const Event& event) const {
    State next = state;
    if (event.which == kIncA) {
      ++next.a;
    } else {
      ++next.b;
    }
    return next;
  }
  bool is_environment(const Event& /*event*/) const { return false; }
};

// --- Toy model 2: a ring of 5 values with steps of +1 and +2 (mod 5): a graph with cycles. -----
//
// 5 states, each with 2 events: 10 transitions, 8 of which reach known states (including two
// back to the initial state). Breadth-first depths: 0 -> {1, 2} -> {3, 4}, so the depth is 2.
// No dead ends.

struct RingState {
  std::uint8_t value;
  bool operator==(const RingState&) const = default;
};

struct RingEvent {
  std::uint8_t step;
  bool operator==(const RingEvent&) const = default;
};

struct Ring {
  using State = RingState;
  using Event = RingEvent;

  State initial_state() const { return State{0}; }
  void enabled_events(const State& /*state*/, std::vector<Event>& events) const {
    events.push_back(Event{1});
    events.push_back(Event{2});
  }
  State next_state(const State& state, const Event& event) const {
    return State{static_cast<std::uint8_t>((state.value + event.step) % 5)};
  }
  bool is_environment(const Event& /*event*/) const { return false; }
};

// --- Toy model 3: a long path and a short path to the same node, the long one listed first. ---
//
//   0 -> 1 -> 2 -> 3 -> 5
//   0 -> 4 ---------> 5
//
// 6 states, 6 transitions, node 5 the only dead end. Node 5 is at depth 2 (via 4); node 3 is
// at depth 3, so the depth is 3. A search that followed the first event first would reach 5 in 4
// steps; breadth-first reaches it in 2.

struct NodeState {
  std::uint8_t node;
  bool operator==(const NodeState&) const = default;
};

struct EdgeEvent {
  std::uint8_t to;
  bool operator==(const EdgeEvent&) const = default;
};

struct LongAndShortPaths {
  using State = NodeState;
  using Event = EdgeEvent;

  State initial_state() const { return State{0}; }
  void enabled_events(const State& state, std::vector<Event>& events) const {
    switch (state.node) {
      case 0:
        events.push_back(Event{1});
        events.push_back(Event{4});
        break;
      case 1:
        events.push_back(Event{2});
        break;
      case 2:
        events.push_back(Event{3});
        break;
      case 3:
      case 4:
        events.push_back(Event{5});
        break;
      default:
        break;
    }
  }
  State next_state(const State& /*state*/, const Event& event) const { return State{event.to}; }
  bool is_environment(const Event& /*event*/) const { return false; }
};

// --- Toy model 3b: a dead end next to the root, and a long chain beside it. --------------------
//
//   0 -> 1 (dead end)
//   0 -> 2 -> 3 -> ... -> 9 (dead end)
//
// 10 states, 9 transitions (2 from node 0, one from each of 2..8), 2 dead ends, depth 8.

struct EarlyDeadEnd {
  using State = NodeState;
  using Event = EdgeEvent;

  State initial_state() const { return State{0}; }
  void enabled_events(const State& state, std::vector<Event>& events) const {
    if (state.node == 0) {
      events.push_back(Event{1});
      events.push_back(Event{2});
    } else if (state.node >= 2 && state.node < 9) {
      events.push_back(Event{static_cast<std::uint8_t>(state.node + 1)});
    }
  }
  State next_state(const State& /*state*/, const Event& event) const { return State{event.to}; }
  bool is_environment(const Event& /*event*/) const { return false; }
};

// --- Toy model 4: work that advances a position 0 -> 1 -> 2, and an environment pause. ---------
//
// The pause (an environment event) may happen once, at any time. States (pos, paused) with
// pos in {0, 1, 2} and paused in {0, 1}: 6 states. Events: pos < 2 enables work; paused == 0
// enables the pause. Transitions: (0,0) 2, (1,0) 2, (0,1) 1, (1,1) 1, (2,0) 1, (2,1) 0 = 7.
// Dead ends: (2,0), whose only enabled event is the pause, and (2,1), with none: 2. Depth 3,
// at (2,1). Breadth-first order: (0,0); (1,0), (0,1); (2,0), (1,1); (2,1).

struct WorkState {
  std::uint8_t pos;
  std::uint8_t paused;
  bool operator==(const WorkState&) const = default;
};

struct WorkEvent {
  std::uint8_t kind;  // kWork or kPause
  bool operator==(const WorkEvent&) const = default;
};

constexpr std::uint8_t kWork = 0;
constexpr std::uint8_t kPause = 1;

struct WorkWithPause {
  using State = WorkState;
  using Event = WorkEvent;

  State initial_state() const { return State{0, 0}; }
  void enabled_events(const State& state, std::vector<Event>& events) const {
    if (state.pos < 2) events.push_back(Event{kWork});
    if (state.paused == 0) events.push_back(Event{kPause});
  }
  State next_state(const State& state, const Event& event) const {
    State next = state;
    if (event.kind == kWork) {
      ++next.pos;
    } else {
      next.paused = 1;
    }
    return next;
  }
  bool is_environment(const Event& event) const { return event.kind == kPause; }
};

static_assert(Model<TwoCounters>);
static_assert(Model<Ring>);
static_assert(Model<LongAndShortPaths>);
static_assert(Model<EarlyDeadEnd>);
static_assert(Model<WorkWithPause>);
static_assert(sizeof(CounterState) == 2 && sizeof(WorkState) == 2);

template <class M>
Property<typename M::State> property(std::string name, PropertyKind kind,
                                     std::function<bool(const typename M::State&)> condition) {
  Property<typename M::State> p;
  p.name = std::move(name);
  p.kind = kind;
  p.condition = std::move(condition);
  return p;
}

// The id under which `state` is stored, or none.
template <class M>
std::optional<StateId> find_state(const SearchResult<M>& result, const typename M::State& state) {
  for (std::uint32_t i = 0; i < result.store.size(); ++i) {
    if (result.store.state(StateId{i}) == state) return StateId{i};
  }
  return std::nullopt;
}

template <class M>
std::uint32_t depth_of(const SearchResult<M>& result, StateId id) {
  return result.store.parent(id).depth;
}

}  // namespace

// Failure messages for the types compared with CHECK_EQUAL (declared after the CppUTest header,
// which defines SimpleString, and beside its own StringFrom overloads).

static SimpleString StringFrom(Verdict verdict) {
  switch (verdict) {
    case Verdict::kHolds:
      return "kHolds";
    case Verdict::kViolated:
      return "kViolated";
    case Verdict::kUnknown:
      return "kUnknown";
  }
  return "Verdict(?)";
}

static SimpleString StringFrom(const CounterState& state) {
  return SimpleString("(") + StringFrom(static_cast<unsigned>(state.a)) + ", " +
         StringFrom(static_cast<unsigned>(state.b)) + ")";
}

static SimpleString StringFrom(const CounterEvent& event) {
  return event.which == kIncA ? "inc a" : (event.which == kIncB ? "inc b" : "inc ?");
}

static SimpleString StringFrom(const WorkState& state) {
  return SimpleString("(pos ") + StringFrom(static_cast<unsigned>(state.pos)) + ", paused " +
         StringFrom(static_cast<unsigned>(state.paused)) + ")";
}

static SimpleString StringFrom(const NodeState& state) {
  return SimpleString("node ") + StringFrom(static_cast<unsigned>(state.node));
}

static SimpleString StringFrom(const EdgeEvent& event) {
  return SimpleString("to ") + StringFrom(static_cast<unsigned>(event.to));
}

static SimpleString StringFrom(StateId id) { return SimpleString("#") + StringFrom(index_of(id)); }

namespace {

// Checks that `trace` replays on `model` to exactly its own states, ending at `end`.
template <class M>
void check_replays_to(const M& model, const Trace<M>& trace, const typename M::State& end) {
  CHECK_EQUAL(trace.events.size(), trace.states.size());
  CHECK_TRUE(trace.initial == model.initial_state());
  const auto [replayed, failed_at] = replay(model, trace.events);
  CHECK_FALSE(failed_at.has_value());
  CHECK_TRUE(replayed.initial == trace.initial);
  CHECK_EQUAL(trace.events.size(), replayed.states.size());
  for (std::size_t i = 0; i < trace.states.size(); ++i) {
    CHECK_TRUE(replayed.events[i] == trace.events[i]);
    CHECK_TRUE(replayed.states[i] == trace.states[i]);
  }
  const typename M::State last = replayed.states.empty() ? replayed.initial : replayed.states.back();
  CHECK_TRUE(last == end);
}

}  // namespace

// ----------------------------------------------------------------------------------------------
TEST_GROUP(Search){};

TEST(Search, CountsEveryReachableStateOnceInTwoIndependentCounters) {
  // N = 3: (3+1)^2 = 16 states, 2*3*4 = 24 transitions, depth 6, one dead end (3, 3).
  const auto result = search(TwoCounters{3}, {});
  CHECK_EQUAL(16u, result.stats.states);
  CHECK_EQUAL(16u, result.store.size());
  CHECK_EQUAL(24u, result.stats.transitions);
  CHECK_EQUAL(6u, result.stats.depth);
  CHECK_EQUAL(1u, result.stats.dead_ends);
  CHECK_TRUE(result.stats.complete);
  CHECK_TRUE(result.stats.memory_bytes > 0);
  CHECK_TRUE(result.outcomes.empty());
  // Every pair is present exactly once, at depth a + b.
  for (std::uint8_t a = 0; a <= 3; ++a) {
    for (std::uint8_t b = 0; b <= 3; ++b) {
      std::size_t copies = 0;
      for (std::uint32_t i = 0; i < result.store.size(); ++i) {
        if (result.store.state(StateId{i}) == CounterState{a, b}) {
          ++copies;
          CHECK_EQUAL(static_cast<std::uint32_t>(a + b), depth_of(result, StateId{i}));
        }
      }
      CHECK_EQUAL(std::size_t{1}, copies);
    }
  }
}

TEST(Search, CountsALargerSpaceThatOutgrowsTheInitialHashTable) {
  // N = 40: 41^2 = 1681 states (more than the 1024-slot initial table holds at half load),
  // 2*40*41 = 3280 transitions, depth 80, one dead end.
  const auto result = search(TwoCounters{40}, {});
  CHECK_EQUAL(1681u, result.stats.states);
  CHECK_EQUAL(3280u, result.stats.transitions);
  CHECK_EQUAL(80u, result.stats.depth);
  CHECK_EQUAL(1u, result.stats.dead_ends);
  CHECK_TRUE(result.stats.complete);
}

TEST(Search, StatesAreStoredInBreadthFirstOrder) {
  // Expanding (0,0) gives (1,0), (0,1); (1,0) gives (2,0), (1,1); (0,1) gives (0,2) (its (1,1)
  // is known); and so on.
  const auto result = search(TwoCounters{3}, {});
  const std::array<CounterState, 10> expected{{{0, 0},
                                               {1, 0},
                                               {0, 1},
                                               {2, 0},
                                               {1, 1},
                                               {0, 2},
                                               {3, 0},
                                               {2, 1},
                                               {1, 2},
                                               {0, 3}}};
  for (std::uint32_t i = 0; i < expected.size(); ++i) {
    CHECK_EQUAL(expected[i], result.store.state(StateId{i}));
  }
  std::uint32_t previous_depth = 0;
  for (std::uint32_t i = 0; i < result.store.size(); ++i) {
    const std::uint32_t depth = depth_of(result, StateId{i});
    CHECK_TRUE(depth >= previous_depth);
    previous_depth = depth;
  }
}

TEST(Search, KeepsTheFirstParentOfAStateReachedByTwoPaths) {
  // (1,1) is reached from (1,0) by inc b (first, as (1,0) is expanded before (0,1)) and later
  // from (0,1) by inc a; the store keeps the first.
  const auto result = search(TwoCounters{3}, {});
  const auto diamond = find_state(result, CounterState{1, 1});
  CHECK_TRUE(diamond.has_value());
  const auto& parent = result.store.parent(*diamond);
  CHECK_TRUE(parent.state.has_value());
  CHECK_EQUAL(CounterState({1, 0}), result.store.state(*parent.state));
  CHECK_EQUAL(kB, parent.event);
  CHECK_EQUAL(2u, parent.depth);
  // The initial state has no parent and depth 0.
  CHECK_FALSE(result.store.parent(StateId{0}).state.has_value());
  CHECK_EQUAL(0u, result.store.parent(StateId{0}).depth);
  CHECK_EQUAL(CounterState({0, 0}), result.store.state(StateId{0}));
}

TEST(Search, CountsTransitionsToKnownStatesInACyclicGraph) {
  // Ring of 5 with steps +1, +2: 5 states, 10 transitions, depth 2, no dead ends.
  const auto result = search(Ring{}, {});
  CHECK_EQUAL(5u, result.stats.states);
  CHECK_EQUAL(10u, result.stats.transitions);
  CHECK_EQUAL(2u, result.stats.depth);
  CHECK_EQUAL(0u, result.stats.dead_ends);
  CHECK_TRUE(result.stats.complete);
}

TEST(Search, ExploresEnvironmentEventsAndCountsEnvironmentOnlyStatesAsDeadEnds) {
  // See WorkWithPause: 6 states, 7 transitions, depth 3, dead ends (2,0) and (2,1).
  const auto result = search(WorkWithPause{}, {});
  CHECK_EQUAL(6u, result.stats.states);
  CHECK_EQUAL(7u, result.stats.transitions);
  CHECK_EQUAL(3u, result.stats.depth);
  CHECK_EQUAL(2u, result.stats.dead_ends);
  CHECK_TRUE(result.stats.complete);
  // (2,1) is reached only through the pause taken at the dead end (2,0) or earlier.
  CHECK_TRUE(find_state(result, WorkState{2, 1}).has_value());
}

TEST(Search, ReportsPropertyNamesAndKindsInTheOrderGiven) {
  const auto result =
      search(TwoCounters{1}, {property<TwoCounters>("first", PropertyKind::kSometimes,
                                                    [](const CounterState&) { return true; }),
                              property<TwoCounters>("second", PropertyKind::kAtDeadEnds,
                                                    [](const CounterState&) { return true; }),
                              property<TwoCounters>("third", PropertyKind::kAlways,
                                                    [](const CounterState&) { return true; })});
  CHECK_EQUAL(std::size_t{3}, result.outcomes.size());
  STRCMP_EQUAL("first", result.outcomes[0].name.c_str());
  STRCMP_EQUAL("second", result.outcomes[1].name.c_str());
  STRCMP_EQUAL("third", result.outcomes[2].name.c_str());
  CHECK_TRUE(result.outcomes[0].kind == PropertyKind::kSometimes);
  CHECK_TRUE(result.outcomes[1].kind == PropertyKind::kAtDeadEnds);
  CHECK_TRUE(result.outcomes[2].kind == PropertyKind::kAlways);
  CHECK_EQUAL(Verdict::kHolds, result.outcomes[0].verdict);
  CHECK_EQUAL(Verdict::kHolds, result.outcomes[1].verdict);
  CHECK_EQUAL(Verdict::kHolds, result.outcomes[2].verdict);
}

// ----------------------------------------------------------------------------------------------
TEST_GROUP(Always){};

namespace {

// "always a + b < 4": on the counters up to 3 it first fails at depth 4, at (3,1).
SearchResult<TwoCounters> search_sum_below_four(const TwoCounters& model) {
  return search(model, {property<TwoCounters>("sum below 4", PropertyKind::kAlways,
                                              [](const CounterState& s) { return s.a + s.b < 4; })});
}

}  // namespace

TEST(Always, HoldsOverTheWholeSpaceWithoutAWitness) {
  const auto result =
      search(TwoCounters{3}, {property<TwoCounters>("bounded", PropertyKind::kAlways,
                                                    [](const CounterState& s) {
                                                      return s.a <= 3 && s.b <= 3;
                                                    })});
  CHECK_EQUAL(Verdict::kHolds, result.outcomes[0].verdict);
  CHECK_FALSE(result.outcomes[0].witness.has_value());
  CHECK_EQUAL(16u, result.stats.states);
}

TEST(Always, ViolationWitnessIsTheFirstViolatingStateAtMinimalDepth) {
  // a + b < 4 first fails at depth 4; the first such state in breadth-first order is (3,1),
  // reached from (3,0), the first state of depth 3.
  const TwoCounters model{3};
  const auto result = search_sum_below_four(model);
  const auto& outcome = result.outcomes[0];
  CHECK_EQUAL(Verdict::kViolated, outcome.verdict);
  CHECK_TRUE(outcome.witness.has_value());
  CHECK_EQUAL(CounterState({3, 1}), result.store.state(*outcome.witness));
  CHECK_EQUAL(4u, depth_of(result, *outcome.witness));
  // No violating state is shallower than the witness.
  for (std::uint32_t i = 0; i < result.store.size(); ++i) {
    const CounterState& s = result.store.state(StateId{i});
    if (s.a + s.b >= 4) CHECK_TRUE(depth_of(result, StateId{i}) >= 4u);
  }
  // The search still explores the whole space.
  CHECK_EQUAL(16u, result.stats.states);
  CHECK_TRUE(result.stats.complete);
}

TEST(Always, TraceToWitnessHasWitnessDepthEventsAndReplaysToIt) {
  const TwoCounters model{3};
  const auto result = search_sum_below_four(model);
  const StateId witness = *result.outcomes[0].witness;
  const auto trace = result.trace_to(witness);
  CHECK_EQUAL(std::size_t{4}, trace.events.size());
  CHECK_EQUAL(CounterState({0, 0}), trace.initial);
  CHECK_EQUAL(kA, trace.events[0]);
  CHECK_EQUAL(kA, trace.events[1]);
  CHECK_EQUAL(kA, trace.events[2]);
  CHECK_EQUAL(kB, trace.events[3]);
  CHECK_EQUAL(CounterState({1, 0}), trace.states[0]);
  CHECK_EQUAL(CounterState({2, 0}), trace.states[1]);
  CHECK_EQUAL(CounterState({3, 0}), trace.states[2]);
  CHECK_EQUAL(CounterState({3, 1}), trace.states[3]);
  check_replays_to(model, trace, result.store.state(witness));
}

TEST(Always, BreadthFirstFindsTheShortPathEvenWhenTheLongOneIsListedFirst) {
  // Node 5 is 4 steps away along the first-listed branch and 2 along the second.
  const LongAndShortPaths model;
  const auto result = search(
      model, {property<LongAndShortPaths>("never 5", PropertyKind::kAlways,
                                          [](const NodeState& s) { return s.node != 5; })});
  CHECK_EQUAL(6u, result.stats.states);
  CHECK_EQUAL(6u, result.stats.transitions);
  CHECK_EQUAL(3u, result.stats.depth);
  CHECK_EQUAL(1u, result.stats.dead_ends);
  const auto& outcome = result.outcomes[0];
  CHECK_EQUAL(Verdict::kViolated, outcome.verdict);
  CHECK_EQUAL(NodeState{5}, result.store.state(*outcome.witness));
  CHECK_EQUAL(2u, depth_of(result, *outcome.witness));
  const auto trace = result.trace_to(*outcome.witness);
  CHECK_EQUAL(std::size_t{2}, trace.events.size());
  CHECK_EQUAL(EdgeEvent{4}, trace.events[0]);
  CHECK_EQUAL(EdgeEvent{5}, trace.events[1]);
  check_replays_to(model, trace, NodeState{5});
}

TEST(Always, ViolatedInTheInitialStateGivesAnEmptyTrace) {
  const TwoCounters model{2};
  const auto result =
      search(model, {property<TwoCounters>("never zero", PropertyKind::kAlways,
                                           [](const CounterState& s) { return s.a + s.b > 0; })});
  CHECK_EQUAL(Verdict::kViolated, result.outcomes[0].verdict);
  CHECK_EQUAL(StateId{0}, *result.outcomes[0].witness);
  const auto trace = result.trace_to(*result.outcomes[0].witness);
  CHECK_EQUAL(std::size_t{0}, trace.events.size());
  CHECK_EQUAL(std::size_t{0}, trace.states.size());
  CHECK_EQUAL(CounterState({0, 0}), trace.initial);
}

// ----------------------------------------------------------------------------------------------
TEST_GROUP(Sometimes){};

TEST(Sometimes, HoldsWithAnExampleAtMinimalDepth) {
  const TwoCounters model{3};
  const auto result =
      search(model, {property<TwoCounters>("both two", PropertyKind::kSometimes,
                                           [](const CounterState& s) {
                                             return s.a == 2 && s.b == 2;
                                           })});
  const auto& outcome = result.outcomes[0];
  CHECK_EQUAL(Verdict::kHolds, outcome.verdict);
  CHECK_TRUE(outcome.witness.has_value());
  CHECK_EQUAL(CounterState({2, 2}), result.store.state(*outcome.witness));
  CHECK_EQUAL(4u, depth_of(result, *outcome.witness));
  const auto trace = result.trace_to(*outcome.witness);
  CHECK_EQUAL(std::size_t{4}, trace.events.size());
  check_replays_to(model, trace, CounterState{2, 2});
}

TEST(Sometimes, PicksTheFirstExampleInBreadthFirstOrder) {
  // a + b == 2 holds at (2,0), (1,1), (0,2); (2,0) is reached first.
  const auto result = search(
      TwoCounters{3}, {property<TwoCounters>("sum two", PropertyKind::kSometimes,
                                             [](const CounterState& s) { return s.a + s.b == 2; })});
  CHECK_EQUAL(Verdict::kHolds, result.outcomes[0].verdict);
  CHECK_EQUAL(CounterState({2, 0}), result.store.state(*result.outcomes[0].witness));
  CHECK_EQUAL(StateId{3}, *result.outcomes[0].witness);
}

TEST(Sometimes, HoldsInTheInitialState) {
  const auto result = search(
      TwoCounters{3}, {property<TwoCounters>("start", PropertyKind::kSometimes,
                                             [](const CounterState& s) { return s.a == 0; })});
  CHECK_EQUAL(Verdict::kHolds, result.outcomes[0].verdict);
  CHECK_EQUAL(StateId{0}, *result.outcomes[0].witness);
  CHECK_EQUAL(std::size_t{0}, result.trace_to(StateId{0}).events.size());
}

TEST(Sometimes, ViolatedWhenNeverReachedInACompleteSearch) {
  const auto result = search(
      TwoCounters{3}, {property<TwoCounters>("a reaches 4", PropertyKind::kSometimes,
                                             [](const CounterState& s) { return s.a == 4; })});
  CHECK_TRUE(result.stats.complete);
  CHECK_EQUAL(Verdict::kViolated, result.outcomes[0].verdict);
  CHECK_FALSE(result.outcomes[0].witness.has_value());
}

// ----------------------------------------------------------------------------------------------
TEST_GROUP(AtDeadEnds){};

TEST(AtDeadEnds, HoldsWhenItFailsOnlyAtStatesThatAreNotDeadEnds) {
  // pos == 2 fails at (0,*) and (1,*), none of which is a dead end; it holds at both dead ends.
  const auto result = search(
      WorkWithPause{}, {property<WorkWithPause>("finished", PropertyKind::kAtDeadEnds,
                                                [](const WorkState& s) { return s.pos == 2; })});
  CHECK_EQUAL(Verdict::kHolds, result.outcomes[0].verdict);
  CHECK_FALSE(result.outcomes[0].witness.has_value());
  // The same condition as kAlways is violated, in the initial state.
  const auto always = search(
      WorkWithPause{}, {property<WorkWithPause>("finished", PropertyKind::kAlways,
                                                [](const WorkState& s) { return s.pos == 2; })});
  CHECK_EQUAL(Verdict::kViolated, always.outcomes[0].verdict);
  CHECK_EQUAL(StateId{0}, *always.outcomes[0].witness);
}

TEST(AtDeadEnds, AStateWithOnlyEnvironmentEventsIsADeadEnd) {
  // paused == 1 fails at (0,0), (1,0) and (2,0); only (2,0) is a dead end, and only because its
  // one enabled event (the pause) is an environment event.
  const WorkWithPause model;
  const auto result = search(
      model, {property<WorkWithPause>("paused at the end", PropertyKind::kAtDeadEnds,
                                      [](const WorkState& s) { return s.paused == 1; })});
  const auto& outcome = result.outcomes[0];
  CHECK_EQUAL(Verdict::kViolated, outcome.verdict);
  CHECK_TRUE(outcome.witness.has_value());
  CHECK_EQUAL(WorkState({2, 0}), result.store.state(*outcome.witness));
  CHECK_EQUAL(2u, depth_of(result, *outcome.witness));
  const auto trace = result.trace_to(*outcome.witness);
  CHECK_EQUAL(std::size_t{2}, trace.events.size());
  CHECK_TRUE(trace.events[0] == WorkEvent{kWork});
  CHECK_TRUE(trace.events[1] == WorkEvent{kWork});
  check_replays_to(model, trace, WorkState{2, 0});
}

TEST(AtDeadEnds, AStateWithNoEventsIsADeadEnd) {
  // Fails only at (2,1), which has no enabled event at all.
  const auto result = search(
      WorkWithPause{}, {property<WorkWithPause>("not paused and finished", PropertyKind::kAtDeadEnds,
                                                [](const WorkState& s) {
                                                  return !(s.pos == 2 && s.paused == 1);
                                                })});
  CHECK_EQUAL(Verdict::kViolated, result.outcomes[0].verdict);
  CHECK_EQUAL(WorkState({2, 1}), result.store.state(*result.outcomes[0].witness));
  CHECK_EQUAL(3u, depth_of(result, *result.outcomes[0].witness));
}

TEST(AtDeadEnds, IsNotCheckedAtStatesWithANonEnvironmentEvent) {
  // In the counters every state but (3,3) has an event; a condition false everywhere except at
  // (3,3) holds at dead ends.
  const auto result = search(
      TwoCounters{3}, {property<TwoCounters>("full", PropertyKind::kAtDeadEnds,
                                             [](const CounterState& s) {
                                               return s.a == 3 && s.b == 3;
                                             })});
  CHECK_EQUAL(Verdict::kHolds, result.outcomes[0].verdict);
  CHECK_FALSE(result.outcomes[0].witness.has_value());
  // And one false only at (3,3) is violated there, at depth 6.
  const auto violated = search(
      TwoCounters{3}, {property<TwoCounters>("not full", PropertyKind::kAtDeadEnds,
                                             [](const CounterState& s) {
                                               return !(s.a == 3 && s.b == 3);
                                             })});
  CHECK_EQUAL(Verdict::kViolated, violated.outcomes[0].verdict);
  CHECK_EQUAL(CounterState({3, 3}), violated.store.state(*violated.outcomes[0].witness));
  CHECK_EQUAL(6u, depth_of(violated, *violated.outcomes[0].witness));
  CHECK_EQUAL(std::size_t{6}, violated.trace_to(*violated.outcomes[0].witness).events.size());
}

// ----------------------------------------------------------------------------------------------
TEST_GROUP(Bound){};

namespace {

// With N = 3 and max_states = 5 the search stores (0,0), (1,0), (0,1), (2,0), (1,1), then stops
// at the first event of (0,1): depth reached 2.
SearchResult<TwoCounters> bounded_counters() {
  SearchOptions options;
  options.max_states = 5;
  return search(
      TwoCounters{3},
      {property<TwoCounters>("sum below 2", PropertyKind::kAlways,
                             [](const CounterState& s) { return s.a + s.b < 2; }),
       property<TwoCounters>("a below 3", PropertyKind::kAlways,
                             [](const CounterState& s) { return s.a < 3; }),
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
SearchResult<TwoCounters> counters_bounded_at(std::size_t max_states) {
  SearchOptions options;
  options.max_states = max_states;
  return search(TwoCounters{3},
                {property<TwoCounters>("a below 4", PropertyKind::kAlways,
                                       [](const CounterState& s) { return s.a < 4; })},
                options);
}

}  // namespace

TEST(Bound, StopsAtMaxStatesAndMarksTheSearchIncomplete) {
  const auto result = bounded_counters();
  CHECK_FALSE(result.stats.complete);
  CHECK_EQUAL(5u, result.stats.states);
  CHECK_EQUAL(std::size_t{5}, result.store.size());
  CHECK_EQUAL(2u, result.stats.depth);
  CHECK_EQUAL(0u, result.stats.dead_ends);
  CHECK_EQUAL(CounterState({1, 1}), result.store.state(StateId{4}));
}

TEST(Bound, UndecidedPropertiesAreUnknown) {
  const auto result = bounded_counters();
  CHECK_EQUAL(Verdict::kUnknown, result.outcomes[1].verdict);  // kAlways not yet violated
  CHECK_FALSE(result.outcomes[1].witness.has_value());
  CHECK_EQUAL(Verdict::kUnknown, result.outcomes[2].verdict);  // kSometimes not yet seen
  CHECK_FALSE(result.outcomes[2].witness.has_value());
  CHECK_EQUAL(Verdict::kUnknown, result.outcomes[4].verdict);  // kAtDeadEnds: no dead end yet
  CHECK_FALSE(result.outcomes[4].witness.has_value());
}

TEST(Bound, DecidedPropertiesKeepTheirVerdict) {
  const auto result = bounded_counters();
  // a + b < 2 is violated at (2,0), id 3, before the bound.
  CHECK_EQUAL(Verdict::kViolated, result.outcomes[0].verdict);
  CHECK_EQUAL(StateId{3}, *result.outcomes[0].witness);
  CHECK_EQUAL(CounterState({2, 0}), result.store.state(*result.outcomes[0].witness));
  // b == 1 holds at (0,1), id 2.
  CHECK_EQUAL(Verdict::kHolds, result.outcomes[3].verdict);
  CHECK_EQUAL(StateId{2}, *result.outcomes[3].witness);
}

TEST(Bound, AViolatedDeadEndPropertyStaysViolated) {
  // EarlyDeadEnd stores 0; 1, 2; then expands the dead end 1 (violation), then 2 -> 3 and
  // 3 -> 4 (5 states), and stops at 4's event: node 5 and beyond are never stored.
  SearchOptions options;
  options.max_states = 5;
  const auto result = search(
      EarlyDeadEnd{},
      {property<EarlyDeadEnd>("never stuck at 1", PropertyKind::kAtDeadEnds,
                              [](const NodeState& s) { return s.node != 1; }),
       property<EarlyDeadEnd>("never stuck at 9", PropertyKind::kAtDeadEnds,
                              [](const NodeState& s) { return s.node != 9; })},
      options);
  CHECK_FALSE(result.stats.complete);
  CHECK_EQUAL(5u, result.stats.states);
  CHECK_EQUAL(1u, result.stats.dead_ends);
  CHECK_EQUAL(Verdict::kViolated, result.outcomes[0].verdict);
  CHECK_EQUAL(NodeState{1}, result.store.state(*result.outcomes[0].witness));
  CHECK_EQUAL(Verdict::kUnknown, result.outcomes[1].verdict);
  // Unbounded, both are violated: 10 states, 10 transitions, dead ends 1 and 9.
  const auto full = search(
      EarlyDeadEnd{},
      {property<EarlyDeadEnd>("never stuck at 9", PropertyKind::kAtDeadEnds,
                              [](const NodeState& s) { return s.node != 9; })});
  CHECK_TRUE(full.stats.complete);
  CHECK_EQUAL(10u, full.stats.states);
  CHECK_EQUAL(9u, full.stats.transitions);
  CHECK_EQUAL(2u, full.stats.dead_ends);
  CHECK_EQUAL(8u, full.stats.depth);
  CHECK_EQUAL(Verdict::kViolated, full.outcomes[0].verdict);
  CHECK_EQUAL(NodeState{9}, full.store.state(*full.outcomes[0].witness));
}

TEST(Bound, ABoundAboveTheStateCountLeavesTheSearchComplete) {
  const auto result = counters_bounded_at(17);
  CHECK_TRUE(result.stats.complete);
  CHECK_EQUAL(16u, result.stats.states);
  CHECK_EQUAL(24u, result.stats.transitions);
  CHECK_EQUAL(Verdict::kHolds, result.outcomes[0].verdict);
}

TEST(Bound, CountsOnlyTransitionsActuallyApplied) {
  // SearchStats::transitions counts events applied. The bound stops the search only at a new
  // state it has no room for. With the bound of 5 the search applies (0,0)->(1,0), (0,0)->(0,1),
  // (1,0)->(2,0), (1,0)->(1,1) and (0,1)->(1,1) (a known state: room is not needed); then
  // (0,1)->(0,2) would be a sixth state, so it is not counted and the search stops.
  const auto result = bounded_counters();
  CHECK_EQUAL(5u, result.stats.transitions);
  CHECK_EQUAL(5u, result.stats.states);
  CHECK_FALSE(result.stats.complete);
}

TEST(Bound, ABoundEqualToTheStateCountLeavesTheSearchComplete) {
  const auto result = counters_bounded_at(16);
  CHECK_TRUE(result.stats.complete);
  CHECK_EQUAL(16u, result.stats.states);
  CHECK_EQUAL(Verdict::kHolds, result.outcomes[0].verdict);
}

// ----------------------------------------------------------------------------------------------
TEST_GROUP(Replay){};

TEST(Replay, ReturnsTheIndexOfTheFirstEventThatIsNotEnabled) {
  const TwoCounters model{3};
  // inc a is not enabled at (3,0): the fourth event, index 3.
  const auto [trace, failed_at] = replay(model, {kA, kA, kA, kA, kB});
  CHECK_TRUE(failed_at.has_value());
  CHECK_EQUAL(std::size_t{3}, *failed_at);
  CHECK_EQUAL(std::size_t{3}, trace.events.size());
  CHECK_EQUAL(std::size_t{3}, trace.states.size());
  CHECK_EQUAL(CounterState({3, 0}), trace.states.back());
}

TEST(Replay, AnUnknownFirstEventFailsAtIndexZero) {
  const auto [trace, failed_at] = replay(TwoCounters{3}, {CounterEvent{7}, kA});
  CHECK_TRUE(failed_at.has_value());
  CHECK_EQUAL(std::size_t{0}, *failed_at);
  CHECK_EQUAL(std::size_t{0}, trace.events.size());
  CHECK_EQUAL(CounterState({0, 0}), trace.initial);
}

TEST(Replay, AppliesEveryEnabledEventInOrder) {
  const auto [trace, failed_at] = replay(TwoCounters{3}, {kB, kA, kB});
  CHECK_FALSE(failed_at.has_value());
  CHECK_EQUAL(CounterState({0, 0}), trace.initial);
  CHECK_EQUAL(std::size_t{3}, trace.states.size());
  CHECK_EQUAL(CounterState({0, 1}), trace.states[0]);
  CHECK_EQUAL(CounterState({1, 1}), trace.states[1]);
  CHECK_EQUAL(CounterState({1, 2}), trace.states[2]);
  CHECK_EQUAL(kB, trace.events[2]);
}

TEST(Replay, AnEmptyTraceReplaysToTheInitialState) {
  const auto [trace, failed_at] = replay(TwoCounters{3}, {});
  CHECK_FALSE(failed_at.has_value());
  CHECK_EQUAL(CounterState({0, 0}), trace.initial);
  CHECK_EQUAL(std::size_t{0}, trace.states.size());
}

TEST(Replay, FailsWhenTheModelChangedUnderASavedTrace) {
  // A trace found with N = 3 no longer replays with N = 2: the third inc a is not enabled.
  const auto result = search(
      TwoCounters{3}, {property<TwoCounters>("a below 3", PropertyKind::kAlways,
                                             [](const CounterState& s) { return s.a < 3; })});
  const auto saved = result.trace_to(*result.outcomes[0].witness);
  CHECK_EQUAL(std::size_t{3}, saved.events.size());
  const auto [trace, failed_at] = replay(TwoCounters{2}, saved.events);
  CHECK_TRUE(failed_at.has_value());
  CHECK_EQUAL(std::size_t{2}, *failed_at);
  CHECK_EQUAL(std::size_t{2}, trace.states.size());
}

// ----------------------------------------------------------------------------------------------
TEST_GROUP(Hash){};

TEST(Hash, PinsTheHashOfFixedBytes) {
  // Computed once (and cross-checked against an independent implementation of the same
  // SplitMix64-based scheme); a change here changes every state's owner and table slot.
  const std::array<std::uint8_t, 11> bytes{{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}};
  static_assert(HashableValue<std::array<std::uint8_t, 11>>);
  CHECK_EQUAL(std::uint64_t{0xB1487118E2CC09B1ULL}, hash_value(bytes));
  CHECK_EQUAL(std::uint64_t{0xB1487118E2CC09B1ULL}, hash_bytes(bytes.data(), bytes.size()));
  CHECK_EQUAL(std::uint64_t{0xA7A77FA7864E4A5DULL}, hash_value(CounterState{2, 3}));
  CHECK_EQUAL(std::uint64_t{0xD24429E506356D2DULL}, hash_value(std::uint32_t{0x01020304}));
  CHECK_EQUAL(std::uint64_t{0xE220A8397B1DCDAFULL}, hash_bytes(nullptr, 0));
  // 45 bytes: one 32-byte round of the four lanes, one word, a tail of five (cross-checked
  // against an independent implementation of the scheme).
  std::array<std::uint8_t, 45> long_bytes{};
  for (std::size_t i = 0; i < long_bytes.size(); ++i) long_bytes[i] = static_cast<std::uint8_t>(i + 1);
  CHECK_EQUAL(std::uint64_t{0x67B8E7F220CA9B45ULL}, hash_value(long_bytes));
}

TEST(Hash, EqualValuesHashEqual) {
  const CounterState first{2, 3};
  CounterState second{0, 0};
  second.a = 2;
  second.b = 3;
  CHECK_EQUAL(hash_value(first), hash_value(second));
  CHECK_EQUAL(hash_value(first), hash_bytes(&second, sizeof second));
  CHECK_TRUE(hash_value(CounterState{3, 2}) != hash_value(first));
}

TEST(Hash, SingleBytesZeroAndOneHashDifferently) {
  const std::uint8_t zero = 0;
  const std::uint8_t one = 1;
  const std::uint64_t h0 = hash_bytes(&zero, 1);
  const std::uint64_t h1 = hash_bytes(&one, 1);
  CHECK_TRUE(h0 != h1);
  CHECK_EQUAL(std::uint64_t{0x0A0D2286251BFC22ULL}, h0);
  CHECK_EQUAL(std::uint64_t{0x78B9D150588AD653ULL}, h1);
  // Small integers do not hash to themselves.
  CHECK_TRUE(h0 != 0 && h1 != 1);
}

// ----------------------------------------------------------------------------------------------
TEST_GROUP(StateStore){};

namespace {
using CounterStore = StateStore<CounterState, CounterEvent>;
}  // namespace

TEST(StateStore, DeduplicatesAndKeepsTheFirstParent) {
  CounterStore store;
  const auto [root, root_new] = store.insert(CounterState{0, 0}, {});
  CHECK_TRUE(root_new);
  CHECK_EQUAL(StateId{0}, root);
  const auto [child, child_new] = store.insert(CounterState{1, 0}, {root, kA, 1});
  CHECK_TRUE(child_new);
  CHECK_EQUAL(StateId{1}, child);

  // The same state by another parent: same id, not new, first parent kept.
  const auto [again, again_new] = store.insert(CounterState{1, 0}, {child, kB, 7});
  CHECK_FALSE(again_new);
  CHECK_EQUAL(child, again);
  CHECK_EQUAL(std::size_t{2}, store.size());
  CHECK_TRUE(store.parent(child).state.has_value());
  CHECK_EQUAL(root, *store.parent(child).state);
  CHECK_EQUAL(kA, store.parent(child).event);
  CHECK_EQUAL(1u, store.parent(child).depth);
  CHECK_FALSE(store.parent(root).state.has_value());
  CHECK_EQUAL(CounterState({1, 0}), store.state(child));
  CHECK_TRUE(store.memory_bytes() > 0);
}

TEST(StateStore, DeduplicatesThroughTableGrowth) {
  // 50 * 50 = 2500 states: the 1024-slot table grows three times.
  CounterStore store;
  std::uint32_t expected = 0;
  for (std::uint8_t a = 0; a < 50; ++a) {
    for (std::uint8_t b = 0; b < 50; ++b) {
      const auto [id, is_new] = store.insert(CounterState{a, b}, {std::nullopt, kA, a});
      CHECK_TRUE(is_new);
      CHECK_EQUAL(expected, index_of(id));
      ++expected;
    }
  }
  CHECK_EQUAL(std::size_t{2500}, store.size());
  expected = 0;
  for (std::uint8_t a = 0; a < 50; ++a) {
    for (std::uint8_t b = 0; b < 50; ++b) {
      const auto [id, is_new] = store.insert(CounterState{a, b}, {std::nullopt, kB, 99});
      CHECK_FALSE(is_new);
      CHECK_EQUAL(expected, index_of(id));
      CHECK_EQUAL(CounterState({a, b}), store.state(id));
      CHECK_EQUAL(kA, store.parent(id).event);
      CHECK_EQUAL(static_cast<std::uint32_t>(a), store.parent(id).depth);
      ++expected;
    }
  }
  CHECK_EQUAL(std::size_t{2500}, store.size());
}

// ----------------------------------------------------------------------------------------------
TEST_GROUP(Determinism){};

TEST(Determinism, TwoSearchesGiveIdenticalWitnessesTracesAndCounts) {
  const TwoCounters model{5};
  const std::vector<Property<CounterState>> properties{
      property<TwoCounters>("sum below 7", PropertyKind::kAlways,
                            [](const CounterState& s) { return s.a + s.b < 7; }),
      property<TwoCounters>("b four a one", PropertyKind::kSometimes,
                            [](const CounterState& s) { return s.a == 1 && s.b == 4; }),
      property<TwoCounters>("a full at the end", PropertyKind::kAtDeadEnds,
                            [](const CounterState& s) { return s.a < 5; })};
  const auto first = search(model, properties);
  const auto second = search(model, properties);
  CHECK_EQUAL(first.stats.states, second.stats.states);
  CHECK_EQUAL(36u, first.stats.states);
  CHECK_EQUAL(first.stats.transitions, second.stats.transitions);
  CHECK_EQUAL(60u, first.stats.transitions);
  CHECK_EQUAL(first.stats.depth, second.stats.depth);
  CHECK_EQUAL(first.stats.dead_ends, second.stats.dead_ends);
  for (std::uint32_t i = 0; i < first.store.size(); ++i) {
    CHECK_EQUAL(first.store.state(StateId{i}), second.store.state(StateId{i}));
  }
  CHECK_EQUAL(std::size_t{3}, first.outcomes.size());
  for (std::size_t p = 0; p < first.outcomes.size(); ++p) {
    CHECK_EQUAL(first.outcomes[p].verdict, second.outcomes[p].verdict);
    CHECK_TRUE(first.outcomes[p].witness.has_value());
    CHECK_TRUE(second.outcomes[p].witness.has_value());
    CHECK_EQUAL(*first.outcomes[p].witness, *second.outcomes[p].witness);
    const auto a = first.trace_to(*first.outcomes[p].witness);
    const auto b = second.trace_to(*second.outcomes[p].witness);
    CHECK_EQUAL(a.initial, b.initial);
    CHECK_EQUAL(a.events.size(), b.events.size());
    for (std::size_t i = 0; i < a.events.size(); ++i) {
      CHECK_EQUAL(a.events[i], b.events[i]);
      CHECK_EQUAL(a.states[i], b.states[i]);
    }
  }
  CHECK_EQUAL(Verdict::kViolated, first.outcomes[0].verdict);
  CHECK_EQUAL(Verdict::kHolds, first.outcomes[1].verdict);
  CHECK_EQUAL(Verdict::kViolated, first.outcomes[2].verdict);
  CHECK_EQUAL(CounterState({1, 4}), first.store.state(*first.outcomes[1].witness));
}

// ----------------------------------------------------------------------------------------------
// kLeadsTo under weak fairness, and vacuity.

namespace {

// --- Toy model 5: a graph given edge by edge, each edge with a fairness key. -------------------
//
// An edge's key says which weak-fairness class it belongs to: a key enabled in every state of a
// cycle must be taken somewhere in the cycle for the cycle to be a fair run. kEnv marks an
// environment event (no key: it may happen or not).

constexpr std::uint8_t kEnv = 255;

struct GraphEvent {
  std::uint8_t to;
  std::uint8_t key;
  bool operator==(const GraphEvent&) const = default;
};

struct GraphModel {
  using State = NodeState;
  using Event = GraphEvent;

  std::vector<std::vector<GraphEvent>> out;  // out[node]: its edges, in order

  State initial_state() const { return State{0}; }
  void enabled_events(const State& state, std::vector<Event>& events) const {
    if (state.node < out.size()) events.insert(events.end(), out[state.node].begin(), out[state.node].end());
  }
  State next_state(const State& /*state*/, const Event& event) const { return State{event.to}; }
  bool is_environment(const Event& event) const { return event.key == kEnv; }
  std::optional<std::uint16_t> fairness(const Event& event) const {
    if (event.key == kEnv) return std::nullopt;
    return std::uint16_t{event.key};
  }
};

static_assert(Model<GraphModel>);

/// 0 -> 1 (a dead end); 0 -> 2 -> 3 (a dead end).
GraphModel dead_end_beside_the_target() { return GraphModel{{{{1, 0}, {2, 0}}, {}, {{3, 0}}, {}}}; }

/// 0 -> 1; 1 <-> 2 spin (key 0); the exit 1 -> 3 (key 1) is enabled in 1 only; 3 loops (key 0).
/// No dead end. The cycle 1, 2, 1, ... takes key 0 and never leaves 1 and 2: key 1 is not
/// enabled in every state of it (not in 2), so weak fairness does not force the exit.
GraphModel fair_spin() { return GraphModel{{{{1, 0}}, {{2, 0}, {3, 1}}, {{1, 0}}, {{3, 0}}}}; }

/// As fair_spin, but 2 also offers the exit (2 -> 3, key 1): key 1 is enabled in every state of
/// the spin and never taken in it, so staying in it forever is not a fair run.
GraphModel unfair_spin() { return GraphModel{{{{1, 0}}, {{2, 0}, {3, 1}}, {{1, 0}, {3, 1}}, {{3, 0}}}}; }

/// As unfair_spin, but both exits are environment events: they need not happen, so the spin is
/// a fair run that never reaches 3.
GraphModel spin_with_environment_exits() {
  return GraphModel{{{{1, 0}}, {{2, 0}, {3, kEnv}}, {{1, 0}, {3, kEnv}}, {{3, 0}}}};
}

template <class M>
Property<typename M::State> leads_to(std::string name, std::function<bool(const typename M::State&)> condition,
                                     std::function<bool(const typename M::State&)> target) {
  Property<typename M::State> p;
  p.name = std::move(name);
  p.kind = PropertyKind::kLeadsTo;
  p.condition = std::move(condition);
  p.target = std::move(target);
  return p;
}

/// "eventually `node`" (no condition: from the initial state) on a graph.
Property<NodeState> eventually_at(std::uint8_t node) {
  return leads_to<GraphModel>("eventually " + std::to_string(node), {},
                              [node](const NodeState& s) { return s.node == node; });
}

/// `trace` is a lasso on `model`: its events replay from the initial state to its own states,
/// and the cycle events[loop_start..] ends in the state where it starts.
template <class M>
void check_lasso(const M& model, const Trace<M>& trace) {
  CHECK_TRUE(trace.loop_start.has_value());
  CHECK_TRUE(*trace.loop_start < trace.events.size());
  const typename M::State& loop_state =
      *trace.loop_start == 0 ? trace.initial : trace.states[*trace.loop_start - 1];
  check_replays_to(model, trace, loop_state);
}

}  // namespace

static SimpleString StringFrom(const GraphEvent& event) {
  return SimpleString("to ") + StringFrom(static_cast<unsigned>(event.to)) + " key " +
         StringFrom(static_cast<unsigned>(event.key));
}

TEST_GROUP(LeadsTo){};

TEST(LeadsTo, ViolatedByADeadEndBesideTheTarget) {
  // "eventually node 3" (no condition: from the initial state): the run 0 -> 1 ends in a dead
  // end without reaching 3. The counterexample is that finite run, with no cycle.
  const GraphModel model = dead_end_beside_the_target();
  const auto result = search(model, {eventually_at(3)});
  CHECK_EQUAL(2u, result.stats.dead_ends);
  const auto& outcome = result.outcomes[0];
  CHECK_TRUE(outcome.kind == PropertyKind::kLeadsTo);
  CHECK_EQUAL(Verdict::kViolated, outcome.verdict);
  CHECK_FALSE(outcome.vacuous);
  CHECK_EQUAL(NodeState{1}, result.store.state(*outcome.witness));
  CHECK_TRUE(result.traces[0].has_value());
  const auto& trace = *result.traces[0];
  CHECK_FALSE(trace.loop_start.has_value());
  CHECK_EQUAL(std::size_t{1}, trace.events.size());
  CHECK_EQUAL(GraphEvent({1, 0}), trace.events[0]);
  check_replays_to(model, trace, NodeState{1});
}

TEST(LeadsTo, HoldsFromAStateWhoseEveryRunReachesTheTarget) {
  // From 2 the only run is 2 -> 3; from 0 one run ends at 1 instead.
  const GraphModel model = dead_end_beside_the_target();
  const auto result = search(
      model, {leads_to<GraphModel>("2 leads to 3", [](const NodeState& s) { return s.node == 2; },
                                   [](const NodeState& s) { return s.node == 3; }),
              leads_to<GraphModel>("0 leads to 3", [](const NodeState& s) { return s.node == 0; },
                                   [](const NodeState& s) { return s.node == 3; })});
  CHECK_EQUAL(Verdict::kHolds, result.outcomes[0].verdict);
  CHECK_FALSE(result.outcomes[0].witness.has_value());
  CHECK_FALSE(result.traces[0].has_value());
  CHECK_EQUAL(Verdict::kViolated, result.outcomes[1].verdict);
  CHECK_EQUAL(NodeState{1}, result.store.state(*result.outcomes[1].witness));
}

TEST(LeadsTo, HoldsOnAnAcyclicModelWhoseOnlyDeadEndIsTheTarget) {
  // Every maximal run of the counters ends at (3,3).
  const auto result = search(TwoCounters{3}, {leads_to<TwoCounters>("eventually full", {},
                                                                    [](const CounterState& s) {
                                                                      return s.a == 3 && s.b == 3;
                                                                    })});
  CHECK_TRUE(result.stats.complete);
  CHECK_EQUAL(Verdict::kHolds, result.outcomes[0].verdict);
  CHECK_FALSE(result.traces[0].has_value());
}

TEST(LeadsTo, AnEnvironmentEventNeedNotHappen) {
  // "eventually paused": the pause is an environment event, so the run that never takes it and
  // ends at (2,0), where only the pause is enabled, violates it.
  const WorkWithPause model;
  const auto result = search(model, {leads_to<WorkWithPause>("eventually paused", {},
                                                             [](const WorkState& s) { return s.paused == 1; })});
  CHECK_EQUAL(Verdict::kViolated, result.outcomes[0].verdict);
  CHECK_TRUE(result.traces[0].has_value());
  CHECK_FALSE(result.traces[0]->loop_start.has_value());
  check_replays_to(model, *result.traces[0], WorkState{2, 0});
  // And "eventually pos 2" holds: work is never an environment event.
  const auto work = search(model, {leads_to<WorkWithPause>("eventually done", {},
                                                           [](const WorkState& s) { return s.pos == 2; })});
  CHECK_EQUAL(Verdict::kHolds, work.outcomes[0].verdict);
}

TEST(LeadsTo, ViolatedOnlyByAFairCycleIsReportedAsALasso) {
  // fair_spin has no dead end; the run 0, 1, 2, 1, 2, ... never reaches 3 and is fair (key 1 is
  // not enabled in 2). The lasso: the prefix 0 -> 1, then the cycle 1 -> 2 -> 1 from index 1.
  const GraphModel model = fair_spin();
  const auto result = search(model, {eventually_at(3)});
  CHECK_TRUE(result.stats.complete);
  CHECK_EQUAL(0u, result.stats.dead_ends);
  CHECK_EQUAL(4u, result.stats.states);
  CHECK_EQUAL(Verdict::kViolated, result.outcomes[0].verdict);
  CHECK_TRUE(result.traces[0].has_value());
  const auto& lasso = *result.traces[0];
  check_lasso(model, lasso);
  CHECK_EQUAL(std::size_t{1}, *lasso.loop_start);
  CHECK_EQUAL(std::size_t{3}, lasso.events.size());
  CHECK_EQUAL(GraphEvent({1, 0}), lasso.events[0]);
  CHECK_EQUAL(GraphEvent({2, 0}), lasso.events[1]);
  CHECK_EQUAL(GraphEvent({1, 0}), lasso.events[2]);
  // The cycle starts (and ends) at node 1; the target holds nowhere on the lasso.
  CHECK_EQUAL(NodeState{1}, lasso.states[0]);
  CHECK_EQUAL(NodeState{1}, lasso.states.back());
  for (const auto& s : lasso.states) CHECK_TRUE(s.node != 3);
  CHECK_EQUAL(NodeState{1}, result.store.state(*result.outcomes[0].witness));
}

TEST(LeadsTo, ACycleWithAKeyEnabledThroughoutButNeverTakenIsNotAViolation) {
  // unfair_spin: staying in 1 <-> 2 forever ignores key 1, enabled in both: not a fair run. Every
  // fair run leaves by an exit and reaches 3.
  const auto result = search(unfair_spin(), {eventually_at(3)});
  CHECK_TRUE(result.stats.complete);
  CHECK_EQUAL(0u, result.stats.dead_ends);
  CHECK_EQUAL(Verdict::kHolds, result.outcomes[0].verdict);
  CHECK_FALSE(result.outcomes[0].witness.has_value());
  CHECK_FALSE(result.traces[0].has_value());
  // A self-loop is a cycle too: spinning in 1 while the exit (key 1) stays enabled is unfair.
  const GraphModel self_loop{{{{1, 0}}, {{1, 0}, {2, 1}}, {{2, 0}}}};
  const auto spin = search(self_loop, {eventually_at(2)});
  CHECK_EQUAL(Verdict::kHolds, spin.outcomes[0].verdict);
  // With the spin and the exit in one fairness class, the spin alone is fair: violated, a lasso
  // whose cycle is the self-loop.
  const GraphModel one_class{{{{1, 0}}, {{1, 0}, {2, 0}}, {{2, 0}}}};
  const auto same = search(one_class, {eventually_at(2)});
  CHECK_EQUAL(Verdict::kViolated, same.outcomes[0].verdict);
  check_lasso(one_class, *same.traces[0]);
  CHECK_EQUAL(std::size_t{1}, *same.traces[0]->loop_start);
  // The cycle is the self-loop (taken once or more).
  for (std::size_t i = 1; i < same.traces[0]->events.size(); ++i) {
    CHECK_EQUAL(GraphEvent({1, 0}), same.traces[0]->events[i]);
  }
}

TEST(LeadsTo, EnvironmentExitsDoNotMakeACycleUnfair) {
  const GraphModel model = spin_with_environment_exits();
  const auto result = search(model, {eventually_at(3)});
  // Nodes 1 and 2 are not dead ends (the spin is not an environment event).
  CHECK_EQUAL(0u, result.stats.dead_ends);
  CHECK_EQUAL(Verdict::kViolated, result.outcomes[0].verdict);
  check_lasso(model, *result.traces[0]);
}

TEST(LeadsTo, IsUnknownWhenTheBoundCutsTheSearchShort) {
  SearchOptions options;
  options.max_states = 2;
  const auto result = search(fair_spin(), {eventually_at(3)}, options);
  CHECK_FALSE(result.stats.complete);
  CHECK_EQUAL(Verdict::kUnknown, result.outcomes[0].verdict);
  CHECK_FALSE(result.traces[0].has_value());
  CHECK_FALSE(result.outcomes[0].vacuous);
}

TEST_GROUP(Vacuity){};

TEST(Vacuity, LeadsToWhoseConditionNeverHoldsIsVacuous) {
  // The antecedent of "P leads_to Q" is P. Node 7 does not exist: the property holds vacuously.
  auto never = leads_to<GraphModel>("7 leads to 3", [](const NodeState& s) { return s.node == 7; },
                                    [](const NodeState& s) { return s.node == 3; });
  never.antecedent = never.condition;
  auto sometimes = leads_to<GraphModel>("2 leads to 3", [](const NodeState& s) { return s.node == 2; },
                                        [](const NodeState& s) { return s.node == 3; });
  sometimes.antecedent = sometimes.condition;
  const auto result = search(dead_end_beside_the_target(), {never, sometimes});
  CHECK_EQUAL(Verdict::kHolds, result.outcomes[0].verdict);
  CHECK_TRUE(result.outcomes[0].vacuous);
  CHECK_FALSE(result.traces[0].has_value());
  CHECK_EQUAL(Verdict::kHolds, result.outcomes[1].verdict);
  CHECK_FALSE(result.outcomes[1].vacuous);
}

TEST(Vacuity, AlwaysWithAnAntecedentThatNeverHoldsIsVacuous) {
  // "always (a == 4 implies b == 0)" on the counters up to 3: a is never 4.
  auto implication = property<TwoCounters>("a four implies b zero", PropertyKind::kAlways,
                                           [](const CounterState& s) { return s.a != 4 || s.b == 0; });
  implication.antecedent = [](const CounterState& s) { return s.a == 4; };
  // "always (a == 3 implies b <= 3)": a reaches 3, so it holds, not vacuously.
  auto reached = property<TwoCounters>("a three implies b at most three", PropertyKind::kAlways,
                                       [](const CounterState& s) { return s.a != 3 || s.b <= 3; });
  reached.antecedent = [](const CounterState& s) { return s.a == 3; };
  // Without an antecedent nothing is vacuous.
  auto plain = property<TwoCounters>("bounded", PropertyKind::kAlways,
                                     [](const CounterState& s) { return s.a <= 3; });
  const auto result = search(TwoCounters{3}, {implication, reached, plain});
  CHECK_EQUAL(Verdict::kHolds, result.outcomes[0].verdict);
  CHECK_TRUE(result.outcomes[0].vacuous);
  CHECK_EQUAL(Verdict::kHolds, result.outcomes[1].verdict);
  CHECK_FALSE(result.outcomes[1].vacuous);
  CHECK_EQUAL(Verdict::kHolds, result.outcomes[2].verdict);
  CHECK_FALSE(result.outcomes[2].vacuous);
}

TEST(Vacuity, AnIncompleteSearchIsNeverVacuous) {
  // The antecedent might hold beyond the bound.
  auto implication = property<TwoCounters>("a four implies b zero", PropertyKind::kAlways,
                                           [](const CounterState& s) { return s.a != 4 || s.b == 0; });
  implication.antecedent = [](const CounterState& s) { return s.a == 4; };
  SearchOptions options;
  options.max_states = 5;
  const auto result = search(TwoCounters{3}, {implication}, options);
  CHECK_FALSE(result.stats.complete);
  CHECK_EQUAL(Verdict::kUnknown, result.outcomes[0].verdict);
  CHECK_FALSE(result.outcomes[0].vacuous);
}
