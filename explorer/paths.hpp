// Least-cost paths over the explored state graph, for counterexamples that are fault-minimal
// first and shortest second: an edge costs one step, plus one fault if it is an environment
// event, and costs compare faults first (kFault outweighs any number of steps).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <queue>
#include <utility>
#include <vector>

#include "explorer/state_graph.hpp"

namespace wakecheck::explorer {

using Cost = std::uint64_t;
inline constexpr Cost kFault = Cost{1} << 32;
inline constexpr Cost kUnreached = UINT64_MAX;

struct LeastCostPaths {
  std::vector<Cost> cost;                          // kUnreached where no path was allowed
  std::vector<std::optional<std::uint32_t>> via;   // the last edge of a least-cost path
};

/// Dijkstra from `sources` (each with its starting cost), following only edges into states
/// that `allowed` accepts. Ties keep the first path found, in edge order, so results are
/// deterministic.
template <class Event, class EdgeCost, class Allowed>
LeastCostPaths least_cost_paths(const StateGraph<Event>& g, std::size_t vertices,
                                const std::vector<std::pair<std::uint32_t, Cost>>& sources,
                                EdgeCost edge_cost, Allowed allowed) {
  LeastCostPaths paths;
  paths.cost.assign(vertices, kUnreached);
  paths.via.assign(vertices, std::nullopt);
  using Item = std::pair<Cost, std::uint32_t>;
  std::priority_queue<Item, std::vector<Item>, std::greater<>> queue;
  for (const auto& [v, c] : sources) {
    if (c < paths.cost[v]) {
      paths.cost[v] = c;
      queue.emplace(c, v);
    }
  }
  while (!queue.empty()) {
    const auto [c, v] = queue.top();
    queue.pop();
    if (c != paths.cost[v]) continue;
    g.for_each_out(v, [&](std::uint32_t e, std::uint32_t w) {
      if (!allowed(w)) return;
      const Cost next = c + edge_cost(e);
      if (next < paths.cost[w]) {
        paths.cost[w] = next;
        paths.via[w] = e;
        queue.emplace(next, w);
      }
    });
  }
  return paths;
}

/// The edges of the path ending at `target`, from its source, by following `via` back.
template <class Event>
std::vector<std::uint32_t> path_to(const StateGraph<Event>& g, const LeastCostPaths& paths,
                                   std::uint32_t target) {
  std::vector<std::uint32_t> back;
  for (std::uint32_t at = target; paths.via[at]; at = g.source(*paths.via[at])) back.push_back(*paths.via[at]);
  return {back.rbegin(), back.rend()};
}

}  // namespace wakecheck::explorer
