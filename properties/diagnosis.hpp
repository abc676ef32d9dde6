// Why a counterexample is stuck, in the words of the domain: its cause, the decisive steps, and
// what Coffman's analysis says about it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model/scenario.hpp"
#include "model/state.hpp"

namespace wakecheck::properties {

struct TraceData;

enum class Cause {
  kNone,                  // nothing is stuck in the final state (e.g. a safety violation)
  kCircularWait,          // a true deadlock: a cycle in the wait-for graph
  kStrandedPermit,        // a permit owned by a future that will never be polled again
  kHeldByStalledFuture,   // a guard or permit held by a future that will never be polled again
  kStrandedNotification,  // a Notify notification handed to a future that will never be polled
  kChannelHeldOpen,       // a receiver waits on an empty channel a stalled task's Sender keeps open
  kLostWakeup,            // a waiter that nobody left can wake
  kStarvation,            // a fair cycle in which a waiting task never gets through
  kBlockedThread,         // a thread blocked in a blocking call that a task it would run waits for
  kModelError,            // the scenario left the model (std mutex across an await, ...)
};

struct Diagnosis {
  Cause cause = Cause::kNone;
  std::string summary;               // one sentence
  std::vector<std::string> details;  // more sentences
  std::string coffman;               // which Coffman conditions hold where the trace ends
  // The decisive steps (1-based): the release that handed the permit (or notification) over,
  // and the poll whose wake the wrapper swallowed.
  std::optional<std::size_t> handover_step;
  std::optional<std::size_t> swallowed_step;
  // Each decisive step's sentence among the details ("step 12 handed the permit to ..."), if any.
  std::string handover_why;
  std::string swallowed_why;
  std::vector<std::string> cycle;  // kCircularWait: the tasks, in wait-for order
};

/// The diagnosis of `trace`, whose states are `states` (the initial one first, then the state
/// after each step).
Diagnosis diagnose(const model::Scenario& sc, const std::vector<model::State>& states,
                   const TraceData& trace);

const char* to_string(Cause cause);

}  // namespace wakecheck::properties
