//! tokio#4588: a std mutex held across an await by one select! future blocks the thread in the other
//!
//! Exported by `wakecheck export --rust` from properties/real/tokio_4588_std_mutex_across_await_in_select.json: the same scenario
//! on real tokio, multi_thread runtime. Each task's program is an async fn, each statement
//! commented with its text in the property file. main runs its own program, then waits until every
//! spawned task has ended or a common deadline has passed, reads each JoinHandle and prints one
//! line per task:
//! "task NAME: done", "hung", "cancelled" or "dropped".
//! A branch of a combinator (join!, FuturesUnordered, select_all, select!) is a future inside its
//! task, written as an async fn as well; main reports it after the tasks, in a line of its own.
//! wakecheck's verdict on the same scenario is in tokio_4588_std_mutex_across_await_in_select.expected.
//!
//! Rust 1.63 or newer builds it (the floor: Debian 12's rustc); tokio 1.x runs it (the model
//! follows 1.24.2, Debian 12's librust-tokio-dev). To build and run it offline against Debian's
//! crates, install them (apt-get install cargo rustc librust-tokio-dev librust-tokio-macros-dev
//! librust-futures-dev), put this file in a folder as src/main.rs, and beside src/ write
//!
//! Cargo.toml:
//!     [package]
//!     name = "repro"
//!     version = "0.1.0"
//!     edition = "2021"
//!     [dependencies]
//!     tokio = { version = "1", features = ["rt", "rt-multi-thread", "sync", "time", "macros"] }
//!     futures = "0.3"  # FuturesUnordered, buffer_unordered, select_all (Debian's 0.3.21)
//!
//! .cargo/config.toml:
//!     [source.crates-io]
//!     replace-with = "debian"
//!     [source.debian]
//!     directory = "/usr/share/cargo/registry"
//!     [net]
//!     offline = true
//!
//! then run it there with Debian's toolchain, even when a newer one comes first on PATH:
//!     RUSTC=/usr/bin/rustc /usr/bin/cargo run

#![allow(unused, unreachable_code)]

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::Ordering::SeqCst;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicUsize};
use std::sync::{Arc, Mutex as StdMutex};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use tokio::sync::MutexGuard;
use tokio::task::JoinHandle;
use tokio::time::Instant;
use futures::stream::{FuturesUnordered, StreamExt};

/// `sleep` in a program: long next to the work between two awaits, as the model assumes.
const SLEEP: Duration = Duration::from_millis(100);
/// One tick of a timed `sleep D` or timeout `after`: timers fire in deadline order, as the
/// model has them (work between two awaits takes no time next to a tick).
const TICK: Duration = Duration::from_millis(20);
/// A task not finished this long after the start is reported hung (the seed's
/// reproducer gives each task 2 s): 1 s, or 0.5 s and 150 ms for each sleep in the programs.
const DEADLINE: Duration = Duration::from_millis(1000);

// ---- wrappers and helpers --------------------------------------------------------------

/// A future's pause flag (the seed's `stopped`), with the waker its wrapper last saw so that
/// a resume can wake the task, as the model's `resume` does.
struct StopFlag {
    stopped: AtomicBool,
    waker: StdMutex<Option<Waker>>,
}

impl StopFlag {
    const NEW: StopFlag = StopFlag { stopped: AtomicBool::new(false), waker: StdMutex::new(None) };

    fn pause(&self) {
        self.stopped.store(true, SeqCst);
    }

    fn resume(&self) {
        self.stopped.store(false, SeqCst);
        if let Some(waker) = self.waker.lock().unwrap().as_ref() {
            waker.wake_by_ref();
        }
    }

    /// Whether the flag is set, noting who polls.
    fn is_set(&self, cx: &Context<'_>) -> bool {
        *self.waker.lock().unwrap() = Some(cx.waker().clone());
        self.stopped.load(SeqCst)
    }
}

/// A std::sync::Mutex guard. No spawned task holds one across an await (wakecheck checks it:
/// no_model_error; main, whose future stays on its thread, may), but the variable keeping it
/// lives across awaits, which makes the future !Send to the compiler; this wrapper lets it move.
struct StdGuard<'a>(std::sync::MutexGuard<'a, ()>);
unsafe impl Send for StdGuard<'_> {}

/// A task's JoinHandle, kept where every program can reach it (abort, join) and where main
/// awaits it at the end; `ended` says how the task ended once the handle returned.
struct TaskSlot {
    handle: StdMutex<Option<JoinHandle<()>>>,
    ended: StdMutex<Option<&'static str>>,
    joiners: StdMutex<Vec<Waker>>,
    dropped: AtomicBool,
}

impl TaskSlot {
    const NEW: TaskSlot = TaskSlot {
        handle: StdMutex::new(None),
        ended: StdMutex::new(None),
        joiners: StdMutex::new(Vec::new()),
        dropped: AtomicBool::new(false),
    };

    fn spawned(&self) -> bool {
        self.handle.lock().unwrap().is_some() || self.ended.lock().unwrap().is_some()
    }

    /// `tokio::spawn`; a task is spawned once (the model ignores a second spawn). The task's
    /// future carries a `Live` mark, dropped with it however the task ends (returned, aborted,
    /// dropped by the runtime), so main learns that every task ended without polling any
    /// JoinHandle: a JoinHandle keeps only its last poller's waker, and main's would take the
    /// place of a joining task's and move that task's wake to main's thread.
    fn spawn<F: Future<Output = ()> + Send + 'static>(&self, future: F) {
        LIVE.fetch_add(1, SeqCst);
        let live = Live;
        *self.handle.lock().unwrap() = Some(tokio::spawn(async move {
            let _live = live;
            future.await
        }));
        for waker in self.joiners.lock().unwrap().drain(..) {
            waker.wake();
        }
    }

    /// `handle.abort()`: the task's future is dropped at its next run.
    fn abort(&self) {
        if let Some(handle) = self.handle.lock().unwrap().as_ref() {
            handle.abort();
        }
    }

    /// Polls the JoinHandle: "done", "cancelled" (aborted) or "dropped" once it returns.
    fn poll_join(&self, cx: &mut Context<'_>) -> Poll<&'static str> {
        let mut handle = self.handle.lock().unwrap();
        if let Some(h) = handle.as_mut() {
            if let Poll::Ready(result) = Pin::new(h).poll(cx) {
                *handle = None;
                let how = match result {
                    Ok(()) if self.dropped.load(SeqCst) => "dropped",
                    Ok(()) => "done",
                    Err(e) if e.is_cancelled() => "cancelled",
                    Err(_) => "panicked",
                };
                *self.ended.lock().unwrap() = Some(how);
                for waker in self.joiners.lock().unwrap().drain(..) {
                    waker.wake();
                }
            }
        }
        if let Some(how) = *self.ended.lock().unwrap() {
            return Poll::Ready(how);
        }
        // Only the last poller's waker sits in the JoinHandle: every joiner is woken from here.
        let mut joiners = self.joiners.lock().unwrap();
        if !joiners.iter().any(|w| w.will_wake(cx.waker())) {
            joiners.push(cx.waker().clone());
        }
        Poll::Pending
    }
}

/// How many spawned tasks have not ended yet, and main's waker while it waits for none.
static LIVE: AtomicUsize = AtomicUsize::new(0);
static ALL_ENDED: StdMutex<Option<Waker>> = StdMutex::new(None);

struct Live;

impl Drop for Live {
    fn drop(&mut self) {
        if LIVE.fetch_sub(1, SeqCst) == 1 {
            if let Some(waker) = ALL_ENDED.lock().unwrap().take() {
                waker.wake();
            }
        }
    }
}

/// Ready once every spawned task has ended.
struct AllEnded;

impl Future for AllEnded {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        *ALL_ENDED.lock().unwrap() = Some(cx.waker().clone());
        if LIVE.load(SeqCst) == 0 {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

/// `handle.await` on task `t` (the model's `join`), through its slot.
struct Join(usize);

impl Future for Join {
    type Output = &'static str;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<&'static str> {
        HANDLES[self.0].poll_join(cx)
    }
}

/// A branch of a combinator (join!, FuturesUnordered / buffer_unordered, select_all, select!): a
/// future inside its task, polled only by the task's own poll, not a task of its own. Its slot
/// says how it went, for main's report: "running" from the moment the combinator takes it
/// (pushed into the set, taken from the stream, or handed to join!/select_all), then "done" or
/// "dropped" (unfinished: select_all's rest, or its task's future dropped).
struct BranchSlot {
    state: StdMutex<&'static str>,
}

impl BranchSlot {
    const NEW: BranchSlot = BranchSlot { state: StdMutex::new("") };

    fn set(&self, state: &'static str) {
        *self.state.lock().unwrap() = state;
    }

    fn state(&self) -> &'static str {
        *self.state.lock().unwrap()
    }
}

/// Branch t's future (its program under its wrapper), noting in BRANCHES how it ends.
struct Branch<F> {
    t: usize,
    inner: Pin<Box<F>>,
    finished: bool,
}

impl<F: Future<Output = ()>> Branch<F> {
    fn new(t: usize, inner: F) -> Self {
        BRANCHES[t - FIRST_BRANCH].set("running");
        Branch { t, inner: Box::pin(inner), finished: false }
    }
}

impl<F: Future<Output = ()>> Future for Branch<F> {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let poll = self.inner.as_mut().poll(cx);
        if poll.is_ready() {
            self.finished = true;
            BRANCHES[self.t - FIRST_BRANCH].set("done");
        }
        poll
    }
}

impl<F> Drop for Branch<F> {
    fn drop(&mut self) {
        if !self.finished {
            BRANCHES[self.t - FIRST_BRANCH].set("dropped");
        }
    }
}

/// A branch as its combinator holds it: boxed, so that branches of different programs mix.
type BranchFuture = Pin<Box<dyn Future<Output = ()> + Send>>;

/// A thread blocked in futures::executor::block_on keeps its core: on current_thread the
/// runtime stops (main's deadline never fires), on one worker its timers stop. So a thread of
/// its own reports instead, from what each task's EndMark says, once the runtime had time to
/// report by itself: an unfinished task is hung.
const ENDED_NO: AtomicBool = AtomicBool::new(false);
static ENDED: [AtomicBool; TASKS.len()] = [ENDED_NO; TASKS.len()];

/// Dropped when its task's future ends (finished, aborted or dropped).
struct EndMark(usize);

impl Drop for EndMark {
    fn drop(&mut self) {
        ENDED[self.0].store(true, SeqCst);
    }
}

fn start_watchdog() {
    std::thread::spawn(|| {
        std::thread::sleep(DEADLINE + Duration::from_millis(1000));
        for t in 0..TASKS.len() {
            if t == 0 || HANDLES[t].spawned() {
                println!("task {}: {}", TASKS[t], if ENDED[t].load(SeqCst) { "done" } else { "hung" });
            }
        }
        report_branches();
        std::process::exit(0);
    });
}

/// The branches' lines for the watchdog: one still running is hung.
fn report_branches() {
    for t in FIRST_BRANCH..TASKS.len() {
        match BRANCHES[t - FIRST_BRANCH].state() {
            "" => {}
            "running" => println!("task {}: hung", TASKS[t]),
            how => println!("task {}: {how}", TASKS[t]),
        }
    }
}

// ---- the scenario ----------------------------------------------------------------------

/// The tasks, in the model's order: main (the runtime's block_on future) first.
const TASKS: [&str; 3] = ["main", "future1", "future2"];
const MAIN: usize = 0;
const FUTURE1: usize = 1;
const FUTURE2: usize = 2;

static HANDLES: [TaskSlot; 3] = [TaskSlot::NEW; 3];
/// The branches (futures inside a task: join!, FuturesUnordered, select_all, select!) come last.
const FIRST_BRANCH: usize = 1;
static BRANCHES: [BranchSlot; 2] = [BranchSlot::NEW; 2];

// Variables: the shared ones, and each task's own (a template's copies share an array).
/// done1
static DONE1: AtomicBool = AtomicBool::new(false);
/// done2
static DONE2: AtomicBool = AtomicBool::new(false);
/// stop
static STOP: AtomicBool = AtomicBool::new(false);

/// The resources, shared by every task (as the seed shares its Arc<Mutex<()>>).
#[derive(Clone)]
struct Shared {
    mutex: Arc<StdMutex<()>>,  // std_mutex mutex
}

impl Shared {
    fn new() -> Self {
        Shared {
            mutex: Arc::new(StdMutex::new(())),
        }
    }
}

/// main's program, the runtime's block_on future: its program.
async fn main_program(sh: Shared) {
    let mut kept_future1: Option<BranchFuture> = None;  // &mut future1: a select! branch kept alive between select!s
    let mut kept_future2: Option<BranchFuture> = None;  // &mut future2: a select! branch kept alive between select!s
    while !STOP.load(SeqCst) {                          // while not stop
        {                                               // select! of &mut future1, &mut future2
            let mut fut_0: BranchFuture = match kept_future1.take() {  // &mut future1
                Some(kept) => kept,                     // kept alive by the last select!, polled again where it stopped
                None => branch_future1(&sh),
            };
            let mut fut_1: BranchFuture = match kept_future2.take() {  // &mut future2
                Some(kept) => kept,                     // kept alive by the last select!, polled again where it stopped
                None => branch_future2(&sh),
            };
            let enabled_0 = !DONE1.load(SeqCst);        // the precondition of future1, evaluated before the select!
            let enabled_1 = !DONE2.load(SeqCst);        // the precondition of future2, evaluated before the select!
            let won: i32;
            tokio::select! {
                // no `biased;`: each poll starts at a random branch
                _ = &mut fut_0, if enabled_0 => { won = 0; }
                _ = &mut fut_1, if enabled_1 => { won = 1; }
                else => { won = -1; }                   // every branch disabled
            }
            if won != 0 { kept_future1 = Some(fut_0); }  // future1 lost: it stays alive, unpolled
            if won != 1 { kept_future2 = Some(fut_1); }  // future2 lost: it stays alive, unpolled
            if won < 0 {                                // else
                STOP.store(true, SeqCst);               // stop = true
            }
        }                                               // the other branch futures are dropped here
    }
}

/// future1, a branch of main's select! (a future inside that task): std_lock mutex; sleep; std_unlock mutex; done1 = true.
async fn future1(sh: Shared) {
    let mutex = &*sh.mutex;                             // std::sync::Mutex mutex
    let mut mutex_guard: Option<StdGuard<'_>> = None;   // the guard of mutex while held
    mutex_guard = Some(StdGuard(mutex.lock().unwrap()));  // std_lock mutex
    tokio::time::sleep(SLEEP).await;                    // sleep
    mutex_guard = None;                                 // std_unlock mutex
    DONE1.store(true, SeqCst);                          // done1 = true
}

/// future1's future, made where its combinator takes it: under its wrapper (none), in a Branch.
fn branch_future1(sh: &Shared) -> BranchFuture {
    Box::pin(Branch::new(FUTURE1, future1(sh.clone())))
}

/// future2, a branch of main's select! (a future inside that task): std_lock mutex; sleep; std_unlock mutex; done2 = true.
async fn future2(sh: Shared) {
    let mutex = &*sh.mutex;                             // std::sync::Mutex mutex
    let mut mutex_guard: Option<StdGuard<'_>> = None;   // the guard of mutex while held
    mutex_guard = Some(StdGuard(mutex.lock().unwrap()));  // std_lock mutex
    tokio::time::sleep(SLEEP).await;                    // sleep
    mutex_guard = None;                                 // std_unlock mutex
    DONE2.store(true, SeqCst);                          // done2 = true
}

/// future2's future, made where its combinator takes it: under its wrapper (none), in a Branch.
fn branch_future2(sh: &Shared) -> BranchFuture {
    Box::pin(Branch::new(FUTURE2, future2(sh.clone())))
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let deadline = Instant::now() + DEADLINE;
    start_watchdog();
    // main's own program, until it ends or the deadline passes. It is kept, not dropped, so
    // that what it holds stays held: the model never cancels main.
    let mut program = Box::pin(async move {
        let _mark = EndMark(0);
        main_program(Shared::new()).await
    });
    let ended = tokio::time::timeout_at(deadline, &mut program).await.is_ok();
    println!("task main: {}", if ended { "done" } else { "hung" });
    // Every spawned task's end, until the same deadline, then their JoinHandles in the
    // model's order (ended tasks answer at once; the rest are hung).
    let _ = tokio::time::timeout_at(deadline, AllEnded).await;
    for t in 1..TASKS.len() {
        if !HANDLES[t].spawned() {
            continue;
        }
        match tokio::time::timeout_at(deadline, Join(t)).await {
            Ok(how) => println!("task {}: {how}", TASKS[t]),
            Err(_) => println!("task {}: hung", TASKS[t]),
        }
    }
    // The branches (futures inside a task), in the model's order: one still running at the
    // deadline is hung; one its combinator never took (a stream's unread item) has no line.
    for t in FIRST_BRANCH..TASKS.len() {
        let slot = &BRANCHES[t - FIRST_BRANCH];
        if slot.state() == "running" {
            tokio::time::sleep_until(deadline).await;
        }
        match slot.state() {
            "" => {}
            "running" => println!("task {}: hung", TASKS[t]),
            how => println!("task {}: {how}", TASKS[t]),
        }
    }
    // Leave now: shutting the runtime down would drop the tasks' futures and run their
    // destructors (drop guards) after the verdict.
    std::process::exit(0);
}
