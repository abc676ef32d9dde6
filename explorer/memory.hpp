// Memory for a search: every large array is charged to one budget, and a search that would go over
// it stops like one that reaches its state bound (an incomplete verdict with statistics), never
// with an allocation failure.
//
// Large blocks come straight from the kernel (mmap): their pages are zero until written, so
// nothing is zero-filled by hand, and they are marked for transparent huge pages where the system
// gives them (fewer page faults and TLB misses in the hash index).
#pragma once

#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

namespace wakecheck::explorer {

/// Thrown when a search would go over its memory budget (or the system refuses memory).
struct OutOfMemory {};

/// The bytes a search may hold. Shared by the threads of a parallel search.
class MemoryBudget {
 public:
  explicit MemoryBudget(std::size_t limit = SIZE_MAX) : limit_(limit) {}
  MemoryBudget(const MemoryBudget&) = delete;
  MemoryBudget& operator=(const MemoryBudget&) = delete;

  std::size_t limit() const { return limit_; }
  std::size_t used() const { return used_.load(std::memory_order_relaxed); }
  std::size_t peak() const { return peak_.load(std::memory_order_relaxed); }

  /// Takes `bytes` from the budget, or throws OutOfMemory.
  void take(std::size_t bytes) {
    std::size_t now = used_.load(std::memory_order_relaxed);
    do {
      if (bytes > limit_ || now > limit_ - bytes) throw OutOfMemory{};
    } while (!used_.compare_exchange_weak(now, now + bytes, std::memory_order_relaxed));
    std::size_t peak = peak_.load(std::memory_order_relaxed);
    while (now + bytes > peak && !peak_.compare_exchange_weak(peak, now + bytes, std::memory_order_relaxed)) {
    }
  }
  void give(std::size_t bytes) { used_.fetch_sub(bytes, std::memory_order_relaxed); }

 private:
  std::size_t limit_;
  std::atomic<std::size_t> used_{0};
  std::atomic<std::size_t> peak_{0};
};

/// A block of zeroed memory charged to a budget: from the kernel when large, else from the heap.
class Block {
 public:
  Block() = default;
  Block(MemoryBudget* budget, std::size_t bytes) : budget_(budget), bytes_(bytes) {
    if (bytes == 0) return;
    budget_->take(bytes);
    if (bytes >= kMapThreshold) {
      data_ = map(bytes);
      if (data_ == nullptr) {
        budget_->give(bytes);
        throw OutOfMemory{};
      }
      mapped_ = true;
    } else {
      data_ = std::calloc(bytes, 1);
      if (data_ == nullptr) {
        budget_->give(bytes);
        throw OutOfMemory{};
      }
    }
  }
  Block(const Block&) = delete;
  Block& operator=(const Block&) = delete;
  Block(Block&& other) noexcept { *this = std::move(other); }
  Block& operator=(Block&& other) noexcept {
    if (this != &other) {
      release();
      budget_ = std::exchange(other.budget_, nullptr);
      data_ = std::exchange(other.data_, nullptr);
      bytes_ = std::exchange(other.bytes_, 0);
      mapped_ = std::exchange(other.mapped_, false);
    }
    return *this;
  }
  ~Block() { release(); }

  void* data() const { return data_; }
  std::size_t bytes() const { return bytes_; }
  /// Gives the pages wholly inside [offset, offset + length) back to the kernel (they read as
  /// zero afterwards); nothing for a block from the heap.
  void discard(std::size_t offset, std::size_t length) {
    if (!mapped_ || data_ == nullptr) return;
    const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    const std::size_t from = (offset + page - 1) / page * page;
    const std::size_t to = std::min(offset + length, bytes_) / page * page;
    if (to > from) ::madvise(static_cast<char*>(data_) + from, to - from, MADV_DONTNEED);
  }

 private:
  static constexpr std::size_t kMapThreshold = std::size_t{1} << 20;
  static constexpr std::size_t kHugePage = std::size_t{2} << 20;

  /// Zeroed pages from the kernel; from 2 MiB on, aligned to 2 MiB and marked for huge pages
  /// (the kernel backs an aligned range with one huge page where it can).
  static void* map(std::size_t bytes) {
    if (bytes < kHugePage) {
      void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      return p == MAP_FAILED ? nullptr : p;
    }
    void* raw = ::mmap(nullptr, bytes + kHugePage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED) return nullptr;
    const auto start = reinterpret_cast<std::uintptr_t>(raw);
    const std::uintptr_t aligned = (start + kHugePage - 1) & ~(std::uintptr_t{kHugePage} - 1);
    if (aligned > start) ::munmap(raw, aligned - start);
    const std::uintptr_t end = start + bytes + kHugePage;
    if (end > aligned + bytes) ::munmap(reinterpret_cast<void*>(aligned + bytes), end - (aligned + bytes));
    void* p = reinterpret_cast<void*>(aligned);
#ifdef MADV_HUGEPAGE
    ::madvise(p, bytes, MADV_HUGEPAGE);
#endif
    return p;
  }

  void release() {
    if (data_ == nullptr) return;
    if (mapped_) {
      ::munmap(data_, bytes_);
    } else {
      std::free(data_);
    }
    budget_->give(bytes_);
    data_ = nullptr;
  }

  MemoryBudget* budget_ = nullptr;
  void* data_ = nullptr;
  std::size_t bytes_ = 0;
  bool mapped_ = false;
};

/// An array that grows by whole chunks charged to a budget: elements never move, growing copies
/// nothing, and the memory is never zero-filled by hand. `T` is trivially copyable.
template <class T>
class ChunkedArray {
  static_assert(std::is_trivially_copyable_v<T>);

 public:
  explicit ChunkedArray(MemoryBudget* budget, std::size_t chunk_log2 = 18)
      : budget_(budget), shift_(chunk_log2), mask_((std::size_t{1} << chunk_log2) - 1) {}

  std::size_t size() const { return size_; }
  T& operator[](std::size_t i) { return chunk(i >> shift_)[i & mask_]; }
  const T& operator[](std::size_t i) const { return chunk(i >> shift_)[i & mask_]; }

  /// Makes room for `n` more elements (may throw OutOfMemory; nothing changes then).
  void reserve_more(std::size_t n) {
    while (capacity() < size_ + n) chunks_.emplace_back(budget_, sizeof(T) << shift_);
  }
  void push_back(const T& value) {
    if (size_ == capacity()) reserve_more(1);
    (*this)[size_++] = value;
  }
  /// Appends `n` uninitialized elements and returns the index of the first.
  std::size_t grow(std::size_t n) {
    reserve_more(n);
    const std::size_t at = size_;
    size_ += n;
    return at;
  }
  void clear() {
    chunks_.clear();
    size_ = 0;
  }
  std::size_t memory_bytes() const { return chunks_.size() * (sizeof(T) << shift_); }

 private:
  std::size_t capacity() const { return chunks_.size() << shift_; }
  T* chunk(std::size_t c) const { return static_cast<T*>(chunks_[c].data()); }

  MemoryBudget* budget_;
  std::size_t shift_;
  std::size_t mask_;
  std::vector<Block> chunks_;
  std::size_t size_ = 0;
};

/// An allocator for the large per-state arrays of the analyses after a search (costs, components):
/// from 2 MiB on their memory comes from the kernel on huge pages, as the store's does, so filling
/// them takes few page faults. Smaller ones come from the heap.
template <class T>
struct HugeAllocator {
  using value_type = T;
  HugeAllocator() = default;
  template <class U>
  HugeAllocator(const HugeAllocator<U>&) {}  // NOLINT(google-explicit-constructor)
  T* allocate(std::size_t n) {
    const std::size_t bytes = n * sizeof(T);
    if (bytes < kHuge) return std::allocator<T>().allocate(n);
    void* raw = ::mmap(nullptr, bytes + kHuge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED) throw std::bad_alloc();
    const auto start = reinterpret_cast<std::uintptr_t>(raw);
    const std::uintptr_t aligned = (start + kHuge - 1) & ~(std::uintptr_t{kHuge} - 1);
    if (aligned > start) ::munmap(raw, aligned - start);
    const std::uintptr_t end = start + bytes + kHuge;
    if (end > aligned + bytes) ::munmap(reinterpret_cast<void*>(aligned + bytes), end - (aligned + bytes));
#ifdef MADV_HUGEPAGE
    ::madvise(reinterpret_cast<void*>(aligned), bytes, MADV_HUGEPAGE);
#endif
    return reinterpret_cast<T*>(aligned);
  }
  void deallocate(T* p, std::size_t n) {
    const std::size_t bytes = n * sizeof(T);
    if (bytes < kHuge) {
      std::allocator<T>().deallocate(p, n);
      return;
    }
    ::munmap(p, bytes);
  }
  template <class U>
  bool operator==(const HugeAllocator<U>&) const {
    return true;
  }

 private:
  static constexpr std::size_t kHuge = std::size_t{2} << 20;
};

/// A per-state array of an analysis.
template <class T>
using StateArray = std::vector<T, HugeAllocator<T>>;

/// Bytes of physical memory; SIZE_MAX where unknown.
inline std::size_t physical_memory() {
  const long pages = ::sysconf(_SC_PHYS_PAGES);
  const long page = ::sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page <= 0) return SIZE_MAX;
  return static_cast<std::size_t>(pages) * static_cast<std::size_t>(page);
}

/// Bytes of address space this process may still map under its limit (RLIMIT_AS); SIZE_MAX when
/// unlimited.
inline std::size_t address_space_left() {
  struct rlimit limit {};
  if (::getrlimit(RLIMIT_AS, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return SIZE_MAX;
  std::size_t mapped = 0;
  if (std::FILE* statm = std::fopen("/proc/self/statm", "r")) {
    unsigned long pages = 0;
    if (std::fscanf(statm, "%lu", &pages) == 1) mapped = pages * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    std::fclose(statm);
  }
  const auto cap = static_cast<std::size_t>(limit.rlim_cur);
  return cap > mapped ? cap - mapped : 0;
}

/// The default budget: half of physical memory, and at most 80% of the address space left (what
/// the search's own arrays may take; the rest is the program's and the reports').
inline std::size_t default_memory_budget() {
  const std::size_t physical = physical_memory();
  const std::size_t half = physical == SIZE_MAX ? std::size_t{8} << 30 : physical / 2;
  const std::size_t space = address_space_left();
  return std::min(half, space == SIZE_MAX ? SIZE_MAX : space / 10 * 8);
}

}  // namespace wakecheck::explorer
