// Exhaustive search of a model's reachable states, deciding a list of properties.
//
// explore() visits every reachable state breadth-first (states are stored in the order they are
// reached, packed: explorer/codec.hpp), keeps the state graph, and notes for each property the
// first state that decides it. search() then decides every property on the graph (liveness on its
// fair components) and gives each decided property a trace: fault-minimal first, shortest second.
// With a symmetric model, states are stored in canonical form and traces are mapped back to the
// concrete processes. The explorer never prints: it returns data that reporters read, and calls
// `options.progress` about once a second.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <new>
#include <stdexcept>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "explorer/codec.hpp"
#include "explorer/liveness.hpp"
#include "explorer/memory.hpp"
#include "explorer/model.hpp"
#include "explorer/paths.hpp"
#include "explorer/pipeline.hpp"
#include "explorer/property.hpp"
#include "explorer/search_types.hpp"
#include "explorer/compaction.hpp"
#include "explorer/random_walk.hpp"
#include "explorer/state_graph.hpp"
#include "explorer/state_store.hpp"

namespace wakecheck::explorer {

/// The explored state space of a model: stored states, the state graph and its dead ends, kept for
/// the analyses that follow the search (liveness, counterexamples, hang verdicts).
template <Model M>
class Exploration {
 public:
  using Event = typename M::Event;

  Exploration(const M& model, const SearchOptions& options)
      : model_(&model),
        codec_(model.state_widths()),
        budget_(memory_limit(options)),
        store_(codec_.packed_words(), &budget_),
        graph_(&budget_) {}

  const M& model() const { return *model_; }
  const Codec& codec() const { return codec_; }
  const StateGraph& graph() const { return graph_; }
  std::size_t size() const { return store_.size(); }
  bool dead_end(std::uint32_t v) const { return dead_ends_[v]; }
  const std::vector<bool>& dead_ends() const { return dead_ends_; }
  const SearchStats& stats() const { return stats_; }
  bool canonical() const { return stats_.symmetry; }
  /// Ends the search's account with `why` (an analysis after it ran out of memory).
  void stop(Stop why) { stats_.stop = why; }

  /// The stored state `v`, unpacked into `out` (state_bytes()).
  void state(std::uint32_t v, std::uint8_t* out) const { codec_.unpack(store_.record(StateId{v}), out); }
  std::vector<std::uint8_t> state(std::uint32_t v) const {
    std::vector<std::uint8_t> out(codec_.state_bytes());
    state(v, out.data());
    return out;
  }
  /// The events enabled in state `v`: edge k of v is event k.
  std::vector<Event> events(std::uint32_t v) const {
    const auto s = state(v);
    std::vector<Event> out;
    model_->enabled(s.data(), out);
    return out;
  }
  /// The fairness key of each out-edge of `v`, in edge order.
  std::vector<std::optional<std::uint16_t>> keys(std::uint32_t v) const {
    std::vector<std::optional<std::uint16_t>> out;
    for (const Event& e : events(v)) out.push_back(fairness_of(*model_, e));
    return out;
  }
  /// The fairness keys `v` holds pending (explorer/model.hpp, pending_fairness_of).
  std::vector<std::uint16_t> pending(std::uint32_t v) const {
    std::vector<std::uint16_t> out;
    pending_fairness_of(*model_, state(v).data(), out);
    return out;
  }
  /// Whether the state `bytes` equals stored state `v` (both in the store's form).
  bool equals(const std::uint8_t* bytes, std::uint32_t v) const {
    std::vector<std::uint64_t> key(codec_.packed_words());
    codec_.pack(bytes, key.data());
    return std::equal(key.begin(), key.end(), store_.record(StateId{v}));
  }
  /// Puts a state in the store's form: canonical with symmetry, as it is otherwise.
  void normalize(std::uint8_t* bytes) const {
    if constexpr (SymmetricModel<M>) {
      if (stats_.symmetry) model_->canonicalize(bytes);
    } else {
      (void)bytes;
    }
  }
  /// The same for a successor of `parent` (in the store's form), where the model can reuse work.
  void normalize_successor(const std::uint8_t* parent, std::uint8_t* bytes) const {
    if constexpr (SymmetricModel<M> && requires { model_->canonicalize_successor(parent, bytes); }) {
      if (stats_.symmetry) model_->canonicalize_successor(parent, bytes);
    } else {
      normalize(bytes);
    }
  }

  /// The concrete events along `edges` (a path from the initial state): with symmetry the stored
  /// states are representatives, so each step takes the first event of the concrete state that
  /// leads to the edge's target's orbit; a lasso's cycle is repeated until the concrete run
  /// returns to where its cycle started.
  Trace<Event> trace(const std::vector<std::uint32_t>& edges, std::optional<std::size_t> loop_start) const {
    Trace<Event> out;
    std::vector<std::uint8_t> at(codec_.state_bytes()), next(codec_.state_bytes());
    model_->initial(at.data());
    std::vector<Event> enabled;
    auto follow = [&](std::uint32_t e) {
      enabled.clear();
      model_->enabled(at.data(), enabled);
      if (!stats_.symmetry) {
        const Event event = enabled[graph_.choice(e)];
        model_->step(at.data(), event, next.data());
        out.events.push_back(event);
        std::swap(at, next);
        return;
      }
      std::vector<std::uint8_t> probe(codec_.state_bytes());
      for (const Event& event : enabled) {
        model_->step(at.data(), event, next.data());
        probe = next;
        normalize(probe.data());
        if (equals(probe.data(), graph_.target(e))) {
          out.events.push_back(event);
          std::swap(at, next);
          return;
        }
      }
    };
    const std::size_t prefix = loop_start.value_or(edges.size());
    for (std::size_t i = 0; i < prefix; ++i) follow(edges[i]);
    if (!loop_start) return out;
    out.loop_start = out.events.size();
    const std::vector<std::uint8_t> start = at;
    for (int round = 0; round < kMaxCycleRounds; ++round) {
      for (std::size_t i = prefix; i < edges.size(); ++i) follow(edges[i]);
      if (at == start || !stats_.symmetry) break;
    }
    return out;
  }

 private:
  template <Model>
  friend class Explorer;
  static constexpr int kMaxCycleRounds = 256;

  const M* model_;
  Codec codec_;
  MemoryBudget budget_;
  StateStore store_;
  StateGraph graph_;
  std::vector<bool> dead_ends_;
  SearchStats stats_;
};

/// What the states decided, noted as they were expanded (by the search's threads), so that the
/// analyses after the search never unpack a state to evaluate a predicate.
struct Witnesses {
  // Per property, the first state (in breadth-first order) that decided it.
  std::vector<std::optional<std::uint32_t>> first;
  std::vector<bool> antecedent_seen;
  // Per property, every state that decides it by itself (kAlways: breaks it; kSometimes: shows
  // it; kAtDeadEnds: a dead end that breaks it); per kLeadsTo property, the states where its
  // condition holds and those where its target holds. Each has one entry per stored state.
  std::vector<std::vector<bool>> deciding, condition, target;
};

/// The breadth-first loop.
template <Model M>
class Explorer {
 public:
  using Event = typename M::Event;
  static constexpr std::uint32_t kChunkStates = 512;  // states expanded as one piece of work

  static Witnesses run(Exploration<M>& x, const std::vector<Property>& properties, const SearchOptions& options) {
    const M& model = *x.model_;
    SearchClock clock(options);
    auto& stats = x.stats_;
    stats = SearchStats{};
    stats.state_bytes = x.codec_.state_bytes();
    stats.packed_bits = x.codec_.packed_bits();
    if constexpr (SymmetricModel<M>) stats.symmetry = options.symmetry && model.has_symmetry();

    Witnesses w;
    w.first.assign(properties.size(), std::nullopt);
    w.antecedent_seen.assign(properties.size(), false);
    w.deciding.resize(properties.size());
    w.condition.resize(properties.size());
    w.target.resize(properties.size());
    using decision::kAntecedent, decision::kSuspect, decision::kCondition, decision::kTarget;
    bool violation_seen = false;
    auto mark = [](std::vector<bool>& states, std::uint32_t id) {
      if (states.size() <= id) states.resize(id + 1U, false);
      states[id] = true;
    };
    auto note = [&](std::uint32_t id, std::uint32_t code) {
      const std::uint32_t i = code & ~decision::kFlags;
      if ((code & kAntecedent) != 0) {
        w.antecedent_seen[i] = true;
      } else if ((code & kSuspect) != 0) {
        violation_seen = true;
      } else if ((code & kCondition) != 0) {
        mark(w.condition[i], id);
      } else if ((code & kTarget) != 0) {
        mark(w.target[i], id);
      } else {
        mark(w.deciding[i], id);
        if (!w.first[i]) {
          w.first[i] = id;
          violation_seen = violation_seen || properties[i].kind != PropertyKind::kSometimes;
        }
      }
    };
    auto decides = [&](const std::uint8_t* state, bool dead_end, auto&& emit) {
      state_decisions(properties, state, dead_end, options.first, emit);
    };

    const std::size_t bytes = x.codec_.state_bytes();
    const std::size_t words = x.codec_.packed_words();
    // One chunk of expanded states: per state its successors' packed keys and hashes, whether
    // each is the environment's, whether the state is a dead end, and what the state decides.
    struct Expansion {
      std::vector<std::uint32_t> counts;
      std::vector<std::uint8_t> dead;
      std::vector<std::uint64_t> keys, hashes;
      std::vector<std::uint8_t> env;
      std::vector<std::pair<std::uint32_t, std::uint32_t>> hits;  // (id, code)
      std::vector<std::uint8_t> current, next;                   // scratch
      std::vector<Event> events;                                 // scratch
    };
    auto compute = [&](Expansion& c, std::uint32_t first, std::uint32_t last) {
      c.counts.clear();
      c.dead.clear();
      c.keys.clear();
      c.hashes.clear();
      c.env.clear();
      c.hits.clear();
      c.current.resize(bytes);
      c.next.resize(bytes);
      for (std::uint32_t id = first; id < last; ++id) {
        x.codec_.unpack(x.store_.record(StateId{id}), c.current.data());
        c.events.clear();
        model.enabled(c.current.data(), c.events);
        bool dead_end = true;
        for (const Event& event : c.events) dead_end = dead_end && model.is_environment(event);
        c.dead.push_back(dead_end ? 1 : 0);
        decides(c.current.data(), dead_end, [&](std::uint32_t code) { c.hits.emplace_back(id, code); });
        c.counts.push_back(static_cast<std::uint32_t>(c.events.size()));
        for (const Event& event : c.events) {
          model.step(c.current.data(), event, c.next.data());
          x.normalize_successor(c.current.data(), c.next.data());
          if (options.check_widths && !x.codec_.fits(c.next.data())) {
            throw std::logic_error("a state does not fit its widths");
          }
          const std::size_t at = c.keys.size();
          c.keys.resize(at + words);
          x.codec_.pack(c.next.data(), c.keys.data() + at);
          c.hashes.push_back(hash_record(c.keys.data() + at, words));
          c.env.push_back(model.is_environment(event) ? 1 : 0);
        }
      }
    };

    // The breadth-first level being expanded, and the id where the next one starts.
    std::uint32_t level = 0;
    std::uint64_t level_end = 1;
    std::uint64_t expanded = 0;  // ids below this one were expanded
    auto insert = [&](Expansion& c, std::uint32_t first, std::uint32_t last) {
      // The lookups of the chunk's successors overlap: each one's index slot is prefetched a few
      // lookups ahead.
      constexpr std::size_t kAhead = 12;
      for (std::size_t k = 0; k < std::min(kAhead, c.hashes.size()); ++k) x.store_.prefetch(c.hashes[k]);
      std::size_t hit = 0, successor = 0;
      for (std::uint32_t id = first; id < last; ++id) {
        if (id == level_end) {
          ++level;
          level_end = x.store_.size();
        }
        for (; hit < c.hits.size() && c.hits[hit].first == id; ++hit) note(id, c.hits[hit].second);
        const bool dead_end = c.dead[id - first] != 0;
        x.dead_ends_.push_back(dead_end);
        if (dead_end) ++stats.dead_ends;
        x.graph_.begin();
        const std::uint32_t n = c.counts[id - first];
        for (std::uint32_t k = 0; k < n; ++k, ++successor) {
          const std::uint64_t* key = c.keys.data() + successor * words;
          const std::uint64_t h = c.hashes[successor];
          if (successor + kAhead < c.hashes.size()) x.store_.prefetch(c.hashes[successor + kAhead]);
          if (x.store_.size() >= options.max_states && !x.store_.find(key, h)) {
            stats.stop = Stop::kMaxStates;  // a new state, and no room for it
            return false;
          }
          ++stats.transitions;
          const auto [to, is_new] = x.store_.insert(key, h);
          x.graph_.add(to, c.env[successor] != 0);
          if (is_new) stats.depth = level + 1;
        }
        expanded = id + 1;
      }
      return clock.go_on(violation_seen, stats.stop, [&](double elapsed) {
        return Progress{x.store_.size(), stats.transitions, stats.depth, x.store_.size() - expanded,
                        x.budget_.used(), elapsed};
      });
    };

    try {
      std::vector<std::uint8_t> initial(bytes);
      model.initial(initial.data());
      x.normalize(initial.data());
      std::vector<std::uint64_t> key(words);
      x.codec_.pack(initial.data(), key.data());
      x.store_.insert(key.data(), hash_record(key.data(), words));
      Pipeline<Expansion>::run(options.threads, kChunkStates, compute, insert,
                               [&] { return std::uint64_t{x.store_.size()}; });
    } catch (const OutOfMemory&) {
      stats.stop = Stop::kMemory;
    } catch (const std::bad_alloc&) {
      stats.stop = Stop::kMemory;
    }
    if (!stats.complete()) {
      // States stored but never expanded still decide what they decide by themselves.
      std::vector<std::uint8_t> state(bytes);
      for (std::uint64_t id = expanded; id < x.store_.size(); ++id) {
        x.codec_.unpack(x.store_.record(StateId{static_cast<std::uint32_t>(id)}), state.data());
        decides(state.data(), false,
                [&](std::uint32_t code) { note(static_cast<std::uint32_t>(id), code); });
      }
    }
    if (stats.complete() || stats.stop == Stop::kFirst) {
      // Stopped at a counterexample, states never expanded have no edges and are no dead ends.
      x.graph_.finish(x.store_.size());
      x.dead_ends_.resize(x.store_.size(), false);
      x.store_.drop_index();  // no more lookups: the analyses walk the graph
    }
    stats.states = x.store_.size();
    for (auto* per_property : {&w.deciding, &w.condition, &w.target}) {
      for (auto& states : *per_property) states.resize(x.store_.size(), false);
    }
    stats.memory_bytes = x.budget_.peak();
    stats.seconds = clock.seconds();
    return w;
  }
};

/// Explores every reachable state of `model`, noting the states that decide `properties` as
/// they are reached.
template <Model M>
std::pair<std::unique_ptr<Exploration<M>>, Witnesses> explore(const M& model, const std::vector<Property>& properties,
                                                              const SearchOptions& options = {}) {
  auto x = std::make_unique<Exploration<M>>(model, options);
  Witnesses w = Explorer<M>::run(*x, properties, options);
  return {std::move(x), std::move(w)};
}

/// Explores `model` and decides every property.
template <Model M>
SearchResult<typename M::Event> search(const M& model, const std::vector<Property>& properties,
                                       const SearchOptions& options = {}) {
  using Event = typename M::Event;
  if (options.random_runs > 0) return search_random(model, properties, options);
  if (options.hash_compaction) return search_compacted(model, properties, options);
  const auto started = std::chrono::steady_clock::now();
  // Named, not bound: clang 14 does not let lambdas capture structured bindings.
  auto explored = explore(model, properties, options);
  const std::unique_ptr<Exploration<M>>& x = explored.first;
  Witnesses& witnesses = explored.second;
  SearchResult<Event> result;
  for (const auto& property : properties) {
    PropertyOutcome<Event> outcome;
    outcome.name = property.name;
    outcome.kind = property.kind;
    result.outcomes.push_back(std::move(outcome));
  }
  std::vector<bool> decided(properties.size(), false);
  for (std::size_t i = 0; i < properties.size(); ++i) decided[i] = witnesses.first[i].has_value();

  if (x->stats().complete() || x->stats().stop == Stop::kFirst) {
    try {
      const StateGraph& g = x->graph();
      const auto n = static_cast<std::uint32_t>(x->size());
      auto keys_of = [&](std::uint32_t v) { return x->keys(v); };
      auto pending_of = [&](std::uint32_t v) { return x->pending(v); };
      for (std::size_t i = 0; i < properties.size(); ++i) {
        // "eventually `target`": from the initial state.
        if (properties[i].kind == PropertyKind::kLeadsTo && !properties[i].condition) witnesses.condition[i][0] = true;
      }
      // The least-cost paths from the initial state. With a second thread, the components of the
      // first leads-to property that needs no paths for them are found meanwhile.
      LeastCostPaths from_initial;
      auto find_paths = [&] {
        from_initial = least_cost_paths(g, n, {{0U, Cost{0}}}, [](std::uint32_t) { return true; });
      };
      std::optional<std::size_t> early;
      std::optional<RegionComponents> early_components;
      if ((options.threads == 0 ? default_threads() : options.threads) > 1) {
        for (std::size_t i = 0; i < properties.size() && !early; ++i) {
          if (properties[i].kind == PropertyKind::kLeadsTo &&
              region_outside_target(g, witnesses.condition[i], witnesses.target[i])) {
            early = i;
          }
        }
      }
      if (early) {
        // The future waits for its thread when it is destroyed, also when the components throw.
        auto paths = std::async(std::launch::async, find_paths);
        early_components = outside_target_components(g, witnesses.target[*early], keys_of, pending_of);
        paths.get();
      } else {
        find_paths();
      }
      // For each property decided by a state, the deciding state with the least-cost path (the
      // first in breadth-first order among equals); the predicates were noted during the search.
      std::vector<std::optional<std::uint32_t>> best(properties.size());
      for (std::size_t i = 0; i < properties.size(); ++i) {
        if (!decided[i] || properties[i].kind == PropertyKind::kLeadsTo) continue;
        const std::vector<bool>& deciding = witnesses.deciding[i];
        for (std::uint32_t v = 0; v < n; ++v) {
          if (deciding[v] && (!best[i] || from_initial.cost[v] < from_initial.cost[*best[i]])) best[i] = v;
        }
      }
      for (std::size_t i = 0; i < properties.size(); ++i) {
        auto& outcome = result.outcomes[i];
        if (properties[i].kind == PropertyKind::kLeadsTo) {
          std::vector<bool>& ps = witnesses.condition[i];
          const auto found = check_leads_to(g, ps, witnesses.target[i], from_initial, x->dead_ends(), keys_of,
                                            pending_of, early == i ? &*early_components : nullptr);
          ps = {};
          witnesses.target[i] = {};
          outcome.needs_concrete = found.cycles && x->canonical();
          if (!found.violated) continue;
          decided[i] = true;
          outcome.trace = x->trace(found.lasso.edges, found.lasso.loop_start);
          continue;
        }
        if (best[i]) outcome.trace = x->trace(path_to(g, from_initial, *best[i]), std::nullopt);
      }
    } catch (const OutOfMemory&) {
      x->stop(Stop::kMemory);
    } catch (const std::bad_alloc&) {
      x->stop(Stop::kMemory);
    }
  }

  const bool complete = x->stats().complete();
  for (std::size_t i = 0; i < properties.size(); ++i) {
    auto& outcome = result.outcomes[i];
    outcome.vacuous = properties[i].antecedent && !witnesses.antecedent_seen[i] && complete;
    switch (outcome.kind) {
      case PropertyKind::kAlways:
      case PropertyKind::kAtDeadEnds:
      case PropertyKind::kLeadsTo:
        outcome.verdict = decided[i] ? Verdict::kViolated : (complete ? Verdict::kHolds : Verdict::kUnknown);
        break;
      case PropertyKind::kSometimes:
        outcome.verdict = decided[i] ? Verdict::kHolds : (complete ? Verdict::kViolated : Verdict::kUnknown);
        break;
    }
  }
  result.stats = x->stats();
  result.stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

/// Re-applies `events` from the model's initial state. Returns the states after each event, or
/// the index of the first event that is not enabled where it is applied (the model changed under a
/// saved trace).
template <Model M>
std::pair<std::vector<std::vector<std::uint8_t>>, std::optional<std::size_t>> replay(
    const M& model, const std::vector<typename M::Event>& events) {
  std::vector<std::vector<std::uint8_t>> states;
  std::vector<std::uint8_t> state(model.state_bytes()), next(model.state_bytes());
  model.initial(state.data());
  std::vector<typename M::Event> enabled;
  for (std::size_t i = 0; i < events.size(); ++i) {
    enabled.clear();
    model.enabled(state.data(), enabled);
    if (std::find(enabled.begin(), enabled.end(), events[i]) == enabled.end()) return {std::move(states), i};
    model.step(state.data(), events[i], next.data());
    std::swap(state, next);
    states.push_back(state);
  }
  return {std::move(states), std::nullopt};
}

}  // namespace wakecheck::explorer
