// The loader's compiling of one-line operations ("lock m", "spawn worker", "x = x + 1", ...).

#include <set>
#include <sstream>

#include "model/limits.hpp"
#include "properties/builtins.hpp"
#include "properties/input_error.hpp"
#include "properties/limits.hpp"
#include "properties/loader.hpp"
#include "properties/statement_keys.hpp"

namespace wakecheck::properties::loading {

void Loader::simple(const std::string& text, const std::string& at, model::Scenario& sc, std::size_t task,
            const Context& ctx, std::vector<Op>& out, std::size_t base) {
  if (const auto m = split_assignment(text)) {
    const std::string var = text.substr(m->name_at, m->name_end - m->name_at);
    const std::size_t rhs_at = m->rest_at;
    auto v = sc.find_variable(var, task);
    if (!v) v = sc.find_variable(var);
    if (!v) in_.fail(at, JsonReader::unknown("variable", var, variable_names(sc, task)), m->name_at + 1);
    const std::string rhs = text.substr(rhs_at);
    // "x = try_lock m" (or try_acquire, try_acquire_many S K, try_read, try_write): the
    // operation's result in a boolean.
    const std::size_t verb_end = name_end(rhs, 0);
    const std::string try_verb = rhs.substr(0, verb_end);
    const std::size_t res_at = skip_spaces(rhs, verb_end);
    const std::size_t res_end = name_end(rhs, res_at);
    std::size_t tail = skip_spaces(rhs, res_end);
    if (tail < rhs.size() && tail > res_end && std::isdigit(static_cast<unsigned char>(rhs[tail])) != 0) {
      while (tail < rhs.size() && std::isdigit(static_cast<unsigned char>(rhs[tail])) != 0) ++tail;
      tail = skip_spaces(rhs, tail);
    }
    // "got = recv ch", "ok = changed w": whether a message (or a new version) came, or the channel
    // was closed.
    const bool is_try = try_verb == "try_lock" || try_verb == "try_acquire" || try_verb == "try_acquire_many" ||
                        try_verb == "try_read" || try_verb == "try_write" || try_verb == "recv" ||
                        try_verb == "changed";
    if (is_try && res_at > verb_end && res_end > res_at && tail == rhs.size()) {
      if (!sc.variables[*v].boolean) {
        in_.fail(at, "'" + var + "' must be a boolean to hold " + try_verb + "'s result", m->name_at + 1);
      }
      simple(text.substr(rhs_at), at, sc, task, ctx, out, rhs_at);
      out.back().b = static_cast<std::uint8_t>(*v + 1);
      return;
    }
    const std::uint8_t e = expression(rhs, at, rhs_at, sc, task);
    out.push_back({OpKind::kAssign, static_cast<std::uint8_t>(*v), e});
    return;
  }
  std::istringstream words(text);
  std::string verb, arg, count_word, extra;
  words >> verb >> arg >> count_word >> extra;
  const std::size_t verb_at = text.find_first_not_of(" \t");
  const std::size_t verb_column = base + (verb_at == std::string::npos ? 0 : verb_at) + 1;
  const std::size_t arg_column =
      arg.empty() ? verb_column : base + text.find(arg, verb_column - 1 - base + verb.size()) + 1;
  enum class Arg { kNone, kResource, kTask, kFuture };
  enum class Count { kNone, kOne, kGiven, kOneOrGiven, kAll, kHeld };
  struct Verb {
    const char* name;
    OpKind kind;
    Arg arg;
    std::vector<model::ResourceKind> kinds;
    Count count = Count::kNone;
  };
  using RK = model::ResourceKind;
  static const std::vector<Verb> verbs = {
      {"lock", OpKind::kLock, Arg::kResource, {RK::kTokioMutex, RK::kBargingMutex}, Count::kOne},
      {"unlock", OpKind::kUnlock, Arg::kResource, {RK::kTokioMutex, RK::kBargingMutex, RK::kRwLock}, Count::kHeld},
      {"try_lock", OpKind::kTryLock, Arg::kResource, {RK::kTokioMutex, RK::kBargingMutex}, Count::kOne},
      {"acquire", OpKind::kLock, Arg::kResource, {RK::kSemaphore}, Count::kOne},
      {"acquire_many", OpKind::kLock, Arg::kResource, {RK::kSemaphore}, Count::kGiven},
      {"try_acquire", OpKind::kTryLock, Arg::kResource, {RK::kSemaphore}, Count::kOne},
      {"try_acquire_many", OpKind::kTryLock, Arg::kResource, {RK::kSemaphore}, Count::kGiven},
      {"release", OpKind::kUnlock, Arg::kResource, {RK::kSemaphore}, Count::kOne},
      {"release_many", OpKind::kUnlock, Arg::kResource, {RK::kSemaphore}, Count::kGiven},
      {"add_permits", OpKind::kAddPermits, Arg::kResource, {RK::kSemaphore}, Count::kGiven},
      {"forget", OpKind::kForget, Arg::kResource, {RK::kSemaphore, RK::kTokioMutex}, Count::kOneOrGiven},
      {"close", OpKind::kClose, Arg::kResource, {RK::kSemaphore}},
      {"read", OpKind::kLock, Arg::kResource, {RK::kRwLock}, Count::kOne},
      {"write", OpKind::kLock, Arg::kResource, {RK::kRwLock}, Count::kAll},
      {"try_read", OpKind::kTryLock, Arg::kResource, {RK::kRwLock}, Count::kOne},
      {"try_write", OpKind::kTryLock, Arg::kResource, {RK::kRwLock}, Count::kAll},
      {"send", OpKind::kSend, Arg::kResource, {RK::kMpsc, RK::kUnbounded, RK::kOneshot, RK::kWatch}},
      {"recv", OpKind::kRecv, Arg::kResource, {RK::kMpsc, RK::kUnbounded, RK::kOneshot}},
      {"changed", OpKind::kChanged, Arg::kResource, {RK::kWatch}},
      {"get_or_init", OpKind::kGetOrInit, Arg::kResource, {RK::kOnceCell}},
      {"std_lock", OpKind::kStdLock, Arg::kResource, {RK::kStdMutex}},
      {"std_unlock", OpKind::kStdUnlock, Arg::kResource, {RK::kStdMutex}},
      {"notified", OpKind::kNotified, Arg::kResource, {RK::kNotify}},
      {"create_notified", OpKind::kCreateNotified, Arg::kResource, {RK::kNotify}},
      {"enable", OpKind::kEnable, Arg::kResource, {RK::kNotify}},
      {"await_lock", OpKind::kAwaitHanded, Arg::kResource, {RK::kTokioMutex}},
      {"notify_one", OpKind::kNotifyOne, Arg::kResource, {RK::kNotify}},
      {"notify_waiters", OpKind::kNotifyWaiters, Arg::kResource, {RK::kNotify}},
      {"sleep", OpKind::kSleep, Arg::kNone, {}},
      {"yield_now", OpKind::kYieldNow, Arg::kNone, {}},
      {"return", OpKind::kReturn, Arg::kNone, {}},
      {"drop_kept", OpKind::kDropKept, Arg::kNone, {}},
      {"spawn", OpKind::kSpawn, Arg::kTask, {}},
      {"join", OpKind::kJoin, Arg::kTask, {}},
      {"pause", OpKind::kPause, Arg::kFuture, {}},
      {"resume", OpKind::kResume, Arg::kFuture, {}},
      {"drop", OpKind::kDrop, Arg::kTask, {}},
      {"await", OpKind::kAwaitBranch, Arg::kTask, {}},
      {"abort", OpKind::kAbort, Arg::kTask, {}},
  };
  const Verb* found = nullptr;
  std::vector<std::string> verb_names;
  for (const auto& v : verbs) {
    verb_names.emplace_back(v.name);
    if (verb == v.name) found = &v;
  }
  if (!found) in_.fail(at, JsonReader::unknown("operation", verb, verb_names, true), verb_column);
  const bool counted = found->count == Count::kGiven || found->count == Count::kOneOrGiven;
  if (!extra.empty() || (!counted && !count_word.empty())) {
    in_.fail(at, "operation '" + text + "' has too many words", verb_column);
  }
  if (ctx.in_handler && (model::awaits(found->kind) || found->kind == OpKind::kReturn)) {
    in_.fail(at, "'" + verb + "' cannot run in an on_drop handler: a destructor cannot await", verb_column);
  }
  if (found->kind == OpKind::kSleep) {
    // `sleep` (untimed) or `sleep D`: tokio::time::sleep of D ticks.
    if (!count_word.empty()) in_.fail(at, "operation '" + text + "' has too many words", verb_column);
    out.push_back({OpKind::kSleep, 0, 0, 0, arg.empty() ? std::uint8_t{0} : ticks(arg, at, arg_column)});
    return;
  }
  if (found->arg == Arg::kNone) {
    if (!arg.empty()) in_.fail(at, "'" + verb + "' takes no argument", arg_column);
    out.push_back({found->kind, 0, 0});
    return;
  }
  if (arg.empty()) {
    const char* what = found->arg == Arg::kResource ? "resource" : found->arg == Arg::kTask ? "task" : "task or future";
    in_.fail(at, "'" + verb + "' needs a " + what + " name", verb_column);
  }
  if (found->arg == Arg::kResource) {
    const std::uint8_t r = resource(arg, at, arg_column, sc, found->kinds, verb);
    std::uint8_t count = 0;
    switch (found->count) {
      case Count::kNone: break;
      case Count::kOne: count = 1; break;
      case Count::kAll: count = sc.resources[r].permits; break;
      case Count::kHeld: count = sc.resources[r].kind == model::ResourceKind::kRwLock ? 0 : 1; break;
      case Count::kGiven:
      case Count::kOneOrGiven: {
        if (count_word.empty() && found->count == Count::kOneOrGiven) {
          count = 1;
          break;
        }
        const std::size_t count_column = base + text.find(count_word, arg_column - 1 - base + arg.size()) + 1;
        if (count_word.empty()) in_.fail(at, "'" + verb + "' needs a number of permits after the name", arg_column);
        if (count_word.size() > 3 || count_word.find_first_not_of("0123456789") != std::string::npos ||
            std::stoi(count_word) < 1 || std::stoi(count_word) > 255) {
          in_.fail(at, "expected a number of permits from 1 to 255, found '" + count_word + "'", count_column);
        }
        count = static_cast<std::uint8_t>(std::stoi(count_word));
        break;
      }
    }
    if (verb == "unlock" || verb == "std_unlock") {
      unlocks_.push_back(UnlockSite{&out, std::nullopt, out.size(), at, arg_column, verb + " " + arg});
    }
    if (found->kind == OpKind::kEnable &&
        std::none_of(out.begin(), out.end(), [&](const Op& o) { return o.kind == OpKind::kCreateNotified && o.a == r; })) {
      in_.fail(at, "'enable " + arg + "' needs a Notified to enable: write 'create_notified " + arg +
                       "' before it in this program", verb_column);
    }
    if (found->kind == OpKind::kSend && sc.resources[r].kind != model::ResourceKind::kMpsc) {
      // unbounded, oneshot and watch senders never wait
      out.push_back({OpKind::kPut, r, 0, 0});
    } else if (found->kind == OpKind::kAddPermits || found->kind == OpKind::kForget) {
      out.push_back({found->kind, r, count, 0});
    } else {
      out.push_back({found->kind, r, 0, count});
    }
    return;
  }
  if (found->arg == Arg::kFuture) {
    std::optional<std::size_t> f = sc.find_future(arg);
    if (!f) {
      std::vector<std::string> names;
      for (const auto& fu : sc.futures) names.push_back(fu.name);
      if (resolve_tasks(sc, arg)) {
        in_.fail(at, "'" + arg + "' names " + std::to_string(resolve_tasks(sc, arg)->size()) +
                         " tasks; say which one", arg_column);
      }
      in_.fail(at, JsonReader::unknown("task or future", arg, names), arg_column);
    }
    if (sc.futures[*f].wrapper == model::Wrapper::kNone) {
      in_.fail(at, "task '" + arg + "' has no wrapper to " + verb +
                       " (give it \"wrapper\": \"pausable\" or \"drop_on_pause\")", arg_column);
    }
    out.push_back({found->kind, static_cast<std::uint8_t>(*f), 0});
    return;
  }
  if (const auto sf = sc.find_task(arg); sf && sc.tasks[*sf].shared) {
    // `shared.clone().await` on a shared future of the scenario.
    if (found->kind != OpKind::kAwaitBranch) {
      in_.fail(at, "'" + arg + "' is a shared future, not a task: it is awaited ('await " + arg +
                       "'), and dropped with its last clone unless a cache keeps it", arg_column);
    }
    if (sc.tasks[task].shared) in_.fail(at, "a shared future cannot await a shared future", arg_column);
    out.push_back({OpKind::kAwaitShared, static_cast<std::uint8_t>(*sf), 0});
    return;
  }
  if (found->kind == OpKind::kDrop || found->kind == OpKind::kAwaitBranch) {
    // `drop(fut)` and `(&mut fut).await` of a future a select! of this task keeps (`&mut fut`),
    // also from inside another branch of the task (`_ = async { (&mut fut).await } => ..` in a
    // later select!: the kept future is polled again by it).
    std::vector<std::string> kept;
    const std::size_t owner = sc.tasks[task].parent.value_or(task);
    for (std::size_t c = 0; c < sc.tasks.size(); ++c) {
      if (sc.tasks[c].parent != owner || !sc.tasks[c].kept || c == task) continue;
      const std::string& written = branch_name_.at(c);
      kept.push_back(written);
      if (written != arg) continue;
      out.push_back({found->kind == OpKind::kDrop ? OpKind::kDropBranch : OpKind::kAwaitBranch,
                     static_cast<std::uint8_t>(c), 1});
      return;
    }
    if (found->kind == OpKind::kAwaitBranch) {
      if (kept.empty()) {
        in_.fail(at, "'await " + arg + "': this task keeps no future of that name (a select! branch with \"keep\": true)",
                 arg_column);
      }
      in_.fail(at, JsonReader::unknown("kept future", arg, kept), arg_column);
    }
  }
  const auto targets = resolve_tasks(sc, arg);
  if (!targets) in_.fail(at, JsonReader::unknown("task", arg, task_names(sc)), arg_column);
  if (targets->size() > 1 && found->kind != OpKind::kSpawn) {
    in_.fail(at, "'" + arg + "' names " + std::to_string(targets->size()) + " tasks; say which one (" +
                     sc.tasks[targets->front()].name + " to " + sc.tasks[targets->back()].name + ")",
             arg_column);
  }
  for (std::size_t t : *targets) {
    if (t == 0) in_.fail(at, "'" + verb + " main' is not possible: main is the runtime's block_on future", arg_column);
    if (const auto& parent = sc.tasks[t].parent) {
      in_.fail(at, "'" + arg + "' is a branch inside " + sc.tasks[*parent].name + ", not a task: it cannot be " +
                       (found->kind == OpKind::kSpawn ? "spawned" : found->kind == OpKind::kJoin ? "joined" : found->kind == OpKind::kAbort ? "aborted" : "dropped") +
                       " on its own", arg_column);
    }
    if (t == task && (found->kind == OpKind::kSpawn || found->kind == OpKind::kJoin)) {
      in_.fail(at, "a task cannot " + verb + " itself", arg_column);
    }
    if (found->kind == OpKind::kSpawn) spawn_once(t, at, arg_column, sc, task);
    out.push_back({found->kind, static_cast<std::uint8_t>(t), 0});
  }
}

std::uint8_t Loader::ticks(const std::string& word, const std::string& at, std::size_t column) {
  if (word.size() > 3 || word.find_first_not_of("0123456789") != std::string::npos || std::stoi(word) < 1 ||
      std::stoi(word) > 255) {
    in_.fail(at, "expected a duration in ticks from 1 to 255, found '" + word + "'", column);
  }
  return static_cast<std::uint8_t>(std::stoi(word));
}

}  // namespace wakecheck::properties::loading
