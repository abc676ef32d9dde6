//! the tick branch awaits the kept claim future instead of a second lock: it finishes
//!
//! Exported by `wakecheck export --rust` from properties/futurelock/select_futures_await_kept.json: the same scenario
//! on real tokio, current_thread runtime. Each task's program is an async fn, each statement
//! commented with its text in the property file. main runs its own program, then waits until every
//! spawned task has ended or a common deadline has passed, reads each JoinHandle and prints one
//! line per task:
//! "task NAME: done", "hung", "cancelled" or "dropped".
//! A branch of a combinator (join!, FuturesUnordered, select_all, select!) is a future inside its
//! task, written as an async fn as well; main reports it after the tasks, in a line of its own.
//! wakecheck's verdict on the same scenario is in select_futures_await_kept.expected.
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
const DEADLINE: Duration = Duration::from_millis(1900);

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

/// A channel end a branch borrows from its task's slot while it runs: put back when the branch
/// finishes or is dropped, so that the next branch future made (the next select! in a loop) finds
/// it, as `rx.recv()` in each select! borrows the task's own Receiver.
struct Lent<'a, T> {
    slot: &'a StdMutex<Option<T>>,
    value: Option<T>,
}

impl<'a, T> Lent<'a, T> {
    fn new(slot: &'a StdMutex<Option<T>>) -> Self {
        let value = slot.lock().unwrap().take();
        assert!(value.is_some(), "one receiving future at a time");
        Lent { slot, value }
    }
}

impl<T> std::ops::Deref for Lent<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.value.as_ref().unwrap()
    }
}

impl<T> std::ops::DerefMut for Lent<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        self.value.as_mut().unwrap()
    }
}

impl<T> Drop for Lent<'_, T> {
    fn drop(&mut self) {
        *self.slot.lock().unwrap() = self.value.take();
    }
}

// ---- the scenario ----------------------------------------------------------------------

/// The tasks, in the model's order: main (the runtime's block_on future) first.
const TASKS: [&str; 5] = ["main", "holder", "claim", "job", "tick"];
const MAIN: usize = 0;
const HOLDER: usize = 1;
const CLAIM: usize = 2;
const JOB: usize = 3;
const TICK_2: usize = 4;

static HANDLES: [TaskSlot; 5] = [TaskSlot::NEW; 5];
/// The branches (futures inside a task: join!, FuturesUnordered, select_all, select!) come last.
const FIRST_BRANCH: usize = 2;
static BRANCHES: [BranchSlot; 3] = [BranchSlot::NEW; 3];

// Variables: the shared ones, and each task's own (a template's copies share an array).
/// won (0..9)
static WON: AtomicI32 = AtomicI32::new(9);

/// The resources, shared by every task (as the seed shares its Arc<Mutex<()>>).
#[derive(Clone)]
struct Shared {
    pool: Arc<tokio::sync::Mutex<()>>,  // tokio_mutex pool
    jobs: Arc<tokio::sync::mpsc::Sender<()>>,  // mpsc jobs (capacity 1), its Sender, alive for the whole run
    jobs_rx: Arc<StdMutex<Option<tokio::sync::mpsc::Receiver<()>>>>,  // its Receiver, until the receiving task takes it
}

impl Shared {
    fn new() -> Self {
        let (jobs, jobs_rx) = tokio::sync::mpsc::channel::<()>(1);
        Shared {
            pool: Arc::new(tokio::sync::Mutex::new(())),
            jobs: Arc::new(jobs),
            jobs_rx: Arc::new(StdMutex::new(Some(jobs_rx))),
        }
    }
}

/// main's program, the runtime's block_on future: its program.
async fn main_program(sh: Shared) {
    let mut kept_claim: Option<BranchFuture> = None;    // &mut claim: a select! branch kept alive between select!s
    spawn_holder(&sh);                                  // spawn holder
    tokio::task::yield_now().await;                     // yield_now
    {                                                   // select! (biased) of &mut claim, job, tick
        let mut fut_0: BranchFuture = match kept_claim.take() {  // &mut claim
            Some(kept) => kept,                         // kept alive by the last select!, polled again where it stopped
            None => branch_claim(&sh),
        };
        let mut fut_1: BranchFuture = branch_job(&sh);  // job
        let mut fut_2: BranchFuture = branch_tick(&sh);  // tick
        let won: i32;
        tokio::select! {
            biased;
            _ = &mut fut_0 => { won = 0; }
            _ = &mut fut_1 => { won = 1; }
            _ = &mut fut_2 => { won = 2; }
        }
        if won != 0 { kept_claim = Some(fut_0); }       // claim lost: it stays alive, unpolled
        WON.store(won, SeqCst);
    }                                                   // the other branch futures are dropped here
    if WON.load(SeqCst) != 0 {                          // if won != 0
        if let Some(kept) = kept_claim.take() {         // await claim: (&mut claim).await
            kept.await;
        }                                               // not alive (it won or was dropped): nothing to await
    }
}

/// holder: lock pool; sleep 50; unlock pool.
async fn holder(sh: Shared) {
    let pool = &*sh.pool;                               // tokio::sync::Mutex pool
    let mut pool_guard: Option<MutexGuard<'_, ()>> = None;  // the guard of pool while held
    pool_guard = Some(pool.lock().await);               // lock pool
    tokio::time::sleep(TICK * 50).await;                // sleep 50
    pool_guard = None;                                  // unlock pool: drop the guard
}

/// spawn holder: the program under its wrapper (none).
fn spawn_holder(sh: &Shared) {
    let t = HOLDER;
    if HANDLES[t].spawned() {
        return;
    }
    HANDLES[t].spawn(holder(sh.clone()));
}

/// claim, a branch of main's select! (a future inside that task): lock pool; unlock pool.
async fn claim(sh: Shared) {
    let pool = &*sh.pool;                               // tokio::sync::Mutex pool
    let mut pool_guard: Option<MutexGuard<'_, ()>> = None;  // the guard of pool while held
    pool_guard = Some(pool.lock().await);               // lock pool
    pool_guard = None;                                  // unlock pool: drop the guard
}

/// claim's future, made where its combinator takes it: under its wrapper (none), in a Branch.
fn branch_claim(sh: &Shared) -> BranchFuture {
    Box::pin(Branch::new(CLAIM, claim(sh.clone())))
}

/// job, a branch of main's select! (a future inside that task): recv jobs.
async fn job(sh: Shared) {
    let mut jobs_rx = Lent::new(&sh.jobs_rx);           // the Receiver of jobs, borrowed from the task while this branch runs
    jobs_rx.recv().await;                               // recv jobs: a message (its slot goes back), or None once closed
}

/// job's future, made where its combinator takes it: under its wrapper (none), in a Branch.
fn branch_job(sh: &Shared) -> BranchFuture {
    Box::pin(Branch::new(JOB, job(sh.clone())))
}

/// tick, a branch of main's select! (a future inside that task): sleep 5.
async fn tick(sh: Shared) {
    tokio::time::sleep(TICK * 5).await;                 // sleep 5
}

/// tick's future, made where its combinator takes it: under its wrapper (none), in a Branch.
fn branch_tick(sh: &Shared) -> BranchFuture {
    Box::pin(Branch::new(TICK_2, tick(sh.clone())))
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let deadline = Instant::now() + DEADLINE;
    // main's own program, until it ends or the deadline passes. It is kept, not dropped, so
    // that what it holds stays held: the model never cancels main.
    let mut program = Box::pin(main_program(Shared::new()));
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
