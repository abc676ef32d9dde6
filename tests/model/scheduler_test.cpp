// Tests of the current_thread scheduler's rules against tokio 1.24.2 (docs/tokio-model.md#tasks,
// #current-thread-scheduler, #yield-now): spawn order, the block_on future polled at the top of
// the loop, wake coalescing, yield_now's deferred wake, event_interval.
#include "tests/model/tokio_model_fixture.hpp"

// --- scheduling (#tasks to #yield-now) -----------------------------------------------------------

TEST_GROUP(TokioScheduler){};

TEST(TokioScheduler, SpawnedTasksDoNotRunUntilMainReturnsPending) {
  const TokioModel model(scenario({
      task("main", {op(OpKind::kSpawn, 1), op(OpKind::kSpawn, 2), op(OpKind::kYieldNow)}),
      task("a", {}),
      task("b", {}),
  }));
  Runner run(model);
  CHECK_TRUE(run.step());  // main's first poll: both spawns, then yield_now is Pending
  check_tasks({kMainTask}, run.polls());
  CHECK(status(run.state(), task_id(1)) == TaskStatus::kScheduled);
  CHECK(status(run.state(), task_id(2)) == TaskStatus::kScheduled);
  UNSIGNED_LONGS_EQUAL(0, run.finish_order().size());
}

TEST(TokioScheduler, SpawnOrderIsRunOrderOnCurrentThread) {
  // #current-thread-scheduler: tasks spawned from main run in spawn order once main returns Pending (not task order).
  const TokioModel model(scenario({
      task("main", then_join({op(OpKind::kSpawn, 3), op(OpKind::kSpawn, 1), op(OpKind::kSpawn, 2)},
                             {1, 2, 3})),
      task("a", {}),
      task("b", {}),
      task("c", {}),
  }));
  Runner run(model);
  run.run();
  check_tasks({kMainTask, task_id(3), task_id(1), task_id(2), kMainTask}, run.polls());
  check_tasks({task_id(3), task_id(1), task_id(2), kMainTask}, run.finish_order());
}

TEST(TokioScheduler, MainResumesFromYieldNowOnlyAfterTheRunQueueDrains) {
  // #current-thread-scheduler, S20: the block_on future is not a task; with fewer than 61 ready tasks, all of them
  // run before main's yield_now returns.
  std::vector<Op> main_program;
  std::vector<TaskDef> tasks{task("main", {})};
  for (std::size_t i = 1; i <= 6; ++i) {
    main_program.push_back(op(OpKind::kSpawn, static_cast<std::uint8_t>(i)));
    tasks.push_back(task("t" + std::to_string(i), {}));
  }
  main_program.push_back(op(OpKind::kYieldNow));
  tasks[0].program = main_program;
  const TokioModel model(scenario(std::move(tasks)));
  Runner run(model);
  run.run();
  UNSIGNED_LONGS_EQUAL(8, run.polls().size());
  UNSIGNED_LONGS_EQUAL(static_cast<unsigned>(kMainTask), static_cast<unsigned>(run.polls().back()));
  UNSIGNED_LONGS_EQUAL(7, run.finish_order().size());
  UNSIGNED_LONGS_EQUAL(static_cast<unsigned>(kMainTask),
                       static_cast<unsigned>(run.finish_order().back()));
}

TEST(TokioScheduler, YieldNowResumesAfterEveryReadyTaskIncludingOneWokenMeanwhile) {
  // S17: spawn C (waits), A (A1, yield_now, A2), B (B1, wakes C): A1, B1, C, A2. Here C waits on
  // B's JoinHandle, which B's completion wakes the same way (language_test.cpp has the Notify
  // form).
  const TokioModel model(scenario({
      task("main", then_join({op(OpKind::kSpawn, 1), op(OpKind::kSpawn, 2), op(OpKind::kSpawn, 3)},
                             {1, 2, 3})),
      task("c", {op(OpKind::kJoin, 3)}),
      task("a", {op(OpKind::kYieldNow)}),
      task("b", {}),
  }));
  const TaskId c = task_id(1), a = task_id(2), b = task_id(3);
  Runner run(model);
  run.run();
  // C's first poll (Pending), A1, B1, C (woken by B), A2. main, woken by C's completion, is
  // polled at the top of the loop after the park that issues A's deferred wake (#current-thread-scheduler).
  check_tasks({kMainTask, c, a, b, c, kMainTask, a, kMainTask}, run.polls());
  check_tasks({b, c, a, kMainTask}, run.finish_order());
}

TEST(TokioScheduler, DeferredYieldWakesAreDeliveredFifo) {
  // S25 (1.24.2): A, B, C each log X1, yield_now, log X2 -> A2, B2, C2.
  const TokioModel model(scenario({
      task("main", then_join({op(OpKind::kSpawn, 1), op(OpKind::kSpawn, 2), op(OpKind::kSpawn, 3)},
                             {1, 2, 3})),
      task("a", {op(OpKind::kYieldNow)}),
      task("b", {op(OpKind::kYieldNow)}),
      task("c", {op(OpKind::kYieldNow)}),
  }));
  Runner run(model);
  run.run();
  check_tasks({kMainTask, task_id(1), task_id(2), task_id(3), task_id(1), task_id(2), task_id(3),
               kMainTask},
              run.polls());
  check_tasks({task_id(1), task_id(2), task_id(3), kMainTask}, run.finish_order());
}

TEST(TokioScheduler, WakesOfAnIdleTaskBeforeItRunsCoalesceIntoOnePoll) {
  // S19: an idle task woken 3 times before it runs is polled once for them. X waits on m (main
  // holds it); main wakes X three times (resume issues a wake), then yields, then unlocks.
  const TokioModel model(scenario({
      task("main", {op(OpKind::kLock), op(OpKind::kSpawn, 1), op(OpKind::kYieldNow),
                    op(OpKind::kResume, 1), op(OpKind::kResume, 1), op(OpKind::kResume, 1),
                    op(OpKind::kYieldNow), op(OpKind::kUnlock), op(OpKind::kJoin, 1)}),
      task("x", {op(OpKind::kLock), op(OpKind::kUnlock)}, Wrapper::kPausable),
  }));
  const TaskId x = task_id(1);
  Runner run(model);
  // Right after main's second poll, which woke X three times.
  run.run_until_polled(kMainTask, 2);
  check_tasks({x}, {run.state().run_queue().begin(), run.state().run_queue().end()});
  // Up to main's third poll (the one that unlocks): X ran once for the three wakes.
  run.run_until_polled(kMainTask, 3);
  check_tasks({kMainTask, x, kMainTask, x, kMainTask}, run.polls());
  UNSIGNED_LONGS_EQUAL(1, q::owned_by_future(run.state(), x, kM));  // assigned by the unlock
  run.run();
  check_tasks({kMainTask, x, kMainTask, x, kMainTask, x, kMainTask}, run.polls());
  CHECK(status(run.state(), x) == TaskStatus::kComplete);
}

TEST(TokioScheduler, WakeOfAnAlreadyScheduledTaskIsCoalesced) {
  // #tasks: a wake of a NOTIFIED (queued) task does nothing. main's unlock wakes X; the extra wake
  // (resume) that follows in the same poll does not queue it twice.
  const TokioModel model(scenario({
      task("main", {op(OpKind::kLock), op(OpKind::kSpawn, 1), op(OpKind::kYieldNow),
                    op(OpKind::kUnlock), op(OpKind::kResume, 1), op(OpKind::kResume, 1),
                    op(OpKind::kJoin, 1)}),
      task("x", {op(OpKind::kLock), op(OpKind::kUnlock)}, Wrapper::kPausable),
  }));
  const TaskId x = task_id(1);
  Runner run(model);
  run.run_until_polled(kMainTask, 2);
  UNSIGNED_LONGS_EQUAL(1, run.state().run_queue().size());
  run.run();
  UNSIGNED_LONGS_EQUAL(2, run.polls_of(x));
  CHECK(status(run.state(), x) == TaskStatus::kComplete);
  check_free(run.state(), model.scenario());
}

TEST(TokioScheduler, WokenMainIsPolledWithinOneEventIntervalOfTaskPolls) {
  // #current-thread-scheduler (S20): the block_on future is polled at the top of the scheduler loop, reached when
  // the run queue drains or after event_interval = 61 task polls, whichever comes first. Here
  // b, c and d hand m to each other for about 90 polls without the queue draining; x, which
  // queues in the middle of it, finishes early and wakes main: main must be polled within 61
  // task polls of that wake, while the hand-offs are still going on.
  auto handoffs = [](std::size_t n) {
    std::vector<Op> ops;
    for (std::size_t i = 0; i < n; ++i) {
      ops.push_back(op(OpKind::kUnlock));
      ops.push_back(op(OpKind::kLock));
    }
    return ops;
  };
  std::vector<Op> b{op(OpKind::kLock), op(OpKind::kYieldNow), op(OpKind::kSpawn, 4)};
  std::vector<Op> c{op(OpKind::kLock)};
  for (const Op& o : handoffs(30)) b.push_back(o);
  for (const Op& o : handoffs(31)) c.push_back(o);
  b.push_back(op(OpKind::kUnlock));
  c.push_back(op(OpKind::kUnlock));
  const TokioModel model(scenario({
      task("main", then_join({op(OpKind::kSpawn, 1), op(OpKind::kSpawn, 2), op(OpKind::kSpawn, 3)},
                             {4, 1, 2, 3})),
      task("b", b),
      task("c", c),
      task("d", c),
      task("x", {op(OpKind::kLock), op(OpKind::kUnlock)}),
  }));
  const TaskId x = task_id(4);
  Runner run(model);
  run.run_until([&](StateView s) { return s.task(x).finished(); });
  // x's completion woke main (its JoinHandle), while b, c and d still hand m over.
  CHECK_TRUE(run.state().task(kMainTask).wake_pending == 1 ||
             run.state().task(kMainTask).status == TaskStatus::kScheduled);
  CHECK_FALSE(run.state().task(task_id(1)).finished());
  const std::size_t polls_at_wake = run.polls().size();
  run.run_until_polled(kMainTask, 2);
  const std::size_t task_polls = run.polls().size() - 1 - polls_at_wake;
  CHECK_TEXT(task_polls <= 61,
             ("task polls between main's wake and its poll: " + std::to_string(task_polls)).c_str());
  // b, c and d were still handing m over when main was polled.
  CHECK_FALSE(run.state().task(task_id(1)).finished() && run.state().task(task_id(2)).finished() &&
              run.state().task(task_id(3)).finished());
  run.run();
  CHECK(status(run.state(), kMainTask) == TaskStatus::kComplete);
  check_free(run.state(), model.scenario());
}

TEST(TokioScheduler, NarrationTakesTheSameStepAsNextState) {
  const TokioModel model(seed());
  State s = model.initial_state();
  for (int i = 0; i < 200; ++i) {
    std::vector<Event> enabled;
    model.enabled_events(s, enabled);
    if (enabled.empty()) break;
    std::vector<wakecheck::model::Effect> effects;
    const State told = model.narrate(s, enabled.front(), effects);
    const State next = model.next_state(s, enabled.front());
    CHECK_TRUE(told == next);
    s = next;
  }
  std::vector<Event> left;
  model.enabled_events(s, left);
  UNSIGNED_LONGS_EQUAL(0, left.size());
}

