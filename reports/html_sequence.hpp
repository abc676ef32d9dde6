// The HTML report's sequence diagram of one counterexample: a lane per task and per resource,
// a row per step with its effects as arrows, the decisive steps highlighted, a lasso's cycle
// bracketed. Inline SVG, laid out from the trace data alone.
#pragma once

#include <string>

#include "properties/run.hpp"
#include "reports/reporter.hpp"

namespace wakecheck::reports::html {

/// The diagram of `trace` as an <svg> element with id `id` and title `caption`; `prefix`
/// makes the ids of its definitions unique on the page.
std::string sequence_diagram_svg(const properties::FileRun& run, const properties::TraceData& trace,
                                 const Diagnosis& diagnosis, const std::string& prefix,
                                 const std::string& id, const std::string& caption);

}  // namespace wakecheck::reports::html
