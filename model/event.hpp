// The events the explorer interleaves.
#pragma once

#include <cstdint>
#include <optional>
#include <type_traits>

#include "model/scenario.hpp"

namespace wakecheck::model {

enum class EventKind : std::uint8_t {
  kPoll,    // the scheduler polls a task: its program runs until an await is Pending
  kWake,    // a wake issued earlier (by a release, a park, a resume) reaches the task
  kPark,    // current_thread: the run queue is empty; deferred wakes are issued
  kTimer,   // a pending timer fires and schedules its task
  kDeadline,  // a timeout's deadline passes and schedules its task
  kPause,   // environment fault: the task's pause flag is set
  kResume,  // environment fault: the flag is cleared and the task woken
  kDrop,    // environment fault: the task's inner future is dropped
  kSpuriousWake,  // environment fault: the task is woken for no reason
  kCoopYield,     // environment fault: the task's coop budget runs out before its next acquire
  kPollSleepFirst,  // a poll of the task whose unbiased select! starts at its sleep branch
                    // (tokio picks the start branch at random each poll)
};

struct Event {
  EventKind kind = EventKind::kPoll;
  TaskId task{};  // for kPause and kResume: the index of the future (a task's own future has
                  // the task's index)
  // kPoll: the branch the unbiased select!s of many branches that this poll polls start at
  // (tokio picks one at random for each select! on every poll; the checker explores each start,
  // shared by the select!s one poll runs).
  std::uint8_t start = 0;
  bool operator==(const Event&) const = default;
};

static_assert(std::has_unique_object_representations_v<Event>);

const char* to_string(EventKind kind);
/// kPoll, or kPollSleepFirst: the scheduler polls the task.
inline bool is_poll(EventKind kind) { return kind == EventKind::kPoll || kind == EventKind::kPollSleepFirst; }
bool is_fault(EventKind kind);
/// Events the scheduler owes under weak fairness share a key: a task that stays runnable is
/// eventually polled, an issued wake is eventually delivered, a pending timer eventually fires.
/// Faults have none: they may happen or not.
std::optional<std::uint16_t> fairness_key(const Event& event);

}  // namespace wakecheck::model
