// End-to-end tests of `wakecheck check --html DIR`: the page of a property file and index.html are
// written, the page's inline SVG sequence diagram has the counterexample's steps with the
// decisive ones marked, the wait-for graph names the stranded permit, the page fetches nothing,
// text is escaped, and without timing two runs give the same bytes.
//
// The binary and the source root come from the build (WAKECHECK_BINARY, WAKECHECK_SOURCE_DIR);
// the tool runs in the source root, so file paths in its reports are "properties/seed/...".
#include "tests/cli/tool_run.hpp"

#include <CppUTest/TestHarness.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>


namespace {

const std::string kSeed = "properties/seed/pausable_worker.json";
const std::string kSeedPage = "properties_seed_pausable_worker.html";

using namespace wakecheck::testing;

std::size_t count(const std::string& text, const std::string& part) {
  std::size_t n = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + part.size()))
    ++n;
  return n;
}

std::string lower(std::string text) {
  for (char& c : text) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  return text;
}

/// The element that starts with `open` (e.g. `<svg ... id="x"`), up to its closing `close` tag.
std::string element(const std::string& html, const std::string& marker, const std::string& open,
                    const std::string& close) {
  const auto at = html.find(marker);
  if (at == std::string::npos) return "";
  const auto start = html.rfind(open, at);
  const auto end = html.find(close, at);
  if (start == std::string::npos || end == std::string::npos) return "";
  return html.substr(start, end + close.size() - start);
}

/// The opening tag of the element with id `id`.
std::string tag_with_id(const std::string& html, const std::string& id) {
  const auto at = html.find(" id=\"" + id + "\"");
  if (at == std::string::npos) return "";
  const auto start = html.rfind('<', at);
  const auto end = html.find('>', at);
  return html.substr(start, end + 1 - start);
}

/// The seed's HTML report, written into `dir`/html with --no-timing.
std::string seed_page(const TempDir& dir) {
  const ToolRun run =
      run_wakecheck(dir, "check " + kSeed + " --html " + quote(dir.file("html")) + " --no-timing");
  LONGS_EQUAL(0, run.exit_code);
  STRCMP_EQUAL("", run.err.c_str());
  return read_file(dir.file("html/" + kSeedPage));
}

}  // namespace

TEST_GROUP(HtmlReport){};

TEST(HtmlReport, WritesThePageOfTheFileAndAnIndexLinkingIt) {
  TempDir dir;
  CHECK_TRUE(dir.ok());
  // The directory does not exist yet: --html creates it.
  const std::string out = dir.file("reports/html");
  const ToolRun run =
      run_wakecheck(dir, "check " + kSeed + " --html " + quote(out) + " --no-timing");
  LONGS_EQUAL(0, run.exit_code);
  STRCMP_EQUAL("", run.err.c_str());
  // The text report is still printed.
  CHECK_TRUE(contains(run.out, "all_tasks_finish          violated"));
  CHECK_TRUE(std::filesystem::is_regular_file(out + "/" + kSeedPage));
  CHECK_TRUE(std::filesystem::is_regular_file(out + "/index.html"));

  const std::string page = read_file(out + "/" + kSeedPage);
  CHECK_TRUE(page.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK_TRUE(contains(page, "<title>seed: a pausable worker strands the tokio mutex"));
  CHECK_TRUE(contains(page, "<code>" + kSeed + "</code>"));
  // The summary of properties: every one with its verdict and expectation, none a mismatch.
  const std::string summary = element(page, "id=\"summary\"", "<section", "</section>");
  CHECK_TRUE(!summary.empty());
  UNSIGNED_LONGS_EQUAL(10, count(summary, "<tr class=\"property "));
  UNSIGNED_LONGS_EQUAL(10, count(summary, "<tr class=\"property ok\">"));
  CHECK_TRUE(contains(summary, "<strong>all_tasks_finish</strong>"));
  CHECK_TRUE(contains(summary, "<span class=\"badge verdict violated\">violated</span>"));
  CHECK_FALSE(contains(summary, "MISMATCH"));
  // The exploration figures, seconds written as 0 without timing.
  const std::string exploration = element(page, "id=\"exploration\"", "<section", "</section>");
  CHECK_TRUE(
      contains(exploration, "<span class=\"value\">15</span><span class=\"label\">states</span>"));
  CHECK_TRUE(contains(exploration,
                      "<span class=\"value\">0.000</span><span class=\"label\">seconds</span>"));
  CHECK_TRUE(contains(exploration,
                      "<span class=\"value\">yes</span><span class=\"label\">complete</span>"));

  const std::string index = read_file(out + "/index.html");
  CHECK_TRUE(contains(index, "<a href=\"" + kSeedPage + "\"><code>" + kSeed + "</code></a>"));
  for (const char* column : {">file<", ">checks<", ">as expected<", ">states<", ">seconds<"}) {
    CHECK_TEXT(contains(index, column), column);
  }
  CHECK_TRUE(contains(index,
                      "<td class=\"num\">10</td><td class=\"num\">10</td><td class=\"num\">15</td>"
                      "<td class=\"num\">0.000</td>"));
}

TEST(HtmlReport, TheSequenceDiagramHasTheFourteenStepsAndMarksTwelveAndFourteenDecisive) {
  TempDir dir;
  CHECK_TRUE(dir.ok());
  const std::string page = seed_page(dir);
  const std::string svg = element(page, "id=\"sequence-diagram\"", "<svg", "</svg>");
  CHECK_TRUE(!svg.empty());
  // A lane per task and per resource, labelled at the top.
  for (const char* lane : {">main<", ">worker0<", ">worker1<", ">worker2<", ">worker3<", ">m<"}) {
    CHECK_TEXT(contains(svg, lane), lane);
  }
  // One row per step, numbered as in the text report; the counterexample is shown once.
  UNSIGNED_LONGS_EQUAL(14,
                       count(svg, "<g class=\"step\"") + count(svg, "<g class=\"step decisive\""));
  UNSIGNED_LONGS_EQUAL(1, count(page, "class=\"sd sequence-diagram\""));
  for (int n = 1; n <= 14; ++n) {
    const std::string tag = tag_with_id(svg, "step-" + std::to_string(n));
    CHECK_TEXT(!tag.empty(), ("no step " + std::to_string(n)).c_str());
    const bool decisive = contains(tag, "class=\"step decisive\"");
    CHECK_EQUAL_TEXT(n == 12 || n == 14, decisive, tag.c_str());
  }
  CHECK_TRUE(tag_with_id(svg, "step-15").empty());
  CHECK_TRUE(contains(svg, ">poll worker1</text>"));
  CHECK_TRUE(contains(svg, "swallowed: worker1 is paused"));
  // The decisive steps say why, in the diagnosis's words.
  CHECK_TRUE(contains(svg, "decisive: step 12 handed the permit to worker1&#39;s lock future"));
  CHECK_TRUE(contains(svg, "decisive: step 14 polled worker1"));
  // The other property with the same counterexample points to it.
  CHECK_TRUE(contains(page, "The same counterexample as for <strong>waker_contract</strong>"));
}

TEST(HtmlReport, TheDiagnosisAndTheWaitForGraphNameWorkerOnesStrandedPermit) {
  TempDir dir;
  CHECK_TRUE(dir.ok());
  const std::string page = seed_page(dir);
  const std::string diagnosis = element(page, "id=\"diagnosis\"", "<div", "</div>");
  CHECK_TRUE(contains(diagnosis, ">stranded permit</span>"));
  CHECK_TRUE(contains(diagnosis,
                      "m&#39;s permit was handed to worker1&#39;s lock future, which is paused"));
  CHECK_TRUE(contains(diagnosis, "Coffman conditions where the trace ends:"));

  const std::string graph = element(page, "id=\"wait-for-graph\"", "<svg", "</svg>");
  CHECK_TRUE(!graph.empty());
  // The red edge from m to worker1: its permit is owned by worker1's paused future.
  const std::string owned = element(graph, "id=\"edge-m-worker1\"", "<g", "</g>");
  CHECK_TRUE(contains(owned, "class=\"edge owned\""));
  CHECK_TRUE(contains(owned, "m: permit owned by worker1&#39;s future"));
  CHECK_TRUE(contains(owned, ">permit owned</tspan>"));
  CHECK_TRUE(contains(owned, ">by its future</tspan>"));
  CHECK_TRUE(contains(tag_with_id(graph, "node-worker1"), "stranded"));
  // worker2 and worker3 wait for m.
  CHECK_TRUE(contains(element(graph, "id=\"edge-worker2-m\"", "<g", "</g>"), ">waits for</tspan>"));
  CHECK_TRUE(contains(element(graph, "id=\"edge-worker3-m\"", "<g", "</g>"), ">waits for</tspan>"));

  // The final state as tables.
  const std::string tasks = element(page, "id=\"final-tasks\"", "<table", "</table>");
  CHECK_TRUE(
      contains(tasks, "<td><strong>worker1</strong></td><td class=\"status-paused\">paused</td>"));
  CHECK_TRUE(contains(tasks, "a wake was swallowed by its wrapper"));
  const std::string resources = element(page, "id=\"final-resources\"", "<table", "</table>");
  CHECK_TRUE(contains(resources, "<td class=\"hot\">worker1</td><td>worker2, worker3</td>"));
}

TEST(HtmlReport, ThePageIsSelfContained) {
  TempDir dir;
  CHECK_TRUE(dir.ok());
  const std::string page = seed_page(dir);
  const std::string index = read_file(dir.file("html/index.html"));
  for (const std::string* html : {&page, &index}) {
    const std::string text = lower(*html);
    CHECK_FALSE(contains(text, "<script"));
    CHECK_FALSE(contains(text, "<link"));
    CHECK_FALSE(contains(text, "<img"));
    CHECK_FALSE(contains(text, "@import"));
    CHECK_FALSE(contains(text, "src="));
    // Only the SVG namespace looks like an address.
    std::string rest = text;
    const std::string svg_ns = "http://www.w3.org/2000/svg";
    for (auto at = rest.find(svg_ns); at != std::string::npos; at = rest.find(svg_ns))
      rest.erase(at, svg_ns.size());
    CHECK_FALSE(contains(rest, "http://"));
    CHECK_FALSE(contains(rest, "https://"));
    CHECK_FALSE(contains(rest, "//fonts"));
    // CSS and SVG may refer to the page's own markers only.
    CHECK_EQUAL(count(text, "url("), count(text, "url(#"));
  }
  CHECK_TRUE(contains(page, "<style>"));
}

TEST(HtmlReport, TwoRunsWithoutTimingAreByteIdentical) {
  TempDir dir;
  CHECK_TRUE(dir.ok());
  const std::string files =
      kSeed + " properties/language/try_lock_spin.json properties/deadlock/abba.json";
  LONGS_EQUAL(0,
              run_wakecheck(dir, "check " + files + " --no-timing --html " + quote(dir.file("a")))
                  .exit_code);
  LONGS_EQUAL(
      0, run_wakecheck(dir, "check " + files + " --html " + quote(dir.file("b")) + " --no-timing")
             .exit_code);
  for (const char* page :
       {"properties_seed_pausable_worker.html", "properties_language_try_lock_spin.html",
        "properties_deadlock_abba.html", "index.html"}) {
    const std::string a = read_file(dir.file(std::string("a/") + page));
    const std::string b = read_file(dir.file(std::string("b/") + page));
    CHECK_TEXT(!a.empty(), page);
    CHECK_TEXT(a == b, page);
  }
  // The lasso's cycle is bracketed.
  const std::string spin = read_file(dir.file("a/properties_language_try_lock_spin.html"));
  CHECK_TRUE(contains(spin, "<g class=\"cycle\" id=\"cycle\">"));
  CHECK_TRUE(contains(spin, "repeats forever (steps 12"));
}

TEST(HtmlReport, TextFromThePropertyFileIsEscaped) {
  TempDir dir;
  CHECK_TRUE(dir.ok());
  std::string text = read_file(std::string(WAKECHECK_SOURCE_DIR) + "/" + kSeed);
  const std::string from = R"("name": "seed: a pausable worker strands the tokio mutex")";
  const auto at = text.find(from);
  CHECK_TRUE(at != std::string::npos);
  text.replace(at, from.size(), R"("name": "<script>alert('x')</script> & \"co\"")");
  write_file(dir.file("evil.json"), text);
  const ToolRun run = run_wakecheck(dir, "check " + quote(dir.file("evil.json")) + " --html " +
                                             quote(dir.file("html")) + " --no-timing");
  LONGS_EQUAL(0, run.exit_code);
  // The page is named after the file's path, separators as '_'.
  std::string stem = dir.file("evil");
  for (char& c : stem) c = c == '/' ? '_' : c;
  stem = stem.substr(stem.find_first_not_of('_'));
  const std::string page = read_file(dir.file("html/" + stem + ".html"));
  CHECK_TRUE(!page.empty());
  CHECK_FALSE(contains(lower(page), "<script"));
  CHECK_TRUE(
      contains(page, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;co&quot;"));
}

TEST(HtmlReport, ReplayRejectsHtml) {
  TempDir dir;
  CHECK_TRUE(dir.ok());
  const ToolRun run = run_wakecheck(dir, "replay report.json --html " + quote(dir.file("html")));
  LONGS_EQUAL(2, run.exit_code);
  STRCMP_EQUAL("", run.out.c_str());
  CHECK_TRUE(contains(run.err, "'replay' writes no report"));
  CHECK_FALSE(std::filesystem::exists(dir.file("html")));
}

TEST(HtmlReport, HtmlNeedsADirectory) {
  TempDir dir;
  CHECK_TRUE(dir.ok());
  const ToolRun missing = run_wakecheck(dir, "check " + kSeed + " --html");
  LONGS_EQUAL(2, missing.exit_code);
  STRCMP_EQUAL("wakecheck: option '--html' needs a value (see wakecheck --help)\n",
               missing.err.c_str());
  // A path that is a file cannot be the directory: bad usage, no report.
  write_file(dir.file("plain"), "x");
  const ToolRun file = run_wakecheck(dir, "check " + kSeed + " --html " + quote(dir.file("plain")));
  LONGS_EQUAL(2, file.exit_code);
  STRCMP_EQUAL("", file.out.c_str());
  CHECK_TRUE(contains(file.err, "cannot create the directory"));
}
