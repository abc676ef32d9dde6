#include "properties/property_file.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "model/limits.hpp"
#include "properties/builtins.hpp"
#include "properties/input_error.hpp"
#include "properties/source_map.hpp"
#include "properties/suggest.hpp"

namespace wakecheck::properties {
namespace {

using nlohmann::json;

std::string escape_token(const std::string& key) {
  std::string out;
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

/// User text inside a one-line message: control characters are shown escaped.
std::string printable(const std::string& text) {
  std::string out;
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (byte < 0x20 || byte == 0x7F) {
      static const char* hex = "0123456789abcdef";
      out += "\\x";
      out += hex[byte >> 4];
      out += hex[byte & 0xF];
    } else {
      out += c;
    }
  }
  return out;
}

/// Walks the parsed JSON with the pointer of each value at hand, so every complaint can name
/// where it is: file:line:column and the dotted path.
class Reader {
 public:
  Reader(const std::string& path, const std::string& text)
      : path_(path), map_(SourceMap::index(text)) {}

  [[noreturn]] void fail(const std::string& pointer, const std::string& message,
                         std::size_t column_offset = 0) const {
    SourcePos pos = map_.nearest(pointer);
    pos.column += column_offset;
    std::ostringstream out;
    out << path_ << ":" << pos.line << ":" << pos.column << ": " << pointer_to_path(pointer)
        << ": " << message;
    throw InputError(printable(out.str()));
  }
  [[noreturn]] void fail_key(const std::string& pointer, const std::string& message) const {
    const auto pos = map_.key(pointer).value_or(map_.nearest(pointer));
    std::ostringstream out;
    out << path_ << ":" << pos.line << ":" << pos.column << ": " << pointer_to_path(pointer)
        << ": " << message;
    throw InputError(printable(out.str()));
  }

  static std::string type_name(const json& value) {
    if (value.is_object()) return "an object";
    if (value.is_array()) return "an array";
    if (value.is_string()) return "a string";
    if (value.is_boolean()) return "a boolean";
    if (value.is_number()) return "the number " + value.dump();
    return "null";
  }

  void expect_object(const json& value, const std::string& pointer,
                     const std::vector<std::string>& allowed,
                     const std::vector<std::string>& required) const {
    if (!value.is_object()) fail(pointer, std::string("expected an object, found ") + type_name(value));
    for (const auto& [key, member] : value.items()) {
      (void)member;
      bool known = false;
      for (const auto& name : allowed) known = known || name == key;
      if (!known) {
        std::string message = "unknown key '" + key + "'";
        if (auto near = nearest_name(key, allowed)) message += "; did you mean '" + *near + "'?";
        else message += "; expected one of: " + join(allowed);
        fail_key(pointer + "/" + escape_token(key), message);
      }
    }
    for (const auto& name : required) {
      if (!value.contains(name)) fail(pointer, "missing required key '" + name + "'");
    }
  }

  const std::string& string(const json& value, const std::string& pointer) const {
    if (!value.is_string()) fail(pointer, std::string("expected a string, found ") + type_name(value));
    return value.get_ref<const std::string&>();
  }

  std::uint64_t integer(const json& value, const std::string& pointer, std::uint64_t low,
                        std::uint64_t high) const {
    if (!value.is_number_integer()) {
      fail(pointer, std::string("expected a whole number, found ") + type_name(value));
    }
    const bool negative = !value.is_number_unsigned() && value.get<std::int64_t>() < 0;
    const std::uint64_t n = negative ? 0 : value.get<std::uint64_t>();
    if (negative || n < low || n > high) {
      fail(pointer, "expected a number from " + std::to_string(low) + " to " + std::to_string(high) +
                        ", found " + value.dump());
    }
    return n;
  }

  const json& array(const json& value, const std::string& pointer) const {
    if (!value.is_array()) fail(pointer, std::string("expected an array, found ") + type_name(value));
    return value;
  }

  /// One of `choices`, with a suggestion for a near miss.
  std::string choice(const json& value, const std::string& pointer, const std::string& what,
                     const std::vector<std::string>& choices) const {
    const std::string& text = string(value, pointer);
    for (const auto& c : choices) {
      if (c == text) return text;
    }
    std::string message = "unknown " + what + " '" + text + "'";
    if (auto near = nearest_name(text, choices)) message += "; did you mean '" + *near + "'?";
    else message += "; expected one of: " + join(choices);
    fail(pointer, message);
  }

  static std::string join(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& name : names) out += (out.empty() ? "" : ", ") + name;
    return out;
  }

 private:
  std::string path_;
  SourceMap map_;
};

struct TaskGroup {
  std::string name;
  std::size_t first = 0;  // index of its first task in the scenario
  std::size_t copies = 1;
};

class Loader {
 public:
  Loader(const std::string& path, const std::string& text) : path_(path), text_(text), in_(path, text) {}

  /// nlohmann reports the byte after the last one it read; point at the start of that token.
  std::size_t token_start(std::size_t byte) const {
    if (text_.empty()) return 0;
    std::size_t at = std::min(byte == 0 ? 0 : byte - 1, text_.size() - 1);
    while (at > 0 && (text_[at] == ' ' || text_[at] == '\n' || text_[at] == '\r' || text_[at] == '\t')) --at;
    if (text_[at] == '"') {
      // Back to the opening quote (one not preceded by a backslash).
      std::size_t open = at;
      while (open > 0) {
        --open;
        if (text_[open] == '"' && (open == 0 || text_[open - 1] != '\\')) return open;
      }
      return at;
    }
    auto literal = [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '-' || c == '+' || c == '_';
    };
    if (literal(text_[at])) {
      while (at > 0 && literal(text_[at - 1])) --at;
    }
    return at;
  }

  PropertyFile load() {
    json root;
    try {
      root = json::parse(text_, nullptr, /*allow_exceptions=*/true, /*ignore_comments=*/true);
    } catch (const json::parse_error& e) {
      const SourcePos pos = SourceMap::index(text_).at_offset(token_start(e.byte));
      std::string what = e.what();
      // "[json.exception.parse_error.101] parse error at line 3, column 5: syntax error ..."
      if (const auto colon = what.find(": "); colon != std::string::npos) what = what.substr(colon + 2);
      throw InputError(path_ + ":" + std::to_string(pos.line) + ":" + std::to_string(pos.column) +
                       ": invalid JSON: " + what);
    }
    PropertyFile file;
    file.path = path_;
    in_.expect_object(root, "", {"name", "description", "scenario", "checks"},
                      {"name", "scenario", "checks"});
    file.name = in_.string(root["name"], "/name");
    if (root.contains("description")) file.description = in_.string(root["description"], "/description");
    file.scenario = scenario(root["scenario"], "/scenario");
    file.scenario.name = file.name;
    file.checks = checks(root["checks"], "/checks");
    return file;
  }

 private:
  model::Scenario scenario(const json& value, const std::string& at) {
    in_.expect_object(value, at, {"runtime", "resources", "tasks", "faults"},
                      {"runtime", "resources", "tasks"});
    model::Scenario sc;
    const auto runtime = in_.choice(value["runtime"], at + "/runtime", "runtime",
                                    {"current_thread", "multi_thread"});
    sc.flavor = runtime == "current_thread" ? model::Flavor::kCurrentThread
                                            : model::Flavor::kMultiThread;
    resources(value["resources"], at + "/resources", sc);
    tasks(value["tasks"], at + "/tasks", sc);
    if (value.contains("faults")) faults(value["faults"], at + "/faults", sc);
    for (auto& budget : sc.faults) budget.tasks.resize(sc.tasks.size(), false);
    return sc;
  }

  void resources(const json& value, const std::string& at, model::Scenario& sc) {
    const json& list = in_.array(value, at);
    if (list.size() > model::kMaxResources) {
      in_.fail(at, "at most " + std::to_string(model::kMaxResources) + " resources are supported, found " +
                       std::to_string(list.size()));
    }
    for (std::size_t i = 0; i < list.size(); ++i) {
      const std::string p = at + "/" + std::to_string(i);
      in_.expect_object(list[i], p, {"name", "kind"}, {"name", "kind"});
      model::ResourceSpec spec;
      spec.name = name(list[i]["name"], p + "/name");
      (void)in_.choice(list[i]["kind"], p + "/kind", "resource kind", {"tokio_mutex"});
      spec.kind = model::ResourceKind::kTokioMutex;
      spec.permits = 1;
      if (resource_index(sc, spec.name)) in_.fail(p + "/name", "duplicate resource name '" + spec.name + "'");
      sc.resources.push_back(spec);
    }
  }

  std::string name(const json& value, const std::string& at) {
    const std::string& text = in_.string(value, at);
    if (text.empty()) in_.fail(at, "a name must not be empty");
    for (char c : text) {
      const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
      if (!ok) in_.fail(at, "a name may use letters, digits and '_' only, found '" + text + "'");
    }
    return text;
  }

  static std::optional<std::size_t> resource_index(const model::Scenario& sc, const std::string& n) {
    for (std::size_t i = 0; i < sc.resources.size(); ++i) {
      if (sc.resources[i].name == n) return i;
    }
    return std::nullopt;
  }

  void tasks(const json& value, const std::string& at, model::Scenario& sc) {
    const json& list = in_.array(value, at);
    // First pass: names, copies and wrappers, so programs may name tasks declared later.
    std::vector<std::size_t> order;  // json index of each group, main first
    std::optional<std::size_t> main_at;
    for (std::size_t i = 0; i < list.size(); ++i) {
      const std::string p = at + "/" + std::to_string(i);
      in_.expect_object(list[i], p, {"name", "copies", "wrapper", "program"}, {"name", "program"});
      const std::string n = name(list[i]["name"], p + "/name");
      if (n == "main") main_at = i;
    }
    if (!main_at) in_.fail(at, "missing the task named 'main' (the runtime's block_on future)");
    order.push_back(*main_at);
    for (std::size_t i = 0; i < list.size(); ++i) {
      if (i != *main_at) order.push_back(i);
    }
    std::vector<std::string> seen;
    for (std::size_t i : order) {
      const std::string p = at + "/" + std::to_string(i);
      const json& task = list[i];
      TaskGroup group;
      group.name = task["name"].get<std::string>();
      for (const auto& other : seen) {
        if (other == group.name) in_.fail(p + "/name", "duplicate task name '" + group.name + "'");
      }
      seen.push_back(group.name);
      if (task.contains("copies")) {
        group.copies = static_cast<std::size_t>(in_.integer(task["copies"], p + "/copies", 1, model::kMaxTasks));
        if (group.name == "main" && group.copies != 1) in_.fail(p + "/copies", "main has exactly one copy");
      }
      model::Wrapper wrapper = model::Wrapper::kNone;
      if (task.contains("wrapper")) {
        const auto w = in_.choice(task["wrapper"], p + "/wrapper", "wrapper",
                                  {"none", "pausable", "drop_on_pause"});
        wrapper = w == "pausable" ? model::Wrapper::kPausable
                  : w == "drop_on_pause" ? model::Wrapper::kDropOnPause
                                         : model::Wrapper::kNone;
      }
      group.first = sc.tasks.size();
      if (sc.tasks.size() + group.copies > model::kMaxTasks) {
        in_.fail(p, "at most " + std::to_string(model::kMaxTasks) +
                        " tasks (main included, copies counted) are supported");
      }
      for (std::size_t c = 0; c < group.copies; ++c) {
        model::TaskSpec spec;
        spec.name = group.copies == 1 && !task.contains("copies") ? group.name
                                                                  : group.name + std::to_string(c);
        for (const auto& other : sc.tasks) {
          if (other.name == spec.name) {
            in_.fail(p + "/name", "task name '" + spec.name + "' is used twice (once by " +
                                      (other.name == other.group ? "a task" : "a copy of '" + other.group + "'") +
                                      ")");
          }
        }
        spec.group = group.name;
        spec.wrapper = wrapper;
        sc.tasks.push_back(spec);
      }
      groups_.push_back(group);
      group_json_.push_back(i);
    }
    // Second pass: programs.
    for (std::size_t g = 0; g < groups_.size(); ++g) {
      const std::string p = at + "/" + std::to_string(group_json_[g]) + "/program";
      const json& program = in_.array(list[group_json_[g]]["program"], p);
      std::vector<model::Op> ops;
      for (std::size_t k = 0; k < program.size(); ++k) {
        parse_op(program[k], p + "/" + std::to_string(k), sc, groups_[g], ops);
      }
      if (ops.size() > model::kMaxProgram) {
        in_.fail(p, "at most " + std::to_string(model::kMaxProgram) + " operations per task");
      }
      for (std::size_t c = 0; c < groups_[g].copies; ++c) sc.tasks[groups_[g].first + c].program = ops;
    }
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
    for (std::size_t i = 0; i < sc.tasks.size(); ++i) {
      if (sc.tasks[i].name == n) return std::vector<std::size_t>{i};
    }
    for (const auto& g : groups_) {
      if (g.name == n) {
        std::vector<std::size_t> all;
        for (std::size_t c = 0; c < g.copies; ++c) all.push_back(g.first + c);
        return all;
      }
    }
    return std::nullopt;
  }

  void parse_op(const json& value, const std::string& at, const model::Scenario& sc,
                const TaskGroup& self, std::vector<model::Op>& ops) {
    const std::string& text = in_.string(value, at);
    std::istringstream words(text);
    std::string verb, arg, extra;
    words >> verb >> arg >> extra;
    // Columns of the verb and the argument inside the string (1 for the opening quote).
    const std::size_t verb_at = text.find_first_not_of(" \t");
    const std::size_t verb_column = (verb_at == std::string::npos ? 0 : verb_at) + 1;
    const std::size_t arg_column =
        arg.empty() ? verb_column : text.find(arg, verb_column - 1 + verb.size()) + 1;
    struct Verb {
      const char* name;
      model::OpKind kind;
      enum { kNone, kResource, kTask } arg;
    };
    static const Verb verbs[] = {
        {"lock", model::OpKind::kLock, Verb::kResource},
        {"unlock", model::OpKind::kUnlock, Verb::kResource},
        {"try_lock", model::OpKind::kTryLock, Verb::kResource},
        {"sleep", model::OpKind::kSleep, Verb::kNone},
        {"yield_now", model::OpKind::kYieldNow, Verb::kNone},
        {"spawn", model::OpKind::kSpawn, Verb::kTask},
        {"join", model::OpKind::kJoin, Verb::kTask},
        {"pause", model::OpKind::kPause, Verb::kTask},
        {"resume", model::OpKind::kResume, Verb::kTask},
        {"drop", model::OpKind::kDrop, Verb::kTask},
        {"abort", model::OpKind::kAbort, Verb::kTask},
    };
    const Verb* found = nullptr;
    std::vector<std::string> verb_names;
    for (const auto& v : verbs) {
      verb_names.emplace_back(v.name);
      if (verb == v.name) found = &v;
    }
    if (!found) {
      std::string message = "unknown operation '" + verb + "'";
      if (auto near = nearest_name(verb, verb_names)) message += "; did you mean '" + *near + "'?";
      else message += "; expected one of: " + Reader::join(verb_names);
      in_.fail(at, message, verb_column);
    }
    if (!extra.empty()) in_.fail(at, "operation '" + text + "' has too many words", verb_column);
    if (found->arg == Verb::kNone) {
      if (!arg.empty()) in_.fail(at, "'" + verb + "' takes no argument", arg_column);
      ops.push_back({found->kind, 0});
      return;
    }
    if (arg.empty()) {
      in_.fail(at, std::string("'") + verb + "' needs a " +
                       (found->arg == Verb::kResource ? "resource" : "task") + " name", verb_column);
    }
    if (found->arg == Verb::kResource) {
      const auto r = resource_index(sc, arg);
      if (!r) {
        std::vector<std::string> names;
        for (const auto& res : sc.resources) names.push_back(res.name);
        std::string message = "unknown resource '" + arg + "'";
        if (auto near = nearest_name(arg, names)) message += "; did you mean '" + *near + "'?";
        in_.fail(at, message, arg_column);
      }
      ops.push_back({found->kind, static_cast<std::uint8_t>(*r)});
      return;
    }
    const auto targets = resolve_tasks(sc, arg);
    if (!targets) {
      std::string message = "unknown task '" + arg + "'";
      if (auto near = nearest_name(arg, task_names(sc))) message += "; did you mean '" + *near + "'?";
      in_.fail(at, message, arg_column);
    }
    if (targets->size() > 1 && found->kind != model::OpKind::kSpawn) {
      const auto& g = *targets;
      in_.fail(at, "'" + arg + "' names " + std::to_string(g.size()) + " tasks; say which one (" +
                       sc.tasks[g.front()].name + " to " + sc.tasks[g.back()].name + ")",
               arg_column);
    }
    for (std::size_t t : *targets) {
      if (t == 0 && found->kind != model::OpKind::kPause) {
        in_.fail(at, "'" + verb + " main' is not possible: main is the runtime's block_on future",
                 arg_column);
      }
      if (sc.tasks[t].group == self.name && self.copies == 1 &&
          (found->kind == model::OpKind::kSpawn || found->kind == model::OpKind::kJoin)) {
        in_.fail(at, "a task cannot " + verb + " itself", arg_column);
      }
      if ((found->kind == model::OpKind::kPause || found->kind == model::OpKind::kResume) &&
          sc.tasks[t].wrapper == model::Wrapper::kNone) {
        in_.fail(at, "task '" + sc.tasks[t].name + "' has no wrapper to " + verb +
                         " (give it \"wrapper\": \"pausable\" or \"drop_on_pause\")",
                 arg_column);
      }
      ops.push_back({found->kind, static_cast<std::uint8_t>(t)});
    }
  }

  void faults(const json& value, const std::string& at, model::Scenario& sc) {
    in_.expect_object(value, at, {"pause", "resume", "drop"}, {});
    const std::pair<const char*, model::FaultKind> kinds[] = {
        {"pause", model::FaultKind::kPause},
        {"resume", model::FaultKind::kResume},
        {"drop", model::FaultKind::kDrop}};
    for (const auto& [key, kind] : kinds) {
      if (!value.contains(key)) continue;
      const std::string p = at + "/" + key;
      const json& f = value[key];
      in_.expect_object(f, p, {"budget", "tasks"}, {"budget"});
      auto& budget = sc.faults[static_cast<std::size_t>(kind)];
      budget.budget = static_cast<std::uint8_t>(in_.integer(f["budget"], p + "/budget", 0, 255));
      budget.tasks.assign(sc.tasks.size(), false);
      if (!f.contains("tasks")) {
        // Default: every task but main that the fault can strike.
        for (std::size_t t = 1; t < sc.tasks.size(); ++t) {
          budget.tasks[t] = kind != model::FaultKind::kPause || sc.tasks[t].wrapper != model::Wrapper::kNone;
        }
        continue;
      }
      const json& list = in_.array(f["tasks"], p + "/tasks");
      for (std::size_t i = 0; i < list.size(); ++i) {
        const std::string q = p + "/tasks/" + std::to_string(i);
        const std::string& n = in_.string(list[i], q);
        const auto targets = resolve_tasks(sc, n);
        if (!targets) {
          std::string message = "unknown task '" + n + "'";
          if (auto near = nearest_name(n, task_names(sc))) message += "; did you mean '" + *near + "'?";
          in_.fail(q, message);
        }
        for (std::size_t t : *targets) {
          if (kind == model::FaultKind::kPause && sc.tasks[t].wrapper == model::Wrapper::kNone) {
            in_.fail(q, "task '" + sc.tasks[t].name + "' has no wrapper, so it cannot be paused");
          }
          budget.tasks[t] = true;
        }
      }
    }
  }

  std::vector<Check> checks(const json& value, const std::string& at) {
    const json& list = in_.array(value, at);
    if (list.empty()) in_.fail(at, "expected at least one check");
    std::vector<Check> out;
    std::set<std::string> seen;
    for (std::size_t i = 0; i < list.size(); ++i) {
      const std::string p = at + "/" + std::to_string(i);
      in_.expect_object(list[i], p, {"property", "expect"}, {"property"});
      Check check;
      check.property = in_.choice(list[i]["property"], p + "/property", "property", builtin_names());
      if (!seen.insert(check.property).second) {
        in_.fail(p + "/property", "property '" + check.property + "' is checked twice");
      }
      if (list[i].contains("expect")) {
        const auto e = in_.choice(list[i]["expect"], p + "/expect", "expectation", {"holds", "violated"});
        check.expected = e == "holds" ? Expectation::kHolds : Expectation::kViolated;
      }
      out.push_back(check);
    }
    return out;
  }

  std::string path_;
  const std::string& text_;
  Reader in_;
  std::vector<TaskGroup> groups_;
  std::vector<std::size_t> group_json_;
};

}  // namespace

PropertyFile parse_property_file(const std::string& path, const std::string& text) {
  return Loader(path, text).load();
}

PropertyFile load_property_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot read the file");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_property_file(path, text.str());
}

const char* to_string(Expectation expectation) {
  return expectation == Expectation::kHolds ? "holds" : "violated";
}

}  // namespace wakecheck::properties
