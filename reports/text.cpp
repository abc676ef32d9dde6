#include "reports/text.hpp"

#include <cstdio>

namespace wakecheck::reports {

std::string format_seconds(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3f", value);
  return buffer;
}

}  // namespace wakecheck::reports
