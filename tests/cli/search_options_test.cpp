// End-to-end tests of the options that steer the search: --threads, --max-memory, --time-limit,
// --no-symmetry, --first and --hash-compaction, their refusals, and that none of them changes a report it should not.
#include <string>

#include "tests/cli/tool_run.hpp"

#include <CppUTest/TestHarness.h>

namespace {

using namespace wakecheck::testing;

void check_refused(const ToolRun& run, const std::string& error) {
  LONGS_EQUAL(2, run.exit_code);
  STRCMP_EQUAL("", run.out.c_str());
  STRCMP_EQUAL((error + " (see wakecheck --help)\n").c_str(), run.err.c_str());
}

}  // namespace

TEST_GROUP(SearchOptions) {
  TempDir dir;
  void setup() override { CHECK_TRUE(dir.ok()); }
};

TEST(SearchOptions, TheReportsAreTheSameBytesForOneThreadAndForFour) {
  const std::string args = " properties/seed/pausable_worker_multi_thread.json properties/deadlock --no-timing";
  const ToolRun one = run_wakecheck(dir, "check --threads 1 --json " + quote(dir.file("one.json")) + args);
  const ToolRun four = run_wakecheck(dir, "check --threads 4 --json " + quote(dir.file("four.json")) + args);
  LONGS_EQUAL(0, one.exit_code);
  LONGS_EQUAL(0, four.exit_code);
  STRCMP_EQUAL(one.out.c_str(), four.out.c_str());
  STRCMP_EQUAL(read_file(dir.file("one.json")).c_str(), read_file(dir.file("four.json")).c_str());
}

TEST(SearchOptions, WithoutSymmetryTheVerdictsAreTheSameAndMoreStatesAreStored) {
  const std::string file = " properties/scale/seed_15_workers.json --no-timing";
  const ToolRun with = run_wakecheck(dir, "check" + file);
  const ToolRun without = run_wakecheck(dir, "check --no-symmetry --max-states 200000" + file);
  LONGS_EQUAL(0, with.exit_code);
  STRCMP_CONTAINS("states counted up to renaming of interchangeable copies: {worker0, worker1, ..., worker14} (15 copies)",
                  with.out.c_str());
  // Fifteen workers without symmetry do not fit in 200,000 states: the bound says so.
  LONGS_EQUAL(1, without.exit_code);
  CHECK_FALSE(contains(without.out, "renaming"));
  STRCMP_CONTAINS("(stopped at the state bound: incomplete)", without.out.c_str());
  STRCMP_CONTAINS("all_tasks_finish          unknown", without.out.c_str());
  // Any of four workers may be paused: 171 states as they are, 120 up to renaming the workers,
  // with the same verdicts.
  const ToolRun small = run_wakecheck(dir, "check --no-symmetry properties/seed/pause_any_time.json --no-timing");
  const ToolRun reduced = run_wakecheck(dir, "check properties/seed/pause_any_time.json --no-timing");
  LONGS_EQUAL(0, small.exit_code);
  LONGS_EQUAL(0, reduced.exit_code);
  STRCMP_CONTAINS("explored 171 states", small.out.c_str());
  STRCMP_CONTAINS("explored 120 states", reduced.out.c_str());
  auto verdicts = [](const std::string& out) { return out.substr(out.find("\n\n"), out.find("\n\n", out.find("\n\n") + 2) - out.find("\n\n")); };
  STRCMP_EQUAL(verdicts(small.out).c_str(), verdicts(reduced.out).c_str());
}

TEST(SearchOptions, FirstStopsAtTheFirstCounterexampleAndSaysTheRestIsUnknown) {
  const ToolRun run = run_wakecheck(dir, "check --first properties/seed/pausable_worker.json --no-timing");
  LONGS_EQUAL(1, run.exit_code);
  STRCMP_CONTAINS("(stopped at the first counterexample: incomplete; it has the fewest steps, perhaps not the "
                  "fewest faults)", run.out.c_str());
  STRCMP_CONTAINS("all_tasks_finish          violated", run.out.c_str());
  STRCMP_CONTAINS("mutual_exclusion          unknown", run.out.c_str());
  STRCMP_CONTAINS("its lock future owns m's permit, which is stranded", run.out.c_str());
}

TEST(SearchOptions, HashCompactionKeepsEveryInvariantVerdictAndSaysWhatItCannotDecide) {
  // The seed on multi_thread: the same states and the same verdicts, a stranded permit found at a
  // stuck state, and the chance of a missed state.
  const std::string file = " properties/seed/pausable_worker_multi_thread.json --no-timing";
  const ToolRun full = run_wakecheck(dir, "check" + file);
  const ToolRun compact = run_wakecheck(dir, "check --hash-compaction --json " + quote(dir.file("hc.json")) + file);
  LONGS_EQUAL(0, full.exit_code);
  LONGS_EQUAL(0, compact.exit_code);
  STRCMP_CONTAINS("explored 155 states, 255 transitions, depth 21\n", compact.out.c_str());
  STRCMP_CONTAINS("hash compaction: fingerprints only; the probability that a state was missed is at most 6.5e-16",
                  compact.out.c_str());
  STRCMP_CONTAINS("all_tasks_finish          violated     (expected violated)     ok", compact.out.c_str());
  STRCMP_CONTAINS("\"hash_compaction\": {", read_file(dir.file("hc.json")).c_str());
  // The same bytes on any number of threads.
  const ToolRun two = run_wakecheck(dir, "check --hash-compaction --threads 2 --json " + quote(dir.file("hc2.json")) + file);
  STRCMP_EQUAL(compact.out.c_str(), two.out.c_str());
  STRCMP_EQUAL(read_file(dir.file("hc.json")).c_str(), read_file(dir.file("hc2.json")).c_str());
  // The fix's runs form a tree (every transition finds a new state): no cycle, one path to each
  // stuck state, so liveness is decided there too.
  const ToolRun fix = run_wakecheck(dir, "check --hash-compaction properties/seed/drop_on_pause.json --no-timing");
  LONGS_EQUAL(0, fix.exit_code);
  STRCMP_CONTAINS("all_tasks_finish          holds", fix.out.c_str());
  // Where runs may cycle, "every task finishes" cannot be shown from fingerprints: the verdict is
  // unknown, and the report says why.
  const ToolRun cycles =
      run_wakecheck(dir, "check --hash-compaction properties/primitives/s22_coop_assigned.json --no-timing");
  LONGS_EQUAL(1, cycles.exit_code);
  STRCMP_CONTAINS("liveness: decided at stuck states only; runs that cycle forever were not searched",
                  cycles.out.c_str());
  STRCMP_CONTAINS("all_tasks_finish             unknown   (expected holds)      MISMATCH", cycles.out.c_str());
  STRCMP_CONTAINS("no_model_error               holds", cycles.out.c_str());
}

TEST(SearchOptions, RandomSchedulesFindTheSeedsHangAndSayWhatTheyCovered) {
  const std::string file = " properties/seed/pausable_worker_multi_thread.json --no-timing";
  const ToolRun run = run_wakecheck(dir, "check --random 200 --seed 5 --json " + quote(dir.file("r.json")) + file);
  const ToolRun again = run_wakecheck(dir, "check --random 200 --seed 5" + file);
  // What the runs do not violate is unknown, so the file's "holds" expectations are not met.
  LONGS_EQUAL(1, run.exit_code);
  STRCMP_EQUAL(run.out.c_str(), again.out.c_str());
  STRCMP_CONTAINS("random schedules: 200 runs (uniform, seed 5), 200 ended stuck, 0 cut at 10000 steps;",
                  run.out.c_str());
  STRCMP_CONTAINS("nothing is proven by random runs: what none violated is unknown", run.out.c_str());
  STRCMP_CONTAINS("all_tasks_finish          violated  (expected violated)     ok", run.out.c_str());
  STRCMP_CONTAINS("mutual_exclusion          unknown   (expected holds)        MISMATCH", run.out.c_str());
  STRCMP_CONTAINS("counterexample, the shortest the random runs found (", run.out.c_str());
  STRCMP_CONTAINS("its lock future owns m's permit, which is stranded", run.out.c_str());
  // The counterexample replays on the model.
  const ToolRun replay = run_wakecheck(dir, "replay " + quote(dir.file("r.json")));
  LONGS_EQUAL(0, replay.exit_code);
  const ToolRun pct = run_wakecheck(dir, "check --random 50 --pct 2" + file);
  STRCMP_CONTAINS("(PCT depth 2, seed 1)", pct.out.c_str());
  STRCMP_CONTAINS("each run finds a bug of depth 2 with probability at least", pct.out.c_str());
  check_refused(run_wakecheck(dir, "check --seed 3" + file),
                "wakecheck: options '--seed', '--pct' and '--max-steps' steer random schedules: they need '--random RUNS'");
  check_refused(run_wakecheck(dir, "check --random 5 --hash-compaction" + file),
                "wakecheck: '--random' runs schedules and '--hash-compaction' searches every state: choose one");
  check_refused(run_wakecheck(dir, "check --random 0" + file),
                "wakecheck: option '--random' needs a positive whole number, found '0'");
}

TEST(SearchOptions, ATimeLimitEndsTheSearchIncomplete) {
  const ToolRun run = run_wakecheck(dir, "check --time-limit 0.000001 --no-symmetry properties/scale/seed_15_workers.json");
  LONGS_EQUAL(1, run.exit_code);
  STRCMP_CONTAINS("(stopped at the time limit: incomplete)", run.out.c_str());
}

TEST(SearchOptions, AMemoryBudgetEndsTheSearchIncomplete) {
  const ToolRun run = run_wakecheck(dir, "check --max-memory 4M --no-symmetry properties/scale/seed_15_workers.json");
  LONGS_EQUAL(1, run.exit_code);
  STRCMP_CONTAINS("(stopped at the memory budget: incomplete)", run.out.c_str());
}

TEST(SearchOptions, BadValuesAreRefusedWithOneLine) {
  const std::string file = " properties/seed/pausable_worker.json";
  check_refused(run_wakecheck(dir, "check --threads 0" + file),
                "wakecheck: option '--threads' needs a positive whole number, found '0'");
  check_refused(run_wakecheck(dir, "check --threads 5000" + file),
                "wakecheck: option '--threads' takes at most 1024 threads, found '5000'");
  check_refused(run_wakecheck(dir, "check --max-memory 12X" + file),
                "wakecheck: option '--max-memory' needs a size such as 512M or 4G, found '12X'");
  check_refused(run_wakecheck(dir, "check --max-memory 99999999999T" + file),
                "wakecheck: option '--max-memory' needs a size such as 512M or 4G, found '99999999999T'");
  check_refused(run_wakecheck(dir, "check --time-limit -3" + file),
                "wakecheck: option '--time-limit' needs a positive number of seconds, found '-3'");
  check_refused(run_wakecheck(dir, "check --time-limit nan" + file),
                "wakecheck: option '--time-limit' needs a positive number of seconds, found 'nan'");
  check_refused(run_wakecheck(dir, "check" + file + " --threads"), "wakecheck: option '--threads' needs a value");
  check_refused(run_wakecheck(dir, "check --frist" + file), "wakecheck: unknown option '--frist'; did you mean '--first'?");
}
