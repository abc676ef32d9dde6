// Bad input as a value with a location: "properties/x.json:4:9: scenario.tasks[0]: ...".
// Library code throws it; only main() turns it into an exit code.
#pragma once

#include <stdexcept>
#include <string>

namespace wakecheck::properties {

class InputError : public std::runtime_error {
 public:
  explicit InputError(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace wakecheck::properties
