// tokio's batch semaphore, the engine behind Mutex, RwLock, Semaphore, OnceCell and bounded mpsc
// (tokio/src/sync/batch_semaphore.rs), as a view of a few bytes of a state.
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
//
// Bytes: available, closed, the queue (a size, then one waiter id per node), then four bytes per
// node. A task's own awaited future has the node of its task id; a future it keeps has the id
// kKeptWaiterBase + task, stored after the tasks' nodes.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "model/id_list.hpp"
#include "model/limits.hpp"

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
static_assert(sizeof(WaiterNode) == 4);

/// Where the parts of one semaphore lie in its bytes.
struct SemaphoreShape {
  std::size_t own_nodes = 0;   // one per task: ids 0 .. own_nodes - 1
  std::size_t kept_nodes = 0;  // 0, or one per task: ids kKeptWaiterBase + task
  constexpr std::size_t nodes() const { return own_nodes + kept_nodes; }
  constexpr std::size_t queue_offset() const { return 2; }
  constexpr std::size_t nodes_offset() const { return 3 + nodes(); }
  constexpr std::size_t bytes() const { return nodes_offset() + 4 * nodes(); }
  /// Where node `w` lies in the semaphore's bytes.
  constexpr std::size_t node_offset(WaiterId w) const {
    const auto i = static_cast<std::size_t>(w);
    return nodes_offset() + 4 * (i < kKeptWaiterBase ? i : own_nodes + (i - kKeptWaiterBase));
  }
};

enum class SemaphorePoll : std::uint8_t { kReady, kPending, kClosed };

template <class Byte>
class SemaphoreRef {
  static constexpr bool kMutable = !std::is_const_v<Byte>;

 public:
  using Poll = SemaphorePoll;

  SemaphoreRef(Byte* bytes, SemaphoreShape shape) : p_(bytes), shape_(shape) {}
  operator SemaphoreRef<const std::uint8_t>() const { return {p_, shape_}; }
  Byte* bytes() const { return p_; }
  const SemaphoreShape& shape() const { return shape_; }
  /// Equal semaphores have equal bytes.
  bool operator==(const SemaphoreRef<const std::uint8_t>& other) const {
    return std::memcmp(p_, other.bytes(), shape_.bytes()) == 0;
  }

  std::uint8_t available() const { return p_[0]; }
  bool closed() const { return p_[1] != 0; }
  /// Waiters still in the queue, oldest first (tokio serves the list's back, its oldest end).
  IdListRef<WaiterId, Byte> queue() const { return {p_ + shape_.queue_offset(), shape_.nodes()}; }
  WaiterNode node(WaiterId w) const {
    WaiterNode n;
    std::memcpy(&n, node_bytes(w), sizeof n);
    return n;
  }
  /// Permits assigned to `w`'s node by releases (or taken by its polls) but not yet turned into a
  /// guard: they belong to the future, not to a task.
  std::uint8_t assigned(WaiterId w) const {
    if (!has_node(w)) return 0;
    const auto n = node(w);
    return n.queued ? static_cast<std::uint8_t>(n.num - n.need) : 0;
  }
  /// A node whose permits are all assigned: it left the queue and completes at its next poll.
  bool fully_assigned(WaiterId w) const {
    if (!has_node(w)) return false;
    const auto n = node(w);
    return n.queued && n.need == 0;
  }
  bool waiting(WaiterId w) const { return has_node(w) && node(w).in_list != 0; }
  /// Whether this semaphore has a node for `w` (kept futures have nodes only where a scenario
  /// keeps one).
  bool has_node(WaiterId w) const {
    const auto i = static_cast<std::size_t>(w);
    return i < kKeptWaiterBase ? i < shape_.own_nodes : i - kKeptWaiterBase < shape_.kept_nodes;
  }

  /// `Semaphore::try_acquire`: succeeds only if `n` permits are available and the semaphore is
  /// open; never queues.
  bool try_acquire(std::uint8_t n) const
    requires kMutable
  {
    // batch_semaphore.rs `try_acquire`: a CAS on the counter that never looks at the queue. By
    // INV-1 it cannot barge: available > 0 only when nobody is queued.
    if (closed() || available() < n) return false;
    p_[0] = static_cast<std::uint8_t>(p_[0] - n);
    return true;
  }

  /// `Acquire::poll` (without the coop gate): the fast path when permits suffice and the node is
  /// not queued; otherwise take what is there, and queue (first poll) or keep waiting. A queued
  /// node that has been fully assigned completes. Surplus never arises with one node per future.
  Poll poll_acquire(WaiterId w, std::uint8_t n) const
    requires kMutable
  {
    WaiterNode node_now = node(w);
    if (closed()) return Poll::kClosed;  // even for a node assigned before the close
    if (!node_now.queued) {
      if (available() >= n) {  // `poll_acquire` fast path: enough permits, not queued
        p_[0] = static_cast<std::uint8_t>(p_[0] - n);
        return Poll::kReady;
      }
      // Not enough: under the waitlist lock take every available permit, then `push_front` the
      // node (the newest end of tokio's list; the back of our queue).
      node_now.num = n;
      node_now.need = static_cast<std::uint8_t>(n - available());
      node_now.queued = 1;
      node_now.in_list = 1;
      set_node(w, node_now);
      p_[0] = 0;
      queue().push_back(w);
      return Poll::kPending;
    }
    // Queued: take what is missing if it is there (only possible when the queue is otherwise
    // empty, by INV-1), or whatever is available.
    const std::uint8_t taken = std::min(available(), node_now.need);
    p_[0] = static_cast<std::uint8_t>(p_[0] - taken);
    node_now.need = static_cast<std::uint8_t>(node_now.need - taken);
    if (node_now.need > 0) {
      set_node(w, node_now);
      return Poll::kPending;  // the waker is updated; still queued
    }
    queue().erase(w);           // no-op if a releaser already popped it
    set_node(w, WaiterNode{});  // `queued = false`: the guard owns the permits now
    return Poll::kReady;
  }

  /// `Semaphore::release` / `add_permits`: assigns permits to the oldest waiters first, a waiter
  /// leaving the queue only when fully satisfied; what is left goes to the counter. Wakes of the
  /// satisfied waiters are appended to `wakes` in tokio 1.24.2's order: `WakeList::wake_all`
  /// wakes a batch in reverse (the youngest satisfied waiter first).
  void release(std::uint8_t n, WakeList& wakes) const
    requires kMutable
  {
    // batch_semaphore.rs `add_permits_locked`.
    std::uint8_t rem = n;
    WakeList batch;
    const auto q = queue();
    while (rem > 0 && !q.empty()) {
      const WaiterId w = q.front();
      WaiterNode oldest = node(w);
      const std::uint8_t give = std::min(oldest.need, rem);
      oldest.need = static_cast<std::uint8_t>(oldest.need - give);
      rem = static_cast<std::uint8_t>(rem - give);
      if (oldest.need > 0) {  // partial assignment: the oldest absorbed everything
        set_node(w, oldest);
        break;
      }
      oldest.in_list = 0;
      set_node(w, oldest);
      batch.push_back(q.pop_front());
    }
    // Permits reach the counter only when the queue is empty (this keeps INV-1).
    p_[0] = static_cast<std::uint8_t>(std::min(255, p_[0] + rem));
    for (std::size_t i = batch.size(); i > 0; --i) wakes.push_back(batch[i - 1]);
  }

  /// `Acquire::drop`: a queued node leaves the queue and gives back what was assigned to it,
  /// through `release`, so those permits pass on to the next waiters.
  void drop_acquire(WaiterId w, WakeList& wakes) const
    requires kMutable
  {
    if (!has_node(w)) return;
    const WaiterNode n = node(w);
    if (!n.queued) return;  // never polled, or completed: nothing to give back
    queue().erase(w);
    const auto acquired = static_cast<std::uint8_t>(n.num - n.need);
    set_node(w, WaiterNode{});
    if (acquired > 0) release(acquired, wakes);
  }

  /// `Semaphore::close`: every waiter is popped and woken (under the lock, oldest first); their
  /// next poll fails with Closed, as does every later acquire.
  void close(WakeList& wakes) const
    requires kMutable
  {
    p_[1] = 1;
    const auto q = queue();
    while (!q.empty()) {
      const WaiterId w = q.pop_front();
      WaiterNode n = node(w);
      n.in_list = 0;
      set_node(w, n);
      wakes.push_back(w);
    }
  }

  /// `forget`: permits held by a guard leave the semaphore for good (nothing is released).
  /// Nothing to do here: the holder's count drops; the total shrinks.

  /// Writes node `w` as it is (symmetry: moving a node to the task it is renamed to).
  void put_node(WaiterId w, const WaiterNode& n) const
    requires kMutable
  {
    set_node(w, n);
  }

 private:
  Byte* node_bytes(WaiterId w) const { return p_ + shape_.node_offset(w); }
  void set_node(WaiterId w, const WaiterNode& n) const
    requires kMutable
  {
    std::memcpy(node_bytes(w), &n, sizeof n);
  }

  Byte* p_;
  SemaphoreShape shape_;
};

/// A semaphore of its own, outside any state: the value type the semaphore's tests use.
class Semaphore {
 public:
  using Poll = SemaphorePoll;
  static constexpr SemaphoreShape kShape{16, 0};

  Semaphore() = default;
  explicit Semaphore(std::uint8_t permits) { bytes_[0] = permits; }
  bool operator==(const Semaphore&) const = default;

  SemaphoreRef<std::uint8_t> ref() { return {bytes_.data(), kShape}; }
  SemaphoreRef<const std::uint8_t> view() const { return {bytes_.data(), kShape}; }

  std::uint8_t available() const { return view().available(); }
  bool closed() const { return view().closed(); }
  IdListRef<WaiterId, const std::uint8_t> queue() const { return view().queue(); }
  WaiterNode node(WaiterId w) const { return view().node(w); }
  std::uint8_t assigned(WaiterId w) const { return view().assigned(w); }
  bool fully_assigned(WaiterId w) const { return view().fully_assigned(w); }
  bool waiting(WaiterId w) const { return view().waiting(w); }
  bool try_acquire(std::uint8_t n) { return ref().try_acquire(n); }
  Poll poll_acquire(WaiterId w, std::uint8_t n) { return ref().poll_acquire(w, n); }
  void release(std::uint8_t n, WakeList& wakes) { ref().release(n, wakes); }
  void drop_acquire(WaiterId w, WakeList& wakes) { ref().drop_acquire(w, wakes); }
  void close(WakeList& wakes) { ref().close(wakes); }

 private:
  std::array<std::uint8_t, kShape.bytes()> bytes_{};
};

}  // namespace wakecheck::model
