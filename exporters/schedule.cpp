#include "exporters/schedule.hpp"

#include <algorithm>

#include "model/tokio_model.hpp"
#include "properties/input_error.hpp"
#include "properties/replay.hpp"

namespace wakecheck::exporters {

using properties::InputError;

ForcedSchedule forced_schedule(const properties::PropertyFile& file, const properties::ReportTrace& trace,
                               const std::string& report_path) {
  const auto& sc = file.scenario;
  const std::string where = report_path + ": " + trace.property + ": ";
  if (sc.flavor != model::Flavor::kCurrentThread) {
    throw InputError(where + "a multi_thread trace cannot be forced on real tokio (the OS schedules its workers); "
                             "export the scenario without --trace");
  }
  if (trace.cancelled_at) {
    throw InputError(where + "a cancel_safe trace drops a task the program does not drop; it cannot be forced");
  }
  const model::TokioModel model(sc);
  const auto replayed = properties::replay_key(model, trace.key, trace.expected);
  if (replayed.failed_at) {
    throw InputError(where + "step " + std::to_string(*replayed.failed_at) + " does not replay: " + replayed.reason);
  }
  ForcedSchedule schedule;
  schedule.property = trace.property;
  schedule.steps = replayed.trace.steps.size();
  schedule.sleeps.resize(sc.tasks.size());
  schedule.deadlines.resize(sc.tasks.size());
  schedule.starts.resize(sc.tasks.size());
  std::uint32_t now = 0;
  for (const auto& step : replayed.trace.steps) {
    const auto& e = step.event;
    if (model.is_environment(e)) {
      throw InputError(where + "step " + std::to_string(step.index) + " (" + step.event_text +
                       ") is a fault of the environment, which real tokio cannot schedule");
    }
    bool advanced = false;
    for (const auto& effect : step.effects) {
      for (const auto& note : effect.schedule) {
        const std::size_t t = model::index(note.task);
        switch (note.change) {
          case model::ScheduleChange::kSleepSet: schedule.sleeps[t].push_back(ForcedSchedule::kNever); break;
          case model::ScheduleChange::kDeadlineSet: schedule.deadlines[t].push_back(ForcedSchedule::kNever); break;
          case model::ScheduleChange::kSelectStart: schedule.starts[t].push_back(note.ticks); break;
          case model::ScheduleChange::kAdvance:
            now += ForcedSchedule::kTickMs * note.ticks;
            advanced = true;
            break;
          case model::ScheduleChange::kSleepFired:
          case model::ScheduleChange::kDeadlinePassed: {
            // Every entry fired in one step fires in one turn of the time driver: one time.
            if (!advanced) now += ForcedSchedule::kStepMs;
            advanced = true;
            auto& entries = note.change == model::ScheduleChange::kSleepFired ? schedule.sleeps[t] : schedule.deadlines[t];
            if (entries.empty() || entries.back() != ForcedSchedule::kNever) {
              throw InputError(where + "step " + std::to_string(step.index) + " fires a timer of " + sc.tasks[t].name +
                               " that the trace never registered");
            }
            entries.back() = now;
            schedule.last_ms = now;
            break;
          }
        }
      }
    }
  }
  // A hang real tokio can be forced into: a trace that ends where nothing can run, or a lasso (its
  // end is a state it passed before), whose cycle the program follows as far as the trace goes and
  // then stays in (its timers beyond the trace never fire): the tasks live along a cycle are the
  // same in each of its states. A trace that ends where the run goes on is refused.
  std::vector<model::Event> next;
  model.enabled_events(replayed.trace.final_state, next);
  const bool dead_end = std::all_of(next.begin(), next.end(), [&](const model::Event& e) { return model.is_environment(e); });
  bool lasso = false;
  model::State state = model.initial_state();
  for (std::size_t k = 0; k < replayed.trace.steps.size() && !dead_end && !lasso; ++k) {
    lasso = state == replayed.trace.final_state;
    state = model.next_state(state, replayed.trace.steps[k].event);
  }
  if (!dead_end && !lasso) {
    throw InputError(where + "the trace ends where the run goes on (neither a hang nor a cycle); only a trace that "
                             "ends in a hang, or loops, can be forced");
  }
  schedule.end = hang_verdict_at(file, replayed.trace.final_state);
  schedule.end.forced = "the counterexample of " + trace.property + " (" + std::to_string(schedule.steps) + " steps" +
                        (lasso ? ", a cycle" : "") + ")";
  return schedule;
}

}  // namespace wakecheck::exporters
