// Exhaustive search of a model's reachable states, deciding a list of properties.
//
// One loop, parameterised by its frontier. The breadth-first frontier is a cursor over the store
// (states are stored in the order they are reached), so every counterexample it finds is a
// shortest one. The explorer never prints: it returns data that reporters read.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "explorer/liveness.hpp"
#include "explorer/model.hpp"
#include "explorer/paths.hpp"
#include "explorer/property.hpp"
#include "explorer/state_graph.hpp"
#include "explorer/state_store.hpp"

namespace wakecheck::explorer {

enum class Verdict {
  kHolds,
  kViolated,
  kUnknown,  // the search stopped at a bound before the property was decided
};

struct SearchOptions {
  // Stop after this many distinct states; undecided properties are then kUnknown. The default
  // is far above what the shipped scenarios need and keeps memory within a few GiB.
  std::size_t max_states = 20'000'000;
  // Keep the state graph and give counterexamples with the fewest environment events first,
  // then the fewest steps (without it: the fewest steps, by breadth-first parent links). The
  // graph costs about 14 bytes a transition. Liveness properties keep it in any case.
  bool fault_minimal = true;
};

struct SearchStats {
  std::uint64_t states = 0;       // distinct reachable states
  std::uint64_t transitions = 0;  // events applied, including those reaching known states
  std::uint32_t depth = 0;        // the largest breadth-first depth reached
  std::uint64_t dead_ends = 0;    // states with no enabled event but environment events
  double seconds = 0.0;
  std::size_t memory_bytes = 0;
  bool complete = true;  // false when max_states cut the search short
};

struct PropertyOutcome {
  std::string name;
  PropertyKind kind = PropertyKind::kAlways;
  Verdict verdict = Verdict::kUnknown;
  // The state that decided the property: the end of a counterexample (kAlways, kAtDeadEnds) or
  // of an example (kSometimes); SearchResult::traces holds the path to it (fault-minimal, then
  // shortest) when the state graph was kept, else its parent links give a shortest path.
  // kLeadsTo counterexamples are lassos, always in SearchResult::traces.
  std::optional<StateId> witness;
  // The property's antecedent never held in a reachable state: it passes vacuously.
  bool vacuous = false;
};

template <Model M>
struct Trace {
  typename M::State initial{};
  std::vector<typename M::Event> events;
  std::vector<typename M::State> states;  // states[i] is the state after events[i]
  // For a lasso: events[loop_start..] form a cycle that repeats forever (the last of them leads
  // back to the state before events[loop_start]).
  std::optional<std::size_t> loop_start;
};

/// The weak-fairness key of an event: the model's own keys when it has `fairness(event)`;
/// otherwise every non-environment event shares one key (a cycle is then fair as soon as it
/// takes any such event) and environment events have none.
template <class M>
std::optional<std::uint16_t> fairness_of(const M& model, const typename M::Event& event) {
  if constexpr (requires { model.fairness(event); }) {
    return model.fairness(event);
  } else {
    if (model.is_environment(event)) return std::nullopt;
    return std::uint16_t{0};
  }
}

template <Model M>
struct SearchResult {
  StateStore<typename M::State, typename M::Event> store;
  std::vector<PropertyOutcome> outcomes;
  // Per outcome: its counterexample (or example) as found on the state graph: fault-minimal,
  // and for kLeadsTo a lasso. Without one, trace_to(witness) gives the breadth-first path.
  std::vector<std::optional<Trace<M>>> traces;
  SearchStats stats;

  /// The path from the initial state to `target`, rebuilt from parent links.
  Trace<M> trace_to(StateId target) const {
    Trace<M> trace;
    std::vector<StateId> ids;
    for (std::optional<StateId> at = target; at; at = store.parent(*at).state) ids.push_back(*at);
    trace.initial = store.state(ids.back());
    for (auto it = ids.rbegin() + 1; it != ids.rend(); ++it) {
      trace.events.push_back(store.parent(*it).event);
      trace.states.push_back(store.state(*it));
    }
    return trace;
  }
};

/// Breadth-first frontier: the next state to expand is the oldest unexpanded one.
class BreadthFirstFrontier {
 public:
  void push(StateId /*id*/) { ++pushed_; }
  std::optional<StateId> pop() {
    if (next_ == pushed_) return std::nullopt;
    return StateId{next_++};
  }

 private:
  std::uint32_t next_ = 0;
  std::uint32_t pushed_ = 0;
};

template <Model M, class Frontier = BreadthFirstFrontier>
SearchResult<M> search(const M& model, const std::vector<Property<typename M::State>>& properties,
                       const SearchOptions& options = {}) {
  using State = typename M::State;
  using Event = typename M::Event;
  const auto started = std::chrono::steady_clock::now();

  SearchResult<M> result;
  for (const auto& property : properties) {
    PropertyOutcome outcome;
    outcome.name = property.name;
    outcome.kind = property.kind;
    result.outcomes.push_back(std::move(outcome));
  }

  result.traces.resize(properties.size());
  std::vector<bool> antecedent_seen(properties.size(), false);
  bool need_graph = options.fault_minimal;
  for (const auto& property : properties) need_graph = need_graph || property.kind == PropertyKind::kLeadsTo;
  StateGraph<Event> graph;
  std::vector<std::optional<std::uint32_t>> parent_edge;
  std::vector<bool> dead_ends;

  // Properties decided by a state as soon as it is reached.
  auto on_new_state = [&](StateId id, const State& state) {
    for (std::size_t i = 0; i < properties.size(); ++i) {
      if (!antecedent_seen[i] && properties[i].antecedent && properties[i].antecedent(state)) {
        antecedent_seen[i] = true;
      }
      auto& outcome = result.outcomes[i];
      if (outcome.witness) continue;
      const auto kind = properties[i].kind;
      if (kind == PropertyKind::kAlways && !properties[i].condition(state)) {
        outcome.witness = id;
      } else if (kind == PropertyKind::kSometimes && properties[i].condition(state)) {
        outcome.witness = id;
      }
    }
  };

  Frontier frontier;
  auto& store = result.store;
  const auto [initial_id, initial_new] = store.insert(model.initial_state(), {});
  (void)initial_new;
  frontier.push(initial_id);
  if (need_graph) parent_edge.emplace_back();
  on_new_state(initial_id, store.state(initial_id));

  std::vector<Event> events;
  while (auto current = frontier.pop()) {
    // Stored states never move, so the reference stays valid while successors are inserted.
    const State& state = store.state(*current);
    const std::uint32_t depth = store.parent(*current).depth;
    events.clear();
    model.enabled_events(state, events);

    bool dead_end = true;
    for (const Event& event : events) {
      if (!model.is_environment(event)) dead_end = false;
    }
    if (need_graph) {
      if (dead_ends.size() <= index_of(*current)) dead_ends.resize(index_of(*current) + 1);
      dead_ends[index_of(*current)] = dead_end;
    }
    if (dead_end) {
      ++result.stats.dead_ends;
      for (std::size_t i = 0; i < properties.size(); ++i) {
        auto& outcome = result.outcomes[i];
        if (!outcome.witness && properties[i].kind == PropertyKind::kAtDeadEnds &&
            !properties[i].condition(state)) {
          outcome.witness = *current;
        }
      }
    }

    for (const Event& event : events) {
      const State next = model.next_state(state, event);
      if (store.size() >= options.max_states && !store.find(next)) {
        result.stats.complete = false;  // a new state, and no room for it
        break;
      }
      ++result.stats.transitions;
      const auto [id, is_new] = store.insert(next, {*current, event, depth + 1});
      if (need_graph) {
        graph.add(*current, id, event);
        if (is_new) parent_edge.emplace_back(static_cast<std::uint32_t>(graph.edge_count() - 1));
      }
      if (!is_new) continue;
      if (depth + 1 > result.stats.depth) result.stats.depth = depth + 1;
      frontier.push(id);
      on_new_state(id, store.state(id));
    }
    if (!result.stats.complete) break;
  }

  if (need_graph && result.stats.complete) {
    const std::size_t n = store.size();
    graph.finish(n);
    dead_ends.resize(n, false);
    auto edge_cost = [&](std::uint32_t e) -> Cost {
      return model.is_environment(graph.event(e)) ? kFault + 1 : 1;
    };
    const LeastCostPaths from_initial =
        least_cost_paths(graph, n, {{0U, Cost{0}}}, edge_cost, [](std::uint32_t) { return true; });
    auto trace_of = [&](const std::vector<std::uint32_t>& edges, std::optional<std::size_t> loop) {
      Trace<M> trace;
      trace.initial = store.state(StateId{0});
      for (std::uint32_t e : edges) {
        trace.events.push_back(graph.event(e));
        trace.states.push_back(store.state(StateId{graph.target(e)}));
      }
      trace.loop_start = loop;
      return trace;
    };
    // Every leads_to property's two predicates, evaluated in one pass over the stored states
    // (each state is read once, not once per predicate).
    std::vector<std::vector<bool>> ps(properties.size()), qs(properties.size());
    std::vector<bool> any_p(properties.size(), false);
    for (std::size_t i = 0; i < properties.size(); ++i) {
      if (properties[i].kind != PropertyKind::kLeadsTo) continue;
      ps[i].resize(n);
      qs[i].resize(n);
    }
    for (std::uint32_t v = 0; v < n; ++v) {
      const State& state = store.state(StateId{v});
      for (std::size_t i = 0; i < properties.size(); ++i) {
        const auto& property = properties[i];
        if (property.kind != PropertyKind::kLeadsTo) continue;
        const bool p = property.condition ? property.condition(state) : v == 0;
        ps[i][v] = p;
        any_p[i] = any_p[i] || p;
        qs[i][v] = property.target(state);
      }
    }
    for (std::size_t i = 0; i < properties.size(); ++i) {
      const auto& property = properties[i];
      auto& outcome = result.outcomes[i];
      if (property.kind == PropertyKind::kLeadsTo) {
        if (!any_p[i]) continue;  // nothing to lead anywhere from: no violation
        const std::vector<bool>& p = ps[i];
        const std::vector<bool>& q = qs[i];
        const auto found = check_leads_to(
            graph, p, q, from_initial, dead_ends,
            [&](std::uint32_t e) { return fairness_of(model, graph.event(e)); }, edge_cost);
        if (!found.violated) continue;
        result.traces[i] = trace_of(found.lasso.edges, found.lasso.loop_start);
        outcome.witness = StateId{found.lasso.edges.empty() ? 0U : graph.target(found.lasso.edges.back())};
        continue;
      }
      if (!outcome.witness) continue;
      // Among every state that decides the property, the one with the least-cost path.
      std::optional<std::uint32_t> best;
      for (std::uint32_t v = 0; v < n; ++v) {
        const State& state = store.state(StateId{v});
        const bool decides = property.kind == PropertyKind::kSometimes ? property.condition(state)
                             : property.kind == PropertyKind::kAtDeadEnds
                                 ? dead_ends[v] && !property.condition(state)
                                 : !property.condition(state);
        if (decides && (!best || from_initial.cost[v] < from_initial.cost[*best])) best = v;
      }
      outcome.witness = StateId{*best};
      result.traces[i] = trace_of(path_to(graph, from_initial, *best), std::nullopt);
    }
  }

  for (std::size_t i = 0; i < properties.size(); ++i) {
    auto& outcome = result.outcomes[i];
    outcome.vacuous = properties[i].antecedent && !antecedent_seen[i] && result.stats.complete;
    const bool found = outcome.witness.has_value();
    switch (outcome.kind) {
      case PropertyKind::kAlways:
      case PropertyKind::kAtDeadEnds:
      case PropertyKind::kLeadsTo:
        outcome.verdict = found ? Verdict::kViolated
                                : (result.stats.complete ? Verdict::kHolds : Verdict::kUnknown);
        break;
      case PropertyKind::kSometimes:
        outcome.verdict = found ? Verdict::kHolds
                                : (result.stats.complete ? Verdict::kViolated : Verdict::kUnknown);
        break;
    }
  }
  result.stats.states = store.size();
  result.stats.memory_bytes = store.memory_bytes();
  result.stats.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

/// Re-applies `events` from the model's initial state. Returns the trace, or the index of the
/// first event that is not enabled where it is applied (the model changed under a saved trace).
template <Model M>
std::pair<Trace<M>, std::optional<std::size_t>> replay(const M& model,
                                                        const std::vector<typename M::Event>& events) {
  Trace<M> trace;
  trace.initial = model.initial_state();
  typename M::State state = trace.initial;
  std::vector<typename M::Event> enabled;
  for (std::size_t i = 0; i < events.size(); ++i) {
    enabled.clear();
    model.enabled_events(state, enabled);
    bool found = false;
    for (const auto& candidate : enabled) found = found || candidate == events[i];
    if (!found) return {std::move(trace), i};
    state = model.next_state(state, events[i]);
    trace.events.push_back(events[i]);
    trace.states.push_back(state);
  }
  return {std::move(trace), std::nullopt};
}

}  // namespace wakecheck::explorer
