// The explored state graph, kept when a liveness property needs it: every transition, as a
// Boost compressed sparse row graph (two flat arrays) plus the event of each edge.
#pragma once

#include <boost/graph/compressed_sparse_row_graph.hpp>
#include <cstdint>
#include <utility>
#include <vector>

#include "explorer/state_store.hpp"

namespace wakecheck::explorer {

using CsrGraph = boost::compressed_sparse_row_graph<boost::directedS, boost::no_property,
                                                    boost::no_property, boost::no_property,
                                                    std::uint32_t, std::uint32_t>;

/// Edges are recorded during the search in the order states are expanded, which is ascending
/// source order for the breadth-first frontier: exactly what the CSR constructor wants.
template <class Event>
class StateGraph {
 public:
  void add(StateId source, StateId target, const Event& event) {
    edges_.emplace_back(index_of(source), index_of(target));
    events_.push_back(event);
  }

  /// Builds the CSR graph over `vertices` states; call once, after the search.
  void finish(std::size_t vertices) {
    graph_ = CsrGraph(boost::edges_are_sorted, edges_.begin(), edges_.end(),
                      static_cast<std::uint32_t>(vertices));
    // The CSR keeps edges in input order, so edge i of the graph is edges_[i] and events_[i].
    sources_.reserve(edges_.size());
    targets_.reserve(edges_.size());
    for (const auto& edge : edges_) {
      sources_.push_back(edge.first);
      targets_.push_back(edge.second);
    }
    edges_.clear();
    edges_.shrink_to_fit();
  }

  std::uint32_t source(std::uint32_t edge) const { return sources_[edge]; }
  std::uint32_t target(std::uint32_t edge) const { return targets_[edge]; }

  const CsrGraph& graph() const { return graph_; }
  const Event& event(std::uint32_t edge) const { return events_[edge]; }
  std::size_t edge_count() const { return events_.size(); }

  /// Calls f(edge index, target) for each out-edge of `v`.
  template <class F>
  void for_each_out(std::uint32_t v, F&& f) const {
    for (auto [it, end] = boost::out_edges(v, graph_); it != end; ++it) {
      f(static_cast<std::uint32_t>(boost::get(boost::edge_index, graph_, *it)),
        static_cast<std::uint32_t>(boost::target(*it, graph_)));
    }
  }

 private:
  std::vector<std::pair<std::uint32_t, std::uint32_t>> edges_;
  std::vector<Event> events_;
  std::vector<std::uint32_t> sources_;
  std::vector<std::uint32_t> targets_;
  CsrGraph graph_;
};

}  // namespace wakecheck::explorer
