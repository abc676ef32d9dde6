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

#include "explorer/memory.hpp"
#include "explorer/state_graph.hpp"

namespace wakecheck::explorer {

struct Components {
  static constexpr std::uint32_t kOutside = UINT32_MAX;
  StateArray<std::uint32_t> of;  // per state: its component, or kOutside (not in the region)
  std::uint32_t count = 0;
  std::vector<bool> cyclic;  // per component: an edge inside it (so a run can stay in it forever)
};

/// The components of the graph restricted to the states `in` accepts, numbered so that a component
/// comes before every component that reaches it (Tarjan's order).
///
/// Pearce's one-word-per-state form of Tarjan's algorithm ("A space-efficient algorithm for
/// finding strongly connected components", IPL 116, 2016), iterative so that the depth of a run
/// does not reach the call stack, started from every state in id order (the rows are then read
/// nearly in order). A state's word is 0 while unvisited; its visit index while it is open (the
/// index doubles as its low link); once placed, its component counted down from n, so a placed
/// state compares above every open one and an edge to it changes nothing. A state outside the
/// region is marked with the largest value the first time it is met, so `in` is asked once per
/// state.
template <class InRegion>
Components strong_components(const StateGraph& g, std::size_t n, InRegion in) {
  constexpr std::uint32_t kOutside = Components::kOutside;
  Components c;
  StateArray<std::uint32_t>& word = c.of;  // becomes `of` once every state is placed
  word.assign(n, 0);
  // The next component's word, counted down from n: at least the number of open states, so above
  // every open index (n < kOutside).
  auto placed = static_cast<std::uint32_t>(n + 1);
  struct Frame {
    std::uint32_t v, next;  // the state and its next out-edge
    bool root;              // no edge so far reached an open state visited before it
  };
  std::vector<Frame> frames;
  std::vector<std::uint32_t> open;  // visited states that wait for their component's root
  std::uint32_t index = 1;
  auto visit = [&](std::uint32_t v) {
    word[v] = index++;
    frames.push_back(Frame{v, g.first(v), true});
    // The search goes deep from state to state, each waiting for the next one's row: the rows and
    // words of v's targets are asked for now, so that those of the targets visited after the
    // first are at hand when their turn comes.
    g.for_each_out(v, [&](std::uint32_t, std::uint32_t w) {
      __builtin_prefetch(&word[w]);
      g.prefetch_row(w);
    });
  };
  for (std::uint32_t root = 0; root < n; ++root) {
    if (word[root] != 0) continue;
    if (!in(root)) {
      word[root] = kOutside;
      continue;
    }
    visit(root);
    while (!frames.empty()) {
      Frame& f = frames.back();
      const std::uint32_t v = f.v;
      if (f.next < g.end(v)) {
        const std::uint32_t w = g.target(f.next++);
        std::uint32_t& ww = word[w];
        if (ww == 0) {
          if (in(w)) {
            visit(w);
          } else {
            ww = kOutside;
          }
          continue;
        }
        if (ww < word[v]) {
          word[v] = ww;
          f.root = false;
        }
        continue;
      }
      const bool is_root = f.root;
      frames.pop_back();
      if (!is_root) {
        open.push_back(v);
        // The caller takes the lower index: its low link as Tarjan's would.
        Frame& caller = frames.back();
        if (word[v] < word[caller.v]) {
          word[caller.v] = word[v];
          caller.root = false;
        }
        continue;
      }
      // v roots a component: v and the open states visited after it. A component of two or more
      // states holds a cycle; a single state only with a loop.
      const std::uint32_t rank = word[v];
      --placed;
      bool cyclic = false;
      while (!open.empty() && rank <= word[open.back()]) {
        word[open.back()] = placed;
        open.pop_back();
        --index;
        cyclic = true;
      }
      if (!cyclic) g.for_each_out(v, [&](std::uint32_t, std::uint32_t w) { cyclic = cyclic || w == v; });
      word[v] = placed;
      --index;
      c.cyclic.push_back(cyclic);
      ++c.count;
    }
  }
  // Words to components, numbered in the order they were found.
  const auto top = static_cast<std::uint32_t>(n);
  for (std::size_t v = 0; v < n; ++v) {
    if (word[v] != kOutside) word[v] = top - word[v];
  }
  return c;
}

/// The weak fairness of each cyclic component. `keys_of(v)` gives the fairness key of each
/// out-edge of state v in edge order (none: an environment event, which need not happen).
/// `pending_of(v)` gives the keys state v holds pending though their events need not be enabled
/// there (a registered timer: time passes while other work runs); a component demands such a key
/// when every state holds it pending and some state enables its event: a run that comes back to
/// that chance forever and never takes it is not fair.
struct Fairness {
  static constexpr std::uint32_t kNotCyclic = UINT32_MAX;
  std::vector<bool> fair;            // per component
  std::vector<std::uint32_t> slot;   // per component: its index among the cyclic ones
  std::vector<std::vector<std::uint16_t>> keys;  // per cyclic component: keys enabled in all its states
  /// The keys every state of cyclic component `comp` enables (fairness demands them taken).
  const std::vector<std::uint16_t>& demanded(std::uint32_t comp) const { return keys[slot[comp]]; }
};

/// No key is ever pending (models without timers).
struct NothingPending {
  std::vector<std::uint16_t> operator()(std::uint32_t) const { return {}; }
};

template <class KeysOf, class PendingOf = NothingPending>
Fairness weak_fairness(const StateGraph& g, const Components& c, KeysOf keys_of, PendingOf pending_of = {}) {
  Fairness f;
  f.fair.assign(c.count, false);
  // Only cyclic components are judged (most components are single states without a loop): their
  // keys are kept in arrays of their own, by a dense index.
  constexpr std::uint32_t kNotCyclic = Fairness::kNotCyclic;
  std::vector<std::uint32_t>& slot = f.slot;
  slot.assign(c.count, kNotCyclic);
  std::vector<std::uint32_t> cyclic;
  for (std::uint32_t comp = 0; comp < c.count; ++comp) {
    if (!c.cyclic[comp]) continue;
    slot[comp] = static_cast<std::uint32_t>(cyclic.size());
    cyclic.push_back(comp);
  }
  std::vector<bool> seen(cyclic.size(), false);
  std::vector<std::vector<std::uint16_t>> taken(cyclic.size()), always(cyclic.size());
  // Keys pending in every state, and keys enabled in some state, of each cyclic component.
  std::vector<std::vector<std::uint16_t>> always_pending(cyclic.size()), somewhere(cyclic.size());
  auto intersect = [](std::vector<std::uint16_t>& into, const std::vector<std::uint16_t>& with) {
    std::vector<std::uint16_t> both;
    std::set_intersection(into.begin(), into.end(), with.begin(), with.end(), std::back_inserter(both));
    into = std::move(both);
  };
  for (std::uint32_t v = 0; v < c.of.size(); ++v) {
    const std::uint32_t comp = c.of[v];
    if (comp == Components::kOutside || slot[comp] == kNotCyclic) continue;
    const std::uint32_t k_slot = slot[comp];
    const std::vector<std::optional<std::uint16_t>> keys = keys_of(v);
    std::vector<std::uint16_t> enabled;
    std::uint32_t k = 0;
    g.for_each_out(v, [&](std::uint32_t, std::uint32_t w) {
      const auto key = k < keys.size() ? keys[k] : std::nullopt;
      ++k;
      if (!key) return;
      enabled.push_back(*key);
      if (c.of[w] == comp) taken[k_slot].push_back(*key);
    });
    std::sort(enabled.begin(), enabled.end());
    enabled.erase(std::unique(enabled.begin(), enabled.end()), enabled.end());
    std::vector<std::uint16_t> pending = pending_of(v);
    std::sort(pending.begin(), pending.end());
    pending.erase(std::unique(pending.begin(), pending.end()), pending.end());
    somewhere[k_slot].insert(somewhere[k_slot].end(), enabled.begin(), enabled.end());
    if (!seen[k_slot]) {
      always[k_slot] = std::move(enabled);
      always_pending[k_slot] = std::move(pending);
      seen[k_slot] = true;
    } else {
      intersect(always[k_slot], enabled);
      intersect(always_pending[k_slot], pending);
    }
  }
  for (std::uint32_t i = 0; i < cyclic.size(); ++i) {
    auto& t = taken[i];
    std::sort(t.begin(), t.end());
    t.erase(std::unique(t.begin(), t.end()), t.end());
    // Pending in every state and enabled in some: demanded as well.
    auto& some = somewhere[i];
    std::sort(some.begin(), some.end());
    some.erase(std::unique(some.begin(), some.end()), some.end());
    intersect(always_pending[i], some);
    std::vector<std::uint16_t> demanded;
    std::set_union(always[i].begin(), always[i].end(), always_pending[i].begin(), always_pending[i].end(),
                   std::back_inserter(demanded));
    always[i] = std::move(demanded);
    f.fair[cyclic[i]] = std::includes(t.begin(), t.end(), always[i].begin(), always[i].end());
  }
  f.keys = std::move(always);
  return f;
}

}  // namespace wakecheck::explorer
