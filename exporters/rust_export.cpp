#include "exporters/rust_export.hpp"

#include <algorithm>

#include "exporters/rust/exporter.hpp"
#include "model/queries.hpp"

namespace wakecheck::exporters {

using rust::refuse;
using rust::supported_resource;
using model::Op;
using model::OpKind;
using model::ResourceKind;

void check_exportable(const properties::PropertyFile& file) {
  const auto& sc = file.scenario;
  std::string faults;
  for (std::size_t k = 0; k < model::kFaultKinds; ++k) {
    if (sc.faults[k].budget == 0) continue;
    faults += (faults.empty() ? "" : ", ") +
              std::string(model::to_string(static_cast<model::FaultKind>(k))) + " " +
              std::to_string(sc.faults[k].budget);
  }
  if (!faults.empty()) {
    refuse(file, "its fault budgets are not zero (" + faults +
                     "); real tokio cannot schedule the environment's faults: script them in a "
                     "program instead (pause, resume, drop, abort)");
  }
  for (const auto& r : sc.resources) {
    if (!supported_resource(r.kind)) {
      refuse(file, "resource '" + r.name + "' is a " + model::to_string(r.kind) +
                       "; the exporter writes every resource kind but barging_mutex");
    }
  }
  auto check_ops = [&](const std::vector<Op>& program, const std::string& where) {
    for (const Op& op : program) {
      const bool guard_op =
          op.kind == OpKind::kLock || op.kind == OpKind::kUnlock || op.kind == OpKind::kTryLock;
      const auto kind = guard_op ? sc.resources[op.a].kind : ResourceKind::kTokioMutex;
      if (kind != ResourceKind::kTokioMutex && kind != ResourceKind::kSemaphore &&
          kind != ResourceKind::kRwLock) {
        refuse(file, "'" + model::describe_op(sc, op) + "' in " + where +
                         " is not on a tokio_mutex, semaphore or rwlock");
      }
    }
  };
  for (const auto& task : sc.tasks) check_ops(task.program, task.name + "'s program");
  for (const auto& handler : sc.handlers) check_ops(handler, "an on_drop handler");
  // A branch of a combinator is a future inside its task, made where the combinator takes it:
  // no program spawns, drops, aborts or joins it as a task.
  auto check_targets = [&](const std::vector<Op>& program, const std::string& where) {
    for (const Op& op : program) {
      const bool on_task = op.kind == OpKind::kSpawn || op.kind == OpKind::kDrop ||
                           op.kind == OpKind::kAbort || op.kind == OpKind::kJoin;
      if (on_task && op.a < sc.tasks.size() && sc.tasks[op.a].parent) {
        refuse(file, "'" + model::describe_op(sc, op) + "' in " + where + " treats branch '" +
                         sc.tasks[op.a].name + "' as a task; the exporter writes a branch only as "
                         "its combinator's future");
      }
    }
  };
  for (const auto& task : sc.tasks) check_targets(task.program, task.name + "'s program");
  for (const auto& handler : sc.handlers) check_targets(handler, "an on_drop handler");
  // A Sender named in `senders` belongs to its task, not to a branch inside it.
  for (const auto& task : sc.tasks) {
    if (!task.parent && !task.shared) continue;
    for (const Op& op : task.program) {
      if ((op.kind == OpKind::kSend || op.kind == OpKind::kPut) && !sc.resources[op.a].senders.empty()) {
        refuse(file, "branch '" + task.name + "' sends on '" + sc.resources[op.a].name +
                         "', whose Senders belong to tasks; the exporter gives a branch no Sender of its own");
      }
    }
  }
  // A channel's one Receiver goes to the one task that receives from it.
  for (std::size_t r = 0; r < sc.resources.size(); ++r) {
    std::vector<std::string> receivers;
    for (const auto& task : sc.tasks) {
      const bool receives =
          std::any_of(task.program.begin(), task.program.end(),
                      [&](const Op& op) { return op.kind == OpKind::kRecv && op.a == r; });
      if (receives) receivers.push_back(task.name);
    }
    if (receivers.size() > 1) {
      refuse(file, "channel '" + sc.resources[r].name + "' has more than one receiving task (" +
                       receivers[0] + ", " + receivers[1] +
                       "); a tokio mpsc channel has one Receiver");
    }
  }
}

std::string export_rust(const properties::PropertyFile& file) {
  return rust::Exporter(file).run();
}

std::string export_rust(const properties::PropertyFile& file, const ForcedSchedule& forced) {
  return rust::Exporter(file, &forced).run();
}

}  // namespace wakecheck::exporters
