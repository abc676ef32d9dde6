// Tests for the diagnosis of a hang: every shape of stuck state gets a cause in the words of its
// primitive, the decisive steps, and the fixes that fit its shape.
#include <string>
#include <vector>

#include "model/tokio_model.hpp"
#include "properties/builtins.hpp"
#include "properties/diagnosis.hpp"
#include "properties/property_file.hpp"
#include "properties/run.hpp"

#include <CppUTest/TestHarness.h>

namespace {

namespace model = wakecheck::model;
namespace properties = wakecheck::properties;

using properties::Cause;

const auto& kRegistry = properties::builtin_properties();

/// The diagnosis of the counterexample to `property` in the property file `text`.
properties::Diagnosis diagnosis_of(const std::string& text, const std::string& property = "all_tasks_finish") {
  const auto file = properties::parse_property_file("t.json", text);
  const model::TokioModel m(file.scenario);
  const auto run = properties::run_checks(file, m);
  for (const auto& result : run.results) {
    if (result.name != property) continue;
    CHECK_TRUE(result.verdict == properties::Verdict::kViolated);
    CHECK_TRUE(result.trace.has_value());
    return result.trace ? result.trace->diagnosis : properties::Diagnosis{};
  }
  FAIL(("no result for " + property).c_str());
  return {};
}

/// A property file on current_thread with these resources, tasks, checks and extra scenario keys.
std::string file_of(const std::string& resources, const std::string& tasks, const std::string& checks,
                    const std::string& extra = "") {
  return R"({"name": "t", "scenario": {"runtime": "current_thread", "resources": )" + resources +
         R"(, "tasks": )" + tasks + extra + R"(}, "checks": )" + checks + "}";
}

const std::string kMutex = R"([{"name": "m", "kind": "tokio_mutex"}])";
const std::string kHangs = R"([{"property": "all_tasks_finish", "expect": "violated"}])";

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

/// The detail that starts with `prefix`, or "".
std::string detail(const properties::Diagnosis& d, const std::string& prefix) {
  for (const auto& sentence : d.details) {
    if (sentence.rfind(prefix, 0) == 0) return sentence;
  }
  return "";
}

}  // namespace

TEST_GROUP(Diagnosis){};

TEST(Diagnosis, AGuardHeldByAPausedTaskIsItsOwnCauseWithTheFixesForAPause) {
  // worker0 may be paused while it holds m (between its lock and its unlock); the others then
  // wait for m forever although no task waits in a cycle.
  const auto d = diagnosis_of(file_of(kMutex, R"([
      {"name": "main", "program": ["spawn holder", "spawn other"]},
      {"name": "holder", "wrapper": "pausable", "program": ["lock m", "sleep", "unlock m"]},
      {"name": "other", "program": ["lock m", "unlock m"]}])",
                                      kHangs, R"(, "faults": {"pause": {"budget": 1, "tasks": ["holder"]}})"));
  STRCMP_EQUAL("held_by_stalled_future", properties::to_string(d.cause));
  CHECK_TRUE(contains(d.summary, "guard held by a paused future: holder holds m's guard and is paused"));
  CHECK_TRUE(d.handover_step.has_value());
  CHECK_TRUE(contains(d.handover_why, "gave holder the guard"));
  CHECK_TRUE(contains(detail(d, "other waits"), "for m behind it forever"));
  CHECK_TRUE(contains(detail(d, "fixes:"), "drop_on_pause"));
  CHECK_TRUE(contains(d.coffman, "circular wait no"));
}

TEST(Diagnosis, ABranchHoldingTheGuardWhileTheLoopBodyWaitsForItIsACycleThroughAFuture) {
  // c0 takes m and sleeps; c1 finishes first, so the loop body runs and locks m, which c0
  // holds; c0's sleep ends, but the set is not polled while the body waits.
  const auto d = diagnosis_of(file_of(kMutex, R"([
      {"name": "main", "program": ["spawn worker"]},
      {"name": "worker", "program": [
        {"unordered": [{"name": "c0", "do": ["lock m", "sleep", "unlock m"]},
                       {"name": "c1", "do": ["yield_now"]}],
         "each": ["lock m", "unlock m"]}]}])",
                                      R"([{"property": "all_tasks_finish", "expect": "violated"},
                                          {"property": "deadlock_free", "expect": "violated"}])"));
  STRCMP_EQUAL("held_by_stalled_future", properties::to_string(d.cause));
  CHECK_TRUE(contains(d.summary, "guard held by a snoozed future: c0 holds m's guard, and worker runs its loop body"));
  CHECK_TRUE(contains(detail(d, "the wait-for graph has a cycle through a future"), "worker -> c0 -> worker"));
  CHECK_TRUE(contains(detail(d, "fixes:"), "its own task"));
}

TEST(Diagnosis, ABargingUnlockThatNotifiesAPausedListenerStrandsTheNotification) {
  const auto d = diagnosis_of(file_of(R"([{"name": "m", "kind": "barging_mutex"}])", R"([
      {"name": "main", "program": ["lock m", "spawn worker", "yield_now", "pause worker0", "unlock m"]},
      {"name": "worker", "copies": 2, "wrapper": "pausable", "program": ["lock m", "unlock m"]}])",
                                      kHangs));
  STRCMP_EQUAL("stranded_notification", properties::to_string(d.cause));
  CHECK_TRUE(contains(d.summary, "an unlock of m notified its listener worker0, which is paused"));
  CHECK_TRUE(contains(detail(d, "m is free"), "worker1 listens for a notification that went to worker0"));
  CHECK_TRUE(contains(detail(d, "fixes:"), "dropping a notified listener passes its notification on"));
}

TEST(Diagnosis, ASecondLockOfAMutexTheTaskHoldsIsACycleOfOneTask) {
  const auto d = diagnosis_of(file_of(kMutex, R"([{"name": "main", "program": ["lock m", "lock m"]}])",
                                      R"([{"property": "deadlock_free", "expect": "violated"}])"),
                              "deadlock_free");
  STRCMP_EQUAL("circular_wait", properties::to_string(d.cause));
  STRCMP_EQUAL("circular wait: main -> main", d.summary.c_str());
  STRCMP_EQUAL("main waits for m, whose guard it holds itself", d.details.at(0).c_str());
  CHECK_TRUE(contains(detail(d, "fixes:"), "not reentrant"));
}

TEST(Diagnosis, AStrandedChannelSlotIsToldInTheChannelsWords) {
  const auto d = diagnosis_of(file_of(R"([{"name": "ch", "kind": "mpsc", "capacity": 1}])", R"([
      {"name": "main", "program": ["spawn sender", "yield_now", "pause sender1", "spawn receiver"]},
      {"name": "sender", "copies": 3, "wrapper": "pausable", "program": ["send ch"]},
      {"name": "receiver", "program": ["recv ch", "recv ch", "recv ch"]}])",
                                      kHangs));
  STRCMP_EQUAL("stranded_permit", properties::to_string(d.cause));
  STRCMP_EQUAL("stranded slot: ch's slot was handed to sender1's send future, which is paused and will never be "
               "polled again",
               d.summary.c_str());
  CHECK_TRUE(contains(detail(d, "ch has no free slot"), "the channel looks full but is empty"));
  CHECK_TRUE(contains(detail(d, "fixes:"), "an unbounded channel"));
}

TEST_GROUP(Narration){};

TEST(Narration, SemaphoreStepsAreToldAsAcquireAndRelease) {
  const auto file = properties::parse_property_file(
      "t.json", file_of(R"([{"name": "s", "kind": "semaphore", "permits": 1}])", R"([
      {"name": "main", "program": ["acquire s", "spawn w", "yield_now", "release s"]},
      {"name": "w", "program": ["acquire s", "release s"]}])",
                        R"x([{"name": "w_done", "formula": "reachable finished(w)", "expect": "reached"}])x"));
  const model::TokioModel m(file.scenario);
  const auto run = properties::run_checks(file, m);
  CHECK_TRUE(run.results.at(0).trace.has_value());
  std::vector<std::string> said;
  for (const auto& step : run.results.at(0).trace->steps) {
    for (const auto& effect : step.effects) said.push_back(effect.text);
  }
  auto told = [&](const std::string& sentence) {
    for (const auto& s : said) {
      if (s == sentence) return true;
    }
    return false;
  };
  CHECK_TRUE(told("acquire s -> acquired"));
  CHECK_TRUE(told("acquire s -> pending: queued as the only waiter (the permit is taken)"));
  CHECK_TRUE(told("release s -> permit assigned to w (oldest waiter); wake w issued"));
  CHECK_TRUE(told("release s -> permit returned (available 1)"));
  for (const auto& s : said) CHECK_FALSE(contains(s, "unlock"));
  // The compiled program says it the same way.
  STRCMP_EQUAL("release s", model::describe_op(file.scenario, file.scenario.tasks[1].program[1]).c_str());
}
