// The Rust exporter: the program it writes for the seed and for the language's scopes, the
// model's verdict on hangs beside it, and the scenarios it refuses. Whether real tokio agrees
// is tests/conformance/run.sh's job; these tests pin what the program says.
#include "exporters/rust_export.hpp"

#include <CppUTest/TestHarness.h>

#include <cstddef>
#include <string>
#include <vector>

#include "exporters/expected.hpp"
#include "exporters/hang_verdict.hpp"
#include "properties/input_error.hpp"
#include "properties/property_file.hpp"
#include "tests/exporters/shipped.hpp"

namespace {

using wakecheck::properties::InputError;
using wakecheck::properties::PropertyFile;
using wakecheck::testing::shipped;

PropertyFile inline_file(const std::string& scenario) {
  return wakecheck::properties::parse_property_file(
      "inline.json", "{\"name\": \"inline\", \"scenario\": " + scenario +
                         ", \"checks\": [{\"property\": \"all_tasks_finish\"}]}");
}

/// Where `needle` is in `text`, or npos; fails the test when it is missing.
std::size_t at(const std::string& text, const std::string& needle) {
  const std::size_t where = text.find(needle);
  if (where == std::string::npos) FAIL(("missing from the program: " + needle).c_str());
  return where;
}

const std::string kSeed = "properties/seed/pausable_worker.json";

// Function-local statics of the loader, the expression parser and the exporter (the schema,
// regular expressions, keyword sets): built before any test runs, so that CppUTest's leak check
// does not count them against the first test that uses them.
const bool kWarmedUp = [] {
  for (const char* path :
       {"properties/conformance/once_compute_after_scripted.json",
        "properties/language/try_lock_spin.json", "properties/seed/pause_any_time.json",
        "properties/combinators/select_unbiased_both_ready.json",
        "properties/combinators/buffer_unordered_lock_in_body.json"}) {
    const PropertyFile file = shipped(path);
    try {
      (void)wakecheck::exporters::format_expected(file, wakecheck::exporters::hang_verdict(file));
      (void)wakecheck::exporters::export_rust(file);
    } catch (const InputError&) {
      // pause_any_time.json is refused: the refusal's own statics are warm now too.
    }
  }
  return true;
}();

}  // namespace

TEST_GROUP(RustExport){};

TEST(RustExport, SeedWrapsEachWorkerInThePausableFuture) {
  const std::string program = wakecheck::exporters::export_rust(shipped(kSeed));
  at(program, "struct PausableFuture<F> {");
  at(program, "if self.stopped.is_set(cx) {\n            return Poll::Pending;");
  at(program, "HANDLES[t].spawn(PausableFuture::new(&STOP_WORKER[me], worker(me, sh.clone())));");
  at(program, "static STOP_WORKER: [StopFlag; 4] = [StopFlag::NEW; 4];");
  at(program, "#[tokio::main(flavor = \"current_thread\")]");
  at(program, "m: Arc<tokio::sync::Mutex<()>>,");
}

TEST(RustExport, SeedSpawnsWorker0To3InOrderThenPausesWorker1AndReleases) {
  const std::string program = wakecheck::exporters::export_rust(shipped(kSeed));
  at(program,
     "const TASKS: [&str; 5] = [\"main\", \"worker0\", \"worker1\", \"worker2\", \"worker3\"];");
  const std::size_t lock =
      at(program, "m_guard = Some(m.lock().await);                     // lock m");
  const std::size_t spawn =
      at(program,
         "for me in 0..4 {                                    // spawn worker (worker0 .. worker3, "
         "in order)\n        spawn_worker(me, &sh);");
  const std::size_t yield =
      at(program, "tokio::task::yield_now().await;                     // yield_now");
  const std::size_t pause = at(program, "STOP_WORKER[1].pause();");
  const std::size_t unlock =
      at(program, "m_guard = None;                                     // unlock m");
  CHECK(lock < spawn);
  CHECK(spawn < yield);
  CHECK(yield < pause);
  CHECK(pause < unlock);
}

TEST(RustExport, MainAwaitsEveryHandleAndPrintsOneLinePerTask) {
  const std::string program = wakecheck::exporters::export_rust(shipped(kSeed));
  at(program, "println!(\"task main: {}\", if ended { \"done\" } else { \"hung\" });");
  at(program, "match tokio::time::timeout_at(deadline, Join(t)).await {");
  at(program, "Err(_) => println!(\"task {}: hung\", TASKS[t]),");
  // main polls no JoinHandle before every task ended: a handle keeps one waker, and main's would
  // take a joining task's place and move that task's wake to main's thread.
  const auto waits = program.find("let _ = tokio::time::timeout_at(deadline, AllEnded).await;");
  CHECK(waits != std::string::npos);
  CHECK(waits < program.find("match tokio::time::timeout_at(deadline, Join(t)).await {"));
  at(program, "let live = Live;");
  at(program, "Err(e) if e.is_cancelled() => \"cancelled\",");
}

TEST(RustExport, DropOnPauseTwinDropsTheInnerFuture) {
  const std::string program =
      wakecheck::exporters::export_rust(shipped("properties/seed/drop_on_pause.json"));
  at(program, "struct DropOnPause<F> {");
  at(program,
     "HANDLES[t].spawn(task_drop_on_pause(DropOnPause::new(&STOP_WORKER[me], worker(me, "
     "sh.clone()))));");
  CHECK(program.find("struct PausableFuture") == std::string::npos);
}

TEST(RustExport, MultiThreadScenarioGetsAMultiThreadRuntime) {
  const std::string program =
      wakecheck::exporters::export_rust(shipped("properties/seed/pausable_worker_multi_thread.json"));
  at(program, "#[tokio::main(flavor = \"multi_thread\", worker_threads = 2)]");
}

TEST(RustExport, OneWorkerScenarioGetsAOneWorkerRuntimeWithOrWithoutEventInterval) {
  const std::string program =
      wakecheck::exporters::export_rust(shipped("properties/scheduler/seed_one_worker.json"));
  at(program, "#[tokio::main(flavor = \"multi_thread\", worker_threads = 1)]");
  CHECK(program.find("worker_threads = 2") == std::string::npos);
  const std::string by_hand = wakecheck::exporters::export_rust(inline_file(R"({
    "runtime": "multi_thread", "worker_threads": 1, "event_interval": 2, "resources": [],
    "tasks": [{"name": "main", "program": ["yield_now"]}]})"));
  at(by_hand, "tokio::runtime::Builder::new_multi_thread()\n        .worker_threads(1)\n"
              "        .enable_all()\n        .event_interval(2)\n");
  CHECK(by_hand.find("#[tokio::main") == std::string::npos);
}

TEST(RustExport, IfElseAndWhileAreRebuiltFromTheJumps) {
  const std::string program = wakecheck::exporters::export_rust(inline_file(R"({
    "runtime": "current_thread", "resources": [],
    "variables": {"x": {"initial": 0, "min": 0, "max": 5}, "flag": false},
    "tasks": [{"name": "main", "program": [
      {"while": "x < 3", "do": [
        {"if": "x == 0", "then": ["flag = true"], "else": [
          {"if": "x == 1", "then": ["yield_now"], "else": ["flag = false"]}]},
        "x = x + 1"]},
      {"if": "flag", "then": ["return"]}]}]})"));
  const std::size_t loop = at(program, "while X.load(SeqCst) < 3 {");
  const std::size_t first = at(program, "if X.load(SeqCst) == 0 {");
  const std::size_t chain = at(program, "} else if X.load(SeqCst) == 1 {");
  const std::size_t last = at(program, "} else {\n            FLAG.store(false, SeqCst);");
  const std::size_t step = at(program, "X.store(X.load(SeqCst) + 1, SeqCst);");
  const std::size_t ret = at(program, "if FLAG.load(SeqCst) {");
  CHECK(loop < first && first < chain && chain < last && last < step && step < ret);
  at(program, "return;");
}

TEST(RustExport, ScopesBecomeADropGuardANestedWrapperAndADropSlot) {
  const std::string program = wakecheck::exporters::export_rust(
      shipped("properties/conformance/once_compute_after_scripted.json"));
  at(program, "let mut guard = OnDrop::new(|| {");
  at(program, "guard.disarm();");
  at(program, "PausableFuture::new(&STOP_GETTER_WAIT[me], async {");
  at(program, "drop_task(GETTER0);");
  // (the scenario locks a std mutex, so the future is marked for the watchdog before it is spawned)
  at(program, "let future = Droppable::new(t, getter(me, sh.clone()));");
  at(program, "s_guard = Some(StdGuard(s.lock().unwrap()));");
  at(program,
     "static GETTER_GOT: [AtomicI32; 3] = [AtomicI32::new(0), AtomicI32::new(0), "
     "AtomicI32::new(0)];");
}

TEST(RustExport, RefusesAScenarioWithFaultBudgetsInOneLine) {
  const PropertyFile file = shipped("properties/seed/pause_any_time.json");
  try {
    (void)wakecheck::exporters::export_rust(file);
    FAIL("a scenario with fault budgets was exported");
  } catch (const InputError& error) {
    const std::string message = error.what();
    CHECK(message.find("pause_any_time.json: cannot export to Rust") != std::string::npos);
    CHECK(message.find("fault budgets are not zero (pause 1)") != std::string::npos);
    CHECK(message.find('\n') == std::string::npos);
  }
}

TEST(RustExport, RefusesOnlyNonZeroBudgets) {
  const PropertyFile file = inline_file(R"({
    "runtime": "current_thread", "resources": [],
    "tasks": [{"name": "main", "program": ["spawn w"]}, {"name": "w", "program": ["yield_now"]}],
    "faults": {"drop": {"budget": 0}}})");
  wakecheck::exporters::check_exportable(file);
  CHECK_THROWS(InputError, wakecheck::exporters::check_exportable(inline_file(R"({
    "runtime": "current_thread", "resources": [],
    "tasks": [{"name": "main", "program": ["spawn w"]}, {"name": "w", "program": ["yield_now"]}],
    "faults": {"spurious_wake": {"budget": 2}}})")));
}

TEST(RustExport, SemaphorePermitsAreACountGivenBackWithAddPermits) {
  const std::string program =
      wakecheck::exporters::export_rust(shipped("properties/primitives/s4_multi_permit_head.json"));
  at(program, "struct Permits<'a> {");
  at(program, "s: Arc<tokio::sync::Semaphore>,  // semaphore s (1 permit)");
  at(program, "s: Arc::new(tokio::sync::Semaphore::new(1)),");
  at(program, "let mut s_permits = Permits::new(s);");
  at(program, "if let Ok(permit) = s.acquire_many(2).await {       // acquire_many s 2");
  at(program, "s_permits.add(permit, 2);");
  at(program, "s_permits.release(2);                               // release_many s 2");
  at(program, "let ok = match s.try_acquire() {                    // got = try_acquire s");
  at(program, "s.add_permits(1);");
  CHECK(program.find("struct RwHeld") == std::string::npos);
}

TEST(RustExport, ForgetAndCloseOnASemaphore) {
  const std::string program = wakecheck::exporters::export_rust(inline_file(R"({
    "runtime": "current_thread", "resources": [{"name": "s", "kind": "semaphore", "permits": 2}],
    "tasks": [{"name": "main", "program": ["acquire_many s 2", "forget s 2", "close s",
                                           "acquire s", "release s"]}]})"));
  at(program, "s_permits.forget(2);");
  at(program, "s.close();");
  at(program, "if let Ok(permit) = s.acquire().await {");
  at(program, "Err(Closed): goes on without a permit");
}

TEST(RustExport, RwLockHasItsMaxReadersAndWritersTakeThemAll) {
  const std::string program = wakecheck::exporters::export_rust(
      shipped("properties/primitives/s7_rwlock_paused_writer.json"));
  at(program, "struct RwHeld<'a> {");
  at(program, "l: Arc::new(tokio::sync::RwLock::with_max_readers((), 8)),");
  at(program, "l_guard.read(l.read().await);                       // read l (one permit)");
  at(program, "l_guard.write(l.write().await);                     // write l (all 8 permits)");
  at(program, "let ok = match l.try_read() {                       // got = try_read l");
  at(program, "l_guard.unlock();");
}

TEST(RustExport, BoundedChannelSendsAndOneTaskReceives) {
  const std::string program =
      wakecheck::exporters::export_rust(shipped("properties/primitives/s23_mpsc_paused_sender.json"));
  at(program, "let (ch, ch_rx) = tokio::sync::mpsc::channel::<()>(1);");
  at(program, "ch: Arc<tokio::sync::mpsc::Sender<()>>,");
  at(program, "ch_rx: Arc::new(StdMutex::new(Some(ch_rx))),");
  at(program, "let _ = ch.send(()).await;");
  at(program, "let mut ch_rx = sh.ch_rx.lock().unwrap().take().expect(\"one receiving task\");");
  at(program, "ch_rx.recv().await;");
}

TEST(RustExport, RefusesTwoTasksReceivingFromOneChannel) {
  CHECK_THROWS(InputError, wakecheck::exporters::check_exportable(inline_file(R"({
    "runtime": "current_thread", "resources": [{"name": "ch", "kind": "mpsc", "capacity": 1}],
    "tasks": [{"name": "main", "program": ["spawn r", "send ch", "send ch"]},
              {"name": "r", "copies": 2, "program": ["recv ch"]}]})")));
}

TEST(RustExport, OnceCellInitializerSleeps) {
  const std::string program = wakecheck::exporters::export_rust(
      shipped("properties/primitives/s18_oncecell_cancelled_init.json"));
  at(program, "cell: Arc::new(tokio::sync::OnceCell::new()),");
  at(program, "cell.get_or_init(|| async { tokio::time::sleep(SLEEP).await }).await;");
}

TEST(RustExport, FinishItemWrapperNeverPausesItsOneItem) {
  const std::string program =
      wakecheck::exporters::export_rust(shipped("properties/primitives/s1c_finish_item.json"));
  at(program, "struct FinishItem<F> {");
  at(program, "HANDLES[t].spawn(FinishItem::new(&STOP_WORKER[me], worker(me, sh.clone())));");
  CHECK(program.find("struct PausableFuture") == std::string::npos);
}

TEST(RustExport, TimeoutWrapperDropsTheNestedFutureAndSetsCancelled) {
  const std::string program =
      wakecheck::exporters::export_rust(shipped("properties/primitives/timeout_lock.json"));
  at(program, "const TIMEOUT: Duration = Duration::from_millis(400);");
  const std::size_t wrap = at(program, "let kept = tokio::time::timeout(TIMEOUT, async {");
  const std::size_t elapsed = at(program, "}).await.ok();");
  const std::size_t cancelled = at(program, "WAITER_TIMED_OUT.store(true, SeqCst);");
  CHECK(wrap < elapsed && elapsed < cancelled);
}

TEST(RustExport, NestedDropOnPauseGivesBackTheSemaphorePermitsItTook) {
  const std::string program = wakecheck::exporters::export_rust(inline_file(R"({
    "runtime": "current_thread", "resources": [{"name": "s", "kind": "semaphore", "permits": 1}],
    "tasks": [{"name": "main", "program": ["spawn w", "yield_now", "pause w.part"]},
              {"name": "w", "program": [
                {"future": "part", "wrapper": "drop_on_pause", "do": ["acquire s", "sleep"]},
                "release s"]}]})"));
  at(program, "let s_permits_before = s_permits.mark();");
  at(program, "s_permits.cancel_to(s_permits_before);");
}

TEST(RustExport, JoinBranchesAreFuturesInsideTheTaskReportedAfterTheTasks) {
  const std::string program = wakecheck::exporters::export_rust(inline_file(R"({
    "runtime": "current_thread", "resources": [{"name": "m", "kind": "tokio_mutex"}],
    "tasks": [{"name": "main", "program": ["spawn worker"]},
              {"name": "worker", "program": [{"join": [
                {"name": "a", "do": ["lock m", "unlock m"]},
                {"name": "b", "wrapper": "pausable", "do": ["sleep"]}]}]}]})"));
  at(program, "tokio::join!(                                       // join! of a, b");
  at(program, "        branch_a(&sh),\n        branch_b(&sh),\n    );");
  at(program, "/// a, a branch of worker's join! (a future inside that task): lock m; unlock m.");
  at(program, "fn branch_a(sh: &Shared) -> BranchFuture {\n    Box::pin(Branch::new(A, a(sh.clone())))");
  at(program, "Box::pin(Branch::new(B, PausableFuture::new(&STOP_B, b(sh.clone()))))");
  at(program, "const FIRST_BRANCH: usize = 2;");
  at(program, "static BRANCHES: [BranchSlot; 2] = [BranchSlot::NEW; 2];");
  at(program, "\"running\" => println!(\"task {}: hung\", TASKS[t]),");
  // A branch is no task: nothing spawns it.
  CHECK(program.find("fn spawn_a") == std::string::npos);
  // A program without branches has none of this.
  const std::string seed = wakecheck::exporters::export_rust(shipped(kSeed));
  CHECK(seed.find("FIRST_BRANCH") == std::string::npos);
  CHECK(seed.find("use futures::") == std::string::npos);
}

TEST(RustExport, FuturesUnorderedLoopRunsItsBodyAfterEachFinishedBranch) {
  const std::string program = wakecheck::exporters::export_rust(inline_file(R"({
    "runtime": "current_thread", "resources": [{"name": "m", "kind": "tokio_mutex"}],
    "tasks": [{"name": "main", "program": [{"unordered": [
                {"name": "c0", "do": ["lock m", "sleep", "unlock m"]},
                {"name": "c1", "do": ["lock m", "unlock m"]}],
              "each": ["lock m", "unlock m"]}, "yield_now"]}]})"));
  at(program, "use futures::stream::{FuturesUnordered, StreamExt};");
  const std::size_t set = at(program, "let mut set = FuturesUnordered::new();");
  const std::size_t push = at(program, "set.push(branch_c0(&sh));\n    set.push(branch_c1(&sh));");
  const std::size_t loop = at(program, "while let Some(()) = set.next().await {");
  const std::size_t body = at(program, "        m_guard = Some(m.lock().await);");
  const std::size_t after = at(program, "    }\n    tokio::task::yield_now().await;");
  CHECK(set < push && push < loop && loop < body && body < after);
}

TEST(RustExport, BufferUnorderedMakesEachBranchAsTheStreamYieldsIt) {
  const std::string program = wakecheck::exporters::export_rust(inline_file(R"({
    "runtime": "current_thread", "resources": [],
    "tasks": [{"name": "main", "program": [{"unordered": [
                {"name": "item0", "do": ["sleep"]}, {"name": "item1", "do": ["sleep"]},
                {"name": "item2", "do": ["sleep"]}], "limit": 2, "each": ["yield_now"]}]}]})"));
  at(program, "let mut set = futures::stream::iter([ITEM0, ITEM1, ITEM2])");
  at(program, ".map(|t| branch(t, &sh))");
  at(program, ".buffer_unordered(2);");
  at(program, "fn branch(t: usize, sh: &Shared) -> BranchFuture {\n    match t {\n"
              "        ITEM0 => branch_item0(sh),");
}

TEST(RustExport, SelectAllKeepsItsRestUntilDropKeptOrDropsItAtOnce) {
  const std::string kept = wakecheck::exporters::export_rust(inline_file(R"({
    "runtime": "current_thread", "resources": [{"name": "m", "kind": "tokio_mutex"}],
    "tasks": [{"name": "main", "program": [
      {"select_all": [{"name": "a", "do": ["sleep"]}, {"name": "b", "do": ["lock m", "unlock m"]}],
       "rest": "keep"},
      "drop_kept", "lock m", "unlock m"]}]})"));
  at(kept, "let mut rest: Vec<BranchFuture> = Vec::new();");
  const std::size_t select = at(kept, "(_, _, rest) = futures::future::select_all(vec![");
  const std::size_t drop = at(kept, "drop(std::mem::take(&mut rest));");
  const std::size_t lock = at(kept, "    m_guard = Some(m.lock().await);                     // lock m");
  CHECK(select < drop && drop < lock);
  const std::string dropped = wakecheck::exporters::export_rust(inline_file(R"({
    "runtime": "current_thread", "resources": [],
    "tasks": [{"name": "main", "program": [
      {"select_all": [{"name": "a", "do": ["sleep"]}, {"name": "b", "do": ["yield_now"]}]}]}]})"));
  at(dropped, "let (_, _, rest) = futures::future::select_all(vec![");
  at(dropped, "drop(rest);                                         // the rest are dropped at once");
  CHECK(dropped.find("let mut rest") == std::string::npos);
}

TEST(RustExport, BlockInPlaceRunsItsStatementsInBlockOnAndEventIntervalBuildsTheRuntime) {
  const std::string program = wakecheck::exporters::export_rust(inline_file(R"({
    "runtime": "multi_thread", "event_interval": 3, "resources": [{"name": "m", "kind": "tokio_mutex"}],
    "tasks": [{"name": "main", "program": [{"block_in_place": ["lock m", "unlock m"]}]}]})"));
  const std::size_t begin = at(
      program, "tokio::task::block_in_place(|| tokio::runtime::Handle::current().block_on(async {");
  const std::size_t lock = at(program, "        m_guard = Some(m.lock().await);                 // lock m");
  const std::size_t end = program.find("\n    }));", lock);
  CHECK(begin < lock && end != std::string::npos);
  at(program, "tokio::runtime::Builder::new_multi_thread()\n        .worker_threads(2)\n"
              "        .enable_all()\n        .event_interval(3)\n");
  at(program, "async fn async_main() {");
  CHECK(program.find("#[tokio::main") == std::string::npos);
}

TEST(RustExport, UnbiasedSelectLeavesBiasedOut) {
  const std::string program = wakecheck::exporters::export_rust(inline_file(R"({
    "runtime": "current_thread", "resources": [{"name": "m", "kind": "tokio_mutex"}],
    "tasks": [{"name": "main", "program": [
      {"select": [{"await": "lock m"}, {"await": "sleep"}], "biased": false}]}]})"));
  at(program, "tokio::select! {");
  CHECK(program.find("biased;\n") == std::string::npos);
  at(program, "drop(fut);");
}

TEST(RustExport, CreatedNotifiedIsKeptUnpolledUntilTheNextNotifiedAwaitsIt) {
  const std::string program = wakecheck::exporters::export_rust(
      shipped("properties/primitives/s12_notify_quirk_1_24.json"));
  const std::size_t slot =
      at(program, "let mut n_created: Option<Pin<Box<tokio::sync::futures::Notified<'_>>>> = None;");
  const std::size_t created = at(program, "n_created = Some(Box::pin(n.notified()));");
  const std::size_t waiters = at(program, "n.notify_waiters();");
  const std::size_t awaited =
      at(program, "n_created.take().unwrap_or_else(|| Box::pin(n.notified())).await;");
  CHECK(slot < created && created < waiters && waiters < awaited);
  // fresh created nothing: its notified is a fresh future.
  at(program, "async fn fresh(sh: Shared) {\n    let n = &*sh.n;");
  at(program, "    n.notified().await;");
}

TEST(RustExport, HandedLockFutureIsPolledOnceThenAwaitedByItsReceiverAsAnOwnedGuard) {
  const std::string program = wakecheck::exporters::export_rust(
      shipped("properties/primitives/s21_waker_replaced.json"));
  at(program, "async fn hand_lock(m: Arc<tokio::sync::Mutex<()>>, t: usize) {");
  at(program, "static HANDED: [HandSlot; 3] = [HandSlot::NEW; 3];");
  at(program, "    hand_lock(sh.m.clone(), Y).await;");
  at(program, "let mut m_guard: Option<tokio::sync::OwnedMutexGuard<()>> = None;");
  const std::size_t received = at(program, "let handed = Receive(Y).await;");
  const std::size_t awaited = at(program, "m_guard = Some(handed.await);");
  const std::size_t unlocked = program.find("m_guard = None;", awaited);
  CHECK(received < awaited && unlocked != std::string::npos);
  // main's own lock keeps its borrowed guard.
  at(program, "let mut m_guard: Option<MutexGuard<'_, ()>> = None;");
}

TEST(RustExport, AReceiverLocksAndTriesItsMutexOwnedToo) {
  const std::string program = wakecheck::exporters::export_rust(inline_file(R"({
    "runtime": "current_thread", "resources": [{"name": "m", "kind": "tokio_mutex"}],
    "variables": {"ok": false},
    "tasks": [{"name": "main", "program": ["spawn y", {"hand_lock": "m", "to": "y"}]},
              {"name": "y", "program": ["await_lock m", "unlock m", "lock m",
                                        "ok = try_lock m", "unlock m"]}]})"));
  at(program, "m_guard = Some(sh.m.clone().lock_owned().await);");
  at(program, "let ok = match sh.m.clone().try_lock_owned() {");
  at(program, "    hand_lock(sh.m.clone(), Y).await;");
}

TEST(RustExport, StillRefusesTheBargingMutex) {
  CHECK_THROWS(InputError, wakecheck::exporters::check_exportable(
                               shipped("properties/primitives/barging_mutex_seed.json")));
}

TEST_GROUP(HangVerdict){};

TEST(HangVerdict, SeedLeavesWorkers1To3HangingInItsOnlyRun) {
  const auto verdict = wakecheck::exporters::hang_verdict(shipped(kSeed));
  CHECK((verdict.hung == std::vector<std::string>{"worker1", "worker2", "worker3"}));
  CHECK((verdict.paused == std::vector<std::string>{"worker1"}));
  CHECK(verdict.determined);
  LONGS_EQUAL(1, verdict.ends);
}

TEST(HangVerdict, DropOnPauseLeavesOnlyThePausedWorker) {
  const auto verdict =
      wakecheck::exporters::hang_verdict(shipped("properties/seed/drop_on_pause.json"));
  CHECK((verdict.hung == std::vector<std::string>{"worker1"}));
  CHECK(verdict.determined);
}

TEST(HangVerdict, ALivelockEndsInAFairCycle) {
  const auto verdict =
      wakecheck::exporters::hang_verdict(shipped("properties/language/try_lock_spin.json"));
  CHECK((verdict.hung == std::vector<std::string>{"worker", "spinner"}));
  CHECK(verdict.determined);
}

TEST(HangVerdict, MultiThreadOrderLeavesSeveralOutcomes) {
  const auto verdict = wakecheck::exporters::hang_verdict(
      shipped("properties/seed/pausable_worker_multi_thread.json"));
  CHECK_FALSE(verdict.determined);
  CHECK(verdict.outcomes.size() > 1);
}

TEST(HangVerdict, ExpectedFileHasOneLinePerItem) {
  const PropertyFile file = shipped(kSeed);
  const std::string text =
      wakecheck::exporters::format_expected(file, wakecheck::exporters::hang_verdict(file));
  at(text, "\nhung worker1 worker2 worker3\n");
  at(text, "\npaused worker1\n");
  at(text, "\nstuck worker2 worker3\n");
  at(text, "\ndetermined yes\n");
  at(text, "\noutcome worker1 worker2 worker3\n");
}
