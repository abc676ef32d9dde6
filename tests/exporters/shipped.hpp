// What the exporter tests share: the property files shipped in the source tree.
#pragma once

#include <string>

#include "properties/property_file.hpp"

#ifndef WAKECHECK_SOURCE_DIR
#error "compile with -DWAKECHECK_SOURCE_DIR='\"/path/to/source\"'"
#endif

namespace wakecheck::testing {

/// The shipped property file at `relative` (from the source root).
inline properties::PropertyFile shipped(const std::string& relative) {
  return properties::load_property_file(std::string(WAKECHECK_SOURCE_DIR) + "/" + relative);
}

}  // namespace wakecheck::testing
