// The exporter's futures inside one task (join!, FuturesUnordered and buffer_unordered loops,
// select_all, block_in_place), and the whole body of a task's or a branch's async fn.
#include <algorithm>
#include <set>

#include "exporters/rust/exporter.hpp"
#include "exporters/rust/text.hpp"

namespace wakecheck::exporters::rust {

std::string Exporter::branch_call(std::size_t c, const Ctx& ctx) const {
  if (ctx.probe) return "branch(" + sc_.tasks[c].name + ")";
  return units_[unit_of_.at(c)].spawn_fn + "(&sh)";
}

std::size_t Exporter::unordered_loop(const std::vector<Op>& prog, std::size_t pc, std::size_t indent,
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
  const bool ordered = (op.flags & model::kSetOrdered) != 0;
  if (op.c == 0) {
    line(out, indent, ordered ? "let mut set = futures::stream::FuturesOrdered::new();" : "let mut set = FuturesUnordered::new();",
         src + ": every branch pushed (started) now" + (ordered ? "; outputs come in push order" : ""));
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
    if (ordered) {
      line(out, indent + 4, ".buffered(" + std::to_string(op.c) + ");",
           "at most " + std::to_string(op.c) + " in flight or queued; outputs in order");
    } else {
      line(out, indent + 4, ".buffer_unordered(" + std::to_string(op.c) + ");",
           "at most " + std::to_string(op.c) + " in flight");
    }
  }
  line(out, indent, "while let Some(()) = set.next().await {",
       "next: the body runs after each branch that finishes");
  block(prog, pc + 3, exit - 1, indent + 4, ctx, out);
  line(out, indent, "}");
  return exit;
}

void Exporter::select_all(const std::vector<Op>& prog, std::size_t pc, std::size_t indent,
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

void Exporter::select_head(std::size_t indent, bool biased, Lines& out) const {
  line(out, indent, "tokio::select! {");
  line(out, indent + 4, biased ? "biased;" : "// no `biased;`: each poll starts at a random branch");
}

void Exporter::forced_select(std::size_t indent, const Ctx& ctx, const std::vector<Lines>& arms, Lines& out) const {
  const std::string n = std::to_string(arms.size());
  line(out, indent, "PollFn(|cx: &mut Context<'_>| {", "select! (no `biased;`), its start forced");
  line(out, indent + 4, "let start = forced_start_at(" + task_ref(ctx.task, ctx) + ") % " + n + ";");
  line(out, indent + 4, "for k in 0.." + n + " {");
  line(out, indent + 8, "match (start + k) % " + n + " {");
  for (std::size_t i = 0; i < arms.size(); ++i) {
    line(out, indent + 12, std::to_string(i) + " => {");
    for (const auto& arm_line : arms[i]) line(out, indent + 16, arm_line);
    line(out, indent + 12, "}");
  }
  line(out, indent + 12, "_ => unreachable!(),");
  line(out, indent + 8, "}");
  line(out, indent + 4, "}");
  line(out, indent + 4, "Poll::Pending");
  line(out, indent, "}).await");
}

std::size_t Exporter::select_branches(const std::vector<Op>& prog, std::size_t pc, std::size_t indent, const Ctx& ctx,
                                      Lines& out) const {
  const Op& op = prog[pc];
  const bool has_else = (op.flags & model::kSelectElse) != 0;
  // tokio::select! { [biased;] _ = &mut f0 => .., _ = &mut f1 => .. }: every branch future is made
  // (or a kept one taken from its slot) before the select!, borrowed by it, and dropped after it
  // unless it is kept and did not win.
  const std::string src = source(op, ctx);
  const bool biased = (op.flags & model::kSelectUnbiased) == 0;
  line(out, indent, "{", src);
  for (std::size_t c = op.a; c < std::size_t{op.a} + op.b; ++c) {
    const std::string f = "fut_" + std::to_string(c - op.a);
    if (sc_.tasks[c].kept) {
      line(out, indent + 4, "let mut " + f + ": BranchFuture = match " + kept_slot(c) + ".take() {",
           "&mut " + sc_.tasks[c].name);
      line(out, indent + 8, "Some(kept) => kept,", "kept alive by the last select!, polled again where it stopped");
      line(out, indent + 8, "None => " + branch_call(c, ctx) + ",");
      line(out, indent + 4, "};");
    } else {
      line(out, indent + 4, "let mut " + f + ": BranchFuture = " + branch_call(c, ctx) + ";", sc_.tasks[c].name);
    }
  }
  for (std::size_t c = op.a; c < std::size_t{op.a} + op.b; ++c) {
    if (const auto& pre = sc_.tasks[c].precondition) {
      line(out, indent + 4, "let enabled_" + std::to_string(c - op.a) + " = " + condition(*pre, ctx) + ";",
           "the precondition of " + sc_.tasks[c].name + ", evaluated before the select!");
    }
  }
  line(out, indent + 4, "let won: i32;");
  if (forced_ && !biased) {
    // tokio::select! without `biased;`, each poll starting where the trace's poll starts.
    const std::string n = std::to_string(op.b);
    std::string enabled;
    for (std::size_t c = op.a; c < std::size_t{op.a} + op.b; ++c) {
      enabled += (c == op.a ? "" : ", ") + (sc_.tasks[c].precondition ? "enabled_" + std::to_string(c - op.a) : std::string("true"));
    }
    line(out, indent + 4, "let enabled: [bool; " + n + "] = [" + enabled + "];");
    line(out, indent + 4, "won = if !enabled.iter().any(|e| *e) {");
    line(out, indent + 8, has_else ? "-1" : "panic!(\"all branches are disabled and there is no else branch\")",
         has_else ? "every branch disabled: else" : "tokio's panic");
    line(out, indent + 4, "} else {");
    std::vector<Lines> arms;
    for (std::size_t c = op.a; c < std::size_t{op.a} + op.b; ++c) {
      const std::string k = std::to_string(c - op.a);
      arms.push_back({"if enabled[" + k + "] && fut_" + k + ".as_mut().poll(cx).is_ready() {",
                      "    return Poll::Ready(" + k + ");", "}"});
    }
    forced_select(indent + 8, ctx, arms, out);
    line(out, indent + 4, "};");
  } else {
    select_head(indent + 4, biased, out);
    for (std::size_t c = op.a; c < std::size_t{op.a} + op.b; ++c) {
      const std::string k = std::to_string(c - op.a);
      const std::string pre = sc_.tasks[c].precondition ? ", if enabled_" + k : "";
      line(out, indent + 8, "_ = &mut fut_" + k + pre + " => { won = " + k + "; }");
    }
    if (has_else) line(out, indent + 8, "else => { won = -1; }", "every branch disabled");
    line(out, indent + 4, "}");
  }
  for (std::size_t c = op.a; c < std::size_t{op.a} + op.b; ++c) {
    if (!sc_.tasks[c].kept) continue;
    const std::string k = std::to_string(c - op.a);
    line(out, indent + 4, "if won != " + k + " { " + kept_slot(c) + " = Some(fut_" + k + "); }",
         sc_.tasks[c].name + " lost: it stays alive, unpolled");
  }
  if (has_else) {
    if (op.c != 0) line(out, indent + 4, "if won >= 0 { " + var_ref(op.c - 1U, ctx) + ".store(won, SeqCst); }");
    line(out, indent + 4, "if won < 0 {", "else");
    block(prog, pc + 1, op.ticks, indent + 8, ctx, out);
    line(out, indent + 4, "}");
  } else if (op.c != 0) {
    line(out, indent + 4, var_ref(op.c - 1U, ctx) + ".store(won, SeqCst);");
  }
  line(out, indent, "}", "the other branch futures are dropped here");
  return has_else ? op.ticks : pc + 1;
}

void Exporter::block_in_place(const std::vector<Op>& prog, std::size_t begin, std::size_t close,
                    std::size_t indent, const Ctx& ctx, Lines& out) const {
  const bool returns = std::any_of(
      prog.begin() + static_cast<std::ptrdiff_t>(begin) + 1,
      prog.begin() + static_cast<std::ptrdiff_t>(close),
      [](const Op& op) { return op.kind == OpKind::kReturn; });
  Ctx inner = ctx;
  inner.in_region = true;
  inner.region_returns = returns;
  const bool keeps_core = prog[begin].a == 1;
  if (keeps_core) {
    line(out, indent, std::string(returns ? "let returned = " : "") + "futures::executor::block_on(async {",
         "block_on: this thread blocks on this future and runs nothing else");
  } else {
    line(out, indent,
         std::string(returns ? "let returned = " : "") +
             "tokio::task::block_in_place(|| tokio::runtime::Handle::current().block_on(async {",
         "block_in_place: this thread runs only this future");
  }
  block(prog, begin + 1, close, indent + 4, inner, out);
  if (returns) line(out, indent + 4, "false", "block_on's future ends without a return");
  line(out, indent, keeps_core ? "});" : "}));");
  if (returns) end_task_if_returned(indent, ctx, "a return inside block_on's future ends the task", out);
}

void Exporter::guard_slot(std::size_t r, std::size_t indent, bool owned, Lines& out) const {
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

std::string Exporter::body_text(std::size_t t, bool generic, bool probe) const {
  Ctx ctx;
  ctx.task = t;
  ctx.generic = generic;
  ctx.probe = probe;
  const auto& program = sc_.tasks[t].program;
  Lines out;
  // Locals: each resource the program (or its handlers) uses, and a slot per mutex guard.
  std::set<std::size_t> used, guarded, receives, watches;
  bool keeps = false;       // a select! may keep its lock future (`&mut fut`)
  bool drops_kept = false;  // drop_kept: of that lock future, or of select_all's rest
  std::set<std::size_t> kept_branches;  // select! branches kept alive (`&mut fut`)
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
      case OpKind::kPut:
      case OpKind::kGetOrInit:
        used.insert(op.a);
        break;
      case OpKind::kRecv:
        receives.insert(op.a);
        break;
      case OpKind::kChanged:
        watches.insert(op.a);
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
        if (sc_.resources[op.a].kind == ResourceKind::kSemaphore && has(ctx.owned, op.a)) {
          refuse(file_, "a select! over '" + sc_.resources[op.a].name + "' beside a handed lock future");
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
      case OpKind::kSelectBranches:
        for (std::size_t c = op.a; c < std::size_t{op.a} + op.b; ++c) {
          if (sc_.tasks[c].kept) kept_branches.insert(c);
        }
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
        if (h.kind == OpKind::kCreateNotified || h.kind == OpKind::kEnable || h.kind == OpKind::kHandLock) {
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
    const auto& res = sc_.resources[r];
    const std::string what = local_type(r) + " " + res.name;
    if (res.kind == ResourceKind::kOneshot) {
      line(out, 4,
           "let mut " + resource_[r] + " = " +
               (res.senders.empty() ? "sh." + resource_[r] + ".lock().unwrap().take()" : "ends." + resource_[r] + ".take()") + ";",
           what + " (send takes it)");
    } else if (channel(res.kind) && !res.senders.empty()) {
      line(out, 4, "let " + resource_[r] + " = ends." + resource_[r] + ".take().expect(\"a sender task\");",
           what + ", this task's own");
    } else {
      line(out, 4, "let " + resource_[r] + " = &*sh." + resource_[r] + ";", what);
    }
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
  ctx.kept_branches = !kept_branches.empty();
  ctx.kept_lock = keeps || (drops_kept && !ctx.kept_rest && !ctx.kept_branches);
  if (ctx.kept_branches && (keeps || ctx.kept_rest) && drops_kept) {
    refuse(file_, sc_.tasks[t].name + " keeps select! branches beside another kept future and drops them with "
                                      "drop_kept (write `drop NAME` for each)");
  }
  for (std::size_t c : kept_branches) {
    if (shared_kept(c)) continue;  // a static, which a sibling branch reaches too
    line(out, 4, "let mut " + kept_slot(c) + ": Option<BranchFuture> = None;",
         "&mut " + sc_.tasks[c].name + ": a select! branch kept alive between select!s");
  }
  if (ctx.kept_rest) {
    line(out, 4, "let mut rest: Vec<BranchFuture> = Vec::new();",
         "the futures a select_all left alive (its `rest`)");
  }
  if (ctx.kept_lock) {
    // One kept future per task, as in the model: every select! of the task is on one lock
    // future's kind, so that a later select! can poll the kept one again.
    std::optional<Op> first;
    for (const Op& op : program) {
      if (op.kind != OpKind::kSelect) continue;
      if (first && (first->a != op.a || (first->b & model::kSelectWrite) != (op.b & model::kSelectWrite))) {
        refuse(file_, sc_.tasks[t].name + " selects on lock futures of two kinds or resources; the exporter keeps one "
                                          "lock future per task, of one type");
      }
      if (!first) first = op;
    }
    const std::string output = first ? select_future(*first).output : "MutexGuard<'_, ()>";
    line(out, 4,
         "let mut kept: Option<std::pin::Pin<Box<dyn std::future::Future<Output = " + output + "> + Send + '_>>> = None;",
         "a lock future a select! keeps alive (&mut fut)");
  }
  for (std::size_t r : receives) {
    if (sc_.tasks[t].parent && sc_.resources[r].kind != ResourceKind::kOneshot) {
      line(out, 4, "let mut " + guard_[r] + " = Lent::new(&sh." + guard_[r] + ");",
           "the Receiver of " + sc_.resources[r].name + ", borrowed from the task while this branch runs");
      continue;
    }
    line(out, 4,
         "let mut " + guard_[r] + " = sh." + guard_[r] +
             ".lock().unwrap().take().expect(\"one receiving task\");",
         "the Receiver of " + sc_.resources[r].name + " (this task alone receives)");
  }
  for (std::size_t r : watches) {
    line(out, 4, "let mut " + guard_[r] + " = ends." + guard_[r] + ".take().expect(\"a watcher\");",
         "this task's Receiver of " + sc_.resources[r].name);
  }
  block(program, 0, program.size(), 4, ctx, out);
  std::string text;
  for (const auto& l : out) text += l + "\n";
  return text;
}

}  // namespace wakecheck::exporters::rust
