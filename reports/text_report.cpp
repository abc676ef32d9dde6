#include <algorithm>
#include <cstdio>
#include <string>

#include "reports/text.hpp"
#include "reports/reporter.hpp"
#include "reports/findings.hpp"
#include "properties/verdict_words.hpp"

namespace wakecheck::reports {
namespace {

/// Why an incomplete search stopped, for the figures line ("" when it is complete).
std::string stop_note(const explorer::SearchStats& stats) {
  switch (stats.stop) {
    case explorer::Stop::kComplete: return "";
    case explorer::Stop::kMaxStates: return " (stopped at the state bound: incomplete)";
    case explorer::Stop::kMemory: return " (stopped at the memory budget: incomplete)";
    case explorer::Stop::kTime: return " (stopped at the time limit: incomplete)";
    case explorer::Stop::kSampled: return " (random schedules: not every state)";
    case explorer::Stop::kFirst:
      return " (stopped at the first counterexample: incomplete; it has the fewest steps, perhaps not the "
             "fewest faults)";
  }
  return "";
}

using properties::FileRun;
using properties::PropertyResult;
using properties::TraceData;

std::string pad(std::string text, std::size_t width) {
  if (text.size() < width) text.append(width - text.size(), ' ');
  return text;
}

const char* noun(explorer::PropertyKind kind) {
  return kind == explorer::PropertyKind::kSometimes ? "example" : "counterexample";
}

class TextReporter final : public Reporter {
 public:
  TextReporter(std::ostream& out, bool include_timing) : out_(out), timing_(include_timing) {}

  void add(const FileRun& run) override {
    const auto& file = *run.file;
    const auto& sc = file.scenario;
    sampled_ = run.stats.random.has_value();
    ++files_;
    out_ << file.path << ": " << file.name << "\n";
    out_ << "  " << model::to_string(sc.flavor) << ", " << sc.tasks.size() << " tasks, "
         << sc.resources.size() << (sc.resources.size() == 1 ? " resource" : " resources") << "\n";
    out_ << "  explored " << run.stats.states << " states, " << run.stats.transitions
         << " transitions, depth " << run.stats.depth
         << (timing_ ? ", " + format_seconds(run.stats.seconds) + " s" : "") << stop_note(run.stats)
         << "\n";
    if (run.stats.random) {
      const auto& r = *run.stats.random;
      out_ << "  random schedules: " << r.runs << " runs ("
           << (r.pct_depth == 0 ? std::string("uniform") : "PCT depth " + std::to_string(r.pct_depth))
           << ", seed " << r.seed << "), " << r.stuck << " ended stuck, " << r.cut << " cut at " << r.max_steps
           << " steps; " << run.stats.states << " distinct states visited, the longest run " << run.stats.depth
           << " steps";
      if (r.pct_depth != 0 && r.processes > 0 && run.stats.depth > 0) {
        // PCT's bound: 1 / (n k^(d-1)) per run.
        double k = 1.0;
        for (unsigned c = 1; c < r.pct_depth; ++c) k *= static_cast<double>(run.stats.depth);
        char bound[32];
        std::snprintf(bound, sizeof bound, "%.1e", 1.0 / (static_cast<double>(r.processes) * k));
        out_ << "; each run finds a bug of depth " << r.pct_depth << " with probability at least " << bound
             << " (" << r.processes << " tasks, " << run.stats.depth << " steps)";
      }
      out_ << "\n  nothing is proven by random runs: what none violated is unknown\n";
    }
    if (run.stats.hash_compaction) {
      char probability[32];
      std::snprintf(probability, sizeof probability, "%.1e", run.stats.omission_probability);
      out_ << "  hash compaction: fingerprints only; the probability that a state was missed is at most "
           << probability << "\n";
      if (run.stats.cycles_unsearched) {
        out_ << "  liveness: decided at stuck states only; runs that cycle forever were not searched "
                "(run without --hash-compaction to decide them)\n";
      }
    }
    if (!run.symmetry.empty()) {
      out_ << "  states counted up to renaming of interchangeable copies:";
      for (std::size_t i = 0; i < run.symmetry.size(); ++i) out_ << " " << run.symmetry[i];
      out_ << "\n";
      for (const auto& note : run.symmetry_notes) out_ << "    " << note << "\n";
    }
    out_ << "\n";
    std::size_t width = 24;
    for (const auto& result : run.results) width = std::max(width, result.name.size());
    // The verdict columns widen only for a file whose words need it ("unreachable").
    std::size_t verdict_width = 10, expected_width = 22;
    for (const auto& result : run.results) {
      verdict_width = std::max(verdict_width, std::string(properties::verdict_word(result)).size() + 2);
      expected_width = std::max(expected_width, std::string(properties::expectation_word(result)).size() + 13);
    }
    SummaryRow row{file.path, run.results.size(), 0, run.stats.states, run.stats.seconds, findings_of(run)};
    for (const auto& result : run.results) row.as_expected += result.as_expected ? 1 : 0;
    summary_.push_back(row);
    for (const auto& result : run.results) {
      ++checks_;
      if (!result.as_expected) ++mismatches_;
      out_ << "  " << pad(result.name, width + 2) << pad(properties::verdict_word(result), verdict_width);
      if (result.expected) {
        out_ << pad(std::string("(expected ") + properties::expectation_word(result) + ")", expected_width);
      } else {
        out_ << pad("(no expectation)", expected_width);
      }
      out_ << (result.as_expected ? "ok" : "MISMATCH") << "\n";
    }
    // Each distinct counterexample once; a property with the same one points to the first.
    std::vector<const PropertyResult*> shown;
    for (const auto& result : run.results) {
      if (!result.trace || result.kind == explorer::PropertyKind::kSometimes) continue;
      const PropertyResult* same = nullptr;
      for (const auto* earlier : shown) {
        if (earlier->trace->replay_key() == result.trace->replay_key()) same = earlier;
      }
      if (same) {
        out_ << "\n" << result.name << ": " << properties::verdict_word(result) << " -- "
             << result.description << "\n  counterexample: the same as for " << same->name << "\n";
        continue;
      }
      write_trace(result, *result.trace);
      shown.push_back(&result);
    }
    out_ << "\n";
  }

  void finish() override {
    if (files_ > 1) {
      std::size_t width = 4;
      for (const auto& row : summary_) width = std::max(width, row.file.size());
      // Files whose verdicts are not as expected first, then those with findings (violated,
      // unreachable or unknown properties), then the rest, each group in the order given.
      std::stable_sort(summary_.begin(), summary_.end(), [](const SummaryRow& a, const SummaryRow& b) {
        return index_rank(a.as_expected == a.checks, a.findings) < index_rank(b.as_expected == b.checks, b.findings);
      });
      out_ << "summary (files with findings first)\n  " << pad("file", width + 2) << pad("checks", 8)
           << pad("as expected", 13) << pad("states", 10) << pad("seconds", 9) << pad("", 10) << "findings\n";
      for (const auto& row : summary_) {
        const std::string findings = findings_text(row.findings);
        out_ << "  " << pad(row.file, width + 2) << pad(std::to_string(row.checks), 8)
             << pad(std::to_string(row.as_expected), 13) << pad(std::to_string(row.states), 10)
             << pad(timing_ ? format_seconds(row.seconds) : "-", 9)
             << (findings.empty() ? (row.as_expected == row.checks ? "ok" : "MISMATCH")
                                  : pad(row.as_expected == row.checks ? "ok" : "MISMATCH", 10) + findings)
             << "\n";
      }
      out_ << files_ << " files, " << checks_ << " checks: " << (checks_ - mismatches_)
           << " as expected, " << mismatches_ << " not\n";
    }
  }

 private:
  void write_trace(const PropertyResult& result, const TraceData& trace) {
    out_ << "\n" << result.name << ": " << properties::verdict_word(result) << " -- "
         << result.description << "\n";
    if (trace.loop_start) {
      out_ << "  " << noun(result.kind) << ", a lasso: " << (*trace.loop_start - 1)
           << " steps, then steps " << *trace.loop_start << " to " << trace.steps.size()
           << " repeat forever:\n";
    } else {
      out_ << "  " << noun(result.kind) << (sampled_ ? ", the shortest the random runs found (" : ", shortest (")
           << trace.steps.size() << " steps):\n";
    }
    const Diagnosis& diagnosis = trace.diagnosis;
    for (const auto& step : trace.steps) {
      if (trace.loop_start && step.index == *trace.loop_start) {
        out_ << "        -- the cycle: from here the run repeats forever --\n";
      }
      // Decisive steps are marked in the margin.
      const bool decisive = step.index == diagnosis.handover_step || step.index == diagnosis.swallowed_step;
      std::string number = std::to_string(step.index);
      out_ << (decisive ? " >" : "  ") << std::string(number.size() < 4 ? 4 - number.size() : 0, ' ')
           << number << "  " << step.event_text;
      const bool poll = model::is_poll(step.event.kind);
      // One effect goes on the event's line, unless it is one of a poll's operations: the
      // wrapper's answer to a poll (swallowed, paused, cancelled) is not.
      const auto& first = step.effects.empty() ? model::Effect{} : step.effects[0];
      const bool wrapper_answer = first.kind == model::EffectKind::kWrapper && !first.branch;
      if (step.effects.size() == 1 && (!poll || wrapper_answer)) {
        out_ << " -> " << first.text << "\n";
        continue;
      }
      out_ << "\n";
      for (const auto& effect : step.effects) {
        out_ << "          " << (poll ? step.task + ": " : "") << effect.text << "\n";
      }
    }
    if (trace.loop_start) out_ << "        -- back to step " << *trace.loop_start << " --\n";
    const FinalStateView& view = trace.final_view;
    out_ << (trace.loop_start ? "  state at the start of the cycle:\n" : "  final state:\n");
    for (const auto& r : view.resources) {
      const std::string unit = r.words.unit;
      if (!r.contents.empty()) {
        out_ << "    " << r.name << " (" << r.kind << "): " << r.contents;
      } else if (r.channel) {
        out_ << "    " << r.name << " (" << r.kind << ", capacity " << r.permits << "): free slots " << r.available;
      } else {
        out_ << "    " << r.name << " (" << r.kind << ", " << r.permits << " " << unit << (r.permits == 1 ? "" : "s")
             << "): available " << r.available;
        out_ << "; " << r.words.held << " held by " << (r.guard_holders.empty() ? "nobody" : join(r.guard_holders));
      }
      if (!r.owning_futures.empty()) {
        out_ << "; " << unit << " owned by the " << r.words.future << " of " << join(r.owning_futures);
      }
      out_ << "; waiters " << (r.waiters.empty() ? "none" : join(r.waiters)) << "\n";
    }
    // Names in a column wide enough for the longest (ten characters at least).
    std::size_t name_width = 10;
    for (const auto& t : view.tasks) name_width = std::max(name_width, t.name.size() + 1);
    for (const auto& t : view.tasks) {
      out_ << "    " << pad(t.name, name_width) << t.status;
      if (t.paused && t.status.find("paused") == std::string::npos) out_ << ", paused";
      if (t.waits_for && t.status != "paused") out_ << " for " << *t.waits_for;
      if (t.waits_for && t.status == "paused") out_ << " (queued for " << *t.waits_for << ")";
      if (!t.holds.empty()) out_ << "; holds " << join(t.holds);
      for (std::size_t k = 0; k < t.owned.size(); ++k) {
        const ResourceView& owned = view.resources[t.owned[k]];
        out_ << (k == 0 ? "; its " : ", its ") << owned.words.future << " owns the " << owned.words.unit << " of "
             << owned.name;
      }
      if (t.wake_swallowed) out_ << "; a wake was swallowed by its wrapper";
      out_ << "\n";
    }
    if (diagnosis.cause != Cause::kNone) {
      out_ << "  cause: " << diagnosis.summary << "\n";
      for (const auto& sentence : diagnosis.details) out_ << "    " << sentence << "\n";
    }
    out_ << "  " << diagnosis.coffman << "\n";
    out_ << "  replay key:";
    for (std::size_t choice : trace.replay_key()) out_ << " " << choice;
    out_ << "\n";
  }

  static std::string join(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
    return out;
  }

  struct SummaryRow {
    std::string file;
    std::size_t checks = 0;
    std::size_t as_expected = 0;
    std::uint64_t states = 0;
    double seconds = 0.0;
    std::vector<Finding> findings;
  };

  std::ostream& out_;
  bool sampled_ = false;  // the file ran random schedules: traces are the shortest found
  bool timing_;
  std::vector<SummaryRow> summary_;
  std::size_t files_ = 0;
  std::size_t checks_ = 0;
  std::size_t mismatches_ = 0;
};

}  // namespace

std::unique_ptr<Reporter> make_text_reporter(std::ostream& out, bool include_timing) {
  return std::make_unique<TextReporter>(out, include_timing);
}

}  // namespace wakecheck::reports
