// The loader's compiling of programs: blocks, compound statements (if, while, on_drop, nested
// futures, select!, hand_lock) and combinators, with the futures and branches they declare.

#include <set>
#include <sstream>

#include "model/limits.hpp"
#include "properties/builtins.hpp"
#include "properties/input_error.hpp"
#include "properties/limits.hpp"
#include "properties/loader.hpp"
#include "properties/statement_keys.hpp"

namespace wakecheck::properties::loading {

void Loader::collect_futures(const json& program, const std::string& at, model::Scenario& sc, std::size_t task) {
  if (!program.is_array()) return;  // reported when the program is compiled
  for (std::size_t i = 0; i < program.size(); ++i) {
    const json& st = program[i];
    const std::string p = at + "/" + std::to_string(i);
    if (!st.is_object()) continue;
    if (st.contains("future")) {
      model::FutureSpec f;
      f.name = sc.tasks[task].name + "." + name(st["future"], p + "/future");
      f.task = task;
      if (!st.contains("wrapper")) in_.fail(p, "missing required key 'wrapper'");
      f.wrapper = parse_wrapper(st["wrapper"], p + "/wrapper");
      if (sc.find_future(f.name)) in_.fail(p + "/future", "duplicate future name '" + f.name + "'");
      if (sc.futures.size() >= model::kMaxFutures) {
        in_.fail(p, "at most " + std::to_string(model::kMaxFutures) + " futures (tasks and nested) are supported");
      }
      sc.futures.push_back(f);
    }
    for (const auto& k : kStatementKeys) {
      if (k.nesting == Nesting::kBlock && st.contains(k.key))
        collect_futures(st[k.key], p + "/" + k.key, sc, task);
    }
  }
}

void Loader::collect_children(const json& program, const std::string& at, model::Scenario& sc, std::size_t task,
                      const std::string& copy, std::vector<model::Wrapper>& wrappers) {
  if (!program.is_array()) return;
  for (std::size_t i = 0; i < program.size(); ++i) {
    const json& st = program[i];
    const std::string p = at + "/" + std::to_string(i);
    if (!st.is_object()) continue;
    for (const auto& [key, nesting, child_kind] : kStatementKeys) {
      if (!child_kind || !st.contains(key)) continue;
      const OpKind kind = *child_kind;
      const bool select = kind == OpKind::kSelectBranches;
      if (select && !select_over_futures(st)) continue;
      const std::string bp = p + "/" + key;
      const json& branches = in_.array(st[key], bp);
      if (branches.empty()) in_.fail(bp, "expected at least one branch");
      for (std::size_t b = 0; b < branches.size(); ++b) {
        const std::string at_b = bp + "/" + std::to_string(b);
        if (select) {
          in_.expect_object(branches[b], at_b, {"name", "wrapper", "keep", "if", "do"}, {"name", "do"});
        } else {
          in_.expect_object(branches[b], at_b, {"name", "wrapper", "do"}, {"name", "do"});
        }
        model::TaskSpec spec;
        spec.name = name(branches[b]["name"], at_b + "/name") + copy;
        spec.group = spec.name;
        spec.parent = task;
        spec.combinator = kind;
        spec.ordered = std::string(key) == "ordered";
        if (select && branches[b].contains("keep")) spec.kept = in_.boolean(branches[b]["keep"], at_b + "/keep");
        if (sc.find_task(spec.name) || resolve_tasks(sc, spec.name)) {
          in_.fail(at_b + "/name", "name '" + spec.name + "' is used twice (branches are named like tasks)");
        }
        if (sc.tasks.size() >= model::kMaxTasks) {
          in_.fail(at_b, "at most " + std::to_string(model::kMaxTasks) +
                             " tasks and branches in all (main included, copies counted)");
        }
        model::Wrapper w = model::Wrapper::kNone;
        if (branches[b].contains("wrapper")) w = parse_wrapper(branches[b]["wrapper"], at_b + "/wrapper");
        if (w == model::Wrapper::kTimeout) {
          in_.fail(at_b + "/wrapper", "a timeout wraps a nested future ({\"future\": ..., \"wrapper\": \"timeout\"}), not a branch");
        }
        branch_name_[sc.tasks.size()] = branches[b]["name"].get<std::string>();
        if (b == 0) first_child_[std::to_string(task) + p] = sc.tasks.size();
        child_at_.emplace_back(at_b, sc.tasks.size());
        child_json_[at_b] = &branches[b]["do"];
        sc.tasks.push_back(spec);
        wrappers.push_back(w);
      }
    }
    for (const auto& k : kStatementKeys) {
      if (k.nesting == Nesting::kBlock && st.contains(k.key))
        collect_children(st[k.key], p + "/" + k.key, sc, task, copy, wrappers);
    }
  }
}

void Loader::block(const json& value, const std::string& at, model::Scenario& sc, std::size_t task,
           const Context& ctx, std::vector<Op>& out) {
  const json& list = in_.array(value, at);
  if (ctx.depth >= kMaxProgramDepth) {
    in_.fail(at, "blocks of statements nested more than " + std::to_string(kMaxProgramDepth) + " levels deep");
  }
  Context inner = ctx;
  ++inner.depth;
  for (std::size_t i = 0; i < list.size(); ++i) statement(list[i], at + "/" + std::to_string(i), sc, task, inner, out);
}

std::uint8_t Loader::expression(const std::string& text, const std::string& at, std::size_t offset,
                        model::Scenario& sc, std::size_t task) {
  model::ExprScope scope;
  scope.scenario = &sc;
  scope.task = task;
  scope.allow_state_atoms = false;
  auto expr = parse_bounded(text, scope, at, offset);
  if (sc.exprs.size() >= model::kMaxExprs) in_.fail(at, "too many expressions in the programs");
  sc.exprs.push_back(std::move(expr));
  return static_cast<std::uint8_t>(sc.exprs.size() - 1);
}

void Loader::statement(const json& st, const std::string& at, model::Scenario& sc, std::size_t task,
               const Context& ctx, std::vector<Op>& out) {
  if (st.is_string()) {
    simple(st.get<std::string>(), at, sc, task, ctx, out);
    return;
  }
  if (!st.is_object()) {
    in_.fail(at, "expected a statement (a string such as \"lock m\", or an object with 'if', 'while', "
                 "'on_drop' or 'future'), found " + JsonReader::type_name(st));
  }
  if (ctx.in_shared) {
    for (const char* key : {"select", "select_all", "join", "unordered", "ordered", "hand_lock", "block_in_place", "block_on", "future"}) {
      if (st.contains(key)) {
        in_.fail(at + "/" + key, std::string("a shared future's body cannot hold '") + key +
                                     "' (give the work its own task, or await the shared future from a branch)");
      }
    }
  }
  if (st.contains("if")) {
    in_.expect_object(st, at, {"if", "then", "else"}, {"if", "then"});
    const std::string& cond = in_.string(st["if"], at + "/if");
    const std::uint8_t e = expression(cond, at + "/if", 0, sc, task);
    const std::size_t test = out.size();
    out.push_back({OpKind::kJumpUnless, e, 0});
    block(st["then"], at + "/then", sc, task, ctx, out);
    if (st.contains("else")) {
      const std::size_t skip = out.size();
      out.push_back({OpKind::kJump, 0, 0});
      out[test].b = pc_of(out);
      block(st["else"], at + "/else", sc, task, ctx, out);
      out[skip].b = pc_of(out);
    } else {
      out[test].b = pc_of(out);
    }
    return;
  }
  if (st.contains("while")) {
    in_.expect_object(st, at, {"while", "do"}, {"while", "do"});
    if (ctx.in_handler) in_.fail(at + "/while", "an on_drop handler cannot loop");
    const std::size_t top = out.size();
    const std::string& cond = in_.string(st["while"], at + "/while");
    const std::uint8_t e = expression(cond, at + "/while", 0, sc, task);
    out.push_back({OpKind::kJumpUnless, e, 0});
    block(st["do"], at + "/do", sc, task, ctx, out);
    out.push_back({OpKind::kJump, 0, static_cast<std::uint8_t>(top)});
    out[top].b = pc_of(out);
    return;
  }
  if (st.contains("on_drop")) {
    in_.expect_object(st, at, {"on_drop", "do"}, {"on_drop", "do"});
    if (ctx.in_handler) in_.fail(at, "an on_drop handler cannot contain another");
    if (ctx.in_guard) in_.fail(at, "on_drop scopes do not nest");
    std::vector<Op> handler;
    Context handler_ctx = ctx;
    handler_ctx.in_handler = true;
    block(st["on_drop"], at + "/on_drop", sc, task, handler_ctx, handler);
    compiled(handler, Owner{sc.handlers.size(), true});
    sc.handlers.push_back(std::move(handler));
    const auto h = static_cast<std::uint8_t>(sc.handlers.size() - 1);
    out.push_back({OpKind::kGuardBegin, h, 0});
    Context inner = ctx;
    inner.in_guard = true;
    block(st["do"], at + "/do", sc, task, inner, out);
    out.push_back({OpKind::kGuardEnd, h, 0});
    return;
  }
  if (select_over_futures(st)) {
    combinator(st, at, "select", OpKind::kSelectBranches, sc, task, ctx, out);
    return;
  }
  if (st.contains("select")) {
    // select! { biased; _ = [&mut] lock => .., _ = sleep(..) => .. }: a lock branch polled
    // first, then a sleep branch; "keep" makes the lock branch a borrowed `&mut fut` that
    // stays alive when the sleep wins; "won" receives the winning branch's index.
    in_.expect_object(st, at, {"select", "biased", "won"}, {"select"});
    if (ctx.in_handler) in_.fail(at, "an on_drop handler cannot await a select");
    const json& branches = in_.array(st["select"], at + "/select");
    if (branches.size() != 2) {
      in_.fail(at + "/select", "expected two branches: a lock branch, then a sleep or ready branch");
    }
    const std::string b0 = at + "/select/0", b1 = at + "/select/1";
    in_.expect_object(branches[0], b0, {"await", "keep"}, {"await"});
    in_.expect_object(branches[1], b1, {"await"}, {"await"});
    const std::string& lock = in_.string(branches[0]["await"], b0 + "/await");
    // "lock R", "acquire S", "read L" or "write L", spaces around.
    const std::size_t verb_at = skip_spaces(lock, 0);
    const std::size_t verb_end = name_end(lock, verb_at);
    const std::string verb = lock.substr(verb_at, verb_end - verb_at);
    const std::size_t res_at = skip_spaces(lock, verb_end);
    const std::size_t res_end = name_end(lock, res_at);
    const bool rw = verb == "read" || verb == "write";
    if ((verb != "lock" && verb != "acquire" && verb != "send" && verb != "notified" && !rw) || res_at == verb_end ||
        res_end == res_at || skip_spaces(lock, res_end) != lock.size()) {
      in_.fail(b0 + "/await", "expected 'lock R', 'acquire S', 'read L', 'write L', 'send C' or 'notified N' as the first branch", 1);
    }
    const auto kinds = rw                    ? std::vector<model::ResourceKind>{model::ResourceKind::kRwLock}
                       : verb == "send"     ? std::vector<model::ResourceKind>{model::ResourceKind::kMpsc}
                       : verb == "notified" ? std::vector<model::ResourceKind>{model::ResourceKind::kNotify}
                                        : std::vector<model::ResourceKind>{model::ResourceKind::kTokioMutex, model::ResourceKind::kSemaphore};
    const std::uint8_t r = resource(lock.substr(res_at, res_end - res_at), b0 + "/await", res_at + 1, sc, kinds, verb);
    // "sleep", "sleep D" or "ready" (std::future::ready(()): ready whenever it is polled).
    const std::string& sleep = in_.string(branches[1]["await"], b1 + "/await");
    const bool ready = sleep.substr(skip_spaces(sleep, 0), name_end(sleep, skip_spaces(sleep, 0)) - skip_spaces(sleep, 0)) == "ready" &&
                       skip_spaces(sleep, name_end(sleep, skip_spaces(sleep, 0))) == sleep.size();
    const std::size_t sleep_at = skip_spaces(sleep, 0);
    const std::size_t sleep_end = name_end(sleep, sleep_at);
    const std::size_t ticks_at = skip_spaces(sleep, sleep_end);
    std::size_t ticks_end = ticks_at;
    while (ticks_end < sleep.size() && sleep[ticks_end] != ' ' && sleep[ticks_end] != '\t') ++ticks_end;
    if (!ready && (sleep.substr(sleep_at, sleep_end - sleep_at) != "sleep" || skip_spaces(sleep, ticks_end) != sleep.size() ||
                   (ticks_at != sleep.size() && ticks_at == sleep_end))) {
      in_.fail(b1 + "/await", "expected 'sleep', 'sleep D' (D ticks) or 'ready' as the second branch");
    }
    const std::uint8_t duration = ready || ticks_at == ticks_end
                                      ? std::uint8_t{0}
                                      : ticks(sleep.substr(ticks_at, ticks_end - ticks_at), b1 + "/await", ticks_at + 1);
    std::uint8_t keep = 0;
    if (branches[0].contains("keep")) keep = in_.boolean(branches[0]["keep"], b0 + "/keep") ? 1 : 0;
    const std::uint8_t won = won_variable(st, at, sc, task);
    if (st.contains("biased") && !in_.boolean(st["biased"], at + "/biased")) keep = static_cast<std::uint8_t>(keep | model::kSelectUnbiased);
    if (ready) keep = static_cast<std::uint8_t>(keep | model::kSelectReady);
    if (verb == "write") keep = static_cast<std::uint8_t>(keep | model::kSelectWrite);
    if (verb == "notified") {
      if ((keep & model::kSelectKeep) != 0) {
        in_.fail(b0 + "/keep", "a notified branch is a fresh notify.notified() on each select!; keep is for lock, acquire, read, write and send futures");
      }
      keep = static_cast<std::uint8_t>(keep | model::kSelectNotified);
    }
    out.push_back({OpKind::kSelect, r, keep, won, duration});
    return;
  }
  for (const auto& k : kStatementKeys) {
    if (k.combinator && *k.combinator != OpKind::kSelectBranches && st.contains(k.key)) {
      combinator(st, at, k.key, *k.combinator, sc, task, ctx, out);
      return;
    }
  }
  if (st.contains("hand_lock")) {
    // let mut f = Box::pin(m.lock_owned()); poll!(&mut f); tx.send(f): the receiver awaits it
    // with "await_lock m".
    in_.expect_object(st, at, {"hand_lock", "to"}, {"hand_lock", "to"});
    if (ctx.in_handler) in_.fail(at, "an on_drop handler cannot poll a lock future");
    const std::string& res = in_.string(st["hand_lock"], at + "/hand_lock");
    const std::uint8_t r = resource(res, at + "/hand_lock", 1, sc, {model::ResourceKind::kTokioMutex}, "hand_lock");
    const std::string& to = in_.string(st["to"], at + "/to");
    const auto target = sc.find_task(to);
    if (!target) in_.fail(at + "/to", JsonReader::unknown("task", to, task_names(sc)));
    if (*target == task || *target == 0 || sc.tasks[*target].parent) {
      in_.fail(at + "/to", "the lock future goes to another spawned task (not itself, main or a branch)");
    }
    out.push_back({OpKind::kHandLock, r, static_cast<std::uint8_t>(*target), 0});
    return;
  }
  if (st.contains("block_in_place") || st.contains("block_on")) {
    // block_in_place(|| Handle::current().block_on(..)) hands the thread's core to another
    // thread; futures::executor::block_on(..) (op a = 1) keeps it: the thread runs nothing else.
    const bool keeps_core = st.contains("block_on");
    const std::string key = keeps_core ? "block_on" : "block_in_place";
    in_.expect_object(st, at, {key}, {key});
    if (ctx.in_handler) in_.fail(at, "an on_drop handler cannot block");
    if (ctx.in_block) in_.fail(at, key + " does not nest (one blocking call at a time)");
    if (!keeps_core && sc.flavor != model::Flavor::kMultiThread) {
      in_.fail_key(at + "/block_in_place", "block_in_place needs the multi_thread runtime (on current_thread tokio panics)");
    }
    const auto& program = sc.tasks[task].program;
    const std::uint8_t kind = keeps_core ? 1 : 0;
    const auto other_kind = [&](const model::Op& o) { return o.kind == OpKind::kBlockBegin && o.a != kind; };
    if (std::any_of(out.begin(), out.end(), other_kind) || std::any_of(program.begin(), program.end(), other_kind)) {
      in_.fail(at, "a task uses block_in_place or block_on, not both");
    }
    out.push_back({OpKind::kBlockBegin, kind, 0});
    Context inner = ctx;
    inner.in_block = true;
    block(st[key], at + "/" + key, sc, task, inner, out);
    out.push_back({OpKind::kBlockEnd, kind, 0});
    return;
  }
  if (st.contains("future")) {
    in_.expect_object(st, at, {"future", "wrapper", "cancelled", "after", "do"}, {"future", "wrapper", "do"});
    if (ctx.in_handler) in_.fail(at, "an on_drop handler cannot contain a future");
    if (ctx.in_future) in_.fail(at, "wrapped futures do not nest");
    const std::string full = sc.tasks[task].name + "." + st["future"].get<std::string>();
    const std::size_t f = *sc.find_future(full);
    if (st.contains("cancelled")) {
      const std::string& var = in_.string(st["cancelled"], at + "/cancelled");
      auto v = sc.find_variable(var, task);
      if (!v) v = sc.find_variable(var);
      if (!v) in_.fail(at + "/cancelled", JsonReader::unknown("variable", var, variable_names(sc, task)));
      sc.futures[f].cancelled_variable = *v;
    }
    if (st.contains("after")) {
      // tokio::time::timeout(D ticks, ..): the deadline comes in deadline order with the sleeps.
      if (sc.futures[f].wrapper != model::Wrapper::kTimeout) {
        in_.fail(at + "/after", "'after' is a timeout's duration; this future's wrapper is not \"timeout\"");
      }
      const json& after = st["after"];
      if (!after.is_number_integer() || after.get<std::int64_t>() < 1 || after.get<std::int64_t>() > 255) {
        in_.fail(at + "/after", "expected a duration in ticks from 1 to 255, found " +
                                    (after.is_number_integer() ? std::to_string(after.get<std::int64_t>()) : JsonReader::type_name(after)));
      }
      sc.futures[f].after = static_cast<std::uint8_t>(after.get<std::int64_t>());
    }
    const std::size_t begin = out.size();
    out.push_back({OpKind::kWrapBegin, static_cast<std::uint8_t>(f), 0});
    Context inner = ctx;
    inner.in_future = true;
    block(st["do"], at + "/do", sc, task, inner, out);
    out.push_back({OpKind::kWrapEnd, static_cast<std::uint8_t>(f), 0});
    out[begin].b = pc_of(out);
    sc.futures[f].end = out.size();
    return;
  }
  std::vector<std::string> keys;
  for (const auto& [key, member] : st.items()) {
    (void)member;
    keys.push_back(key);
  }
  in_.fail_key(at + "/" + JsonReader::escape_token(keys.empty() ? "" : keys.front()),
               keys.empty() ? "an empty statement" : JsonReader::unknown("statement", keys.front(), {"if", "while", "on_drop", "future", "select", "join", "unordered", "ordered", "select_all", "block_in_place", "block_on", "hand_lock"}, true));
}

std::uint8_t Loader::won_variable(const json& st, const std::string& at, const model::Scenario& sc, std::size_t task) {
  if (!st.contains("won")) return 0;
  const std::string& var = in_.string(st["won"], at + "/won");
  auto v = sc.find_variable(var, task);
  if (!v) v = sc.find_variable(var);
  if (!v) in_.fail(at + "/won", JsonReader::unknown("variable", var, variable_names(sc, task)));
  return static_cast<std::uint8_t>(*v + 1);
}

void Loader::combinator(const json& st, const std::string& at, const char* key, OpKind kind, model::Scenario& sc,
                std::size_t task, const Context& ctx, std::vector<Op>& out) {
  if (kind == OpKind::kJoinAll) in_.expect_object(st, at, {"join"}, {"join"});
  if (kind == OpKind::kNextChild) in_.expect_object(st, at, {key, "limit", "each"}, {key, "each"});
  if (kind == OpKind::kSelectAll) in_.expect_object(st, at, {"select_all", "rest"}, {"select_all"});
  if (kind == OpKind::kSelectBranches) in_.expect_object(st, at, {"select", "biased", "won", "else"}, {"select"});
  if (ctx.in_handler) in_.fail(at, "an on_drop handler cannot await a " + std::string(key));
  if (ctx.in_branch || sc.tasks[task].parent) in_.fail(at, std::string(key) + " inside a branch: combinators do not nest");
  const std::string bp = at + "/" + key;
  const json& branches = st[key];
  const auto first = static_cast<std::uint8_t>(first_child_.at(std::to_string(task) + at));
  const auto count = static_cast<std::uint8_t>(branches.size());
  for (std::size_t b = 0; b < branches.size(); ++b) {
    const std::size_t child = first + b;
    Context inner;
    inner.in_branch = true;
    inner.depth = ctx.depth;
    std::vector<Op> program;
    block(branches[b]["do"], bp + "/" + std::to_string(b) + "/do", sc, child, inner, program);
    if (program.size() > model::kMaxProgram) {
      in_.fail(bp + "/" + std::to_string(b) + "/do", "the branch compiles to more than " + std::to_string(model::kMaxProgram) + " operations");
    }
    compiled(program, Owner{child, false});
    sc.tasks[child].program = std::move(program);
  }
  if (kind == OpKind::kJoinAll) {
    out.push_back({OpKind::kJoinAll, first, count, 0});
    return;
  }
  if (kind == OpKind::kSelectBranches) {
    const std::uint8_t won = won_variable(st, at, sc, task);
    if (won != 0) {
      const auto& var = sc.variables[won - 1U];
      if (var.boolean ? count > 2 : (var.min > 0 || var.max < count - 1)) {
        in_.fail(at + "/won", "'" + var.name + "' cannot hold every branch index (0 to " + std::to_string(count - 1) + ")");
      }
    }
    Op op{OpKind::kSelectBranches, first, count, won};
    if (st.contains("biased") && !in_.boolean(st["biased"], at + "/biased")) op.flags = model::kSelectUnbiased;
    // `_ = fut, if cond => ..`: a precondition in the task's scope, evaluated when the select! starts.
    for (std::size_t b = 0; b < branches.size(); ++b) {
      const std::string at_b = bp + "/" + std::to_string(b);
      if (!branches[b].contains("if")) continue;
      if (b >= 8) in_.fail(at_b + "/if", "only the first 8 branches of a select! may have a precondition");
      const std::string& cond = in_.string(branches[b]["if"], at_b + "/if");
      sc.tasks[first + b].precondition = expression(cond, at_b + "/if", 0, sc, task);
    }
    if (!st.contains("else")) {
      out.push_back(op);
      return;
    }
    // `else => { .. }`: runs when every branch is disabled; a won select! jumps past it.
    op.flags = static_cast<std::uint8_t>(op.flags | model::kSelectElse);
    const std::size_t at_op = out.size();
    out.push_back(op);
    block(st["else"], at + "/else", sc, task, ctx, out);
    out[at_op].ticks = pc_of(out);
    return;
  }
  if (kind == OpKind::kSelectAll) {
    std::uint8_t keep = 0;
    if (st.contains("rest")) keep = in_.choice(st["rest"], at + "/rest", "rest", {"drop", "keep"}) == "keep" ? 1 : 0;
    out.push_back({OpKind::kSelectAll, first, count, keep});
    return;
  }
  std::uint8_t limit = 0;
  if (st.contains("limit")) limit = static_cast<std::uint8_t>(in_.integer(st["limit"], at + "/limit", 1, count));
  const std::uint8_t ordered = std::string(key) == "ordered" ? model::kSetOrdered : 0;
  out.push_back({OpKind::kStartSet, first, count, limit, 0, ordered});
  const std::size_t top = out.size();
  out.push_back({OpKind::kNextChild, first, count, limit, 0, ordered});
  out.push_back({OpKind::kJump, 0, 0});
  block(st["each"], at + "/each", sc, task, ctx, out);
  out.push_back({OpKind::kJump, 0, static_cast<std::uint8_t>(top)});
  out[top + 1].b = pc_of(out);
}

}  // namespace wakecheck::properties::loading
