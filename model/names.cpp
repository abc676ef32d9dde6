#include "model/event.hpp"
#include "model/scenario.hpp"

namespace wakecheck::model {

const char* to_string(OpKind kind) {
  switch (kind) {
    case OpKind::kLock: return "lock";
    case OpKind::kUnlock: return "unlock";
    case OpKind::kTryLock: return "try_lock";
    case OpKind::kSleep: return "sleep";
    case OpKind::kYieldNow: return "yield_now";
    case OpKind::kSpawn: return "spawn";
    case OpKind::kJoin: return "join";
    case OpKind::kPause: return "pause";
    case OpKind::kResume: return "resume";
    case OpKind::kDrop: return "drop";
    case OpKind::kAbort: return "abort";
  }
  return "?";
}

const char* to_string(Wrapper wrapper) {
  switch (wrapper) {
    case Wrapper::kNone: return "none";
    case Wrapper::kPausable: return "pausable";
    case Wrapper::kDropOnPause: return "drop_on_pause";
  }
  return "?";
}

const char* to_string(Flavor flavor) {
  switch (flavor) {
    case Flavor::kCurrentThread: return "current_thread";
    case Flavor::kMultiThread: return "multi_thread";
  }
  return "?";
}

const char* to_string(FaultKind kind) {
  switch (kind) {
    case FaultKind::kPause: return "pause";
    case FaultKind::kResume: return "resume";
    case FaultKind::kDrop: return "drop";
  }
  return "?";
}

const char* to_string(EventKind kind) {
  switch (kind) {
    case EventKind::kPoll: return "poll";
    case EventKind::kWake: return "wake";
    case EventKind::kPark: return "park";
    case EventKind::kTimer: return "timer";
    case EventKind::kPause: return "pause";
    case EventKind::kResume: return "resume";
    case EventKind::kDrop: return "drop";
  }
  return "?";
}

bool is_fault(EventKind kind) {
  return kind == EventKind::kPause || kind == EventKind::kResume || kind == EventKind::kDrop;
}

}  // namespace wakecheck::model
