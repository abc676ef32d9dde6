// The words reports use for verdicts and expectations. A `reachable` property (kind kSometimes)
// is about whether a situation can happen at all, so it is "reached" or "unreachable"; the others
// are "holds", "violated", "vacuous" (and any of them "unknown" when the search stopped short).
#pragma once

#include "explorer/property.hpp"
#include "properties/property_file.hpp"
#include "properties/run.hpp"

namespace wakecheck::properties {

/// The property's kind as reports name it: "always", "reachable", "at_dead_ends", "leads_to".
const char* kind_word(explorer::PropertyKind kind);

/// "reached" / "unreachable" for a reachable property's holds / violated; else to_string(verdict).
const char* verdict_word(Verdict verdict, explorer::PropertyKind kind);

/// The expectation in the same words as the verdict it is compared with.
const char* expectation_word(Expectation expectation, explorer::PropertyKind kind);

/// The result's own verdict and expectation ("" when it has none), in those words.
const char* verdict_word(const PropertyResult& result);
const char* expectation_word(const PropertyResult& result);

}  // namespace wakecheck::properties
