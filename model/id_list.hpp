// Ordered lists of small ids. SmallList holds its ids inline (a local list: the wakes of one
// release); IdListRef is a view of a list stored in a state's bytes: a size byte, then one byte
// per id up to the list's capacity. Unused slots are kept zero in both, so two lists with the
// same elements have the same bytes (states are hashed and compared by bytes).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <type_traits>

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

  // Precondition: !full(). Capacities follow from the scenario.
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
  void clear() { *this = SmallList{}; }

 private:
  std::array<Id, N> items_{};
  std::size_t size_ = 0;
};

/// A list stored in a state's bytes: `bytes[0]` is the size, `bytes[1 + i]` the i-th id. `Byte` is
/// `std::uint8_t` for a list that may change, `const std::uint8_t` for one that may not.
template <class Id, class Byte>
class IdListRef {
  static_assert(sizeof(Id) == 1, "ids of a stored list take one byte");
  static constexpr bool kMutable = !std::is_const_v<Byte>;

 public:
  class iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = Id;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = Id;
    iterator() = default;
    explicit iterator(const std::uint8_t* at) : at_(at) {}
    Id operator*() const { return Id{*at_}; }
    iterator& operator++() {
      ++at_;
      return *this;
    }
    iterator operator++(int) {
      iterator was = *this;
      ++at_;
      return was;
    }
    bool operator==(const iterator&) const = default;

   private:
    const std::uint8_t* at_ = nullptr;
  };

  IdListRef(Byte* bytes, std::size_t capacity) : p_(bytes), capacity_(capacity) {}

  std::size_t capacity() const { return capacity_; }
  std::size_t size() const { return capacity_ == 0 ? 0 : p_[0]; }
  bool empty() const { return size() == 0; }
  bool full() const { return size() == capacity_; }
  Id operator[](std::size_t i) const { return Id{p_[1 + i]}; }
  Id front() const { return (*this)[0]; }
  iterator begin() const { return iterator(p_ + 1); }
  iterator end() const { return iterator(p_ + 1 + size()); }

  std::optional<std::size_t> find(Id id) const {
    const std::size_t n = size();
    for (std::size_t i = 0; i < n; ++i) {
      if (p_[1 + i] == static_cast<std::uint8_t>(id)) return i;
    }
    return std::nullopt;
  }
  bool contains(Id id) const { return find(id).has_value(); }

  /// A copy on the stack, to iterate while the stored list changes.
  template <std::size_t N>
  SmallList<Id, N> copy() const {
    SmallList<Id, N> out;
    for (Id id : *this) out.push_back(id);
    return out;
  }

  // Precondition: !full(). Capacities follow from the scenario.
  void push_back(Id id) const
    requires kMutable
  {
    p_[1 + p_[0]] = static_cast<std::uint8_t>(id);
    ++p_[0];
  }
  void erase_at(std::size_t index) const
    requires kMutable
  {
    const std::size_t n = size();
    for (std::size_t i = index + 1; i < n; ++i) p_[i] = p_[i + 1];
    p_[n] = 0;
    p_[0] = static_cast<std::uint8_t>(n - 1);
  }
  bool erase(Id id) const
    requires kMutable
  {
    const auto at = find(id);
    if (at) erase_at(*at);
    return at.has_value();
  }
  Id pop_front() const
    requires kMutable
  {
    const Id id = front();
    erase_at(0);
    return id;
  }
  /// Inserts keeping ascending order (used where the order carries no meaning).
  void insert_sorted(Id id) const
    requires kMutable
  {
    std::size_t at = size();
    const auto v = static_cast<std::uint8_t>(id);
    while (at > 0 && p_[at] > v) {
      p_[at + 1] = p_[at];
      --at;
    }
    p_[at + 1] = v;
    ++p_[0];
  }
  void clear() const
    requires kMutable
  {
    const std::size_t n = size();
    for (std::size_t i = 0; i <= n && capacity_ > 0; ++i) p_[i] = 0;
  }

 private:
  Byte* p_;
  std::size_t capacity_;
};

}  // namespace wakecheck::model
