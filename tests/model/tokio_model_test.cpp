// Tests of the tokio rules against tokio 1.24.2 as docs/tokio-model.md writes them: Mutex over
// the batch semaphore (#batch-semaphore, #mutex), cancellation (#wrappers) and the scenarios
// (#scenarios) that a tokio Mutex can express; the scheduler's rules are scheduler_test.cpp's.
// current_thread runs are stepped one scheduler event at a time (there is exactly one);
// multi_thread runs are explored exhaustively.
//
// In every scenario main awaits the JoinHandles of the tasks it spawns before it returns: in
// tokio, block_on returns when main's future is Ready and the runtime's drop then drops every
// task's future (#current-thread-scheduler, #left-out), so what tasks do after main has finished
// is not tokio behaviour.
#include "tests/model/tokio_model_fixture.hpp"

// --- Mutex over the batch semaphore (#mutex) --------------------------------------------------

TEST_GROUP(TokioMutex){};

TEST(TokioMutex, ReleaseAssignsPermitToOldestWaiterBeforeItIsPolled) {
  const Scenario sc = seed({.wrapper = Wrapper::kNone});
  const TokioModel model(sc);
  Runner run(model);
  // Up to the end of main's second poll (it unlocks m, then awaits worker0).
  run.run_until_polled(kMainTask, 2);
  const State& s = run.state();
  UNSIGNED_LONGS_EQUAL(1, q::owned_by_future(s, worker(0), kM));
  UNSIGNED_LONGS_EQUAL(0, q::held_by(s, worker(0), kM));
  UNSIGNED_LONGS_EQUAL(0, q::guard_holders(s, sc, kM));
  UNSIGNED_LONGS_EQUAL(0, s.semaphore(kM).available());
  CHECK_FALSE(q::waits_on(s, sc, worker(0)).has_value());
  for (std::size_t i = 1; i < 4; ++i) {
    CHECK_TRUE(q::waits_on(s, sc, worker(i)) == kM);
    UNSIGNED_LONGS_EQUAL(0, q::owned_by_future(s, worker(i), kM));
  }
  // The wake was issued; worker0 has not been polled since it queued.
  UNSIGNED_LONGS_EQUAL(1, run.polls_of(worker(0)));
  UNSIGNED_LONGS_EQUAL(1, s.task(worker(0)).wake_pending);
  // Its next poll turns the assigned permit into a guard.
  run.run_until_polled(worker(0), 2);
  UNSIGNED_LONGS_EQUAL(1, q::held_by(run.state(), worker(0), kM));
  UNSIGNED_LONGS_EQUAL(0, q::owned_by_future(run.state(), worker(0), kM));
}

TEST(TokioMutex, WaitersAcquireInTheOrderTheyQueued) {
  const Scenario sc = seed({.wrapper = Wrapper::kNone});
  const TokioModel model(sc);
  Runner run(model);
  run.run();
  check_tasks({worker(0), worker(1), worker(2), worker(3), kMainTask}, run.finish_order());
  check_free(run.state(), sc);
}

TEST(TokioMutex, UnlockThenTryLockInTheSamePollFailsBecauseThePermitIsInTheWaitersNode) {
  // S2: main holds; A queued; main drops the guard and immediately calls try_lock (Err), then
  // lock().await: A locked, A released, main re-locked.
  const Scenario sc = scenario({
      task("main", {op(OpKind::kLock), op(OpKind::kSpawn, 1), op(OpKind::kYieldNow),
                    op(OpKind::kUnlock), op(OpKind::kTryLock), op(OpKind::kLock),
                    op(OpKind::kUnlock)}),
      task("a", {op(OpKind::kLock), op(OpKind::kUnlock)}),
  });
  const TaskId a = task_id(1);
  const TokioModel model(sc);
  Runner run(model);
  run.run_until_polled(kMainTask, 2);
  const State& s = run.state();
  UNSIGNED_LONGS_EQUAL(0, q::held_by(s, kMainTask, kM));  // try_lock failed
  UNSIGNED_LONGS_EQUAL(1, q::owned_by_future(s, a, kM));
  CHECK_TRUE(q::waits_on(s, sc, kMainTask) == kM);  // main's lock() queued behind
  UNSIGNED_LONGS_EQUAL(0, s.semaphore(kM).available());
  run.run();
  check_tasks({kMainTask, a, kMainTask, a, kMainTask}, run.polls());
  check_tasks({a, kMainTask}, run.finish_order());
  check_free(run.state(), sc);
}

TEST(TokioMutex, GuardHeldWhenTheFutureFinishesIsReleased) {
  // #tasks: a completed task's future is dropped at once, running the guard's destructor.
  const Scenario sc = scenario({
      task("main", then_join({op(OpKind::kSpawn, 1), op(OpKind::kSpawn, 2)}, {1, 2})),
      task("a", {op(OpKind::kLock)}),
      task("b", {op(OpKind::kLock), op(OpKind::kYieldNow)}),
  });
  const TokioModel model(sc);
  Runner run(model);
  run.run();
  check_tasks({task_id(1), task_id(2), kMainTask}, run.finish_order());
  check_free(run.state(), sc);
}

// --- the seed and its variants (#stranding) --------------------------------------------------

TEST_GROUP(TokioSeed){};

TEST(TokioSeed, PausedAssignedWaiterStrandsThePermitAndEveryLaterWaiterHangs) {
  // S1: w0 finishes; w1, w2, w3 never finish; w1's lock future owns the permit; no guard is held;
  // available is 0; try_lock fails.
  const Scenario sc = seed();
  const TokioModel model(sc);
  Runner run(model);
  run.run();
  const State& s = run.state();
  check_tasks({worker(0)}, run.finish_order());
  CHECK(status(s, worker(0)) == TaskStatus::kComplete);
  for (std::size_t i = 1; i < 4; ++i) {
    CHECK_FALSE(finished(s, worker(i)));
    CHECK(status(s, worker(i)) == TaskStatus::kIdle);
  }
  UNSIGNED_LONGS_EQUAL(1, q::owned_by_future(s, worker(1), kM));
  CHECK_FALSE(q::waits_on(s, sc, worker(1)).has_value());
  CHECK_TRUE(q::waits_on(s, sc, worker(2)) == kM);
  CHECK_TRUE(q::waits_on(s, sc, worker(3)) == kM);
  for (std::size_t i = 0; i < 4; ++i) UNSIGNED_LONGS_EQUAL(0, q::held_by(s, worker(i), kM));
  check_stranded(s, sc);
  // w1 was woken and polled once more, but its wrapper swallowed the poll.
  UNSIGNED_LONGS_EQUAL(2, run.polls_of(worker(1)));
  UNSIGNED_LONGS_EQUAL(1, run.polls_of(worker(2)));
  UNSIGNED_LONGS_EQUAL(1, run.polls_of(worker(3)));
  // The hang is a chain, not a cycle: w2 and w3 wait for w1's unpolled future, main for w1.
  const auto edges = q::wait_for_edges(s, sc);
  UNSIGNED_LONGS_EQUAL(3, edges.size());
  for (const auto& [from, to] : edges) {
    CHECK_TRUE(from == kMainTask || from == worker(2) || from == worker(3));
    CHECK_TRUE(to == worker(1));
  }
  CHECK_FALSE(q::has_wait_for_cycle(s, sc));
}

TEST(TokioSeed, DropOnPauseForwardsThePermitAndTheOtherWorkersFinish) {
  // S1a: w0, w2, w3 finish; w1 does not (paused); try_lock OK.
  const Scenario sc = seed({.wrapper = Wrapper::kDropOnPause});
  const TokioModel model(sc);
  Runner run(model);
  run.run();
  const State& s = run.state();
  check_tasks({worker(0), worker(1), worker(2), worker(3), kMainTask}, run.finish_order());
  CHECK(status(s, worker(0)) == TaskStatus::kComplete);
  CHECK(status(s, worker(1)) == TaskStatus::kDropped);
  CHECK(status(s, worker(2)) == TaskStatus::kComplete);
  CHECK(status(s, worker(3)) == TaskStatus::kComplete);
  UNSIGNED_LONGS_EQUAL(0, q::owned_by_future(s, worker(1), kM));
  check_free(s, sc);
}

TEST(TokioSeed, PausingTheLastWaiterStrandsThePermitAfterTheOthersFinish) {
  // S1e: w3 paused: w0, w1, w2 finish; w3 strands the permit; try_lock Err.
  const Scenario sc = seed({.paused = 3});
  const TokioModel model(sc);
  Runner run(model);
  run.run();
  const State& s = run.state();
  check_tasks({worker(0), worker(1), worker(2)}, run.finish_order());
  CHECK_FALSE(finished(s, worker(3)));
  UNSIGNED_LONGS_EQUAL(1, q::owned_by_future(s, worker(3), kM));
  CHECK_TRUE(s.semaphore(kM).queue().empty());
  check_stranded(s, sc);
}

TEST(TokioSeed, PausingBeforeTheFirstPollIsHarmless) {
  // S1f: w1 paused before its first poll: w0, w2, w3 finish (w1 was never queued).
  const Scenario sc = seed({.pause_before_first_poll = true});
  const TokioModel model(sc);
  Runner run(model);
  run.run();
  const State& s = run.state();
  check_tasks({worker(0), worker(2), worker(3)}, run.finish_order());
  CHECK_FALSE(finished(s, worker(1)));
  UNSIGNED_LONGS_EQUAL(0, s.semaphore(kM).node(q::waiter_of(worker(1))).queued);
  UNSIGNED_LONGS_EQUAL(0, q::owned_by_future(s, worker(1), kM));
  CHECK_FALSE(q::waits_on(s, sc, worker(1)).has_value());
  check_free(s, sc);
}

TEST(TokioSeed, AbortingThePausedAssignedWorkerForwardsThePermit) {
  // S1d: S1, then abort() w1: before the abort only w0 is done; after it w2, w3 finish and
  // try_lock is OK.
  const Scenario sc = seed({.abort_after_first_finishes = true});
  const TokioModel model(sc);
  Runner run(model);
  // Just before main's poll that aborts w1: the S1 situation.
  run.run_until([&](StateView s) {
    return s.task(worker(0)).finished() && s.task(kMainTask).status == TaskStatus::kScheduled &&
           s.scheduler().phase == wakecheck::model::Phase::kTop;
  });
  {
    const State& s = run.state();
    check_tasks({worker(0)}, run.finish_order());
    UNSIGNED_LONGS_EQUAL(1, q::owned_by_future(s, worker(1), kM));
    check_stranded(s, sc);
  }
  run.run();
  const State& s = run.state();
  CHECK(status(s, worker(1)) == TaskStatus::kCancelled);
  CHECK(status(s, worker(2)) == TaskStatus::kComplete);
  CHECK(status(s, worker(3)) == TaskStatus::kComplete);
  check_tasks({worker(0), worker(1), worker(2), worker(3), kMainTask}, run.finish_order());
  check_free(s, sc);
}

TEST(TokioSeed, AbortOfAnAssignedButUnpolledWaiterForwardsThePermit) {
  // S15: main holds; w0, w1 queued; main drops the guard (w0 assigned and scheduled) and aborts
  // w0 in the same poll: w0 is cancelled, its permit is forwarded, w1 finishes.
  const Scenario sc = scenario({
      task("main", {op(OpKind::kLock), op(OpKind::kSpawn, 1), op(OpKind::kSpawn, 2),
                    op(OpKind::kYieldNow), op(OpKind::kUnlock), op(OpKind::kAbort, 1),
                    op(OpKind::kJoin, 1), op(OpKind::kJoin, 2)}),
      task("w0", {op(OpKind::kLock), op(OpKind::kUnlock)}),
      task("w1", {op(OpKind::kLock), op(OpKind::kUnlock)}),
  });
  const TaskId w0 = task_id(1), w1 = task_id(2);
  const TokioModel model(sc);
  Runner run(model);
  run.run_until_polled(kMainTask, 2);
  UNSIGNED_LONGS_EQUAL(1, q::owned_by_future(run.state(), w0, kM));
  UNSIGNED_LONGS_EQUAL(1, run.state().task(w0).cancel_requested);
  UNSIGNED_LONGS_EQUAL(1, run.state().run_queue().size());  // the abort queued nothing extra
  run.run();
  const State& s = run.state();
  CHECK(status(s, w0) == TaskStatus::kCancelled);
  CHECK(status(s, w1) == TaskStatus::kComplete);
  UNSIGNED_LONGS_EQUAL(0, q::held_by(s, w0, kM));
  check_tasks({w0, w1, kMainTask}, run.finish_order());
  check_free(s, sc);
}

TEST(TokioSeed, DroppingTheInnerFutureOfTheAssignedWorkerLetsTheRestFinish) {
  // #acquire-drop, S1a with an explicit drop (the program's `drop`), after w1 was assigned.
  std::vector<Op> main_program{op(OpKind::kLock)};
  for (std::size_t i = 0; i < 4; ++i) main_program.push_back(op(OpKind::kSpawn, worker_target(i)));
  for (Op o : {op(OpKind::kYieldNow), op(OpKind::kPause, worker_target(1)), op(OpKind::kUnlock),
               op(OpKind::kJoin, worker_target(0)), op(OpKind::kDrop, worker_target(1))}) {
    main_program.push_back(o);
  }
  main_program = then_join(std::move(main_program), {3, 4});
  std::vector<TaskDef> tasks{task("main", main_program)};
  for (std::size_t i = 0; i < 4; ++i) {
    tasks.push_back(task("worker" + std::to_string(i),
                         {op(OpKind::kLock), op(OpKind::kSleep), op(OpKind::kUnlock)},
                         Wrapper::kPausable));
  }
  const Scenario sc = scenario(std::move(tasks));
  const TokioModel model(sc);
  Runner run(model);
  run.run();
  const State& s = run.state();
  CHECK(status(s, worker(1)) == TaskStatus::kDropped);
  CHECK(status(s, worker(2)) == TaskStatus::kComplete);
  CHECK(status(s, worker(3)) == TaskStatus::kComplete);
  CHECK(status(s, kMainTask) == TaskStatus::kComplete);
  check_free(s, sc);
}

// --- exhaustive: multi_thread and invariants ---------------------------------------------------

TEST_GROUP(TokioSeedSearch){};

namespace {

/// S1 for multi_thread, where any ready task may run next: the workers still queue in order,
/// because each one spawns the next in the same poll in which it queues, and main releases only
/// after the last has queued (it joins a marker task the last worker spawns as it queues).
Scenario chained_seed(Flavor flavor) {
  const std::uint8_t marker = 5;
  std::vector<TaskDef> tasks{task("main", then_join({op(OpKind::kLock), op(OpKind::kSpawn, 1),
                                                      op(OpKind::kJoin, marker),
                                                      op(OpKind::kPause, 2), op(OpKind::kUnlock)},
                                                     {1, 2, 3, 4}))};
  for (std::size_t i = 0; i < 4; ++i) {
    const auto next = static_cast<std::uint8_t>(i + 2);  // worker i+1, or the marker after w3
    tasks.push_back(task("worker" + std::to_string(i),
                         {op(OpKind::kSpawn, next), op(OpKind::kLock), op(OpKind::kSleep),
                          op(OpKind::kUnlock)},
                         Wrapper::kPausable));
  }
  tasks.push_back(task("marker", {}));
  return scenario(std::move(tasks), flavor);
}

bool s1_outcome(StateView s, const Scenario& sc) {
  return s.task(worker(0)).status == TaskStatus::kComplete && !s.task(worker(1)).finished() &&
         !s.task(worker(2)).finished() && !s.task(worker(3)).finished() &&
         q::owned_by_future(s, worker(1), kM) == 1 && q::waits_on(s, sc, worker(2)) == kM &&
         q::waits_on(s, sc, worker(3)) == kM && q::guard_holders(s, sc, kM) == 0 &&
         s.semaphore(kM).available() == 0;
}

}  // namespace

TEST(TokioSeedSearch, ChainedSeedOnCurrentThreadEndsInTheSeedOutcome) {
  const Scenario sc = chained_seed(Flavor::kCurrentThread);
  const TokioModel model(sc);
  Runner run(model);
  run.run();
  CHECK_TRUE(s1_outcome(run.state(), sc));
  check_stranded(run.state(), sc);
}

TEST(TokioSeedSearch, MultiThreadSeedReachesTheSameOutcomeAtEveryDeadEnd) {
  // S1m: the seed on multi_thread gives the same outcome as on current_thread.
  const Scenario sc = chained_seed(Flavor::kMultiThread);
  const TokioModel model(sc);
  std::vector<explorer::Property> properties{
      state_property(model, "seed outcome", explorer::PropertyKind::kAtDeadEnds,
               [&sc](StateView s) { return s1_outcome(s, sc); }),
      permits_conserved(model),
      mutual_exclusion(model),
  };
  const auto result = explorer::search(model, properties);
  check_holds(result);
  // Every schedule ends in the one S1 end state.
  UNSIGNED_LONGS_EQUAL(1, result.stats.dead_ends);
  CHECK_TRUE(result.stats.states > 1);
}

TEST(TokioSeedSearch, MultiThreadSeedStrandsThePermitWheneverThePausedWorkerQueuedBeforeTheRelease) {
  // The plain seed on multi_thread, where main may resume before some workers first run: w1 is
  // either queued when main sets its flag (then it is assigned the permit and strands it: no
  // guard, available 0, every unfinished worker waits on m behind it), or not yet polled (then
  // it never queues and every other worker finishes). The exact S1 outcome is one of the ends.
  const Scenario sc = seed({.flavor = Flavor::kMultiThread});
  const TokioModel model(sc);
  auto dead_end = [&model](StateView s) {
    std::vector<Event> enabled;
    model.enabled_events(s, enabled);
    for (const Event& e : enabled) {
      if (!model.is_environment(e)) return false;
    }
    return true;
  };
  auto stranded_or_never_queued = [&sc](StateView s) {
    if (s.task(worker(1)).finished()) return false;
    if (q::owned_by_future(s, worker(1), kM) == 1) {
      bool others_wait = true;
      for (std::size_t i : {0U, 2U, 3U}) {
        others_wait = others_wait && (s.task(worker(i)).status == TaskStatus::kComplete ||
                                      q::waits_on(s, sc, worker(i)) == kM);
      }
      return others_wait && q::guard_holders(s, sc, kM) == 0 && s.semaphore(kM).available() == 0;
    }
    return s.semaphore(kM).node(q::waiter_of(worker(1))).queued == 0 &&
           s.task(worker(0)).status == TaskStatus::kComplete &&
           s.task(worker(2)).status == TaskStatus::kComplete &&
           s.task(worker(3)).status == TaskStatus::kComplete && s.semaphore(kM).available() == 1;
  };
  std::vector<explorer::Property> properties{
      state_property(model, "paused worker strands the permit or never queues",
               explorer::PropertyKind::kAtDeadEnds, stranded_or_never_queued),
      state_property(model, "the S1 outcome is reachable", explorer::PropertyKind::kSometimes,
               [&](StateView s) { return dead_end(s) && s1_outcome(s, sc); }),
      state_property(model, "S1f outcome is reachable", explorer::PropertyKind::kSometimes,
               [&](StateView s) {
                 return dead_end(s) && s.semaphore(kM).node(q::waiter_of(worker(1))).queued == 0 &&
                        s.semaphore(kM).available() == 1;
               }),
      permits_conserved(model),
      mutual_exclusion(model),
  };
  const auto result = explorer::search(model, properties);
  check_holds(result);
  CHECK_TRUE(result.stats.dead_ends > 1);
}

TEST(TokioSeedSearch, MultiThreadDropOnPauseLetsEveryUnpausedWorkerFinishAtEveryDeadEnd) {
  Scenario sc = chained_seed(Flavor::kMultiThread);
  for (std::size_t i = 0; i < 4; ++i) sc.futures[index(worker(i))].wrapper = Wrapper::kDropOnPause;
  const TokioModel model(sc);
  std::vector<explorer::Property> properties{
      state_property(model, "S1a outcome", explorer::PropertyKind::kAtDeadEnds,
               [&sc](StateView s) {
                 return s.task(worker(0)).status == TaskStatus::kComplete &&
                        s.task(worker(1)).status == TaskStatus::kDropped &&
                        s.task(worker(2)).status == TaskStatus::kComplete &&
                        s.task(worker(3)).status == TaskStatus::kComplete &&
                        s.semaphore(kM).available() == 1 && q::guard_holders(s, sc, kM) == 0;
               }),
      permits_conserved(model),
      mutual_exclusion(model),
  };
  const auto result = explorer::search(model, properties);
  check_holds(result);
  CHECK_TRUE(result.stats.dead_ends >= 1);
}

TEST(TokioSeedSearch, PermitsAreConservedInEveryReachableStateOfTheSeedScenarios) {
  // Invariant: available + guards + permits assigned to futures == the mutex's one permit.
  const std::vector<Scenario> scenarios{
      seed(),
      seed({.wrapper = Wrapper::kDropOnPause}),
      seed({.paused = 3}),
      seed({.pause_before_first_poll = true}),
      seed({.abort_after_first_finishes = true}),
      seed({.flavor = Flavor::kMultiThread}),
      seed({.wrapper = Wrapper::kDropOnPause, .flavor = Flavor::kMultiThread}),
      seed({.abort_after_first_finishes = true, .flavor = Flavor::kMultiThread}),
  };
  for (const Scenario& sc : scenarios) {
    const TokioModel model(sc);
    const auto result = explorer::search(model, {permits_conserved(model), mutual_exclusion(model)});
    check_holds(result);
  }
}

TEST(TokioSeedSearch, PermitsAreConservedUnderInjectedPausesResumesAndDrops) {
  // The seed without main's own pause; the environment may pause, resume and drop any worker
  // at any point (one of each).
  for (Flavor flavor : {Flavor::kCurrentThread, Flavor::kMultiThread}) {
    Scenario sc = seed({.flavor = flavor});
    auto& main_program = sc.tasks[0].program;
    std::erase_if(main_program, [](const Op& o) { return o.kind == OpKind::kPause; });
    for (FaultKind kind : {FaultKind::kPause, FaultKind::kResume, FaultKind::kDrop}) {
      auto& fault = sc.faults[static_cast<std::size_t>(kind)];
      fault.budget = 1;
      // Pause and resume strike futures (here each worker's own), drop strikes tasks.
      if (kind == FaultKind::kDrop) {
        fault.tasks = {false, true, true, true, true};
      } else {
        fault.futures = {false, true, true, true, true};
      }
    }
    const TokioModel model(sc);
    const auto result = explorer::search(model, {permits_conserved(model), mutual_exclusion(model)});
    check_holds(result);
    CHECK_TRUE(result.stats.states > 100);
  }
}

TEST_GROUP(TokioResume){};

TEST(TokioResume, ResumingATaskPausedBeforeItsFirstPollWakesIt) {
  // The worker is paused before it first runs, so its first poll is swallowed and nothing of
  // the inner future has started; `resume` clears the flag and wakes it, and it finishes.
  std::vector<Op> main_program{op(OpKind::kSpawn, 1), op(OpKind::kPause, 1), op(OpKind::kYieldNow),
                               op(OpKind::kResume, 1), op(OpKind::kJoin, 1)};
  const Scenario sc = scenario({task("main", main_program),
                                task("worker", {op(OpKind::kYieldNow)}, Wrapper::kPausable)});
  const TokioModel model(sc);
  Runner run(model);
  run.run();
  const State& s = run.state();
  CHECK(s.task(TaskId{1}).status == TaskStatus::kComplete);
  CHECK(s.task(kMainTask).status == TaskStatus::kComplete);
}
