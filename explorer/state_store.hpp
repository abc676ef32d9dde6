// The set of visited states: a flat array of state values plus an open-addressing index.
//
// States are stored by value in fixed-size blocks, in the order they were first reached, and are
// addressed by a dense StateId; blocks never move, so growing the store copies no state. Each keeps a parent link (the state and event it was first
// reached by) so that a trace is rebuilt on demand instead of being stored. Lookups hash the
// state's bytes and probe a power-of-two table of ids; nothing is allocated per state except the
// amortised growth of the arrays.
#pragma once

#include <cstdint>
#include <memory>
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

  StateStore() { table_.assign(1024, Slot{}); }

  std::size_t size() const { return size_; }
  const State& state(StateId id) const { return at(index_of(id)); }
  const Parent& parent(StateId id) const { return parents_[index_of(id)]; }

  /// The id of a stored state equal to `state`, if any.
  std::optional<StateId> find(const State& state) const {
    const std::uint64_t h = hash_value(state);
    const std::size_t mask = table_.size() - 1;
    const auto tag = static_cast<std::uint32_t>(h >> 32);
    for (std::size_t slot = static_cast<std::size_t>(h) & mask; table_[slot].index != kEmpty;
         slot = (slot + 1) & mask) {
      if (table_[slot].tag == tag && at(table_[slot].index) == state) return StateId{table_[slot].index};
    }
    return std::nullopt;
  }

  /// Inserts `state` unless an equal state is present. Returns its id and whether it is new.
  std::pair<StateId, bool> insert(const State& state, const Parent& parent) {
    const std::uint64_t h = hash_value(state);
    const std::size_t mask = table_.size() - 1;
    const auto tag = static_cast<std::uint32_t>(h >> 32);
    std::size_t slot = static_cast<std::size_t>(h) & mask;
    while (table_[slot].index != kEmpty) {
      const Slot probe = table_[slot];
      // The tag (the hash's high half) rules out most other states without touching them.
      if (probe.tag == tag && at(probe.index) == state) return {StateId{probe.index}, false};
      slot = (slot + 1) & mask;
    }
    const auto index = static_cast<std::uint32_t>(size_);
    if (size_ % kBlock == 0) blocks_.push_back(std::make_unique<State[]>(kBlock));
    blocks_.back()[size_ % kBlock] = state;
    ++size_;
    hashes_.push_back(h);
    parents_.push_back(parent);
    table_[slot] = Slot{index, tag};
    // Invariant: the table stays at most half full, so probes stay short.
    if (size_ * 2 > table_.size()) grow();
    return {StateId{index}, true};
  }

  /// Bytes held by the store, for the statistics.
  std::size_t memory_bytes() const {
    return blocks_.size() * kBlock * sizeof(State) + hashes_.capacity() * sizeof(std::uint64_t) +
           parents_.capacity() * sizeof(Parent) + table_.capacity() * sizeof(Slot);
  }

 private:
  static constexpr std::uint32_t kEmpty = UINT32_MAX;
  struct Slot {
    std::uint32_t index = kEmpty;
    std::uint32_t tag = 0;
  };

  void grow() {
    std::vector<Slot> bigger(table_.size() * 2, Slot{});
    const std::size_t mask = bigger.size() - 1;
    for (std::uint32_t index = 0; index < size_; ++index) {
      std::size_t slot = static_cast<std::size_t>(hashes_[index]) & mask;
      while (bigger[slot].index != kEmpty) slot = (slot + 1) & mask;
      bigger[slot] = Slot{index, static_cast<std::uint32_t>(hashes_[index] >> 32)};
    }
    table_ = std::move(bigger);
  }

  static constexpr std::size_t kBlock = 1 << 12;  // states per block: small, so a small model pays little

  const State& at(std::size_t index) const { return blocks_[index / kBlock][index % kBlock]; }

  std::vector<std::unique_ptr<State[]>> blocks_;
  std::size_t size_ = 0;
  std::vector<std::uint64_t> hashes_;
  std::vector<Parent> parents_;
  std::vector<Slot> table_;
};

}  // namespace wakecheck::explorer
