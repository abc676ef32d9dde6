// A counterexample's schedule forced on real tokio: `wakecheck export --rust REPORT --trace NAME`
// writes the scenario's program with every timer given the time at which the trace fires it, so
// that real tokio runs the trace's order of timers by construction, not by luck.
//
// On current_thread everything else the trace chooses is tokio's own deterministic order (the run
// queue, the defer list, the park), so forcing the timers forces the trace. What real tokio
// draws at random is forced too: each poll of an unbiased select! starts at the branch the trace's
// poll started at. What the OS decides (multi_thread's workers) and the environment's faults
// cannot be forced: such a trace is refused.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "exporters/hang_verdict.hpp"
#include "properties/property_file.hpp"
#include "properties/report_reader.hpp"

namespace wakecheck::exporters {

/// When each timer of the trace fires, in milliseconds after the program's start.
struct ForcedSchedule {
  static constexpr std::uint32_t kNever = 0xFFFFFFFF;  // not fired within the trace
  static constexpr std::uint32_t kTickMs = 50;         // one tick of a timed sleep
  static constexpr std::uint32_t kStepMs = 20;         // between two untimed firings
  std::string property;  // the check whose trace it is
  std::size_t steps = 0;
  // Per task (or branch): the firing time of each timer it registers, in registration order: its
  // sleeps (a sleep statement, a select!'s sleep branch, an initializer's sleep) and its
  // timeouts' deadlines.
  std::vector<std::vector<std::uint32_t>> sleeps;
  std::vector<std::vector<std::uint32_t>> deadlines;
  // Per task: at each poll of an unbiased select!, the branch it starts at, as the trace has it
  // (of a lock, or notified, and a sleep or ready: 1 when it starts at the other branch).
  std::vector<std::vector<std::uint8_t>> starts;
  std::uint32_t last_ms = 0;  // the last firing
  HangVerdict end;            // the tasks that hang where the trace ends: the one outcome
};

/// The schedule of `trace` (a counterexample of `file`'s check, from a JSON report). Throws
/// properties::InputError, naming the report, for a trace that does not replay or that real tokio
/// cannot be made to follow.
ForcedSchedule forced_schedule(const properties::PropertyFile& file, const properties::ReportTrace& trace,
                               const std::string& report_path);

}  // namespace wakecheck::exporters
