// Random schedules, for spaces no exhaustive search can finish: runs from the initial state, each
// event chosen at random, each run ending in a dead end or after max_steps events.
//
// Two ways to choose. Uniform: any enabled event, each as likely. PCT (probabilistic concurrency
// testing, Burckhardt et al., ASPLOS 2010): each process (the model's process_of(event), else its
// fairness key) gets a random priority when it first takes part, the highest-priority process with
// an enabled event runs, and at d - 1 random steps the process that just ran drops below all
// others; a bug that needs d ordering constraints among n processes is then found by each run of
// k steps with probability at least 1 / (n k^(d-1)). In both, an environment event (a fault) is
// taken with the odds of one more process, and at a dead end whose only events are the
// environment's the run ends there or takes one of them, as a coin says.
//
// Runs prove nothing holds: what no run violated is unknown. What a run finds is a concrete,
// replayable counterexample; the shortest found is kept. The statistics say what the runs covered:
// runs, steps, the distinct states they visited, the runs that ended stuck or at the step bound.
// The same seed gives the same runs and the same report.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "explorer/codec.hpp"
#include "explorer/compaction.hpp"
#include "explorer/memory.hpp"
#include "explorer/model.hpp"
#include "explorer/property.hpp"
#include "explorer/search_types.hpp"

namespace wakecheck::explorer {

/// The process an event belongs to, for PCT: the model's `process(event)` where it has one,
/// else the event's fairness key; none for environment events.
template <class M>
std::optional<std::uint16_t> process_of(const M& model, const typename M::Event& event) {
  if (model.is_environment(event)) return std::nullopt;
  if constexpr (requires { model.process(event); }) {
    return model.process(event);
  } else {
    return fairness_of(model, event);
  }
}

/// A small deterministic generator (SplitMix64): the same seed gives the same numbers everywhere,
/// which the standard distributions do not promise.
class SplitMix {
 public:
  explicit SplitMix(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  /// A number in [0, n), n > 0.
  std::uint64_t below(std::uint64_t n) {
    __extension__ using Wide = unsigned __int128;
    return static_cast<std::uint64_t>((static_cast<Wide>(next()) * n) >> 64);
  }

 private:
  std::uint64_t state_;
};

template <Model M>
SearchResult<typename M::Event> search_random(const M& model, const std::vector<Property>& properties,
                                              const SearchOptions& options) {
  using Event = typename M::Event;
  SearchClock clock(options);
  const Codec codec(model.state_widths());
  MemoryBudget budget(memory_limit(options));
  FingerprintSet seen(&budget);
  bool counting = true;  // distinct states are counted until the budget is reached
  const std::size_t bytes = codec.state_bytes();

  SearchResult<Event> result;
  SearchStats& stats = result.stats;
  stats.state_bytes = bytes;
  stats.packed_bits = codec.packed_bits();
  stats.stop = Stop::kSampled;
  SearchStats::Random covered;
  covered.seed = options.seed;
  covered.pct_depth = options.pct_depth;
  covered.max_steps = options.max_steps;

  std::vector<std::optional<std::vector<Event>>> found(properties.size());
  auto keep = [&](std::size_t i, const std::vector<Event>& events, std::size_t length) {
    if (!found[i] || length < found[i]->size()) found[i] = std::vector<Event>(events.begin(), events.begin() + static_cast<std::ptrdiff_t>(length));
  };
  auto violated_any = [&] {
    for (std::size_t i = 0; i < properties.size(); ++i) {
      if (found[i] && properties[i].kind != PropertyKind::kSometimes) return true;
    }
    return false;
  };

  std::vector<std::uint8_t> state(bytes), next(bytes);
  std::vector<std::uint64_t> key(codec.packed_words());
  std::vector<Event> enabled, walk;
  std::vector<std::size_t> pick;     // PCT: the events of the highest-priority process
  std::vector<std::uint16_t> ready;  // PCT: the processes with an enabled event
  // Per leads-to property: its condition held (or the run began) and its target has not since.
  std::vector<bool> owed(properties.size());
  std::vector<std::uint16_t> processes_seen;
  std::uint32_t longest = 0;

  for (std::uint64_t run = 0; run < options.random_runs; ++run) {
    SplitMix random(options.seed ^ (run * 0xD1B54A32D192ED03ULL));
    // PCT: priorities by process, and the steps where the running process drops.
    std::vector<std::pair<std::uint16_t, std::uint64_t>> priority;
    std::vector<std::uint32_t> change_points;
    const std::uint32_t horizon = std::max<std::uint32_t>(longest, 16);
    for (unsigned c = 1; c < options.pct_depth; ++c) change_points.push_back(1 + static_cast<std::uint32_t>(random.below(horizon)));
    auto priority_of = [&](std::uint16_t process) -> std::uint64_t& {
      for (auto& [p, value] : priority) {
        if (p == process) return value;
      }
      // Above every dropped priority (those are below pct_depth).
      priority.emplace_back(process, options.pct_depth + (random.next() >> 1));
      if (std::find(processes_seen.begin(), processes_seen.end(), process) == processes_seen.end()) {
        processes_seen.push_back(process);
      }
      return priority.back().second;
    };

    model.initial(state.data());
    walk.clear();
    owed.assign(properties.size(), false);
    bool stuck = false;
    for (std::uint32_t step = 0;; ++step) {
      enabled.clear();
      model.enabled(state.data(), enabled);
      bool dead_end = true;
      for (const Event& e : enabled) dead_end = dead_end && model.is_environment(e);
      // The dead end ends the run unless the coin sends it on through an environment event.
      const bool ends = enabled.empty() || (dead_end && random.below(2) == 0);
      if (counting) {
        codec.pack(state.data(), key.data());
        try {
          seen.insert(hash_record(key.data(), key.size()));
        } catch (const OutOfMemory&) {
          counting = false;
        }
      }
      state_decisions(properties, state.data(), dead_end, false, [&](std::uint32_t code) {
        const std::uint32_t i = code & ~decision::kFlags;
        if ((code & decision::kFlags) == 0) keep(i, walk, walk.size());
      });
      for (std::size_t i = 0; i < properties.size(); ++i) {
        const Property& p = properties[i];
        if (p.kind != PropertyKind::kLeadsTo) continue;
        owed[i] = leads_to_owed(p, state.data(), step == 0, owed[i]);
        // A dead end may be where the run stops: a run that breaks the property.
        if (dead_end && owed[i]) keep(i, walk, walk.size());
      }
      if (ends) {
        stuck = true;
        break;
      }
      if (step == options.max_steps) break;
      // Choose.
      std::size_t chosen = 0;
      if (options.pct_depth == 0) {
        chosen = static_cast<std::size_t>(random.below(enabled.size()));
      } else {
        pick.clear();
        std::uint64_t best = 0;
        std::size_t environment = 0;
        ready.clear();
        for (std::size_t k = 0; k < enabled.size(); ++k) {
          const auto process = process_of(model, enabled[k]);
          if (!process) {
            ++environment;
            continue;
          }
          if (std::find(ready.begin(), ready.end(), *process) == ready.end()) ready.push_back(*process);
          const std::uint64_t value = priority_of(*process);
          if (pick.empty() || value > best) {
            pick.assign(1, k);
            best = value;
          } else if (value == best) {
            pick.push_back(k);
          }
        }
        if (environment > 0 && (pick.empty() || random.below(ready.size() + 1) == 0)) {
          std::size_t nth = static_cast<std::size_t>(random.below(environment));
          for (std::size_t k = 0; k < enabled.size(); ++k) {
            if (!model.is_environment(enabled[k])) continue;
            if (nth-- == 0) {
              chosen = k;
              break;
            }
          }
        } else {
          chosen = pick[static_cast<std::size_t>(random.below(pick.size()))];
          // At a change point the running process drops below every other: the c-th gives it c - 1.
          const auto change = std::find(change_points.begin(), change_points.end(), step + 1);
          if (change != change_points.end()) {
            priority_of(*process_of(model, enabled[chosen])) = static_cast<std::uint64_t>(change - change_points.begin());
          }
        }
      }
      model.step(state.data(), enabled[chosen], next.data());
      std::swap(state, next);
      walk.push_back(enabled[chosen]);
      ++stats.transitions;
    }
    ++covered.runs;
    if (stuck) {
      ++covered.stuck;
    } else {
      ++covered.cut;
    }
    longest = std::max<std::uint32_t>(longest, static_cast<std::uint32_t>(walk.size()));
    const bool go_on = clock.go_on(violated_any(), stats.stop, [&](double elapsed) {
      return Progress{seen.size(), stats.transitions, longest, options.random_runs - covered.runs, budget.used(), elapsed};
    });
    if (!go_on) {
      if (stats.stop == Stop::kFirst) stats.stop = Stop::kSampled;  // runs are sampled either way
      break;
    }
  }
  covered.processes = static_cast<std::uint32_t>(processes_seen.size());
  stats.random = covered;
  stats.states = seen.size();
  stats.depth = longest;
  stats.memory_bytes = budget.peak();
  for (std::size_t i = 0; i < properties.size(); ++i) {
    PropertyOutcome<Event> outcome;
    outcome.name = properties[i].name;
    outcome.kind = properties[i].kind;
    if (found[i]) {
      outcome.verdict = properties[i].kind == PropertyKind::kSometimes ? Verdict::kHolds : Verdict::kViolated;
      outcome.trace = Trace<Event>{std::move(*found[i]), std::nullopt};
    }
    result.outcomes.push_back(std::move(outcome));
  }
  stats.seconds = clock.seconds();
  return result;
}

}  // namespace wakecheck::explorer
