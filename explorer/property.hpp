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
};

template <class State>
struct Property {
  std::string name;
  PropertyKind kind = PropertyKind::kAlways;
  std::function<bool(const State&)> condition;
};

}  // namespace wakecheck::explorer
