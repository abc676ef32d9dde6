#include "model/queries.hpp"

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/strong_components.hpp>

#include <array>

namespace wakecheck::model {

std::uint8_t held_by(const State& s, TaskId t, ResourceId r) {
  return s.task(t).held[index(r)];
}

std::uint8_t owned_by_future(const State& s, TaskId t, ResourceId r) {
  return static_cast<std::uint8_t>(s.semaphore(r).assigned(waiter_of(t)) +
                                   s.semaphore(r).assigned(kept_waiter_of(t)));
}

std::uint8_t owned_by_kept_future(const State& s, TaskId t, ResourceId r) {
  return s.semaphore(r).assigned(kept_waiter_of(t));
}

std::optional<ResourceId> waits_on(const State& s, const Scenario& sc, TaskId t) {
  for (std::size_t r = 0; r < sc.resources.size(); ++r) {
    const auto kind = sc.resources[r].kind;
    if (semaphore_based(kind) && s.semaphores[r].waiting(waiter_of(t))) return resource_at(r);
    // Notify waiters, barging-mutex listeners, a channel's receiver.
    const bool listens = kind == ResourceKind::kNotify || kind == ResourceKind::kBargingMutex ||
                         kind == ResourceKind::kMpsc;
    if (listens && s.notifies[r].waiters.contains(t)) return resource_at(r);
  }
  return std::nullopt;
}

bool holds(const State& s, const Scenario& sc, TaskId t, ResourceId r) {
  switch (sc.resource(r).kind) {
    case ResourceKind::kTokioMutex:
    case ResourceKind::kSemaphore:
    case ResourceKind::kRwLock:
      return held_by(s, t, r) > 0;
    case ResourceKind::kStdMutex:
    case ResourceKind::kBargingMutex:
      return s.std_owner[index(r)] == index(t) + 1;
    case ResourceKind::kNotify:
    case ResourceKind::kMpsc:
      return false;
    case ResourceKind::kOnceCell:  // the initializer's permit
      return held_by(s, t, r) > 0;
  }
  return false;
}

std::int32_t available(const State& s, const Scenario& sc, ResourceId r) {
  switch (sc.resource(r).kind) {
    case ResourceKind::kTokioMutex:
    case ResourceKind::kSemaphore:
    case ResourceKind::kRwLock:
    case ResourceKind::kMpsc:
    case ResourceKind::kOnceCell:
      return s.semaphore(r).available();
    case ResourceKind::kStdMutex:
    case ResourceKind::kBargingMutex:
      return s.std_owner[index(r)] == 0 ? 1 : 0;
    case ResourceKind::kNotify: return s.notifies[index(r)].permit;
  }
  return 0;
}

std::int32_t queue_length(const State& s, const Scenario& sc, ResourceId r) {
  const auto kind = sc.resource(r).kind;
  if (semaphore_based(kind)) return static_cast<std::int32_t>(s.semaphore(r).queue().size());
  if (kind == ResourceKind::kStdMutex) return 0;
  return static_cast<std::int32_t>(s.notifies[index(r)].waiters.size());
}

bool task_paused(const State& s, const Scenario& sc, TaskId t) {
  for (std::size_t f = 0; f < sc.futures.size(); ++f) {
    if (sc.futures[f].task == index(t) && s.is_paused(f)) return true;
  }
  return false;
}

bool task_swallowed(const State& s, const Scenario& sc, TaskId t) {
  for (std::size_t f = 0; f < sc.futures.size(); ++f) {
    if (sc.futures[f].task == index(t) && s.is_swallowed(f)) return true;
  }
  return false;
}

std::optional<TaskId> joins(const State& s, const Scenario& sc, TaskId t) {
  const TaskState& ts = s.task(t);
  if (!ts.live() || !ts.inflight) return std::nullopt;
  const Op& op = sc.task(t).program[ts.pc];
  if (op.kind != OpKind::kJoin) return std::nullopt;
  const auto target = TaskId{op.a};
  if (s.task(target).finished()) return std::nullopt;
  return target;
}

std::size_t guard_holders(const State& s, const Scenario& sc, ResourceId r) {
  std::size_t holders = 0;
  for (std::size_t i = 0; i < sc.tasks.size(); ++i) {
    if (holds(s, sc, task_at(i), r)) ++holders;
  }
  return holders;
}

namespace {
/// Calls f(a, b) for each edge of the wait-for graph, without allocating.
template <class F>
void for_each_wait_for_edge(const State& s, const Scenario& sc, F&& f) {
  const std::size_t n = sc.tasks.size();
  for (std::size_t a = 0; a < n; ++a) {
    const auto waiter = task_at(a);
    if (const auto r = waits_on(s, sc, waiter)) {
      for (std::size_t b = 0; b < n; ++b) {
        const auto owner = task_at(b);
        if (b != a && (holds(s, sc, owner, *r) || owned_by_future(s, owner, *r) > 0)) f(waiter, owner);
      }
    }
    if (const auto joined = joins(s, sc, waiter)) f(waiter, *joined);
    // A task awaiting a combinator (join!, FuturesUnordered::next, select_all) waits for its
    // branches; a thread blocked in block_in_place waits for the blocking branch.
    const TaskState& ts = s.tasks[a];
    if (!ts.live()) continue;
    if (ts.blocked != 0 && ts.blocked != a + 1) {
      f(waiter, task_at(ts.blocked - 1U));
      continue;
    }
    const auto& program = sc.tasks[a].program;
    if (!ts.inflight || ts.pc >= program.size()) continue;
    const Op& op = program[ts.pc];
    if (op.kind != OpKind::kJoinAll && op.kind != OpKind::kNextChild && op.kind != OpKind::kSelectAll) continue;
    for (std::size_t c = op.a; c < std::size_t{op.a} + op.b; ++c) {
      if (s.tasks[c].live()) f(waiter, task_at(c));
    }
  }
}
}  // namespace

std::vector<std::pair<TaskId, TaskId>> wait_for_edges(const State& s, const Scenario& sc) {
  std::vector<std::pair<TaskId, TaskId>> edges;
  for_each_wait_for_edge(s, sc, [&](TaskId a, TaskId b) { edges.emplace_back(a, b); });
  return edges;
}

namespace {
using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS>;

/// Component of each vertex and, per component, its size; a component of two or more tasks is
/// a cycle (a task never waits for itself).
std::pair<std::vector<int>, std::vector<int>> components(const State& s, const Scenario& sc) {
  const auto edges = wait_for_edges(s, sc);
  Graph graph(sc.tasks.size());
  for (const auto& [a, b] : edges) boost::add_edge(index(a), index(b), graph);
  std::vector<int> component(sc.tasks.size());
  const int count = boost::strong_components(
      graph, boost::make_iterator_property_map(component.begin(),
                                               boost::get(boost::vertex_index, graph)));
  std::vector<int> sizes(static_cast<std::size_t>(count), 0);
  for (int c : component) ++sizes[static_cast<std::size_t>(c)];
  return {component, sizes};
}
}  // namespace

bool has_wait_for_cycle(const State& s, const Scenario& sc) {
  // Called on every state, so without allocating: the graph as one bitmask of successors per
  // task, then Kahn's peeling: a task with no successor left cannot be on a cycle, so remove it
  // and repeat; the graph has a cycle iff something remains. wait_for_cycle() finds the same
  // cycles with Boost.Graph for reports; the tests check that the two agree on every state.
  const std::size_t n = sc.tasks.size();
  std::array<std::uint8_t, kMaxTasks> successors{};
  for_each_wait_for_edge(s, sc, [&](TaskId a, TaskId b) {
    successors[index(a)] = static_cast<std::uint8_t>(successors[index(a)] | (1U << index(b)));
  });
  unsigned remaining = (1U << n) - 1U;
  for (bool peeled = true; peeled;) {
    peeled = false;
    for (std::size_t a = 0; a < n; ++a) {
      if ((remaining & (1U << a)) != 0 && (successors[a] & remaining) == 0) {
        remaining &= ~(1U << a);
        peeled = true;
      }
    }
  }
  return remaining != 0;
}

std::vector<TaskId> wait_for_cycle(const State& s, const Scenario& sc) {
  const auto [component, sizes] = components(s, sc);
  const auto edges = wait_for_edges(s, sc);
  for (std::size_t start = 0; start < sc.tasks.size(); ++start) {
    if (sizes[static_cast<std::size_t>(component[start])] < 2) continue;
    // Walk edges inside the component from `start` until it comes back.
    std::vector<TaskId> cycle{TaskId{static_cast<std::uint8_t>(start)}};
    std::vector<bool> seen(sc.tasks.size(), false);
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

std::size_t permits_accounted(const State& s, const Scenario& sc, ResourceId r) {
  std::size_t total = s.semaphore(r).available();
  for (std::size_t i = 0; i < sc.tasks.size(); ++i) {
    const auto t = TaskId{static_cast<std::uint8_t>(i)};
    total += std::size_t{held_by(s, t, r)} + std::size_t{owned_by_future(s, t, r)};
  }
  return total;
}

}  // namespace wakecheck::model
