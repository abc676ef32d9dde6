// The one interface between the explorer and whatever it explores.
//
// A model is rules; its states are data: runs of state_bytes() bytes that the model lays out as
// it likes, stepped in place. The explorer asks a model for the initial state, the events enabled
// in a state (in a deterministic order, so that searches and reports are reproducible) and the
// state an event leads to; it stores a state packed to the bits each byte needs (state_widths())
// and never looks inside a state or an event.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "explorer/hash.hpp"

namespace wakecheck::explorer {

template <class M>
concept Model = requires(const M& model, const std::uint8_t* from, std::uint8_t* to,
                         const typename M::Event& event, std::vector<typename M::Event>& events) {
  requires HashableValue<typename M::Event>;
  // Bytes of a state (a multiple of 8), and the bits each of them can need (0 to 8).
  { model.state_bytes() } -> std::convertible_to<std::size_t>;
  { model.state_widths() } -> std::convertible_to<const std::vector<std::uint8_t>&>;
  { model.initial(to) } -> std::same_as<void>;
  // Appends the enabled events to `events` (which the caller clears), in a fixed order.
  { model.enabled(from, events) } -> std::same_as<void>;
  // Writes the state `event` leads to from `from` into `to`.
  { model.step(from, event, to) } -> std::same_as<void>;
  // Environment events (faults such as an injected pause) may happen but need not: a state whose
  // only enabled events are environment events is a dead end for liveness properties.
  { model.is_environment(event) } -> std::same_as<bool>;
};

/// A model with weak-fairness keys of its own (`fairness(event)`); otherwise every
/// non-environment event shares one key and environment events have none.
template <class M>
std::optional<std::uint16_t> fairness_of(const M& model, const typename M::Event& event) {
  if constexpr (requires { model.fairness(event); }) {
    return model.fairness(event);
  } else {
    if (model.is_environment(event)) return std::nullopt;
    return std::uint16_t{0};
  }
}

/// A model whose states hold keys pending (`pending_fairness(state, out)`): keys whose events
/// may not be enabled now but will be again, such as a registered timer's, which fairness
/// demands taken in a cycle that keeps them pending and enables them somewhere. None otherwise.
template <class M>
void pending_fairness_of(const M& model, const std::uint8_t* state, std::vector<std::uint16_t>& out) {
  if constexpr (requires { model.pending_fairness(state, out); }) model.pending_fairness(state, out);
}

/// A model with symmetry: `canonicalize(state)` maps a state to the representative of its orbit
/// under the permutations the model declares harmless (renaming identical processes). A model may
/// also offer `canonicalize_successor(parent, state)`, for a state one step from `parent` (itself
/// canonical): the same result, reusing what it worked out for the parent.
template <class M>
concept SymmetricModel = Model<M> && requires(const M& model, std::uint8_t* state) {
  { model.canonicalize(state) } -> std::same_as<void>;
  { model.has_symmetry() } -> std::same_as<bool>;
};

}  // namespace wakecheck::explorer
