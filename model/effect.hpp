// What one step did, as data: one effect per operation or scheduler action, with the ids it
// concerns and its sentence. Reports read effects; they never parse the sentence.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/scenario.hpp"

namespace wakecheck::model {

enum class EffectKind : std::uint8_t {
  kNote,     // a scheduler action, a spawn, a test, an assignment: nothing taken or given
  kAcquire,  // an acquire, a lock, a receive or a notification that completed
  kWait,     // an operation that queued or still waits
  kFail,     // an operation that failed (Err(Closed), try_lock's Err) or a close
  kRelease,  // a guard dropped, an unlock, a slot given back, permits added or forgotten
  kNotify,   // notify_one, notify_waiters
  kWrapper,  // the wrapper answered the poll (swallowed, paused, cancelled) instead of the future
};

/// A choice of the schedule a step made: a timer entry registered or fired, time advancing, the
/// branch an unbiased select! started at. What forcing a trace on real tokio reads
/// (exporters/schedule.hpp).
enum class ScheduleChange : std::uint8_t {
  kSleepSet,      // the task's sleep (a sleep statement, a select!'s sleep, an initializer's) registered
  kSleepFired,    // it fired
  kDeadlineSet,   // a timeout's deadline set
  kDeadlinePassed,
  kAdvance,       // time advanced `ticks` to the earliest timed entry
  kSelectStart,   // an unbiased select! was polled, starting at branch `ticks` (of a lock, or
                  // notified, and a sleep or ready: 0 the lock branch, 1 the other)
};

struct ScheduleNote {
  TaskId task{};
  ScheduleChange change = ScheduleChange::kSleepSet;
  std::uint8_t ticks = 0;  // kAdvance; kSelectStart: the start branch
  bool operator==(const ScheduleNote&) const = default;
};

struct Effect {
  std::string text;                  // the sentence, as the text report prints it
  EffectKind kind = EffectKind::kNote;
  std::string op;                    // the operation's word: "lock", "acquire", "unlock", ...
  std::optional<ResourceId> resource;
  std::optional<TaskId> branch;      // written by a branch (a future inside the task) it names
  std::vector<TaskId> handed_to;     // tasks a permit or a notification was handed to
  std::vector<ScheduleNote> schedule;  // the schedule's choices this effect made
  bool operator==(const Effect&) const = default;
};

const char* to_string(EffectKind kind);

}  // namespace wakecheck::model
