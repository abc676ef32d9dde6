// A counterexample forced on real tokio (exporters/schedule.hpp): each timer gets the time at
// which the trace fires it, each unbiased select! of a lock and a sleep the start the trace's poll
// took; traces real tokio cannot be made to follow are refused with the reason.
#include "exporters/schedule.hpp"

#include <CppUTest/TestHarness.h>

#include <algorithm>
#include <string>
#include <vector>

#include "exporters/expected.hpp"
#include "exporters/rust_export.hpp"
#include "model/tokio_model.hpp"
#include "properties/input_error.hpp"
#include "properties/property_file.hpp"
#include "properties/run.hpp"
#include "tests/exporters/shipped.hpp"

namespace {

using wakecheck::exporters::ForcedSchedule;
using wakecheck::properties::InputError;
using wakecheck::properties::PropertyFile;
using wakecheck::testing::shipped;

/// The report's trace of `property`'s counterexample, as `check --json` would record it.
wakecheck::properties::ReportTrace counterexample(const PropertyFile& file, const std::string& property) {
  const wakecheck::model::TokioModel model(file.scenario);
  const auto run = wakecheck::properties::run_checks(file, model);
  for (const auto& result : run.results) {
    if (result.name != property) continue;
    if (!result.trace) FAIL(("no counterexample of " + property).c_str());
    wakecheck::properties::ReportTrace trace;
    trace.file = file.path;
    trace.property = property;
    trace.kind = "counterexample";
    trace.key = result.trace->replay_key();
    return trace;
  }
  FAIL(("no check named " + property).c_str());
  return {};
}

std::string refusal(const PropertyFile& file, const std::string& property) {
  try {
    (void)wakecheck::exporters::forced_schedule(file, counterexample(file, property), "report.json");
  } catch (const InputError& e) {
    return e.what();
  }
  FAIL("the trace was not refused");
  return {};
}

}  // namespace

TEST_GROUP(ForcedSchedule){};

TEST(ForcedSchedule, EachTimerFiresWhenTheTraceFiresItAndTheOutcomeIsTheTracesEnd) {
  // Oxide's futurelock: main's 5-tick timeout branch fires first, the background task's 50-tick
  // sleep 45 ticks later; main then hangs behind its own kept lock future.
  const auto file = shipped("properties/real/oxide_rfd609_futurelock.json");
  const auto schedule = wakecheck::exporters::forced_schedule(file, counterexample(file, "all_tasks_finish"), "report.json");
  const auto main = *file.scenario.find_task("main");
  const auto background = *file.scenario.find_task("background");
  CHECK((schedule.sleeps[main] == std::vector<std::uint32_t>{5 * ForcedSchedule::kTickMs}));
  CHECK((schedule.sleeps[background] == std::vector<std::uint32_t>{50 * ForcedSchedule::kTickMs}));
  UNSIGNED_LONGS_EQUAL(50 * ForcedSchedule::kTickMs, schedule.last_ms);
  CHECK((schedule.end.outcomes == std::vector<std::vector<std::string>>{{"main"}}));
  const std::string program = wakecheck::exporters::export_rust(file, schedule);
  CHECK(program.find("static FORCED_SLEEPS: [&[u32]; 2] = [&[250], &[2500]];") != std::string::npos);
  CHECK(program.find("forced_sleep(BACKGROUND).await;") != std::string::npos);
  CHECK(program.find("*START.lock().unwrap() = Some(Instant::now());") != std::string::npos);
  const std::string expected = wakecheck::exporters::format_expected(file, schedule.end);
  CHECK(expected.find("where the counterexample of all_tasks_finish") != std::string::npos);
  CHECK(expected.find("outcome main\n") != std::string::npos);
}

TEST(ForcedSchedule, AnUnbiasedSelectOfALockAndASleepStartsEachPollWhereTheTracesDid) {
  // tokio#3825: the notification reaches the select!, whose next poll starts at the tick (the
  // trace's poll_sleep_first): the notify_waiters is lost, a cycle of ticks follows.
  const auto file = shipped("properties/real/tokio_3825_notify_waiters_lost_in_select_loop.json");
  const auto schedule = wakecheck::exporters::forced_schedule(file, counterexample(file, "all_tasks_finish"), "report.json");
  const auto client = *file.scenario.find_task("client");
  const auto& starts = schedule.starts[client];
  CHECK_FALSE(starts.empty());
  CHECK(std::find(starts.begin(), starts.end(), 1) != starts.end());
  CHECK((schedule.end.outcomes == std::vector<std::vector<std::string>>{{"main", "client"}}));
  const std::string program = wakecheck::exporters::export_rust(file, schedule);
  CHECK(program.find("let start = forced_start_at(CLIENT) % 2;") != std::string::npos);
}

TEST(ForcedSchedule, AMultiThreadTraceIsRefused) {
  const auto file = shipped("properties/real/tokio_4588_std_mutex_across_await_in_select.json");
  const std::string why = refusal(file, "all_tasks_finish");
  CHECK(why.find("multi_thread trace cannot be forced") != std::string::npos);
}

TEST(ForcedSchedule, ATraceEndingWhereTheRunGoesOnIsRefused) {
  // A safety counterexample stops at the first bad state; the run would go on from there.
  const auto file = shipped("properties/futurelock/select_futures_kept_claim.json");
  const std::string why = refusal(file, "deadlock_free");
  CHECK(why.find("the trace ends where the run goes on") != std::string::npos);
}

TEST(ForcedSchedule, AnUnbiasedSelectOverFuturesStartsEachPollWhereTheTracesDid) {
  // Both branches are ready at once; only the run whose poll starts at b hangs.
  const auto file = shipped("properties/conformance/select_futures_start_decides_hang.json");
  const auto schedule = wakecheck::exporters::forced_schedule(file, counterexample(file, "all_tasks_finish"), "report.json");
  CHECK((schedule.starts[0] == std::vector<std::uint8_t>{1}));
  const std::string program = wakecheck::exporters::export_rust(file, schedule);
  CHECK(program.find("let start = forced_start_at(MAIN) % 2;") != std::string::npos);
  CHECK(program.find("static FORCED_STARTS: [&[u32]; 3] = [&[1], &[], &[]];") != std::string::npos);
}
