#include "model/semaphore.hpp"

#include <algorithm>

namespace wakecheck::model {

bool Semaphore::try_acquire(std::uint8_t n) {
  // batch_semaphore.rs `try_acquire`: a CAS on the counter that never looks at the queue. By
  // INV-1 it cannot barge: available > 0 only when nobody is queued.
  if (closed_ || available_ < n) return false;
  available_ = static_cast<std::uint8_t>(available_ - n);
  return true;
}

Semaphore::Poll Semaphore::poll_acquire(WaiterId w, std::uint8_t n) {
  WaiterNode& node = nodes_[index(w)];
  if (closed_) return Poll::kClosed;  // even for a node assigned before the close
  if (!node.queued) {
    if (available_ >= n) {  // `poll_acquire` fast path: enough permits, not queued
      available_ = static_cast<std::uint8_t>(available_ - n);
      return Poll::kReady;
    }
    // Not enough: under the waitlist lock take every available permit, then `push_front` the
    // node (the newest end of tokio's list; the back of our queue).
    node.num = n;
    node.need = static_cast<std::uint8_t>(n - available_);
    node.queued = 1;
    node.in_list = 1;
    available_ = 0;
    queue_.push_back(w);
    return Poll::kPending;
  }
  // Queued: take what is missing if it is there (only possible when the queue is otherwise
  // empty, by INV-1), or whatever is available.
  const std::uint8_t taken = std::min(available_, node.need);
  available_ = static_cast<std::uint8_t>(available_ - taken);
  node.need = static_cast<std::uint8_t>(node.need - taken);
  if (node.need > 0) return Poll::kPending;  // the waker is updated; still queued
  queue_.erase(w);                            // no-op if a releaser already popped it
  node = WaiterNode{};                        // `queued = false`: the guard owns the permits now
  return Poll::kReady;
}

void Semaphore::release(std::uint8_t n, WakeList& wakes) {
  // batch_semaphore.rs `add_permits_locked`.
  std::uint8_t rem = n;
  WakeList batch;
  while (rem > 0 && !queue_.empty()) {
    WaiterNode& oldest = nodes_[index(queue_.front())];
    const std::uint8_t give = std::min(oldest.need, rem);
    oldest.need = static_cast<std::uint8_t>(oldest.need - give);
    rem = static_cast<std::uint8_t>(rem - give);
    if (oldest.need > 0) break;  // partial assignment: the oldest absorbed everything
    oldest.in_list = 0;
    batch.push_back(queue_.pop_front());
  }
  // Permits reach the counter only when the queue is empty (this keeps INV-1).
  available_ = static_cast<std::uint8_t>(std::min(255, available_ + rem));
  for (std::size_t i = batch.size(); i > 0; --i) wakes.push_back(batch[i - 1]);
}

void Semaphore::close(WakeList& wakes) {
  closed_ = 1;
  while (!queue_.empty()) {
    const WaiterId w = queue_.pop_front();
    nodes_[index(w)].in_list = 0;
    wakes.push_back(w);
  }
}

void Semaphore::drop_acquire(WaiterId w, WakeList& wakes) {
  WaiterNode& node = nodes_[index(w)];
  if (!node.queued) return;  // never polled, or completed: nothing to give back
  queue_.erase(w);
  const auto acquired = static_cast<std::uint8_t>(node.num - node.need);
  node = WaiterNode{};
  if (acquired > 0) release(acquired, wakes);
}

}  // namespace wakecheck::model
