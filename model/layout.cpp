// The layout of a scenario's states: where each part lies, and how many bits each byte can need.
//
// Widths come from what the scenario can do: a field no operation of the scenario ever sets gets
// no bits (a scenario without timeouts stores no deadlines), a counter gets the bits of its
// largest value (a mutex's permits take one bit, a pc the bits of its program's length). A stored
// state keeps only those bits, so its size follows the scenario.
#include <algorithm>
#include <bit>
#include <cstddef>

#include "model/features.hpp"
#include "model/state.hpp"

namespace wakecheck::model {
namespace {

std::uint8_t bits_for(std::size_t max_value) {
  return static_cast<std::uint8_t>(std::bit_width(max_value));
}

class Builder {
 public:
  /// Reserves `count` bytes of `width` bits each; returns their offset.
  std::size_t add(std::size_t count, std::uint8_t width) {
    const std::size_t at = widths_.size();
    widths_.insert(widths_.end(), count, width);
    return at;
  }
  /// A list of tasks: a size byte, then `capacity` ids; or as a set, a bit per task.
  std::size_t list(std::size_t capacity, std::size_t tasks, ListForm form = ListForm::kOrdered) {
    if (capacity == 0) return widths_.size();
    if (form == ListForm::kSet) {
      const std::size_t at = widths_.size();
      for (std::size_t left = capacity; left > 0; left -= std::min<std::size_t>(left, 8)) {
        add(1, static_cast<std::uint8_t>(std::min<std::size_t>(left, 8)));
      }
      return at;
    }
    const std::size_t at = add(1, bits_for(capacity));
    add(capacity, bits_for(tasks == 0 ? 0 : tasks - 1));
    return at;
  }
  std::uint8_t& width(std::size_t at) { return widths_[at]; }
  std::vector<std::uint8_t> finish() {
    widths_.resize((widths_.size() + 7) / 8 * 8, 0);
    return std::move(widths_);
  }

 private:
  std::vector<std::uint8_t> widths_;
};

}  // namespace

std::shared_ptr<const StateLayout> make_layout(const Scenario& sc) {
  const Features f(sc);
  auto layout = std::make_shared<StateLayout>();
  StateLayout& l = *layout;
  const std::size_t n = sc.tasks.size();
  const std::size_t nr = sc.resources.size();
  const bool single_worker = f.single_worker;
  const bool nested = sc.futures.size() > n;
  l.task_count = n;
  l.resource_count = nr;
  l.future_count = sc.futures.size();
  Builder b;

  // Per resource, the largest number of permits any count of it can reach.
  std::vector<std::size_t> most(nr, 1);
  for (std::size_t r = 0; r < nr; ++r) most[r] = f.adds_permits[r] ? kMaxPermits : sc.resources[r].permits;
  // A waiter's request counts too: `acquire_many S K` on a semaphore of fewer permits (even of
  // none, Semaphore::new(0)) waits with K requested.
  auto note_requests = [&](const std::vector<Op>& program) {
    for (const Op& op : program) {
      if ((op.kind == OpKind::kLock || op.kind == OpKind::kTryLock || op.kind == OpKind::kUnlock) && op.a < nr) {
        most[op.a] = std::max<std::size_t>(most[op.a], std::max<std::size_t>(op.c, 1));
      }
    }
  };
  for (const TaskSpec& task : sc.tasks) note_requests(task.program);
  for (const auto& handler : sc.handlers) note_requests(handler);

  l.tasks_at = b.add(sizeof(TaskState) * n, 0);
  std::size_t handler_pcs = 0;
  for (const auto& handler : sc.handlers) handler_pcs = std::max(handler_pcs, handler.size());
  for (std::size_t t = 0; t < n; ++t) {
    const std::size_t at = l.tasks_at + sizeof(TaskState) * t;
    auto field = [&](std::size_t offset, std::uint8_t width) { b.width(at + offset) = width; };
    field(offsetof(TaskState, status), 3);
    field(offsetof(TaskState, failure), f.failures ? 3 : 0);
    field(offsetof(TaskState, pc), bits_for(std::max(sc.tasks[t].program.size(), handler_pcs)));
    field(offsetof(TaskState, inflight), 1);
    field(offsetof(TaskState, wake_pending), 1);
    field(offsetof(TaskState, cancel_requested), f.aborts ? 1 : 0);
    field(offsetof(TaskState, timer), f.task_timers[t] ? 2 : 0);
    field(offsetof(TaskState, deadline), nested ? 2 : 0);
    // get_or_init's initializer running; an ordered set's finished child whose output is queued
    field(offsetof(TaskState, phase), f.once_cells || f.ordered_sets ? 1 : 0);
    field(offsetof(TaskState, coop_exhausted), sc.fault(FaultKind::kCoopYield).budget > 0 ? 1 : 0);
    field(offsetof(TaskState, region), nested ? bits_for(sc.futures.size()) : 0);
    field(offsetof(TaskState, guard), f.guards ? bits_for(sc.handlers.size()) : 0);
    field(offsetof(TaskState, guard_in_region), f.guards && nested ? 1 : 0);
    // join!'s rotation, or a select!'s branches disabled by their preconditions (one bit each)
    field(offsetof(TaskState, turn),
          std::max<std::uint8_t>(f.join_macros ? bits_for(f.join_width) : 0, f.select_preconditions ? 8 : 0));
    field(offsetof(TaskState, blocked), f.blocks ? bits_for(n) : 0);
    field(offsetof(TaskState, block_woken), f.blocks ? 1 : 0);
    field(offsetof(TaskState, received), f.hands ? bits_for(n) : 0);
    field(offsetof(TaskState, handed_to), f.hands ? bits_for(n) : 0);
    field(offsetof(TaskState, timer_left), f.task_timers[t] ? bits_for(f.longest_sleep) : 0);
    field(offsetof(TaskState, deadline_left), nested ? bits_for(f.longest_timeout) : 0);
    field(offsetof(TaskState, stuck), f.any_order && f.block_ons ? bits_for(n) : 0);
  }
  l.held_at = b.add(n * nr, 0);
  l.region_held_at = b.add(n * nr, 0);
  for (std::size_t t = 0; t < n; ++t) {
    for (std::size_t r = 0; r < nr; ++r) {
      const std::uint8_t width = semaphore_based(sc.resources[r].kind) ? bits_for(most[r]) : 0;
      b.width(l.held_at + t * nr + r) = width;
      b.width(l.region_held_at + t * nr + r) = nested ? width : 0;
    }
  }
  // A future's flags: paused where a pause can strike it, swallowed where its wrapper is pausable.
  l.futures_at = b.add(sc.futures.size(), 0);
  for (std::size_t fu = 0; fu < sc.futures.size(); ++fu) {
    if (!f.pausable[fu]) continue;
    b.width(l.futures_at + fu) = sc.futures[fu].wrapper == Wrapper::kPausable ? 2 : 1;
  }

  l.vars_at = b.add(2 * sc.variables.size(), 0);
  for (std::size_t v = 0; v < sc.variables.size(); ++v) {
    const auto& spec = sc.variables[v];
    l.var_min.push_back(spec.min);
    const std::uint8_t width = bits_for(static_cast<std::size_t>(spec.max - spec.min));
    b.width(l.vars_at + 2 * v) = std::min<std::uint8_t>(width, 8);
    b.width(l.vars_at + 2 * v + 1) = width > 8 ? static_cast<std::uint8_t>(width - 8) : 0;
  }

  l.scheduler_at = b.add(sizeof(SchedulerState), 0);
  {
    auto field = [&](std::size_t offset, std::uint8_t width) { b.width(l.scheduler_at + offset) = width; };
    field(offsetof(SchedulerState, lifo), single_worker ? bits_for(n) : 0);
    field(offsetof(SchedulerState, worker_flags), single_worker ? 2 : 0);
    field(offsetof(SchedulerState, chain_spent), single_worker ? 8 : 0);
    field(offsetof(SchedulerState, maint_ticks), single_worker ? bits_for(sc.event_interval) : 0);
    field(offsetof(SchedulerState, phase), sc.flavor == Flavor::kCurrentThread ? 1 : 0);
    field(offsetof(SchedulerState, ticks), sc.flavor == Flavor::kCurrentThread ? bits_for(sc.event_interval)
                                  : single_worker                      ? bits_for(kGlobalQueueInterval)
                                                                       : 0);
  }

  l.faults_at = b.add(kFaultKinds, 0);
  for (std::size_t k = 0; k < kFaultKinds; ++k) b.width(l.faults_at + k) = bits_for(sc.faults[k].budget);

  // Where any worker may poll any task next, the run queue's order means nothing: a set.
  l.run_queue_form = f.any_order ? ListForm::kSet : ListForm::kOrdered;
  l.run_queue_cap = n;
  l.run_queue_at = b.list(l.run_queue_cap, n, l.run_queue_form);
  l.deferred_cap = f.defers ? n : 0;
  l.deferred_at = b.list(l.deferred_cap, n);
  l.ready_children_cap = f.sets ? n : 0;
  l.ready_children_at = b.list(l.ready_children_cap, n);
  l.inject_cap = single_worker ? n : 0;
  l.inject_at = b.list(l.inject_cap, n);

  for (std::size_t r = 0; r < nr; ++r) {
    const auto kind = sc.resources[r].kind;
    StateLayout::Resource res;
    if (semaphore_based(kind)) {
      res.semaphore = SemaphoreShape{n, f.selects[r] ? n : 0};
    }
    const std::uint8_t count = bits_for(most[r]);
    res.semaphore_at = b.add(res.semaphore.bytes(), 0);
    if (semaphore_based(kind)) {
      b.width(res.semaphore_at) = count;                    // available
      b.width(res.semaphore_at + 1) = f.closes[r] ? 1 : 0;  // closed
      const std::size_t nodes = res.semaphore.nodes();
      const std::size_t queue = res.semaphore_at + res.semaphore.queue_offset();
      b.width(queue) = bits_for(nodes);
      const std::uint8_t id_width = f.selects[r] ? 8 : bits_for(n - 1);
      for (std::size_t i = 0; i < nodes; ++i) b.width(queue + 1 + i) = id_width;
      for (std::size_t i = 0; i < nodes; ++i) {
        const std::size_t node = res.semaphore_at + res.semaphore.nodes_offset() + 4 * i;
        b.width(node) = count;      // need
        b.width(node + 1) = count;  // num
        b.width(node + 2) = 1;      // queued
        b.width(node + 3) = 1;      // in_list
      }
    }
    const bool listens = kind == ResourceKind::kNotify || kind == ResourceKind::kMpsc ||
                         kind == ResourceKind::kBargingMutex || kind == ResourceKind::kOnceCell ||
                         kind == ResourceKind::kUnbounded || kind == ResourceKind::kOneshot ||
                         kind == ResourceKind::kWatch;
    if (listens) {
      res.notify = NotifyShape{n};
      res.notify_at = b.add(res.notify.bytes(), 0);
      // The permit: messages in flight (a channel), a stored notification, a value set.
      const bool counts = kind == ResourceKind::kMpsc || kind == ResourceKind::kUnbounded;
      const bool none = kind == ResourceKind::kBargingMutex || kind == ResourceKind::kWatch;
      b.width(res.notify_at) = counts ? 8 : none ? 0 : 1;
      const std::size_t waiters = res.notify_at + res.notify.waiters_offset();
      b.width(waiters) = bits_for(n);
      for (std::size_t i = 0; i < n; ++i) b.width(waiters + 1 + i) = bits_for(n - 1);
      for (std::size_t i = 0; i < n; ++i) {
        b.width(res.notify_at + res.notify.notified_offset() + i) = 2;
        b.width(res.notify_at + res.notify.created_offset() + i) = f.notified_created ? 3 : 0;
      }
    }
    const bool owned = kind == ResourceKind::kStdMutex || kind == ResourceKind::kBargingMutex;
    res.std_owner_at = b.add(1, owned ? bits_for(n) : 0);
    l.resources.push_back(res);
  }

  l.widths = b.finish();
  l.bytes = l.widths.size();
  return layout;
}

}  // namespace wakecheck::model
