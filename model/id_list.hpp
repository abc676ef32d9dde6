// Ordered lists of small ids. SmallList holds its ids inline (a local list: the wakes of one
// release); IdListRef is a view of a list stored in a state's bytes: a size byte, then one byte
// per id up to the list's capacity. Unused slots are kept zero in both, so two lists with the
// same elements have the same bytes (states are hashed and compared by bytes).
#pragma once

#include <array>
#include <bit>
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

/// How a list of ids is stored in a state's bytes.
enum class ListForm : std::uint8_t {
  kOrdered,  // a size byte, then one byte per id up to the capacity: order matters
  kSet,      // one bit per possible id: only membership matters, ids read in ascending order
};

/// A list stored in a state's bytes, ordered or as a set (ListForm). `Byte` is `std::uint8_t` for
/// a list that may change, `const std::uint8_t` for one that may not. A set keeps its ids sorted:
/// push_back and insert_sorted both add, front() is the smallest.
template <class Id, class Byte>
class IdListRef {
  static_assert(sizeof(Id) == 1, "ids of a stored list take one byte");
  static constexpr bool kMutable = !std::is_const_v<Byte>;

 public:
  /// The bytes a list of `capacity` ids takes in `form`.
  static constexpr std::size_t bytes_for(std::size_t capacity, ListForm form) {
    if (capacity == 0) return 0;
    return form == ListForm::kSet ? (capacity + 7) / 8 : capacity + 1;
  }

  class iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = Id;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = Id;
    iterator() = default;
    iterator(const IdListRef* list, std::size_t at) : list_(list), at_(at) {}
    Id operator*() const { return list_->set_ ? Id{static_cast<std::uint8_t>(at_)} : Id{list_->p_[1 + at_]}; }
    iterator& operator++() {
      at_ = list_->set_ ? list_->next_member(at_ + 1) : at_ + 1;
      return *this;
    }
    iterator operator++(int) {
      iterator was = *this;
      ++*this;
      return was;
    }
    bool operator==(const iterator& other) const { return at_ == other.at_; }

   private:
    const IdListRef* list_ = nullptr;
    std::size_t at_ = 0;
  };

  IdListRef(Byte* bytes, std::size_t capacity, ListForm form = ListForm::kOrdered)
      : p_(bytes), capacity_(capacity), set_(form == ListForm::kSet) {}

  std::size_t capacity() const { return capacity_; }
  std::size_t size() const {
    if (capacity_ == 0) return 0;
    if (!set_) return p_[0];
    std::size_t n = 0;
    for (std::size_t b = 0; b < bytes_for(capacity_, ListForm::kSet); ++b) n += static_cast<std::size_t>(std::popcount(p_[b]));
    return n;
  }
  bool empty() const { return size() == 0; }
  bool full() const { return size() == capacity_; }
  Id operator[](std::size_t i) const {
    auto it = begin();
    for (; i > 0; --i) ++it;
    return *it;
  }
  Id front() const { return *begin(); }
  iterator begin() const { return iterator(this, set_ ? next_member(0) : 0); }
  iterator end() const { return iterator(this, set_ ? capacity_ : size()); }

  std::optional<std::size_t> find(Id id) const {
    const auto v = static_cast<std::size_t>(id);
    if (set_) {
      if (v >= capacity_ || !has_bit(v)) return std::nullopt;
      std::size_t rank = 0;
      for (std::size_t i = 0; i < v; ++i) rank += has_bit(i) ? 1U : 0U;
      return rank;
    }
    const std::size_t n = size();
    for (std::size_t i = 0; i < n; ++i) {
      if (p_[1 + i] == v) return i;
    }
    return std::nullopt;
  }
  bool contains(Id id) const {
    if (set_) return static_cast<std::size_t>(id) < capacity_ && has_bit(static_cast<std::size_t>(id));
    return find(id).has_value();
  }

  /// A copy on the stack, to iterate while the stored list changes.
  template <std::size_t N>
  SmallList<Id, N> copy() const {
    SmallList<Id, N> out;
    for (Id id : *this) out.push_back(id);
    return out;
  }

  /// Replaces each member of an ordered list by `f(member)`, in place (renaming its members).
  template <class F>
  void map_ordered(F f) const
    requires kMutable
  {
    const std::size_t n = capacity_ == 0 ? 0 : p_[0];
    for (std::size_t i = 0; i < n; ++i) p_[1 + i] = static_cast<std::uint8_t>(f(Id{p_[1 + i]}));
  }

  // Precondition: !full(). Capacities follow from the scenario.
  void push_back(Id id) const
    requires kMutable
  {
    if (set_) {
      set_bit(static_cast<std::size_t>(id), true);
      return;
    }
    p_[1 + p_[0]] = static_cast<std::uint8_t>(id);
    ++p_[0];
  }
  void erase_at(std::size_t index) const
    requires kMutable
  {
    if (set_) {
      set_bit(static_cast<std::size_t>((*this)[index]), false);
      return;
    }
    const std::size_t n = size();
    for (std::size_t i = index + 1; i < n; ++i) p_[i] = p_[i + 1];
    p_[n] = 0;
    p_[0] = static_cast<std::uint8_t>(n - 1);
  }
  bool erase(Id id) const
    requires kMutable
  {
    if (set_) {
      const bool had = contains(id);
      if (had) set_bit(static_cast<std::size_t>(id), false);
      return had;
    }
    const auto at = find(id);
    if (at) erase_at(*at);
    return at.has_value();
  }
  Id pop_front() const
    requires kMutable
  {
    const Id id = front();
    erase(id);
    return id;
  }
  /// Inserts keeping ascending order (used where the order carries no meaning).
  void insert_sorted(Id id) const
    requires kMutable
  {
    if (set_) {
      set_bit(static_cast<std::size_t>(id), true);
      return;
    }
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
    for (std::size_t i = 0; i < bytes_for(capacity_, set_ ? ListForm::kSet : ListForm::kOrdered); ++i) p_[i] = 0;
  }

 private:
  bool has_bit(std::size_t v) const { return ((static_cast<unsigned>(p_[v / 8]) >> (v % 8)) & 1U) != 0; }
  void set_bit(std::size_t v, bool on) const
    requires kMutable
  {
    const auto bit = static_cast<std::uint8_t>(1U << (v % 8));
    p_[v / 8] = static_cast<std::uint8_t>(on ? (p_[v / 8] | bit) : (p_[v / 8] & ~bit));
  }
  std::size_t next_member(std::size_t from) const {
    while (from < capacity_ && !has_bit(from)) ++from;
    return from;
  }

  Byte* p_;
  std::size_t capacity_;
  bool set_;
};

}  // namespace wakecheck::model
