// Questions about a state in the words of the domain: who holds, owns, waits for what. Properties
// and reports ask these; the rules (model/rules/) never do.
#pragma once

#include <optional>
#include <utility>
#include <vector>

#include "model/scenario.hpp"
#include "model/state.hpp"

namespace wakecheck::model {

/// The waiter node of a task's awaited future, and of the future it keeps (select! `&mut fut`).
inline WaiterId waiter_of(TaskId t) { return WaiterId{static_cast<std::uint8_t>(index(t))}; }
inline WaiterId kept_waiter_of(TaskId t) { return WaiterId{static_cast<std::uint8_t>(kKeptWaiterBase + index(t))}; }
/// The task a waiter node belongs to (its waker wakes that task).
inline TaskId task_of(WaiterId w) {
  return TaskId{static_cast<std::uint8_t>(static_cast<std::size_t>(w) % kKeptWaiterBase)};
}
inline bool is_kept(WaiterId w) { return static_cast<std::size_t>(w) >= kKeptWaiterBase; }

/// The child futures a poll of `t` reaches now, as task indices [first, end): the branches of the
/// combinator `t` awaits (join!, a FuturesUnordered loop's next(), select_all), finished ones
/// included; empty when it awaits none. A thread blocked in block_in_place is the caller's to
/// check.
std::pair<std::size_t, std::size_t> polled_children(StateView s, const Scenario& sc, TaskId t);
/// Whether a poll of its task reaches branch `c` now: the task awaits the combinator holding it,
/// and the task's thread is not blocked in another branch's block_in_place.
/// A shared future is polled now when a clone awaits it where a poll reaches it.
bool polled_now(StateView s, const Scenario& sc, TaskId c);
/// Whether `t` is suspended in `shared.clone().await` on shared future `sf` (its clone's waker
/// registered with it).
bool awaits_shared(StateView s, const Scenario& sc, TaskId t, TaskId sf);
/// The shared future `t` awaits, if any.
std::optional<TaskId> awaited_shared(StateView s, const Scenario& sc, TaskId t);
/// Permits of `r` held by guards in `t`'s future.
std::uint8_t held_by(StateView s, TaskId t, ResourceId r);
/// Permits of `r` assigned to `t`'s pending lock future (handed over by a release, not yet
/// turned into a guard because the future has not been polled since).
std::uint8_t owned_by_future(StateView s, TaskId t, ResourceId r);
/// The resource `t` is queued on: a lock still needing permits, or a Notify.
std::optional<ResourceId> waits_on(StateView s, const Scenario& sc, TaskId t);
/// The one task that receives from bounded channel `r` (a branch counts as its task), if exactly
/// one does: a sender waiting for a slot waits for it.
std::optional<TaskId> channel_receiver(const Scenario& sc, ResourceId r);
/// Whether operation `pc` of a program lies inside its block_in_place / block_on region.
bool in_block_region(const std::vector<Op>& program, std::size_t pc);
/// Whether `t`'s thread is blocked keeping its core: in futures::executor::block_on or in a std
/// lock (not block_in_place, which hands the core on).
bool thread_keeps_core(StateView s, const Scenario& sc, TaskId t);
/// The operation `t`'s future is suspended at (live, in flight), if any.
const Op* awaited_op(StateView s, const Scenario& sc, TaskId t);
/// The std::sync::Mutex whose lock `t` is blocked in (its thread waits in the lock call), if any.
std::optional<ResourceId> std_waits_on(StateView s, const Scenario& sc, TaskId t);
/// The task whose JoinHandle `t` awaits.
std::optional<TaskId> joins(StateView s, const Scenario& sc, TaskId t);

/// `t` holds `r`: a tokio guard, or the std mutex.
/// Whether channel r is closed: it names its senders and every one has finished (its Sender
/// dropped with its future).
/// A receiver of this kind waits for a message (a channel's recv, a watch's changed).
inline bool waits_for_message(ResourceKind kind) {
  return kind == ResourceKind::kMpsc || kind == ResourceKind::kUnbounded || kind == ResourceKind::kOneshot ||
         kind == ResourceKind::kWatch;
}

/// The task whose thread is blocked in futures::executor::block_on (it keeps its core), if any.
std::optional<TaskId> core_kept_by_block(StateView s, const Scenario& sc);

bool channel_closed(StateView s, const Scenario& sc, ResourceId r);

bool holds(StateView s, const Scenario& sc, TaskId t, ResourceId r);
/// Permits available (a Notify: 1 when it stores a permit; a std mutex: 1 when free).
std::int32_t available(StateView s, const Scenario& sc, ResourceId r);
/// Waiters queued on `r`.
std::int32_t queue_length(StateView s, const Scenario& sc, ResourceId r);
/// A pause flag of the task's own future or of a future nested in it is set.
bool task_paused(StateView s, const Scenario& sc, TaskId t);
/// A wrapper of the task swallowed a wake without polling its inner future.
bool task_swallowed(StateView s, const Scenario& sc, TaskId t);

/// Number of tasks holding a guard of `r`.
std::size_t guard_holders(StateView s, const Scenario& sc, ResourceId r);

/// `t` waits for `r` and can never get it while it keeps what it has: its own guards of `r`, and
/// what its kept future (select! `&mut fut`) was assigned, leave too few permits for its request
/// (a second `lock` of a mutex it holds; a `lock` behind its own kept lock future).
bool waits_for_itself(StateView s, const Scenario& sc, TaskId t, ResourceId r);

/// Edges of the wait-for graph: (a, b) when a waits for something b holds or owns: a permit of a
/// resource (by guard, or assigned to b's future) or b's completion (join); (a, a) when a waits
/// for itself (waits_for_itself); (c, p) when c is a branch of p's combinator that p's poll does
/// not reach now (p runs its loop body, went on past select_all, or its thread is blocked in
/// another branch): c waits for p to poll it again.
std::vector<std::pair<TaskId, TaskId>> wait_for_edges(StateView s, const Scenario& sc);

/// True when the state's wait-for graph has a cycle.
bool has_wait_for_cycle(StateView s, const Scenario& sc);
/// The tasks of one cycle, in wait-for order, or empty.
std::vector<TaskId> wait_for_cycle(StateView s, const Scenario& sc);

/// Total permits accounted for: available + guards + assigned to futures. Equals the resource's
/// permits in every reachable state (checked by the tests).
std::size_t permits_accounted(StateView s, const Scenario& sc, ResourceId r);

}  // namespace wakecheck::model
