// Properties as the explorer sees them: a name, a kind and conditions on states (given as their
// bytes: what a condition means for a runtime lives in the layers above).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

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

/// Along one run, whether leads-to property `p` is still owed at `state`, given whether it was
/// owed before (`first`: the run's first state): its target settles it; its condition (or, for
/// "eventually `target`", the run's start) makes it owed. A run that ends owed breaks `p`.
inline bool leads_to_owed(const Property& p, const std::uint8_t* state, bool first, bool owed) {
  if (p.target(state)) return false;
  return owed || (p.condition ? p.condition(state) : first);
}

/// What a state decides by itself, as codes: a property's index, with kAntecedent for its
/// antecedent, kCondition and kTarget for a leads-to property's predicates, kSuspect for a dead
/// end where a leads-to target is false (the analyses decide whether the run reaching it breaks
/// the property), and none of them when the state breaks (or, kSometimes, shows) the property.
namespace decision {
inline constexpr std::uint32_t kAntecedent = 0x80000000U;
inline constexpr std::uint32_t kSuspect = 0x40000000U;
inline constexpr std::uint32_t kCondition = 0x20000000U;
inline constexpr std::uint32_t kTarget = 0x10000000U;
inline constexpr std::uint32_t kFlags = kAntecedent | kSuspect | kCondition | kTarget;
}  // namespace decision

/// Calls emit(code) for each thing `state` decides by itself (`dead_end`: no event but the
/// environment's is enabled there). Suspects are emitted only when `suspects` is set.
template <class Emit>
void state_decisions(const std::vector<Property>& properties, const std::uint8_t* state, bool dead_end, bool suspects,
                     Emit&& emit) {
  for (std::size_t i = 0; i < properties.size(); ++i) {
    const Property& p = properties[i];
    const auto code = static_cast<std::uint32_t>(i);
    if (p.antecedent && p.antecedent(state)) emit(code | decision::kAntecedent);
    if ((p.kind == PropertyKind::kAlways && !p.condition(state)) ||
        (p.kind == PropertyKind::kSometimes && p.condition(state)) ||
        (p.kind == PropertyKind::kAtDeadEnds && dead_end && !p.condition(state))) {
      emit(code);
    }
    if (p.kind == PropertyKind::kLeadsTo) {
      const bool target = p.target(state);
      if (target) emit(code | decision::kTarget);
      if (p.condition && p.condition(state)) emit(code | decision::kCondition);
      if (suspects && dead_end && !target) emit(code | decision::kSuspect);
    }
  }
}

}  // namespace wakecheck::explorer
