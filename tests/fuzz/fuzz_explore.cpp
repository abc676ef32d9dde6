// libFuzzer harness: loading plus a bounded exploration. Every file the loader accepts is
// checked with a small state bound (every property decided or left unknown, counterexamples
// narrated), and every counterexample found must replay against the same model; the scenario is
// exported to Rust, and each counterexample forced (a refusal is an InputError, never a crash).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <utility>

#include "exporters/rust_export.hpp"
#include "exporters/schedule.hpp"
#include "model/tokio_model.hpp"
#include "properties/input_error.hpp"
#include "properties/property_file.hpp"
#include "properties/replay.hpp"
#include "properties/run.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace props = wakecheck::properties;
  const std::string text(reinterpret_cast<const char*>(data), size);
  props::PropertyFile file;
  try {
    file = props::parse_property_file("fuzz.json", text);
  } catch (const props::InputError&) {
    return 0;
  }
  const wakecheck::model::TokioModel model(file.scenario);
  wakecheck::explorer::SearchOptions options;
  options.max_states = 300;
  const auto run = props::run_checks(file, model, options);
  for (const auto& result : run.results) {
    if (!result.trace) continue;
    // A cancel_safe counterexample applies to its variant: the scenario with its one drop.
    std::optional<wakecheck::model::TokioModel> variant;
    if (const auto& at = result.trace->cancelled_at) variant.emplace(props::cancel_variant(file.scenario, *at));
    const auto replayed = props::replay_key(variant ? *variant : model, result.trace->replay_key());
    if (replayed.failed_at) std::abort();  // a trace the search found must apply
    if (result.verdict != props::Verdict::kViolated) continue;
    props::ReportTrace trace;
    trace.file = file.path;
    trace.property = result.name;
    trace.kind = "counterexample";
    trace.key = result.trace->replay_key();
    if (result.trace->cancelled_at) trace.cancelled_at = std::make_pair(std::string("a task"), std::size_t{0});
    try {
      const auto schedule = wakecheck::exporters::forced_schedule(file, trace, "fuzz.report.json");
      (void)wakecheck::exporters::export_rust(file, schedule);
    } catch (const props::InputError&) {
      // refused: a multi_thread trace, faults, a trace whose run goes on, a scenario not exportable
    }
  }
  try {
    (void)wakecheck::exporters::export_rust(file);
  } catch (const props::InputError&) {
  }
  return 0;
}
