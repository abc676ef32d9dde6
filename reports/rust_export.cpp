#include "reports/rust_export.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <utility>

#include "model/queries.hpp"
#include "model/tokio_model.hpp"
#include "properties/input_error.hpp"

namespace wakecheck::reports {
namespace {

using model::Op;
using model::OpKind;
using model::ResourceKind;
using model::Wrapper;
using properties::InputError;

// --- what can be exported --------------------------------------------------------------------

[[noreturn]] void refuse(const properties::PropertyFile& file, const std::string& why) {
  throw InputError(file.path + ": cannot export to Rust: " + why);
}

bool supported_resource(ResourceKind kind) {
  return kind != ResourceKind::kBargingMutex;
}

// --- names -----------------------------------------------------------------------------------

std::string upper(const std::string& name) {
  std::string out;
  for (char c : name) out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool rust_keyword(const std::string& name) {
  static const std::set<std::string> keywords = {
      "as",    "async",  "await",    "break",   "const", "continue", "crate", "dyn",    "else",
      "enum",  "extern", "false",    "fn",      "for",   "if",       "impl",  "in",     "let",
      "loop",  "match",  "mod",      "move",    "mut",   "pub",      "ref",   "return", "self",
      "Self",  "static", "struct",   "super",   "trait", "true",     "type",  "unsafe", "use",
      "where", "while",  "abstract", "become",  "box",   "do",       "final", "macro",  "override",
      "priv",  "typeof", "unsized",  "virtual", "yield", "try",      "gen",   "union"};
  return keywords.count(name) != 0;
}

/// Hands out identifiers, each once: a name already taken (or a Rust keyword, or one of the
/// program's own helpers) gets a suffix.
class NameTable {
 public:
  explicit NameTable(std::initializer_list<const char*> reserved) {
    for (const char* r : reserved) taken_.insert(r);
  }
  std::string take(const std::string& wanted) {
    std::string name = wanted;
    if (rust_keyword(name)) name += "_";
    for (int n = 2; taken_.count(name) != 0; ++n) name = wanted + "_" + std::to_string(n);
    taken_.insert(name);
    return name;
  }

 private:
  std::set<std::string> taken_;
};

/// Pads `code` so that comments line up, then adds `// comment`.
std::string with_comment(const std::string& code, const std::string& comment, std::size_t indent) {
  if (comment.empty()) return code;
  constexpr std::size_t kColumn = 56;
  std::string line = code;
  const std::size_t width = indent + line.size();
  line += width + 2 < kColumn ? std::string(kColumn - width, ' ') : std::string("  ");
  return line + "// " + comment;
}

/// Rust's string literal for `text`.
std::string rust_string(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// --- the scenario's parts, as the program names them -----------------------------------------

/// A task template ("worker", copies worker0..worker3) or a single task, emitted as one async fn
/// (`worker(me, sh)` for a template whose copies run the same program) or one per copy.
struct Unit {
  std::string group;
  std::vector<std::size_t> tasks;  // task indices, in order
  bool generic = false;            // one fn for every copy, taking the copy's index `me`
  std::string fn;                  // the async fn running the program
  std::string spawn_fn;            // the fn spawning it (none for main); a branch's: making it
  bool branch = false;             // a combinator's branch (a future inside its task)
};

/// A group of statics: one per copy of a template (an array indexed by copy), or one scalar.
struct StaticSlot {
  std::string name;
  bool array = false;
};

// The program's fixed parts, as written into every program that needs them.

/// How to build the program: the Rust floor, then a crate around it, offline against Debian's
/// crate folder (the files are given whole, so they can be copied as they are).
constexpr const char* kBuildHead =
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
constexpr const char* kFuturesDependency =
    R"rust(//!     futures = "0.3"  # FuturesUnordered, buffer_unordered, select_all (Debian's 0.3.21)
)rust";

constexpr const char* kBuildTail =
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

constexpr const char* kFuturesImports = R"rust(use futures::stream::{FuturesUnordered, StreamExt};
)rust";

constexpr const char* kPrelude =
    R"rust(#![allow(unused, unreachable_code)]

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::Ordering::SeqCst;
use std::sync::atomic::{AtomicBool, AtomicI32};
use std::sync::{Arc, Mutex as StdMutex};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use tokio::sync::MutexGuard;
use tokio::task::JoinHandle;
use tokio::time::Instant;
)rust";

constexpr const char* kSleep =
    R"rust(
/// `sleep` in a program: long next to the work between two awaits, as the model assumes.
const SLEEP: Duration = Duration::from_millis(100);
)rust";

constexpr const char* kStopFlag =
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

constexpr const char* kPausableFuture =
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

constexpr const char* kDropOnPause =
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

constexpr const char* kFinishItem =
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

constexpr const char* kPermits =
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

constexpr const char* kRwHeld =
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

constexpr const char* kOnDrop =
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

constexpr const char* kStdGuard =
    R"rust(/// A std::sync::Mutex guard. No program holds one across an await (wakecheck checks it:
/// no_model_error), but the variable keeping it lives across awaits, which makes the future
/// !Send to the compiler; this wrapper lets it move.
struct StdGuard<'a>(std::sync::MutexGuard<'a, ()>);
unsafe impl Send for StdGuard<'_> {}

)rust";

constexpr const char* kTaskSlot =
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

    /// `tokio::spawn`; a task is spawned once (the model ignores a second spawn).
    fn spawn<F: Future<Output = ()> + Send + 'static>(&self, future: F) {
        *self.handle.lock().unwrap() = Some(tokio::spawn(future));
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

/// `handle.await` on task `t` (the model's `join`), through its slot.
struct Join(usize);

impl Future for Join {
    type Output = &'static str;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<&'static str> {
        HANDLES[self.0].poll_join(cx)
    }
}

)rust";

constexpr const char* kDroppable =
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

constexpr const char* kBranch =
    R"rust(/// A branch of a combinator (join!, FuturesUnordered / buffer_unordered, select_all): a
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

)rust";

constexpr const char* kHanded =
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

constexpr const char* kAbout = R"rust(Each task's program is an async fn, each statement
//! commented with its text in the property file. main runs its own program, then awaits every
//! spawned task's JoinHandle until a common deadline and prints one line per task:
//! "task NAME: done", "hung", "cancelled" or "dropped".
)rust";

constexpr const char* kAboutBranches =
    R"rust(//! A branch of a combinator (join!, FuturesUnordered, select_all) is a future inside its
//! task, written as an async fn as well; main reports it after the tasks, in a line of its own.
)rust";

constexpr const char* kNewerOrders =
    R"rust(//! The model follows tokio 1.53.1's wake orders here ("tokio": "1.53"): hang outcomes are the
//! same in 1.24.2, orders are not.
//!
)rust";

constexpr const char* kMain = R"rust(async fn main() {
    let deadline = Instant::now() + DEADLINE;
    // main's own program, until it ends or the deadline passes. It is kept, not dropped, so
    // that what it holds stays held: the model never cancels main.
    let mut program = Box::pin(main_program(Shared::new()));
    let ended = tokio::time::timeout_at(deadline, &mut program).await.is_ok();
    println!("task main: {}", if ended { "done" } else { "hung" });
    // Every spawned task's JoinHandle, until the same deadline, in the model's order.
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
constexpr const char* kMainBranches = R"rust(    // The branches (futures inside a task), in the model's order: one still running at the
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
)rust";

class Exporter {
 public:
  explicit Exporter(const properties::PropertyFile& file) : file_(file), sc_(file.scenario) {}

  std::string run() {
    check_exportable(file_);
    name_everything();
    std::ostringstream out;
    header(out);
    helpers(out);
    statics(out);
    shared(out);
    for (const auto& unit : units_) task_fn(out, unit);
    branch_by_index(out);
    main_fn(out);
    return out.str();
  }

 private:
  // --- naming --------------------------------------------------------------------------------

  void name_everything() {
    // Groups of tasks in the order they first appear (main first).
    std::map<std::string, std::size_t> group_of_name;
    for (std::size_t t = 0; t < sc_.tasks.size(); ++t) {
      const auto& spec = sc_.tasks[t];
      auto [it, fresh] = group_of_name.emplace(spec.group, groups_.size());
      if (fresh) groups_.push_back({spec.group, {}});
      groups_[it->second].second.push_back(t);
      task_group_.push_back(it->second);
      copy_of_.push_back(groups_[it->second].second.size() - 1);
      template_.push_back(spec.name != spec.group);
    }
    for (std::size_t t = 0; t < sc_.tasks.size(); ++t)
      task_const_.push_back(upper_.take(upper(sc_.tasks[t].name)));

    // Resources: a local for each, and a slot for the guard of each mutex.
    for (const auto& r : sc_.resources) {
      resource_.push_back(lower_.take(r.name));
      const char* suffix = r.kind == ResourceKind::kSemaphore ? "_permits"
                           : r.kind == ResourceKind::kMpsc    ? "_rx"
                                                              : "_guard";
      guard_.push_back(lower_.take(r.name + suffix));
    }
    // A Notified a program creates before it awaits it (create_notified): a slot per notify.
    created_.assign(sc_.resources.size(), "");
    for (const auto& task : sc_.tasks) {
      for (const Op& op : task.program) {
        if (op.kind == OpKind::kCreateNotified && created_[op.a].empty())
          created_[op.a] = lower_.take(sc_.resources[op.a].name + "_created");
      }
    }

    // Pause flags: one StopFlag per wrapped future; the copies of a template share one array.
    for (std::size_t f = 0; f < sc_.futures.size(); ++f) {
      const auto& fut = sc_.futures[f];
      if (fut.wrapper == Wrapper::kNone) {
        flag_of_.push_back(std::nullopt);
        continue;
      }
      const std::size_t g = task_group_[fut.task];
      const std::string key = groups_[g].first + "." + nested_name(f);
      auto it = flag_slots_.find(key);
      if (it == flag_slots_.end()) {
        StaticSlot slot;
        slot.array = template_[fut.task];
        const std::string nested = nested_name(f);
        slot.name = upper_.take("STOP_" + upper(groups_[g].first) +
                                (nested.empty() ? "" : "_" + upper(nested)));
        it = flag_slots_.emplace(key, flag_order_.size()).first;
        flag_order_.push_back(slot);
        flag_size_.push_back(0);
      }
      flag_of_.push_back(it->second);
      flag_size_[it->second] = std::max(flag_size_[it->second], copy_of_[fut.task] + 1);
    }

    // Variables: shared ones by name, a task's own by its template and name.
    for (std::size_t v = 0; v < sc_.variables.size(); ++v) {
      const auto& var = sc_.variables[v];
      const std::string key =
          var.task ? groups_[task_group_[*var.task]].first + "." + var.name : var.name;
      auto it = var_slots_.find(key);
      if (it == var_slots_.end()) {
        StaticSlot slot;
        slot.array = var.task && template_[*var.task];
        slot.name = upper_.take(var.task ? upper(groups_[task_group_[*var.task]].first) + "_" +
                                               upper(var.name)
                                         : upper(var.name));
        it = var_slots_.emplace(key, var_order_.size()).first;
        var_order_.push_back(slot);
        var_members_.emplace_back();
      }
      var_of_.push_back(it->second);
      var_members_[it->second].push_back(v);
    }

    // Which tasks a program drops (their future sits in a DropSlot) and what the programs use.
    droppable_.assign(sc_.tasks.size(), false);
    for (std::size_t t = 0; t < sc_.tasks.size(); ++t) {
      scan(sc_.tasks[t].program);
    }
    for (const auto& handler : sc_.handlers) scan(handler);
    for (const auto& fut : sc_.futures) {
      if (fut.wrapper == Wrapper::kPausable) uses_pausable_ = true;
      if (fut.wrapper == Wrapper::kDropOnPause) uses_drop_on_pause_ = true;
      if (fut.wrapper == Wrapper::kFinishItem) uses_finish_item_ = true;
      if (fut.wrapper == Wrapper::kTimeout) ++timeouts_;
    }

    // Units: main, then each group; a template whose copies render alike is one generic fn.
    for (std::size_t g = 0; g < groups_.size(); ++g) {
      const auto& [group, tasks] = groups_[g];
      const bool is_template = template_[tasks.front()];
      bool uniform = is_template;
      if (uniform) {
        const std::string first = body_text(tasks.front(), true, true);
        for (std::size_t i = 1; i < tasks.size() && uniform; ++i) {
          uniform = body_text(tasks[i], true, true) == first;
        }
      }
      if (g == 0) {
        units_.push_back({group, tasks, false, "main_program", ""});
        continue;
      }
      if (sc_.tasks[tasks.front()].parent) {
        // A branch is its own group (its name is a task name): one fn, and one making its future.
        const std::string& name = sc_.tasks[tasks.front()].name;
        units_.push_back({group, tasks, false, lower_.take(name), lower_.take("branch_" + name), true});
        continue;
      }
      if (uniform) {
        units_.push_back({group, tasks, true, lower_.take(group), lower_.take("spawn_" + group)});
        continue;
      }
      for (std::size_t t : tasks) {
        units_.push_back({group,
                          {t},
                          false,
                          lower_.take(sc_.tasks[t].name),
                          lower_.take("spawn_" + sc_.tasks[t].name)});
      }
    }
    for (std::size_t u = 0; u < units_.size(); ++u) {
      for (std::size_t t : units_[u].tasks) unit_of_[t] = u;
    }
    for (std::size_t t = 0; t < sc_.tasks.size() && !first_branch_; ++t) {
      if (sc_.tasks[t].parent) first_branch_ = t;
    }
  }

  void scan(const std::vector<Op>& program) {
    for (const Op& op : program) {
      if (op.kind == OpKind::kDrop) droppable_[op.a] = true;
      if (op.kind == OpKind::kGuardBegin) uses_guard_ = true;
      if (op.kind == OpKind::kStdLock || op.kind == OpKind::kStdUnlock) uses_std_ = true;
      if (op.kind == OpKind::kHandLock || op.kind == OpKind::kAwaitHanded) uses_hand_ = true;
    }
  }

  /// "wait" for a nested future "worker1.wait"; "" for a task's own future.
  std::string nested_name(std::size_t f) const {
    if (f < sc_.tasks.size()) return "";
    const std::string& name = sc_.futures[f].name;
    const auto dot = name.find('.');
    return dot == std::string::npos ? name : name.substr(dot + 1);
  }

  // --- rendering references, relative to the task whose program is written -------------------

  struct Ctx {
    std::size_t task = 0;
    bool generic = false;         // own things are indexed by `me`
    bool in_handler = false;      // inside an on_drop closure: guards are its own
    bool in_region = false;       // inside a nested future's async block
    bool region_returns = false;  // that block yields whether the program returned
    bool in_guard = false;        // an on_drop guard named `guard` is armed
    bool probe = false;           // spawns by task name: comparing copies, before units
    bool kept_lock = false;       // the program has a slot `kept` for a select!'s lock future
    bool kept_rest = false;       // ... and one, `rest`, for the futures select_all left alive
    std::uint32_t owned = 0;      // bit r: mutex r's guard slot holds an OwnedMutexGuard (the
                                  // program awaits a handed lock future of r)
    std::uint32_t created = 0;    // bit r: the program keeps a created Notified of notify r
  };

  static bool has(std::uint32_t mask, std::size_t r) { return ((mask >> r) & 1U) != 0; }

  /// The task whose variables a program reads: its own, or a branch's parent.
  std::size_t owner(std::size_t t) const { return sc_.tasks[t].parent.value_or(t); }

  /// The element of a static for task `owner`: NAME, NAME[2], or NAME[me] for the running copy.
  std::string element(const StaticSlot& slot, std::size_t owner, const Ctx& ctx) const {
    if (!slot.array) return slot.name;
    if (ctx.generic && owner == ctx.task) return slot.name + "[me]";
    return slot.name + "[" + std::to_string(copy_of_[owner]) + "]";
  }
  std::string flag_ref(std::size_t f, const Ctx& ctx) const {
    return element(flag_order_[*flag_of_[f]], sc_.futures[f].task, ctx);
  }
  std::string var_ref(std::size_t v, const Ctx& ctx) const {
    const auto& var = sc_.variables[v];
    return element(var_order_[var_of_[v]], var.task.value_or(0), ctx);
  }
  std::string task_ref(std::size_t t, const Ctx& ctx) const {
    if (ctx.generic && t == ctx.task) return task_const_[units_tasks_first(t)] + " + me";
    return task_const_[t];
  }
  std::size_t units_tasks_first(std::size_t t) const {
    return groups_[task_group_[t]].second.front();
  }

  /// A variable's name as its program writes it: bare for a shared one and for the task's own.
  std::string var_source(std::size_t v, const Ctx& ctx) const {
    const auto& var = sc_.variables[v];
    if (!var.task || *var.task == owner(ctx.task)) return var.name;
    return sc_.tasks[*var.task].name + "." + var.name;
  }

  // --- expressions -----------------------------------------------------------------------------

  enum class Ty { kInt, kBool };
  struct Code {
    std::string text;
    Ty ty = Ty::kInt;
    bool primary = true;  // needs no parentheses as an operand
  };

  static std::string paren(const Code& c) { return c.primary ? c.text : "(" + c.text + ")"; }

  Code expr_node(const model::Expr& e, std::int32_t i, const Ctx& ctx) const {
    const model::ExprNode& node = e.nodes[static_cast<std::size_t>(i)];
    using model::ExprOp;
    switch (node.op) {
      case ExprOp::kConst:
        return {std::to_string(node.value), Ty::kInt, node.value >= 0};
      case ExprOp::kVar: {
        const auto v = static_cast<std::size_t>(node.value);
        return {var_ref(v, ctx) + ".load(SeqCst)", sc_.variables[v].boolean ? Ty::kBool : Ty::kInt,
                true};
      }
      case ExprOp::kNot:
        return {"!" + paren(as_bool(e, node.a, ctx)), Ty::kBool, true};
      case ExprOp::kNeg:
        return {"-" + paren(as_int(e, node.a, ctx)), Ty::kInt, true};
      case ExprOp::kAnd:
      case ExprOp::kOr: {
        const char* op = node.op == ExprOp::kAnd ? " && " : " || ";
        return {paren(as_bool(e, node.a, ctx)) + op + paren(as_bool(e, node.b, ctx)), Ty::kBool,
                false};
      }
      case ExprOp::kImplies:
        return {"!" + paren(as_bool(e, node.a, ctx)) + " || " + paren(as_bool(e, node.b, ctx)),
                Ty::kBool, false};
      case ExprOp::kEq:
      case ExprOp::kNe: {
        const char* op = node.op == ExprOp::kEq ? " == " : " != ";
        const Code a = expr_node(e, node.a, ctx);
        const Code b = expr_node(e, node.b, ctx);
        // A boolean compared with a boolean, or with the constant 0 or 1, stays a boolean.
        const bool a_bool = a.ty == Ty::kBool || is_bit(e, node.a);
        const bool b_bool = b.ty == Ty::kBool || is_bit(e, node.b);
        if ((a.ty == Ty::kBool || b.ty == Ty::kBool) && a_bool && b_bool) {
          return {paren(as_bool(e, node.a, ctx)) + op + paren(as_bool(e, node.b, ctx)), Ty::kBool,
                  false};
        }
        return {paren(as_int(e, node.a, ctx)) + op + paren(as_int(e, node.b, ctx)), Ty::kBool,
                false};
      }
      case ExprOp::kLt:
      case ExprOp::kLe:
      case ExprOp::kGt:
      case ExprOp::kGe: {
        const char* op = node.op == ExprOp::kLt   ? " < "
                         : node.op == ExprOp::kLe ? " <= "
                         : node.op == ExprOp::kGt ? " > "
                                                  : " >= ";
        return {paren(as_int(e, node.a, ctx)) + op + paren(as_int(e, node.b, ctx)), Ty::kBool,
                false};
      }
      case ExprOp::kAdd:
      case ExprOp::kSub: {
        const char* op = node.op == ExprOp::kAdd ? " + " : " - ";
        return {paren(as_int(e, node.a, ctx)) + op + paren(as_int(e, node.b, ctx)), Ty::kInt,
                false};
      }
      default:
        // Quantifiers and state atoms belong to formulas; the loader keeps them out of programs.
        refuse(file_, "the expression '" + e.text + "' is not a program expression");
    }
  }

  static bool is_bit(const model::Expr& e, std::int32_t i) {
    const auto& node = e.nodes[static_cast<std::size_t>(i)];
    return node.op == model::ExprOp::kConst && (node.value == 0 || node.value == 1);
  }
  Code as_bool(const model::Expr& e, std::int32_t i, const Ctx& ctx) const {
    const auto& node = e.nodes[static_cast<std::size_t>(i)];
    if (node.op == model::ExprOp::kConst)
      return {node.value != 0 ? "true" : "false", Ty::kBool, true};
    const Code c = expr_node(e, i, ctx);
    if (c.ty == Ty::kBool) return c;
    return {paren(c) + " != 0", Ty::kBool, false};
  }
  Code as_int(const model::Expr& e, std::int32_t i, const Ctx& ctx) const {
    const Code c = expr_node(e, i, ctx);
    if (c.ty == Ty::kInt) return c;
    return {"i32::from(" + c.text + ")", Ty::kInt, true};
  }
  std::int32_t root(const model::Expr& e) const {
    return static_cast<std::int32_t>(e.nodes.size()) - 1;
  }
  std::string condition(std::size_t expr, const Ctx& ctx) const {
    const auto& e = sc_.exprs[expr];
    return as_bool(e, root(e), ctx).text;
  }

  // --- statements ------------------------------------------------------------------------------

  using Lines = std::vector<std::string>;

  void line(Lines& out, std::size_t indent, const std::string& code,
            const std::string& comment = "") const {
    out.push_back(std::string(indent, ' ') + with_comment(code, comment, indent));
  }

  /// Whether a lock or try_lock on a rwlock writes: it takes every permit (the model's op_word).
  bool writes(const Op& op) const { return op.c > 1 && op.c == sc_.resources[op.a].permits; }

  /// The statement's text in the property file.
  std::string source(const Op& op, const Ctx& ctx) const {
    if (op.kind == OpKind::kAssign) return var_source(op.a, ctx) + " = " + sc_.exprs[op.b].text;
    const bool guard_op =
        op.kind == OpKind::kLock || op.kind == OpKind::kUnlock || op.kind == OpKind::kTryLock;
    std::string text = guard_op ? guard_words(op) : model::describe_op(sc_, op);
    if (op.kind == OpKind::kTryLock && op.b != 0) text = var_source(op.b - 1U, ctx) + " = " + text;
    return text;
  }

  /// A lock, unlock or try_lock in the property file's words for its resource's kind
  /// ("acquire_many s 2", "write l", "try_lock m").
  std::string guard_words(const Op& op) const {
    const auto& res = sc_.resources[op.a];
    const std::string n = " " + std::to_string(op.c);
    const bool many = op.c > 1;
    const bool tried = op.kind == OpKind::kTryLock;
    if (res.kind == ResourceKind::kSemaphore) {
      const char* verb = op.kind == OpKind::kUnlock ? (many ? "release_many" : "release")
                         : tried                    ? (many ? "try_acquire_many" : "try_acquire")
                                                    : (many ? "acquire_many" : "acquire");
      return verb + (" " + res.name) + (many ? n : "");
    }
    if (res.kind == ResourceKind::kRwLock) {
      const char* verb = op.kind == OpKind::kUnlock ? "unlock"
                         : tried                    ? (writes(op) ? "try_write" : "try_read")
                                                    : (writes(op) ? "write" : "read");
      return verb + (" " + res.name);
    }
    const char* verb = op.kind == OpKind::kUnlock ? "unlock" : tried ? "try_lock" : "lock";
    return verb + (" " + res.name);
  }

  /// Writes prog[begin, end): if and while rebuilt from the jumps the loader compiles them to
  /// (properties/property_file.cpp): `if`: unless-goto past the then-block, whose last operation
  /// is a forward goto past the else-block when there is one; `while`: unless-goto past the body,
  /// whose last operation is a goto back to the test.
  void block(const std::vector<Op>& prog, std::size_t begin, std::size_t end, std::size_t indent,
             const Ctx& ctx, Lines& out) const {
    std::size_t pc = begin;
    while (pc < end) {
      const Op& op = prog[pc];
      switch (op.kind) {
        case OpKind::kJumpUnless:
          pc = conditional(prog, pc, indent, ctx, out, "");
          break;
        case OpKind::kJump:
          refuse(file_, "a jump at operation " + std::to_string(pc) +
                            " of a program is not an if or a while");
        case OpKind::kGuardBegin: {
          std::size_t close = pc + 1;
          while (close < end && !(prog[close].kind == OpKind::kGuardEnd && prog[close].a == op.a))
            ++close;
          guard_scope(prog, pc, close, indent, ctx, out);
          pc = close + 1;
          break;
        }
        case OpKind::kWrapBegin: {
          const std::size_t after = op.b;
          nested_future(prog, pc, after - 1, indent, ctx, out);
          pc = after;
          break;
        }
        case OpKind::kStartSet:
          pc = unordered_loop(prog, pc, indent, ctx, out);
          break;
        case OpKind::kSelectAll:
          select_all(prog, pc, indent, ctx, out);
          ++pc;
          break;
        case OpKind::kBlockBegin: {
          std::size_t close = pc + 1;
          while (close < end && prog[close].kind != OpKind::kBlockEnd) ++close;
          block_in_place(prog, pc, close, indent, ctx, out);
          pc = close + 1;
          break;
        }
        case OpKind::kSpawn: {
          // `spawn worker` compiles to one spawn per copy: written as the seed's loop.
          const std::size_t t = op.a;
          if (ctx.probe) {
            statement(op, indent, ctx, out);
            ++pc;
            break;
          }
          const Unit& unit = units_[unit_of_.at(t)];
          std::size_t run = 0;
          if (unit.generic && t == unit.tasks.front()) {
            while (run < unit.tasks.size() && pc + run < end &&
                   prog[pc + run].kind == OpKind::kSpawn && prog[pc + run].a == unit.tasks[run]) {
              ++run;
            }
          }
          if (run == unit.tasks.size() && run > 1) {
            line(out, indent, "for me in 0.." + std::to_string(run) + " {",
                 "spawn " + unit.group + " (" + sc_.tasks[unit.tasks.front()].name + " .. " +
                     sc_.tasks[unit.tasks.back()].name + ", in order)");
            line(out, indent + 4, unit.spawn_fn + "(me, &sh);");
            line(out, indent, "}");
            pc += run;
          } else {
            statement(op, indent, ctx, out);
            ++pc;
          }
          break;
        }
        default:
          statement(op, indent, ctx, out);
          ++pc;
      }
    }
  }

  /// The kind of the statement that starts with the unless-goto at `pc`, and where it ends.
  enum class Shape { kIf, kIfElse, kWhile };
  std::pair<Shape, std::size_t> shape(const std::vector<Op>& prog, std::size_t pc) const {
    const std::size_t target = prog[pc].b;
    const bool body = target > pc + 1 && target - 1 < prog.size();
    if (body && prog[target - 1].kind == OpKind::kJump && prog[target - 1].b == pc)
      return {Shape::kWhile, target};
    if (body && prog[target - 1].kind == OpKind::kJump && prog[target - 1].b >= target) {
      return {Shape::kIfElse, prog[target - 1].b};
    }
    return {Shape::kIf, target};
  }

  /// An if or a while at `pc`; returns the pc after it. `lead` is "} else " when it continues an
  /// else-if chain. An else-block that is a single if is written as `else if`.
  std::size_t conditional(const std::vector<Op>& prog, std::size_t pc, std::size_t indent,
                          const Ctx& ctx, Lines& out, const std::string& lead) const {
    const Op& op = prog[pc];
    const std::string text = sc_.exprs[op.a].text;
    const auto [kind, after] = shape(prog, pc);
    const std::size_t target = op.b;
    if (kind == Shape::kWhile) {
      line(out, indent, "while " + condition(op.a, ctx) + " {", "while " + text);
      block(prog, pc + 1, target - 1, indent + 4, ctx, out);
      line(out, indent, "}");
      return after;
    }
    line(out, indent, lead + "if " + condition(op.a, ctx) + " {", "if " + text);
    if (kind == Shape::kIf) {
      block(prog, pc + 1, target, indent + 4, ctx, out);
      line(out, indent, "}");
      return after;
    }
    block(prog, pc + 1, target - 1, indent + 4, ctx, out);
    if (target < after && prog[target].kind == OpKind::kJumpUnless &&
        shape(prog, target).first != Shape::kWhile && shape(prog, target).second == after) {
      return conditional(prog, target, indent, ctx, out, "} else ");
    }
    line(out, indent, "} else {");
    block(prog, target, after, indent + 4, ctx, out);
    line(out, indent, "}");
    return after;
  }

  void statement(const Op& op, std::size_t indent, const Ctx& ctx, Lines& out) const {
    const std::string src = source(op, ctx);
    const std::string r = op.a < resource_.size() ? resource_[op.a] : "";
    const std::string g = op.a < guard_.size() ? guard_[op.a] : "";
    switch (op.kind) {
      case OpKind::kLock: {
        const auto kind = sc_.resources[op.a].kind;
        const std::string n = std::to_string(op.c);
        if (kind == ResourceKind::kSemaphore) {
          // Err(Closed): the Acquire is dropped and the program goes on.
          const std::string call = op.c == 1 ? ".acquire()" : ".acquire_many(" + n + ")";
          line(out, indent, "if let Ok(permit) = " + r + call + ".await {", src);
          line(out, indent + 4, g + ".add(permit, " + n + ");");
          line(out, indent, "}", "Err(Closed): goes on without a permit");
        } else if (kind == ResourceKind::kRwLock) {
          const bool write = writes(op);
          line(out, indent,
               g + (write ? ".write(" : ".read(") + r + (write ? ".write()" : ".read()") +
                   ".await);",
               src + (write ? " (all " + n + " permits)" : " (one permit)"));
        } else if (has(ctx.owned, op.a)) {
          line(out, indent, g + " = Some(sh." + r + ".clone().lock_owned().await);",
               src + " (an owned guard, as await_lock's)");
        } else {
          line(out, indent, g + " = Some(" + r + ".lock().await);", src);
        }
        return;
      }
      case OpKind::kUnlock: {
        const auto kind = sc_.resources[op.a].kind;
        if (kind == ResourceKind::kSemaphore) {
          line(out, indent, g + ".release(" + std::to_string(op.c) + ");",
               src + ": held permits go back");
        } else if (kind == ResourceKind::kRwLock) {
          line(out, indent, g + ".unlock();", src + ": drop the guard");
        } else {
          line(out, indent, g + " = None;", src + ": drop the guard");
        }
        return;
      }
      case OpKind::kTryLock: {
        const auto kind = sc_.resources[op.a].kind;
        const std::string n = std::to_string(op.c);
        std::string call = ".try_lock()";
        std::string keep = g + " = Some(acquired);";
        if (kind == ResourceKind::kSemaphore) {
          call = op.c == 1 ? ".try_acquire()" : ".try_acquire_many(" + n + ")";
          keep = g + ".add(acquired, " + n + ");";
        } else if (kind == ResourceKind::kRwLock) {
          call = writes(op) ? ".try_write()" : ".try_read()";
          keep = g + (writes(op) ? ".write(acquired);" : ".read(acquired);");
        } else if (has(ctx.owned, op.a)) {
          call = ".clone().try_lock_owned()";  // an owned guard, as await_lock's
        }
        const std::string lockable = has(ctx.owned, op.a) ? "sh." + r : r;
        // A failed try_lock leaves a guard already held alone.
        if (op.b == 0) {
          line(out, indent, "if let Ok(acquired) = " + lockable + call + " {", src);
          line(out, indent + 4, keep);
          line(out, indent, "}");
          return;
        }
        const std::size_t v = op.b - 1U;
        const std::string value = sc_.variables[v].boolean ? "ok" : "i32::from(ok)";
        line(out, indent, "let ok = match " + lockable + call + " {", src);
        line(out, indent + 4, "Ok(acquired) => {");
        line(out, indent + 8, keep);
        line(out, indent + 8, "true");
        line(out, indent + 4, "}");
        line(out, indent + 4, "Err(_) => false,");
        line(out, indent, "};");
        line(out, indent, var_ref(v, ctx) + ".store(" + value + ", SeqCst);");
        return;
      }
      case OpKind::kStdLock:
        line(out, indent, g + " = Some(StdGuard(" + r + ".lock().unwrap()));", src);
        return;
      case OpKind::kStdUnlock:
        line(out, indent, g + " = None;", src);
        return;
      case OpKind::kNotified:
        if (has(ctx.created, op.a)) {
          line(out, indent,
               created_[op.a] + ".take().unwrap_or_else(|| Box::pin(" + r + ".notified())).await;",
               src + ": the Notified created earlier, else a fresh one");
        } else {
          line(out, indent, r + ".notified().await;", src);
        }
        return;
      case OpKind::kCreateNotified:
        line(out, indent, created_[op.a] + " = Some(Box::pin(" + r + ".notified()));",
             src + ": created, not polled (it notes the notify_waiters count)");
        return;
      case OpKind::kHandLock:
        line(out, indent, "hand_lock(sh." + r + ".clone(), " + task_ref(op.b, ctx) + ").await;",
             src + ": lock_owned() polled once here, then moved");
        return;
      case OpKind::kAwaitHanded:
        line(out, indent, "let handed = Receive(" + task_ref(ctx.task, ctx) + ").await;",
             src + ": the lock future handed here (Pending until it comes)");
        line(out, indent, g + " = Some(handed.await);",
             "polled here: " + sc_.resources[op.a].name + "'s releases now wake this task");
        return;
      case OpKind::kAddPermits:
        line(out, indent, r + ".add_permits(" + std::to_string(op.b) + ");", src);
        return;
      case OpKind::kForget:
        if (sc_.resources[op.a].kind == ResourceKind::kSemaphore) {
          line(out, indent, g + ".forget(" + std::to_string(op.b) + ");",
               src + ": the permits leave for good");
        } else {
          line(out, indent, "if let Some(kept) = " + g + ".take() {",
               src + ": the guard is forgotten, never released");
          line(out, indent + 4, "std::mem::forget(kept);");
          line(out, indent, "}");
        }
        return;
      case OpKind::kClose:
        line(out, indent, r + ".close();", src + ": waiters and later acquires get Err(Closed)");
        return;
      case OpKind::kSend:
        line(out, indent, "let _ = " + r + ".send(()).await;",
             src + ": a slot, then the message (an Err goes on)");
        return;
      case OpKind::kRecv:
        line(out, indent, g + ".recv().await;", src + ": a message; its slot goes back");
        return;
      case OpKind::kGetOrInit:
        line(out, indent, r + ".get_or_init(|| async { tokio::time::sleep(SLEEP).await }).await;",
             src + " (the initializer sleeps)");
        return;
      case OpKind::kSelect: {
        // select! { biased; g = &mut fut => .., _ = sleep => .. }: the branch futures are dropped
        // before the handler runs, but `fut` is only borrowed, so it outlives the select.
        // op.b: 1 keeps the lock future (`&mut fut`), 2 leaves `biased;` out (a random start).
        const bool keep = (op.b & 1U) != 0;
        const bool biased = (op.b & 2U) == 0;
        line(out, indent, "{", src);
        line(out, indent + 4,
             "let mut fut: std::pin::Pin<Box<dyn std::future::Future<Output = MutexGuard<'_, ()>> + Send + '_>> = Box::pin(" +
                 r + ".lock());");
        line(out, indent + 4, "let won: i32;");
        line(out, indent + 4, "tokio::select! {");
        if (biased) {
          line(out, indent + 8, "biased;");
        } else {
          line(out, indent + 8, "// no `biased;`: each poll starts at a random branch");
        }
        line(out, indent + 8, "acquired = &mut fut => { " + g + " = Some(acquired); won = 0; }");
        line(out, indent + 8, "_ = tokio::time::sleep(SLEEP) => { won = 1; }");
        line(out, indent + 4, "}");
        if (keep) {
          line(out, indent + 4, "if won == 1 { kept = Some(fut); }", "&mut fut: the lock future stays alive, unpolled");
        } else {
          line(out, indent + 4, "drop(fut);", "the losing lock future is dropped");
        }
        if (op.c != 0) line(out, indent + 4, var_ref(op.c - 1U, ctx) + ".store(won, SeqCst);");
        line(out, indent, "}");
        return;
      }
      case OpKind::kDropKept:
        // The model drops select_all's rest when it holds live futures, else a select!'s.
        if (ctx.kept_rest && ctx.kept_lock) {
          line(out, indent, "if !rest.is_empty() {", src + ": select_all's rest, else the select!'s");
          line(out, indent + 4, "drop(std::mem::take(&mut rest));",
               "drop(rest): the futures select_all left alive are dropped");
          line(out, indent, "} else {");
          line(out, indent + 4, "kept = None;", "drop(fut) passes on what it was handed");
          line(out, indent, "}");
        } else if (ctx.kept_rest) {
          line(out, indent, "drop(std::mem::take(&mut rest));",
               src + ": drop(rest): what select_all left alive is dropped");
        } else {
          line(out, indent, "kept = None;", src + ": drop(fut) passes on what it was handed");
        }
        return;
      case OpKind::kJoinAll:
        // macros/join.rs: each poll polls every unfinished branch, the first one rotating.
        line(out, indent, "tokio::join!(", src + ": every branch polled on each poll");
        for (std::size_t c = op.a; c < std::size_t{op.a} + op.b; ++c)
          line(out, indent + 4, branch_call(c, ctx) + ",");
        line(out, indent, ");");
        return;
      case OpKind::kNotifyOne:
        line(out, indent, r + ".notify_one();", src);
        return;
      case OpKind::kNotifyWaiters:
        line(out, indent, r + ".notify_waiters();", src);
        return;
      case OpKind::kSleep:
        line(out, indent, "tokio::time::sleep(SLEEP).await;", src);
        return;
      case OpKind::kYieldNow:
        line(out, indent, "tokio::task::yield_now().await;", src);
        return;
      case OpKind::kJoin:
        line(out, indent, "Join(" + task_ref(op.a, ctx) + ").await;", src);
        return;
      case OpKind::kSpawn: {
        if (ctx.probe) {
          line(out, indent, "spawn(" + sc_.tasks[op.a].name + ");", src);
          return;
        }
        const Unit& unit = units_[unit_of_.at(op.a)];
        const std::string args = unit.generic ? std::to_string(copy_of_[op.a]) + ", &sh" : "&sh";
        line(out, indent, unit.spawn_fn + "(" + args + ");", src);
        return;
      }
      case OpKind::kPause:
        line(out, indent, flag_ref(op.a, ctx) + ".pause();", src + " (stop flag set)");
        return;
      case OpKind::kResume:
        line(out, indent, flag_ref(op.a, ctx) + ".resume();", src + " (flag cleared, task woken)");
        return;
      case OpKind::kDrop:
        line(out, indent, "drop_task(" + task_ref(op.a, ctx) + ");",
             src + ": its future is dropped now");
        return;
      case OpKind::kAbort:
        line(out, indent, "HANDLES[" + task_ref(op.a, ctx) + "].abort();",
             src + ": handle.abort()");
        return;
      case OpKind::kAssign: {
        const auto& e = sc_.exprs[op.b];
        const bool boolean = sc_.variables[op.a].boolean;
        const std::string value =
            boolean ? as_bool(e, root(e), ctx).text : as_int(e, root(e), ctx).text;
        line(out, indent, var_ref(op.a, ctx) + ".store(" + value + ", SeqCst);", src);
        return;
      }
      case OpKind::kReturn: {
        // The model ends the future as completed: an armed drop guard does not run.
        if (ctx.in_guard) line(out, indent, "guard.disarm();");
        line(out, indent, ctx.in_region && ctx.region_returns ? "return true;" : "return;", src);
        return;
      }
      default:
        refuse(file_, "operation '" + src + "' has no Rust counterpart in the exporter");
    }
  }

  /// An on_drop scope: a guard whose handler runs if the future is dropped inside the scope.
  void guard_scope(const std::vector<Op>& prog, std::size_t begin, std::size_t close,
                   std::size_t indent, const Ctx& ctx, Lines& out) const {
    const std::size_t h = prog[begin].a;
    const auto& handler = sc_.handlers[h];
    std::string text;
    for (const Op& op : handler) {
      if (op.kind == OpKind::kJumpUnless || op.kind == OpKind::kJump) continue;
      text += (text.empty() ? "" : ", ") + source(op, ctx);
    }
    line(out, indent, "{", "on_drop: [" + text + "]");
    line(out, indent + 4, "let mut guard = OnDrop::new(|| {");
    Ctx inner = ctx;
    inner.in_handler = true;
    inner.in_guard = false;
    inner.owned = 0;  // the handler's guard slots are its own
    inner.created = 0;
    // The handler's own guards: std mutexes it locks and unlocks (it cannot await).
    std::set<std::size_t> locked;
    for (const Op& op : handler) {
      const bool guard_op = op.kind == OpKind::kStdLock || op.kind == OpKind::kStdUnlock ||
                            op.kind == OpKind::kTryLock;
      if (guard_op) locked.insert(op.a);
    }
    for (std::size_t r : locked) guard_slot(r, indent + 8, false, out);
    block(handler, 0, handler.size(), indent + 8, inner, out);
    line(out, indent + 4, "});");
    Ctx body = ctx;
    body.in_guard = true;
    block(prog, begin + 1, close, indent + 4, body, out);
    line(out, indent + 4, "guard.disarm();", "the scope ends: no handler");
    line(out, indent, "}");
  }

  /// A nested future under its own wrapper: an async block inside the wrapper, awaited in place.
  void nested_future(const std::vector<Op>& prog, std::size_t begin, std::size_t close,
                     std::size_t indent, const Ctx& ctx, Lines& out) const {
    const std::size_t f = prog[begin].a;
    const auto& fut = sc_.futures[f];
    bool returns = false;
    // Mutexes, semaphores and rwlocks locked inside: what it took goes with it if it is dropped.
    std::set<std::size_t> locked;
    for (std::size_t pc = begin + 1; pc < close; ++pc) {
      if (prog[pc].kind == OpKind::kReturn) returns = true;
      if (prog[pc].kind == OpKind::kLock || prog[pc].kind == OpKind::kTryLock)
        locked.insert(prog[pc].a);
    }
    Ctx inner = ctx;
    inner.in_region = true;
    inner.region_returns = returns;
    const std::string flag = fut.wrapper == Wrapper::kNone ? "" : flag_ref(f, ctx);
    const std::string what =
        "future " + nested_name(f) + " (" + model::to_string(fut.wrapper) + ")";
    Lines body;
    block(prog, begin + 1, close, indent + 4, inner, body);
    if (returns) line(body, indent + 4, "false", "the future ends without a return");

    if (fut.wrapper == Wrapper::kNone) {
      line(out, indent, std::string(returns ? "let returned = " : "") + "async {", what);
      out.insert(out.end(), body.begin(), body.end());
      line(out, indent, "}.await;");
    } else if (fut.wrapper == Wrapper::kPausable || fut.wrapper == Wrapper::kFinishItem) {
      const char* type =
          fut.wrapper == Wrapper::kPausable ? "PausableFuture::new(&" : "FinishItem::new(&";
      line(out, indent, std::string(returns ? "let returned = " : "") + type + flag + ", async {",
           what);
      out.insert(out.end(), body.begin(), body.end());
      line(out, indent, "}).await;");
    } else {
      const bool timeout = fut.wrapper == Wrapper::kTimeout;
      for (std::size_t r : locked) {
        const bool counted = sc_.resources[r].kind != ResourceKind::kTokioMutex;
        const std::string mark = counted ? ".mark();" : ".is_some();";
        line(out, indent, "let " + guard_[r] + "_before = " + guard_[r] + mark);
      }
      if (timeout) {
        // time/timeout.rs: the inner future is polled first; still pending once the deadline
        // has passed, it is dropped and Elapsed returned.
        line(out, indent, "let kept = tokio::time::timeout(TIMEOUT, async {",
             what + ": longer than every sleep");
        out.insert(out.end(), body.begin(), body.end());
        line(out, indent, "}).await.ok();", "Err(Elapsed) once the inner future was dropped");
      } else {
        line(out, indent, "let kept = DropOnPause::new(&" + flag + ", async {", what);
        out.insert(out.end(), body.begin(), body.end());
        line(out, indent, "}).await;");
      }
      if (returns) line(out, indent, "let returned = kept == Some(true);");
      line(out, indent, "if kept.is_none() {",
           timeout ? "the timeout elapsed and dropped it: the task goes on after it"
                   : "the wrapper dropped it: the task goes on after it");
      // What the dropped future locked goes with it (the model's cancel_nested), last resource
      // first; what was held before it stays held.
      for (auto it = locked.rbegin(); it != locked.rend(); ++it) {
        const std::string& g = guard_[*it];
        const std::string what_goes =
            "what it took of " + sc_.resources[*it].name + " goes with it";
        if (sc_.resources[*it].kind != ResourceKind::kTokioMutex) {
          line(out, indent + 4, g + ".cancel_to(" + g + "_before);", what_goes);
          continue;
        }
        line(out, indent + 4, "if !" + g + "_before {");
        line(out, indent + 8, g + " = None;",
             "its guard of " + sc_.resources[*it].name + " is dropped with it");
        line(out, indent + 4, "}");
      }
      if (fut.cancelled_variable) {
        const std::size_t v = *fut.cancelled_variable;
        line(
            out, indent + 4,
            var_ref(v, ctx) + ".store(" + (sc_.variables[v].boolean ? "true" : "1") + ", SeqCst);",
            "cancelled: " + var_source(v, ctx) + " = " + (sc_.variables[v].boolean ? "true" : "1"));
      }
      line(out, indent, "}");
    }
    if (returns) end_task_if_returned(indent, ctx, "a return inside the future ends the task", out);
  }

  /// `if returned { return; }` after a block whose `return` must end the task.
  void end_task_if_returned(std::size_t indent, const Ctx& ctx, const char* why, Lines& out) const {
    line(out, indent, "if returned {", why);
    if (ctx.in_guard) line(out, indent + 4, "guard.disarm();");
    line(out, indent + 4, ctx.in_region && ctx.region_returns ? "return true;" : "return;");
    line(out, indent, "}");
  }

  // --- futures inside one task: join!, FuturesUnordered / buffer_unordered, select_all ----------

  /// Branch `c`'s future, made (and so started) where its combinator takes it.
  std::string branch_call(std::size_t c, const Ctx& ctx) const {
    if (ctx.probe) return "branch(" + sc_.tasks[c].name + ")";
    return units_[unit_of_.at(c)].spawn_fn + "(&sh)";
  }

  /// `while let Some(()) = set.next().await { body }` over a FuturesUnordered of the branches
  /// (limit 0) or a buffer_unordered(limit) stream of them, rebuilt from the loader's
  /// [set, next, goto exit, body.., goto next]. Returns the pc after it.
  std::size_t unordered_loop(const std::vector<Op>& prog, std::size_t pc, std::size_t indent,
                             const Ctx& ctx, Lines& out) const {
    const Op& op = prog[pc];
    const bool shaped = pc + 2 < prog.size() && prog[pc + 1].kind == OpKind::kNextChild &&
                        prog[pc + 2].kind == OpKind::kJump && prog[pc + 2].b > pc + 2 &&
                        prog[pc + 2].b <= prog.size() &&
                        prog[prog[pc + 2].b - 1U].kind == OpKind::kJump &&
                        prog[prog[pc + 2].b - 1U].b == pc + 1;
    if (!shaped) {
      refuse(file_, "the set at operation " + std::to_string(pc) +
                        " of a program is not followed by its `while let Some(_) = next()` loop");
    }
    const std::size_t exit = prog[pc + 2].b;
    const std::string src = source(op, ctx);
    if (op.c == 0) {
      line(out, indent, "let mut set = FuturesUnordered::new();",
           src + ": every branch pushed (started) now");
      for (std::size_t c = op.a; c < std::size_t{op.a} + op.b; ++c)
        line(out, indent, "set.push(" + branch_call(c, ctx) + ");");
    } else {
      // The stream's items are the branches' indices, made into futures as they are taken (a
      // stream of fn pointers trips rustc's higher-ranked Send check in a spawned task).
      std::string items;
      for (std::size_t c = op.a; c < std::size_t{op.a} + op.b; ++c)
        items += (items.empty() ? "" : ", ") + task_const_[c];
      line(out, indent, "let mut set = futures::stream::iter([" + items + "])", src);
      line(out, indent + 4, ".map(|t| branch(t, &sh))", "a branch starts when it is taken");
      line(out, indent + 4, ".buffer_unordered(" + std::to_string(op.c) + ");",
           "at most " + std::to_string(op.c) + " in flight");
    }
    line(out, indent, "while let Some(()) = set.next().await {",
         "next: the body runs after each branch that finishes");
    block(prog, pc + 3, exit - 1, indent + 4, ctx, out);
    line(out, indent, "}");
    return exit;
  }

  /// futures::future::select_all over the branches: the first to finish wins; the rest are
  /// dropped at once, or kept alive (and never polled) in the program's `rest`.
  void select_all(const std::vector<Op>& prog, std::size_t pc, std::size_t indent,
                  const Ctx& ctx, Lines& out) const {
    const Op& op = prog[pc];
    const std::string src = source(op, ctx);
    if (op.c != 0) {
      // Run again (in a loop), it first drops what the last run left (the model's restart).
      const bool again = std::any_of(prog.begin() + static_cast<std::ptrdiff_t>(pc) + 1, prog.end(),
                                     [pc](const Op& j) { return j.kind == OpKind::kJump && j.b <= pc; });
      if (again) line(out, indent, "rest.clear();", "the futures the last select_all left are dropped");
      line(out, indent, "(_, _, rest) = futures::future::select_all(vec![",
           src + ": the first to finish wins");
    } else {
      if (ctx.kept_rest) line(out, indent, "{");
      indent += ctx.kept_rest ? 4 : 0;
      line(out, indent, "let (_, _, rest) = futures::future::select_all(vec![",
           src + ": the first to finish wins");
    }
    for (std::size_t c = op.a; c < std::size_t{op.a} + op.b; ++c)
      line(out, indent + 4, branch_call(c, ctx) + ",");
    if (op.c != 0) {
      line(out, indent, "]).await;", "the rest stay alive in `rest`, never polled again");
      return;
    }
    line(out, indent, "]).await;");
    line(out, indent, "drop(rest);", "the rest are dropped at once");
    if (ctx.kept_rest) line(out, indent - 4, "}");
  }

  /// block_in_place(|| Handle::current().block_on(async { .. })): the worker thread leaves the
  /// scheduler and runs only this future until it ends; the task's other futures wait.
  void block_in_place(const std::vector<Op>& prog, std::size_t begin, std::size_t close,
                      std::size_t indent, const Ctx& ctx, Lines& out) const {
    const bool returns = std::any_of(
        prog.begin() + static_cast<std::ptrdiff_t>(begin) + 1,
        prog.begin() + static_cast<std::ptrdiff_t>(close),
        [](const Op& op) { return op.kind == OpKind::kReturn; });
    Ctx inner = ctx;
    inner.in_region = true;
    inner.region_returns = returns;
    line(out, indent,
         std::string(returns ? "let returned = " : "") +
             "tokio::task::block_in_place(|| tokio::runtime::Handle::current().block_on(async {",
         "block_in_place: this thread runs only this future");
    block(prog, begin + 1, close, indent + 4, inner, out);
    if (returns) line(out, indent + 4, "false", "block_on's future ends without a return");
    line(out, indent, "}));");
    if (returns) end_task_if_returned(indent, ctx, "a return inside block_on's future ends the task", out);
  }

  /// The slot of the guards of `r` a program holds; `owned`: an OwnedMutexGuard, as a handed
  /// lock future yields (the program's own lock and try_lock on `r` use lock_owned then).
  void guard_slot(std::size_t r, std::size_t indent, bool owned, Lines& out) const {
    const auto kind = sc_.resources[r].kind;
    if (kind == ResourceKind::kSemaphore) {
      line(out, indent, "let mut " + guard_[r] + " = Permits::new(" + resource_[r] + ");",
           "the permits of " + sc_.resources[r].name + " held");
    } else if (kind == ResourceKind::kRwLock) {
      line(out, indent, "let mut " + guard_[r] + " = RwHeld::new();",
           "the guards of " + sc_.resources[r].name + " while held");
    }
    if (kind == ResourceKind::kTokioMutex && owned) {
      line(out, indent,
           "let mut " + guard_[r] + ": Option<tokio::sync::OwnedMutexGuard<()>> = None;",
           "the guard of " + sc_.resources[r].name + " while held");
    } else if (kind == ResourceKind::kTokioMutex) {
      line(out, indent, "let mut " + guard_[r] + ": Option<MutexGuard<'_, ()>> = None;",
           "the guard of " + sc_.resources[r].name + " while held");
    } else if (kind == ResourceKind::kStdMutex) {
      line(out, indent, "let mut " + guard_[r] + ": Option<StdGuard<'_>> = None;",
           "the guard of " + sc_.resources[r].name + " while held");
    }
  }

  /// The async fn of a unit's program, as text (also used to tell whether copies run alike).
  std::string body_text(std::size_t t, bool generic, bool probe = false) const {
    Ctx ctx;
    ctx.task = t;
    ctx.generic = generic;
    ctx.probe = probe;
    const auto& program = sc_.tasks[t].program;
    Lines out;
    // Locals: each resource the program (or its handlers) uses, and a slot per mutex guard.
    std::set<std::size_t> used, guarded, receives;
    bool keeps = false;       // a select! may keep its lock future (`&mut fut`)
    bool drops_kept = false;  // drop_kept: of that lock future, or of select_all's rest
    auto note = [&](const Op& op) {
      switch (op.kind) {
        case OpKind::kLock:
        case OpKind::kUnlock:
        case OpKind::kTryLock:
        case OpKind::kStdLock:
        case OpKind::kStdUnlock:
        case OpKind::kForget:
          used.insert(op.a);
          guarded.insert(op.a);
          break;
        case OpKind::kNotified:
        case OpKind::kNotifyOne:
        case OpKind::kNotifyWaiters:
        case OpKind::kAddPermits:
        case OpKind::kClose:
        case OpKind::kSend:
        case OpKind::kGetOrInit:
          used.insert(op.a);
          break;
        case OpKind::kRecv:
          receives.insert(op.a);
          break;
        case OpKind::kCreateNotified:
          used.insert(op.a);
          ctx.created |= 1U << op.a;
          break;
        case OpKind::kAwaitHanded:
          guarded.insert(op.a);
          ctx.owned |= 1U << op.a;
          break;
        case OpKind::kSelect:
          if (sc_.resources[op.a].kind != ResourceKind::kTokioMutex) {
            refuse(file_, "a select! over '" + sc_.resources[op.a].name + "' (the exporter writes a select! over a tokio_mutex only)");
          }
          used.insert(op.a);
          guarded.insert(op.a);
          keeps = true;
          break;
        case OpKind::kDropKept:
          drops_kept = true;
          break;
        case OpKind::kSelectAll:
          if (op.c != 0) ctx.kept_rest = true;
          break;
        default:
          break;
      }
    };
    for (const Op& op : program) {
      note(op);
      if (op.kind == OpKind::kGuardBegin) {
        for (const Op& h : sc_.handlers[op.a]) {
          if (h.kind == OpKind::kUnlock || h.kind == OpKind::kForget) {
            refuse(file_, "an on_drop handler of " + sc_.tasks[t].name + " runs '" +
                              model::describe_op(sc_, h) +
                              "', which the exporter cannot write (the guard or permit belongs "
                              "to the future being dropped)");
          }
          if (h.kind == OpKind::kDrop && h.a == t)
            refuse(file_, sc_.tasks[t].name + " drops itself in a handler");
          if (h.kind == OpKind::kCreateNotified || h.kind == OpKind::kHandLock) {
            refuse(file_, "an on_drop handler of " + sc_.tasks[t].name + " runs '" +
                              model::describe_op(sc_, h) +
                              "', which the exporter cannot write in a drop guard's closure");
          }
          note(h);
        }
      }
      if (op.kind == OpKind::kDrop && op.a == t) {
        refuse(file_, sc_.tasks[t].name +
                          " drops its own future, which a Rust future cannot do while it runs");
      }
    }
    for (std::size_t r : used) {
      line(out, 4, "let " + resource_[r] + " = &*sh." + resource_[r] + ";",
           local_type(r) + " " + sc_.resources[r].name);
    }
    for (const Op& op : program) {
      if (op.kind == OpKind::kSelect && has(ctx.owned, op.a)) {
        refuse(file_, sc_.tasks[t].name + " both awaits a handed lock future of '" +
                          sc_.resources[op.a].name +
                          "' and selects on its lock (the exporter keeps one guard type a mutex)");
      }
    }
    for (std::size_t r : guarded) guard_slot(r, 4, has(ctx.owned, r), out);
    for (std::size_t r = 0; r < sc_.resources.size(); ++r) {
      if (!has(ctx.created, r)) continue;
      line(out, 4,
           "let mut " + created_[r] +
               ": Option<Pin<Box<tokio::sync::futures::Notified<'_>>>> = None;",
           "a Notified of " + sc_.resources[r].name + " created, not yet awaited");
    }
    ctx.kept_lock = keeps || (drops_kept && !ctx.kept_rest);
    if (ctx.kept_rest) {
      line(out, 4, "let mut rest: Vec<BranchFuture> = Vec::new();",
           "the futures a select_all left alive (its `rest`)");
    }
    if (ctx.kept_lock) {
      line(out, 4,
           "let mut kept: Option<std::pin::Pin<Box<dyn std::future::Future<Output = MutexGuard<'_, ()>> + Send + '_>>> = None;",
           "a lock future a select! keeps alive (&mut fut)");
    }
    for (std::size_t r : receives) {
      line(out, 4,
           "let mut " + guard_[r] + " = sh." + guard_[r] +
               ".lock().unwrap().take().expect(\"one receiving task\");",
           "the Receiver of " + sc_.resources[r].name + " (this task alone receives)");
    }
    block(program, 0, program.size(), 4, ctx, out);
    std::string text;
    for (const auto& l : out) text += l + "\n";
    return text;
  }

  // --- the program -----------------------------------------------------------------------------

  /// The multi_thread runtime's worker count: the scenario's `worker_threads` (1: the model's
  /// one worker with its LIFO slot, local queue and inject queue), else 2 (the model lets any
  /// scheduled task run next, as several workers may).
  std::string worker_threads() const {
    return sc_.worker_threads == 1 ? "1" : "2";
  }

  std::string runtime_attribute() const {
    return sc_.flavor == model::Flavor::kMultiThread
               ? "#[tokio::main(flavor = \"multi_thread\", worker_threads = " + worker_threads() + ")]"
               : "#[tokio::main(flavor = \"current_thread\")]";
  }

  void header(std::ostringstream& out) const {
    const std::string stem = std::filesystem::path(file_.path).stem().string();
    out << "//! " << file_.name << "\n//!\n"
        << "//! Exported by `wakecheck export --rust` from " << file_.path
        << ": the same scenario\n"
        << "//! on real tokio, " << model::to_string(sc_.flavor) << " runtime. " << kAbout
        << (first_branch_ ? kAboutBranches : "")
        << "//! wakecheck's verdict on the same scenario is in " << stem << ".expected.\n//!\n";
    if (sc_.version != model::TokioVersion::k1_24) out << kNewerOrders;
    out << kBuildHead << (first_branch_ ? kFuturesDependency : "") << kBuildTail << kPrelude
        << (first_branch_ ? kFuturesImports : "") << kSleep
        << "/// A task not finished this long after the start is reported hung (the seed's\n"
        << "/// reproducer gives each task 2 s): 1 s, or 0.5 s and 150 ms for each sleep in the "
           "programs.\n"
        << "const DEADLINE: Duration = Duration::from_millis(" << deadline_ms() << ");\n\n";
    if (timeouts_ != 0) {
      out << "/// A timeout wrapper's deadline (tokio::time::timeout): longer than every sleep, as "
             "the model\n/// lets a timeout elapse only while no sleep is pending.\n"
          << "const TIMEOUT: Duration = Duration::from_millis(" << kTimeoutMs << ");\n\n";
    }
  }

  /// 1 s, or more when the programs sleep often (an initializer of get_or_init sleeps too):
  /// every sleep may run one after the other, and so may every timeout.
  std::size_t deadline_ms() const {
    std::size_t sleeps = 0;
    for (const auto& task : sc_.tasks) {
      sleeps += static_cast<std::size_t>(std::count_if(
          task.program.begin(), task.program.end(),
          [](const Op& op) { return op.kind == OpKind::kSleep || op.kind == OpKind::kGetOrInit; }));
    }
    return std::max<std::size_t>(1000, 500 + 150 * sleeps + kTimeoutMs * timeouts_);
  }

  /// A timeout wrapper's deadline: longer than every sleep (the model lets a deadline pass
  /// only while no sleep is pending).
  static constexpr std::size_t kTimeoutMs = 400;

  void helpers(std::ostringstream& out) const {
    out << kStopFlag;
    if (uses_pausable_) out << kPausableFuture;
    if (uses_drop_on_pause_) out << kDropOnPause;
    if (uses_finish_item_) out << kFinishItem;
    if (uses(ResourceKind::kSemaphore)) out << kPermits;
    if (uses(ResourceKind::kRwLock)) out << kRwHeld;
    if (uses_guard_) out << kOnDrop;
    if (uses_std_) out << kStdGuard;
    out << kTaskSlot;
    if (std::find(droppable_.begin(), droppable_.end(), true) != droppable_.end())
      out << kDroppable;
    if (first_branch_) out << kBranch;
    if (uses_hand_) out << kHanded;
  }

  bool uses(ResourceKind kind) const {
    return std::any_of(sc_.resources.begin(), sc_.resources.end(),
                       [kind](const model::ResourceSpec& r) { return r.kind == kind; });
  }

  void statics(std::ostringstream& out) const {
    const std::size_t n = sc_.tasks.size();
    out << "// ---- the scenario "
           "----------------------------------------------------------------------\n\n"
        << "/// The tasks, in the model's order: main (the runtime's block_on future) first.\n"
        << "const TASKS: [&str; " << n << "] = [";
    for (std::size_t t = 0; t < n; ++t) out << (t ? ", " : "") << rust_string(sc_.tasks[t].name);
    out << "];\n";
    for (std::size_t t = 0; t < n; ++t)
      out << "const " << task_const_[t] << ": usize = " << t << ";\n";
    out << "\nstatic HANDLES: [TaskSlot; " << n << "] = [TaskSlot::NEW; " << n << "];\n";
    if (first_branch_) {
      out << "/// The branches (futures inside a task: join!, FuturesUnordered, select_all) come "
             "last.\n"
          << "const FIRST_BRANCH: usize = " << *first_branch_ << ";\n"
          << "static BRANCHES: [BranchSlot; " << n - *first_branch_ << "] = [BranchSlot::NEW; "
          << n - *first_branch_ << "];\n";
    }
    if (uses_hand_) {
      out << "/// The lock futures handed to each task (hand_lock), until its await_lock takes "
             "them.\n"
          << "static HANDED: [HandSlot; " << n << "] = [HandSlot::NEW; " << n << "];\n";
    }
    if (std::find(droppable_.begin(), droppable_.end(), true) != droppable_.end()) {
      out << "/// The futures of the tasks a program drops: ";
      bool first = true;
      for (std::size_t t = 0; t < n; ++t) {
        if (!droppable_[t]) continue;
        out << (first ? "" : ", ") << sc_.tasks[t].name;
        first = false;
      }
      out << ".\nstatic DROP_SLOTS: [DropSlot; " << n << "] = [DropSlot::NEW; " << n << "];\n";
    }
    if (!flag_order_.empty())
      out << "\n// Pause flags, one per wrapped future (a template's copies share an array).\n";
    for (std::size_t i = 0; i < flag_order_.size(); ++i) {
      const auto& slot = flag_order_[i];
      std::string whose;
      for (std::size_t f = 0; f < sc_.futures.size(); ++f) {
        if (flag_of_[f] == i) whose += (whose.empty() ? "" : ", ") + sc_.futures[f].name;
      }
      out << "/// " << whose << "\n";
      if (slot.array) {
        out << "static " << slot.name << ": [StopFlag; " << flag_size_[i] << "] = [StopFlag::NEW; "
            << flag_size_[i] << "];\n";
      } else {
        out << "static " << slot.name << ": StopFlag = StopFlag::NEW;\n";
      }
    }
    if (!var_order_.empty())
      out << "\n// Variables: the shared ones, and each task's own (a template's copies share an "
             "array).\n";
    for (std::size_t i = 0; i < var_order_.size(); ++i) {
      const auto& slot = var_order_[i];
      const auto& first = sc_.variables[var_members_[i].front()];
      const std::string type = first.boolean ? "AtomicBool" : "AtomicI32";
      auto init = [&](std::size_t v) {
        const auto& var = sc_.variables[v];
        return type + "::new(" +
               (var.boolean ? (var.initial != 0 ? "true" : "false") : std::to_string(var.initial)) +
               ")";
      };
      std::string whose =
          first.task ? groups_[task_group_[*first.task]].first + "." + first.name : first.name;
      if (!first.boolean)
        whose += " (" + std::to_string(first.min) + ".." + std::to_string(first.max) + ")";
      out << "/// " << whose << "\n";
      if (slot.array) {
        out << "static " << slot.name << ": [" << type << "; " << var_members_[i].size() << "] = [";
        for (std::size_t k = 0; k < var_members_[i].size(); ++k)
          out << (k ? ", " : "") << init(var_members_[i][k]);
        out << "];\n";
      } else {
        out << "static " << slot.name << ": " << type << " = " << init(var_members_[i].front())
            << ";\n";
      }
    }
    out << "\n";
  }

  void shared(std::ostringstream& out) const {
    out << "/// The resources, shared by every task (as the seed shares its Arc<Mutex<()>>).\n"
        << "#[derive(Clone)]\n"
        << "struct Shared {\n";
    for (std::size_t r = 0; r < sc_.resources.size(); ++r) {
      const auto& res = sc_.resources[r];
      out << "    " << resource_[r] << ": Arc<" << resource_type(r) << ">,  // "
          << model::to_string(res.kind) << " " << res.name;
      if (res.kind == ResourceKind::kSemaphore)
        out << " (" << static_cast<int>(res.permits)
            << (res.permits == 1 ? " permit)" : " permits)");
      if (res.kind == ResourceKind::kRwLock)
        out << " (max_readers " << static_cast<int>(res.permits) << "; a writer takes them all)";
      if (res.kind == ResourceKind::kMpsc) {
        out << " (capacity " << static_cast<int>(res.permits) << "), its Sender\n"
            << "    " << guard_[r]
            << ": Arc<StdMutex<Option<tokio::sync::mpsc::Receiver<()>>>>,  // its Receiver, "
               "until the receiving task takes it";
      }
      out << "\n";
    }
    out << "}\n\n"
        << "impl Shared {\n"
        << "    fn new() -> Self {\n";
    for (std::size_t r = 0; r < sc_.resources.size(); ++r) {
      if (sc_.resources[r].kind != ResourceKind::kMpsc) continue;
      out << "        let (" << resource_[r] << ", " << guard_[r]
          << ") = tokio::sync::mpsc::channel::<()>(" << static_cast<int>(sc_.resources[r].permits)
          << ");\n";
    }
    out << "        Shared {\n";
    for (std::size_t r = 0; r < sc_.resources.size(); ++r) {
      const auto& res = sc_.resources[r];
      const std::string n = std::to_string(static_cast<int>(res.permits));
      std::string make;
      switch (res.kind) {
        case ResourceKind::kTokioMutex:
          make = "tokio::sync::Mutex::new(())";
          break;
        case ResourceKind::kStdMutex:
          make = "StdMutex::new(())";
          break;
        case ResourceKind::kSemaphore:
          make = "tokio::sync::Semaphore::new(" + n + ")";
          break;
        case ResourceKind::kRwLock:
          make = "tokio::sync::RwLock::with_max_readers((), " + n + ")";
          break;
        case ResourceKind::kMpsc:
          make = resource_[r];
          break;
        case ResourceKind::kOnceCell:
          make = "tokio::sync::OnceCell::new()";
          break;
        default:
          make = "tokio::sync::Notify::new()";
          break;
      }
      out << "            " << resource_[r] << ": Arc::new(" << make << "),\n";
      if (res.kind == ResourceKind::kMpsc) {
        out << "            " << guard_[r] << ": Arc::new(StdMutex::new(Some(" << guard_[r]
            << "))),\n";
      }
    }
    out << "        }\n"
        << "    }\n"
        << "}\n\n";
  }

  /// The type a task's local for resource `r` names in its comment.
  std::string local_type(std::size_t r) const {
    switch (sc_.resources[r].kind) {
      case ResourceKind::kTokioMutex:
        return "tokio::sync::Mutex";
      case ResourceKind::kStdMutex:
        return "std::sync::Mutex";
      case ResourceKind::kRwLock:
        return "tokio::sync::RwLock";
      case ResourceKind::kMpsc:
        return "the Sender of";
      default:
        return resource_type(r);
    }
  }

  std::string resource_type(std::size_t r) const {
    switch (sc_.resources[r].kind) {
      case ResourceKind::kTokioMutex:
        return "tokio::sync::Mutex<()>";
      case ResourceKind::kStdMutex:
        return "StdMutex<()>";
      case ResourceKind::kSemaphore:
        return "tokio::sync::Semaphore";
      case ResourceKind::kRwLock:
        return "tokio::sync::RwLock<()>";
      case ResourceKind::kMpsc:
        return "tokio::sync::mpsc::Sender<()>";
      case ResourceKind::kOnceCell:
        return "tokio::sync::OnceCell<()>";
      default:
        return "tokio::sync::Notify";
    }
  }

  /// A straight-line program's statements in the property file's words, for the doc comment;
  /// "its program" for one with control flow or scopes (read the body).
  std::string summary(std::size_t t) const {
    std::string text;
    const auto& program = sc_.tasks[t].program;
    for (const Op& op : program) {
      const bool structure = op.kind == OpKind::kJump || op.kind == OpKind::kJumpUnless ||
                             op.kind == OpKind::kGuardBegin || op.kind == OpKind::kWrapBegin ||
                             op.kind == OpKind::kBlockBegin;
      if (structure || program.size() > 10) return "its program";
      Ctx ctx;
      ctx.task = t;
      text += (text.empty() ? "" : "; ") + source(op, ctx);
    }
    return text.empty() ? "nothing" : text;
  }

  void task_fn(std::ostringstream& out, const Unit& unit) const {
    const std::size_t t = unit.tasks.front();
    const bool main = t == model::index(model::kMainTask);
    std::string who = unit.generic ? sc_.tasks[t].name + " .. " + sc_.tasks[unit.tasks.back()].name
                                   : sc_.tasks[t].name;
    const auto wrapper = sc_.futures[t].wrapper;
    if (unit.branch) who += ", " + branch_role(t);
    out << "/// " << (main ? "main's program, the runtime's block_on future" : who) << ": "
        << summary(t)
        << (main || wrapper == Wrapper::kNone
                ? ""
                : std::string(" (wrapper: ") + model::to_string(wrapper) + ")")
        << ".\n";
    out << "async fn " << unit.fn << "(" << (unit.generic ? "me: usize, " : "") << "sh: Shared) {\n"
        << body_text(t, unit.generic) << "}\n\n";
    if (main) return;

    Ctx own;
    own.task = t;
    own.generic = unit.generic;
    const std::string flag = flag_of_[t] ? element(flag_order_[*flag_of_[t]], t, own) : "";
    const std::string call = unit.fn + "(" + (unit.generic ? "me, " : "") + "sh.clone())";
    std::string future;
    switch (wrapper) {
      case Wrapper::kPausable:
        future = "PausableFuture::new(&" + flag + ", " + call + ")";
        break;
      case Wrapper::kDropOnPause:
        future = "task_drop_on_pause(DropOnPause::new(&" + flag + ", " + call + "))";
        break;
      case Wrapper::kFinishItem:
        future = "FinishItem::new(&" + flag + ", " + call + ")";
        break;
      default:
        future = call;
        break;
    }
    if (unit.branch) {
      out << "/// " << sc_.tasks[t].name
          << "'s future, made where its combinator takes it: under its wrapper"
          << (wrapper == Wrapper::kNone ? " (none)"
                                        : std::string(" (") + model::to_string(wrapper) + ")")
          << ", in a Branch.\n"
          << "fn " << unit.spawn_fn << "(sh: &Shared) -> BranchFuture {\n"
          << "    Box::pin(Branch::new(" << task_const_[t] << ", " << future << "))\n"
          << "}\n\n";
      return;
    }
    const std::string index = unit.generic ? task_const_[t] + " + me" : task_const_[t];
    out << "/// spawn " << who << ": the program under its wrapper"
        << (wrapper == Wrapper::kNone ? " (none)"
                                      : std::string(" (") + model::to_string(wrapper) + ")")
        << (droppable_[t] ? ", its future in a DropSlot for `drop`" : "") << ".\n"
        << "fn " << unit.spawn_fn << "(" << (unit.generic ? "me: usize, " : "")
        << "sh: &Shared) {\n"
        << "    let t = " << index << ";\n"
        << "    if HANDLES[t].spawned() {\n"
        << "        return;\n"
        << "    }\n";
    if (droppable_[t]) {
      out << "    HANDLES[t].spawn(Droppable::new(t, " << future << "));\n";
    } else {
      out << "    HANDLES[t].spawn(" << future << ");\n";
    }
    out << "}\n\n";
  }

  /// "a branch of worker's join! (a future inside that task)".
  std::string branch_role(std::size_t c) const {
    const std::size_t parent = *sc_.tasks[c].parent;
    std::string what = "a combinator";
    for (const Op& op : sc_.tasks[parent].program) {
      if (c < op.a || c >= std::size_t{op.a} + op.b) continue;
      if (op.kind == OpKind::kJoinAll) what = "join!";
      if (op.kind == OpKind::kSelectAll) what = "select_all";
      if (op.kind == OpKind::kStartSet)
        what = op.c == 0 ? "FuturesUnordered" : "buffer_unordered(" + std::to_string(op.c) + ")";
    }
    return "a branch of " + sc_.tasks[parent].name + "'s " + what + " (a future inside that task)";
  }

  /// `branch(t, &sh)`: a branch's future by its index, for buffer_unordered's streams.
  void branch_by_index(std::ostringstream& out) const {
    const bool streams = std::any_of(sc_.tasks.begin(), sc_.tasks.end(), [](const auto& task) {
      return std::any_of(task.program.begin(), task.program.end(), [](const Op& op) {
        return op.kind == OpKind::kStartSet && op.c != 0;
      });
    });
    if (!streams) return;
    out << "/// Branch t's future, made as a buffer_unordered stream takes its index.\n"
        << "fn branch(t: usize, sh: &Shared) -> BranchFuture {\n"
        << "    match t {\n";
    for (const auto& unit : units_) {
      if (unit.branch)
        out << "        " << task_const_[unit.tasks.front()] << " => " << unit.spawn_fn << "(sh),\n";
    }
    out << "        _ => unreachable!(\"not a branch: {t}\"),\n"
        << "    }\n"
        << "}\n\n";
  }

  void main_fn(std::ostringstream& out) const {
    std::string text = kMain;
    if (first_branch_) text.insert(text.find("    // Leave now:"), kMainBranches);
    if (sc_.event_interval == 61) {
      out << runtime_attribute() << "\n" << text;
      return;
    }
    // tokio::main has no event_interval: the runtime is built by hand.
    const std::string n = std::to_string(static_cast<int>(sc_.event_interval));
    const bool multi = sc_.flavor == model::Flavor::kMultiThread;
    out << "/// The runtime, built by hand for event_interval(" << n
        << ") (tokio's default is 61): the scheduler\n"
        << "/// polls at most " << n << " tasks before it parks and polls a woken main again.\n"
        << "fn main() {\n"
        << "    tokio::runtime::Builder::"
        << (multi ? "new_multi_thread()\n        .worker_threads(" + worker_threads() + ")"
                  : std::string("new_current_thread()"))
        << "\n"
        << "        .enable_all()\n"
        << "        .event_interval(" << n << ")\n"
        << "        .build()\n"
        << "        .unwrap()\n"
        << "        .block_on(async_main());\n"
        << "}\n\n";
    text.replace(text.find("async fn main()"), std::string("async fn main()").size(),
                 "async fn async_main()");
    out << text;
  }

  const properties::PropertyFile& file_;
  const model::Scenario& sc_;
  NameTable upper_{"TASKS",   "HANDLES", "DROP_SLOTS",   "SLEEP",   "DEADLINE",
                   "SEQCST",  "TIMEOUT", "FIRST_BRANCH", "BRANCHES", "HANDED"};
  NameTable lower_{"sh",       "me",      "main",     "main_program", "guard",
                   "kept",     "ok",      "returned", "acquired",     "t",
                   "deadline", "program", "ended",    "drop_task",    "task_drop_on_pause",
                   "std",      "tokio",   "drop",     "i32",          "core",
                   "alloc",    "set",     "rest",     "start",        "async_main",
                   "futures",  "won",     "branch",   "hand_lock",    "handed",
                   "created"};
  std::vector<std::pair<std::string, std::vector<std::size_t>>> groups_;
  std::vector<std::size_t> task_group_, copy_of_;
  std::vector<bool> template_;
  std::vector<std::string> task_const_, resource_, guard_, created_;
  std::map<std::string, std::size_t> flag_slots_, var_slots_;
  std::vector<StaticSlot> flag_order_, var_order_;
  std::vector<std::size_t> flag_size_;
  std::vector<std::optional<std::size_t>> flag_of_;
  std::vector<std::size_t> var_of_;
  std::vector<std::vector<std::size_t>> var_members_;
  std::vector<Unit> units_;
  std::map<std::size_t, std::size_t> unit_of_;
  std::vector<bool> droppable_;
  bool uses_pausable_ = false, uses_drop_on_pause_ = false, uses_guard_ = false, uses_std_ = false;
  bool uses_finish_item_ = false;
  bool uses_hand_ = false;  // hand_lock / await_lock: HANDED and its helpers
  std::size_t timeouts_ = 0;
  std::optional<std::size_t> first_branch_;  // the first combinator branch (they come last)
};

}  // namespace

void check_exportable(const properties::PropertyFile& file) {
  const auto& sc = file.scenario;
  std::string faults;
  for (std::size_t k = 0; k < model::kFaultKinds; ++k) {
    if (sc.faults[k].budget == 0) continue;
    faults += (faults.empty() ? "" : ", ") +
              std::string(model::to_string(static_cast<model::FaultKind>(k))) + " " +
              std::to_string(sc.faults[k].budget);
  }
  if (!faults.empty()) {
    refuse(file, "its fault budgets are not zero (" + faults +
                     "); real tokio cannot schedule the environment's faults: script them in a "
                     "program instead (pause, resume, drop, abort)");
  }
  for (const auto& r : sc.resources) {
    if (!supported_resource(r.kind)) {
      refuse(file, "resource '" + r.name + "' is a " + model::to_string(r.kind) +
                       "; the exporter writes every resource kind but barging_mutex");
    }
  }
  auto check_ops = [&](const std::vector<Op>& program, const std::string& where) {
    for (const Op& op : program) {
      const bool guard_op =
          op.kind == OpKind::kLock || op.kind == OpKind::kUnlock || op.kind == OpKind::kTryLock;
      const auto kind = guard_op ? sc.resources[op.a].kind : ResourceKind::kTokioMutex;
      if (kind != ResourceKind::kTokioMutex && kind != ResourceKind::kSemaphore &&
          kind != ResourceKind::kRwLock) {
        refuse(file, "'" + model::describe_op(sc, op) + "' in " + where +
                         " is not on a tokio_mutex, semaphore or rwlock");
      }
    }
  };
  for (const auto& task : sc.tasks) check_ops(task.program, task.name + "'s program");
  for (const auto& handler : sc.handlers) check_ops(handler, "an on_drop handler");
  // A branch of a combinator is a future inside its task, made where the combinator takes it:
  // no program spawns, drops, aborts or joins it as a task.
  auto check_targets = [&](const std::vector<Op>& program, const std::string& where) {
    for (const Op& op : program) {
      const bool on_task = op.kind == OpKind::kSpawn || op.kind == OpKind::kDrop ||
                           op.kind == OpKind::kAbort || op.kind == OpKind::kJoin;
      if (on_task && op.a < sc.tasks.size() && sc.tasks[op.a].parent) {
        refuse(file, "'" + model::describe_op(sc, op) + "' in " + where + " treats branch '" +
                         sc.tasks[op.a].name + "' as a task; the exporter writes a branch only as "
                         "its combinator's future");
      }
    }
  };
  for (const auto& task : sc.tasks) check_targets(task.program, task.name + "'s program");
  for (const auto& handler : sc.handlers) check_targets(handler, "an on_drop handler");
  // A channel's one Receiver goes to the one task that receives from it.
  for (std::size_t r = 0; r < sc.resources.size(); ++r) {
    std::vector<std::string> receivers;
    for (const auto& task : sc.tasks) {
      const bool receives =
          std::any_of(task.program.begin(), task.program.end(),
                      [&](const Op& op) { return op.kind == OpKind::kRecv && op.a == r; });
      if (receives) receivers.push_back(task.name);
    }
    if (receivers.size() > 1) {
      refuse(file, "channel '" + sc.resources[r].name + "' has more than one receiving task (" +
                       receivers[0] + ", " + receivers[1] +
                       "); a tokio mpsc channel has one Receiver");
    }
  }
}

std::string export_rust(const properties::PropertyFile& file) {
  return Exporter(file).run();
}

}  // namespace wakecheck::reports
