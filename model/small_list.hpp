// A bounded ordered list of small ids, stored inline. Unused slots are kept zero so that two
// lists with the same elements have the same bytes (states are hashed and compared by bytes).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace wakecheck::model {

template <class Id, std::size_t N>
class SmallList {
 public:
  bool operator==(const SmallList&) const = default;

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  bool full() const { return size_ == N; }
  Id operator[](std::size_t i) const { return items_[i]; }
  Id front() const { return items_[0]; }
  const Id* begin() const { return items_.data(); }
  const Id* end() const { return items_.data() + size_; }

  // Precondition: !full(). Capacities are checked when a scenario is loaded.
  void push_back(Id id) { items_[size_++] = id; }

  std::optional<std::size_t> find(Id id) const {
    for (std::size_t i = 0; i < size_; ++i) {
      if (items_[i] == id) return i;
    }
    return std::nullopt;
  }
  bool contains(Id id) const { return find(id).has_value(); }

  void erase_at(std::size_t index) {
    for (std::size_t i = index + 1; i < size_; ++i) items_[i - 1] = items_[i];
    items_[--size_] = Id{};
  }
  bool erase(Id id) {
    const auto at = find(id);
    if (at) erase_at(*at);
    return at.has_value();
  }
  Id pop_front() {
    const Id id = items_[0];
    erase_at(0);
    return id;
  }
  /// Inserts keeping ascending order (used where the order carries no meaning).
  void insert_sorted(Id id) {
    std::size_t at = size_;
    while (at > 0 && items_[at - 1] > id) {
      items_[at] = items_[at - 1];
      --at;
    }
    items_[at] = id;
    ++size_;
  }
  void clear() { *this = SmallList{}; }

 private:
  std::array<Id, N> items_{};
  std::uint8_t size_ = 0;
};

}  // namespace wakecheck::model
