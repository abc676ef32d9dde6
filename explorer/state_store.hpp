// The set of visited states: packed records (explorer/codec.hpp) in the order they were first
// reached, addressed by a dense StateId, plus an open-addressing index over them.
//
// Records live in chunks that never move, so growing copies no state. The index is a power-of-two
// table of 8-byte slots, at most 80% full: the high 32 bits of a state's hash and its id. The slot
// a state belongs in is those 32 bits masked to the table's size, so a table that doubles is
// refilled from its own slots, in order, without reading a record or hashing again (the bits
// above the mask tell records apart before they are compared). It can be dropped once the search
// is over. Nothing is allocated per state.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <utility>
#include <vector>

#include "explorer/hash.hpp"
#include "explorer/memory.hpp"

namespace wakecheck::explorer {

enum class StateId : std::uint32_t {};
inline constexpr std::uint32_t index_of(StateId id) { return static_cast<std::uint32_t>(id); }

/// The hash of a packed record of `words` words.
inline std::uint64_t hash_record(const std::uint64_t* record, std::size_t words) { return hash_words(record, words); }

/// Packed records of a fixed number of words, in chunks that never move.
class RecordArray {
 public:
  RecordArray(std::size_t words, MemoryBudget* budget) : words_(words), budget_(budget) {
    // Chunks of about 4 MiB: whole huge pages, few of them.
    chunk_log2_ = 10;
    while (chunk_log2_ < 22 && (words_ * sizeof(std::uint64_t) << (chunk_log2_ + 1)) <= (std::size_t{4} << 20)) {
      ++chunk_log2_;
    }
    // The table of chunks never grows: threads that read records while one appends (search.hpp)
    // must not see it move. Enough chunks for 2^32 records, or 2^16 chunks (of 2 to 4 MiB).
    chunks_.reserve(std::min<std::size_t>((std::size_t{1} << 32) >> chunk_log2_, std::size_t{1} << 16));
  }
  std::size_t words() const { return words_; }
  std::size_t size() const { return size_; }
  const std::uint64_t* operator[](std::size_t i) const { return at(i); }
  std::uint64_t* operator[](std::size_t i) { return at(i); }
  /// Appends a copy of `record` (may throw OutOfMemory; nothing changes then).
  std::size_t push_back(const std::uint64_t* record) {
    if (size_ == chunks_.size() << chunk_log2_) {
      if (chunks_.size() == chunks_.capacity()) throw OutOfMemory();
      chunks_.emplace_back(budget_, (words_ * sizeof(std::uint64_t)) << chunk_log2_);
    }
    std::memcpy(at(size_), record, words_ * sizeof(std::uint64_t));
    return size_++;
  }
  std::size_t memory_bytes() const {
    return (chunks_.size() - released_) * ((words_ * sizeof(std::uint64_t)) << chunk_log2_);
  }
  /// Frees the chunks that hold only records below `id` (a queue of states to expand whose front
  /// was expanded); those records must not be read again.
  void release_below(std::size_t id) {
    for (; released_ < chunks_.size() && ((released_ + 1) << chunk_log2_) <= id; ++released_) {
      chunks_[released_] = Block();
    }
  }

 private:
  std::uint64_t* at(std::size_t i) const {
    return static_cast<std::uint64_t*>(chunks_[i >> chunk_log2_].data()) + (i & ((std::size_t{1} << chunk_log2_) - 1)) * words_;
  }

  std::size_t words_;
  MemoryBudget* budget_;
  std::size_t chunk_log2_;
  std::vector<Block> chunks_;
  std::size_t size_ = 0;
  std::size_t released_ = 0;  // chunks freed by release_below
};

class StateStore {
 public:
  StateStore(std::size_t words, MemoryBudget* budget) : records_(words, budget), budget_(budget) {}

  std::size_t size() const { return records_.size(); }
  std::size_t words() const { return records_.words(); }
  const std::uint64_t* record(StateId id) const { return records_[index_of(id)]; }

  void prefetch(std::uint64_t hash) const {
    if (index_.data() != nullptr) __builtin_prefetch(slots() + ((hash >> 32) & mask_));
  }

  /// The id of a stored record equal to `key`, if any.
  std::optional<StateId> find(const std::uint64_t* key, std::uint64_t hash) const {
    if (index_.data() == nullptr) return std::nullopt;
    const auto tag = static_cast<std::uint32_t>(hash >> 32);
    const std::uint64_t* table = slots();
    for (std::size_t slot = tag & mask_;; slot = (slot + 1) & mask_) {
      const std::uint64_t s = table[slot];
      if (s == 0) return std::nullopt;
      if (static_cast<std::uint32_t>(s >> 32) == tag && equal(key, static_cast<std::uint32_t>(s) - 1U)) {
        return StateId{static_cast<std::uint32_t>(s) - 1U};
      }
    }
  }

  /// Inserts `key` unless an equal record is present. Returns its id and whether it is new. Throws
  /// OutOfMemory when the budget refuses to grow (nothing changes then).
  std::pair<StateId, bool> insert(const std::uint64_t* key, std::uint64_t hash) {
    if (index_.data() == nullptr) resize_index(std::size_t{1} << 10);
    const auto tag = static_cast<std::uint32_t>(hash >> 32);
    std::uint64_t* table = slots();
    std::size_t slot = tag & mask_;
    for (;; slot = (slot + 1) & mask_) {
      const std::uint64_t s = table[slot];
      if (s == 0) break;
      if (static_cast<std::uint32_t>(s >> 32) == tag && equal(key, static_cast<std::uint32_t>(s) - 1U)) {
        return {StateId{static_cast<std::uint32_t>(s) - 1U}, false};
      }
    }
    // Invariant: the table stays at most 80% full, so probes stay short (a lookup that finds its
    // state, most of them, reads 3 slots on average; the 32-bit tags spare most record reads).
    if ((records_.size() + 1) * 10 > (mask_ + 1) * 8) {
      resize_index((mask_ + 1) * 2);
      return insert(key, hash);
    }
    const auto id = static_cast<std::uint32_t>(records_.push_back(key));
    table[slot] = (std::uint64_t{tag} << 32) | (std::uint64_t{id} + 1U);
    return {StateId{id}, true};
  }

  /// Frees the index: lookups are no longer possible; records stay.
  void drop_index() {
    index_ = Block();
    mask_ = 0;
  }

  /// Bytes held by the store, for the statistics.
  std::size_t memory_bytes() const { return records_.memory_bytes() + index_.bytes(); }

 private:
  std::uint64_t* slots() const { return static_cast<std::uint64_t*>(index_.data()); }
  bool equal(const std::uint64_t* key, std::uint32_t id) const {
    const std::uint64_t* record = records_[id];
    for (std::size_t w = 0; w < records_.words(); ++w) {
      if (record[w] != key[w]) return false;
    }
    return true;
  }

  void resize_index(std::size_t capacity) {
    Block bigger(budget_, capacity * sizeof(std::uint64_t));  // zero: every slot empty
    auto* table = static_cast<std::uint64_t*>(bigger.data());
    const std::size_t mask = capacity - 1;
    // The old slots in order: an entry of slot i lands near slot i or i + the old size, so the
    // writes move through the new table in two nearly sequential streams.
    const std::uint64_t* old = slots();
    for (std::size_t i = 0; old != nullptr && i <= mask_; ++i) {
      const std::uint64_t entry = old[i];
      if (entry == 0) continue;
      std::size_t slot = (entry >> 32) & mask;
      while (table[slot] != 0) slot = (slot + 1) & mask;
      table[slot] = entry;
    }
    index_ = std::move(bigger);
    mask_ = mask;
  }

  RecordArray records_;
  MemoryBudget* budget_;
  Block index_;
  std::size_t mask_ = 0;
};

}  // namespace wakecheck::explorer
