// The explored state graph, kept for liveness and for least-cost counterexamples: every
// transition, as compressed sparse rows built while the search expands states in id order.
//
// An edge is its target (four bytes, the top bit marking an environment event); its event is not
// stored: the out-edges of a state are its enabled events in the model's order, so edge k of state
// v is event k of v's enabled list, recomputed from the stored state when a report needs it.
#pragma once

#include <algorithm>
#include <cstdint>

#include "explorer/memory.hpp"
#include "explorer/state_store.hpp"

namespace wakecheck::explorer {

class StateGraph {
 public:
  static constexpr std::uint32_t kEnvironment = 0x80000000U;

  explicit StateGraph(MemoryBudget* budget) : offsets_(budget, 20), targets_(budget, 20) {}

  /// Starts the out-edges of the next state (states are expanded in id order).
  void begin() { offsets_.push_back(static_cast<std::uint32_t>(targets_.size())); }
  void add(StateId target, bool environment) {
    targets_.push_back(index_of(target) | (environment ? kEnvironment : 0U));
  }
  /// Closes the rows: states never expanded get none.
  void finish(std::size_t vertices) {
    while (offsets_.size() < vertices + 1) offsets_.push_back(static_cast<std::uint32_t>(targets_.size()));
  }

  std::size_t vertices() const { return offsets_.size() == 0 ? 0 : offsets_.size() - 1; }
  std::size_t edge_count() const { return targets_.size(); }
  std::uint32_t first(std::uint32_t v) const { return offsets_[v]; }
  std::uint32_t end(std::uint32_t v) const { return offsets_[v + 1]; }
  std::uint32_t target(std::uint32_t e) const { return targets_[e] & ~kEnvironment; }
  bool environment(std::uint32_t e) const { return (targets_[e] & kEnvironment) != 0; }
  /// The index of edge `e` among its source's out-edges: the event's place in the enabled list.
  std::uint32_t choice(std::uint32_t e) const { return e - first(source(e)); }
  /// The state edge `e` leaves (a binary search over the rows).
  std::uint32_t source(std::uint32_t e) const {
    std::size_t lo = 0, hi = vertices();
    while (hi - lo > 1) {
      const std::size_t mid = (lo + hi) / 2;
      if (offsets_[mid] <= e) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return static_cast<std::uint32_t>(lo);
  }

  /// Asks the cache for the row of `v` (its bounds, and its first targets), to be read soon.
  void prefetch_row(std::uint32_t v) const {
    __builtin_prefetch(&offsets_[v]);
    __builtin_prefetch(&targets_[offsets_[v]]);
  }

  /// Calls f(edge index, target) for each out-edge of `v`.
  template <class F>
  void for_each_out(std::uint32_t v, F&& f) const {
    const std::uint32_t stop = end(v);
    for (std::uint32_t e = first(v); e < stop; ++e) f(e, target(e));
  }

  std::size_t memory_bytes() const { return offsets_.memory_bytes() + targets_.memory_bytes(); }

 private:
  ChunkedArray<std::uint32_t> offsets_;
  ChunkedArray<std::uint32_t> targets_;
};

}  // namespace wakecheck::explorer
