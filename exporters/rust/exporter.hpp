// The Rust exporter's one class, its parts defined by concern:
//   naming.cpp      names of tasks, resources, statics and units, and references to them
//   statements.cpp  expressions and statements: each primitive's translation to tokio
//   branches.cpp    futures inside one task (join!, FuturesUnordered, select_all,
//                   block_in_place) and a task's whole body
//   program.cpp     the program around them: header, helpers, statics, task fns, main
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "exporters/rust/names.hpp"
#include "exporters/rust_export.hpp"
#include "exporters/schedule.hpp"
#include "model/expr.hpp"
#include "model/scenario.hpp"
#include "properties/property_file.hpp"

namespace wakecheck::exporters::rust {

using model::Op;
using model::OpKind;
using model::Wrapper;

/// Writes one property file's scenario as a tokio program (exporters/rust_export.hpp).
class Exporter {
 public:
  explicit Exporter(const properties::PropertyFile& file, const ForcedSchedule* forced = nullptr)
      : file_(file), sc_(file.scenario), forced_(forced) {}

  std::string run();

 private:
  // --- naming --------------------------------------------------------------------------------

  void name_everything();

  void scan(const std::vector<Op>& program);

  /// "wait" for a nested future "worker1.wait"; "" for a task's own future.
  std::string nested_name(std::size_t f) const;

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
    bool kept_branches = false;   // ... and one per kept select! branch (`kept_NAME`)
    std::uint32_t owned = 0;      // bit r: mutex r's guard slot holds an OwnedMutexGuard (the
                                  // program awaits a handed lock future of r)
    std::uint32_t created = 0;    // bit r: the program keeps a created Notified of notify r
  };

  static bool has(std::uint32_t mask, std::size_t r) { return ((mask >> r) & 1U) != 0; }

  /// The slot of a kept select! branch, `Option<BranchFuture>`, alive between two select!s: a
  /// static when a sibling branch awaits or drops it too, else a local of its task.
  bool shared_kept(std::size_t c) const { return std::find(shared_kept_.begin(), shared_kept_.end(), c) != shared_kept_.end(); }
  std::string kept_static(std::size_t c) const;
  std::string kept_slot(std::size_t c) const {
    return shared_kept(c) ? "(*" + kept_static(c) + ".lock().unwrap())" : "kept_" + sc_.tasks[c].name;
  }

  /// The task whose variables a program reads: its own, or a branch's parent.
  std::size_t owner(std::size_t t) const { return sc_.tasks[t].parent.value_or(t); }

  /// The element of a static for task `owner`: NAME, NAME[2], or NAME[me] for the running copy.
  std::string element(const StaticSlot& slot, std::size_t owner, const Ctx& ctx) const;
  std::string flag_ref(std::size_t f, const Ctx& ctx) const;
  std::string var_ref(std::size_t v, const Ctx& ctx) const;
  std::string task_ref(std::size_t t, const Ctx& ctx) const;
  std::size_t units_tasks_first(std::size_t t) const;

  /// A variable's name as its program writes it: bare for a shared one and for the task's own.
  std::string var_source(std::size_t v, const Ctx& ctx) const;

  // --- expressions -----------------------------------------------------------------------------

  enum class Ty { kInt, kBool };
  struct Code {
    std::string text;
    Ty ty = Ty::kInt;
    bool primary = true;  // needs no parentheses as an operand
  };

  static std::string paren(const Code& c) { return c.primary ? c.text : "(" + c.text + ")"; }

  Code expr_node(const model::Expr& e, std::int32_t i, const Ctx& ctx) const;

  static bool is_bit(const model::Expr& e, std::int32_t i);
  Code as_bool(const model::Expr& e, std::int32_t i, const Ctx& ctx) const;
  Code as_int(const model::Expr& e, std::int32_t i, const Ctx& ctx) const;
  std::int32_t root(const model::Expr& e) const;
  std::string condition(std::size_t expr, const Ctx& ctx) const;

  // --- statements ------------------------------------------------------------------------------

  using Lines = std::vector<std::string>;

  void line(Lines& out, std::size_t indent, const std::string& code,
            const std::string& comment = "") const;

  /// Whether a lock or try_lock on a rwlock writes: it takes every permit (the model's op_word).
  bool writes(const Op& op) const { return op.c > 1 && op.c == sc_.resources[op.a].permits; }

  /// A select!'s lock branch: the future's call and output type, the branch pattern, and what
  /// the handler does with a guard.
  struct SelectFuture {
    std::string call, output, pattern, take;
  };
  SelectFuture select_future(const Op& op) const;

  /// The statement's text in the property file.
  std::string source(const Op& op, const Ctx& ctx) const;

  /// A lock, unlock or try_lock in the property file's words for its resource's kind
  /// ("acquire_many s 2", "write l", "try_lock m").
  std::string guard_words(const Op& op) const;

  /// Writes prog[begin, end): if and while rebuilt from the jumps the loader compiles them to
  /// (properties/property_file.cpp): `if`: unless-goto past the then-block, whose last operation
  /// is a forward goto past the else-block when there is one; `while`: unless-goto past the body,
  /// whose last operation is a goto back to the test.
  void block(const std::vector<Op>& prog, std::size_t begin, std::size_t end, std::size_t indent,
             const Ctx& ctx, Lines& out) const;

  /// The kind of the statement that starts with the unless-goto at `pc`, and where it ends.
  enum class Shape { kIf, kIfElse, kWhile };
  std::pair<Shape, std::size_t> shape(const std::vector<Op>& prog, std::size_t pc) const;

  /// An if or a while at `pc`; returns the pc after it. `lead` is "} else " when it continues an
  /// else-if chain. An else-block that is a single if is written as `else if`.
  std::size_t conditional(const std::vector<Op>& prog, std::size_t pc, std::size_t indent,
                          const Ctx& ctx, Lines& out, const std::string& lead) const;

  void statement(const Op& op, std::size_t indent, const Ctx& ctx, Lines& out) const;

  /// An on_drop scope: a guard whose handler runs if the future is dropped inside the scope.
  void guard_scope(const std::vector<Op>& prog, std::size_t begin, std::size_t close,
                   std::size_t indent, const Ctx& ctx, Lines& out) const;

  /// A nested future under its own wrapper: an async block inside the wrapper, awaited in place.
  void nested_future(const std::vector<Op>& prog, std::size_t begin, std::size_t close,
                     std::size_t indent, const Ctx& ctx, Lines& out) const;

  /// `if returned { return; }` after a block whose `return` must end the task.
  void end_task_if_returned(std::size_t indent, const Ctx& ctx, const char* why, Lines& out) const;

  // --- futures inside one task: join!, FuturesUnordered / buffer_unordered, select_all ----------

  /// Branch `c`'s future, made (and so started) where its combinator takes it.
  std::string branch_call(std::size_t c, const Ctx& ctx) const;

  /// `while let Some(()) = set.next().await { body }` over a FuturesUnordered of the branches
  /// (limit 0) or a buffer_unordered(limit) stream of them, rebuilt from the loader's
  /// [set, next, goto exit, body.., goto next]. Returns the pc after it.
  std::size_t unordered_loop(const std::vector<Op>& prog, std::size_t pc, std::size_t indent,
                             const Ctx& ctx, Lines& out) const;

  /// A select! over futures at prog[pc], with its else block; returns the pc after it.
  std::size_t select_branches(const std::vector<Op>& prog, std::size_t pc, std::size_t indent, const Ctx& ctx, Lines& out) const;
  /// A select! without `biased;` whose every poll starts at the branch the forced trace's poll
  /// started at, as `PollFn(..)` (an expression of the winning branch's index): it polls the
  /// branches from there in turn, each by its arm (`arms[i]`, which returns Poll::Ready(i) when
  /// branch i wins), as tokio's select! does from its random start.
  void forced_select(std::size_t indent, const Ctx& ctx, const std::vector<Lines>& arms, Lines& out) const;
  /// `tokio::select! {` and its `biased;` line (or a comment that it has none).
  void select_head(std::size_t indent, bool biased, Lines& out) const;
  /// futures::future::select_all over the branches: the first to finish wins; the rest are
  /// dropped at once, or kept alive (and never polled) in the program's `rest`.
  void select_all(const std::vector<Op>& prog, std::size_t pc, std::size_t indent,
                  const Ctx& ctx, Lines& out) const;

  /// block_in_place(|| Handle::current().block_on(async { .. })): the worker thread leaves the
  /// scheduler and runs only this future until it ends; the task's other futures wait.
  void block_in_place(const std::vector<Op>& prog, std::size_t begin, std::size_t close,
                      std::size_t indent, const Ctx& ctx, Lines& out) const;

  /// The slot of the guards of `r` a program holds; `owned`: an OwnedMutexGuard, as a handed
  /// lock future yields (the program's own lock and try_lock on `r` use lock_owned then).
  void guard_slot(std::size_t r, std::size_t indent, bool owned, Lines& out) const;

  /// The async fn of a unit's program, as text (also used to tell whether copies run alike).
  std::string body_text(std::size_t t, bool generic, bool probe = false) const;

  // --- the program -----------------------------------------------------------------------------

  /// The multi_thread runtime's worker count: the scenario's `worker_threads` (1: the model's
  /// one worker with its LIFO slot, local queue and inject queue), else 2 (the model lets any
  /// scheduled task run next, as several workers may).
  std::string worker_threads() const;

  std::string runtime_attribute() const;

  void header(std::ostringstream& out) const;

  /// 1 s, or more when the programs sleep often (an initializer of get_or_init sleeps too):
  /// every sleep may run one after the other, and so may every timeout.
  std::size_t deadline_ms() const;

  /// A timeout wrapper's deadline: longer than every sleep (the model lets a deadline pass
  /// only while no sleep is pending).
  static constexpr std::size_t kTimeoutMs = 400;
  /// One tick of a timed sleep or timeout (TICK in the program).
  static constexpr std::size_t kTickMs = 20;
  /// The untimed timeout: kTimeoutMs past the longest timed sleep.
  std::size_t timeout_ms() const;
  /// `SLEEP`, or `TICK * D` for a sleep of D ticks.
  static std::string sleep_duration(std::uint8_t ticks);
  /// The sleep future of a sleep the running task (or branch) registers: timed, or forced to the
  /// trace's time.
  std::string sleep_future(std::uint8_t ticks, const Ctx& ctx) const;
  /// The forced schedule's tables and helpers.
  void forced_helpers(std::ostringstream& out) const;

  void helpers(std::ostringstream& out) const;

  bool uses(ResourceKind kind) const;

  void statics(std::ostringstream& out) const;

  void shared(std::ostringstream& out) const;

  /// The type a task's local for resource `r` names in its comment.
  std::string local_type(std::size_t r) const;

  std::string resource_type(std::size_t r) const;
  std::string receiver_type(std::size_t r) const;
  /// The tasks (and branches) that await `changed` on watch r: each has its own Receiver.
  std::vector<std::size_t> watchers(std::size_t r) const;
  /// The Ends struct: each task's own channel ends.
  void ends(std::ostringstream& out) const;

  /// A straight-line program's statements in the property file's words, for the doc comment;
  /// "its program" for one with control flow or scopes (read the body).
  std::string summary(std::size_t t) const;

  void task_fn(std::ostringstream& out, const Unit& unit) const;

  /// "a branch of worker's join! (a future inside that task)".
  std::string branch_role(std::size_t c) const;

  /// `branch(t, &sh)`: a branch's future by its index, for buffer_unordered's streams.
  void branch_by_index(std::ostringstream& out) const;

  void main_fn(std::ostringstream& out) const;

  const properties::PropertyFile& file_;
  const model::Scenario& sc_;
  // Set: every timer fires when the trace fires it (exporters/schedule.hpp).
  const ForcedSchedule* forced_ = nullptr;
  NameTable upper_{"TASKS",   "HANDLES", "DROP_SLOTS",   "SLEEP",   "DEADLINE",
                   "SEQCST",  "TIMEOUT", "FIRST_BRANCH", "BRANCHES", "HANDED",  "TICK"};
  NameTable lower_{"sh",       "me",      "main",     "main_program", "guard",
                   "kept",     "ok",      "returned", "acquired",     "t",
                   "deadline", "program", "ended",    "drop_task",    "task_drop_on_pause",
                   "std",      "tokio",   "drop",     "i32",          "core",
                   "alloc",    "set",     "rest",     "start",        "async_main",
                   "futures",  "won",     "branch",   "hand_lock",    "handed",
                   "created",  "ends"};
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
  bool lends_ = false;      // a branch receives from a channel, or awaits a kept future: Lent
  std::vector<std::size_t> shared_kept_;  // kept select! branches a sibling awaits or drops
  std::size_t timeouts_ = 0;
  // Each task fn takes `ends: Ends`, its channel ends made when its future is: the Senders of
  // channels that name their senders, and the watch Receivers it awaits changes on.
  bool ends_ = false;
  // A task blocks its thread in futures::executor::block_on: the program needs a watchdog.
  bool block_ons_ = false;
  std::optional<std::size_t> first_branch_;  // the first combinator branch (they come last)
};

}  // namespace wakecheck::exporters::rust
