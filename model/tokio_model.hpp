// The rules: how each event changes a State, following tokio 1.24.2 as read in
// ../shared/tokio-semantics.md. Satisfies explorer::Model.
#pragma once

#include <string>
#include <vector>

#include "model/event.hpp"
#include "model/scenario.hpp"
#include "model/state.hpp"

namespace wakecheck::model {

class TokioModel {
 public:
  using State = model::State;
  using Event = model::Event;

  /// Precondition: the scenario is within the limits of limits.hpp (the loader checks them).
  explicit TokioModel(Scenario scenario);

  const Scenario& scenario() const { return scenario_; }

  State initial_state() const;
  void enabled_events(const State& state, std::vector<Event>& events) const;
  State next_state(const State& state, const Event& event) const;
  bool is_environment(const Event& event) const { return is_fault(event.kind); }
  std::optional<std::uint16_t> fairness(const Event& event) const { return fairness_key(event); }

  /// The same step as next_state, told as lines of a log ("main: unlock m -> permit assigned to
  /// worker1 (oldest waiter); wake worker1 scheduled"). Used by reports, never by the search.
  State narrate(const State& state, const Event& event, std::vector<std::string>& lines) const;

  /// The event in the words of a report: "poll worker1", "wake worker1", "park".
  std::string describe(const Event& event) const;
  /// The name of the task an event concerns (for pause and resume: the future's task).
  std::optional<std::string> task_of(const Event& event) const;

 private:
  Scenario scenario_;
};

/// What a modelling error means, in words.
const char* to_string(Failure failure);

}  // namespace wakecheck::model
