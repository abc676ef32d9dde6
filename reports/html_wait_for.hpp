// The HTML report's wait-for graph of the state a counterexample ends in: tasks and resources as
// nodes; waits, guards held, permits owned by futures and joins as edges; the diagnosis's cycle
// or chain highlighted. Inline SVG.
#pragma once

#include <string>

#include "reports/reporter.hpp"

namespace wakecheck::reports::html {

/// The graph of the state `view` describes as an <svg> element with id `id`; `p` prefixes the
/// ids inside it.
std::string wait_for_svg(const FinalStateView& view, const Diagnosis& d, const std::string& id,
                         const std::string& p);

}  // namespace wakecheck::reports::html
