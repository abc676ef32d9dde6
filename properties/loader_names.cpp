// The loader's name resolution: names as written, tasks and their copies, variables, resources
// and nested futures, each error naming the nearest known name.

#include <set>
#include <sstream>

#include "model/limits.hpp"
#include "properties/builtins.hpp"
#include "properties/input_error.hpp"
#include "properties/limits.hpp"
#include "properties/loader.hpp"
#include "properties/statement_keys.hpp"

namespace wakecheck::properties::loading {

std::string Loader::name(const json& value, const std::string& at) {
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

model::Wrapper Loader::parse_wrapper(const json& value, const std::string& at) {
  const auto w = in_.choice(value, at, "wrapper", {"none", "pausable", "drop_on_pause", "finish_item", "timeout"});
  return w == "pausable"        ? model::Wrapper::kPausable
         : w == "timeout"       ? model::Wrapper::kTimeout
         : w == "drop_on_pause" ? model::Wrapper::kDropOnPause
         : w == "finish_item"   ? model::Wrapper::kFinishItem
                                : model::Wrapper::kNone;
}

std::vector<std::string> Loader::variable_names(const model::Scenario& sc, std::size_t task) const {
  std::vector<std::string> names;
  for (const auto& v : sc.variables) {
    if (!v.task || *v.task == task) names.push_back(v.name);
  }
  return names;
}

std::vector<std::string> Loader::task_names(const model::Scenario& sc) const {
  std::vector<std::string> names;
  for (const auto& g : groups_) names.push_back(g.name);
  for (const auto& t : sc.tasks) {
    if (t.name != t.group) names.push_back(t.name);
  }
  return names;
}

std::optional<std::vector<std::size_t>> Loader::resolve_tasks(const model::Scenario& sc, const std::string& n) const {
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

void Loader::spawn_once(std::size_t t, const std::string& at, std::size_t column, const model::Scenario& sc,
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

std::uint8_t Loader::resource(const std::string& n, const std::string& at, std::size_t column,
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
    std::string list = wanted.back();
    if (wanted.size() > 1) {
      wanted.pop_back();
      list = JsonReader::join(wanted) + " or " + list;
    }
    in_.fail(at, "'" + verb + "' needs a " + list + ", and '" + n + "' is a " +
                     model::to_string(sc.resources[*r].kind), column);
  }
  return static_cast<std::uint8_t>(*r);
}

std::vector<std::size_t> Loader::resolve_futures(const model::Scenario& sc, const std::string& n) const {
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

}  // namespace wakecheck::properties::loading
