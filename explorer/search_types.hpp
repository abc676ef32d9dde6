// What a search is asked (SearchOptions) and what it returns (verdicts, traces, statistics), shared
// by the full search (explorer/search.hpp) and hash compaction (explorer/compaction.hpp).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "explorer/memory.hpp"
#include "explorer/property.hpp"

namespace wakecheck::explorer {

enum class Verdict {
  kHolds,
  kViolated,
  kUnknown,  // the search stopped at a bound before the property was decided
};

/// Why a search ended.
enum class Stop {
  kComplete,   // every reachable state was visited
  kMaxStates,  // the state bound was reached
  kMemory,     // the memory budget was reached
  kTime,       // the time limit was reached
  kFirst,      // a counterexample was found and the search asked to stop at the first one
  kSampled,    // random schedules ran instead of an exhaustive search (explorer/random_walk.hpp)
};

/// What the search has done so far, for a progress line.
struct Progress {
  std::uint64_t states = 0;
  std::uint64_t transitions = 0;
  std::uint32_t depth = 0;
  std::uint64_t queue = 0;  // states reached and not yet expanded
  std::size_t memory_bytes = 0;
  double seconds = 0.0;
};

struct SearchOptions {
  // Stop after this many distinct states; undecided properties are then kUnknown.
  std::size_t max_states = SIZE_MAX;
  // Bytes the search's own arrays may hold; 0: default_memory_budget() (half of physical memory,
  // within the address-space limit). Reaching it ends the search like max_states.
  std::size_t max_memory = 0;
  // Seconds the search may run; 0: no limit. Reaching it ends the search like max_states.
  double time_limit = 0.0;
  // Store states in canonical form when the model has symmetry.
  bool symmetry = true;
  // Stop at the first state that shows a property violated (a state that breaks an invariant, a
  // dead end that breaks a dead-end condition or where a leads-to target is false), at the end of
  // the chunk of states that found it. The analyses then run on the states found so far: what
  // they find violated is violated; nothing holds (the rest is kUnknown).
  bool first = false;
  // Called about once a second while the search runs.
  std::function<void(const Progress&)> progress;
  // Threads that expand states; 0: every core (default_threads()). The result is the same for
  // any number.
  unsigned threads = 0;
  // Check that every reached state fits the widths the model gives (tests).
  bool check_widths = false;
  // Keep a 64-bit fingerprint of each state instead of the state, and no state graph
  // (explorer/compaction.hpp): far less memory, a small chance of missing states, and leads-to
  // properties decided at dead ends only.
  bool hash_compaction = false;
  // Instead of every state: this many random schedules from the initial state
  // (explorer/random_walk.hpp), each until a dead end or max_steps events; 0: exhaustive search.
  std::uint64_t random_runs = 0;
  std::uint64_t seed = 1;        // the same seed gives the same runs
  unsigned pct_depth = 0;        // 0: each event uniformly; d >= 1: PCT priorities with d - 1 changes
  std::uint32_t max_steps = 10000;
};

struct SearchStats {
  std::uint64_t states = 0;       // distinct reachable states (orbits, with symmetry)
  std::uint64_t transitions = 0;  // events applied, including those reaching known states
  std::uint32_t depth = 0;        // the largest breadth-first depth reached
  std::uint64_t dead_ends = 0;    // states with no enabled event but environment events
  double seconds = 0.0;
  std::size_t memory_bytes = 0;   // the most the search's arrays held at once
  std::size_t state_bytes = 0;    // a working state
  std::size_t packed_bits = 0;    // a stored state
  bool symmetry = false;          // states were stored in canonical form
  // Hash compaction: fingerprints only. The probability that a state was missed (two states
  // took for one), and whether a leads-to verdict was left open because cycles were not searched.
  bool hash_compaction = false;
  double omission_probability = 0.0;
  bool cycles_unsearched = false;
  // Random schedules: what they covered.
  struct Random {
    std::uint64_t runs = 0;       // schedules run
    std::uint64_t stuck = 0;      // ended in a dead end
    std::uint64_t cut = 0;        // ended at max_steps
    std::uint64_t seed = 0;
    unsigned pct_depth = 0;
    std::uint32_t max_steps = 0;
    std::uint32_t processes = 0;  // distinct processes that took a step (PCT)
  };
  std::optional<Random> random;
  Stop stop = Stop::kComplete;
  bool complete() const { return stop == Stop::kComplete; }
};

template <class Event>
struct Trace {
  std::vector<Event> events;
  // For a lasso: events[loop_start..] form a cycle that repeats forever (the last of them leads
  // back to the state before events[loop_start]).
  std::optional<std::size_t> loop_start;
};

template <class Event>
struct PropertyOutcome {
  std::string name;
  PropertyKind kind = PropertyKind::kAlways;
  Verdict verdict = Verdict::kUnknown;
  // The property's antecedent never held in a reachable state: it passes vacuously.
  bool vacuous = false;
  // The counterexample (or, for kSometimes, the example) when the property was decided by one.
  std::optional<Trace<Event>> trace;
  // kLeadsTo on states stored up to symmetry: runs could cycle, so fairness decided the verdict,
  // which a quotient cannot judge (a cycle of representatives need not be a fair cycle of the
  // processes). The verdict must then be decided on the concrete states.
  bool needs_concrete = false;
};

template <class Event>
struct SearchResult {
  std::vector<PropertyOutcome<Event>> outcomes;
  SearchStats stats;
};

/// The memory a search may hold: --max-memory, else default_memory_budget().
inline std::size_t memory_limit(const SearchOptions& options) {
  return options.max_memory != 0 ? options.max_memory : default_memory_budget();
}

/// A search's clock: the seconds since it started, its time limit, and its progress calls about
/// once a second. Every search asks it between pieces of work.
class SearchClock {
 public:
  explicit SearchClock(const SearchOptions& options)
      : options_(&options), started_(std::chrono::steady_clock::now()), last_report_(started_) {}

  double seconds() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count(); }

  /// Between pieces of work: false when the search must stop (`stop` then says why: kFirst once
  /// `violated` with options.first, kTime past the time limit); else calls options.progress with
  /// make_progress(seconds) when a second has passed since the last call.
  template <class MakeProgress>
  bool go_on(bool violated, Stop& stop, MakeProgress make_progress) {
    if (options_->first && violated) {
      stop = Stop::kFirst;
      return false;
    }
    const auto now = std::chrono::steady_clock::now();
    const double elapsed = std::chrono::duration<double>(now - started_).count();
    if (options_->time_limit > 0 && elapsed > options_->time_limit) {
      stop = Stop::kTime;
      return false;
    }
    if (options_->progress && now - last_report_ >= std::chrono::seconds(1)) {
      last_report_ = now;
      options_->progress(make_progress(elapsed));
    }
    return true;
  }

 private:
  const SearchOptions* options_;
  std::chrono::steady_clock::time_point started_, last_report_;
};

}  // namespace wakecheck::explorer
