// The fixed parts of an exported program, as Rust text: its build instructions, the helpers
// (wrappers, guard slots, drop slots, branches, handed lock futures) written into every program
// that needs them, and main's skeleton.
#pragma once

namespace wakecheck::exporters::rust {

// The program's fixed parts, as written into every program that needs them.

/// How to build the program: the Rust floor, then a crate around it, offline against Debian's
/// crate folder (the files are given whole, so they can be copied as they are).
inline constexpr const char* kBuildHead =
    R"rust(//! Rust 1.63 or newer builds it (the floor: Debian 12's rustc); tokio 1.x runs it (the model
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
)rust";

/// The dependency line of a program whose tasks run futures inside them.
inline constexpr const char* kFuturesDependency =
    R"rust(//!     futures = "0.3"  # FuturesUnordered, buffer_unordered, select_all (Debian's 0.3.21)
)rust";

inline constexpr const char* kBuildTail =
    R"rust(//!
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

)rust";

inline constexpr const char* kFuturesImports = R"rust(use futures::stream::{FuturesUnordered, StreamExt};
)rust";

inline constexpr const char* kPrelude =
    R"rust(#![allow(unused, unreachable_code)]

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
)rust";

inline constexpr const char* kSleep =
    R"rust(
/// `sleep` in a program: long next to the work between two awaits, as the model assumes.
const SLEEP: Duration = Duration::from_millis(100);
/// One tick of a timed `sleep D` or timeout `after`: timers fire in deadline order, as the
/// model has them (work between two awaits takes no time next to a tick).
const TICK: Duration = Duration::from_millis(20);
)rust";

inline constexpr const char* kStopFlag =
    R"rust(// ---- wrappers and helpers --------------------------------------------------------------

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

)rust";

inline constexpr const char* kPausableFuture =
    R"rust(/// The seed's PausableFuture: once its flag is set, polls return Pending without polling the
/// inner future, which keeps whatever it owns (a permit assigned to its lock future is stranded).
struct PausableFuture<F> {
    inner: Pin<Box<F>>,
    stopped: &'static StopFlag,
}

impl<F: Future> PausableFuture<F> {
    fn new(stopped: &'static StopFlag, inner: F) -> Self {
        PausableFuture { inner: Box::pin(inner), stopped }
    }
}

impl<F: Future> Future for PausableFuture<F> {
    type Output = F::Output;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if self.stopped.is_set(cx) {
            return Poll::Pending;
        }
        self.inner.as_mut().poll(cx)
    }
}

)rust";

inline constexpr const char* kDropOnPause =
    R"rust(/// The fix: at its first poll after the flag is set, drops the inner future (its destructors
/// hand on what it owns: tokio's Acquire::drop returns an assigned permit) and yields None.
struct DropOnPause<F> {
    inner: Option<Pin<Box<F>>>,
    stopped: &'static StopFlag,
}

impl<F: Future> DropOnPause<F> {
    fn new(stopped: &'static StopFlag, inner: F) -> Self {
        DropOnPause { inner: Some(Box::pin(inner)), stopped }
    }
}

impl<F: Future> Future for DropOnPause<F> {
    type Output = Option<F::Output>;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if self.stopped.is_set(cx) {
            self.inner = None;
            return Poll::Ready(None);
        }
        match self.inner.as_mut() {
            Some(inner) => inner.as_mut().poll(cx).map(Some),
            None => Poll::Ready(None),
        }
    }
}

/// A whole task under DropOnPause: once the wrapper has dropped the task's future, the task
/// never finishes (its wrapper stays Pending, as in the fixed reproducer).
async fn task_drop_on_pause<F: Future<Output = ()>>(wrapped: DropOnPause<F>) {
    if wrapped.await.is_none() {
        std::future::pending::<()>().await;
    }
}

)rust";

inline constexpr const char* kFinishItem =
    R"rust(/// A finish-item wrapper: it honours its pause flag only between items, and the whole inner
/// future is its one item, so it never pauses a future that has started (nor, having no
/// earlier item, one that has not): polls always reach the inner future.
struct FinishItem<F> {
    inner: Pin<Box<F>>,
    stopped: &'static StopFlag,
}

impl<F: Future> FinishItem<F> {
    fn new(stopped: &'static StopFlag, inner: F) -> Self {
        FinishItem { inner: Box::pin(inner), stopped }
    }
}

impl<F: Future> Future for FinishItem<F> {
    type Output = F::Output;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // The item in flight runs to its end; the flag would be read before the next item.
        self.inner.as_mut().poll(cx)
    }
}

)rust";

inline constexpr const char* kPermits =
    R"rust(/// The permits a task holds of one Semaphore, as a count. tokio 1.24's SemaphorePermit cannot
/// be split, so an acquired permit is forgotten into the count and `release` gives permits back
/// with add_permits, which is what dropping a SemaphorePermit does (semaphore.rs: Drop calls
/// add_permits). Dropping the count (the task's future dropped) releases what is left.
struct Permits<'a> {
    sem: &'a tokio::sync::Semaphore,
    held: u32,
}

impl<'a> Permits<'a> {
    fn new(sem: &'a tokio::sync::Semaphore) -> Self {
        Permits { sem, held: 0 }
    }
    /// An acquired permit of `n` permits joins the count.
    fn add(&mut self, permit: tokio::sync::SemaphorePermit<'_>, n: u32) {
        permit.forget();
        self.held += n;
    }
    /// `release S` / `release_many S K`: up to `n` held permits go back (the model's min).
    fn release(&mut self, n: u32) {
        let n = n.min(self.held);
        self.held -= n;
        if n > 0 {
            self.sem.add_permits(n as usize);
        }
    }
    /// `forget S K`: up to `n` held permits leave for good (SemaphorePermit::forget).
    fn forget(&mut self, n: u32) {
        self.held -= n.min(self.held);
    }
    fn mark(&self) -> u32 {
        self.held
    }
    /// A cancelled nested future: the permits it took since `mark` go with it.
    fn cancel_to(&mut self, mark: u32) {
        if self.held > mark {
            self.release(self.held - mark);
        }
    }
}

impl Drop for Permits<'_> {
    fn drop(&mut self) {
        self.release(self.held);
    }
}

)rust";

inline constexpr const char* kLent =
    R"rust(/// What a branch borrows from its task's slot while it runs (a Receiver, or a kept future it
/// polls again): put back when the branch is dropped, so that the next branch future made (the
/// next select! in a loop) finds it, as `rx.recv()` or `&mut fut` in each select! borrows the
/// task's own.
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

)rust";

inline constexpr const char* kRwHeld =
    R"rust(/// The guards a task holds of one RwLock<()>: read guards (a task may read twice) or the
/// write guard. `unlock` drops the write guard when there is one, else one read guard: the
/// model's unlock gives back all permits for a writer, one for a reader.
struct RwHeld<'a> {
    reads: Vec<tokio::sync::RwLockReadGuard<'a, ()>>,
    write: Option<tokio::sync::RwLockWriteGuard<'a, ()>>,
}

impl<'a> RwHeld<'a> {
    fn new() -> Self {
        RwHeld { reads: Vec::new(), write: None }
    }
    fn read(&mut self, guard: tokio::sync::RwLockReadGuard<'a, ()>) {
        self.reads.push(guard);
    }
    fn write(&mut self, guard: tokio::sync::RwLockWriteGuard<'a, ()>) {
        self.write = Some(guard);
    }
    fn unlock(&mut self) {
        if self.write.take().is_none() {
            self.reads.pop();
        }
    }
    fn mark(&self) -> (usize, bool) {
        (self.reads.len(), self.write.is_some())
    }
    /// A cancelled nested future: the guards it took since `mark` go with it.
    fn cancel_to(&mut self, mark: (usize, bool)) {
        if !mark.1 {
            self.write = None;
        }
        self.reads.truncate(mark.0);
    }
}

)rust";

inline constexpr const char* kOnDrop =
    R"rust(/// A drop guard (`on_drop` in the property file): its handler runs if the future holding it
/// is dropped inside the scope (dropped, aborted, or cancelled by its wrapper); leaving the
/// scope, or returning, disarms it.
struct OnDrop<F: FnMut()> {
    handler: Option<F>,
}

impl<F: FnMut()> OnDrop<F> {
    fn new(handler: F) -> Self {
        OnDrop { handler: Some(handler) }
    }
    fn disarm(&mut self) {
        self.handler = None;
    }
}

impl<F: FnMut()> Drop for OnDrop<F> {
    fn drop(&mut self) {
        if let Some(mut handler) = self.handler.take() {
            handler();
        }
    }
}

)rust";

inline constexpr const char* kStdGuard =
    R"rust(/// A std::sync::Mutex guard. No spawned task holds one across an await (wakecheck checks it:
/// no_model_error; main, whose future stays on its thread, may), but the variable keeping it
/// lives across awaits, which makes the future !Send to the compiler; this wrapper lets it move.
struct StdGuard<'a>(std::sync::MutexGuard<'a, ()>);
unsafe impl Send for StdGuard<'_> {}

)rust";

inline constexpr const char* kTaskSlot =
    R"rust(/// A task's JoinHandle, kept where every program can reach it (abort, join) and where main
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

)rust";

inline constexpr const char* kWatchdog =
    R"rust(/// A thread blocked in futures::executor::block_on keeps its core: on current_thread the
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

)rust";

inline constexpr const char* kDroppable =
    R"rust(/// A task that a program drops (`drop T`): the spawned future polls the task's future from a
/// slot, and drop_task empties the slot, dropping that future at once (a lock future hands
/// on an assigned permit, a drop guard runs its handler) as the model's drop does; the task
/// then ends, "dropped".
struct DropSlot {
    future: StdMutex<Option<Pin<Box<dyn Future<Output = ()> + Send>>>>,
    waker: StdMutex<Option<Waker>>,
}

impl DropSlot {
    const NEW: DropSlot = DropSlot { future: StdMutex::new(None), waker: StdMutex::new(None) };
}

struct Droppable(usize);

impl Droppable {
    fn new<F: Future<Output = ()> + Send + 'static>(t: usize, future: F) -> Self {
        *DROP_SLOTS[t].future.lock().unwrap() = Some(Box::pin(future));
        Droppable(t)
    }
}

impl Future for Droppable {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let slot = &DROP_SLOTS[self.0];
        *slot.waker.lock().unwrap() = Some(cx.waker().clone());
        let mut future = slot.future.lock().unwrap();
        let poll = match future.as_mut() {
            Some(inner) => inner.as_mut().poll(cx),
            None => return Poll::Ready(()),  // dropped by a program
        };
        if poll.is_ready() {
            *future = None;
        }
        poll
    }
}

/// `drop T`: drops task t's future now, if it runs.
fn drop_task(t: usize) {
    let future = DROP_SLOTS[t].future.lock().unwrap().take();
    if future.is_some() {
        HANDLES[t].dropped.store(true, SeqCst);
        drop(future);
        if let Some(waker) = DROP_SLOTS[t].waker.lock().unwrap().take() {
            waker.wake();
        }
    }
}

)rust";

inline constexpr const char* kBranch =
    R"rust(/// A branch of a combinator (join!, FuturesUnordered / buffer_unordered, select_all, select!): a
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

/// Branch t's line of the report: one still running is hung; one its combinator never took (a
/// stream's unread item) has no line.
fn report_branch(t: usize) {
    match BRANCHES[t - FIRST_BRANCH].state() {
        "" => {}
        "running" => println!("task {}: hung", TASKS[t]),
        how => println!("task {}: {how}", TASKS[t]),
    }
}

/// A branch as its combinator holds it: boxed, so that branches of different programs mix.
type BranchFuture = Pin<Box<dyn Future<Output = ()> + Send>>;

)rust";

inline constexpr const char* kHanded =
    R"rust(/// A lock future moved between tasks (`hand_lock m to T`, `await_lock m`): m.lock_owned(),
/// polled once by the task that made it, waits in T's slot until T's `await_lock` takes it.
type HandedLock = Pin<Box<dyn Future<Output = tokio::sync::OwnedMutexGuard<()>> + Send>>;

struct HandSlot {
    future: StdMutex<Option<HandedLock>>,
    waker: StdMutex<Option<Waker>>,
}

impl HandSlot {
    const NEW: HandSlot = HandSlot { future: StdMutex::new(None), waker: StdMutex::new(None) };
}

/// `hand_lock m to T`: makes m's lock_owned() future and polls it once with this task's waker
/// (it acquires at once, or queues on m with this task's waker in its node), then moves it to
/// task t's slot and wakes t if t waits for it there.
async fn hand_lock(m: Arc<tokio::sync::Mutex<()>>, t: usize) {
    let mut future: HandedLock = Box::pin(m.lock_owned());
    let first = PollOnce(&mut future).await;
    if let Poll::Ready(guard) = first {
        future = Box::pin(std::future::ready(guard));  // acquired at its first poll: the guard goes to t
    }
    *HANDED[t].future.lock().unwrap() = Some(future);
    if let Some(waker) = HANDED[t].waker.lock().unwrap().take() {
        waker.wake();
    }
}

/// Polls the lock future once and gives what that poll returned: Ready(guard) or Pending.
/// (std::future::poll_fn would do, but it is stable only since Rust 1.64.)
struct PollOnce<'a>(&'a mut HandedLock);

impl Future for PollOnce<'_> {
    type Output = Poll<tokio::sync::OwnedMutexGuard<()>>;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Poll::Ready(self.0.as_mut().poll(cx))
    }
}

/// `await_lock m`, its first half: the lock future handed to task t, Pending until one is there.
/// The program then awaits it: that first poll puts t's waker in the node, so m's releases wake
/// t, no longer the task that made the future (batch_semaphore.rs Acquire::poll, S21).
struct Receive(usize);

impl Future for Receive {
    type Output = HandedLock;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<HandedLock> {
        let slot = &HANDED[self.0];
        *slot.waker.lock().unwrap() = Some(cx.waker().clone());
        match slot.future.lock().unwrap().take() {
            Some(future) => {
                *slot.waker.lock().unwrap() = None;
                Poll::Ready(future)
            }
            None => Poll::Pending,
        }
    }
}

)rust";

inline constexpr const char* kAbout = R"rust(Each task's program is an async fn, each statement
//! commented with its text in the property file. main runs its own program, then waits until every
//! spawned task has ended or a common deadline has passed, reads each JoinHandle and prints one
//! line per task:
//! "task NAME: done", "hung", "cancelled" or "dropped".
)rust";

inline constexpr const char* kAboutBranches =
    R"rust(//! A branch of a combinator (join!, FuturesUnordered, select_all, select!) is a future inside its
//! task, written as an async fn as well; main reports it after the tasks, in a line of its own.
)rust";

inline constexpr const char* kNewerOrders =
    R"rust(//! The model follows tokio 1.53.1's wake orders here ("tokio": "1.53"): hang outcomes are the
//! same in 1.24.2, orders are not.
//!
)rust";

inline constexpr const char* kMain = R"rust(async fn main() {
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
    // Leave now: shutting the runtime down would drop the tasks' futures and run their
    // destructors (drop guards) after the verdict.
    std::process::exit(0);
}
)rust";

/// main's report on the branches, after the tasks' lines (before it leaves).
inline constexpr const char* kMainBranches = R"rust(    // The branches (futures inside a task), in the model's order, as they stand at the deadline.
    for t in FIRST_BRANCH..TASKS.len() {
        if BRANCHES[t - FIRST_BRANCH].state() == "running" {
            tokio::time::sleep_until(deadline).await;
        }
        report_branch(t);
    }
)rust";

}  // namespace wakecheck::exporters::rust
