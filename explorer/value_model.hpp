// A model whose states are plain values (a struct of bytes with no padding), as the explorer's
// byte interface wants them: every byte of the value is kept whole. For small models, toys and
// tests; a model that knows the bits its bytes need (model::TokioModel) says so itself.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <utility>
#include <vector>

#include "explorer/hash.hpp"
#include "explorer/property.hpp"

namespace wakecheck::explorer {

/// Rules over value states: `initial_state()`, `enabled_events(state, events)`,
/// `next_state(state, event)`, `is_environment(event)`, and optionally `fairness(event)`.
template <class V>
concept ValueRules = requires(const V& rules, const typename V::State& state, const typename V::Event& event,
                              std::vector<typename V::Event>& events) {
  requires HashableValue<typename V::State>;
  requires HashableValue<typename V::Event>;
  { rules.initial_state() } -> std::same_as<typename V::State>;
  { rules.enabled_events(state, events) } -> std::same_as<void>;
  { rules.next_state(state, event) } -> std::same_as<typename V::State>;
  { rules.is_environment(event) } -> std::same_as<bool>;
};

template <ValueRules V>
class ValueModel {
 public:
  using State = typename V::State;
  using Event = typename V::Event;

  explicit ValueModel(V rules = {}) : rules_(std::move(rules)), widths_(state_bytes(), 0) {
    for (std::size_t i = 0; i < sizeof(State); ++i) widths_[i] = 8;
  }

  const V& rules() const { return rules_; }
  std::size_t state_bytes() const { return (sizeof(State) + 7) / 8 * 8; }
  const std::vector<std::uint8_t>& state_widths() const { return widths_; }
  void initial(std::uint8_t* out) const { write(rules_.initial_state(), out); }
  void enabled(const std::uint8_t* state, std::vector<Event>& events) const {
    rules_.enabled_events(read(state), events);
  }
  void step(const std::uint8_t* from, const Event& event, std::uint8_t* to) const {
    write(rules_.next_state(read(from), event), to);
  }
  bool is_environment(const Event& event) const { return rules_.is_environment(event); }
  std::optional<std::uint16_t> fairness(const Event& event) const
    requires requires(const V& r, const Event& e) { r.fairness(e); }
  {
    return rules_.fairness(event);
  }

  static State read(const std::uint8_t* bytes) {
    State s;
    std::memcpy(&s, bytes, sizeof s);
    return s;
  }
  void write(const State& s, std::uint8_t* bytes) const {
    std::memset(bytes, 0, state_bytes());
    std::memcpy(bytes, &s, sizeof s);
  }

 private:
  V rules_;
  std::vector<std::uint8_t> widths_;
};

/// A condition on value states as the explorer's predicate on bytes.
template <class State, class F>
Predicate on_values(F condition) {
  return [condition = std::move(condition)](const std::uint8_t* bytes) {
    State s;
    std::memcpy(&s, bytes, sizeof s);
    return condition(s);
  };
}

}  // namespace wakecheck::explorer
