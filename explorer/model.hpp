// The one interface between the explorer and whatever it explores.
//
// A model is rules; its State is data. The explorer asks a model for the initial state, the events
// enabled in a state (in a deterministic order, so that searches and reports are reproducible)
// and the state an event leads to. It never looks inside a state or an event.
#pragma once

#include <concepts>
#include <vector>

#include "explorer/hash.hpp"

namespace wakecheck::explorer {

template <class M>
concept Model = requires(const M& model, const typename M::State& state,
                         const typename M::Event& event,
                         std::vector<typename M::Event>& events) {
  requires HashableValue<typename M::State>;
  requires HashableValue<typename M::Event>;
  { model.initial_state() } -> std::same_as<typename M::State>;
  // Appends the enabled events to `events` (which the caller clears), in a fixed order.
  { model.enabled_events(state, events) } -> std::same_as<void>;
  { model.next_state(state, event) } -> std::same_as<typename M::State>;
  // Environment events (faults such as an injected pause) may happen but need not: a state
  // whose only enabled events are environment events is a dead end for liveness properties.
  { model.is_environment(event) } -> std::same_as<bool>;
};

}  // namespace wakecheck::explorer
