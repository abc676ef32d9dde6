// Small toy models for the explorer's tests, so that a bug in the tokio model cannot hide a bug in
// the search, and the helpers the explorer's tests share. Every count the tests expect is worked
// out by hand in the comment of the toy. Include after the STL and project headers and after
// <CppUTest/TestHarness.h> (it asserts).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "explorer/search.hpp"
#include "explorer/value_model.hpp"

namespace wakecheck::testing {

using explorer::Property;
using explorer::PropertyKind;

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

inline constexpr std::uint8_t kIncA = 0;
inline constexpr std::uint8_t kIncB = 1;
inline constexpr CounterEvent kA{kIncA};
inline constexpr CounterEvent kB{kIncB};

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
// 6 states, 6 transitions, node 5 the only dead end. Node 5 is at depth 2 (via 4); node 3 is at
// depth 3, so the depth is 3. A search that followed the first event first would reach 5 in 4
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
      case 1: events.push_back(Event{2}); break;
      case 2: events.push_back(Event{3}); break;
      case 3:
      case 4: events.push_back(Event{5}); break;
      default: break;
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
// The pause (an environment event) may happen once, at any time. States (pos, paused) with pos in
// {0, 1, 2} and paused in {0, 1}: 6 states. Events: pos < 2 enables work; paused == 0 enables the
// pause. Transitions: (0,0) 2, (1,0) 2, (0,1) 1, (1,1) 1, (2,0) 1, (2,1) 0 = 7. Dead ends: (2,0),
// whose only enabled event is the pause, and (2,1), with none: 2. Depth 3, at (2,1). Breadth-first
// order: (0,0); (1,0), (0,1); (2,0), (1,1); (2,1).

struct WorkState {
  std::uint8_t pos;
  std::uint8_t paused;
  bool operator==(const WorkState&) const = default;
};

struct WorkEvent {
  std::uint8_t kind;  // kWork or kPause
  bool operator==(const WorkEvent&) const = default;
};

inline constexpr std::uint8_t kWork = 0;
inline constexpr std::uint8_t kPause = 1;

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

// --- Toy model 5: a graph given edge by edge, each edge with a fairness key. -------------------
//
// An edge's key says which weak-fairness class it belongs to: a key enabled in every state of a
// cycle must be taken somewhere in the cycle for the cycle to be a fair run. kEnv marks an
// environment event (no key: it may happen or not).

inline constexpr std::uint8_t kEnv = 255;

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

template <class V>
using Toy = explorer::ValueModel<V>;

static_assert(explorer::Model<Toy<TwoCounters>>);
static_assert(explorer::Model<Toy<GraphModel>>);

/// A property of value states.
template <class V>
Property property(std::string name, PropertyKind kind, std::function<bool(const typename V::State&)> condition) {
  Property p;
  p.name = std::move(name);
  p.kind = kind;
  p.condition = explorer::on_values<typename V::State>(std::move(condition));
  return p;
}

/// `condition` leads to `target` (no condition: "eventually target" from the initial state).
template <class V>
Property leads_to(std::string name, std::function<bool(const typename V::State&)> condition,
                  std::function<bool(const typename V::State&)> target) {
  Property p;
  p.name = std::move(name);
  p.kind = PropertyKind::kLeadsTo;
  if (condition) p.condition = explorer::on_values<typename V::State>(std::move(condition));
  p.target = explorer::on_values<typename V::State>(std::move(target));
  return p;
}

/// The value states after each event of `events`, applied from the initial state (which the
/// first element of the result is).
template <class V>
std::vector<typename V::State> states_of(const V& rules, const std::vector<typename V::Event>& events) {
  std::vector<typename V::State> states{rules.initial_state()};
  for (const auto& e : events) states.push_back(rules.next_state(states.back(), e));
  return states;
}

/// The state a trace ends in; for a lasso, the state where its cycle starts.
template <class V>
typename V::State end_of(const V& rules, const explorer::Trace<typename V::Event>& trace) {
  const auto states = states_of(rules, trace.events);
  return states[trace.loop_start.value_or(trace.events.size())];
}

/// Checks that every event of `trace` is enabled where it is taken, from the initial state, and
/// that it ends in `end` (a lasso: that its cycle comes back to where it starts, which is `end`).
template <class V>
void check_replays_to(const V& rules, const explorer::Trace<typename V::Event>& trace, const typename V::State& end) {
  const auto [states, failed] = explorer::replay(Toy<V>(rules), trace.events);
  CHECK_FALSE(failed.has_value());
  CHECK_TRUE(end_of(rules, trace) == end);
  if (trace.loop_start) {
    CHECK_TRUE(*trace.loop_start < trace.events.size());
    CHECK_TRUE(states_of(rules, trace.events).back() == end);
  }
}

/// A whole exploration of a toy: its stored states in order and each one's breadth-first depth.
template <class V>
struct Explored {
  explicit Explored(V rules, const explorer::SearchOptions& options = {}) : model(std::move(rules)) {
    auto [exploration, witnesses] = explorer::explore(model, {}, options);
    (void)witnesses;
    x = std::move(exploration);
    for (std::uint32_t v = 0; v < x->size(); ++v) states.push_back(Toy<V>::read(x->state(v).data()));
    // Depths: breadth-first over the graph from the initial state.
    depth.assign(states.size(), UINT32_MAX);
    if (states.empty() || !x->stats().complete()) return;
    std::vector<std::uint32_t> queue{0};
    depth[0] = 0;
    for (std::size_t i = 0; i < queue.size(); ++i) {
      x->graph().for_each_out(queue[i], [&](std::uint32_t, std::uint32_t w) {
        if (depth[w] == UINT32_MAX) {
          depth[w] = depth[queue[i]] + 1;
          queue.push_back(w);
        }
      });
    }
  }
  std::optional<std::uint32_t> find(const typename V::State& s) const {
    for (std::uint32_t v = 0; v < states.size(); ++v) {
      if (states[v] == s) return v;
    }
    return std::nullopt;
  }

  Toy<V> model;
  std::unique_ptr<explorer::Exploration<Toy<V>>> x;
  std::vector<typename V::State> states;
  std::vector<std::uint32_t> depth;
};

}  // namespace wakecheck::testing
