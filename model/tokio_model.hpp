// The tokio model: the events enabled in a state and the state each leads to, following tokio
// 1.24.2 as docs/tokio-model.md tells it. Satisfies explorer::Model: states are runs of bytes laid
// out by the scenario (model/layout.hpp), stepped in place without allocating.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model/effect.hpp"
#include "model/event.hpp"
#include "model/features.hpp"
#include "model/scenario.hpp"
#include "model/state.hpp"
#include "model/symmetry.hpp"

namespace wakecheck::model {

class TokioModel {
 public:
  using Event = model::Event;

  /// Precondition: the scenario is within the limits of limits.hpp (the loader checks them).
  explicit TokioModel(Scenario scenario);

  const Scenario& scenario() const { return scenario_; }
  const Features& features() const { return *features_; }
  const StateLayout& layout() const { return *layout_; }
  const std::shared_ptr<const StateLayout>& shared_layout() const { return layout_; }

  // --- explorer::Model: states as bytes --------------------------------------------------------
  std::size_t state_bytes() const { return layout_->bytes; }
  /// Bits each byte of a state can need (a stored state keeps only those).
  const std::vector<std::uint8_t>& state_widths() const { return layout_->widths; }
  void initial(std::uint8_t* out) const;
  /// Appends the enabled events to `events` (which the caller clears), in a fixed order.
  void enabled(const std::uint8_t* state, std::vector<Event>& events) const;
  /// Writes the state `event` leads to from `from` into `to` (a buffer of state_bytes()).
  void step(const std::uint8_t* from, const Event& event, std::uint8_t* to) const;
  bool is_environment(const Event& event) const { return is_fault(event.kind); }
  std::optional<std::uint16_t> fairness(const Event& event) const { return fairness_key(event); }
  /// The task an event belongs to (random schedules give priorities by task); none for faults.
  std::optional<std::uint16_t> process(const Event& event) const {
    if (is_fault(event.kind)) return std::nullopt;
    return static_cast<std::uint16_t>(event.task);
  }
  /// The fairness keys a state holds pending: each registered timer's, which fires eventually
  /// although the runtime lets timers fire only when it would otherwise park.
  void pending_fairness(const std::uint8_t* state, std::vector<std::uint16_t>& keys) const;
  /// Symmetry: the copies of each task group that the scenario treats alike (model/symmetry.hpp);
  /// none unless given with with_symmetry().
  const Symmetry& symmetry() const { return symmetry_; }
  bool has_symmetry() const { return !symmetry_.empty(); }
  /// Puts `state` in canonical form under the symmetry (a no-op without symmetric copies).
  void canonicalize(std::uint8_t* state) const { symmetry_.canonicalize(scenario_, StateRef(state, layout_.get())); }
  /// The same for a successor of `parent`, a state in canonical form: faster, same result.
  void canonicalize_successor(const std::uint8_t* parent, std::uint8_t* state) const {
    symmetry_.canonicalize(scenario_, StateRef(state, layout_.get()), parent);
  }
  /// The same model with `symmetry` (the copies the checked properties allow to treat as one).
  TokioModel with_symmetry(Symmetry symmetry) const {
    TokioModel copy = *this;
    copy.symmetry_ = std::move(symmetry);
    copy.symmetry_.bind(*layout_);
    // Events on a copy equal to an earlier one lead to the same states up to renaming: only the
    // first copy's are offered (where no task points at another's slots, which renaming would
    // change).
    copy.twin_events_ = !copy.symmetry_.empty() && !features_->hands && !features_->blocks;
    return copy;
  }
  StateView view(const std::uint8_t* bytes) const { return {bytes, layout_.get()}; }

  // --- the same, on owning states (tests and reports) ------------------------------------------
  State initial_state() const;
  std::vector<Event> enabled_events(const State& state) const;
  void enabled_events(StateView state, std::vector<Event>& events) const { enabled(state.bytes(), events); }
  State next_state(const State& state, const Event& event) const;

  /// The same step as next_state, told as effects ("main: unlock m -> permit assigned to worker1
  /// (oldest waiter); wake worker1 issued"). Used to build traces, never by the search.
  State narrate(const State& state, const Event& event, std::vector<Effect>& effects) const;

  /// The event in the words of a report: "poll worker1", "wake worker1", "park".
  std::string describe(const Event& event) const;
  /// The name of the task an event concerns (for pause and resume: the future's task).
  std::optional<std::string> task_of(const Event& event) const;
  /// The task an event concerns (for pause and resume: the future's task); none for a park.
  std::optional<TaskId> task_id_of(const Event& event) const;

 private:
  Scenario scenario_;
  std::shared_ptr<const Features> features_;
  std::shared_ptr<const StateLayout> layout_;
  Symmetry symmetry_;
  bool twin_events_ = false;

  void drop_twin_events(StateView s, std::vector<Event>& events) const;
};

}  // namespace wakecheck::model
