// HTML: one self-contained page per checked file (inline CSS and SVG, no scripts, nothing
// fetched), and an index linking them. A page shows the verdicts, the exploration figures and,
// for each distinct counterexample, a sequence diagram of its steps (a lane per task and per
// resource, the decisive steps highlighted, a lasso's cycle bracketed), the diagnosis, the
// wait-for graph of the state it ends in and that state as tables.
//
// Everything is laid out here from the trace data; nothing depends on the clock or on addresses,
// so without timing the bytes depend on the input only.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "properties/input_error.hpp"
#include "reports/text.hpp"
#include "reports/reporter.hpp"
#include "reports/findings.hpp"
#include "reports/html_page.hpp"
#include "reports/html_sequence.hpp"
#include "reports/html_wait_for.hpp"
#include "properties/verdict_words.hpp"

namespace wakecheck::reports {
namespace {

using properties::FileRun;
using properties::PropertyResult;
using properties::TraceData;
using properties::TraceStep;
using namespace html;

// --- the reporter --------------------------------------------------------------------------------

struct IndexRow {
  std::string file;
  std::string name;
  std::string page;
  std::size_t checks = 0;
  std::size_t as_expected = 0;
  std::uint64_t states = 0;
  double seconds = 0.0;
  std::vector<Finding> findings;  // violated, unreachable or unknown properties
};

class HtmlReporter final : public Reporter {
 public:
  HtmlReporter(std::string directory, bool include_timing)
      : dir_(std::move(directory)), timing_(include_timing) {}

  void add(const FileRun& run) override {
    const auto& file = *run.file;
    IndexRow row{file.path, file.name,        unique_page(page_stem(file.path)), run.results.size(),
                 0,         run.stats.states, timing_ ? run.stats.seconds : 0.0, {}};
    for (const auto& result : run.results) row.as_expected += result.as_expected ? 1 : 0;
    row.findings = findings_of(run);
    std::ostringstream page;
    write_page(page, run, row);
    write_file(row.page, page.str());
    index_.push_back(std::move(row));
  }

  void finish() override {
    std::ostringstream o;
    open_page(o, "wakecheck report");
    std::size_t checks = 0;
    std::size_t as_expected = 0;
    for (const auto& row : index_) {
      checks += row.checks;
      as_expected += row.as_expected;
    }
    o << "<header>\n<h1>wakecheck report</h1>\n<p class=\"subtitle\">" << index_.size()
      << (index_.size() == 1 ? " file, " : " files, ") << checks
      << (checks == 1 ? " check: " : " checks: ") << as_expected << " as expected, "
      << (checks - as_expected) << " not</p>\n";
    o << "<span class=\"banner "
      << (as_expected == checks ? "ok\">every verdict as expected"
                                : "mismatch\">some verdicts not as expected")
      << "</span>\n</header>\n";
    // Files whose verdicts are not as expected first, then those with findings, then the rest.
    std::vector<const IndexRow*> rows;
    for (const auto& row : index_) rows.push_back(&row);
    std::stable_sort(rows.begin(), rows.end(), [](const IndexRow* a, const IndexRow* b) {
      return index_rank(a->as_expected == a->checks, a->findings) <
             index_rank(b->as_expected == b->checks, b->findings);
    });
    std::size_t with_findings = 0;
    for (const auto& row : index_) with_findings += row.findings.empty() ? 0U : 1U;
    o << "<section class=\"card\" id=\"files\">\n<h2>Files</h2>\n<p class=\"lede\">" << with_findings
      << (with_findings == 1 ? " file has" : " files have")
      << " findings (a property violated, unreachable or left unknown), listed first after any "
         "whose verdicts are not as expected.</p>\n<table class=\"summary\">\n<thead><tr><th>file</th>"
      << "<th>findings</th><th class=\"num\">checks</th><th class=\"num\">as expected</th><th "
         "class=\"num\">states</th>"
      << "<th class=\"num\">seconds</th><th></th></tr></thead>\n<tbody>\n";
    for (const IndexRow* row : rows) {
      const bool ok = row->as_expected == row->checks;
      o << "<tr class=\"file " << (!ok ? "mismatch" : row->findings.empty() ? "clean" : "findings")
        << "\"><td><a href=\"" << esc(row->page) << "\"><code>" << esc(row->file)
        << "</code></a><span class=\"desc\">" << esc(row->name) << "</span></td><td class=\"findings\">";
      if (row->findings.empty()) o << "\xE2\x80\x94";
      for (const auto& f : row->findings) {
        o << "<span class=\"finding\"><span class=\"badge verdict " << esc(f.word) << "\">" << esc(f.word)
          << "</span> " << esc(f.property) << "</span>";
      }
      o << "</td><td class=\"num\">" << row->checks << "</td><td class=\"num\">" << row->as_expected
        << "</td><td class=\"num\">" << row->states << "</td><td class=\"num\">"
        << format_seconds(row->seconds) << "</td><td><span class=\"badge "
        << (ok ? "ok\">ok" : "mismatch\">MISMATCH") << "</span></td></tr>\n";
    }
    if (index_.empty())
      o << "<tr><td colspan=\"7\" class=\"empty\">no files were checked</td></tr>\n";
    o << "</tbody>\n</table>\n</section>\n";
    close_page(o);
    write_file("index.html", o.str());
  }

 private:
  std::string unique_page(const std::string& stem) {
    std::string name = stem + ".html";
    for (int n = 2;
         name == "index.html" || std::find(pages_.begin(), pages_.end(), name) != pages_.end();
         ++n) {
      name = stem + "_" + std::to_string(n) + ".html";
    }
    pages_.push_back(name);
    return name;
  }

  void write_file(const std::string& name, const std::string& text) const {
    const std::string path = (std::filesystem::path(dir_) / name).string();
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) throw properties::InputError("wakecheck: cannot write '" + path + "'");
  }

  void write_page(std::ostream& o, const FileRun& run, const IndexRow& row) const {
    const auto& file = *run.file;
    const auto& sc = file.scenario;
    open_page(o, file.name + " \xE2\x80\x94 wakecheck");
    o << "<header>\n<p class=\"crumb\"><a href=\"index.html\">\xE2\x86\x90 all files</a></p>\n<h1>"
      << esc(file.name) << "</h1>\n<p class=\"subtitle\"><code>" << esc(file.path)
      << "</code> \xC2\xB7 " << model::to_string(sc.flavor) << ", " << sc.tasks.size()
      << (sc.tasks.size() == 1 ? " task, " : " tasks, ") << sc.resources.size()
      << (sc.resources.size() == 1 ? " resource" : " resources") << "</p>\n";
    const std::size_t not_ok = row.checks - row.as_expected;
    o << "<span class=\"banner " << (not_ok == 0 ? "ok" : "mismatch") << "\">";
    if (not_ok == 0) {
      o << "all " << row.checks << " checks as expected";
    } else {
      o << not_ok << " of " << row.checks << " checks not as expected";
    }
    o << "</span>\n</header>\n";

    // Which results get a diagram: each distinct counterexample once, as in the text report.
    std::vector<const PropertyResult*> shown;
    std::vector<std::vector<std::string>> same_as;  // per shown: the other properties with it
    std::vector<std::string> anchor(run.results.size());
    for (std::size_t i = 0; i < run.results.size(); ++i) {
      const auto& result = run.results[i];
      if (!result.trace || result.kind == explorer::PropertyKind::kSometimes) continue;
      bool found = false;
      for (std::size_t k = 0; k < shown.size(); ++k) {
        if (shown[k]->trace->replay_key() == result.trace->replay_key()) {
          same_as[k].push_back(result.name);
          anchor[i] = "counterexample-" + id_part(shown[k]->name);
          found = true;
          break;
        }
      }
      if (found) continue;
      shown.push_back(&result);
      same_as.emplace_back();
      anchor[i] = "counterexample-" + id_part(result.name);
    }

    o << "<section class=\"card\" id=\"summary\">\n<h2>Properties</h2>\n<table "
         "class=\"properties\">\n<thead><tr>"
      << "<th>property</th><th>kind</th><th>verdict</th><th>expected</th><th>result</th></tr></"
         "thead>\n<tbody>\n";
    for (std::size_t i = 0; i < run.results.size(); ++i) {
      const auto& result = run.results[i];
      const std::string verdict = properties::verdict_word(result);
      o << "<tr class=\"property " << (result.as_expected ? "ok" : "mismatch") << "\"><td><strong>"
        << esc(result.name) << "</strong>";
      if (!anchor[i].empty()) o << " \xC2\xB7 <a href=\"#" << anchor[i] << "\">counterexample</a>";
      o << "<span class=\"desc\">" << esc(result.description) << "</span></td><td><code>"
        << properties::kind_word(result.kind) << "</code></td><td><span class=\"badge verdict " << verdict
        << "\">" << verdict << "</span></td><td class=\"expected\">"
        << (result.expected ? properties::expectation_word(result) : "\xE2\x80\x94")
        << "</td><td><span class=\"badge "
        << (result.as_expected ? "ok\">ok" : "mismatch\">MISMATCH") << "</span></td></tr>\n";
    }
    o << "</tbody>\n</table>\n</section>\n";

    const double secs = timing_ ? run.stats.seconds : 0.0;
    o << "<section class=\"card\" id=\"exploration\">\n<h2>Exploration</h2>\n<div "
         "class=\"figures\">\n";
    figure(o, "states", std::to_string(run.stats.states), "");
    figure(o, "transitions", std::to_string(run.stats.transitions), "");
    figure(o, "depth", std::to_string(run.stats.depth), "");
    figure(o, "seconds", format_seconds(secs), "");
    figure(o, "complete", run.stats.complete() ? "yes" : "no",
           run.stats.complete() ? "" : " incomplete");
    o << "</div>\n";
    if (!run.stats.complete()) {
      o << "<p class=\"empty\">The search stopped at the state bound: verdicts it could not decide "
           "are 'unknown'.</p>\n";
    }
    o << "</section>\n";

    for (std::size_t k = 0; k < shown.size(); ++k)
      write_counterexample(o, run, *shown[k], same_as[k], k);
    if (shown.empty()) {
      o << "<section class=\"card\" id=\"counterexamples\">\n<h2>Counterexamples</h2>\n"
        << "<p class=\"empty\">No property is violated: there is no counterexample to "
           "show.</p>\n</section>\n";
    }
    close_page(o);
  }

  static void figure(std::ostream& o, const char* label, const std::string& value,
                     const char* extra) {
    o << "<div class=\"figure-box" << extra << "\" id=\"figure-" << label
      << "\"><span class=\"value\">" << esc(value) << "</span><span class=\"label\">" << label
      << "</span></div>\n";
  }

  void write_counterexample(std::ostream& o, const FileRun& run, const PropertyResult& result,
                            const std::vector<std::string>& also, std::size_t k) const {
    const TraceData& trace = *result.trace;
    const Diagnosis& d = trace.diagnosis;
    const std::string prefix = k == 0 ? "" : "cx" + std::to_string(k + 1) + "-";
    const std::string id_suffix = k == 0 ? "" : "-" + std::to_string(k + 1);
    o << "<section class=\"card counterexample\" id=\"counterexample-" << id_part(result.name)
      << "\">\n<h2>" << esc(result.name) << ": <span class=\"badge verdict "
      << properties::verdict_word(result) << "\">" << properties::verdict_word(result)
      << "</span></h2>\n<p class=\"lede\">" << esc(result.description) << "</p>\n";
    o << "<p class=\"lede\">";
    if (trace.loop_start) {
      o << noun(result.kind) << ", a lasso: " << (*trace.loop_start - 1) << " steps, then steps "
        << *trace.loop_start << " to " << trace.steps.size() << " repeat forever.";
    } else {
      o << noun(result.kind) << (run.stats.random ? ", the shortest the random runs found (" : ", shortest (")
        << trace.steps.size() << " steps).";
    }
    o << "</p>\n";
    if (!also.empty()) {
      o << "<p class=\"also\">The same counterexample as for ";
      for (std::size_t i = 0; i < also.size(); ++i) {
        o << (i == 0                 ? ""
              : i + 1 == also.size() ? " and "
                                     : ", ")
          << "<strong>" << esc(also[i]) << "</strong>";
      }
      o << ".</p>\n";
    }

    o << "<h3>Sequence diagram</h3>\n<div class=\"scroll\">\n";
    o << sequence_diagram_svg(
        run, trace, d, prefix, "sequence-diagram" + id_suffix,
        "sequence diagram of the " + std::string(noun(result.kind)) + " of " + result.name);
    o << "</div>\n<ul class=\"legend\">"
      << "<li><span class=\"swatch\"></span>task alive</li>"
      << "<li><span class=\"swatch paused\"></span>task paused</li>"
      << "<li><span class=\"swatch held\"></span>resource held by a guard</li>"
      << "<li><span class=\"swatch owned\"></span>permit owned by a pending future</li>"
      << "<li><span class=\"swatch handover\"></span>permit handed over</li>"
      << "<li><span class=\"swatch decisive\"></span>decisive step</li>";
    if (trace.loop_start) o << "<li>blue rows: the cycle that repeats forever</li>";
    o << "</ul>\n";

    o << "<h3>Diagnosis</h3>\n<div class=\"diagnosis" << (d.cause == Cause::kNone ? " none" : "")
      << "\" id=\"diagnosis" << id_suffix << "\">\n";
    if (d.cause != Cause::kNone) {
      std::string cause = to_string(d.cause);
      std::replace(cause.begin(), cause.end(), '_', ' ');
      o << "<p class=\"cause\"><span class=\"cause-name\">" << esc(cause) << "</span>";
      // The summary starts with the cause's name; say it once.
      std::string summary = d.summary;
      if (summary.rfind(cause + ": ", 0) == 0) summary = summary.substr(cause.size() + 2);
      o << esc(summary) << "</p>\n";
      if (!d.details.empty()) {
        o << "<ul>\n";
        for (const auto& sentence : d.details) o << "<li>" << esc(sentence) << "</li>\n";
        o << "</ul>\n";
      }
    } else {
      o << "<p>No cause is diagnosed: nothing in the state where the trace ends is recognised as "
           "stuck.</p>\n";
    }
    o << "<p class=\"coffman\">" << esc(d.coffman) << "</p>\n";
    o << "<p class=\"replay\">replay key: <code>";
    for (std::size_t choice : trace.replay_key()) o << choice << " ";
    o << "</code></p>\n</div>\n";

    o << "<h3>"
      << (trace.loop_start ? "Wait-for graph at the start of the cycle"
                           : "Wait-for graph of the final state")
      << "</h3>\n<div class=\"scroll\">\n"
      << wait_for_svg(trace.final_view, d, "wait-for-graph" + id_suffix, prefix) << "</div>\n";
    o << "<ul class=\"legend\"><li><span class=\"swatch waits\"></span>waits for</li>"
      << "<li><span class=\"swatch held\"></span>held by</li>"
      << "<li><span class=\"swatch owned\"></span>permit owned by its future</li></ul>\n";

    write_final_state(o, trace, id_suffix);
    o << "</section>\n";
  }

  static void write_final_state(std::ostream& o, const TraceData& trace,
                                const std::string& id_suffix) {
    const FinalStateView& view = trace.final_view;
    o << "<h3>" << (trace.loop_start ? "State at the start of the cycle" : "Final state")
      << "</h3>\n";
    o << "<table class=\"final-state resources\" id=\"final-resources" << id_suffix
      << "\">\n<thead><tr><th>resource</th>"
      << "<th>kind</th><th class=\"num\">permits</th><th class=\"num\">available</th><th>guard "
         "held by</th>"
      << "<th>permit owned by the future of</th><th>waiters (oldest "
         "first)</th></tr></thead>\n<tbody>\n";
    for (const auto& r : view.resources) {
      o << "<tr><td><strong>" << esc(r.name) << "</strong></td><td><code>" << esc(r.kind)
        << "</code></td><td class=\"num\">" << r.permits << "</td><td class=\"num\">" << r.available
        << "</td><td>" << esc(join(r.guard_holders, "nobody")) << "</td><td"
        << (r.owning_futures.empty() ? "" : " class=\"hot\"") << ">" << esc(join(r.owning_futures))
        << "</td><td>" << esc(join(r.waiters, "none")) << "</td></tr>\n";
    }
    if (view.resources.empty())
      o << "<tr><td colspan=\"7\" class=\"empty\">no resources</td></tr>\n";
    o << "</tbody>\n</table>\n";
    o << "<table class=\"final-state tasks\" id=\"final-tasks" << id_suffix
      << "\">\n<thead><tr><th>task</th>"
      << "<th>status</th><th>waits for</th><th>holds</th><th>its future owns the permit "
         "of</th><th>notes</th></tr>"
      << "</thead>\n<tbody>\n";
    for (const auto& t : view.tasks) {
      std::string status_cls = "status-" + id_part(t.status);
      std::string notes;
      if (t.paused && t.status != "paused") notes += "paused";
      if (t.waits_for && t.status == "paused")
        notes += (notes.empty() ? "" : "; ") + std::string("still queued");
      if (t.wake_swallowed)
        notes += (notes.empty() ? "" : "; ") + std::string("a wake was swallowed by its wrapper");
      o << "<tr><td><strong>" << esc(t.name) << "</strong></td><td class=\"" << status_cls << "\">"
        << esc(t.status) << "</td><td>" << esc(t.waits_for.value_or("\xE2\x80\x94")) << "</td><td>"
        << esc(join(t.holds)) << "</td><td" << (t.owns_permits.empty() ? "" : " class=\"hot\"")
        << ">" << esc(join(t.owns_permits)) << "</td><td>"
        << esc(notes.empty() ? "\xE2\x80\x94" : notes) << "</td></tr>\n";
    }
    o << "</tbody>\n</table>\n";
  }

  std::string dir_;
  bool timing_;
  std::vector<std::string> pages_;
  std::vector<IndexRow> index_;
};

}  // namespace

std::unique_ptr<Reporter> make_html_reporter(const std::string& directory, bool include_timing) {
  std::error_code error;
  std::filesystem::create_directories(directory, error);
  if (error || !std::filesystem::is_directory(directory, error)) {
    throw properties::InputError("wakecheck: cannot create the directory '" + directory + "'");
  }
  return std::make_unique<HtmlReporter>(directory, include_timing);
}

}  // namespace wakecheck::reports
