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

struct Effect {
  std::string text;                  // the sentence, as the text report prints it
  EffectKind kind = EffectKind::kNote;
  std::string op;                    // the operation's word: "lock", "acquire", "unlock", ...
  std::optional<ResourceId> resource;
  std::optional<TaskId> branch;      // written by a branch (a future inside the task) it names
  std::vector<TaskId> handed_to;     // tasks a permit or a notification was handed to
  bool operator==(const Effect&) const = default;
};

const char* to_string(EffectKind kind);

}  // namespace wakecheck::model
