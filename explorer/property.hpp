// Properties as the explorer sees them: a name, a kind and conditions on states (given as their
// bytes: what a condition means for a runtime lives in the layers above).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace wakecheck::explorer {

enum class PropertyKind {
  // `condition` holds in every reachable state; a state where it fails is a counterexample.
  kAlways,
  // `condition` holds in some reachable state; that state is an example.
  kSometimes,
  // `condition` holds in every dead end: a reachable state in which no event is enabled except
  // environment events. A dead end where it fails ends a maximal run that violates it.
  kAtDeadEnds,
  // `condition` leads to `target`: from every reachable state where `condition` holds, every
  // fair run reaches a state where `target` holds. A run is fair when every event that stays
  // enabled along it is eventually taken (weak fairness by the model's fairness keys;
  // environment events have none and need not happen). A violation is a path to a state where
  // `condition` holds, then either a dead end or a cycle repeated forever, all without `target`.
  // Without `condition` (empty), it is "eventually `target`" from the initial state.
  kLeadsTo,
};

using Predicate = std::function<bool(const std::uint8_t* state)>;

struct Property {
  std::string name;
  PropertyKind kind = PropertyKind::kAlways;
  Predicate condition;
  Predicate target;  // kLeadsTo only
  // For vacuity: a property whose antecedent never holds in a reachable state passes vacuously
  // (kAlways of "A implies B": A; kLeadsTo: its condition).
  Predicate antecedent;
};

}  // namespace wakecheck::explorer
