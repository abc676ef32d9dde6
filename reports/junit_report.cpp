// JUnit XML, for CI systems: one testsuite per property file, one testcase per property. A
// property whose verdict is not the expected one is a failure carrying the counterexample.
#include <sstream>

#include "reports/text.hpp"
#include "properties/verdict_words.hpp"
#include "reports/reporter.hpp"

namespace wakecheck::reports {
namespace {

std::string escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        // XML 1.0 forbids most control characters, even escaped.
        if (static_cast<unsigned char>(c) >= 0x20 || c == '\n' || c == '\t') out += c;
    }
  }
  return out;
}

class JunitReporter final : public Reporter {
 public:
  JunitReporter(std::ostream& out, bool include_timing) : out_(out), timing_(include_timing) {}

  void add(const properties::FileRun& run) override {
    const auto& file = *run.file;
    std::size_t failures = 0;
    std::ostringstream cases;
    for (const auto& result : run.results) {
      ++tests_;
      cases << "    <testcase classname=\"" << escape(file.path) << "\" name=\"" << escape(result.name)
            << "\" time=\"0\">\n";
      if (!result.as_expected) {
        ++failures;
        std::string message = std::string(properties::verdict_word(result));
        if (result.expected) message += ", expected " + std::string(properties::expectation_word(result));
        cases << "      <failure message=\"" << escape(message) << "\" type=\"verdict\">"
              << escape(details(result)) << "</failure>\n";
      }
      cases << "    </testcase>\n";
    }
    failures_ += failures;
    suites_ << "  <testsuite name=\"" << escape(file.path) << "\" tests=\"" << run.results.size()
            << "\" failures=\"" << failures << "\" errors=\"0\" time=\""
            << (timing_ ? format_seconds(run.stats.seconds) : "0") << "\">\n"
            << "    <properties>\n"
            << "      <property name=\"scenario\" value=\"" << escape(file.name) << "\"/>\n"
            << "      <property name=\"states\" value=\"" << run.stats.states << "\"/>\n"
            << "      <property name=\"transitions\" value=\"" << run.stats.transitions << "\"/>\n"
            << "    </properties>\n"
            << cases.str() << "  </testsuite>\n";
  }

  void finish() override {
    out_ << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         << "<testsuites name=\"wakecheck\" tests=\"" << tests_ << "\" failures=\"" << failures_
         << "\" errors=\"0\">\n"
         << suites_.str() << "</testsuites>\n";
  }

 private:
  static std::string details(const properties::PropertyResult& result) {
    std::string text = result.description + "\n";
    if (!result.trace) return text;
    for (const auto& step : result.trace->steps) {
      if (result.trace->loop_start && step.index == *result.trace->loop_start) {
        text += "-- the cycle: from here the run repeats forever --\n";
      }
      text += std::to_string(step.index) + "  " + step.event_text + "\n";
      for (const auto& effect : step.effects) text += "     " + effect.text + "\n";
    }
    return text;
  }

  std::ostream& out_;
  bool timing_;
  std::ostringstream suites_;
  std::size_t tests_ = 0;
  std::size_t failures_ = 0;
};

}  // namespace

std::unique_ptr<Reporter> make_junit_reporter(std::ostream& out, bool include_timing) {
  return std::make_unique<JunitReporter>(out, include_timing);
}

}  // namespace wakecheck::reports
