// libFuzzer harness: the JSON report reader that replay and export use, then every trace it
// yields replayed against the seed's model (keys choose among the enabled events, whatever
// they say). An InputError is the only failure allowed.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "model/tokio_model.hpp"
#include "properties/input_error.hpp"
#include "properties/property_file.hpp"
#include "properties/replay.hpp"
#include "properties/report_reader.hpp"

#ifndef WAKECHECK_SOURCE_DIR
#error "compile with -DWAKECHECK_SOURCE_DIR='\"/path/to/source\"'"
#endif

namespace {

const wakecheck::model::TokioModel& seed_model() {
  static const auto file =
      wakecheck::properties::load_property_file(WAKECHECK_SOURCE_DIR "/properties/seed/pausable_worker.json");
  static const wakecheck::model::TokioModel model(file.scenario);
  return model;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace props = wakecheck::properties;
  const std::string text(reinterpret_cast<const char*>(data), size);
  (void)props::report_files("fuzz_report.json", text);
  try {
    const auto report = props::read_report("fuzz_report.json", text);
    for (const auto& trace : report.traces) {
      if (trace.key.size() > 256) continue;  // long keys only take longer
      (void)props::replay_key(seed_model(), trace.key, trace.expected);
    }
  } catch (const props::InputError& error) {
    const std::string message = error.what();
    if (message.rfind("fuzz_report.json:", 0) != 0 || message.find('\n') != std::string::npos) std::abort();
  }
  return 0;
}
