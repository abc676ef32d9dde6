#include "model/queries.hpp"

#include <algorithm>
#include <array>
#include <bitset>

namespace wakecheck::model {

std::uint8_t held_by(StateView s, TaskId t, ResourceId r) { return s.held(t, r); }

std::uint8_t owned_by_future(StateView s, TaskId t, ResourceId r) {
  return static_cast<std::uint8_t>(s.semaphore(r).assigned(waiter_of(t)) +
                                   s.semaphore(r).assigned(kept_waiter_of(t)));
}

std::optional<TaskId> channel_receiver(const Scenario& sc, ResourceId r) {
  std::optional<TaskId> receiver;
  for (std::size_t t = 0; t < sc.tasks.size(); ++t) {
    const auto& program = sc.tasks[t].program;
    const bool receives = std::any_of(program.begin(), program.end(), [&](const Op& op) {
      return op.kind == OpKind::kRecv && op.a == index(r);
    });
    if (!receives) continue;
    const TaskId runner = sc.runner(task_at(t));
    if (receiver && *receiver != runner) return std::nullopt;
    receiver = runner;
  }
  return receiver;
}

bool in_block_region(const std::vector<Op>& program, std::size_t pc) {
  int depth = 0;
  for (std::size_t i = 0; i < pc && i < program.size(); ++i) {
    if (program[i].kind == OpKind::kBlockBegin) ++depth;
    if (program[i].kind == OpKind::kBlockEnd) --depth;
  }
  return depth > 0;
}

const Op* awaited_op(StateView s, const Scenario& sc, TaskId t) {
  const TaskState& ts = s.task(t);
  const auto& program = sc.task(t).program;
  return ts.live() && ts.inflight && ts.pc < program.size() ? &program[ts.pc] : nullptr;
}

std::optional<ResourceId> std_waits_on(StateView s, const Scenario& sc, TaskId t) {
  const Op* op = awaited_op(s, sc, t);
  if (op == nullptr || op->kind != OpKind::kStdLock) return std::nullopt;
  return resource_at(op->a);
}

namespace {

/// The resource whose queue or waiter list `t` is in (std locks aside).
std::optional<ResourceId> queued_on(StateView s, const Scenario& sc, TaskId t) {
  for (std::size_t r = 0; r < sc.resources.size(); ++r) {
    const auto kind = sc.resources[r].kind;
    if (semaphore_based(kind) && s.semaphore(resource_at(r)).waiting(waiter_of(t))) return resource_at(r);
    // Notify waiters, barging-mutex listeners, a channel's receiver.
    const bool listens = kind == ResourceKind::kNotify || kind == ResourceKind::kBargingMutex ||
                         kind == ResourceKind::kMpsc || kind == ResourceKind::kUnbounded ||
                         kind == ResourceKind::kOneshot || kind == ResourceKind::kWatch;
    // An enabled Notified is listed while its task awaits something else: that is no wait.
    if (listens && s.notify(resource_at(r)).waiters().contains(t) &&
        s.notify(resource_at(r)).created(t) != kEnabledWaiting) {
      return resource_at(r);
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<ResourceId> waits_on(StateView s, const Scenario& sc, TaskId t) {
  if (const auto r = std_waits_on(s, sc, t)) return r;
  return queued_on(s, sc, t);
}

bool thread_keeps_core(StateView s, const Scenario& sc, TaskId t) {
  const std::uint8_t blocked = s.task(t).blocked;
  if (blocked == 0) return false;
  if (std_waits_on(s, sc, task_at(blocked - 1U))) return true;
  const auto& program = sc.tasks[blocked - 1U].program;
  return std::any_of(program.begin(), program.end(), [](const Op& op) { return op.kind == OpKind::kBlockBegin && op.a == 1; });
}

std::optional<TaskId> core_kept_by_block(StateView s, const Scenario& sc) {
  for (std::size_t i = 0; i < sc.tasks.size(); ++i) {
    if (thread_keeps_core(s, sc, task_at(i))) return task_at(i);
  }
  return std::nullopt;
}

bool channel_closed(StateView s, const Scenario& sc, ResourceId r) {
  const auto& senders = sc.resource(r).senders;
  return !senders.empty() &&
         std::all_of(senders.begin(), senders.end(), [&](std::size_t t) { return s.tasks(t).finished(); });
}

bool holds(StateView s, const Scenario& sc, TaskId t, ResourceId r) {
  switch (sc.resource(r).kind) {
    case ResourceKind::kTokioMutex:
    case ResourceKind::kSemaphore:
    case ResourceKind::kRwLock:
      return held_by(s, t, r) > 0;
    case ResourceKind::kStdMutex:
    case ResourceKind::kBargingMutex:
      return s.std_owner(r) == index(t) + 1;
    case ResourceKind::kNotify:
    case ResourceKind::kMpsc:
    case ResourceKind::kUnbounded:
    case ResourceKind::kOneshot:
    case ResourceKind::kWatch:
      return false;
    case ResourceKind::kOnceCell:  // the initializer's permit
      return held_by(s, t, r) > 0;
  }
  return false;
}

std::int32_t available(StateView s, const Scenario& sc, ResourceId r) {
  switch (sc.resource(r).kind) {
    case ResourceKind::kTokioMutex:
    case ResourceKind::kSemaphore:
    case ResourceKind::kRwLock:
    case ResourceKind::kMpsc:
    case ResourceKind::kOnceCell:
      return s.semaphore(r).available();
    case ResourceKind::kStdMutex:
    case ResourceKind::kBargingMutex:
      return s.std_owner(r) == 0 ? 1 : 0;
    case ResourceKind::kNotify:
    case ResourceKind::kUnbounded:  // messages in the channel
    case ResourceKind::kOneshot:    // 1 once the value is sent
      return s.notify(r).permit();
    case ResourceKind::kWatch: return 0;
  }
  return 0;
}

std::int32_t queue_length(StateView s, const Scenario& sc, ResourceId r) {
  const auto kind = sc.resource(r).kind;
  if (semaphore_based(kind)) return static_cast<std::int32_t>(s.semaphore(r).queue().size());
  if (kind == ResourceKind::kStdMutex) return 0;
  return static_cast<std::int32_t>(s.notify(r).waiters().size());
}

bool task_paused(StateView s, const Scenario& sc, TaskId t) {
  for (std::size_t f = 0; f < sc.futures.size(); ++f) {
    if (sc.futures[f].task == index(t) && s.is_paused(f)) return true;
  }
  return false;
}

bool task_swallowed(StateView s, const Scenario& sc, TaskId t) {
  for (std::size_t f = 0; f < sc.futures.size(); ++f) {
    if (sc.futures[f].task == index(t) && s.is_swallowed(f)) return true;
  }
  return false;
}

std::optional<TaskId> joins(StateView s, const Scenario& sc, TaskId t) {
  const Op* op = awaited_op(s, sc, t);
  if (op == nullptr || op->kind != OpKind::kJoin || s.tasks(op->a).finished()) return std::nullopt;
  return task_at(op->a);
}

std::size_t guard_holders(StateView s, const Scenario& sc, ResourceId r) {
  std::size_t holders = 0;
  for (std::size_t i = 0; i < sc.tasks.size(); ++i) {
    if (holds(s, sc, task_at(i), r)) ++holders;
  }
  return holders;
}

std::pair<std::size_t, std::size_t> polled_children(StateView s, const Scenario& sc, TaskId t) {
  const TaskState& ts = s.task(t);
  const auto& program = sc.task(t).program;
  if (!ts.inflight || ts.pc >= program.size() || !is_combinator(program[ts.pc].kind)) return {0, 0};
  const Op& op = program[ts.pc];
  return {op.a, std::size_t{op.a} + op.b};
}

std::optional<TaskId> awaited_shared(StateView s, const Scenario& sc, TaskId t) {
  const Op* op = awaited_op(s, sc, t);
  if (op == nullptr || op->kind != OpKind::kAwaitShared) return std::nullopt;
  return task_at(op->a);
}

bool awaits_shared(StateView s, const Scenario& sc, TaskId t, TaskId sf) { return awaited_shared(s, sc, t) == sf; }

bool polled_now(StateView s, const Scenario& sc, TaskId c) {
  if (sc.task(c).shared) {
    for (std::size_t h = 0; h < sc.tasks.size(); ++h) {
      if (!awaits_shared(s, sc, task_at(h), c)) continue;
      if (!sc.tasks[h].parent || polled_now(s, sc, task_at(h))) return true;
    }
    return false;
  }
  const auto parent = task_at(*sc.task(c).parent);
  const TaskState& ps = s.task(parent);
  if (ps.blocked != 0) return ps.blocked == index(c) + 1;
  const auto [first, end] = polled_children(s, sc, parent);
  if (first <= index(c) && index(c) < end) return true;
  // A kept select! future awaited by a sibling the task polls now (`async { (&mut fut).await }`
  // as a branch of a later select!).
  for (std::size_t d = first; d < end; ++d) {
    if (!s.tasks(d).live()) continue;
    const auto [from, to] = polled_children(s, sc, task_at(d));
    if (from <= index(c) && index(c) < to) return true;
  }
  return false;
}

namespace {

/// A set of tasks as two words (kMaxTasks < 128), left uninitialized until reset(): the hot loop
/// below clears only the sets it uses.
struct TaskSet {
  std::uint64_t w[2];
  void reset() { w[0] = w[1] = 0; }
  void set(std::size_t i) { w[i / 64] |= std::uint64_t{1} << (i % 64); }
  void clear(std::size_t i) { w[i / 64] &= ~(std::uint64_t{1} << (i % 64)); }
  bool test(std::size_t i) const { return ((w[i / 64] >> (i % 64)) & 1U) != 0; }
  bool meets(const TaskSet& o) const { return ((w[0] & o.w[0]) | (w[1] & o.w[1])) != 0; }
  bool any() const { return (w[0] | w[1]) != 0; }
};
static_assert(kMaxTasks <= 128);

/// The resource `t` waits for, `op` being the operation it awaits: the std lock it blocks on, or
/// the queue or waiter list it is in.
std::optional<ResourceId> awaited_resource(StateView s, const Scenario& sc, TaskId t, const Op* op) {
  if (op && op->kind == OpKind::kStdLock) return resource_at(op->a);
  return queued_on(s, sc, t);
}

/// Whether `t` holds a guard or lock of `r`, or its future owns permits of `r`: a task waiting for
/// `r` waits for it.
bool holds_or_owns(StateView s, const Scenario& sc, TaskId t, ResourceId r) {
  return holds(s, sc, t, r) || owned_by_future(s, t, r) > 0;
}

/// Calls f(a, b) for each edge of the wait-for graph, without allocating.
template <class F>
void for_each_wait_for_edge(StateView s, const Scenario& sc, F&& f) {
  const std::size_t n = sc.tasks.size();
  // Who holds or owns each resource a task waits for, found once per resource and state.
  std::array<TaskSet, kMaxResources> owners;  // set only where `known` says
  std::bitset<kMaxResources> known;
  for (std::size_t a = 0; a < n; ++a) {
    const auto waiter = task_at(a);
    const TaskState& ts = s.tasks(a);
    // The operation the task awaits (read once): a std lock, a JoinHandle, a combinator, a shared
    // future.
    const Op* op = awaited_op(s, sc, waiter);
    const auto r = awaited_resource(s, sc, waiter, op);
    if (r) {
      const std::size_t ri = index(*r);
      if (!known.test(ri)) {
        owners[ri].reset();
        for (std::size_t b = 0; b < n; ++b) {
          if (holds_or_owns(s, sc, task_at(b), *r)) owners[ri].set(b);
        }
        known.set(ri);
      }
      for (std::size_t b = 0; b < n; ++b) {
        if (b != a && owners[ri].test(b)) f(waiter, task_at(b));
      }
      if (waits_for_itself(s, sc, waiter, *r)) f(waiter, waiter);
      // A sender waiting for a bounded channel's slot waits for its one receiver, the only task
      // that frees a slot (itself, when it is the receiver: the select! loop that sends in a
      // handler while its other branch receives).
      if (sc.resource(*r).kind == ResourceKind::kMpsc && s.semaphore(*r).waiting(waiter_of(waiter))) {
        if (const auto receiver = channel_receiver(sc, *r); receiver && s.task(*receiver).live()) {
          f(waiter, *receiver == sc.runner(waiter) ? waiter : *receiver);
        }
      }
    }
    // A branch its task's poll does not reach now waits for its task (to poll it again).
    if (const auto& parent = sc.tasks[a].parent; parent && s.tasks(a).live() && !polled_now(s, sc, waiter)) {
      f(waiter, task_at(*parent));
    }
    if (const auto joined = joins(s, sc, waiter)) f(waiter, *joined);
    // In a blocked worker's LIFO slot: it runs only when that thread is the runtime's again.
    if (const std::uint8_t stuck = s.tasks(a).stuck;
        stuck != 0 && s.tasks(a).live() && thread_keeps_core(s, sc, task_at(stuck - 1U))) {
      f(waiter, task_at(stuck - 1U));
    }
    // A task awaiting a combinator (join!, FuturesUnordered::next, select_all) waits for its
    // branches; a thread blocked in block_in_place waits for the blocking branch.
    if (!ts.live()) continue;
    if (ts.blocked != 0 && ts.blocked != a + 1) {
      f(waiter, task_at(ts.blocked - 1U));
      continue;
    }
    if (!op) continue;
    if (is_combinator(op->kind)) {
      for (std::size_t c = op->a; c < std::size_t{op->a} + op->b; ++c) {
        if (s.tasks(c).live()) f(waiter, task_at(c));
      }
    }
    // A clone of a shared future waits for the shared future.
    if (op->kind == OpKind::kAwaitShared && s.tasks(op->a).live()) f(waiter, task_at(op->a));
  }
  // A thread blocked in futures::executor::block_on keeps its core: every other live task that
  // only that thread runs (all of them on current_thread; all but main on one worker) waits for
  // the blocked task to give the thread back.
  const bool one_thread = sc.flavor == Flavor::kCurrentThread || sc.worker_threads == 1;
  if (!one_thread) return;
  const auto keeper = core_kept_by_block(s, sc);
  if (!keeper || (sc.flavor == Flavor::kMultiThread && *keeper == kMainTask)) return;
  const std::size_t blocking = s.task(*keeper).blocked - 1U;
  for (std::size_t a = 0; a < n; ++a) {
    if (a == index(*keeper) || a == blocking || !s.tasks(a).live()) continue;
    if (sc.flavor == Flavor::kMultiThread && a == index(kMainTask)) continue;
    if (sc.tasks[a].parent == index(*keeper)) continue;  // its other branches wait for it already
    f(task_at(a), *keeper);
  }
}
}  // namespace

std::vector<std::pair<TaskId, TaskId>> wait_for_edges(StateView s, const Scenario& sc) {
  std::vector<std::pair<TaskId, TaskId>> edges;
  for_each_wait_for_edge(s, sc, [&](TaskId a, TaskId b) { edges.emplace_back(a, b); });
  return edges;
}

bool waits_for_itself(StateView s, const Scenario& sc, TaskId t, ResourceId r) {
  if (!semaphore_based(sc.resource(r).kind)) return false;
  const auto sem = s.semaphore(r);
  const auto& node = sem.node(waiter_of(t));
  return std::size_t{held_by(s, t, r)} + sem.assigned(kept_waiter_of(t)) + node.num > sc.resource(r).permits;
}

namespace {

/// Whether the wait-for graph of `s` certainly has no cycle (false: it may have one), decided
/// cheaply where its edges are only waits for a resource: no task is a branch or blocks a thread or
/// a worker's slot, none awaits a combinator, a JoinHandle or a shared future, and no one waits for
/// a channel's slot. Every edge then leads to a task that holds or owns a permit, guard or lock (or
/// back to its own source), so a cycle needs a task that both waits for a resource and holds or owns
/// one.
bool certainly_acyclic(StateView s, const Scenario& sc) {
  const std::size_t n = sc.tasks.size();
  bool meets = false;
  for (std::size_t a = 0; a < n && !meets; ++a) {
    const TaskState& ts = s.tasks(a);
    if (sc.tasks[a].parent || ts.stuck != 0 || ts.blocked != 0) return false;
    const auto t = task_at(a);
    const Op* op = awaited_op(s, sc, t);
    if (op && (is_combinator(op->kind) || op->kind == OpKind::kJoin || op->kind == OpKind::kAwaitShared)) return false;
    const auto r = awaited_resource(s, sc, t, op);
    if (!r) continue;
    if (sc.resource(*r).kind == ResourceKind::kMpsc || waits_for_itself(s, sc, t, *r)) return false;
    for (std::size_t k = 0; k < sc.resources.size() && !meets; ++k) meets = holds_or_owns(s, sc, t, resource_at(k));
  }
  return !meets;
}

}  // namespace

bool has_wait_for_cycle(StateView s, const Scenario& sc) {
  if (certainly_acyclic(s, sc)) return false;
  // Called on every state, so without allocating: the graph as one bit set of successors per
  // task, then peeling: a task with no successor left cannot be on a cycle, so remove it and
  // repeat; the graph has a cycle iff something remains. wait_for_cycle() finds one of the cycles
  // for reports; the tests check that the two agree on every state.
  const std::size_t n = sc.tasks.size();
  std::array<TaskSet, kMaxTasks> successors;  // the first n are used
  for (std::size_t a = 0; a < n; ++a) successors[a].reset();
  TaskSet waiting, waited_for;
  waiting.reset();
  waited_for.reset();
  for_each_wait_for_edge(s, sc, [&](TaskId a, TaskId b) {
    successors[index(a)].set(index(b));
    waiting.set(index(a));
    waited_for.set(index(b));
  });
  // Every task on a cycle both waits and is waited for: only those are peeled.
  TaskSet remaining;
  remaining.w[0] = waiting.w[0] & waited_for.w[0];
  remaining.w[1] = waiting.w[1] & waited_for.w[1];
  if (!remaining.any()) return false;
  for (bool peeled = true; peeled;) {
    peeled = false;
    for (std::size_t a = 0; a < n; ++a) {
      if (remaining.test(a) && !successors[a].meets(remaining)) {
        remaining.clear(a);
        peeled = true;
      }
    }
  }
  return remaining.any();
}

std::vector<TaskId> wait_for_cycle(StateView s, const Scenario& sc) {
  const std::size_t n = sc.tasks.size();
  const auto edges = wait_for_edges(s, sc);
  // Strongly connected components of the small graph (Tarjan, recursive: n is small).
  std::vector<int> number(n, -1), low(n, 0), component(n, -1);
  std::vector<std::size_t> stack;
  std::vector<bool> on_stack(n, false);
  int counter = 0, components = 0;
  auto connect = [&](auto& self, std::size_t v) -> void {
    number[v] = low[v] = counter++;
    stack.push_back(v);
    on_stack[v] = true;
    for (const auto& [a, b] : edges) {
      if (index(a) != v) continue;
      const std::size_t w = index(b);
      if (number[w] < 0) {
        self(self, w);
        low[v] = std::min(low[v], low[w]);
      } else if (on_stack[w]) {
        low[v] = std::min(low[v], number[w]);
      }
    }
    if (low[v] != number[v]) return;
    std::size_t w;
    do {
      w = stack.back();
      stack.pop_back();
      on_stack[w] = false;
      component[w] = components;
    } while (w != v);
    ++components;
  };
  for (std::size_t v = 0; v < n; ++v) {
    if (number[v] < 0) connect(connect, v);
  }
  std::vector<int> sizes(static_cast<std::size_t>(components), 0);
  for (int c : component) ++sizes[static_cast<std::size_t>(c)];
  for (const auto& [a, b] : edges) {
    if (a == b) return {a};  // a task waiting for itself
  }
  for (std::size_t start = 0; start < n; ++start) {
    if (sizes[static_cast<std::size_t>(component[start])] < 2) continue;
    // Walk edges inside the component from `start` until it comes back.
    std::vector<TaskId> cycle{task_at(start)};
    std::vector<bool> seen(n, false);
    seen[start] = true;
    for (;;) {
      const TaskId at = cycle.back();
      std::optional<TaskId> next;
      for (const auto& [a, b] : edges) {
        if (a == at && component[index(b)] == component[start]) {
          if (index(b) == start) return cycle;
          if (!next && !seen[index(b)]) next = b;
        }
      }
      if (!next) break;
      seen[index(*next)] = true;
      cycle.push_back(*next);
    }
  }
  return {};
}

std::size_t permits_accounted(StateView s, const Scenario& sc, ResourceId r) {
  std::size_t total = s.semaphore(r).available();
  for (std::size_t i = 0; i < sc.tasks.size(); ++i) {
    const auto t = TaskId{static_cast<std::uint8_t>(i)};
    total += std::size_t{held_by(s, t, r)} + std::size_t{owned_by_future(s, t, r)};
  }
  return total;
}

}  // namespace wakecheck::model
