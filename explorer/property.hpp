// Properties as the explorer sees them: a name, a kind and a condition on states.
//
// The explorer decides each property over the whole reachable state space and keeps, for each
// one decided by a state, the first such state in breadth-first order (so the path to it is a
// shortest one). What a property means for a runtime lives in the layers above.
#pragma once

#include <functional>
#include <string>

namespace wakecheck::explorer {

enum class PropertyKind {
  // `condition` holds in every reachable state; a state where it fails is a counterexample.
  kAlways,
  // `condition` holds in some reachable state; that state is an example.
  kSometimes,
  // `condition` holds in every dead end: a reachable state in which no event is enabled except
  // environment events. A dead end where it fails ends a maximal run that violates it. For a
  // model whose state graph has no cycles this decides "eventually" along every run.
  kAtDeadEnds,
  // `condition` leads to `target`: from every reachable state where `condition` holds, every
  // fair run reaches a state where `target` holds. A run is fair when every event that stays
  // enabled along it is eventually taken (weak fairness by the model's fairness keys;
  // environment events have none and need not happen). A violation is a path to a state where
  // `condition` holds, then either a dead end or a cycle repeated forever, all without `target`.
  // Without `condition` (empty), it is "eventually `target`" from the initial state.
  kLeadsTo,
};

template <class State>
struct Property {
  std::string name;
  PropertyKind kind = PropertyKind::kAlways;
  std::function<bool(const State&)> condition;
  std::function<bool(const State&)> target;  // kLeadsTo only
  // For vacuity: a property whose antecedent never holds in a reachable state passes vacuously
  // (kAlways of "A implies B": A; kLeadsTo: its condition).
  std::function<bool(const State&)> antecedent;
};

}  // namespace wakecheck::explorer
