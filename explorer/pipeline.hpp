#pragma once
// Expansion of stored states on several threads, with results that do not depend on how many.
//
// The states waiting to be expanded are cut into chunks of consecutive ids. Any thread may compute
// a chunk (the pure part of an expansion: enabled events, successors, their packed keys and
// hashes, the predicates of the state itself); only the calling thread inserts, one chunk after
// the other in id order. New states therefore get the ids a single-threaded breadth-first search
// would give them, and every figure and trace after the search is the same whatever the number of
// threads. Insertion of a chunk overlaps the computation of the chunks after it.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <memory>
#include <thread>
#include <vector>

namespace wakecheck::explorer {

/// How many threads a search uses when asked for 0: every core the process may use.
inline unsigned default_threads() {
  const unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1U : n;
}

template <class Chunk>
class Pipeline {
 public:
  /// `compute(chunk, first, last)` fills `chunk` for the ids [first, last) (any thread);
  /// `insert(chunk, first, last)` consumes it (calling thread only) and returns false to stop;
  /// `stored()` is the number of ids stored so far (calling thread only). Ends when every stored
  /// id has been inserted, or when `insert` says stop. Exceptions of `compute` are rethrown on
  /// the calling thread when their chunk's turn comes.
  template <class Compute, class Insert, class Stored>
  static void run(unsigned threads, std::uint32_t chunk_states, Compute compute, Insert insert, Stored stored) {
    Pipeline p(threads, chunk_states);
    p.go(compute, insert, stored);
  }

 private:
  // Chunks in flight at most: enough to keep every thread busy while one inserts, few enough that
  // their buffers stay small beside the states.
  static std::size_t ring_for(unsigned threads) { return std::clamp<std::size_t>(std::size_t{4} * threads, 8, 64); }

  struct Slot {
    Chunk chunk;
    std::uint32_t first = 0, last = 0;
    std::exception_ptr error;
    std::atomic<bool> done{false};
  };

  Pipeline(unsigned threads, std::uint32_t chunk_states)
      : threads_(threads == 0 ? default_threads() : threads), chunk_(chunk_states == 0 ? 1 : chunk_states),
        ring_(ring_for(threads_)), slots_(std::make_unique<Slot[]>(ring_)) {}

  /// Claims the next published chunk and computes it; false when there is none to claim.
  template <class Compute>
  bool work(Compute& compute) {
    std::uint64_t c = claimed_.load(std::memory_order_relaxed);
    for (;;) {
      if (c >= published_.load(std::memory_order_acquire)) return false;
      if (claimed_.compare_exchange_weak(c, c + 1, std::memory_order_acq_rel)) break;
    }
    Slot& s = slots_[c % ring_];
    try {
      compute(s.chunk, s.first, s.last);
    } catch (...) {
      s.error = std::current_exception();
    }
    s.done.store(true, std::memory_order_release);
    return true;
  }

  template <class Compute, class Insert, class Stored>
  void go(Compute& compute, Insert& insert, Stored& stored) {
    std::atomic<bool> quit{false};
    std::vector<std::thread> workers;
    struct Joiner {
      std::atomic<bool>& quit;
      std::vector<std::thread>& workers;
      ~Joiner() {
        quit.store(true, std::memory_order_release);
        for (auto& t : workers) t.join();
      }
    } joiner{quit, workers};
    for (unsigned t = 1; t < threads_; ++t) {
      workers.emplace_back([this, &quit, &compute] {
        unsigned idle = 0;
        while (!quit.load(std::memory_order_acquire)) {
          if (work(compute)) {
            idle = 0;
          } else if (++idle < 64) {
            std::this_thread::yield();
          } else {
            std::this_thread::sleep_for(std::chrono::microseconds(50));
          }
        }
      });
    }

    std::uint64_t published = 0, inserted = 0;
    std::uint64_t published_end = 0;  // the id where the next chunk starts
    for (;;) {
      // Publish full chunks while the ring has room; a partial one only when nothing is in
      // flight (the search would otherwise wait for states that only that chunk can produce).
      const std::uint64_t size = stored();
      while (published < inserted + ring_) {
        std::uint64_t last = 0;
        if (size - published_end >= chunk_) {
          last = published_end + chunk_;
        } else if (published == inserted && size > published_end) {
          last = size;
        } else {
          break;
        }
        Slot& s = slots_[published % ring_];
        s.first = static_cast<std::uint32_t>(published_end);
        s.last = static_cast<std::uint32_t>(last);
        s.error = nullptr;
        s.done.store(false, std::memory_order_relaxed);
        published_end = last;
        ++published;
        published_.store(published, std::memory_order_release);
      }
      if (published == inserted) return;  // every stored state inserted
      Slot& s = slots_[inserted % ring_];
      while (!s.done.load(std::memory_order_acquire)) {
        if (!work(compute)) std::this_thread::yield();
      }
      if (s.error) std::rethrow_exception(s.error);
      ++inserted;
      if (!insert(s.chunk, s.first, s.last)) return;
    }
  }

  unsigned threads_;
  std::uint64_t chunk_;
  std::size_t ring_;
  std::unique_ptr<Slot[]> slots_;
  std::atomic<std::uint64_t> published_{0};
  std::atomic<std::uint64_t> claimed_{0};
};

}  // namespace wakecheck::explorer
