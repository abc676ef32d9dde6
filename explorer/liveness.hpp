// Deciding "P leads to Q" under weak fairness on an explored state graph.
//
// A violation is a reachable state where P holds and Q does not, followed by a run that never
// reaches Q and is either finite (it ends in a dead end: only environment events, which need not
// happen) or infinite and fair (it stays in a fair component, explorer/scc.hpp). The witness is a
// lasso: the least-cost prefix (fewest faults, then fewest steps) to the first state of a bad
// component, then a cycle through it that takes every key fairness demands.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <vector>

#include "explorer/paths.hpp"
#include "explorer/scc.hpp"
#include "explorer/state_graph.hpp"

namespace wakecheck::explorer {

struct Lasso {
  std::vector<std::uint32_t> edges;       // from the initial state: the prefix, then the cycle
  std::optional<std::size_t> loop_start;  // index in `edges` where the repeating cycle begins
};

struct LeadsToResult {
  bool violated = false;
  Lasso lasso;
  // Some run from a P state could stay in a cycle without Q: the verdict rests on fairness.
  bool cycles = false;
};

/// Whether the region of "P leads to Q" is every reachable state outside Q: the initial state is a
/// P-and-not-Q state ("eventually Q", or P holding at the start) and no edge leaves Q for a state
/// outside it. Its paths are then the least-cost paths from the initial state: a path from the
/// initial state to a state outside Q never passes through Q, so the costs are the same; both
/// searches take states in (cost, id) order and the states of Q they add relax no state outside
/// Q, so each state outside Q keeps the same last edge. Its components can be found before those
/// paths are (every stored state is reachable: it was stored as the target of an edge).
inline bool region_outside_target(const StateGraph& g, const std::vector<bool>& p, const std::vector<bool>& q) {
  if (p.empty() || !p[0] || q[0]) return false;
  bool absorbing = true;
  for (std::uint32_t v = 0; v < q.size() && absorbing; ++v) {
    if (q[v]) g.for_each_out(v, [&](std::uint32_t, std::uint32_t w) { absorbing = absorbing && q[w]; });
  }
  return absorbing;
}

/// The components of a leads-to property's region and their weak fairness.
struct RegionComponents {
  Components comps;
  Fairness fairness;
};

/// The components of the region `in_r` accepts, and their fairness.
template <class InRegion, class KeysOf, class PendingOf>
RegionComponents region_components(const StateGraph& g, std::uint32_t n, InRegion in_r, KeysOf keys_of,
                                   PendingOf pending_of) {
  RegionComponents out;
  out.comps = strong_components(g, n, in_r);
  out.fairness = weak_fairness(g, out.comps, keys_of, pending_of);
  return out;
}

/// The region_components of a region_outside_target property (Q is `q`), which need no paths.
template <class KeysOf, class PendingOf = NothingPending>
RegionComponents outside_target_components(const StateGraph& g, const std::vector<bool>& q, KeysOf keys_of,
                                           PendingOf pending_of = {}) {
  return region_components(g, static_cast<std::uint32_t>(q.size()), [&](std::uint32_t v) { return !q[v]; },
                           keys_of, pending_of);
}

/// `from_initial` holds the least-cost paths from the initial state. `is_dead_end(v)` is true for
/// states with no enabled event but environment events. `keys_of(v)` gives the fairness key of
/// each out-edge of v, in edge order (none for environment events); `pending_of(v)` the keys v
/// holds pending (weak_fairness). `ready`, when given, holds outside_target_components of a
/// region_outside_target property, found beforehand (perhaps while `from_initial` was).
template <class KeysOf, class PendingOf = NothingPending>
LeadsToResult check_leads_to(const StateGraph& g, const std::vector<bool>& p, const std::vector<bool>& q,
                             const LeastCostPaths& from_initial, const std::vector<bool>& is_dead_end,
                             KeysOf keys_of, PendingOf pending_of = {}, RegionComponents* ready = nullptr) {
  const auto n = static_cast<std::uint32_t>(p.size());
  LeadsToResult result;

  // 1. R: states reachable from a P-and-not-Q state without passing through Q, each with the least
  //    cost of a path from the initial state through such a source, so that the first bad state by
  //    cost ends a fault-minimal, then shortest, prefix (region_outside_target: the paths from the
  //    initial state serve).
  const bool outside_target = ready != nullptr || region_outside_target(g, p, q);
  LeastCostPaths own;
  if (!outside_target) {
    std::vector<std::pair<std::uint32_t, Cost>> sources;
    for (std::uint32_t v = 0; v < n; ++v) {
      if (p[v] && !q[v] && from_initial.cost[v] != kUnreached) sources.emplace_back(v, from_initial.cost[v]);
    }
    if (sources.empty()) return result;
    own = least_cost_paths(g, n, sources, [&](std::uint32_t w) { return !q[w]; });
  }
  const LeastCostPaths& region = outside_target ? from_initial : own;

  // 2. Components of R and their fairness.
  RegionComponents found;
  if (ready != nullptr) {
    found = std::move(*ready);
  } else if (outside_target) {
    found = outside_target_components(g, q, keys_of, pending_of);
  } else {
    found = region_components(g, n, [&](std::uint32_t v) { return region.cost[v] != kUnreached; }, keys_of, pending_of);
  }
  const Components& comps = found.comps;
  const Fairness& fairness = found.fairness;
  result.cycles = std::find(comps.cyclic.begin(), comps.cyclic.end(), true) != comps.cyclic.end();

  // 3. The nearest bad state, by cost then id: a dead end, or a state of a fair component.
  std::optional<std::uint32_t> bad;
  for (std::uint32_t v = 0; v < n; ++v) {
    const std::uint32_t comp = comps.of[v];
    if (comp == Components::kOutside || !(is_dead_end[v] || fairness.fair[comp])) continue;
    if (!bad || region.cost[v] < region.cost[*bad]) bad = v;
  }
  if (!bad) return result;
  result.violated = true;

  // 4. The prefix: R-edges back to a source, then least-cost edges back to the initial state.
  std::vector<std::uint32_t> back;
  std::uint32_t at = *bad;
  while (region.via[at] != kNoEdge) {
    back.push_back(region.via[at]);
    at = g.source(region.via[at]);
  }
  while (from_initial.via[at] != kNoEdge) {
    back.push_back(from_initial.via[at]);
    at = g.source(from_initial.via[at]);
  }
  result.lasso.edges.assign(back.rbegin(), back.rend());
  const std::uint32_t comp = comps.of[*bad];
  if (is_dead_end[*bad] && !fairness.fair[comp]) return result;

  // 5. The cycle: from `bad`, through an edge of each demanded key, back to `bad`, inside the
  //    component.
  auto path_inside = [&](std::uint32_t from, auto goal) {
    // Breadth-first inside the component until goal(edge, key, target) accepts an edge.
    std::vector<std::uint32_t> came(n, kNoEdge);
    std::vector<std::uint32_t> queue{from};
    std::vector<bool> seen(n, false);
    seen[from] = true;
    for (std::size_t i = 0; i < queue.size(); ++i) {
      const std::uint32_t v = queue[i];
      const auto keys = keys_of(v);
      std::optional<std::pair<std::uint32_t, std::uint32_t>> hit;
      std::uint32_t k = 0;
      g.for_each_out(v, [&](std::uint32_t e, std::uint32_t w) {
        const auto key = k < keys.size() ? keys[k] : std::nullopt;
        ++k;
        if (hit || comps.of[w] != comp) return;
        if (goal(key, w)) {
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
  for (const std::uint16_t key : fairness.demanded(comp)) {
    auto [path, end] = path_inside(current, [&](std::optional<std::uint16_t> edge_key, std::uint32_t) {
      return edge_key && *edge_key == key;
    });
    result.lasso.edges.insert(result.lasso.edges.end(), path.begin(), path.end());
    current = end;
  }
  // Back to where the cycle started, unless the demanded edges already came back there.
  if (current != *bad || result.lasso.edges.size() == *result.lasso.loop_start) {
    auto home = path_inside(current, [&](std::optional<std::uint16_t>, std::uint32_t w) { return w == *bad; });
    result.lasso.edges.insert(result.lasso.edges.end(), home.first.begin(), home.first.end());
  }
  return result;
}

}  // namespace wakecheck::explorer
