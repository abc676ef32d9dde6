// The exported program around the tasks: its header, the helpers it needs, statics, the
// shared resources, one async fn per unit, and main.
#include <algorithm>
#include <set>

#include "exporters/rust/exporter.hpp"
#include "exporters/rust/text.hpp"

namespace wakecheck::exporters::rust {

std::string Exporter::run() {
  check_exportable(file_);
  name_everything();
  std::ostringstream out;
  header(out);
  helpers(out);
  statics(out);
  if (forced_) forced_helpers(out);
  shared(out);
  for (const auto& unit : units_) task_fn(out, unit);
  branch_by_index(out);
  main_fn(out);
  return out.str();
}

std::string Exporter::worker_threads() const {
  return sc_.worker_threads == 1 ? "1" : "2";
}

std::string Exporter::runtime_attribute() const {
  return sc_.flavor == model::Flavor::kMultiThread
             ? "#[tokio::main(flavor = \"multi_thread\", worker_threads = " + worker_threads() + ")]"
             : "#[tokio::main(flavor = \"current_thread\")]";
}

void Exporter::header(std::ostringstream& out) const {
  const std::string stem = std::filesystem::path(file_.path).stem().string();
  out << "//! " << file_.name << "\n//!\n"
      << "//! Exported by `wakecheck export --rust` from " << file_.path
      << ": the same scenario\n"
      << "//! on real tokio, " << model::to_string(sc_.flavor) << " runtime. " << kAbout
      << (first_branch_ ? kAboutBranches : "")
      << "//! wakecheck's verdict on the same scenario is in " << stem << ".expected.\n//!\n";
  if (forced_) {
    out << "//! Forced: every timer fires when the counterexample of " << forced_->property << " ("
        << forced_->steps << " steps) fires it,\n"
        << "//! so real tokio follows that trace (the rest of its order is tokio's own on current_thread);\n"
        << "//! the .expected file holds the one outcome where the trace ends.\n//!\n";
  }
  if (sc_.version != model::TokioVersion::k1_24) out << kNewerOrders;
  out << kBuildHead << (first_branch_ || block_ons_ ? kFuturesDependency : "") << kBuildTail << kPrelude
      << (first_branch_ ? kFuturesImports : "") << kSleep
      << "/// A task not finished this long after the start is reported hung (the seed's\n"
      << "/// reproducer gives each task 2 s): 1 s, or 0.5 s and 150 ms for each sleep in the "
         "programs.\n"
      << "const DEADLINE: Duration = Duration::from_millis(" << deadline_ms() << ");\n\n";
  if (timeouts_ != 0) {
    out << "/// A timeout wrapper's deadline (tokio::time::timeout): longer than every sleep, as "
           "the model\n/// lets a timeout elapse only while no sleep is pending.\n"
        << "const TIMEOUT: Duration = Duration::from_millis(" << timeout_ms() << ");\n\n";
  }
}

std::size_t Exporter::deadline_ms() const {
  std::size_t sleeps = 0;
  std::size_t ticks = 0;
  for (const auto& task : sc_.tasks) {
    for (const Op& op : task.program) {
      if (op.kind == OpKind::kSleep || op.kind == OpKind::kGetOrInit) ++sleeps;
      if (op.kind == OpKind::kSleep || op.kind == OpKind::kSelect) ticks += op.ticks;
    }
  }
  const std::size_t plain = std::max<std::size_t>(1000, 500 + 150 * sleeps + kTickMs * ticks + timeout_ms() * timeouts_);
  return forced_ ? std::max<std::size_t>(plain, std::size_t{forced_->last_ms} + 1000) : plain;
}

std::size_t Exporter::timeout_ms() const {
  std::size_t longest = 0;
  for (const auto& task : sc_.tasks) {
    for (const Op& op : task.program) longest = std::max<std::size_t>(longest, op.ticks);
  }
  return kTimeoutMs + kTickMs * longest;
}

std::string Exporter::sleep_duration(std::uint8_t ticks) {
  return ticks == 0 ? "SLEEP" : "TICK * " + std::to_string(ticks);
}

std::string Exporter::sleep_future(std::uint8_t ticks, const Ctx& ctx) const {
  if (forced_) return "forced_sleep(" + task_ref(ctx.task, ctx) + ")";
  return "tokio::time::sleep(" + sleep_duration(ticks) + ")";
}

void Exporter::forced_helpers(std::ostringstream& out) const {
  const std::size_t n = sc_.tasks.size();
  auto table = [&](const auto& entries) {
    std::string text = "[";
    for (std::size_t t = 0; t < n; ++t) {
      text += t ? ", &[" : "&[";
      for (std::size_t k = 0; k < entries[t].size(); ++k) {
        const std::uint32_t entry = entries[t][k];
        text += (k ? ", " : "") + (entry == ForcedSchedule::kNever ? std::string("NEVER") : std::to_string(entry));
      }
      text += "]";
    }
    return text + "]";
  };
  out << "// ---- the forced schedule ------------------------------------------------------------\n\n"
      << "/// Milliseconds after the start at which each timer a task registers fires, in the order\n"
      << "/// the task registers them, as the trace of " << forced_->property << " fires them (NEVER: not within\n"
      << "/// the trace). One tick of a timed sleep is " << ForcedSchedule::kTickMs << " ms; untimed firings are "
      << ForcedSchedule::kStepMs << " ms apart.\n"
      << "const NEVER: u32 = u32::MAX;\n"
      << "static FORCED_SLEEPS: [&[u32]; " << n << "] = " << table(forced_->sleeps) << ";\n"
      << "static FORCED_DEADLINES: [&[u32]; " << n << "] = " << table(forced_->deadlines) << ";\n"
      << "const NONE_TAKEN: AtomicUsize = AtomicUsize::new(0);\n"
      << "static SLEEPS_TAKEN: [AtomicUsize; " << n << "] = [NONE_TAKEN; " << n << "];\n"
      << "static DEADLINES_TAKEN: [AtomicUsize; " << n << "] = [NONE_TAKEN; " << n << "];\n"
      << "/// Per task, at each poll of an unbiased select!, the branch it starts at, as the trace's poll\n"
      << "/// does (tokio would draw it at random); of a lock and a sleep, 1 is the sleep (or ready).\n"
      << "static FORCED_STARTS: [&[u32]; " << n << "] = " << table(forced_->starts) << ";\n"
      << "static STARTS_TAKEN: [AtomicUsize; " << n << "] = [NONE_TAKEN; " << n << "];\n"
      << "/// The program's start, which the schedule counts from (set first thing in main).\n"
      << "static START: StdMutex<Option<Instant>> = StdMutex::new(None);\n\n"
      << "/// When task t's next timer of `table` fires.\n"
      << "fn forced_at(table: &[&[u32]], taken: &[AtomicUsize], t: usize) -> Instant {\n"
      << "    let k = taken[t].fetch_add(1, SeqCst);\n"
      << "    let start = START.lock().unwrap().expect(\"main sets START first\");\n"
      << "    match table[t].get(k) {\n"
      << "        Some(&ms) if ms != NEVER => start + Duration::from_millis(u64::from(ms)),\n"
      << "        _ => start + Duration::from_secs(3600),  // beyond the trace: not within the run\n"
      << "    }\n"
      << "}\n\n"
      << "/// The branch task t's next poll of an unbiased select! starts at (0 beyond the trace).\n"
      << "fn forced_start_at(t: usize) -> usize {\n"
      << "    let k = STARTS_TAKEN[t].fetch_add(1, SeqCst);\n"
      << "    FORCED_STARTS[t].get(k).copied().unwrap_or(0) as usize\n"
      << "}\n\n"

      << "/// A future from a closure (std::future::poll_fn needs Rust 1.64).\n"
      << "struct PollFn<F>(F);\n\n"
      << "impl<T, F: FnMut(&mut Context<'_>) -> Poll<T> + Unpin> Future for PollFn<F> {\n"
      << "    type Output = T;\n"
      << "    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {\n"
      << "        (self.0)(cx)\n"
      << "    }\n"
      << "}\n\n"
      << "/// Task t's next sleep, firing when the trace fires it.\n"
      << "fn forced_sleep(t: usize) -> tokio::time::Sleep {\n"
      << "    tokio::time::sleep_until(forced_at(&FORCED_SLEEPS, &SLEEPS_TAKEN, t))\n"
      << "}\n\n";
}

void Exporter::helpers(std::ostringstream& out) const {
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
  if (lends_) out << kLent;
  if (uses_hand_) out << kHanded;
  if (block_ons_) {
    out << kWatchdog;
    // The watchdog's lines for the branches (futures inside a task), from what each noted.
    out << "/// The branches' lines for the watchdog: one still running is hung.\n"
        << "fn report_branches() {\n";
    if (first_branch_) out << "    (FIRST_BRANCH..TASKS.len()).for_each(report_branch);\n";
    out << "}\n\n";
  }
}



bool Exporter::uses(ResourceKind kind) const {
  return std::any_of(sc_.resources.begin(), sc_.resources.end(),
                     [kind](const model::ResourceSpec& r) { return r.kind == kind; });
}

void Exporter::statics(std::ostringstream& out) const {
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
    out << "/// The branches (futures inside a task: join!, FuturesUnordered, select_all, select!) come "
           "last.\n"
        << "const FIRST_BRANCH: usize = " << *first_branch_ << ";\n"
        << "static BRANCHES: [BranchSlot; " << n - *first_branch_ << "] = [BranchSlot::NEW; "
        << n - *first_branch_ << "];\n";
  }
  for (std::size_t c = 0; c < n; ++c) {
    if (!sc_.tasks[c].shared) continue;
    const std::string& name = sc_.tasks[c].name;
    const std::string slot = "SHARED_" + task_const_[c];
    const std::string make = units_[unit_of_.at(c)].spawn_fn;
    if (sc_.tasks[c].cached) {
      out << "/// " << name << ", a shared future: the cache (a memo cell) keeps a clone for the whole run, so its\n"
          << "/// inner future outlives its awaiters.\n"
          << "static " << slot << ": StdMutex<Option<futures::future::Shared<BranchFuture>>> = StdMutex::new(None);\n"
          << "/// A clone of " << name << " (the first makes it).\n"
          << "fn clone_" << units_[unit_of_.at(c)].fn << "(sh: &Shared) -> futures::future::Shared<BranchFuture> {\n"
          << "    " << slot << ".lock().unwrap().get_or_insert_with(|| futures::FutureExt::shared(" << make
          << "(sh))).clone()\n"
          << "}\n";
    } else {
      out << "/// " << name << ", a shared future whose cache holds only a WeakShared: the last clone dropped\n"
          << "/// drops its inner future, and the next await makes a new one.\n"
          << "static " << slot << ": StdMutex<Option<futures::future::WeakShared<BranchFuture>>> = StdMutex::new(None);\n"
          << "/// A clone of " << name << ": of the live one, else of a new one.\n"
          << "fn clone_" << units_[unit_of_.at(c)].fn << "(sh: &Shared) -> futures::future::Shared<BranchFuture> {\n"
          << "    let mut slot = " << slot << ".lock().unwrap();\n"
          << "    if let Some(live) = slot.as_ref().and_then(|weak| weak.upgrade()) {\n"
          << "        return live;\n"
          << "    }\n"
          << "    let made = futures::FutureExt::shared(" << make << "(sh));\n"
          << "    *slot = made.downgrade();\n"
          << "    made\n"
          << "}\n";
    }
  }
  for (const std::size_t c : shared_kept_) {
    out << "/// " << sc_.tasks[c].name << ", a select! branch its task keeps alive (&mut fut) and another branch\n"
        << "/// polls again: here between the polls.\n"
        << "static " << kept_static(c) << ": StdMutex<Option<BranchFuture>> = StdMutex::new(None);\n";
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

void Exporter::shared(std::ostringstream& out) const {
  out << "/// The resources, shared by every task (as the seed shares its Arc<Mutex<()>>).\n"
      << "#[derive(Clone)]\n"
      << "struct Shared {\n";
  for (std::size_t r = 0; r < sc_.resources.size(); ++r) {
    const auto& res = sc_.resources[r];
    const bool own_senders = channel(res.kind) && !res.senders.empty();
    if (own_senders) {
      out << "    // " << model::to_string(res.kind) << " " << res.name
          << ": its Senders belong to its sender tasks (their Ends)\n";
    } else {
      const std::string type = res.kind == ResourceKind::kOneshot
                                   ? "StdMutex<Option<" + resource_type(r) + ">>"
                                   : resource_type(r);
      out << "    " << resource_[r] << ": Arc<" << type << ">,  // " << model::to_string(res.kind) << " "
          << res.name;
    }
    if (res.kind == ResourceKind::kSemaphore)
      out << " (" << static_cast<int>(res.permits) << (res.permits == 1 ? " permit)" : " permits)");
    if (res.kind == ResourceKind::kRwLock)
      out << " (max_readers " << static_cast<int>(res.permits) << "; a writer takes them all)";
    if (res.kind == ResourceKind::kMpsc && !own_senders) out << " (capacity " << static_cast<int>(res.permits) << ")";
    if (channel(res.kind) && !own_senders) {
      out << (res.kind == ResourceKind::kOneshot ? ", its Sender until a task takes it to send\n"
                                                 : ", its Sender, alive for the whole run\n");
    }
    if (res.kind == ResourceKind::kWatch) {
      out << "    " << guard_[r] << ": Arc<StdMutex<" << receiver_type(r)
          << ">>,  // a Receiver a task's own is cloned from when its future is made";
    } else if (channel(res.kind)) {
      out << "    " << guard_[r] << ": Arc<StdMutex<Option<" << receiver_type(r)
          << ">>>,  // its Receiver, until the receiving task takes it";
    }
    out << "\n";
  }
  if (ends_) out << "    ends: Arc<StdMutex<Vec<Ends>>>,  // each task's Ends, until its future is made\n";
  out << "}\n\n";
  if (ends_) ends(out);
  out << "impl Shared {\n"
      << "    fn new() -> Self {\n";
  for (std::size_t r = 0; r < sc_.resources.size(); ++r) {
    const auto& res = sc_.resources[r];
    if (!channel(res.kind)) continue;
    const std::string made = res.kind == ResourceKind::kMpsc
                                 ? "tokio::sync::mpsc::channel::<()>(" + std::to_string(static_cast<int>(res.permits)) + ")"
                             : res.kind == ResourceKind::kUnbounded ? "tokio::sync::mpsc::unbounded_channel::<()>()"
                             : res.kind == ResourceKind::kOneshot   ? "tokio::sync::oneshot::channel::<()>()"
                                                                    : "tokio::sync::watch::channel(())";
    out << "        let (" << resource_[r] << ", " << guard_[r] << ") = " << made << ";\n";
  }
  if (ends_) {
    out << "        let mut ends: Vec<Ends> = (0..TASKS.len()).map(|_| Ends::default()).collect();\n";
    for (std::size_t r = 0; r < sc_.resources.size(); ++r) {
      const auto& res = sc_.resources[r];
      if (res.senders.empty()) continue;
      // A oneshot or watch Sender is not Clone: its one sender task gets it.
      const bool single = res.kind == ResourceKind::kOneshot || res.kind == ResourceKind::kWatch;
      for (std::size_t t : res.senders) {
        out << "        ends[" << task_const_[t] << "]." << resource_[r] << " = Some(" << resource_[r]
            << (single ? "" : ".clone()") << ");\n";
      }
      if (!single) {
        out << "        drop(" << resource_[r] << ");  // only the sender tasks' clones are left\n";
      }
    }
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
      case ResourceKind::kUnbounded:
      case ResourceKind::kWatch:
        make = resource_[r];
        break;
      case ResourceKind::kOneshot:
        make = "StdMutex::new(Some(" + resource_[r] + "))";
        break;
      case ResourceKind::kOnceCell:
        make = "tokio::sync::OnceCell::new()";
        break;
      default:
        make = "tokio::sync::Notify::new()";
        break;
    }
    if (!channel(res.kind) || res.senders.empty()) {
      out << "            " << resource_[r] << ": Arc::new(" << make << "),\n";
    }
    if (res.kind == ResourceKind::kWatch) {
      out << "            " << guard_[r] << ": Arc::new(StdMutex::new(" << guard_[r] << ")),\n";
    } else if (channel(res.kind)) {
      out << "            " << guard_[r] << ": Arc::new(StdMutex::new(Some(" << guard_[r] << "))),\n";
    }
  }
  if (ends_) out << "            ends: Arc::new(StdMutex::new(ends)),\n";
  out << "        }\n"
      << "    }\n";
  if (ends_) {
    out << "\n"
        << "    /// Task t's Ends, taken as its future is made: they are dropped with that future (a\n"
        << "    /// finished, aborted or dropped task drops its Senders). A watch Receiver is made\n"
        << "    /// now, having seen every version sent so far.\n"
        << "    fn ends(&self, t: usize) -> Ends {\n"
        << "        let mut ends = std::mem::take(&mut self.ends.lock().unwrap()[t]);\n";
    for (std::size_t r = 0; r < sc_.resources.size(); ++r) {
      const auto watching = watchers(r);
      if (watching.empty()) continue;
      std::string list;
      for (std::size_t t : watching) list += (list.empty() ? "" : ", ") + task_const_[t];
      out << "        if [" << list << "].contains(&t) {\n"
          << "            let mut rx = self." << guard_[r] << ".lock().unwrap();\n"
          << "            rx.borrow_and_update();\n"
          << "            ends." << guard_[r] << " = Some(rx.clone());\n"
          << "        }\n";
    }
    out << "        ends\n"
        << "    }\n";
  }
  out << "}\n\n";
}

std::vector<std::size_t> Exporter::watchers(std::size_t r) const {
  std::vector<std::size_t> out;
  if (sc_.resources[r].kind != ResourceKind::kWatch) return out;
  for (std::size_t t = 0; t < sc_.tasks.size(); ++t) {
    const auto& program = sc_.tasks[t].program;
    if (std::any_of(program.begin(), program.end(),
                    [&](const Op& op) { return op.kind == OpKind::kChanged && op.a == r; })) {
      out.push_back(t);
    }
  }
  return out;
}

void Exporter::ends(std::ostringstream& out) const {
  out << "/// A task's own channel ends, made with its future and dropped with it.\n"
      << "#[derive(Default)]\n"
      << "struct Ends {\n";
  for (std::size_t r = 0; r < sc_.resources.size(); ++r) {
    const auto& res = sc_.resources[r];
    if (!res.senders.empty()) {
      out << "    " << resource_[r] << ": Option<" << resource_type(r) << ">,  // a Sender of " << res.name << "\n";
    }
    if (!watchers(r).empty()) {
      out << "    " << guard_[r] << ": Option<" << receiver_type(r) << ">,  // a Receiver of " << res.name << "\n";
    }
  }
  out << "}\n\n";
}

std::string Exporter::local_type(std::size_t r) const {
  switch (sc_.resources[r].kind) {
    case ResourceKind::kTokioMutex:
      return "tokio::sync::Mutex";
    case ResourceKind::kStdMutex:
      return "std::sync::Mutex";
    case ResourceKind::kRwLock:
      return "tokio::sync::RwLock";
    case ResourceKind::kMpsc:
    case ResourceKind::kUnbounded:
    case ResourceKind::kOneshot:
    case ResourceKind::kWatch:
      return "the Sender of";
    default:
      return resource_type(r);
  }
}

std::string Exporter::resource_type(std::size_t r) const {
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
    case ResourceKind::kUnbounded:
      return "tokio::sync::mpsc::UnboundedSender<()>";
    case ResourceKind::kOneshot:
      return "tokio::sync::oneshot::Sender<()>";
    case ResourceKind::kWatch:
      return "tokio::sync::watch::Sender<()>";
    case ResourceKind::kOnceCell:
      return "tokio::sync::OnceCell<()>";
    default:
      return "tokio::sync::Notify";
  }
}

std::string Exporter::receiver_type(std::size_t r) const {
  switch (sc_.resources[r].kind) {
    case ResourceKind::kUnbounded:
      return "tokio::sync::mpsc::UnboundedReceiver<()>";
    case ResourceKind::kOneshot:
      return "tokio::sync::oneshot::Receiver<()>";
    case ResourceKind::kWatch:
      return "tokio::sync::watch::Receiver<()>";
    default:
      return "tokio::sync::mpsc::Receiver<()>";
  }
}

std::string Exporter::summary(std::size_t t) const {
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

void Exporter::task_fn(std::ostringstream& out, const Unit& unit) const {
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
  out << "async fn " << unit.fn << "(" << (unit.generic ? "me: usize, " : "") << "sh: Shared"
      << (ends_ ? ", mut ends: Ends" : "") << ") {\n"
      << body_text(t, unit.generic) << "}\n\n";
  if (main) return;

  Ctx own;
  own.task = t;
  own.generic = unit.generic;
  const std::string flag = flag_of_[t] ? element(flag_order_[*flag_of_[t]], t, own) : "";
  const std::string index = unit.generic ? task_const_[t] + " + me" : task_const_[t];
  const std::string call =
      unit.fn + "(" + (unit.generic ? "me, " : "") + "sh.clone()" + (ends_ ? ", sh.ends(" + index + ")" : "") + ")";
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
  std::string spawned = droppable_[t] ? "Droppable::new(t, " + future + ")" : future;
  if (block_ons_) {
    // The future is made here (it borrows nothing), then marked: EndMark drops with it.
    out << "    let future = " << spawned << ";\n";
    spawned = "async move {\n        let _mark = EndMark(t);\n        future.await\n    }";
  }
  out << "    HANDLES[t].spawn(" << spawned << ");\n";
  out << "}\n\n";
}

std::string Exporter::branch_role(std::size_t c) const {
  if (sc_.tasks[c].shared) {
    return std::string("the inner future of a shared future (futures' Shared), polled by whichever clone awaits it; ") +
           (sc_.tasks[c].cached ? "a cache keeps a clone for the whole run" : "only its awaiters hold clones");
  }
  const std::size_t parent = *sc_.tasks[c].parent;
  std::string what = "a combinator";
  for (const Op& op : sc_.tasks[parent].program) {
    if (c < op.a || c >= std::size_t{op.a} + op.b) continue;
    if (op.kind == OpKind::kJoinAll) what = "join!";
    if (op.kind == OpKind::kSelectAll) what = "select_all";
    if (op.kind == OpKind::kSelectBranches) what = "select!";
    if (op.kind == OpKind::kStartSet)
      what = op.c == 0 ? "FuturesUnordered" : "buffer_unordered(" + std::to_string(op.c) + ")";
  }
  return "a branch of " + sc_.tasks[parent].name + "'s " + what + " (a future inside that task)";
}

void Exporter::branch_by_index(std::ostringstream& out) const {
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

void Exporter::main_fn(std::ostringstream& out) const {
  std::string text = kMain;
  const std::string plain = "Box::pin(main_program(Shared::new()))";
  std::string made = "main_program(Shared::new())";
  if (ends_) {
    made = "{\n        let sh = Shared::new();\n        let ends = sh.ends(" + task_const_[0] +
           ");\n        main_program(sh, ends)\n    }";
  }
  if (block_ons_) {
    made = "async move {\n        let _mark = EndMark(0);\n        " + made + ".await\n    }";
    const std::string head = "    let deadline = Instant::now() + DEADLINE;\n";
    text.insert(text.find(head) + head.size(), "    start_watchdog();\n");
  }
  if (forced_) {
    const std::string head = "    let deadline = Instant::now() + DEADLINE;\n";
    text.insert(text.find(head), "    *START.lock().unwrap() = Some(Instant::now());\n");
  }
  text.replace(text.find(plain), plain.size(), "Box::pin(" + made + ")");
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

}  // namespace wakecheck::exporters::rust
