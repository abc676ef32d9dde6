// Least-cost paths over the explored state graph, for counterexamples that are fault-minimal
// first and shortest second: an edge costs one step, plus one fault if it is an environment event,
// and costs compare faults first (kFault outweighs any number of steps).
//
// Costs take few distinct values (faults times depth), so the queue is a set of buckets, one per
// cost, each taken whole in ascending order and its states in ascending id: the same order, and so
// the same paths, as Dijkstra's algorithm with (cost, id) priorities, without a heap of the graph.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "explorer/memory.hpp"
#include "explorer/state_graph.hpp"

namespace wakecheck::explorer {

using Cost = std::uint64_t;
inline constexpr Cost kFault = Cost{1} << 32;
inline constexpr Cost kUnreached = UINT64_MAX;
inline constexpr std::uint32_t kNoEdge = UINT32_MAX;

inline Cost edge_cost(const StateGraph& g, std::uint32_t e) { return g.environment(e) ? kFault + 1 : 1; }

struct LeastCostPaths {
  StateArray<Cost> cost;            // kUnreached where no path was allowed
  StateArray<std::uint32_t> via;    // the last edge of a least-cost path, or kNoEdge
};

/// Sorts ids ascending: by radix (two passes of 16 bits) when there are many, else by comparison.
inline void sort_ids(std::vector<std::uint32_t>& ids) {
  if (ids.size() < 1024) {
    std::sort(ids.begin(), ids.end());
    return;
  }
  std::vector<std::uint32_t> other(ids.size());
  std::vector<std::uint32_t> count(std::size_t{1} << 16);
  for (const unsigned shift : {0U, 16U}) {
    std::fill(count.begin(), count.end(), 0U);
    for (const std::uint32_t id : ids) ++count[(id >> shift) & 0xFFFFU];
    std::uint32_t at = 0;
    for (auto& c : count) {
      const std::uint32_t n = c;
      c = at;
      at += n;
    }
    for (const std::uint32_t id : ids) other[count[(id >> shift) & 0xFFFFU]++] = id;
    ids.swap(other);
  }
}

/// Least-cost paths from `sources` (each with its starting cost), following only edges into states
/// that `allowed` accepts. Ties keep the first path found, in edge order.
template <class Allowed>
LeastCostPaths least_cost_paths(const StateGraph& g, std::size_t vertices,
                                const std::vector<std::pair<std::uint32_t, Cost>>& sources, Allowed allowed) {
  LeastCostPaths paths;
  paths.cost.assign(vertices, kUnreached);
  paths.via.assign(vertices, kNoEdge);
  std::map<Cost, std::vector<std::uint32_t>> buckets;
  for (const auto& [v, c] : sources) {
    if (c < paths.cost[v]) {
      paths.cost[v] = c;
      buckets[c].push_back(v);
    }
  }
  while (!buckets.empty()) {
    auto first = buckets.begin();
    const Cost c = first->first;
    std::vector<std::uint32_t> bucket = std::move(first->second);
    buckets.erase(first);
    sort_ids(bucket);
    // An edge costs one step or one fault and one step: the two buckets it can feed, found once.
    std::vector<std::uint32_t>* step_bucket = nullptr;
    std::vector<std::uint32_t>* fault_bucket = nullptr;
    constexpr std::size_t kAhead = 8;  // the costs of the targets of the state this far ahead are prefetched
    for (std::size_t i = 0; i < bucket.size(); ++i) {
      if (i + kAhead < bucket.size()) {
        g.for_each_out(bucket[i + kAhead], [&](std::uint32_t, std::uint32_t w) { __builtin_prefetch(&paths.cost[w]); });
      }
      const std::uint32_t v = bucket[i];
      if (paths.cost[v] != c) continue;  // reached more cheaply since it was queued
      g.for_each_out(v, [&](std::uint32_t e, std::uint32_t w) {
        if (!allowed(w)) return;
        const Cost next = c + edge_cost(g, e);
        const bool fault = next != c + 1;
        if (next < paths.cost[w]) {
          paths.cost[w] = next;
          paths.via[w] = e;
          std::vector<std::uint32_t>*& into = fault ? fault_bucket : step_bucket;
          if (into == nullptr) into = &buckets[next];
          into->push_back(w);
        }
      });
    }
  }
  return paths;
}

/// The edges of the path ending at `target`, from its source, by following `via` back.
inline std::vector<std::uint32_t> path_to(const StateGraph& g, const LeastCostPaths& paths, std::uint32_t target) {
  std::vector<std::uint32_t> back;
  for (std::uint32_t at = target; paths.via[at] != kNoEdge; at = g.source(paths.via[at])) back.push_back(paths.via[at]);
  return {back.rbegin(), back.rend()};
}

}  // namespace wakecheck::explorer
