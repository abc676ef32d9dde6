// Strongly connected components of the explored state graph and their weak fairness: the one
// implementation behind liveness (explorer/liveness.hpp) and the hang verdict of exporters.
//
// An infinite run eventually stays inside one component. Under weak fairness it is fair when every
// event key enabled in every state of the component is taken by some edge inside; deciding it on
// maximal components is enough, since a sub-component has no more edges and no fewer demands.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "explorer/state_graph.hpp"

namespace wakecheck::explorer {

struct Components {
  static constexpr std::uint32_t kOutside = UINT32_MAX;
  std::vector<std::uint32_t> of;  // per state: its component, or kOutside (not in the region)
  std::uint32_t count = 0;
  std::vector<bool> cyclic;  // per component: an edge inside it (so a run can stay in it forever)
};

/// The components of the graph restricted to the states `in` accepts, found from `roots` in order
/// (Tarjan's algorithm, iterative: the depth of a run does not reach the call stack).
template <class InRegion>
Components strong_components(const StateGraph& g, std::size_t n, const std::vector<std::uint32_t>& roots,
                             InRegion in) {
  constexpr std::uint32_t kUnset = UINT32_MAX;
  Components c;
  c.of.assign(n, Components::kOutside);
  std::vector<std::uint32_t> number(n, kUnset), low(n, 0);
  std::vector<std::uint32_t> stack;
  std::vector<bool> on_stack(n, false);
  std::vector<std::pair<std::uint32_t, std::uint32_t>> frames;  // a state and its next out-edge
  std::uint32_t counter = 0;
  for (const std::uint32_t root : roots) {
    if (!in(root) || number[root] != kUnset) continue;
    number[root] = low[root] = counter++;
    stack.push_back(root);
    on_stack[root] = true;
    frames.emplace_back(root, g.first(root));
    while (!frames.empty()) {
      auto& [v, e] = frames.back();
      if (e < g.end(v)) {
        const std::uint32_t w = g.target(e++);
        if (!in(w)) continue;
        if (number[w] == kUnset) {
          number[w] = low[w] = counter++;
          stack.push_back(w);
          on_stack[w] = true;
          frames.emplace_back(w, g.first(w));
        } else if (on_stack[w]) {
          low[v] = std::min(low[v], number[w]);
        }
        continue;
      }
      const std::uint32_t done = v;
      frames.pop_back();
      if (!frames.empty()) low[frames.back().first] = std::min(low[frames.back().first], low[done]);
      if (low[done] != number[done]) continue;
      std::uint32_t w;
      do {
        w = stack.back();
        stack.pop_back();
        on_stack[w] = false;
        c.of[w] = c.count;
      } while (w != done);
      ++c.count;
    }
  }
  c.cyclic.assign(c.count, false);
  for (std::uint32_t v = 0; v < n; ++v) {
    if (c.of[v] == Components::kOutside) continue;
    g.for_each_out(v, [&](std::uint32_t, std::uint32_t w) {
      if (c.of[w] == c.of[v]) c.cyclic[c.of[v]] = true;
    });
  }
  return c;
}

/// The weak fairness of each cyclic component. `keys_of(v)` gives the fairness key of each
/// out-edge of state v in edge order (none: an environment event, which need not happen).
struct Fairness {
  std::vector<bool> fair;                          // per component
  std::vector<std::vector<std::uint16_t>> demanded;  // per component: keys enabled in all its states
};

template <class KeysOf>
Fairness weak_fairness(const StateGraph& g, const Components& c, KeysOf keys_of) {
  Fairness f;
  f.fair.assign(c.count, false);
  f.demanded.assign(c.count, {});
  std::vector<bool> seen(c.count, false);
  std::vector<std::vector<std::uint16_t>> taken(c.count);
  for (std::uint32_t v = 0; v < c.of.size(); ++v) {
    const std::uint32_t comp = c.of[v];
    if (comp == Components::kOutside || !c.cyclic[comp]) continue;
    const std::vector<std::optional<std::uint16_t>> keys = keys_of(v);
    std::vector<std::uint16_t> enabled;
    std::uint32_t k = 0;
    g.for_each_out(v, [&](std::uint32_t, std::uint32_t w) {
      const auto key = k < keys.size() ? keys[k] : std::nullopt;
      ++k;
      if (!key) return;
      enabled.push_back(*key);
      if (c.of[w] == comp) taken[comp].push_back(*key);
    });
    std::sort(enabled.begin(), enabled.end());
    enabled.erase(std::unique(enabled.begin(), enabled.end()), enabled.end());
    if (!seen[comp]) {
      f.demanded[comp] = std::move(enabled);
      seen[comp] = true;
    } else {
      std::vector<std::uint16_t> both;
      std::set_intersection(f.demanded[comp].begin(), f.demanded[comp].end(), enabled.begin(), enabled.end(),
                            std::back_inserter(both));
      f.demanded[comp] = std::move(both);
    }
  }
  for (std::uint32_t comp = 0; comp < c.count; ++comp) {
    if (!c.cyclic[comp]) continue;
    auto& t = taken[comp];
    std::sort(t.begin(), t.end());
    t.erase(std::unique(t.begin(), t.end()), t.end());
    f.fair[comp] = std::includes(t.begin(), t.end(), f.demanded[comp].begin(), f.demanded[comp].end());
  }
  return f;
}

}  // namespace wakecheck::explorer
