#include "exporters/hang_verdict.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "explorer/scc.hpp"
#include "model/queries.hpp"
#include "model/tokio_model.hpp"
#include "properties/input_error.hpp"

namespace wakecheck::exporters {

using properties::InputError;
using properties::PropertyFile;
namespace {

using model::Op;
using model::OpKind;
using model::Wrapper;

// --- the verdict -------------------------------------------------------------------------------

/// Tasks some program drops with `drop T`.
std::vector<bool> drop_targets(const model::Scenario& sc) {
  std::vector<bool> targets(sc.tasks.size(), false);
  auto scan = [&](const std::vector<Op>& program) {
    for (const Op& op : program) {
      if (op.kind == OpKind::kDrop) targets[op.a] = true;
    }
  };
  for (const auto& task : sc.tasks) scan(task.program);
  for (const auto& handler : sc.handlers) scan(handler);
  return targets;
}

/// The tasks whose JoinHandle never completes in `s`, and of those the paused ones.
std::pair<std::vector<std::size_t>, std::vector<std::size_t>> hung_in(
    const model::Scenario& sc, const model::State& s, const std::vector<bool>& dropped_by_program) {
  std::vector<std::size_t> hung, paused;
  for (std::size_t t = 0; t < sc.tasks.size(); ++t) {
    const auto& ts = s.tasks(t);
    const bool own_paused = s.is_paused(t);
    // A drop_on_pause wrapper that dropped its task's future stays Pending: the task hangs. A
    // task some program drops was dropped by that program unless its flag is set.
    const bool wrapper_dropped = ts.status == model::TaskStatus::kDropped &&
                                 sc.futures[t].wrapper == Wrapper::kDropOnPause &&
                                 (own_paused || !dropped_by_program[t]);
    if (!ts.live() && !wrapper_dropped) continue;
    hung.push_back(t);
    if (model::task_paused(s, sc, model::task_at(t))) paused.push_back(t);
  }
  return {hung, paused};
}

}  // namespace

HangVerdict hang_verdict_at(const PropertyFile& file, const model::State& end) {
  const auto& sc = file.scenario;
  const auto [hung, paused] = hung_in(sc, end, drop_targets(sc));
  HangVerdict verdict;
  std::vector<std::string> names;
  for (std::size_t t : hung) names.push_back(sc.tasks[t].name);
  for (std::size_t t : paused) verdict.paused.push_back(sc.tasks[t].name);
  verdict.hung = names;
  verdict.outcomes.push_back(names);
  verdict.states = 1;
  verdict.ends = 1;
  return verdict;
}

HangVerdict hang_verdict(const PropertyFile& file,
                         const explorer::SearchOptions& options) {
  const model::TokioModel model(file.scenario);
  const auto& sc = model.scenario();
  explorer::SearchOptions search_options = options;
  search_options.symmetry = false;  // hung sets name tasks
  const auto explored = explorer::explore(model, {}, search_options);
  const auto& x = explored.first;  // named, not bound: clang 14 lambdas cannot capture bindings
  if (!x->stats().complete()) {
    throw InputError(file.path +
                     ": cannot compute the model's verdict on hangs: the search stopped at " +
                     std::to_string(x->stats().states) + " states");
  }
  const auto n = static_cast<std::uint32_t>(x->size());
  const auto comps = explorer::strong_components(x->graph(), n, [](std::uint32_t) { return true; });
  const auto fairness = explorer::weak_fairness(x->graph(), comps, [&](std::uint32_t v) { return x->keys(v); },
                                                [&](std::uint32_t v) { return x->pending(v); });
  const auto count = static_cast<std::size_t>(comps.count);

  // Each end's hung set: a dead end, or one state of each fair component (tasks neither finish
  // nor start along a cycle, so every state of it has the same set).
  const auto dropped_by_program = drop_targets(sc);
  HangVerdict verdict;
  verdict.states = n;
  std::set<std::size_t> hung_union, paused_union;
  std::vector<bool> component_done(count, false);
  std::set<std::vector<std::size_t>> sets_seen;
  for (std::uint32_t v = 0; v < n; ++v) {
    const std::uint32_t c = comps.of[v];
    const bool end = x->dead_end(v) || (fairness.fair[c] && !component_done[c]);
    if (!end) continue;
    if (fairness.fair[c]) component_done[c] = true;
    ++verdict.ends;
    const model::State state(model.view(x->state(v).data()));
    const auto [hung, paused] = hung_in(sc, state, dropped_by_program);
    hung_union.insert(hung.begin(), hung.end());
    paused_union.insert(paused.begin(), paused.end());
    if (sets_seen.insert(hung).second) {
      std::vector<std::string> names;
      for (std::size_t t : hung) names.push_back(sc.tasks[t].name);
      verdict.outcomes.push_back(names);
    }
  }
  for (std::size_t t : hung_union) verdict.hung.push_back(sc.tasks[t].name);
  for (std::size_t t : paused_union) verdict.paused.push_back(sc.tasks[t].name);
  verdict.determined = verdict.outcomes.size() <= 1;
  return verdict;
}

}  // namespace wakecheck::exporters
