#include "properties/property_file.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <sstream>

#include "model/limits.hpp"
#include "properties/builtins.hpp"
#include "properties/hold_analysis.hpp"
#include "properties/input_error.hpp"
#include "properties/input_file.hpp"
#include "properties/json_reader.hpp"
#include "properties/limits.hpp"
#include "properties/schema_validator.hpp"
#include "properties/suggest.hpp"

namespace wakecheck::properties {

extern const char* const kPropertyFileSchema;  // properties/schema.json, embedded at build time

namespace {

using nlohmann::json;
using model::Op;
using model::OpKind;

struct TaskGroup {
  std::string name;
  std::size_t json_index = 0;  // where it is in scenario.tasks
  std::size_t first = 0;       // index of its first task in the scenario
  std::size_t copies = 1;
};

/// Where a statement is compiled: what it may contain.
struct Context {
  bool in_handler = false;  // an on_drop handler: synchronous operations only
  bool in_guard = false;    // inside an on_drop scope (they do not nest)
  bool in_future = false;   // inside a nested wrapped future (they do not nest)
  bool in_branch = false;   // a combinator's branch (combinators do not nest)
  bool in_block = false;    // inside block_in_place (it does not nest)
  std::size_t depth = 0;    // blocks around this one (the program itself: 0)
};

// --- small lexing, for statements and formulas (no std::regex on user text) ---------------------

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
bool is_word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; }

std::size_t skip_spaces(const std::string& text, std::size_t at) {
  while (at < text.size() && is_space(text[at])) ++at;
  return at;
}

/// The end of the name ([A-Za-z_][A-Za-z0-9_]*) starting at `at`, or `at` when none starts there.
std::size_t name_end(const std::string& text, std::size_t at) {
  if (at >= text.size() || std::isdigit(static_cast<unsigned char>(text[at])) != 0 || !is_word_char(text[at])) return at;
  while (at < text.size() && is_word_char(text[at])) ++at;
  return at;
}

/// "NAME = REST" (not "=="): the name's and the rest's offsets.
struct Assignment {
  std::size_t name_at = 0;
  std::size_t name_end = 0;
  std::size_t rest_at = 0;
};
std::optional<Assignment> split_assignment(const std::string& text) {
  Assignment a;
  a.name_at = skip_spaces(text, 0);
  a.name_end = name_end(text, a.name_at);
  if (a.name_end == a.name_at) return std::nullopt;
  const std::size_t eq = skip_spaces(text, a.name_end);
  if (eq >= text.size() || text[eq] != '=' || (eq + 1 < text.size() && text[eq + 1] == '=')) return std::nullopt;
  a.rest_at = skip_spaces(text, eq + 1);
  return a;
}

/// Where an expression nests deeper than the parser and evaluator may recurse: the offset and
/// what is wrong, checked on the text before it is parsed.
std::optional<std::pair<std::size_t, std::string>> expression_too_deep(const std::string& text) {
  std::size_t open = 0;
  std::size_t prefix = 0;
  bool operand_before = false;  // the previous token ends an operand (so '-' is binary)
  for (std::size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (is_space(c)) {
      ++i;
      continue;
    }
    if (is_word_char(c)) {
      const std::size_t start = i;
      while (i < text.size() && is_word_char(text[i])) ++i;
      const std::string word = text.substr(start, i - start);
      const bool nests = word == "not" || word == "implies" || word == "forall" || word == "exists";
      if (nests && ++prefix > kMaxExprPrefixOperators) {
        return std::pair{start, "more than " + std::to_string(kMaxExprPrefixOperators) +
                                    " 'not', unary '-', 'implies', 'forall' and 'exists' in one expression"};
      }
      operand_before = !nests && word != "and" && word != "or";
      continue;
    }
    if (c == '(') {
      if (++open > kMaxExprParentheses) {
        return std::pair{i, "more than " + std::to_string(kMaxExprParentheses) + " parentheses open at once"};
      }
    } else if (c == ')') {
      if (open > 0) --open;
    } else if (c == '-' && !operand_before) {
      if (++prefix > kMaxExprPrefixOperators) {
        return std::pair{i, "more than " + std::to_string(kMaxExprPrefixOperators) +
                                " 'not', unary '-', 'implies', 'forall' and 'exists' in one expression"};
      }
    }
    operand_before = c == ')';
    ++i;
  }
  return std::nullopt;
}

/// Levels of a parsed expression's tree (its nodes are in post-order: children come first).
std::size_t tree_depth(const model::Expr& expr) {
  std::vector<std::size_t> depth(expr.nodes.size(), 1);
  std::size_t deepest = 0;
  for (std::size_t i = 0; i < expr.nodes.size(); ++i) {
    for (const std::int32_t child : {expr.nodes[i].a, expr.nodes[i].b}) {
      if (child >= 0 && static_cast<std::size_t>(child) < i) {
        depth[i] = std::max(depth[i], depth[static_cast<std::size_t>(child)] + 1);
      }
    }
    deepest = std::max(deepest, depth[i]);
  }
  return deepest;
}

/// An expression error, with the near name for a misspelling.
std::string message_of(const model::ExprError& error) {
  if (error.unknown.empty()) return error.message;
  if (auto near = nearest_name(error.unknown, error.candidates)) {
    return error.message + "; did you mean '" + *near + "'?";
  }
  return error.message;
}

class Loader {
 public:
  Loader(const std::string& path, const std::string& text) : in_(path, text) {}

  PropertyFile load() {
    const json& root = in_.root();
    PropertyFile file;
    // The schema first: it rejects malformed structure. A string that fits no pattern or enum
    // (an operation, a formula, a property name) is left to the checks below, which say more
    // precisely what is wrong with it (a misspelt verb, an argument too many); should those
    // accept what the schema does not, the schema's error is reported after all.
    deferred_ = validate_against_schema(root, property_file_schema());
    if (deferred_ && !deferrable(deferred_->message)) report(*deferred_);
    in_.expect_object(root, "", {"$schema", "name", "description", "scenario", "checks"},
                      {"name", "scenario", "checks"});
    file.name = in_.string(root["name"], "/name");
    if (root.contains("description")) file.description = in_.string(root["description"], "/description");
    file.scenario = scenario(root["scenario"], "/scenario");
    file.scenario.name = file.name;
    file.checks = checks(root["checks"], "/checks", file.scenario);
    if (deferred_) report(*deferred_);
    return file;
  }

 private:
  static bool deferrable(const std::string& message) {
    return message.rfind("expected an operation", 0) == 0 || message.rfind("expected one of", 0) == 0 ||
           message.rfind("expected a formula", 0) == 0;
  }
  [[noreturn]] void report(const SchemaError& error) const {
    if (error.message.rfind("unknown key", 0) == 0) in_.fail_key(error.pointer, error.message);
    in_.fail(error.pointer, error.message);
  }

  // --- scenario --------------------------------------------------------------------------------

  model::Scenario scenario(const json& value, const std::string& at) {
    in_.expect_object(value, at, {"runtime", "tokio", "event_interval", "worker_threads", "resources", "variables", "tasks", "faults"},
                      {"runtime", "resources", "tasks"});
    model::Scenario sc;
    const auto runtime = in_.choice(value["runtime"], at + "/runtime", "runtime",
                                    {"current_thread", "multi_thread"});
    sc.flavor = runtime == "current_thread" ? model::Flavor::kCurrentThread : model::Flavor::kMultiThread;
    if (value.contains("tokio")) {
      const auto version = in_.choice(value["tokio"], at + "/tokio", "tokio version", {"1.24", "1.53"});
      sc.version = version == "1.24" ? model::TokioVersion::k1_24 : model::TokioVersion::k1_53;
    }
    if (value.contains("event_interval")) {
      sc.event_interval = static_cast<std::uint8_t>(in_.integer(value["event_interval"], at + "/event_interval", 1, 255));
    }
    if (value.contains("worker_threads")) {
      if (sc.flavor != model::Flavor::kMultiThread) {
        in_.fail_key(at + "/worker_threads", "worker_threads is for the multi_thread runtime");
      }
      sc.worker_threads = static_cast<std::uint8_t>(in_.integer(value["worker_threads"], at + "/worker_threads", 1, 1));
    }
    resources(value["resources"], at + "/resources", sc);
    if (value.contains("variables")) variables(value["variables"], at + "/variables", sc, std::nullopt);
    tasks(value["tasks"], at + "/tasks", sc);
    if (value.contains("faults")) faults(value["faults"], at + "/faults", sc);
    for (auto& budget : sc.faults) {
      budget.tasks.resize(sc.tasks.size(), false);
      budget.futures.resize(sc.futures.size(), false);
    }
    return sc;
  }

  std::string name(const json& value, const std::string& at) {
    const std::string& text = in_.string(value, at);
    if (text.empty()) in_.fail(at, "a name must not be empty");
    if (text.size() > kMaxNameBytes) {
      in_.fail(at, "a name of at most " + std::to_string(kMaxNameBytes) + " characters, found one of " +
                       std::to_string(text.size()));
    }
    const bool ok = std::all_of(text.begin(), text.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
    }) && std::isdigit(static_cast<unsigned char>(text[0])) == 0;
    if (!ok) in_.fail(at, "a name is letters, digits and '_', not starting with a digit; found '" + text + "'");
    static const std::set<std::string> reserved = {"true", "false", "and", "or", "not", "implies",
                                                   "forall", "exists", "always", "never",
                                                   "reachable", "eventually", "leads_to"};
    if (reserved.count(text) != 0) in_.fail(at, "'" + text + "' is a keyword and cannot be a name");
    return text;
  }

  void resources(const json& value, const std::string& at, model::Scenario& sc) {
    const json& list = in_.array(value, at);
    if (list.size() > model::kMaxResources) {
      in_.fail(at, "at most " + std::to_string(model::kMaxResources) + " resources are supported, found " +
                       std::to_string(list.size()));
    }
    for (std::size_t i = 0; i < list.size(); ++i) {
      const std::string p = at + "/" + std::to_string(i);
      in_.expect_object(list[i], p, {"name", "kind", "permits", "max_readers", "capacity"}, {"name", "kind"});
      model::ResourceSpec spec;
      spec.name = name(list[i]["name"], p + "/name");
      static const std::vector<std::pair<std::string, model::ResourceKind>> kinds = {
          {"tokio_mutex", model::ResourceKind::kTokioMutex}, {"std_mutex", model::ResourceKind::kStdMutex},
          {"notify", model::ResourceKind::kNotify},          {"semaphore", model::ResourceKind::kSemaphore},
          {"rwlock", model::ResourceKind::kRwLock},          {"mpsc", model::ResourceKind::kMpsc},
          {"barging_mutex", model::ResourceKind::kBargingMutex}, {"oncecell", model::ResourceKind::kOnceCell}};
      std::vector<std::string> kind_names;
      for (const auto& [n, k] : kinds) kind_names.push_back(n);
      const auto kind = in_.choice(list[i]["kind"], p + "/kind", "resource kind", kind_names);
      for (const auto& [n, k] : kinds) {
        if (n == kind) spec.kind = k;
      }
      // The size of the semaphore underneath: a semaphore's permits, a rwlock's max readers
      // (tokio's default is far above any scenario's tasks: 8 behaves the same here), a
      // channel's capacity.
      const std::pair<const char*, model::ResourceKind> sizes[] = {
          {"permits", model::ResourceKind::kSemaphore}, {"max_readers", model::ResourceKind::kRwLock},
          {"capacity", model::ResourceKind::kMpsc}};
      spec.permits = spec.kind == model::ResourceKind::kRwLock ? 8 : 1;
      for (const auto& [key, owner] : sizes) {
        if (!list[i].contains(key)) continue;
        if (spec.kind != owner) {
          in_.fail_key(p + "/" + key, std::string("'") + key + "' is for a " + model::to_string(owner) +
                                          ", and '" + spec.name + "' is a " + kind);
        }
        spec.permits = static_cast<std::uint8_t>(
            in_.integer(list[i][key], p + "/" + key, owner == model::ResourceKind::kSemaphore ? 0 : 1, 255));
      }
      if (spec.kind == model::ResourceKind::kMpsc && !list[i].contains("capacity")) {
        in_.fail(p, "missing required key 'capacity' (a bounded channel's slots)");
      }
      if (sc.find_resource(spec.name)) in_.fail(p + "/name", "duplicate resource name '" + spec.name + "'");
      sc.resources.push_back(spec);
    }
  }

  /// "variables": {"ready": false, "count": 0, "state": {"initial": 0, "min": 0, "max": 3}}
  void variables(const json& value, const std::string& at, model::Scenario& sc,
                 std::optional<std::size_t> task) {
    if (!value.is_object()) in_.fail(at, "expected an object of variables, found " + JsonReader::type_name(value));
    for (const auto& [key, spec_json] : value.items()) {
      const std::string p = at + "/" + JsonReader::escape_token(key);
      model::VariableSpec spec;
      spec.name = name(json(key), p);
      spec.task = task;
      if (sc.find_variable(spec.name, task)) in_.fail_key(p, "duplicate variable '" + key + "'");
      if (task && sc.find_variable(spec.name)) {
        // In the task's program the name would mean its own variable, silently, and a formula's
        // 'x' the shared one: one name for two variables is a mistake waiting to happen.
        in_.fail_key(p, "task variable '" + key + "' shadows the shared variable '" + key + "'; rename one of them");
      }
      if (spec_json.is_boolean()) {
        spec.boolean = true;
        spec.initial = spec_json.get<bool>() ? 1 : 0;
        spec.min = 0;
        spec.max = 1;
      } else if (spec_json.is_number()) {
        spec.initial = static_cast<std::int16_t>(in_.integer(spec_json, p, -128, 127));
        spec.min = -128;
        spec.max = 127;
      } else {
        in_.expect_object(spec_json, p, {"initial", "min", "max"}, {"initial"});
        if (spec_json["initial"].is_boolean()) in_.fail(p + "/initial", "a boolean needs no range: write the value");
        spec.min = static_cast<std::int16_t>(spec_json.contains("min") ? in_.integer(spec_json["min"], p + "/min", -32768, 32767) : -128);
        spec.max = static_cast<std::int16_t>(spec_json.contains("max") ? in_.integer(spec_json["max"], p + "/max", spec.min, 32767) : 127);
        spec.initial = static_cast<std::int16_t>(in_.integer(spec_json["initial"], p + "/initial", spec.min, spec.max));
      }
      if (sc.variables.size() >= model::kMaxVariables) {
        in_.fail(p, "at most " + std::to_string(model::kMaxVariables) +
                        " variables are supported (tasks' own counted per copy)");
      }
      sc.variables.push_back(spec);
    }
  }

  void tasks(const json& value, const std::string& at, model::Scenario& sc) {
    const json& list = in_.array(value, at);
    std::optional<std::size_t> main_at;
    for (std::size_t i = 0; i < list.size(); ++i) {
      const std::string p = at + "/" + std::to_string(i);
      in_.expect_object(list[i], p, {"name", "copies", "wrapper", "variables", "program"}, {"name", "program"});
      if (name(list[i]["name"], p + "/name") == "main") main_at = i;
    }
    if (!main_at) in_.fail(at, "missing the task named 'main' (the runtime's block_on future)");
    std::vector<std::size_t> order{*main_at};
    for (std::size_t i = 0; i < list.size(); ++i) {
      if (i != *main_at) order.push_back(i);
    }
    // First pass: names, copies, wrappers and own variables, so that programs may name any task.
    std::vector<model::Wrapper> wrappers;
    for (std::size_t i : order) {
      const std::string p = at + "/" + std::to_string(i);
      const json& task = list[i];
      TaskGroup group;
      group.name = task["name"].get<std::string>();
      group.json_index = i;
      for (const auto& other : groups_) {
        if (other.name == group.name) in_.fail(p + "/name", "duplicate task name '" + group.name + "'");
      }
      if (task.contains("copies")) {
        group.copies = static_cast<std::size_t>(in_.integer(task["copies"], p + "/copies", 1, model::kMaxTasks));
        if (group.name == "main" && group.copies != 1) in_.fail(p + "/copies", "main has exactly one copy");
      }
      model::Wrapper wrapper = model::Wrapper::kNone;
      if (task.contains("wrapper")) wrapper = parse_wrapper(task["wrapper"], p + "/wrapper");
      if (wrapper == model::Wrapper::kTimeout) {
        in_.fail(p + "/wrapper", "a timeout wraps a nested future ({\"future\": ..., \"wrapper\": \"timeout\"}), not a whole task");
      }
      if (group.name == "main" && wrapper != model::Wrapper::kNone) {
        in_.fail(p + "/wrapper", "main is the runtime's block_on future: it cannot be wrapped");
      }
      group.first = sc.tasks.size();
      if (sc.tasks.size() + group.copies > model::kMaxTasks) {
        in_.fail(p, "at most " + std::to_string(model::kMaxTasks) +
                        " tasks (main included, copies counted) are supported");
      }
      for (std::size_t c = 0; c < group.copies; ++c) {
        model::TaskSpec spec;
        spec.name = task.contains("copies") ? group.name + std::to_string(c) : group.name;
        spec.group = group.name;
        if (const auto clash = sc.find_task(spec.name)) {
          const auto& other = sc.tasks[*clash];
          in_.fail(p + "/name", "task name '" + spec.name + "' is used twice (once by " +
                                    (other.name == other.group ? std::string("a task")
                                                               : "a copy of '" + other.group + "'") + ")");
        }
        sc.tasks.push_back(spec);
        wrappers.push_back(wrapper);
        if (task.contains("variables")) variables(task["variables"], p + "/variables", sc, sc.tasks.size() - 1);
      }
      groups_.push_back(group);
    }
    // Branches of combinators (join!, FuturesUnordered, select_all) become child slots after
    // every task, so that a task's copies stay contiguous.
    for (const auto& group : groups_) {
      for (std::size_t c = 0; c < group.copies; ++c) {
        collect_children(list[group.json_index]["program"], at + "/" + std::to_string(group.json_index) + "/program",
                         sc, group.first + c, group.copies > 1 ? std::to_string(c) : "", wrappers);
      }
    }
    for (std::size_t t = 0; t < sc.tasks.size(); ++t) {
      model::FutureSpec own;
      own.name = sc.tasks[t].name;
      own.task = t;
      own.wrapper = wrappers[t];
      sc.futures.push_back(own);
    }
    // Nested futures, found before any program is compiled so that any program may pause them.
    for (const auto& group : groups_) {
      for (std::size_t c = 0; c < group.copies; ++c) {
        collect_futures(list[group.json_index]["program"], at + "/" + std::to_string(group.json_index) + "/program",
                        sc, group.first + c);
      }
    }
    for (const auto& [path, child] : child_at_) collect_futures(*child_json_.at(path), path + "/do", sc, child);
    // Second pass: programs, compiled per copy (each copy has its own variables and futures).
    for (const auto& group : groups_) {
      const std::string p = at + "/" + std::to_string(group.json_index) + "/program";
      for (std::size_t c = 0; c < group.copies; ++c) {
        const std::size_t t = group.first + c;
        std::vector<Op> program;
        block(list[group.json_index]["program"], p, sc, t, Context{}, program);
        if (program.size() > model::kMaxProgram) {
          in_.fail(p, "the program compiles to more than " + std::to_string(model::kMaxProgram) + " operations");
        }
        compiled(program, Owner{t, false});
        sc.tasks[t].program = std::move(program);
      }
    }
    check_unlocks(sc);
  }

  // --- unlocks of what the task does not hold -------------------------------------------------------

  /// A compiled program: a task's (or a branch's), or an on_drop handler.
  struct Owner {
    std::size_t index = 0;
    bool handler = false;
    bool operator==(const Owner&) const = default;
  };
  /// An unlock or std_unlock, where it was compiled and where it is written.
  struct UnlockSite {
    const std::vector<Op>* compiling = nullptr;  // while its program is being compiled
    std::optional<Owner> owner;                  // once that program is complete
    std::size_t pc = 0;
    std::string pointer;
    std::size_t column = 0;
    std::string text;
  };

  /// `program` is complete and belongs to `owner`: its unlock sites say so.
  void compiled(const std::vector<Op>& program, Owner owner) {
    for (auto& site : unlocks_) {
      if (!site.owner && site.compiling == &program) {
        site.owner = owner;
        site.compiling = nullptr;
      }
    }
  }

  /// An unlock that no path reaches while the task holds the resource releases nothing: the
  /// file means something else. (Whether one that some path reaches holds on every path is
  /// left to the run: the model then narrates "no guard held".)
  void check_unlocks(const model::Scenario& sc) {
    for (std::size_t t = 0; t < sc.tasks.size(); ++t) {
      const auto& program = sc.tasks[t].program;
      const auto at = may_hold(program, Holdings{});
      check_sites(Owner{t, false}, at, sc);
      for (std::size_t h = 0; h < sc.handlers.size(); ++h) {
        if (const auto entry = handler_entry(program, at, h)) check_sites(Owner{h, true}, may_hold(sc.handlers[h], *entry), sc);
      }
    }
  }

  void check_sites(Owner owner, const std::vector<std::optional<Holdings>>& at, const model::Scenario& sc) {
    const auto& program = owner.handler ? sc.handlers[owner.index] : sc.tasks[owner.index].program;
    for (const auto& site : unlocks_) {
      if (site.owner != owner || site.pc >= program.size()) continue;
      const std::size_t r = program[site.pc].a;
      if (at[site.pc] && (*at[site.pc])[r] > 0) continue;
      const std::string& res = sc.resources[r].name;
      const bool std_mutex = program[site.pc].kind == OpKind::kStdUnlock;
      in_.fail(site.pointer, "'" + site.text + "': the task never holds " + res + " here (no " +
                                 (std_mutex ? "std_lock" : "lock, try_lock or select") + " of " + res +
                                 " reaches this statement)",
               site.column);
    }
  }

  model::Wrapper parse_wrapper(const json& value, const std::string& at) {
    const auto w = in_.choice(value, at, "wrapper", {"none", "pausable", "drop_on_pause", "finish_item", "timeout"});
    return w == "pausable"        ? model::Wrapper::kPausable
           : w == "timeout"       ? model::Wrapper::kTimeout
           : w == "drop_on_pause" ? model::Wrapper::kDropOnPause
           : w == "finish_item"   ? model::Wrapper::kFinishItem
                                  : model::Wrapper::kNone;
  }

  void collect_futures(const json& program, const std::string& at, model::Scenario& sc, std::size_t task) {
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
      for (const char* key : kNestedBlocks) {
        if (st.contains(key)) collect_futures(st[key], p + "/" + key, sc, task);
      }
    }
  }

  /// The statement keys whose value is a block of the same task's program.
  static constexpr const char* kNestedBlocks[] = {"then", "else", "do", "each", "block_in_place"};

  /// The statement keys that hold a combinator's branches, with the child's kind.
  static constexpr std::pair<const char*, OpKind> kCombinators[] = {
      {"join", OpKind::kJoinAll}, {"unordered", OpKind::kNextChild}, {"select_all", OpKind::kSelectAll}};

  /// Creates a child slot for each branch of each combinator in `task`'s program. A branch is
  /// {"name": N, "wrapper"?: W, "do": [...]}; its slot is named N (N + copy for copies).
  void collect_children(const json& program, const std::string& at, model::Scenario& sc, std::size_t task,
                        const std::string& copy, std::vector<model::Wrapper>& wrappers) {
    if (!program.is_array()) return;
    for (std::size_t i = 0; i < program.size(); ++i) {
      const json& st = program[i];
      const std::string p = at + "/" + std::to_string(i);
      if (!st.is_object()) continue;
      for (const auto& [key, kind] : kCombinators) {
        if (!st.contains(key)) continue;
        const std::string bp = p + "/" + key;
        const json& branches = in_.array(st[key], bp);
        if (branches.empty()) in_.fail(bp, "expected at least one branch");
        for (std::size_t b = 0; b < branches.size(); ++b) {
          const std::string at_b = bp + "/" + std::to_string(b);
          in_.expect_object(branches[b], at_b, {"name", "wrapper", "do"}, {"name", "do"});
          model::TaskSpec spec;
          spec.name = name(branches[b]["name"], at_b + "/name") + copy;
          spec.group = spec.name;
          spec.parent = task;
          spec.combinator = kind;
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
          if (b == 0) first_child_[std::to_string(task) + p] = sc.tasks.size();
          child_at_.emplace_back(at_b, sc.tasks.size());
          child_json_[at_b] = &branches[b]["do"];
          sc.tasks.push_back(spec);
          wrappers.push_back(w);
        }
      }
      for (const char* key : kNestedBlocks) {
        if (st.contains(key)) collect_children(st[key], p + "/" + key, sc, task, copy, wrappers);
      }
    }
  }

  // --- programs ----------------------------------------------------------------------------------

  /// A list of statements, nested in `ctx.depth` blocks: checked before the recursion into it.
  void block(const json& value, const std::string& at, model::Scenario& sc, std::size_t task,
             const Context& ctx, std::vector<Op>& out) {
    const json& list = in_.array(value, at);
    if (ctx.depth >= kMaxProgramDepth) {
      in_.fail(at, "blocks of statements nested more than " + std::to_string(kMaxProgramDepth) + " levels deep");
    }
    Context inner = ctx;
    ++inner.depth;
    for (std::size_t i = 0; i < list.size(); ++i) statement(list[i], at + "/" + std::to_string(i), sc, task, inner, out);
  }

  static std::uint8_t pc_of(const std::vector<Op>& out) { return static_cast<std::uint8_t>(std::min<std::size_t>(out.size(), 255)); }

  std::uint8_t expression(const std::string& text, const std::string& at, std::size_t offset,
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

  void statement(const json& st, const std::string& at, model::Scenario& sc, std::size_t task,
                 const Context& ctx, std::vector<Op>& out) {
    if (st.is_string()) {
      simple(st.get<std::string>(), at, sc, task, ctx, out);
      return;
    }
    if (!st.is_object()) {
      in_.fail(at, "expected a statement (a string such as \"lock m\", or an object with 'if', 'while', "
                   "'on_drop' or 'future'), found " + JsonReader::type_name(st));
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
    if (st.contains("select")) {
      // select! { biased; _ = [&mut] lock => .., _ = sleep(..) => .. }: a lock branch polled
      // first, then a sleep branch; "keep" makes the lock branch a borrowed `&mut fut` that
      // stays alive when the sleep wins; "won" receives the winning branch's index.
      in_.expect_object(st, at, {"select", "biased", "won"}, {"select"});
      if (ctx.in_handler) in_.fail(at, "an on_drop handler cannot await a select");
      const json& branches = in_.array(st["select"], at + "/select");
      if (branches.size() != 2) in_.fail(at + "/select", "expected two branches: a lock branch, then a sleep branch");
      const std::string b0 = at + "/select/0", b1 = at + "/select/1";
      in_.expect_object(branches[0], b0, {"await", "keep"}, {"await"});
      in_.expect_object(branches[1], b1, {"await"}, {"await"});
      const std::string& lock = in_.string(branches[0]["await"], b0 + "/await");
      // "lock R" or "acquire S", spaces around.
      const std::size_t verb_at = skip_spaces(lock, 0);
      const std::size_t verb_end = name_end(lock, verb_at);
      const std::string verb = lock.substr(verb_at, verb_end - verb_at);
      const std::size_t res_at = skip_spaces(lock, verb_end);
      const std::size_t res_end = name_end(lock, res_at);
      if ((verb != "lock" && verb != "acquire") || res_at == verb_end || res_end == res_at ||
          skip_spaces(lock, res_end) != lock.size()) {
        in_.fail(b0 + "/await", "expected 'lock R' (or 'acquire S') as the first branch", 1);
      }
      const std::uint8_t r = resource(lock.substr(res_at, res_end - res_at), b0 + "/await", res_at + 1, sc,
                                      {model::ResourceKind::kTokioMutex, model::ResourceKind::kSemaphore}, verb);
      if (in_.string(branches[1]["await"], b1 + "/await") != "sleep") {
        in_.fail(b1 + "/await", "expected 'sleep' as the second branch");
      }
      std::uint8_t keep = 0;
      if (branches[0].contains("keep")) {
        if (!branches[0]["keep"].is_boolean()) in_.fail(b0 + "/keep", "expected true or false, found " + JsonReader::type_name(branches[0]["keep"]));
        keep = branches[0]["keep"].get<bool>() ? 1 : 0;
      }
      std::uint8_t won = 0;
      if (st.contains("won")) {
        const std::string& var = in_.string(st["won"], at + "/won");
        auto v = sc.find_variable(var, task);
        if (!v) v = sc.find_variable(var);
        if (!v) in_.fail(at + "/won", JsonReader::unknown("variable", var, variable_names(sc, task)));
        won = static_cast<std::uint8_t>(*v + 1);
      }
      if (st.contains("biased")) {
        if (!st["biased"].is_boolean()) in_.fail(at + "/biased", "expected true or false, found " + JsonReader::type_name(st["biased"]));
        if (!st["biased"].get<bool>()) keep = static_cast<std::uint8_t>(keep | 2U);
      }
      out.push_back({OpKind::kSelect, r, keep, won});
      return;
    }
    for (const auto& [key, kind] : kCombinators) {
      if (st.contains(key)) {
        combinator(st, at, key, kind, sc, task, ctx, out);
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
    if (st.contains("block_in_place")) {
      in_.expect_object(st, at, {"block_in_place"}, {"block_in_place"});
      if (ctx.in_handler) in_.fail(at, "an on_drop handler cannot block");
      if (ctx.in_block) in_.fail(at, "block_in_place does not nest");
      if (sc.flavor != model::Flavor::kMultiThread) {
        in_.fail_key(at + "/block_in_place", "block_in_place needs the multi_thread runtime (on current_thread tokio panics)");
      }
      out.push_back({OpKind::kBlockBegin, 0, 0});
      Context inner = ctx;
      inner.in_block = true;
      block(st["block_in_place"], at + "/block_in_place", sc, task, inner, out);
      out.push_back({OpKind::kBlockEnd, 0, 0});
      return;
    }
    if (st.contains("future")) {
      in_.expect_object(st, at, {"future", "wrapper", "cancelled", "do"}, {"future", "wrapper", "do"});
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
                 keys.empty() ? "an empty statement" : JsonReader::unknown("statement", keys.front(), {"if", "while", "on_drop", "future", "select", "join", "unordered", "select_all", "block_in_place", "hand_lock"}, true));
  }

  /// join! / FuturesUnordered (buffer_unordered) / select_all: the branches' programs go to their
  /// child slots; the task's program gets the combinator.
  void combinator(const json& st, const std::string& at, const char* key, OpKind kind, model::Scenario& sc,
                  std::size_t task, const Context& ctx, std::vector<Op>& out) {
    if (kind == OpKind::kJoinAll) in_.expect_object(st, at, {"join"}, {"join"});
    if (kind == OpKind::kNextChild) in_.expect_object(st, at, {"unordered", "limit", "each"}, {"unordered", "each"});
    if (kind == OpKind::kSelectAll) in_.expect_object(st, at, {"select_all", "rest"}, {"select_all"});
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
    if (kind == OpKind::kSelectAll) {
      std::uint8_t keep = 0;
      if (st.contains("rest")) keep = in_.choice(st["rest"], at + "/rest", "rest", {"drop", "keep"}) == "keep" ? 1 : 0;
      out.push_back({OpKind::kSelectAll, first, count, keep});
      return;
    }
    std::uint8_t limit = 0;
    if (st.contains("limit")) limit = static_cast<std::uint8_t>(in_.integer(st["limit"], at + "/limit", 1, count));
    out.push_back({OpKind::kStartSet, first, count, limit});
    const std::size_t top = out.size();
    out.push_back({OpKind::kNextChild, first, count, limit});
    out.push_back({OpKind::kJump, 0, 0});
    block(st["each"], at + "/each", sc, task, ctx, out);
    out.push_back({OpKind::kJump, 0, static_cast<std::uint8_t>(top)});
    out[top + 1].b = pc_of(out);
  }

  std::vector<std::string> variable_names(const model::Scenario& sc, std::size_t task) const {
    std::vector<std::string> names;
    for (const auto& v : sc.variables) {
      if (!v.task || *v.task == task) names.push_back(v.name);
    }
    return names;
  }

  std::vector<std::string> task_names(const model::Scenario& sc) const {
    std::vector<std::string> names;
    for (const auto& g : groups_) names.push_back(g.name);
    for (const auto& t : sc.tasks) {
      if (t.name != t.group) names.push_back(t.name);
    }
    return names;
  }

  /// The tasks a name denotes: one task, or every copy of a template.
  std::optional<std::vector<std::size_t>> resolve_tasks(const model::Scenario& sc, const std::string& n) const {
    if (const auto t = sc.find_task(n)) return std::vector<std::size_t>{*t};
    for (const auto& g : groups_) {
      if (g.name == n) {
        std::vector<std::size_t> all;
        for (std::size_t c = 0; c < g.copies; ++c) all.push_back(g.first + c);
        return all;
      }
    }
    return std::nullopt;
  }

  /// One statement written as a string: an operation ("lock m"), an assignment ("x = y + 1",
  /// "got = try_lock m") or "return".
  void simple(const std::string& text, const std::string& at, model::Scenario& sc, std::size_t task,
              const Context& ctx, std::vector<Op>& out, std::size_t base = 0) {
    if (const auto m = split_assignment(text)) {
      const std::string var = text.substr(m->name_at, m->name_end - m->name_at);
      const std::size_t rhs_at = m->rest_at;
      auto v = sc.find_variable(var, task);
      if (!v) v = sc.find_variable(var);
      if (!v) in_.fail(at, JsonReader::unknown("variable", var, variable_names(sc, task)), m->name_at + 1);
      const std::string rhs = text.substr(rhs_at);
      // "x = try_lock m" (or try_acquire, try_acquire_many S K, try_read, try_write): the
      // operation's result in a boolean.
      const std::size_t verb_end = name_end(rhs, 0);
      const std::string try_verb = rhs.substr(0, verb_end);
      const std::size_t res_at = skip_spaces(rhs, verb_end);
      const std::size_t res_end = name_end(rhs, res_at);
      std::size_t tail = skip_spaces(rhs, res_end);
      if (tail < rhs.size() && tail > res_end && std::isdigit(static_cast<unsigned char>(rhs[tail])) != 0) {
        while (tail < rhs.size() && std::isdigit(static_cast<unsigned char>(rhs[tail])) != 0) ++tail;
        tail = skip_spaces(rhs, tail);
      }
      const bool is_try = try_verb == "try_lock" || try_verb == "try_acquire" || try_verb == "try_acquire_many" ||
                          try_verb == "try_read" || try_verb == "try_write";
      if (is_try && res_at > verb_end && res_end > res_at && tail == rhs.size()) {
        if (!sc.variables[*v].boolean) {
          in_.fail(at, "'" + var + "' must be a boolean to hold " + try_verb + "'s result", m->name_at + 1);
        }
        simple(text.substr(rhs_at), at, sc, task, ctx, out, rhs_at);
        out.back().b = static_cast<std::uint8_t>(*v + 1);
        return;
      }
      const std::uint8_t e = expression(rhs, at, rhs_at, sc, task);
      out.push_back({OpKind::kAssign, static_cast<std::uint8_t>(*v), e});
      return;
    }
    std::istringstream words(text);
    std::string verb, arg, count_word, extra;
    words >> verb >> arg >> count_word >> extra;
    const std::size_t verb_at = text.find_first_not_of(" \t");
    const std::size_t verb_column = base + (verb_at == std::string::npos ? 0 : verb_at) + 1;
    const std::size_t arg_column =
        arg.empty() ? verb_column : base + text.find(arg, verb_column - 1 - base + verb.size()) + 1;
    enum class Arg { kNone, kResource, kTask, kFuture };
    enum class Count { kNone, kOne, kGiven, kOneOrGiven, kAll, kHeld };
    struct Verb {
      const char* name;
      OpKind kind;
      Arg arg;
      std::vector<model::ResourceKind> kinds;
      Count count = Count::kNone;
    };
    using RK = model::ResourceKind;
    static const std::vector<Verb> verbs = {
        {"lock", OpKind::kLock, Arg::kResource, {RK::kTokioMutex, RK::kBargingMutex}, Count::kOne},
        {"unlock", OpKind::kUnlock, Arg::kResource, {RK::kTokioMutex, RK::kBargingMutex, RK::kRwLock}, Count::kHeld},
        {"try_lock", OpKind::kTryLock, Arg::kResource, {RK::kTokioMutex, RK::kBargingMutex}, Count::kOne},
        {"acquire", OpKind::kLock, Arg::kResource, {RK::kSemaphore}, Count::kOne},
        {"acquire_many", OpKind::kLock, Arg::kResource, {RK::kSemaphore}, Count::kGiven},
        {"try_acquire", OpKind::kTryLock, Arg::kResource, {RK::kSemaphore}, Count::kOne},
        {"try_acquire_many", OpKind::kTryLock, Arg::kResource, {RK::kSemaphore}, Count::kGiven},
        {"release", OpKind::kUnlock, Arg::kResource, {RK::kSemaphore}, Count::kOne},
        {"release_many", OpKind::kUnlock, Arg::kResource, {RK::kSemaphore}, Count::kGiven},
        {"add_permits", OpKind::kAddPermits, Arg::kResource, {RK::kSemaphore}, Count::kGiven},
        {"forget", OpKind::kForget, Arg::kResource, {RK::kSemaphore, RK::kTokioMutex}, Count::kOneOrGiven},
        {"close", OpKind::kClose, Arg::kResource, {RK::kSemaphore}},
        {"read", OpKind::kLock, Arg::kResource, {RK::kRwLock}, Count::kOne},
        {"write", OpKind::kLock, Arg::kResource, {RK::kRwLock}, Count::kAll},
        {"try_read", OpKind::kTryLock, Arg::kResource, {RK::kRwLock}, Count::kOne},
        {"try_write", OpKind::kTryLock, Arg::kResource, {RK::kRwLock}, Count::kAll},
        {"send", OpKind::kSend, Arg::kResource, {RK::kMpsc}},
        {"recv", OpKind::kRecv, Arg::kResource, {RK::kMpsc}},
        {"get_or_init", OpKind::kGetOrInit, Arg::kResource, {RK::kOnceCell}},
        {"std_lock", OpKind::kStdLock, Arg::kResource, {RK::kStdMutex}},
        {"std_unlock", OpKind::kStdUnlock, Arg::kResource, {RK::kStdMutex}},
        {"notified", OpKind::kNotified, Arg::kResource, {RK::kNotify}},
        {"create_notified", OpKind::kCreateNotified, Arg::kResource, {RK::kNotify}},
        {"await_lock", OpKind::kAwaitHanded, Arg::kResource, {RK::kTokioMutex}},
        {"notify_one", OpKind::kNotifyOne, Arg::kResource, {RK::kNotify}},
        {"notify_waiters", OpKind::kNotifyWaiters, Arg::kResource, {RK::kNotify}},
        {"sleep", OpKind::kSleep, Arg::kNone, {}},
        {"yield_now", OpKind::kYieldNow, Arg::kNone, {}},
        {"return", OpKind::kReturn, Arg::kNone, {}},
        {"drop_kept", OpKind::kDropKept, Arg::kNone, {}},
        {"spawn", OpKind::kSpawn, Arg::kTask, {}},
        {"join", OpKind::kJoin, Arg::kTask, {}},
        {"pause", OpKind::kPause, Arg::kFuture, {}},
        {"resume", OpKind::kResume, Arg::kFuture, {}},
        {"drop", OpKind::kDrop, Arg::kTask, {}},
        {"abort", OpKind::kAbort, Arg::kTask, {}},
    };
    const Verb* found = nullptr;
    std::vector<std::string> verb_names;
    for (const auto& v : verbs) {
      verb_names.emplace_back(v.name);
      if (verb == v.name) found = &v;
    }
    if (!found) in_.fail(at, JsonReader::unknown("operation", verb, verb_names, true), verb_column);
    const bool counted = found->count == Count::kGiven || found->count == Count::kOneOrGiven;
    if (!extra.empty() || (!counted && !count_word.empty())) {
      in_.fail(at, "operation '" + text + "' has too many words", verb_column);
    }
    if (ctx.in_handler && (model::awaits(found->kind) || found->kind == OpKind::kReturn)) {
      in_.fail(at, "'" + verb + "' cannot run in an on_drop handler: a destructor cannot await", verb_column);
    }
    if (found->arg == Arg::kNone) {
      if (!arg.empty()) in_.fail(at, "'" + verb + "' takes no argument", arg_column);
      out.push_back({found->kind, 0, 0});
      return;
    }
    if (arg.empty()) {
      const char* what = found->arg == Arg::kResource ? "resource" : found->arg == Arg::kTask ? "task" : "task or future";
      in_.fail(at, "'" + verb + "' needs a " + what + " name", verb_column);
    }
    if (found->arg == Arg::kResource) {
      const std::uint8_t r = resource(arg, at, arg_column, sc, found->kinds, verb);
      std::uint8_t count = 0;
      switch (found->count) {
        case Count::kNone: break;
        case Count::kOne: count = 1; break;
        case Count::kAll: count = sc.resources[r].permits; break;
        case Count::kHeld: count = sc.resources[r].kind == model::ResourceKind::kRwLock ? 0 : 1; break;
        case Count::kGiven:
        case Count::kOneOrGiven: {
          if (count_word.empty() && found->count == Count::kOneOrGiven) {
            count = 1;
            break;
          }
          const std::size_t count_column = base + text.find(count_word, arg_column - 1 - base + arg.size()) + 1;
          if (count_word.empty()) in_.fail(at, "'" + verb + "' needs a number of permits after the name", arg_column);
          if (count_word.size() > 3 || count_word.find_first_not_of("0123456789") != std::string::npos ||
              std::stoi(count_word) < 1 || std::stoi(count_word) > 255) {
            in_.fail(at, "expected a number of permits from 1 to 255, found '" + count_word + "'", count_column);
          }
          count = static_cast<std::uint8_t>(std::stoi(count_word));
          break;
        }
      }
      if (verb == "unlock" || verb == "std_unlock") {
        unlocks_.push_back(UnlockSite{&out, std::nullopt, out.size(), at, arg_column, verb + " " + arg});
      }
      if (found->kind == OpKind::kAddPermits || found->kind == OpKind::kForget) {
        out.push_back({found->kind, r, count, 0});
      } else {
        out.push_back({found->kind, r, 0, count});
      }
      return;
    }
    if (found->arg == Arg::kFuture) {
      std::optional<std::size_t> f = sc.find_future(arg);
      if (!f) {
        std::vector<std::string> names;
        for (const auto& fu : sc.futures) names.push_back(fu.name);
        if (resolve_tasks(sc, arg)) {
          in_.fail(at, "'" + arg + "' names " + std::to_string(resolve_tasks(sc, arg)->size()) +
                           " tasks; say which one", arg_column);
        }
        in_.fail(at, JsonReader::unknown("task or future", arg, names), arg_column);
      }
      if (sc.futures[*f].wrapper == model::Wrapper::kNone) {
        in_.fail(at, "task '" + arg + "' has no wrapper to " + verb +
                         " (give it \"wrapper\": \"pausable\" or \"drop_on_pause\")", arg_column);
      }
      out.push_back({found->kind, static_cast<std::uint8_t>(*f), 0});
      return;
    }
    const auto targets = resolve_tasks(sc, arg);
    if (!targets) in_.fail(at, JsonReader::unknown("task", arg, task_names(sc)), arg_column);
    if (targets->size() > 1 && found->kind != OpKind::kSpawn) {
      in_.fail(at, "'" + arg + "' names " + std::to_string(targets->size()) + " tasks; say which one (" +
                       sc.tasks[targets->front()].name + " to " + sc.tasks[targets->back()].name + ")",
               arg_column);
    }
    for (std::size_t t : *targets) {
      if (t == 0) in_.fail(at, "'" + verb + " main' is not possible: main is the runtime's block_on future", arg_column);
      if (const auto& parent = sc.tasks[t].parent) {
        in_.fail(at, "'" + arg + "' is a branch inside " + sc.tasks[*parent].name + ", not a task: it cannot be " +
                         (found->kind == OpKind::kSpawn ? "spawned" : found->kind == OpKind::kJoin ? "joined" : found->kind == OpKind::kAbort ? "aborted" : "dropped") +
                         " on its own", arg_column);
      }
      if (t == task && (found->kind == OpKind::kSpawn || found->kind == OpKind::kJoin)) {
        in_.fail(at, "a task cannot " + verb + " itself", arg_column);
      }
      if (found->kind == OpKind::kSpawn) spawn_once(t, at, arg_column, sc, task);
      out.push_back({found->kind, static_cast<std::uint8_t>(t), 0});
    }
  }

  /// tokio::spawn takes the future: one task is spawned by one statement. A second `spawn` of it
  /// (another statement, or the same one in each copy of a template) is an error here; the model
  /// would ignore it ("already spawned").
  void spawn_once(std::size_t t, const std::string& at, std::size_t column, const model::Scenario& sc,
                  std::size_t spawner) {
    const auto [first, inserted] = spawned_.emplace(t, std::pair{at, column});
    if (inserted) return;
    const std::string& who = sc.tasks[t].name;
    if (first->second.first == at) {
      in_.fail(at, "task '" + who + "' would be spawned by each copy of '" + sc.tasks[spawner].group +
                       "': a task is spawned once (spawn it from one task)",
               column);
    }
    const SourcePos pos = in_.position(first->second.first, first->second.second);
    in_.fail(at, "task '" + who + "' is spawned twice (first at line " + std::to_string(pos.line) + ", column " +
                     std::to_string(pos.column) + "): a task is spawned once",
             column);
  }

  std::uint8_t resource(const std::string& n, const std::string& at, std::size_t column,
                        const model::Scenario& sc, const std::vector<model::ResourceKind>& kinds,
                        const std::string& verb) {
    const auto r = sc.find_resource(n);
    if (!r) {
      std::vector<std::string> names;
      for (const auto& res : sc.resources) names.push_back(res.name);
      in_.fail(at, JsonReader::unknown("resource", n, names), column);
    }
    if (std::find(kinds.begin(), kinds.end(), sc.resources[*r].kind) == kinds.end()) {
      std::vector<std::string> wanted;
      for (auto k : kinds) wanted.emplace_back(model::to_string(k));
      in_.fail(at, "'" + verb + "' needs a " + JsonReader::join(wanted) + ", and '" + n + "' is a " +
                       model::to_string(sc.resources[*r].kind), column);
    }
    return static_cast<std::uint8_t>(*r);
  }

  // --- faults and checks -------------------------------------------------------------------------

  void faults(const json& value, const std::string& at, model::Scenario& sc) {
    in_.expect_object(value, at, {"pause", "resume", "drop", "spurious_wake", "coop_yield"}, {});
    const std::pair<const char*, model::FaultKind> kinds[] = {
        {"pause", model::FaultKind::kPause},
        {"resume", model::FaultKind::kResume},
        {"drop", model::FaultKind::kDrop},
        {"spurious_wake", model::FaultKind::kSpuriousWake},
        {"coop_yield", model::FaultKind::kCoopYield}};
    for (const auto& [key, kind] : kinds) {
      if (!value.contains(key)) continue;
      const std::string p = at + "/" + key;
      const json& f = value[key];
      in_.expect_object(f, p, {"budget", "tasks"}, {"budget"});
      auto& budget = sc.faults[static_cast<std::size_t>(kind)];
      budget.budget = static_cast<std::uint8_t>(in_.integer(f["budget"], p + "/budget", 0, 255));
      budget.tasks.assign(sc.tasks.size(), false);
      budget.futures.assign(sc.futures.size(), false);
      const bool on_futures = kind == model::FaultKind::kPause || kind == model::FaultKind::kResume;
      if (!f.contains("tasks")) {
        // Default: everything but main that the fault can strike.
        for (std::size_t t = 1; t < sc.tasks.size(); ++t) budget.tasks[t] = !on_futures;
        for (std::size_t u = 1; u < sc.futures.size(); ++u) {
          budget.futures[u] = on_futures && sc.futures[u].wrapper != model::Wrapper::kNone;
        }
        continue;
      }
      const json& list = in_.array(f["tasks"], p + "/tasks");
      for (std::size_t i = 0; i < list.size(); ++i) {
        const std::string q = p + "/tasks/" + std::to_string(i);
        const std::string& n = in_.string(list[i], q);
        if (on_futures) {
          const auto futures = resolve_futures(sc, n);
          if (futures.empty()) {
            std::vector<std::string> names = task_names(sc);
            for (const auto& fu : sc.futures) names.push_back(fu.name);
            in_.fail(q, JsonReader::unknown("task or future", n, names));
          }
          for (std::size_t u : futures) {
            if (sc.futures[u].wrapper == model::Wrapper::kNone) {
              in_.fail(q, "'" + sc.futures[u].name + "' has no wrapper, so it cannot be " +
                              (kind == model::FaultKind::kPause ? "paused" : "resumed"));
            }
            budget.futures[u] = true;
          }
          continue;
        }
        const auto targets = resolve_tasks(sc, n);
        if (!targets) in_.fail(q, JsonReader::unknown("task", n, task_names(sc)));
        for (std::size_t t : *targets) budget.tasks[t] = true;
      }
    }
  }

  /// The futures a name denotes: a task's own ("worker1"), a template's copies ("worker"), a
  /// nested future ("worker1.wait") or that nested future in every copy ("worker.wait").
  std::vector<std::size_t> resolve_futures(const model::Scenario& sc, const std::string& n) const {
    std::vector<std::size_t> out;
    const auto dot = n.find('.');
    const std::string head = n.substr(0, dot);
    const auto tasks = resolve_tasks(sc, head);
    if (!tasks) return out;
    for (std::size_t t : *tasks) {
      if (dot == std::string::npos) {
        out.push_back(t);
      } else if (const auto f = sc.find_future(sc.tasks[t].name + n.substr(dot))) {
        out.push_back(*f);
      }
    }
    return out;
  }

  std::vector<Check> checks(const json& value, const std::string& at, const model::Scenario& sc) {
    const json& list = in_.array(value, at);
    if (list.empty()) in_.fail(at, "expected at least one check");
    std::vector<Check> out;
    std::set<std::string> seen;
    for (std::size_t i = 0; i < list.size(); ++i) {
      const std::string p = at + "/" + std::to_string(i);
      Check check;
      if (list[i].is_object() && list[i].contains("formula")) {
        in_.expect_object(list[i], p, {"name", "formula", "expect"}, {"formula"});
        const std::string& text = in_.string(list[i]["formula"], p + "/formula");
        check.formula = formula(text, p + "/formula", sc);
        check.name = list[i].contains("name") ? name(list[i]["name"], p + "/name") : text;
      } else {
        in_.expect_object(list[i], p, {"property", "expect"}, {"property"});
        check.builtin = in_.choice(list[i]["property"], p + "/property", "property", builtin_names());
        check.name = check.builtin;
      }
      if (!seen.insert(check.name).second) in_.fail(p, "property '" + check.name + "' is checked twice");
      if (list[i].contains("expect")) {
        const auto e = in_.choice(list[i]["expect"], p + "/expect", "expectation",
                                  {"holds", "violated", "vacuous", "reached", "unreachable"});
        // A reachable property is "reached" or "unreachable" (holds and violated still mean the
        // same); the other kinds have no such words.
        const bool reachable = check.formula ? check.formula->kind == FormulaKind::kReachable
                                             : find_builtin(check.builtin)->kind == explorer::PropertyKind::kSometimes;
        if (!reachable && (e == "reached" || e == "unreachable")) {
          in_.fail(p + "/expect", "'" + e + "' is for reachable properties; expected holds, violated or vacuous");
        }
        check.expected = e == "holds" || e == "reached"        ? Expectation::kHolds
                         : e == "violated" || e == "unreachable" ? Expectation::kViolated
                                                                 : Expectation::kVacuous;
      }
      out.push_back(std::move(check));
    }
    return out;
  }

  model::Expr predicate(const std::string& text, std::size_t offset, const std::string& at,
                        const model::Scenario& sc) {
    model::ExprScope scope;
    scope.scenario = &sc;
    return parse_bounded(text, scope, at, offset);
  }

  /// model::parse_expr recurses once per parenthesis and prefix operator, and eval once per
  /// level of the tree: both are bounded before they run.
  model::Expr parse_bounded(const std::string& text, const model::ExprScope& scope, const std::string& at,
                            std::size_t offset) {
    if (const auto deep = expression_too_deep(text)) in_.fail(at, deep->second, offset + deep->first + 1);
    model::ExprError error;
    auto expr = model::parse_expr(text, scope, error);
    if (!expr) in_.fail(at, message_of(error), offset + error.offset + 1);
    if (const std::size_t depth = tree_depth(*expr); depth > kMaxExprTreeDepth) {
      in_.fail(at, "an expression nested " + std::to_string(depth) + " levels deep; at most " +
                       std::to_string(kMaxExprTreeDepth),
               offset + skip_spaces(text, 0) + 1);
    }
    return std::move(*expr);
  }

  /// "always P", "never P", "reachable P" or "P leads_to Q".
  Formula formula(const std::string& text, const std::string& at, const model::Scenario& sc) {
    Formula f;
    f.text = text;
    const std::size_t first_at = skip_spaces(text, 0);
    std::size_t first_end = first_at;
    while (first_end < text.size() && is_word_char(text[first_end])) ++first_end;
    const std::string word = text.substr(first_at, first_end - first_at);
    if (word == "always" || word == "never" || word == "reachable" || word == "eventually") {
      f.kind = word == "always"       ? FormulaKind::kAlways
               : word == "never"      ? FormulaKind::kNever
               : word == "eventually" ? FormulaKind::kEventually
                                      : FormulaKind::kReachable;
      const std::size_t offset = first_end;
      f.p = predicate(text.substr(offset), offset, at, sc);
      if (f.kind == FormulaKind::kAlways && f.p.nodes.back().op == model::ExprOp::kImplies) {
        // The antecedent: the implication's left operand, as its own expression.
        model::Expr a = f.p;
        a.nodes.push_back(a.nodes[static_cast<std::size_t>(f.p.nodes.back().a)]);
        f.antecedent = std::move(a);
      }
      return f;
    }
    // "P leads_to Q": split at the first leads_to outside parentheses.
    int depth = 0;
    for (std::size_t i = 0; i + 8 <= text.size(); ++i) {
      if (text[i] == '(') ++depth;
      if (text[i] == ')') --depth;
      const bool word_start = i == 0 || !(std::isalnum(static_cast<unsigned char>(text[i - 1])) != 0 || text[i - 1] == '_');
      const bool word_end = i + 8 == text.size() || !(std::isalnum(static_cast<unsigned char>(text[i + 8])) != 0 || text[i + 8] == '_');
      if (depth == 0 && word_start && word_end && text.compare(i, 8, "leads_to") == 0) {
        f.kind = FormulaKind::kLeadsTo;
        f.p = predicate(text.substr(0, i), 0, at, sc);
        f.q = predicate(text.substr(i + 8), i + 8, at, sc);
        return f;
      }
    }
    in_.fail(at, "expected a formula: 'always P', 'never P', 'reachable P', 'eventually P' or 'P leads_to Q'", 1);
  }

  JsonReader in_;
  std::vector<TaskGroup> groups_;
  std::map<std::string, std::size_t> first_child_;  // combinator statement path -> first child
  std::vector<std::pair<std::string, std::size_t>> child_at_;  // branch path -> child slot
  std::map<std::string, const json*> child_json_;  // branch path -> its "do" program
  std::optional<SchemaError> deferred_;
  std::vector<UnlockSite> unlocks_;
  std::map<std::size_t, std::pair<std::string, std::size_t>> spawned_;  // task -> where (pointer, column)
};

}  // namespace

const nlohmann::json& property_file_schema() {
  static const nlohmann::json schema = nlohmann::json::parse(kPropertyFileSchema);
  return schema;
}

PropertyFile parse_property_file(const std::string& path, const std::string& text) {
  PropertyFile file = Loader(path, text).load();
  file.path = path;
  return file;
}

PropertyFile load_property_file(const std::string& path) {
  return parse_property_file(path, read_regular_file(path, kMaxPropertyFileBytes));
}

const char* to_string(Expectation expectation) {
  switch (expectation) {
    case Expectation::kHolds: return "holds";
    case Expectation::kViolated: return "violated";
    case Expectation::kVacuous: return "vacuous";
  }
  return "?";
}

}  // namespace wakecheck::properties
