// One step of the model: the rules of every event, applied to a state's bytes. Internal to the
// model: TokioModel (model/tokio_model.hpp) is the interface.
//
// The rules are split by concern, each file defining its part of Step:
//   scheduler.cpp    wakes, the run queue, parks, timers, polls, wrappers, coop (runtime/)
//   semaphores.cpp   the batch-semaphore family: Mutex, Semaphore, RwLock, OnceCell, mpsc slots,
//                    select! over a lock, a lock future handed to another task (sync/)
//   notify.cpp       Notify, and the barging mutex built on listeners (sync/notify.rs)
//   combinators.cpp  futures inside one task: join!, FuturesUnordered, select_all
//   interpreter.cpp  the program: running operations, variables, control flow, wrappers
//   drops.cpp        dropping futures: destructors in Rust's order, on_drop handlers
//   narration.hpp    what a step says about itself (nothing, in the search)
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/event.hpp"
#include "model/features.hpp"
#include "model/queries.hpp"
#include "model/rules/narration.hpp"
#include "model/scenario.hpp"
#include "model/state.hpp"

namespace wakecheck::model::rules {

/// What running one operation did to the poll.
enum class Flow { kNext, kPending, kJumped, kStop };

/// The task the one worker polls next (worker.rs `next_task` after `tick`), if any.
std::optional<TaskId> worker_next(StateView s);

/// One step applied to a state. With kNarrate the step also tells what it did, as effects;
/// without it the narration compiles away, so the search pays nothing for reports.
template <bool kNarrate>
class Step : public Narration<kNarrate> {
  using N = Narration<kNarrate>;
  using typename N::Text;
  using N::future_name;
  using N::name;
  using N::say;
  using N::text;
  using N::ticks_words;

 public:
  Step(const Scenario& scenario, const Features& features, StateRef state, std::vector<Effect>* effects)
      : N(scenario, effects), sc_(scenario), f_(features), s_(state) {}

  void apply(const Event& e);

 private:
  // --- scheduler.cpp ------------------------------------------------------------------------
  bool multi() const { return sc_.flavor == Flavor::kMultiThread; }
  bool single_worker() const { return multi() && sc_.worker_threads == 1; }
  void enqueue(TaskId t);
  Text issue_wake(TaskId t);
  Text wake_child(TaskId c);
  void deliver_wake(TaskId t);
  void park();
  void fire_timer(TaskId t);
  void pass_deadline(TaskId t);
  void advance_time(std::uint8_t ticks, TaskId first, bool deadline);
  void fire_entry(TaskId t, bool deadline);
  /// `t` registers a sleep (a sleep statement, a select!'s sleep branch, an initializer's sleep):
  /// untimed (0) or due in `ticks`.
  void start_sleep(TaskId t, std::uint8_t ticks);
  /// Whether this poll of an unbiased select! of a lock (or notified) and another branch starts at
  /// that other branch, which is ready (the poll event's choice; noted for forcing the trace).
  bool starts_at_other(TaskId t, bool unbiased, bool other_ready);
  Text schedule_from_driver(TaskId t);
  void spend(FaultKind kind) { --s_.faults_left(kind); }
  void resume(std::size_t f, const char* who);
  void poll(TaskId t);
  void take_from_worker_queues(TaskId t);
  void worker_tick();
  void worker_park();
  void poll_blocked(TaskId t);
  void poll_child(TaskId c);
  void poll_future(TaskId t);
  bool paused_here(std::size_t f) const;
  void paused_poll(std::size_t f, bool inner_started);
  bool coop_yield(TaskId t, const Text& what);
  Text coop_wake(TaskId t);
  void defer_wake(TaskId t);
  void coop_spend() {
    if (coop_spent_ < kCoopBudget) ++coop_spent_;
  }
  void issue_deferred_wakes(Text* told);
  /// The resource whose permit t's pending lock future owns (assigned, not yet polled), if any.
  std::optional<ResourceId> owned_permit(TaskId t) const;
  /// " (its lock future already owns m's permit)", or "".
  Text already_owns(TaskId t) const;

  // --- interpreter.cpp ----------------------------------------------------------------------
  void run_program(TaskId t);
  Flow run_op(TaskId t, const Op& op);
  bool holds_std_mutex(TaskId t) const;
  /// std mutex r was unlocked: the threads blocked in its lock call wake (" -> ..." words).
  Text unblock_std(ResourceId r);
  void fail(TaskId t, Failure failure);
  Text value_text(std::int32_t value, std::size_t variable) const;
  Text variable_name(std::size_t v) const;
  std::uint8_t permits_of(const Op& op, TaskId t) const;
  const char* op_word(const Op& op) const;
  void add_held(TaskId t, ResourceId r, std::uint8_t n);
  void take_held(TaskId t, ResourceId r, std::uint8_t n);
  void set_var(std::size_t v, std::int32_t value) { s_.set_var(v, value); }

  // --- semaphores.cpp -----------------------------------------------------------------------
  Flow lock(TaskId t, ResourceId r, std::uint8_t n);
  Flow unlock(TaskId t, const Op& op);
  Flow try_lock(TaskId t, const Op& op);
  TaskId wakee(WaiterId w) const;
  Flow hand_lock(TaskId t, const Op& op);
  Flow await_handed(TaskId t, ResourceId r);
  Flow select(TaskId t, const Op& op);
  bool has_kept(TaskId t) const;
  Text drop_kept(TaskId t);
  Flow get_or_init(TaskId t, ResourceId r);
  Flow send(TaskId t, ResourceId r);
  Text drop_node(ResourceId r, WaiterId w);
  void in_version_order(WakeList& wakes) const;
  Text release(ResourceId r, std::uint8_t n);
  Text close(ResourceId r);

  // --- channels.cpp -------------------------------------------------------------------------
  Flow recv(TaskId t, const Op& op);
  Flow put(TaskId t, ResourceId r);
  /// A message arrives in channel r: one more in it, and its first waiting receiver woken (the
  /// wake's words, "" when nobody waits).
  Text deliver(ResourceId r);
  Flow changed(TaskId t, const Op& op);
  /// A sender task's future was dropped: if it was r's last sender, r closes and its waiting
  /// receivers are woken.
  void drop_senders(TaskId t);

  // --- notify.cpp ---------------------------------------------------------------------------
  Flow notified(TaskId t, ResourceId r);
  Flow select_notified(TaskId t, const Op& op);
  /// `Notified::drop` of t's Notified on r: out of the waiter list if it is listed; else what it
  /// was handed: 0 nothing, 1 a notify_one (the caller forwards it), 2 a notify_waiters (lost).
  struct DroppedNotified {
    bool listed = false;
    std::uint8_t handed = 0;
  };
  DroppedNotified drop_notified(TaskId t, ResourceId r);
  Text enable(TaskId t, ResourceId r);
  Text notify_one(ResourceId r);
  Text notify_waiters(ResourceId r);
  Flow barging_lock(TaskId t, ResourceId r);
  Text notify_a_listener(ResourceId r);
  Text barging_unlock(TaskId t, ResourceId r);

  // --- combinators.cpp ----------------------------------------------------------------------
  Text child_names(const Op& op, bool started_only) const;
  Text refill_note(const Op& op) const;
  void start_children(const Op& op);
  Flow join_all(TaskId t, const Op& op);
  Flow next_child(TaskId t, const Op& op);
  Flow select_all(TaskId t, const Op& op);
  Flow select_branches(TaskId t, const Op& op);
  Flow await_branch(TaskId t, const Op& op);
  Flow await_shared(TaskId t, const Op& op);
  /// Shared future `sf` woke (its inner future's waker): every clone awaiting it is woken.
  Text wake_shared(TaskId sf);
  /// Wakes every clone awaiting `sf`: their wakes' words, "" when none awaits.
  Text wake_clones(TaskId sf);
  /// A clone of `sf` is dropped (its awaiter already out of flight); the last clone of a future
  /// no cache keeps drops it.
  void drop_clone(TaskId sf);
  Text drop_branch(TaskId c);
  void reset_child(TaskId c);
  void drop_child(TaskId c);
  void drop_children(TaskId t, std::optional<OpKind> kind, std::size_t from, std::size_t to);
  void drop_children(TaskId t, std::optional<OpKind> kind) { drop_children(t, kind, 0, sc_.tasks.size()); }
  /// Drops the live children of one combinator statement (its branches `op.a` .. `op.a + op.b`).
  void drop_branches(TaskId t, const Op& op) { drop_children(t, std::nullopt, op.a, std::size_t{op.a} + op.b); }

  // --- drops.cpp ----------------------------------------------------------------------------
  void drop_inflight(TaskId t);
  void run_handler(TaskId t);
  void cancel_nested(TaskId t);
  void drop_future(TaskId t, TaskStatus final_status);
  void drop_guards(TaskId t, bool nested_only);

  const Scenario& sc_;
  const Features& f_;
  StateRef s_;
  bool in_handler_ = false;
  std::optional<TaskId> running_;  // the task being polled (single worker: wakes of it re-queue)
  bool renotified_ = false;        // it was woken during its poll
  bool on_worker_ = false;         // single worker: the step runs on the worker thread
  bool sleep_first_ = false;       // this poll's unbiased select! starts at its sleep branch
  // The branch every unbiased select! of many branches this poll polls starts at (Event::start,
  // modulo its number of branches).
  std::uint8_t select_start_ = 0;
  // multi_thread, any workers: the task this poll's thread woke last (into its worker's LIFO slot).
  std::optional<TaskId> lifo_;
  /// After a poll of `t` on a worker: the task it woke last is stuck in the worker's LIFO slot if
  /// t's thread is now blocked keeping its core; tasks stuck behind a thread that is free again
  /// are not.
  void settle_lifo(TaskId t);
  // coop.rs: budget units spent by this step's poll (every poll starts with the full budget of
  // 128; a one-worker LIFO chain continues its run's, SchedulerState::chain_spent).
  std::uint8_t coop_spent_ = 0;
};

}  // namespace wakecheck::model::rules
