#include "properties/compare.hpp"

#include <nlohmann/json.hpp>

#include "model/tokio_model.hpp"
#include "properties/input_error.hpp"
#include "properties/property_file.hpp"
#include "properties/run.hpp"
#include "properties/statement_keys.hpp"

namespace wakecheck::properties {
namespace {

using nlohmann::ordered_json;

enum class Design { kTokio, kBarging, kNotifyWaiters, kNotifyOne };

/// A statement list with every use of the mutex `m` rewritten for `design`. For the std Mutex
/// designs, the state a std::sync::Mutex would guard is a flag `<m>_busy`: a poll checks it,
/// sets it or waits on the Notify `<m>_notify` in one step, as code that holds the std guard
/// only between awaits does.
ordered_json rewrite(const ordered_json& list, const std::string& m, Design design) {
  ordered_json out = ordered_json::array();
  const std::string busy = m + "_busy";
  const std::string notify = m + "_notify";
  for (const auto& st : list) {
    if (st.is_object()) {
      ordered_json copy = st;
      for_each_nested_list(copy, [&](ordered_json& nested) { nested = rewrite(nested, m, design); });
      out.push_back(copy);
      continue;
    }
    const std::string text = st.get<std::string>();
    const bool std_design = design == Design::kNotifyWaiters || design == Design::kNotifyOne;
    if (!std_design) {
      out.push_back(st);
      continue;
    }
    if (text == "lock " + m) {
      out.push_back({{"while", busy}, {"do", ordered_json::array({"notified " + notify})}});
      out.push_back(busy + " = true");
    } else if (text == "unlock " + m) {
      out.push_back(busy + " = false");
      out.push_back((design == Design::kNotifyWaiters ? "notify_waiters " : "notify_one ") + notify);
    } else if (text.size() > m.size() + 10 && text.compare(text.size() - (m.size() + 9), m.size() + 9, "try_lock " + m) == 0) {
      const std::string var = text.substr(0, text.find('='));
      const std::string name = var.substr(0, var.find_last_not_of(' ') + 1);
      out.push_back({{"if", "not " + busy},
                     {"then", ordered_json::array({busy + " = true", name + " = true"})},
                     {"else", ordered_json::array({name + " = false"})}});
    } else {
      out.push_back(st);
    }
  }
  return out;
}

}  // namespace

CompareTable compare_designs(const std::string& path, const std::string& text) {
  (void)parse_property_file(path, text);  // a bad file gets its usual error
  const ordered_json doc = ordered_json::parse(text, nullptr, true, true);
  std::string m;
  std::size_t mutexes = 0;
  for (const auto& r : doc["scenario"]["resources"]) {
    if (r["kind"] == "tokio_mutex") {
      m = r["name"].get<std::string>();
      ++mutexes;
    }
  }
  if (mutexes != 1) throw InputError(path + ": compare needs exactly one tokio_mutex resource, found " + std::to_string(mutexes));
  bool wrapped = false;
  for (const auto& t : doc["scenario"]["tasks"]) wrapped = wrapped || (t.contains("wrapper") && t["wrapper"] != "none");
  if (!wrapped) throw InputError(path + ": compare needs tasks with a wrapper, to vary the pause policy");

  CompareTable table;
  table.mutexes = {"tokio Mutex", "barging mutex", "std Mutex + notify_waiters", "std Mutex + notify_one"};
  table.policies = {"strand (pausable)", "drop the inner future", "finish the item"};
  const Design designs[] = {Design::kTokio, Design::kBarging, Design::kNotifyWaiters, Design::kNotifyOne};
  const char* wrappers[] = {"pausable", "drop_on_pause", "finish_item"};
  for (Design design : designs) {
    std::vector<CompareCell> row;
    for (const char* wrapper : wrappers) {
      ordered_json variant = doc;
      auto& scenario = variant["scenario"];
      for (auto& r : scenario["resources"]) {
        if (r["name"] != m) continue;
        if (design == Design::kBarging) r["kind"] = "barging_mutex";
        if (design == Design::kNotifyWaiters || design == Design::kNotifyOne) r = {{"name", m + "_notify"}, {"kind", "notify"}};
      }
      if (design == Design::kNotifyWaiters || design == Design::kNotifyOne) {
        if (!scenario.contains("variables")) scenario["variables"] = ordered_json::object();
        scenario["variables"][m + "_busy"] = false;
      }
      for (auto& t : scenario["tasks"]) {
        if (t.contains("wrapper") && t["wrapper"] != "none") t["wrapper"] = wrapper;
        t["program"] = rewrite(t["program"], m, design);
      }
      variant["checks"] = ordered_json::array({{{"property", "all_tasks_finish"}}});
      const PropertyFile file = parse_property_file(path, variant.dump());
      const model::TokioModel model(file.scenario);
      const FileRun run = run_checks(file, model);
      CompareCell cell;
      cell.outcome = "passes";
      for (const auto& result : run.results) {
        if (result.verdict != Verdict::kViolated) continue;
        if (result.name == "no_model_error") {
          cell.outcome = "model error";
          break;
        }
        cell.outcome = "hangs";
        if (result.trace) {
          // The stuck state tells strand from hang: something handed over and never polled.
          const auto& s = result.trace->final_state;
          const auto& sc = file.scenario;
          for (std::size_t i = 0; i < sc.tasks.size(); ++i) {
            for (std::size_t r = 0; r < sc.resources.size(); ++r) {
              const bool owns = model::semaphore_based(sc.resources[r].kind) &&
                                s.semaphore(model::resource_at(r)).fully_assigned(model::WaiterId{static_cast<std::uint8_t>(i)});
              // A Notify's notify_one notification, or a barging mutex's listener notification.
              const auto kind = sc.resources[r].kind;
              const bool notified = (kind == model::ResourceKind::kNotify || kind == model::ResourceKind::kBargingMutex) &&
                                    s.notify(model::resource_at(r)).notified(model::task_at(i)) == 1;
              if ((owns || notified) && s.is_paused(i)) {
                // Owned permits and notify_one's notification are stranded with the paused
                // future; a barging mutex's absorbed notification makes later unlocks wake nobody.
                cell.outcome = owns || kind == model::ResourceKind::kNotify ? "strands" : "hangs";
                cell.cause = owns ? "permit owned by paused " + sc.tasks[i].name
                                  : "notification held by paused " + sc.tasks[i].name;
              }
            }
          }
          if (cell.cause.empty()) cell.cause = "waiters hang";
        }
      }
      row.push_back(cell);
    }
    table.cells.push_back(row);
  }
  return table;
}

}  // namespace wakecheck::properties
