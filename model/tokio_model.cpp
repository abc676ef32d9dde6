#include "model/tokio_model.hpp"

#include <algorithm>
#include <cstring>

#include "model/rules/step.hpp"

namespace wakecheck::model {

TokioModel::TokioModel(Scenario scenario)
    : scenario_(std::move(scenario)),
      features_(std::make_shared<const Features>(scenario_)),
      layout_(make_layout(scenario_)) {}

void TokioModel::initial(std::uint8_t* out) const {
  std::memset(out, 0, layout_->bytes);
  const StateRef s(out, layout_.get());
  for (std::size_t r = 0; r < scenario_.resources.size(); ++r) {
    if (semaphore_based(scenario_.resources[r].kind)) s.bytes()[layout_->resources[r].semaphore_at] = scenario_.resources[r].permits;
  }
  for (std::size_t v = 0; v < scenario_.variables.size(); ++v) s.set_var(v, scenario_.variables[v].initial);
  // The block_on future is polled first (current_thread.rs: `woken` starts true).
  s.task(kMainTask).status = TaskStatus::kScheduled;
  s.scheduler().phase = Phase::kTop;
  for (std::size_t k = 0; k < kFaultKinds; ++k) s.faults_left(static_cast<FaultKind>(k)) = scenario_.faults[k].budget;
}

void TokioModel::pending_fairness(const std::uint8_t* bytes, std::vector<std::uint16_t>& keys) const {
  const StateView s(bytes, layout_.get());
  for (std::size_t i = 0; i < scenario_.tasks.size(); ++i) {
    if (s.tasks(i).timer == 1) keys.push_back(*fairness_key({EventKind::kTimer, task_at(i)}));
    // A timed timeout's deadline comes as surely as a sleep's (an untimed one waits for every
    // sleep to end, which a task sleeping in a loop never lets happen).
    if (s.tasks(i).deadline == 1 && s.tasks(i).deadline_left != 0) {
      keys.push_back(*fairness_key({EventKind::kDeadline, task_at(i)}));
    }
  }
}

void TokioModel::enabled(const std::uint8_t* bytes, std::vector<Event>& events) const {
  const StateView s(bytes, layout_.get());
  const std::size_t n = scenario_.tasks.size();
  // An untimed sleep may fire at any park; of the timed sleeps and timeouts, those due first
  // (time advances to them); an untimed timeout only when no sleep is pending (untimed timeouts
  // are taken to be longer than every sleep).
  auto push_timers = [&] {
    bool sleeping = false;
    std::size_t earliest = 256;
    for (std::size_t i = 0; i < n; ++i) {
      const TaskState& ts = s.tasks(i);
      if (ts.timer == 1 && ts.timer_left != 0) earliest = std::min<std::size_t>(earliest, ts.timer_left);
      if (ts.deadline == 1 && ts.deadline_left != 0) earliest = std::min<std::size_t>(earliest, ts.deadline_left);
    }
    for (std::size_t i = 0; i < n; ++i) {
      const TaskState& ts = s.tasks(i);
      if (ts.timer == 1) {
        if (ts.timer_left == 0 || ts.timer_left == earliest) events.push_back({EventKind::kTimer, task_at(i)});
        sleeping = true;
      }
    }
    for (std::size_t i = 0; i < n; ++i) {
      const TaskState& ts = s.tasks(i);
      if (ts.deadline != 1) continue;
      if (ts.deadline_left != 0 ? ts.deadline_left == earliest : !sleeping) {
        events.push_back({EventKind::kDeadline, task_at(i)});
      }
    }
  };
  // A poll that reaches an unbiased select! whose other branch is ready (its sleep fired, or it
  // is `ready(())`) may start at either branch. A ready branch is ready on any poll, which may
  // run other statements before the select: every poll of such a task offers both starts.
  auto push_poll = [&](TaskId t) {
    events.push_back({EventKind::kPoll, t});
    const TaskState& ts = s.task(t);
    const auto& program = scenario_.task(t).program;
    if (ts.blocked != 0) return;
    const bool fired = ts.inflight && ts.timer == 2 && ts.pc < program.size() &&
                       program[ts.pc].kind == OpKind::kSelect && (program[ts.pc].b & kSelectUnbiased) != 0;
    if (fired || features_->ready_selects[index(t)]) events.push_back({EventKind::kPollSleepFirst, t});
    for (std::uint8_t start = 1; start < features_->select_starts[index(t)]; ++start) {
      events.push_back({EventKind::kPoll, t, start});
    }
  };
  const SchedulerState& sched = s.scheduler();
  // A thread blocked in futures::executor::block_on runs nothing but that future.
  std::optional<TaskId> keeper;
  if (features_->block_ons) keeper = core_kept_by_block(s, scenario_);
  if (scenario_.flavor == Flavor::kCurrentThread && keeper) {
    if (s.task(*keeper).block_woken) push_poll(*keeper);
  } else if (scenario_.flavor == Flavor::kCurrentThread) {
    // One thread: exactly one scheduler event is possible. Issued wakes are delivered first and in
    // the order they were issued (their run queue order), as tokio makes them at once.
    std::optional<Event> next;
    for (TaskId t : s.run_queue()) {
      if (!next && s.task(t).wake_pending) next = Event{EventKind::kWake, t};
    }
    if (!next && s.task(kMainTask).wake_pending) next = Event{EventKind::kWake, kMainTask};
    if (!next) {
      const bool main_woken = s.task(kMainTask).status == TaskStatus::kScheduled;
      if (sched.phase == Phase::kTop && main_woken) {
        next = Event{EventKind::kPoll, kMainTask};
      } else if (sched.ticks >= scenario_.event_interval) {
        next = Event{EventKind::kPark, kMainTask};  // end of a 61-poll batch: park_yield
      } else if (!s.run_queue().empty()) {
        next = Event{EventKind::kPoll, s.run_queue().front()};
      } else if (!s.deferred().empty() || main_woken) {
        next = Event{EventKind::kPark, kMainTask};
      }
    }
    if (next && next->kind == EventKind::kPoll) {
      push_poll(next->task);
    } else if (next) {
      events.push_back(*next);
    } else {
      push_timers();  // parked with nothing to run
    }
  } else if (scenario_.worker_threads == 1) {
    // main's thread and the one worker run side by side: main's poll whenever it is woken; the
    // worker's next task as worker.rs picks it; with nothing to run, the worker parks (waking
    // deferred tasks) or, parked, lets a timer fire.
    if (s.task(kMainTask).status == TaskStatus::kScheduled && s.task(kMainTask).blocked == 0) push_poll(kMainTask);
    for (std::size_t i = 0; i < n; ++i) {
      if (s.tasks(i).blocked != 0 && s.tasks(i).block_woken) push_poll(task_at(i));
    }
    // The worker blocked in block_on: no other task, no park, no timer until it returns.
    const bool worker_blocked = keeper.has_value() && keeper.value_or(kMainTask) != kMainTask;
    const std::optional<TaskId> next = worker_blocked ? std::nullopt : rules::worker_next(s);
    const bool maintenance = (sched.worker_flags & (kLifoChain | kTickCounted)) == 0 &&
                             (sched.maint_ticks + 1U) % scenario_.event_interval == 0;
    if (next && maintenance && !s.deferred().empty()) {
      events.push_back({EventKind::kPark, kMainTask});  // the maintenance park of this turn
    } else if (next) {
      push_poll(*next);
    } else if (worker_blocked) {
      // nothing: the worker is inside block_on
    } else if (!s.deferred().empty()) {
      events.push_back({EventKind::kPark, kMainTask});
    } else {
      push_timers();  // the worker is parked
    }
  } else {
    for (std::size_t i = 0; i < n; ++i) {
      if (s.tasks(i).wake_pending) events.push_back({EventKind::kWake, task_at(i)});
    }
    for (std::size_t i = 0; i < n; ++i) {
      const TaskState& ts = s.tasks(i);
      // A task whose thread is blocked in block_on is polled only through it, when that was
      // woken. (A branch is never scheduled: its task polls it.)
      // A task in the LIFO slot of a worker whose thread is blocked keeping its core waits for it.
      if (ts.stuck != 0 && thread_keeps_core(s, scenario_, task_at(ts.stuck - 1U))) continue;
      if ((ts.status == TaskStatus::kScheduled && ts.blocked == 0) || (ts.blocked != 0 && ts.block_woken)) {
        push_poll(task_at(i));
      }
    }
    push_timers();  // any worker may be parked
  }
  // Environment faults, bounded by their budgets; they may strike any eligible task at any point.
  // Pause and resume strike futures: a task's own (under its wrapper) or a nested one.
  for (const FaultKind kind : {FaultKind::kPause, FaultKind::kResume}) {
    if (s.faults_left(kind) == 0) continue;
    const bool pause = kind == FaultKind::kPause;
    const auto& eligible = scenario_.fault(kind).futures;
    for (std::size_t f = 0; f < scenario_.futures.size() && f < eligible.size(); ++f) {
      if (!eligible[f] || !s.task(task_at(scenario_.futures[f].task)).live()) continue;
      if (s.is_paused(f) != pause) {
        events.push_back({pause ? EventKind::kPause : EventKind::kResume, TaskId{static_cast<std::uint8_t>(f)}});
      }
    }
  }
  // A drop of a nested future (cancel_safe of "task.future"): while its task awaits at the drop's
  // await point inside it. The event names the future (a nested one's index is past the tasks').
  if (const auto& drop = scenario_.fault(FaultKind::kDrop); s.faults_left(FaultKind::kDrop) != 0 && drop.at_pc) {
    for (std::size_t f = n; f < scenario_.futures.size() && f < drop.futures.size(); ++f) {
      if (!drop.futures[f]) continue;
      const TaskState& ts = s.task(task_at(scenario_.futures[f].task));
      if (ts.live() && ts.inflight && ts.pc == *drop.at_pc && ts.blocked == 0 && ts.region == f + 1) {
        events.push_back({EventKind::kDrop, TaskId{static_cast<std::uint8_t>(f)}});
      }
    }
  }
  for (const FaultKind kind : {FaultKind::kDrop, FaultKind::kSpuriousWake, FaultKind::kCoopYield}) {
    if (s.faults_left(kind) == 0) continue;
    const auto& eligible = scenario_.fault(kind).tasks;
    for (std::size_t i = 0; i < n && i < eligible.size(); ++i) {
      if (!eligible[i]) continue;
      const auto t = task_at(i);
      const TaskState& ts = s.task(t);
      if (!ts.live()) continue;
      switch (kind) {
        case FaultKind::kDrop: {
          const auto at_pc = scenario_.fault(kind).at_pc;
          if (!at_pc || (ts.inflight && ts.pc == *at_pc && ts.blocked == 0)) events.push_back({EventKind::kDrop, t});
          break;
        }
        case FaultKind::kCoopYield:
          if (!ts.coop_exhausted) events.push_back({EventKind::kCoopYield, t});
          break;
        case FaultKind::kSpuriousWake:
          if (ts.status == TaskStatus::kIdle && !ts.wake_pending && !s.ready_children().contains(t)) {
            events.push_back({EventKind::kSpuriousWake, t});
          }
          break;
        default: break;
      }
    }
  }
  if (twin_events_) drop_twin_events(s, events);
}

void TokioModel::drop_twin_events(StateView s, std::vector<Event>& events) const {
  const std::vector<bool> twin = symmetry_.twins(s);
  std::erase_if(events, [&](const Event& e) {
    const auto t = task_id_of(e);
    return t && twin[index(*t)];
  });
}

void TokioModel::step(const std::uint8_t* from, const Event& event, std::uint8_t* to) const {
  std::memcpy(to, from, layout_->bytes);
  rules::Step<false>(scenario_, *features_, StateRef(to, layout_.get()), nullptr).apply(event);
}

State TokioModel::initial_state() const {
  State s(layout_);
  initial(s.ref().bytes());
  return s;
}

std::vector<Event> TokioModel::enabled_events(const State& state) const {
  std::vector<Event> events;
  enabled(state.bytes().data(), events);
  return events;
}

State TokioModel::next_state(const State& state, const Event& event) const {
  State next = state;
  rules::Step<false>(scenario_, *features_, next.ref(), nullptr).apply(event);
  return next;
}

State TokioModel::narrate(const State& state, const Event& event, std::vector<Effect>& effects) const {
  State next = state;
  rules::Step<true>(scenario_, *features_, next.ref(), &effects).apply(event);
  return next;
}

std::string TokioModel::describe(const Event& event) const {
  if (event.kind == EventKind::kPark) return "park";
  if (event.kind == EventKind::kPause || event.kind == EventKind::kResume ||
      (event.kind == EventKind::kDrop && index(event.task) >= scenario_.tasks.size())) {
    return std::string(to_string(event.kind)) + " " + scenario_.futures[index(event.task)].name;
  }
  std::string text = std::string(to_string(event.kind)) + " " + scenario_.task(event.task).name;
  if (event.kind == EventKind::kPoll && event.start != 0) {
    text += " (select! from branch " + std::to_string(event.start) + ")";
  }
  return text;
}

std::optional<TaskId> TokioModel::task_id_of(const Event& event) const {
  if (event.kind == EventKind::kPark) return std::nullopt;
  if (event.kind == EventKind::kPause || event.kind == EventKind::kResume ||
      (event.kind == EventKind::kDrop && index(event.task) >= scenario_.tasks.size())) {
    return task_at(scenario_.futures[index(event.task)].task);
  }
  return event.task;
}

std::optional<std::string> TokioModel::task_of(const Event& event) const {
  const auto t = task_id_of(event);
  if (!t) return std::nullopt;
  return scenario_.task(*t).name;
}

const char* to_string(Failure failure) {
  switch (failure) {
    case Failure::kNone: return "";
    case Failure::kStdMutexAcrossAwait:
      return "a std::sync::Mutex guard is held across an await of a spawned task (the poll returned Pending; tokio::spawn needs a Send future)";
    case Failure::kStdMutexRelock: return "std::sync::Mutex locked again by the task holding it";
    case Failure::kOutOfRange: return "a variable was assigned a value outside its range";
    case Failure::kBusyLoop: return "the poll ran 1000 operations without awaiting (a busy loop)";
    case Failure::kChannelOverflow: return "an unbounded channel would hold more than 255 messages (the model's bound)";
    case Failure::kSelectAllDisabled:
      return "every branch of a select! is disabled by its precondition and it has no else branch (tokio panics)";
  }
  return "";
}

}  // namespace wakecheck::model
