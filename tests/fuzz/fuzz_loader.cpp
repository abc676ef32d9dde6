// libFuzzer harness: the property-file loader (parse, index, schema, programs, formulas) on
// arbitrary bytes. A file or an InputError are the only outcomes; anything else (a crash, a
// sanitizer report, another exception, a message that is not one line naming the file) is a
// bug.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "properties/input_error.hpp"
#include "properties/property_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const auto file = wakecheck::properties::parse_property_file("fuzz.json", text);
    (void)file;
  } catch (const wakecheck::properties::InputError& error) {
    const std::string message = error.what();
    if (message.rfind("fuzz.json:", 0) != 0 || message.find('\n') != std::string::npos) std::abort();
  }
  return 0;
}
