// tokio's batch semaphore, the engine behind Mutex, RwLock, Semaphore, OnceCell and bounded mpsc
// (tokio/src/sync/batch_semaphore.rs), as a small value type.
//
// The waiter nodes live here, indexed by WaiterId; in tokio a node lives inside the pinned
// `Acquire` future. Each operation below is one atomic step: tokio runs each under the waitlist
// lock, and by INV-1 nothing observable happens between its parts.
//
// Invariant (INV-1): available > 0 implies the queue is empty (until close()).
// Invariant: a node in the queue is queued and still needs permits; close() pops every node,
//            which then stays `queued` (its drop gives back what was assigned) but not in_list.
// Invariant: available + permits held + permits assigned to nodes + permits forgotten or
//            added == total permits (add_permits and forget change the total).
#pragma once

#include <array>
#include <cstdint>

#include "model/limits.hpp"
#include "model/small_list.hpp"

namespace wakecheck::model {

enum class WaiterId : std::uint8_t {};

/// Wakes produced by one operation, in the order tokio calls `wake` on them.
using WakeList = SmallList<WaiterId, kMaxWaiters>;

/// The waiter node of one `Acquire` future (batch_semaphore.rs `Waiter` plus `Acquire::queued`).
struct WaiterNode {
  std::uint8_t need = 0;     // `Waiter::state`: permits still needed; 0 once fully assigned
  std::uint8_t num = 0;      // `Acquire::num_permits`: permits requested
  std::uint8_t queued = 0;   // `Acquire::queued`: the node was pushed to the waitlist
  std::uint8_t in_list = 0;  // still linked in the waitlist (not popped by a release or close)
  bool operator==(const WaiterNode&) const = default;
};

class Semaphore {
 public:
  enum class Poll : std::uint8_t { kReady, kPending, kClosed };

  Semaphore() = default;
  explicit Semaphore(std::uint8_t permits) : available_(permits) {}
  bool operator==(const Semaphore&) const = default;

  std::uint8_t available() const { return available_; }
  /// Waiters still in the queue, oldest first (tokio serves the list's back, its oldest end).
  const SmallList<WaiterId, kMaxWaiters>& queue() const { return queue_; }
  const WaiterNode& node(WaiterId w) const { return nodes_[index(w)]; }
  /// Permits assigned to `w`'s node by releases (or taken by its polls) but not yet turned into a
  /// guard: they belong to the future, not to a task.
  std::uint8_t assigned(WaiterId w) const {
    const auto& n = node(w);
    return n.queued ? static_cast<std::uint8_t>(n.num - n.need) : 0;
  }
  /// A node whose permits are all assigned: it left the queue and completes at its next poll.
  bool fully_assigned(WaiterId w) const { return node(w).queued && node(w).need == 0; }
  bool waiting(WaiterId w) const { return node(w).in_list != 0; }
  bool closed() const { return closed_ != 0; }

  /// `Semaphore::try_acquire`: succeeds only if `n` permits are available and the semaphore is
  /// open; never queues.
  bool try_acquire(std::uint8_t n);

  /// `Acquire::poll` (without the coop gate): the fast path when permits suffice and the node is
  /// not queued; otherwise take what is there, and queue (first poll) or keep waiting. A queued
  /// node that has been fully assigned completes. Surplus never arises with one node per future.
  Poll poll_acquire(WaiterId w, std::uint8_t n);

  /// `Semaphore::release` / `add_permits`: assigns permits to the oldest waiters first, a waiter
  /// leaving the queue only when fully satisfied; what is left goes to the counter. Wakes of the
  /// satisfied waiters are appended to `wakes` in tokio 1.24.2's order: `WakeList::wake_all`
  /// wakes a batch in reverse (the youngest satisfied waiter first).
  void release(std::uint8_t n, WakeList& wakes);

  /// `Acquire::drop`: a queued node leaves the queue and gives back what was assigned to it,
  /// through `release`, so those permits pass on to the next waiters.
  void drop_acquire(WaiterId w, WakeList& wakes);

  /// `Semaphore::close`: every waiter is popped and woken (under the lock, oldest first); their
  /// next poll fails with Closed, as does every later acquire.
  void close(WakeList& wakes);

  /// `forget`: permits held by a guard leave the semaphore for good (nothing is released).
  /// Nothing to do here: the holder's count drops; the total shrinks.

 private:
  static std::size_t index(WaiterId w) { return static_cast<std::size_t>(w); }

  std::uint8_t available_ = 0;
  std::uint8_t closed_ = 0;
  SmallList<WaiterId, kMaxWaiters> queue_;
  std::array<WaiterNode, kMaxWaiters> nodes_{};
};

}  // namespace wakecheck::model
