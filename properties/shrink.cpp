#include "properties/shrink.hpp"

#include <functional>
#include <vector>

#include "model/tokio_model.hpp"
#include "properties/input_error.hpp"
#include "properties/property_file.hpp"
#include "properties/run.hpp"
#include "properties/statement_keys.hpp"

namespace wakecheck::properties {
namespace {

using nlohmann::ordered_json;

/// The check named `property` in `doc` ("property" for built-ins, else "name" or "formula").
bool names(const ordered_json& check, const std::string& property) {
  if (check.contains("property") && check["property"] == property) return true;
  if (check.contains("name") && check["name"] == property) return true;
  return check.contains("formula") && !check.contains("name") && check["formula"] == property;
}

/// Every statement list of a program: the program itself and the lists nested in it
/// (properties/statement_keys.hpp).
void statement_lists(ordered_json& list, std::vector<ordered_json*>& out) {
  if (!list.is_array()) return;
  out.push_back(&list);
  for (auto& st : list) for_each_nested_list(st, [&](ordered_json& nested) { statement_lists(nested, out); });
}

std::vector<ordered_json*> all_lists(ordered_json& doc) {
  std::vector<ordered_json*> lists;
  for (auto& task : doc["scenario"]["tasks"]) statement_lists(task["program"], lists);
  return lists;
}

std::size_t count_statements(ordered_json doc) {
  std::size_t n = 0;
  for (auto* list : all_lists(doc)) n += list->size();
  return n;
}

std::size_t count_tasks(const ordered_json& doc) {
  std::size_t n = 0;
  for (const auto& task : doc["scenario"]["tasks"]) n += task.value("copies", std::size_t{1});
  return n;
}

std::size_t count_faults(const ordered_json& doc) {
  std::size_t n = 0;
  if (!doc["scenario"].contains("faults")) return 0;
  for (const auto& [kind, fault] : doc["scenario"]["faults"].items()) {
    (void)kind;
    n += fault.value("budget", std::size_t{0});
  }
  return n;
}

/// Removes the string statements whose last word is `name` or starts with `name.` (operations on
/// a task or its futures), and the name from fault task lists.
void forget_task(ordered_json& doc, const std::string& name) {
  for (auto* list : all_lists(doc)) {
    ordered_json kept = ordered_json::array();
    for (auto& st : *list) {
      if (st.is_string()) {
        const std::string text = st.get<std::string>();
        const auto space = text.find_last_of(' ');
        const std::string arg = space == std::string::npos ? "" : text.substr(space + 1);
        if (arg == name || arg.rfind(name + ".", 0) == 0) continue;
      }
      kept.push_back(st);
    }
    *list = kept;
  }
  if (!doc["scenario"].contains("faults")) return;
  for (auto& [kind, fault] : doc["scenario"]["faults"].items()) {
    (void)kind;
    if (!fault.contains("tasks")) continue;
    ordered_json kept = ordered_json::array();
    for (auto& t : fault["tasks"]) {
      const std::string n = t.get<std::string>();
      if (n != name && n.rfind(name + ".", 0) != 0) kept.push_back(t);
    }
    fault["tasks"] = kept;
  }
}

class Shrinker {
 public:
  Shrinker(std::string path, std::string property) : path_(std::move(path)), property_(std::move(property)) {}

  /// Whether `doc` still violates the property (and stays within the model).
  bool fails(const ordered_json& doc) {
    ++checks_;
    try {
      const PropertyFile file = parse_property_file(path_, doc.dump());
      const model::TokioModel model(file.scenario);
      const FileRun run = run_checks(file, model);
      bool violated = false, sound = true;
      for (const auto& result : run.results) {
        if (result.name == "no_model_error") sound = result.verdict == Verdict::kHolds;
        else violated = violated || result.verdict == Verdict::kViolated;
      }
      return violated && sound;
    } catch (const InputError&) {
      return false;  // the candidate is not a valid file: not smaller, just broken
    }
  }

  /// Tries each candidate from `make`; keeps the first that still fails. Returns whether one did.
  bool try_each(ordered_json& doc, std::size_t count, const std::function<bool(ordered_json&, std::size_t)>& make) {
    for (std::size_t i = count; i > 0; --i) {
      ordered_json candidate = doc;
      if (!make(candidate, i - 1)) continue;
      if (fails(candidate)) {
        doc = candidate;
        return true;
      }
    }
    return false;
  }

  std::size_t checks() const { return checks_; }

 private:
  std::string path_;
  std::string property_;
  std::size_t checks_ = 0;
};

}  // namespace

ShrinkResult shrink(const std::string& path, const std::string& text, const std::string& property) {
  // Validates everything first (with its located errors), before nlohmann reads the text.
  (void)parse_property_file(path, text);
  ordered_json doc = ordered_json::parse(text, nullptr, true, true);
  // Keep only the property being shrunk for.
  ordered_json checks = ordered_json::array();
  for (const auto& check : doc["checks"]) {
    if (names(check, property)) {
      ordered_json kept = check;
      kept["expect"] = "violated";
      checks.push_back(kept);
    }
  }
  if (checks.empty()) throw InputError(path + ": no check named '" + property + "' to shrink for");
  doc["checks"] = checks;

  ShrinkResult result;
  result.tasks_before = count_tasks(doc);
  result.statements_before = count_statements(doc);
  result.faults_before = count_faults(doc);
  Shrinker shrinker(path, property);
  if (!shrinker.fails(doc)) throw InputError(path + ": '" + property + "' is not violated, so there is nothing to shrink");

  for (bool progress = true; progress;) {
    progress = false;
    // Whole tasks (never main), with what names them.
    progress |= shrinker.try_each(doc, doc["scenario"]["tasks"].size(), [](ordered_json& d, std::size_t i) {
      auto& list = d["scenario"]["tasks"];
      const std::string name = list[i]["name"].get<std::string>();
      if (name == "main") return false;
      const std::size_t copies = list[i].value("copies", std::size_t{1});
      list.erase(i);
      if (copies > 1 || d.dump().find(name) != std::string::npos) {
        forget_task(d, name);
        for (std::size_t c = 0; c < copies; ++c) forget_task(d, name + std::to_string(c));
      }
      return true;
    });
    // One copy fewer (the last one, and what names it).
    progress |= shrinker.try_each(doc, doc["scenario"]["tasks"].size(), [](ordered_json& d, std::size_t i) {
      auto& task = d["scenario"]["tasks"][i];
      const std::size_t copies = task.value("copies", std::size_t{1});
      if (copies <= 1) return false;
      task["copies"] = copies - 1;
      forget_task(d, task["name"].get<std::string>() + std::to_string(copies - 1));
      return true;
    });
    // Single statements, anywhere in any program.
    const std::size_t lists = all_lists(doc).size();
    for (std::size_t l = 0; l < lists; ++l) {
      const std::size_t size = all_lists(doc)[l]->size();
      progress |= shrinker.try_each(doc, size, [l](ordered_json& d, std::size_t i) {
        auto all = all_lists(d);
        if (l >= all.size() || i >= all[l]->size()) return false;
        all[l]->erase(i);
        return true;
      });
    }
    // Fault budgets, one at a time.
    if (doc["scenario"].contains("faults")) {
      std::vector<std::string> kinds;
      for (const auto& [kind, fault] : doc["scenario"]["faults"].items()) {
        (void)fault;
        kinds.push_back(kind);
      }
      progress |= shrinker.try_each(doc, kinds.size(), [&kinds](ordered_json& d, std::size_t i) {
        auto& fault = d["scenario"]["faults"][kinds[i]];
        const std::size_t budget = fault.value("budget", std::size_t{0});
        if (budget == 0) return false;
        if (budget == 1) {
          d["scenario"]["faults"].erase(kinds[i]);
        } else {
          fault["budget"] = budget - 1;
        }
        return true;
      });
    }
  }
  result.document = doc;
  result.checks = shrinker.checks();
  result.tasks_after = count_tasks(doc);
  result.statements_after = count_statements(doc);
  result.faults_after = count_faults(doc);
  return result;
}

}  // namespace wakecheck::properties
