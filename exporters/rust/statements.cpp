// The exporter's translation of expressions and statements: each primitive's operation as the
// tokio code that does it, and the if/while structure rebuilt from the compiled jumps.
#include <algorithm>
#include <set>

#include "exporters/rust/exporter.hpp"
#include "exporters/rust/text.hpp"

namespace wakecheck::exporters::rust {

Exporter::Code Exporter::expr_node(const model::Expr& e, std::int32_t i, const Ctx& ctx) const {
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

bool Exporter::is_bit(const model::Expr& e, std::int32_t i) {
  const auto& node = e.nodes[static_cast<std::size_t>(i)];
  return node.op == model::ExprOp::kConst && (node.value == 0 || node.value == 1);
}

Exporter::Code Exporter::as_bool(const model::Expr& e, std::int32_t i, const Ctx& ctx) const {
  const auto& node = e.nodes[static_cast<std::size_t>(i)];
  if (node.op == model::ExprOp::kConst)
    return {node.value != 0 ? "true" : "false", Ty::kBool, true};
  const Code c = expr_node(e, i, ctx);
  if (c.ty == Ty::kBool) return c;
  return {paren(c) + " != 0", Ty::kBool, false};
}

Exporter::Code Exporter::as_int(const model::Expr& e, std::int32_t i, const Ctx& ctx) const {
  const Code c = expr_node(e, i, ctx);
  if (c.ty == Ty::kInt) return c;
  return {"i32::from(" + c.text + ")", Ty::kInt, true};
}

std::int32_t Exporter::root(const model::Expr& e) const {
  return static_cast<std::int32_t>(e.nodes.size()) - 1;
}

std::string Exporter::condition(std::size_t expr, const Ctx& ctx) const {
  const auto& e = sc_.exprs[expr];
  return as_bool(e, root(e), ctx).text;
}

void Exporter::line(Lines& out, std::size_t indent, const std::string& code,
          const std::string& comment) const {
  out.push_back(std::string(indent, ' ') + with_comment(code, comment, indent));
}

std::string Exporter::source(const Op& op, const Ctx& ctx) const {
  if (op.kind == OpKind::kAssign) return var_source(op.a, ctx) + " = " + sc_.exprs[op.b].text;
  const bool guard_op =
      op.kind == OpKind::kLock || op.kind == OpKind::kUnlock || op.kind == OpKind::kTryLock;
  std::string text = guard_op ? guard_words(op) : model::describe_op(sc_, op);
  if (op.kind == OpKind::kTryLock && op.b != 0) text = var_source(op.b - 1U, ctx) + " = " + text;
  return text;
}

std::string Exporter::guard_words(const Op& op) const {
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

void Exporter::block(const std::vector<Op>& prog, std::size_t begin, std::size_t end, std::size_t indent,
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
      case OpKind::kSelectBranches:
        pc = select_branches(prog, pc, indent, ctx, out);
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

std::pair<Exporter::Shape, std::size_t> Exporter::shape(const std::vector<Op>& prog, std::size_t pc) const {
  const std::size_t target = prog[pc].b;
  const bool body = target > pc + 1 && target - 1 < prog.size();
  if (body && prog[target - 1].kind == OpKind::kJump && prog[target - 1].b == pc)
    return {Shape::kWhile, target};
  if (body && prog[target - 1].kind == OpKind::kJump && prog[target - 1].b >= target) {
    return {Shape::kIfElse, prog[target - 1].b};
  }
  return {Shape::kIf, target};
}

std::size_t Exporter::conditional(const std::vector<Op>& prog, std::size_t pc, std::size_t indent,
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

Exporter::SelectFuture Exporter::select_future(const Op& op) const {
  const std::string r = resource_[op.a];
  const std::string g = guard_[op.a];
  const auto kind = sc_.resources[op.a].kind;
  if (kind == ResourceKind::kRwLock && (op.b & model::kSelectWrite) != 0) {
    return {r + ".write()", "tokio::sync::RwLockWriteGuard<'_, ()>", "acquired", g + ".write(acquired);"};
  }
  if (kind == ResourceKind::kRwLock) {
    return {r + ".read()", "tokio::sync::RwLockReadGuard<'_, ()>", "acquired", g + ".read(acquired);"};
  }
  if (kind == ResourceKind::kMpsc) {
    return {r + ".send(())", "Result<(), tokio::sync::mpsc::error::SendError<()>>", "_sent", ""};
  }
  if (kind == ResourceKind::kNotify) return {r + ".notified()", "()", "_", ""};
  if (kind == ResourceKind::kSemaphore) {
    // Err(Closed) does not match the pattern: it disables the branch.
    return {r + ".acquire()", "Result<tokio::sync::SemaphorePermit<'_>, tokio::sync::AcquireError>", "Ok(acquired)",
            g + ".add(acquired, 1);"};
  }
  return {r + ".lock()", "MutexGuard<'_, ()>", "acquired", g + " = Some(acquired);"};
}

void Exporter::statement(const Op& op, std::size_t indent, const Ctx& ctx, Lines& out) const {
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
    case OpKind::kEnable:
      line(out, indent, "if let Some(fut) = " + created_[op.a] + ".as_mut() {",
           src + ": in the waiter list now, with no waker");
      line(out, indent + 4, "fut.as_mut().enable();");
      line(out, indent, "}");
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
    case OpKind::kPut: {
      const auto kind = sc_.resources[op.a].kind;
      if (kind == ResourceKind::kOneshot) {
        line(out, indent, "if let Some(tx) = " + r + ".take() {", src + ": the value is stored; the Sender is gone");
        line(out, indent + 4, "let _ = tx.send(());");
        line(out, indent, "}");
      } else if (kind == ResourceKind::kWatch) {
        line(out, indent, "let _ = " + r + ".send(());", src + ": a new version; changed() waiters wake");
      } else {
        line(out, indent, "let _ = " + r + ".send(());", src + ": never waits");
      }
      return;
    }
    case OpKind::kRecv:
    case OpKind::kChanged: {
      const auto kind = sc_.resources[op.a].kind;
      const std::string call = op.kind == OpKind::kChanged      ? g + ".changed().await.is_ok()"
                               : kind == ResourceKind::kOneshot ? "(&mut " + g + ").await.is_ok()"
                                                                : g + ".recv().await.is_some()";
      const std::string what = op.kind == OpKind::kChanged      ? ": a version not seen yet, or Err once the Sender is gone"
                               : kind == ResourceKind::kOneshot ? ": the value, or Err once the Sender is dropped unsent"
                               : kind == ResourceKind::kMpsc    ? ": a message (its slot goes back), or None once closed"
                                                                : ": a message, or None once closed";
      if (op.b == 0) {
        const std::string bare = call.substr(0, call.rfind('.'));  // the result is not looked at
        line(out, indent, (op.kind == OpKind::kRecv && kind != ResourceKind::kOneshot ? "" : "let _ = ") + bare + ";",
             src + what);
        return;
      }
      const std::size_t v = op.b - 1U;
      line(out, indent, "let ok = " + call + ";", src + what);
      line(out, indent, var_ref(v, ctx) + ".store(" + (sc_.variables[v].boolean ? "ok" : "i32::from(ok)") + ", SeqCst);");
      return;
    }
    case OpKind::kGetOrInit:
      line(out, indent, r + ".get_or_init(|| async { " + sleep_future(0, ctx) + ".await }).await;",
           src + " (the initializer sleeps)");
      return;
    case OpKind::kSelect: {
      // select! { [biased;] g = &mut fut => .., _ = sleep(d) | ready(()) => .. }: the branch
      // futures are dropped before the handler runs, but `fut` is only borrowed, so it outlives
      // the select.
      const bool keep = (op.b & model::kSelectKeep) != 0;
      const bool biased = (op.b & model::kSelectUnbiased) == 0;
      const bool ready = (op.b & model::kSelectReady) != 0;
      const SelectFuture f = select_future(op);
      line(out, indent, "{", src);
      const std::string type = "std::pin::Pin<Box<dyn std::future::Future<Output = " + f.output + "> + Send + '_>>";
      if (ctx.kept_lock) {
        // The model's select polls the future a select kept before, if any (its node stays queued).
        line(out, indent + 4, "let mut fut: " + type + " = match kept.take() {");
        line(out, indent + 8, "Some(kept_fut) => kept_fut,", "the lock future kept by an earlier select!, polled again");
        line(out, indent + 8, "None => Box::pin(" + f.call + "),");
        line(out, indent + 4, "};");
      } else {
        line(out, indent + 4, "let mut fut: " + type + " = Box::pin(" + f.call + ");");
      }
      line(out, indent + 4, "let won: i32;");
      // The other branch's future; forced, a sleep is made where the select! first polls it: the
      // model registers it then.
      const std::string other = ready    ? std::string("std::future::ready(())")
                                : forced_ ? "async { " + sleep_future(op.ticks, ctx) + ".await }"
                                          : sleep_future(op.ticks, ctx);
      if (forced_ && !biased) {
        // tokio::select! without `biased;`, each poll starting where the trace's poll starts.
        line(out, indent + 4, "let other = " + other + ";");
        line(out, indent + 4, "tokio::pin!(other);");
        line(out, indent + 4, "let mut fut_disabled = false;", "a pattern that does not match disables the branch");
        Lines lock_arm{"if !fut_disabled {",
                       "    if let Poll::Ready(out) = fut.as_mut().poll(cx) {",
                       "        #[allow(irrefutable_let_patterns)]",
                       "        if let " + f.pattern + " = out {"};
        if (!f.take.empty()) lock_arm.push_back("            " + f.take);
        lock_arm.insert(lock_arm.end(), {"            return Poll::Ready(0);", "        }", "        fut_disabled = true;",
                                         "    }", "}"});
        const Lines other_arm{"if other.as_mut().poll(cx).is_ready() {", "    return Poll::Ready(1);", "}"};
        line(out, indent + 4, "won = {");
        forced_select(indent + 8, ctx, {lock_arm, other_arm}, out);
        line(out, indent + 4, "};");
      } else {
        select_head(indent + 4, biased, out);
        line(out, indent + 8, f.pattern + " = &mut fut => { " + f.take + " won = 0; }");
        line(out, indent + 8, "_ = " + other + " => { won = 1; }");
        line(out, indent + 4, "}");
      }
      if (keep) {
        line(out, indent + 4, "if won == 1 { kept = Some(fut); }", "&mut fut: the lock future stays alive, unpolled");
      } else {
        line(out, indent + 4, "drop(fut);", "the losing lock future is dropped");
      }
      if (op.c != 0) line(out, indent + 4, var_ref(op.c - 1U, ctx) + ".store(won, SeqCst);");
      line(out, indent, "}");
      return;
    }
    case OpKind::kAwaitBranch:
      if (sc_.tasks[ctx.task].parent) {
        // A sibling's kept future, borrowed: put back alive if this branch is dropped first.
        line(out, indent, "if " + kept_slot(op.a) + ".is_some() {", src + ": (&mut " + sc_.tasks[op.a].name + ").await, borrowed");
        line(out, indent + 4, "let mut lent = Lent::new(&" + kept_static(op.a) + ");");
        line(out, indent + 4, "(&mut *lent).await;");
        line(out, indent + 4, "lent.value = None;", "finished: nothing to put back");
        line(out, indent, "}", "not alive (it won or was dropped): nothing to await");
        return;
      }
      line(out, indent, "if let Some(kept) = " + kept_slot(op.a) + ".take() {", src + ": (&mut " + sc_.tasks[op.a].name + ").await");
      line(out, indent + 4, "kept.await;");
      line(out, indent, "}", "not alive (it won or was dropped): nothing to await");
      return;
    case OpKind::kAwaitShared:
      // Its output is cloned to every awaiter: once it finished, an await is ready at once.
      line(out, indent, "if BRANCHES[" + task_const_[op.a] + " - FIRST_BRANCH].state() != \"done\" {",
           src + ": shared.clone().await");
      line(out, indent + 4, "clone_" + units_[unit_of_.at(op.a)].fn + "(&sh).await;");
      line(out, indent, "}");
      return;
    case OpKind::kDropBranch:
      line(out, indent, kept_slot(op.a) + " = None;", src + ": drop(" + sc_.tasks[op.a].name + ") gives back what it holds or was handed");
      return;
    case OpKind::kDropKept:
      if (ctx.kept_branches) {
        for (std::size_t c = 0; c < sc_.tasks.size(); ++c) {
          if (sc_.tasks[c].parent == ctx.task && sc_.tasks[c].kept) {
            line(out, indent, kept_slot(c) + " = None;", src + ": the kept " + sc_.tasks[c].name + " is dropped");
          }
        }
        return;
      }
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
      line(out, indent, sleep_future(op.ticks, ctx) + ".await;", src);
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

void Exporter::guard_scope(const std::vector<Op>& prog, std::size_t begin, std::size_t close,
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

void Exporter::nested_future(const std::vector<Op>& prog, std::size_t begin, std::size_t close,
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
      if (forced_) {
        line(out, indent, "let kept = tokio::time::timeout_at(forced_at(&FORCED_DEADLINES, &DEADLINES_TAKEN, " +
                              task_ref(ctx.task, ctx) + "), async {",
             what + ": its deadline as the trace has it");
      } else if (fut.after != 0) {
        line(out, indent, "let kept = tokio::time::timeout(" + sleep_duration(fut.after) + ", async {",
             what + ": " + std::to_string(fut.after) + " ticks");
      } else {
        line(out, indent, "let kept = tokio::time::timeout(TIMEOUT, async {", what + ": longer than every sleep");
      }
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

void Exporter::end_task_if_returned(std::size_t indent, const Ctx& ctx, const char* why, Lines& out) const {
  line(out, indent, "if returned {", why);
  if (ctx.in_guard) line(out, indent + 4, "guard.disarm();");
  line(out, indent + 4, ctx.in_region && ctx.region_returns ? "return true;" : "return;");
  line(out, indent, "}");
}

}  // namespace wakecheck::exporters::rust
