// Stepping a TokioModel through its single enabled scheduler event at a time (current_thread is
// deterministic without faults), recording polls and the order in which tasks finish. Include
// after the STL and project headers and after <CppUTest/TestHarness.h> (it asserts).
#pragma once

#include <string>
#include <vector>

#include "model/tokio_model.hpp"

namespace wakecheck::testing {

class Runner {
 public:
  using Event = model::Event;
  using State = model::State;
  using TaskId = model::TaskId;

  explicit Runner(const model::TokioModel& model) : model_(model), state_(model.initial_state()) {}

  const State& state() const { return state_; }
  const std::vector<TaskId>& polls() const { return polls_; }
  const std::vector<TaskId>& finish_order() const { return finish_order_; }

  std::vector<Event> enabled() const {
    std::vector<Event> events;
    model_.enabled_events(state_, events);
    return events;
  }

  /// The enabled scheduler events (environment faults left out).
  std::vector<Event> scheduler_events() const {
    std::vector<Event> events;
    for (const Event& e : enabled()) {
      if (!model_.is_environment(e)) events.push_back(e);
    }
    return events;
  }

  /// Applies `e`, which must be enabled (environment faults included).
  void apply(const Event& e) {
    bool found = false;
    for (const Event& candidate : enabled()) found = found || candidate == e;
    CHECK_TEXT(found, ("not enabled: " + model_.describe(e)).c_str());
    const State before = state_;
    state_ = model_.next_state(state_, e);
    if (e.kind == model::EventKind::kPoll) polls_.push_back(e.task);
    for (std::size_t i = 0; i < model_.scenario().tasks.size(); ++i) {
      if (!before.tasks(i).finished() && state_.tasks(i).finished())
        finish_order_.push_back(model::task_at(i));
    }
  }

  /// Applies the single enabled scheduler event; false when there is none (a dead end).
  bool step() {
    const std::vector<Event> scheduler = scheduler_events();
    if (scheduler.empty()) return false;
    UNSIGNED_LONGS_EQUAL(1, scheduler.size());
    apply(scheduler.front());
    return true;
  }

  /// Runs to the dead end.
  void run() {
    for (int i = 0; i < 10'000; ++i) {
      if (!step()) return;
    }
    FAIL("the run did not reach a dead end within 10000 steps");
  }

  /// Runs until `done(state)` holds (checked before each step); fails if the run ends first.
  template <class Pred>
  void run_until(Pred done) {
    for (int i = 0; i < 10'000; ++i) {
      if (done(state_)) return;
      if (!step()) FAIL("the run ended before the awaited state");
    }
    FAIL("the awaited state was not reached within 10000 steps");
  }

  /// Runs until `t` has been polled `n` times since the start (run_until).
  void run_until_polled(TaskId t, std::size_t n) {
    run_until([&](const State&) { return polls_of(t) == n; });
  }

  std::size_t polls_of(TaskId t) const {
    std::size_t n = 0;
    for (TaskId p : polls_) n += p == t ? 1 : 0;
    return n;
  }

 private:
  const model::TokioModel& model_;
  State state_;
  std::vector<TaskId> polls_;
  std::vector<TaskId> finish_order_;
};

}  // namespace wakecheck::testing
