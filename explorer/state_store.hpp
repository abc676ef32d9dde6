// The set of visited states: a flat array of state values plus an open-addressing index.
//
// States are stored by value in one contiguous vector, in the order they were first reached, and
// are addressed by a dense StateId. Each keeps a parent link (the state and event it was first
// reached by) so that a trace is rebuilt on demand instead of being stored. Lookups hash the
// state's bytes and probe a power-of-two table of ids; nothing is allocated per state except the
// amortised growth of the arrays.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "explorer/hash.hpp"

namespace wakecheck::explorer {

enum class StateId : std::uint32_t {};

inline constexpr std::uint32_t index_of(StateId id) { return static_cast<std::uint32_t>(id); }

template <HashableValue State, HashableValue Event>
class StateStore {
 public:
  struct Parent {
    std::optional<StateId> state;  // none for the initial state
    Event event{};                 // meaningless for the initial state
    std::uint32_t depth = 0;
  };

  StateStore() { table_.assign(1024, kEmpty); }

  std::size_t size() const { return states_.size(); }
  const State& state(StateId id) const { return states_[index_of(id)]; }
  const Parent& parent(StateId id) const { return parents_[index_of(id)]; }

  /// Inserts `state` unless an equal state is present. Returns its id and whether it is new.
  std::pair<StateId, bool> insert(const State& state, const Parent& parent) {
    const std::uint64_t h = hash_value(state);
    std::size_t mask = table_.size() - 1;
    std::size_t slot = static_cast<std::size_t>(h) & mask;
    while (table_[slot] != kEmpty) {
      const std::uint32_t index = table_[slot];
      if (hashes_[index] == h && states_[index] == state) return {StateId{index}, false};
      slot = (slot + 1) & mask;
    }
    const auto index = static_cast<std::uint32_t>(states_.size());
    states_.push_back(state);
    hashes_.push_back(h);
    parents_.push_back(parent);
    table_[slot] = index;
    // Invariant: the table stays at most half full, so probes stay short.
    if (states_.size() * 2 > table_.size()) grow();
    return {StateId{index}, true};
  }

  /// Bytes held by the store, for the statistics.
  std::size_t memory_bytes() const {
    return states_.capacity() * sizeof(State) + hashes_.capacity() * sizeof(std::uint64_t) +
           parents_.capacity() * sizeof(Parent) + table_.capacity() * sizeof(std::uint32_t);
  }

 private:
  static constexpr std::uint32_t kEmpty = UINT32_MAX;

  void grow() {
    std::vector<std::uint32_t> bigger(table_.size() * 2, kEmpty);
    const std::size_t mask = bigger.size() - 1;
    for (std::uint32_t index = 0; index < states_.size(); ++index) {
      std::size_t slot = static_cast<std::size_t>(hashes_[index]) & mask;
      while (bigger[slot] != kEmpty) slot = (slot + 1) & mask;
      bigger[slot] = index;
    }
    table_ = std::move(bigger);
  }

  std::vector<State> states_;
  std::vector<std::uint64_t> hashes_;
  std::vector<Parent> parents_;
  std::vector<std::uint32_t> table_;
};

}  // namespace wakecheck::explorer
