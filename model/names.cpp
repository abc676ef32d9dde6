#include <algorithm>

#include "model/effect.hpp"
#include "model/event.hpp"
#include "model/scenario.hpp"

namespace wakecheck::model {

bool awaits(OpKind kind) {
  switch (kind) {
    case OpKind::kLock:
    case OpKind::kSleep:
    case OpKind::kYieldNow:
    case OpKind::kJoin:
    case OpKind::kNotified:
    case OpKind::kSend:
    case OpKind::kRecv:
    case OpKind::kChanged:
    case OpKind::kGetOrInit:
    case OpKind::kSelect:
    case OpKind::kAwaitHanded:
    case OpKind::kSelectBranches:
    case OpKind::kAwaitBranch:
    case OpKind::kAwaitShared:
      return true;
    default:
      return false;
  }
}

std::vector<std::size_t> await_points(const Scenario& scenario, std::size_t task,
                                      std::optional<std::size_t> future) {
  const auto& program = scenario.tasks[task].program;
  std::vector<std::size_t> points;
  std::optional<std::size_t> region;  // the nested future the pc is in
  for (std::size_t pc = 0; pc < program.size(); ++pc) {
    const Op& op = program[pc];
    if (op.kind == OpKind::kWrapBegin) region = op.a;
    if (op.kind == OpKind::kWrapEnd) region.reset();
    if (!awaits(op.kind)) continue;
    if (!future || region == future) points.push_back(pc);
  }
  return points;
}

const char* to_string(OpKind kind) {
  switch (kind) {
    case OpKind::kLock: return "lock";
    case OpKind::kSleep: return "sleep";
    case OpKind::kYieldNow: return "yield_now";
    case OpKind::kJoin: return "join";
    case OpKind::kNotified: return "notified";
    case OpKind::kCreateNotified: return "create_notified";
    case OpKind::kEnable: return "enable";
    case OpKind::kUnlock: return "unlock";
    case OpKind::kTryLock: return "try_lock";
    case OpKind::kStdLock: return "std_lock";
    case OpKind::kStdUnlock: return "std_unlock";
    case OpKind::kNotifyOne: return "notify_one";
    case OpKind::kNotifyWaiters: return "notify_waiters";
    case OpKind::kSpawn: return "spawn";
    case OpKind::kPause: return "pause";
    case OpKind::kResume: return "resume";
    case OpKind::kDrop: return "drop";
    case OpKind::kAbort: return "abort";
    case OpKind::kAssign: return "assign";
    case OpKind::kJumpUnless: return "jump_unless";
    case OpKind::kJump: return "jump";
    case OpKind::kReturn: return "return";
    case OpKind::kGuardBegin: return "guard_begin";
    case OpKind::kGuardEnd: return "guard_end";
    case OpKind::kWrapBegin: return "wrap_begin";
    case OpKind::kWrapEnd: return "wrap_end";
    case OpKind::kAddPermits: return "add_permits";
    case OpKind::kForget: return "forget";
    case OpKind::kClose: return "close";
    case OpKind::kSend: return "send";
    case OpKind::kRecv: return "recv";
    case OpKind::kPut: return "send";
    case OpKind::kChanged: return "changed";
    case OpKind::kGetOrInit: return "get_or_init";
    case OpKind::kSelect: return "select";
    case OpKind::kDropKept: return "drop_kept";
    case OpKind::kJoinAll: return "join!";
    case OpKind::kStartSet: return "set";
    case OpKind::kNextChild: return "next";
    case OpKind::kSelectAll: return "select_all";
    case OpKind::kBlockBegin: return "block_in_place";
    case OpKind::kHandLock: return "hand_lock";
    case OpKind::kAwaitHanded: return "await_lock";
    case OpKind::kBlockEnd: return "block_in_place_end";
    case OpKind::kSelectBranches: return "select!";
    case OpKind::kAwaitBranch: return "await";
    case OpKind::kDropBranch: return "drop";
    case OpKind::kAwaitShared: return "await";
  }
  return "?";
}

const char* combinator_name(OpKind combinator) {
  switch (combinator) {
    case OpKind::kNextChild: return "FuturesUnordered";
    case OpKind::kSelectAll: return "select_all";
    case OpKind::kSelectBranches: return "select!";
    default: return "join!";
  }
}

const char* combinator_name(const TaskSpec& child) {
  return child.ordered ? "FuturesOrdered" : combinator_name(child.combinator);
}

const char* to_string(Wrapper wrapper) {
  switch (wrapper) {
    case Wrapper::kNone: return "none";
    case Wrapper::kPausable: return "pausable";
    case Wrapper::kDropOnPause: return "drop_on_pause";
    case Wrapper::kFinishItem: return "finish_item";
    case Wrapper::kTimeout: return "timeout";
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
    case FaultKind::kSpuriousWake: return "spurious_wake";
    case FaultKind::kCoopYield: return "coop_yield";
  }
  return "?";
}

const char* to_string(ResourceKind kind) {
  switch (kind) {
    case ResourceKind::kTokioMutex: return "tokio_mutex";
    case ResourceKind::kStdMutex: return "std_mutex";
    case ResourceKind::kNotify: return "notify";
    case ResourceKind::kSemaphore: return "semaphore";
    case ResourceKind::kRwLock: return "rwlock";
    case ResourceKind::kMpsc: return "mpsc";
    case ResourceKind::kBargingMutex: return "barging_mutex";
    case ResourceKind::kOnceCell: return "oncecell";
    case ResourceKind::kUnbounded: return "unbounded";
    case ResourceKind::kOneshot: return "oneshot";
    case ResourceKind::kWatch: return "watch";
  }
  return "?";
}

const char* to_string(TokioVersion version) {
  return version == TokioVersion::k1_24 ? "1.24" : "1.53";
}

const char* to_string(EventKind kind) {
  switch (kind) {
    case EventKind::kPoll: return "poll";
    case EventKind::kWake: return "wake";
    case EventKind::kPark: return "park";
    case EventKind::kTimer: return "timer";
    case EventKind::kDeadline: return "deadline";
    case EventKind::kPause: return "pause";
    case EventKind::kResume: return "resume";
    case EventKind::kDrop: return "drop";
    case EventKind::kSpuriousWake: return "spurious_wake";
    case EventKind::kCoopYield: return "coop_yield";
    case EventKind::kPollSleepFirst: return "poll_sleep_first";
  }
  return "?";
}

bool is_fault(EventKind kind) {
  return kind == EventKind::kPause || kind == EventKind::kResume || kind == EventKind::kDrop ||
         kind == EventKind::kSpuriousWake || kind == EventKind::kCoopYield;
}

std::optional<std::uint16_t> fairness_key(const Event& event) {
  if (is_fault(event.kind)) return std::nullopt;
  // Either kind of poll serves the task's claim to be polled.
  const EventKind kind = is_poll(event.kind) ? EventKind::kPoll : event.kind;
  return static_cast<std::uint16_t>((static_cast<unsigned>(kind) << 8) |
                                    static_cast<unsigned>(event.task));
}

ResourceWords words(ResourceKind kind) {
  switch (kind) {
    case ResourceKind::kSemaphore:
      return {"acquire future", "permit", "permits", "its permits look free",
              "a counter behind a std mutex with Notify (a woken waiter retries; a paused one takes nothing)"};
    case ResourceKind::kMpsc:
      return {"send future", "slot", "slot", "the channel looks full but is empty",
              "an unbounded channel, whose send never waits for a slot"};
    case ResourceKind::kOnceCell:
      return {"get_or_init future", "permit", "permit", "no initializer runs, yet the cell is not set",
              "a cell whose waiters retry the initialization themselves (a std mutex with Notify)"};
    case ResourceKind::kRwLock:
      return {"lock future", "permit", "guard", "the lock looks released",
              "a std RwLock with Notify (a woken waiter retries; a paused one takes nothing)"};
    default:
      return {"lock future", "permit", "guard", "the lock looks released",
              "a std mutex with Notify (a woken waiter retries; a paused one takes nothing)"};
  }
}

const char* op_verb(const Scenario& sc, const Op& op) {
  const bool resource_op = op.kind == OpKind::kLock || op.kind == OpKind::kTryLock || op.kind == OpKind::kUnlock;
  if (!resource_op) return to_string(op.kind);
  const auto& spec = sc.resources[op.a];
  const bool all = op.c > 1 && op.c == spec.permits;
  if (spec.kind == ResourceKind::kRwLock) {
    if (op.kind == OpKind::kUnlock) return "unlock";
    if (op.kind == OpKind::kTryLock) return all ? "try_write" : "try_read";
    return all ? "write" : "read";
  }
  if (spec.kind == ResourceKind::kSemaphore) {
    if (op.kind == OpKind::kUnlock) return op.c > 1 ? "release_many" : "release";
    if (op.kind == OpKind::kTryLock) return op.c > 1 ? "try_acquire_many" : "try_acquire";
    return op.c > 1 ? "acquire_many" : "acquire";
  }
  return to_string(op.kind);
}

std::string describe_op(const Scenario& sc, const Op& op) {
  // Built by appending: GCC 12 at -O3 warns wrongly (-Wrestrict) on chains of operator+.
  std::string out;
  auto variable = [&](std::size_t v) {
    const auto& spec = sc.variables[v];
    if (spec.task) {
      out += sc.tasks[*spec.task].name;
      out += '.';
    }
    out += spec.name;
  };
  auto word = [&](const std::string& name) {
    out += op_verb(sc, op);
    out += ' ';
    out += name;
  };
  switch (op.kind) {
    case OpKind::kLock:
    case OpKind::kUnlock:
      word(sc.resources[op.a].name);
      if (op.c > 1) {
        out += ' ';
        out += std::to_string(op.c);
      }
      break;
    case OpKind::kClose:
    case OpKind::kSend:
    case OpKind::kPut:
    case OpKind::kGetOrInit:
    case OpKind::kStdLock:
    case OpKind::kStdUnlock:
    case OpKind::kNotified:
    case OpKind::kCreateNotified:
    case OpKind::kEnable:
    case OpKind::kNotifyOne:
    case OpKind::kNotifyWaiters:
      word(sc.resources[op.a].name);
      break;
    case OpKind::kTryLock:
    case OpKind::kRecv:
    case OpKind::kChanged:
      if (op.b != 0) {
        variable(op.b - 1U);
        out += " = ";
      }
      word(sc.resources[op.a].name);
      break;
    case OpKind::kSleep:
      out += to_string(op.kind);
      if (op.ticks != 0) {
        out += ' ';
        out += std::to_string(op.ticks);
      }
      break;
    case OpKind::kYieldNow:
    case OpKind::kReturn:
    case OpKind::kDropKept:
      out += to_string(op.kind);
      break;
    case OpKind::kJoinAll:
    case OpKind::kStartSet:
    case OpKind::kNextChild:
    case OpKind::kSelectAll:
    case OpKind::kSelectBranches: {
      out += to_string(op.kind);
      out += op.kind == OpKind::kSelectBranches && (op.flags & kSelectUnbiased) == 0 ? " (biased)" : "";
      if (op.kind == OpKind::kStartSet && (op.flags & kSetOrdered) != 0) {
        out += op.c != 0 ? " (buffered " + std::to_string(op.c) + ")" : " (ordered)";
      } else {
        out += op.kind == OpKind::kStartSet && op.c != 0 ? " (buffer_unordered " + std::to_string(op.c) + ")" : "";
      }
      out += op.kind == OpKind::kSelectAll && op.c != 0 ? " (rest kept)" : "";
      const char* sep = " of ";
      for (std::size_t c = op.a; c < std::size_t{op.a} + op.b; ++c) {
        out += sep;
        out += op.kind == OpKind::kSelectBranches && sc.tasks[c].kept ? "&mut " : "";
        out += sc.tasks[c].name;
        sep = ", ";
      }
      break;
    }
    case OpKind::kAwaitBranch:
    case OpKind::kDropBranch:
    case OpKind::kAwaitShared:
      word(sc.tasks[op.a].name);
      break;
    case OpKind::kHandLock:
      word(sc.resources[op.a].name);
      out += " to ";
      out += sc.tasks[op.b].name;
      break;
    case OpKind::kAwaitHanded:
      word(sc.resources[op.a].name);
      break;
    case OpKind::kBlockBegin:
    case OpKind::kBlockEnd:
      out += op.kind == OpKind::kBlockBegin ? "block_in_place begins" : "block_in_place ends";
      break;
    case OpKind::kSelect:
      out += "select lock ";
      out += sc.resources[op.a].name;
      out += (op.b & 1U) != 0 ? " (kept: &mut fut) or sleep" : " or sleep";
      out += (op.b & 2U) != 0 ? " (unbiased)" : "";
      break;
    case OpKind::kSpawn:
    case OpKind::kJoin:
    case OpKind::kDrop:
    case OpKind::kAbort:
      word(sc.tasks[op.a].name);
      break;
    case OpKind::kPause:
    case OpKind::kResume:
      word(sc.futures[op.a].name);
      break;
    case OpKind::kAssign:
      variable(op.a);
      out += " = ";
      out += sc.exprs[op.b].text;
      break;
    case OpKind::kJumpUnless:
      out += "unless ";
      out += sc.exprs[op.a].text;
      out += " goto ";
      out += std::to_string(op.b);
      break;
    case OpKind::kJump:
      out += "goto ";
      out += std::to_string(op.b);
      break;
    case OpKind::kGuardBegin:
    case OpKind::kGuardEnd:
      out += "on_drop handler ";
      out += std::to_string(op.a);
      out += op.kind == OpKind::kGuardBegin ? " begins" : " ends";
      break;
    case OpKind::kWrapBegin:
    case OpKind::kWrapEnd:
      out += "future ";
      out += sc.futures[op.a].name;
      out += op.kind == OpKind::kWrapBegin ? " begins" : " ends";
      break;
    case OpKind::kAddPermits:
    case OpKind::kForget:
      word(sc.resources[op.a].name);
      out += ' ';
      out += std::to_string(op.b);
      break;
  }
  return out;
}

namespace {
template <class Range, class Name>
std::optional<std::size_t> find_by_name(const Range& range, const std::string& name, Name get) {
  for (std::size_t i = 0; i < range.size(); ++i) {
    if (get(range[i]) == name) return i;
  }
  return std::nullopt;
}
}  // namespace

std::optional<std::size_t> Scenario::find_task(const std::string& n) const {
  return find_by_name(tasks, n, [](const TaskSpec& t) { return t.name; });
}
std::optional<std::size_t> Scenario::find_resource(const std::string& n) const {
  return find_by_name(resources, n, [](const ResourceSpec& r) { return r.name; });
}
std::optional<std::size_t> Scenario::find_future(const std::string& n) const {
  return find_by_name(futures, n, [](const FutureSpec& f) { return f.name; });
}
std::optional<std::size_t> Scenario::find_variable(const std::string& n,
                                                   std::optional<std::size_t> owner) const {
  for (std::size_t i = 0; i < variables.size(); ++i) {
    if (variables[i].name == n && variables[i].task == owner) return i;
  }
  // A branch of a combinator reads and writes its task's own variables.
  if (owner && *owner < tasks.size() && tasks[*owner].parent) return find_variable(n, tasks[*owner].parent);
  return std::nullopt;
}

const char* to_string(EffectKind kind) {
  switch (kind) {
    case EffectKind::kNote: return "note";
    case EffectKind::kAcquire: return "acquire";
    case EffectKind::kWait: return "wait";
    case EffectKind::kFail: return "fail";
    case EffectKind::kRelease: return "release";
    case EffectKind::kNotify: return "notify";
    case EffectKind::kWrapper: return "wrapper";
  }
  return "?";
}

}  // namespace wakecheck::model
