// Deciding "P leads to Q" under weak fairness on an explored state graph.
//
// A violation is a reachable state where P holds and Q does not, followed by a run that never
// reaches Q and is either finite (it ends in a dead end: only environment events, which need not
// happen) or infinite and fair. An infinite run eventually stays inside one strongly connected
// component; weak fairness (every event key enabled in every state of the component is taken by
// some edge of the component) is decided on maximal components, since a sub-component can only
// lose edges. The witness is a lasso: the least-cost prefix (fewest faults, then fewest steps)
// to the first state of a bad component, then a cycle through it that takes every key fairness
// demands.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <set>
#include <vector>

#include "explorer/paths.hpp"
#include "explorer/state_graph.hpp"

namespace wakecheck::explorer {

struct Lasso {
  std::vector<std::uint32_t> edges;  // from the initial state: the prefix, then the cycle
  std::optional<std::size_t> loop_start;  // index in `edges` where the repeating cycle begins
};

struct LeadsToResult {
  bool violated = false;
  bool vacuous = false;  // P holds in no reachable state
  Lasso lasso;
};

/// `from_initial` holds the least-cost paths from the initial state (fault-minimal, then
/// shortest). `is_dead_end(v)` is true for states with no enabled non-environment event.
/// `key(edge)` gives an edge's fairness key (nullopt: environment), `edge_cost(edge)` its cost.
template <class Event, class KeyOf, class EdgeCost>
LeadsToResult check_leads_to(const StateGraph<Event>& g, const std::vector<bool>& p,
                             const std::vector<bool>& q, const LeastCostPaths& from_initial,
                             const std::vector<bool>& is_dead_end, KeyOf key, EdgeCost edge_cost) {
  const auto n = static_cast<std::uint32_t>(p.size());
  constexpr std::uint32_t kNone = UINT32_MAX;
  LeadsToResult result;
  result.vacuous = std::none_of(p.begin(), p.end(), [](bool b) { return b; });

  // 1. R: states reachable from a P-and-not-Q state without passing through Q, each with the
  //    least cost of a path from the initial state through such a source, so that the first
  //    bad state by cost ends a fault-minimal, then shortest, prefix.
  std::vector<std::pair<std::uint32_t, Cost>> sources;
  for (std::uint32_t v = 0; v < n; ++v) {
    if (p[v] && !q[v] && from_initial.cost[v] != kUnreached) sources.emplace_back(v, from_initial.cost[v]);
  }
  const LeastCostPaths region = least_cost_paths(g, n, sources, edge_cost, [&](std::uint32_t w) { return !q[w]; });
  std::vector<std::uint32_t> order;  // R in order of cost
  for (std::uint32_t v = 0; v < n; ++v) {
    if (region.cost[v] != kUnreached) order.push_back(v);
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](std::uint32_t a, std::uint32_t b) { return region.cost[a] < region.cost[b]; });
  if (order.empty()) return result;
  std::vector<bool> in_r(n, false);
  for (std::uint32_t v : order) in_r[v] = true;

  // 2. Strongly connected components of R (iterative Tarjan over the CSR graph).
  std::vector<std::uint32_t> component(n, kNone), low(n, 0), number(n, kNone);
  std::vector<std::uint32_t> stack;
  std::uint32_t counter = 0, components = 0;
  auto out_list = [&](std::uint32_t v) {
    std::vector<std::pair<std::uint32_t, std::uint32_t>> out;
    g.for_each_out(v, [&](std::uint32_t e, std::uint32_t w) {
      if (in_r[w]) out.emplace_back(e, w);
    });
    return out;
  };
  std::vector<bool> on_stack(n, false);
  for (std::uint32_t root : order) {
    if (number[root] != kNone) continue;
    std::vector<std::pair<std::uint32_t, std::vector<std::pair<std::uint32_t, std::uint32_t>>>> dfs;
    std::vector<std::size_t> next_child;
    number[root] = low[root] = counter++;
    stack.push_back(root);
    on_stack[root] = true;
    dfs.emplace_back(root, out_list(root));
    next_child.push_back(0);
    while (!dfs.empty()) {
      const std::uint32_t v = dfs.back().first;
      auto& children = dfs.back().second;
      std::size_t& i = next_child.back();
      if (i < children.size()) {
        const std::uint32_t w = children[i++].second;
        if (number[w] == kNone) {
          number[w] = low[w] = counter++;
          stack.push_back(w);
          on_stack[w] = true;
          dfs.emplace_back(w, out_list(w));
          next_child.push_back(0);
        } else if (on_stack[w]) {
          low[v] = std::min(low[v], number[w]);
        }
        continue;
      }
      if (low[v] == number[v]) {
        std::uint32_t w;
        do {
          w = stack.back();
          stack.pop_back();
          on_stack[w] = false;
          component[w] = components;
        } while (w != v);
        ++components;
      }
      dfs.pop_back();
      next_child.pop_back();
      if (!dfs.empty()) low[dfs.back().first] = std::min(low[dfs.back().first], low[v]);
    }
  }

  // 3. Which components are fair cycles: non-trivial, and every key enabled in all of their
  //    states is taken by an edge inside.
  using Key = decltype(key(std::uint32_t{}));
  std::vector<std::vector<std::uint32_t>> members(components);
  for (std::uint32_t v : order) members[component[v]].push_back(v);
  std::vector<bool> fair(components, false);
  std::vector<std::set<typename Key::value_type>> demanded(components);
  for (std::uint32_t c = 0; c < components; ++c) {
    bool has_inner_edge = false;
    std::set<typename Key::value_type> taken;
    std::optional<std::set<typename Key::value_type>> always;
    for (std::uint32_t v : members[c]) {
      std::set<typename Key::value_type> enabled;
      g.for_each_out(v, [&](std::uint32_t e, std::uint32_t w) {
        const auto k = key(e);
        if (k) enabled.insert(*k);
        if (in_r[w] && component[w] == c) {
          has_inner_edge = true;
          if (k) taken.insert(*k);
        }
      });
      if (!always) {
        always = enabled;
      } else {
        std::set<typename Key::value_type> both;
        std::set_intersection(always->begin(), always->end(), enabled.begin(), enabled.end(),
                              std::inserter(both, both.begin()));
        always = both;
      }
    }
    if (!has_inner_edge) continue;
    fair[c] = std::includes(taken.begin(), taken.end(), always->begin(), always->end());
    demanded[c] = *always;
  }

  // 4. The nearest bad state: a dead end, or a state of a fair component.
  std::optional<std::uint32_t> bad;
  for (std::uint32_t v : order) {
    if (is_dead_end[v] || fair[component[v]]) {
      bad = v;
      break;
    }
  }
  if (!bad) return result;
  result.violated = true;

  // 5. The prefix: R-edges back to a source, then least-cost edges back to the initial state.
  std::vector<std::uint32_t> back;
  std::uint32_t at = *bad;
  while (region.via[at]) {
    back.push_back(*region.via[at]);
    at = g.source(*region.via[at]);
  }
  while (from_initial.via[at]) {
    back.push_back(*from_initial.via[at]);
    at = g.source(*from_initial.via[at]);
  }
  result.lasso.edges.assign(back.rbegin(), back.rend());
  if (is_dead_end[*bad] && !fair[component[*bad]]) return result;

  // 6. The cycle: from `bad`, through an edge of each demanded key, back to `bad`, inside the
  //    component.
  const std::uint32_t c = component[*bad];
  auto path_inside = [&](std::uint32_t from, auto goal) {
    // Breadth-first inside the component until goal(edge, target) accepts an edge.
    std::vector<std::uint32_t> came(n, kNone);
    std::vector<std::uint32_t> queue{from};
    std::vector<bool> seen(n, false);
    seen[from] = true;
    for (std::size_t i = 0; i < queue.size(); ++i) {
      const std::uint32_t v = queue[i];
      std::optional<std::pair<std::uint32_t, std::uint32_t>> hit;
      g.for_each_out(v, [&](std::uint32_t e, std::uint32_t w) {
        if (hit || !in_r[w] || component[w] != c) return;
        if (goal(e, w)) {
          hit = std::make_pair(e, w);
          return;
        }
        if (!seen[w]) {
          seen[w] = true;
          came[w] = e;
          queue.push_back(w);
        }
      });
      if (hit) {
        std::vector<std::uint32_t> path{hit->first};
        for (std::uint32_t u = v; u != from;) {
          path.push_back(came[u]);
          u = g.source(came[u]);
        }
        std::reverse(path.begin(), path.end());
        return std::make_pair(path, hit->second);
      }
    }
    return std::make_pair(std::vector<std::uint32_t>{}, from);
  };
  result.lasso.loop_start = result.lasso.edges.size();
  std::uint32_t current = *bad;
  for (const auto& k : demanded[c]) {
    auto [path, end] = path_inside(current, [&](std::uint32_t e, std::uint32_t) {
      const auto edge_key = key(e);
      return edge_key && *edge_key == k;
    });
    result.lasso.edges.insert(result.lasso.edges.end(), path.begin(), path.end());
    current = end;
  }
  // Back to where the cycle started, unless the demanded edges already came back there.
  if (current != *bad || result.lasso.edges.size() == *result.lasso.loop_start) {
    auto [home, end] = path_inside(current, [&](std::uint32_t, std::uint32_t w) { return w == *bad; });
    (void)end;
    result.lasso.edges.insert(result.lasso.edges.end(), home.begin(), home.end());
  }
  return result;
}

}  // namespace wakecheck::explorer
