// Tests of the batch semaphore value type against tokio 1.24.2's batch_semaphore, as written in
// docs/tokio-model.md#batch-semaphore (and the scenarios S2-S5 that exercise it directly).
#include <cstddef>
#include <cstdint>
#include <vector>

#include "model/semaphore.hpp"

#include <CppUTest/TestHarness.h>

using wakecheck::model::Semaphore;
using wakecheck::model::WaiterId;
using wakecheck::model::WakeList;

namespace {

constexpr WaiterId kA{1};
constexpr WaiterId kB{2};
constexpr WaiterId kC{3};
constexpr WaiterId kD{4};
constexpr WaiterId kHolder{0};

constexpr auto kReady = Semaphore::Poll::kReady;
constexpr auto kPending = Semaphore::Poll::kPending;
constexpr auto kClosed = Semaphore::Poll::kClosed;

std::vector<WaiterId> ids(const WakeList& list) { return {list.begin(), list.end()}; }

std::vector<WaiterId> queue_of(const Semaphore& s) { return {s.queue().begin(), s.queue().end()}; }

void check_ids(const std::vector<WaiterId>& expected, const std::vector<WaiterId>& actual) {
  UNSIGNED_LONGS_EQUAL(expected.size(), actual.size());
  for (std::size_t i = 0; i < expected.size() && i < actual.size(); ++i) {
    UNSIGNED_LONGS_EQUAL(static_cast<unsigned>(expected[i]), static_cast<unsigned>(actual[i]));
  }
}

/// A semaphore with one permit held (by kHolder's guard) and `waiters` queued behind it, in order.
Semaphore held_with_queue(const std::vector<WaiterId>& waiters) {
  Semaphore s(1);
  CHECK(s.poll_acquire(kHolder, 1) == kReady);
  for (WaiterId w : waiters) CHECK(s.poll_acquire(w, 1) == kPending);
  return s;
}

/// A semaphore with no permit and `waiters` queued on it for one permit each, in order.
Semaphore empty_with_queue(const std::vector<WaiterId>& waiters) {
  Semaphore s(0);
  for (WaiterId w : waiters) CHECK(s.poll_acquire(w, 1) == kPending);
  return s;
}

/// Dropping `w`'s Acquire wakes nobody and leaves `s` exactly as it was.
void check_drop_changes_nothing(Semaphore& s, WaiterId w) {
  const Semaphore before = s;
  WakeList wakes;
  s.drop_acquire(w, wakes);
  CHECK_TRUE(wakes.empty());
  CHECK_TRUE(s == before);
}

/// Permits the semaphore accounts for outside guards: the counter plus what nodes own.
unsigned counter_plus_assigned(const Semaphore& s) {
  unsigned total = s.available();
  for (WaiterId w : {kHolder, kA, kB, kC, kD}) total += s.assigned(w);
  return total;
}

}  // namespace

TEST_GROUP(Semaphore){};

// --- try_acquire and the fast path (#try-acquire, #acquire-poll) -----------------------------

TEST(Semaphore, TryAcquireTakesPermitsOnlyWhenEnoughAreAvailable) {
  Semaphore s(2);
  CHECK_FALSE(s.try_acquire(3));
  UNSIGNED_LONGS_EQUAL(2, s.available());
  CHECK_TRUE(s.try_acquire(2));
  UNSIGNED_LONGS_EQUAL(0, s.available());
  CHECK_FALSE(s.try_acquire(1));
  UNSIGNED_LONGS_EQUAL(0, s.available());
  CHECK_TRUE(s.queue().empty());
}

TEST(Semaphore, FirstPollTakesTheFastPathWhenPermitsSufficeAndNobodyIsQueued) {
  Semaphore s(2);
  CHECK(s.poll_acquire(kA, 1) == kReady);
  UNSIGNED_LONGS_EQUAL(1, s.available());
  CHECK_TRUE(s.queue().empty());
  // The fast path never queues: the node is not `queued`, so it owns nothing afterwards.
  UNSIGNED_LONGS_EQUAL(0, s.node(kA).queued);
  UNSIGNED_LONGS_EQUAL(0, s.assigned(kA));
  CHECK(s.poll_acquire(kB, 1) == kReady);
  UNSIGNED_LONGS_EQUAL(0, s.available());
}

TEST(Semaphore, FirstPollWithoutEnoughPermitsQueuesTheWaiter) {
  Semaphore s = held_with_queue({kA});
  check_ids({kA}, queue_of(s));
  UNSIGNED_LONGS_EQUAL(1, s.node(kA).queued);
  UNSIGNED_LONGS_EQUAL(1, s.node(kA).need);
  UNSIGNED_LONGS_EQUAL(1, s.node(kA).num);
  CHECK_TRUE(s.waiting(kA));
  CHECK_FALSE(s.fully_assigned(kA));
  UNSIGNED_LONGS_EQUAL(0, s.available());
}

TEST(Semaphore, RepollOfAnUnassignedWaiterStaysPendingAndKeepsItsPlace) {
  Semaphore s = held_with_queue({kA, kB});
  CHECK(s.poll_acquire(kA, 1) == kPending);
  CHECK(s.poll_acquire(kB, 1) == kPending);
  check_ids({kA, kB}, queue_of(s));
  UNSIGNED_LONGS_EQUAL(1, s.node(kA).need);
}

TEST(Semaphore, WaitersQueueInTheOrderOfTheirFirstPoll) {
  Semaphore s = held_with_queue({kC, kA, kB});
  check_ids({kC, kA, kB}, queue_of(s));
}

// --- release: FIFO eager handoff (#release), no barging (#try-acquire, S2) ----------------

TEST(Semaphore, ReleaseAssignsThePermitToTheOldestWaiter) {
  Semaphore s = held_with_queue({kA, kB, kC});
  WakeList wakes;
  s.release(1, wakes);
  check_ids({kA}, ids(wakes));
  check_ids({kB, kC}, queue_of(s));
  CHECK_TRUE(s.fully_assigned(kA));
  CHECK_TRUE(s.waiting(kB));
  CHECK_TRUE(s.waiting(kC));
}

TEST(Semaphore, ReleaseAssignsPermitToOldestWaiterBeforeItIsPolled) {
  Semaphore s = held_with_queue({kA, kB});
  WakeList wakes;
  s.release(1, wakes);
  // The permit is inside A's node (need 0, still `queued`), off the list, and not in the counter.
  UNSIGNED_LONGS_EQUAL(0, s.node(kA).need);
  UNSIGNED_LONGS_EQUAL(1, s.node(kA).queued);
  UNSIGNED_LONGS_EQUAL(1, s.assigned(kA));
  CHECK_FALSE(s.queue().contains(kA));
  UNSIGNED_LONGS_EQUAL(0, s.available());
}

TEST(Semaphore, TryAcquireCannotBargeAheadOfAnAssignedWaiter) {
  // S2: the releaser's own try_lock right after the release fails: the permit is in A's node.
  Semaphore s = held_with_queue({kA});
  WakeList wakes;
  s.release(1, wakes);
  CHECK_FALSE(s.try_acquire(1));
  UNSIGNED_LONGS_EQUAL(0, s.available());
  UNSIGNED_LONGS_EQUAL(1, s.assigned(kA));
}

TEST(Semaphore, NewcomerQueuesBehindWhileAnyoneIsQueued) {
  // INV-1: available > 0 only with an empty queue, so a newcomer's first poll cannot take the
  // fast path past a queued waiter; it queues behind, even right after a release.
  Semaphore s = held_with_queue({kA, kB});
  WakeList wakes;
  s.release(1, wakes);
  CHECK(s.poll_acquire(kC, 1) == kPending);
  check_ids({kB, kC}, queue_of(s));
  UNSIGNED_LONGS_EQUAL(1, s.assigned(kA));
  UNSIGNED_LONGS_EQUAL(0, s.assigned(kC));
  UNSIGNED_LONGS_EQUAL(0, s.available());
}

TEST(Semaphore, AssignedWaiterCompletesOnItsNextPoll) {
  Semaphore s = held_with_queue({kA, kB});
  WakeList wakes;
  s.release(1, wakes);
  CHECK(s.poll_acquire(kA, 1) == kReady);
  // Ready(Ok): `queued = false`; the permit now belongs to the guard, not to the node.
  UNSIGNED_LONGS_EQUAL(0, s.node(kA).queued);
  UNSIGNED_LONGS_EQUAL(0, s.assigned(kA));
  CHECK_FALSE(s.fully_assigned(kA));
  UNSIGNED_LONGS_EQUAL(0, s.available());
  check_ids({kB}, queue_of(s));
  CHECK_TRUE(s.waiting(kB));
}

TEST(Semaphore, ReleaseWithNobodyQueuedReturnsPermitsToTheCounter) {
  Semaphore s(0);
  WakeList wakes;
  s.release(3, wakes);
  UNSIGNED_LONGS_EQUAL(3, s.available());
  CHECK_TRUE(wakes.empty());
  CHECK_TRUE(s.queue().empty());
}

TEST(Semaphore, ReleaseOfZeroPermitsDoesNothing) {
  Semaphore s = held_with_queue({kA});
  const Semaphore before = s;
  WakeList wakes;
  s.release(0, wakes);
  CHECK_TRUE(wakes.empty());
  CHECK_TRUE(s == before);
}

TEST(Semaphore, ReleaseBeyondTheQueuedNeedsPutsTheSurplusInTheCounter) {
  Semaphore s = held_with_queue({kA});
  WakeList wakes;
  s.release(3, wakes);
  check_ids({kA}, ids(wakes));
  CHECK_TRUE(s.fully_assigned(kA));
  CHECK_TRUE(s.queue().empty());
  UNSIGNED_LONGS_EQUAL(2, s.available());
}

TEST(Semaphore, SeveralSingleReleasesServeWaitersFifo) {
  // S3 (b): three add_permits(1) wake A, then B, then C.
  Semaphore s = empty_with_queue({kA, kB, kC});
  std::vector<WaiterId> order;
  for (int i = 0; i < 3; ++i) {
    WakeList wakes;
    s.release(1, wakes);
    UNSIGNED_LONGS_EQUAL(1, wakes.size());
    order.push_back(wakes[0]);
  }
  check_ids({kA, kB, kC}, order);
  for (WaiterId w : {kA, kB, kC}) CHECK_TRUE(s.fully_assigned(w));
  UNSIGNED_LONGS_EQUAL(0, s.available());
}

TEST(Semaphore, BatchReleaseWakesInReverseOfAssignmentOrder) {
  // S3 (a) in 1.24.2: add_permits(3) assigns A, B, C (oldest first) and wakes C, B, A.
  Semaphore s = empty_with_queue({kA, kB, kC});
  WakeList wakes;
  s.release(3, wakes);
  check_ids({kC, kB, kA}, ids(wakes));
  for (WaiterId w : {kA, kB, kC}) CHECK_TRUE(s.fully_assigned(w));
  CHECK_TRUE(s.queue().empty());
  UNSIGNED_LONGS_EQUAL(0, s.available());
}

TEST(Semaphore, BatchReleaseAssignsOldestFirstWhenItCannotServeEveryone) {
  Semaphore s = empty_with_queue({kA, kB, kC});
  WakeList wakes;
  s.release(2, wakes);
  check_ids({kB, kA}, ids(wakes));
  CHECK_TRUE(s.fully_assigned(kA));
  CHECK_TRUE(s.fully_assigned(kB));
  CHECK_TRUE(s.waiting(kC));
  check_ids({kC}, queue_of(s));
  UNSIGNED_LONGS_EQUAL(0, s.available());
}

// --- multi-permit waiters: partial assignment, head-of-line blocking (#release, S4) ------------

TEST(Semaphore, MultiPermitFirstPollTakesWhatIsAvailableAndQueuesForTheRest) {
  Semaphore s(1);
  CHECK(s.poll_acquire(kA, 2) == kPending);
  UNSIGNED_LONGS_EQUAL(0, s.available());
  UNSIGNED_LONGS_EQUAL(2, s.node(kA).num);
  UNSIGNED_LONGS_EQUAL(1, s.node(kA).need);
  UNSIGNED_LONGS_EQUAL(1, s.assigned(kA));
  CHECK_TRUE(s.waiting(kA));
  check_ids({kA}, queue_of(s));
  CHECK_FALSE(s.try_acquire(1));
}

TEST(Semaphore, YoungerSmallWaiterStaysBlockedBehindAPartiallyAssignedBigOne) {
  Semaphore s(1);
  CHECK(s.poll_acquire(kA, 2) == kPending);  // takes 1, needs 1 more
  CHECK(s.poll_acquire(kB, 1) == kPending);  // available is 0: B queues behind A
  check_ids({kA, kB}, queue_of(s));
  CHECK_FALSE(s.try_acquire(1));
  // A re-poll of B does not let it through either.
  CHECK(s.poll_acquire(kB, 1) == kPending);
  UNSIGNED_LONGS_EQUAL(0, s.assigned(kB));
}

TEST(Semaphore, ReleaseToAPartialHeadWaiterIsAbsorbedWithoutWakingAnyone) {
  Semaphore s(0);
  CHECK(s.poll_acquire(kA, 3) == kPending);
  CHECK(s.poll_acquire(kB, 1) == kPending);
  WakeList wakes;
  s.release(1, wakes);
  CHECK_TRUE(wakes.empty());
  UNSIGNED_LONGS_EQUAL(2, s.node(kA).need);
  UNSIGNED_LONGS_EQUAL(1, s.assigned(kA));
  CHECK_TRUE(s.waiting(kB));
  UNSIGNED_LONGS_EQUAL(0, s.assigned(kB));
  check_ids({kA, kB}, queue_of(s));
  UNSIGNED_LONGS_EQUAL(0, s.available());
}

TEST(Semaphore, ReleaseScanStopsAtTheFirstWaiterItCannotSatisfy) {
  // As a write release with a reader, a writer and a reader queued (#rwlock): the first reader is
  // served, the writer absorbs the rest, the reader behind it gets nothing.
  Semaphore s(0);
  CHECK(s.poll_acquire(kA, 1) == kPending);
  CHECK(s.poll_acquire(kB, 3) == kPending);
  CHECK(s.poll_acquire(kC, 1) == kPending);
  WakeList wakes;
  s.release(3, wakes);
  check_ids({kA}, ids(wakes));
  CHECK_TRUE(s.fully_assigned(kA));
  UNSIGNED_LONGS_EQUAL(2, s.assigned(kB));
  UNSIGNED_LONGS_EQUAL(1, s.node(kB).need);
  CHECK_TRUE(s.waiting(kC));
  check_ids({kB, kC}, queue_of(s));
  UNSIGNED_LONGS_EQUAL(0, s.available());
}

TEST(Semaphore, MultiPermitHeadOfLineScenarioEndsWithAllPermitsBack) {
  // S4: Semaphore(1); W acquire_many(2) queues (takes 1); R acquire() queues; try_acquire fails;
  // add_permits(1): W completes, then R after W releases; final available = 2.
  Semaphore s(1);
  CHECK(s.poll_acquire(kA, 2) == kPending);
  UNSIGNED_LONGS_EQUAL(0, s.available());
  CHECK(s.poll_acquire(kB, 1) == kPending);
  CHECK_FALSE(s.try_acquire(1));

  WakeList first;
  s.release(1, first);
  check_ids({kA}, ids(first));
  CHECK_TRUE(s.fully_assigned(kA));
  CHECK_TRUE(s.waiting(kB));
  CHECK(s.poll_acquire(kA, 2) == kReady);
  UNSIGNED_LONGS_EQUAL(0, s.available());

  WakeList second;
  s.release(2, second);  // W's permit dropped
  check_ids({kB}, ids(second));
  CHECK_TRUE(s.fully_assigned(kB));
  UNSIGNED_LONGS_EQUAL(1, s.available());
  CHECK(s.poll_acquire(kB, 1) == kReady);

  WakeList third;
  s.release(1, third);  // R's permit dropped
  CHECK_TRUE(third.empty());
  UNSIGNED_LONGS_EQUAL(2, s.available());
  CHECK_TRUE(s.queue().empty());
}

TEST(Semaphore, MultiPermitWaiterCompletesOnItsNextPollOnceFullyAssigned) {
  Semaphore s(1);
  CHECK(s.poll_acquire(kA, 2) == kPending);
  WakeList wakes;
  s.release(1, wakes);
  check_ids({kA}, ids(wakes));
  UNSIGNED_LONGS_EQUAL(2, s.assigned(kA));
  UNSIGNED_LONGS_EQUAL(0, s.available());
  CHECK(s.poll_acquire(kA, 2) == kReady);
  UNSIGNED_LONGS_EQUAL(0, s.available());
  UNSIGNED_LONGS_EQUAL(0, s.assigned(kA));
  CHECK_TRUE(s.queue().empty());
}

// --- Acquire::drop (#acquire-drop, S5, S15) ----------------------------------------------------

TEST(Semaphore, DropOfAFullyAssignedAcquireForwardsThePermitToTheNextWaiter) {
  Semaphore s = held_with_queue({kA, kB, kC});
  WakeList released;
  s.release(1, released);
  CHECK_TRUE(s.fully_assigned(kA));
  WakeList wakes;
  s.drop_acquire(kA, wakes);
  check_ids({kB}, ids(wakes));
  CHECK_TRUE(s.fully_assigned(kB));
  UNSIGNED_LONGS_EQUAL(0, s.node(kA).queued);
  UNSIGNED_LONGS_EQUAL(0, s.assigned(kA));
  check_ids({kC}, queue_of(s));
  UNSIGNED_LONGS_EQUAL(0, s.available());
}

TEST(Semaphore, DropOfAFullyAssignedAcquireWithNobodyBehindReturnsThePermitToTheCounter) {
  Semaphore s = held_with_queue({kA});
  WakeList released;
  s.release(1, released);
  WakeList wakes;
  s.drop_acquire(kA, wakes);
  CHECK_TRUE(wakes.empty());
  UNSIGNED_LONGS_EQUAL(1, s.available());
  CHECK_TRUE(s.try_acquire(1));
}

TEST(Semaphore, DropOfAPartiallyAssignedAcquireReturnsOnlyWhatItGot) {
  // S5: a partially assigned Acquire gives back the part it was assigned, not what it asked for.
  Semaphore s(2);
  CHECK(s.poll_acquire(kA, 3) == kPending);  // takes 2, needs 1
  CHECK(s.poll_acquire(kB, 1) == kPending);
  UNSIGNED_LONGS_EQUAL(2, s.assigned(kA));
  WakeList wakes;
  s.drop_acquire(kA, wakes);
  // 2 permits come back: 1 to B (the next oldest), 1 to the counter. Nothing is created.
  check_ids({kB}, ids(wakes));
  CHECK_TRUE(s.fully_assigned(kB));
  UNSIGNED_LONGS_EQUAL(1, s.available());
  CHECK_TRUE(s.queue().empty());
  UNSIGNED_LONGS_EQUAL(2, counter_plus_assigned(s));
}

TEST(Semaphore, DropOfAPartiallyAssignedAcquireAloneReturnsItsPartToTheCounter) {
  Semaphore s(1);
  CHECK(s.poll_acquire(kA, 2) == kPending);
  WakeList wakes;
  s.drop_acquire(kA, wakes);
  CHECK_TRUE(wakes.empty());
  CHECK_TRUE(s.queue().empty());
  UNSIGNED_LONGS_EQUAL(1, s.available());
}

TEST(Semaphore, DropOfAnUnassignedQueuedAcquireOnlyLeavesTheQueue) {
  Semaphore s = held_with_queue({kA, kB, kC});
  WakeList wakes;
  s.drop_acquire(kB, wakes);
  CHECK_TRUE(wakes.empty());
  check_ids({kA, kC}, queue_of(s));
  UNSIGNED_LONGS_EQUAL(0, s.node(kB).queued);
  UNSIGNED_LONGS_EQUAL(0, s.available());
  // The next release skips the dropped waiter.
  WakeList next;
  s.release(1, next);
  check_ids({kA}, ids(next));
  WakeList after;
  s.drop_acquire(kA, after);
  check_ids({kC}, ids(after));
}

TEST(Semaphore, DropOfANeverPolledAcquireDoesNothing) {
  Semaphore s = held_with_queue({kA});
  check_drop_changes_nothing(s, kD);
}

TEST(Semaphore, DropOfAnAcquireCompletedOnTheFastPathDoesNothing) {
  Semaphore s(2);
  CHECK(s.poll_acquire(kA, 1) == kReady);
  check_drop_changes_nothing(s, kA);
  UNSIGNED_LONGS_EQUAL(1, s.available());
}

TEST(Semaphore, DropOfAnAcquireCompletedAfterAssignmentDoesNotReleaseAgain) {
  // Once Ready(Ok), the permit belongs to the guard; dropping the finished future gives nothing.
  Semaphore s = held_with_queue({kA, kB});
  WakeList released;
  s.release(1, released);
  CHECK(s.poll_acquire(kA, 1) == kReady);
  check_drop_changes_nothing(s, kA);
  CHECK_TRUE(s.waiting(kB));
  UNSIGNED_LONGS_EQUAL(0, s.available());
}

TEST(Semaphore, AcquireDropAndReleaseNeverCreateOrLosePermits) {
  // Invariant: available + guards + assigned == total. Here: 3 permits, guards tracked by hand.
  Semaphore s(3);
  unsigned guards = 0;
  CHECK(s.poll_acquire(kHolder, 2) == kReady);
  guards += 2;
  CHECK(s.poll_acquire(kA, 2) == kPending);  // takes the 1 left
  CHECK(s.poll_acquire(kB, 1) == kPending);
  CHECK(s.poll_acquire(kC, 2) == kPending);
  UNSIGNED_LONGS_EQUAL(3, guards + counter_plus_assigned(s));
  WakeList w1;
  s.release(1, w1);  // one of the holder's two
  guards -= 1;
  check_ids({kA}, ids(w1));
  UNSIGNED_LONGS_EQUAL(3, guards + counter_plus_assigned(s));
  WakeList w2;
  s.drop_acquire(kA, w2);  // A's 2 go to B (1) and C (1 of 2)
  check_ids({kB}, ids(w2));
  UNSIGNED_LONGS_EQUAL(1, s.assigned(kC));
  UNSIGNED_LONGS_EQUAL(3, guards + counter_plus_assigned(s));
  WakeList w3;
  s.release(1, w3);  // the holder's last
  guards -= 1;
  check_ids({kC}, ids(w3));
  UNSIGNED_LONGS_EQUAL(0, s.available());
  UNSIGNED_LONGS_EQUAL(3, guards + counter_plus_assigned(s));
}

// --- close (#batch-semaphore; batch_semaphore.rs `close`, the CLOSED bit read first) ----------

TEST(Semaphore, CloseWakesEveryQueuedWaiterOldestFirstAndEmptiesTheQueue) {
  Semaphore s = empty_with_queue({kA, kB, kC});
  WakeList wakes;
  s.close(wakes);
  CHECK_TRUE(s.closed());
  check_ids({kA, kB, kC}, ids(wakes));
  CHECK_TRUE(s.queue().empty());
}

TEST(Semaphore, PollAfterCloseFailsEvenForAWaiterAssignedBeforeTheClose) {
  // Acquire::poll reads the CLOSED bit before anything else: a permit assigned by an earlier
  // release does not make the acquire succeed. The node still owns it until it is dropped.
  Semaphore s = held_with_queue({kA});
  WakeList released;
  s.release(1, released);
  check_ids({kA}, ids(released));
  UNSIGNED_LONGS_EQUAL(1, s.assigned(kA));
  WakeList closed;
  s.close(closed);
  CHECK(s.poll_acquire(kA, 1) == kClosed);
  UNSIGNED_LONGS_EQUAL(1, s.assigned(kA));
  WakeList dropped;
  s.drop_acquire(kA, dropped);
  UNSIGNED_LONGS_EQUAL(1, s.available());
}

TEST(Semaphore, NothingIsAcquiredFromAClosedSemaphoreEvenWithPermitsAvailable) {
  Semaphore s(2);
  WakeList wakes;
  s.close(wakes);
  CHECK_TRUE(wakes.empty());
  CHECK_FALSE(s.try_acquire(1));
  CHECK(s.poll_acquire(kA, 1) == kClosed);
  UNSIGNED_LONGS_EQUAL(2, s.available());
  CHECK_TRUE(s.queue().empty());
}
