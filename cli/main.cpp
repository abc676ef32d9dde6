// wakecheck: the command line. Only this file chooses exit codes:
//   0  every verdict matches its expectation
//   1  some verdict does not (or stayed unknown: the search stopped at --max-states)
//   2  bad input or usage (one error line, no report), or an output that could not be written
//   3  internal error (a bug; the message names the file in hand)
#include <csignal>
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <unistd.h>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "exporters/expected.hpp"
#include "exporters/rust_export.hpp"
#include "properties/compare.hpp"
#include "properties/input_error.hpp"
#include "properties/input_file.hpp"
#include "properties/limits.hpp"
#include "properties/report_reader.hpp"
#include "properties/property_file.hpp"
#include "properties/run.hpp"
#include "properties/suggest.hpp"
#include "properties/replay.hpp"
#include "properties/shrink.hpp"
#include "properties/final_state.hpp"
#include "reports/reporter.hpp"
#include "reports/sarif_report.hpp"

namespace {

using wakecheck::properties::InputError;

/// The file being read or checked, for the message of an internal error.
std::string file_in_hand;

struct Options {
  std::string command;
  std::vector<std::string> paths;
  std::string json_path;
  std::string junit_path;
  std::string sarif_path;
  std::string dot_path;
  std::string html_dir;
  std::size_t max_states = wakecheck::explorer::SearchOptions{}.max_states;
  std::size_t max_memory = 0;  // 0: the explorer's default budget
  double time_limit = 0.0;     // 0: none
  unsigned threads = 0;        // 0: every core
  bool symmetry = true;
  bool first = false;          // stop at the first counterexample
  bool hash_compaction = false;  // fingerprints only
  std::uint64_t random_runs = 0;  // random schedules instead of every state
  std::uint64_t seed = 1;
  unsigned pct_depth = 0;
  std::uint32_t max_steps = wakecheck::explorer::SearchOptions{}.max_steps;
  bool seeded = false, max_steps_given = false;
  bool progress = true;        // on standard error, when it is a terminal
  bool timing = true;
  bool shrink = false;
};

[[noreturn]] void usage_error(const std::string& message) {
  throw InputError("wakecheck: " + message + " (see wakecheck --help)");
}

/// The whole number `text` is written as (digits only), if it is one and is above 0.
std::optional<unsigned long long> positive_whole(const std::string& text) {
  if (text.empty() || !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  try {
    const unsigned long long n = std::stoull(text);
    if (n > 0) return n;
  } catch (const std::exception&) {
  }
  return std::nullopt;  // 0, or out of range
}

/// A positive whole number.
unsigned long long parse_count(const std::string& option, const std::string& value) {
  const auto n = positive_whole(value);
  if (!n) usage_error("option '" + option + "' needs a positive whole number, found '" + value + "'");
  return *n;
}

/// A size in bytes: a positive whole number, with K, M, G or T (powers of 1024) after it.
std::size_t parse_size(const std::string& option, const std::string& value) {
  std::string digits = value;
  unsigned shift = 0;
  if (!digits.empty()) {
    const char unit = static_cast<char>(std::toupper(static_cast<unsigned char>(digits.back())));
    const std::string units = "KMGT";
    if (const auto at = units.find(unit); at != std::string::npos) {
      shift = 10 * static_cast<unsigned>(at + 1);
      digits.pop_back();
    }
  }
  const auto n = positive_whole(digits);
  if (!n || *n > (~0ULL >> shift)) {
    usage_error("option '" + option + "' needs a size such as 512M or 4G, found '" + value + "'");
  }
  return static_cast<std::size_t>(*n << shift);
}

/// A positive number of seconds.
double parse_seconds(const std::string& option, const std::string& value) {
  std::size_t used = 0;
  double seconds = 0.0;
  try {
    seconds = std::stod(value, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (value.empty() || used != value.size() || !(seconds > 0.0) || seconds > 1e9 ||
      !std::isdigit(static_cast<unsigned char>(value[0]))) {
    usage_error("option '" + option + "' needs a positive number of seconds, found '" + value + "'");
  }
  return seconds;
}

Options parse_arguments(const std::vector<std::string>& args) {
  Options options;
  if (args.empty()) usage_error("missing a command: check, replay, compare, export or init");
  if (args[0] != "check" && args[0] != "replay") {
    std::string message = "unknown command '" + args[0] + "'";
    if (auto near = wakecheck::properties::nearest_name(args[0], wakecheck::cli::command_names())) {
      message += "; did you mean '" + *near + "'?";
    }
    usage_error(message);
  }
  options.command = args[0];
  const std::vector<std::string> flags = {"--json", "--junit", "--sarif", "--dot", "--html", "--max-states",
                                          "--max-memory", "--time-limit", "--threads", "--no-symmetry",
                                          "--no-progress", "--first", "--no-timing", "--shrink",
                                          "--hash-compaction", "--random", "--seed", "--pct", "--max-steps"};
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--max-memory" || arg == "--time-limit" || arg == "--threads" || arg == "--random" ||
        arg == "--seed" || arg == "--pct" || arg == "--max-steps") {
      if (i + 1 >= args.size()) usage_error("option '" + arg + "' needs a value");
      const std::string& value = args[++i];
      if (arg == "--random") {
        options.random_runs = parse_count(arg, value);
      } else if (arg == "--seed") {
        options.seed = parse_count(arg, value);
        options.seeded = true;
      } else if (arg == "--pct") {
        const auto d = parse_count(arg, value);
        if (d > 64) usage_error("option '--pct' takes a depth of at most 64, found '" + value + "'");
        options.pct_depth = static_cast<unsigned>(d);
      } else if (arg == "--max-steps") {
        const auto n = parse_count(arg, value);
        if (n > 100000000) usage_error("option '--max-steps' takes at most 100000000 steps, found '" + value + "'");
        options.max_steps = static_cast<std::uint32_t>(n);
        options.max_steps_given = true;
      } else if (arg == "--max-memory") {
        options.max_memory = parse_size(arg, value);
      } else if (arg == "--time-limit") {
        options.time_limit = parse_seconds(arg, value);
      } else {
        const auto n = parse_count(arg, value);
        if (n > 1024) usage_error("option '--threads' takes at most 1024 threads, found '" + value + "'");
        options.threads = static_cast<unsigned>(n);
      }
    } else if (arg == "--no-symmetry") {
      options.symmetry = false;
    } else if (arg == "--first") {
      options.first = true;
    } else if (arg == "--hash-compaction") {
      options.hash_compaction = true;
    } else if (arg == "--no-progress") {
      options.progress = false;
    } else if (arg == "--json" || arg == "--junit" || arg == "--sarif" || arg == "--dot" || arg == "--html" ||
        arg == "--max-states") {
      if (i + 1 >= args.size()) usage_error("option '" + arg + "' needs a value");
      const std::string& value = args[++i];
      if (arg == "--json") {
        options.json_path = value;
      } else if (arg == "--junit") {
        options.junit_path = value;
      } else if (arg == "--sarif") {
        options.sarif_path = value;
      } else if (arg == "--dot") {
        options.dot_path = value;
      } else if (arg == "--html") {
        options.html_dir = value;
      } else {
        options.max_states = static_cast<std::size_t>(parse_count(arg, value));
      }
    } else if (arg == "--no-timing") {
      options.timing = false;
    } else if (arg == "--shrink") {
      options.shrink = true;
    } else if (arg.rfind("-", 0) == 0) {
      std::string message = "unknown option '" + arg + "'";
      if (auto near = wakecheck::properties::nearest_name(arg, flags)) {
        message += "; did you mean '" + *near + "'?";
      }
      usage_error(message);
    } else {
      options.paths.push_back(arg);
    }
  }
  if (options.command == "replay") {
    if (options.paths.size() != 1) usage_error("'replay' needs exactly one JSON report");
    if (!options.json_path.empty() || !options.junit_path.empty() || !options.sarif_path.empty() ||
        !options.dot_path.empty() || !options.html_dir.empty()) {
      usage_error("'replay' writes no report; --json, --junit, --sarif, --html and --dot are for 'check'");
    }
  }
  if (options.paths.empty()) usage_error("'check' needs at least one property file or directory");
  if (options.random_runs == 0 && (options.seeded || options.pct_depth != 0 || options.max_steps_given)) {
    usage_error("options '--seed', '--pct' and '--max-steps' steer random schedules: they need '--random RUNS'");
  }
  if (options.random_runs != 0 && options.hash_compaction) {
    usage_error("'--random' runs schedules and '--hash-compaction' searches every state: choose one");
  }
  return options;
}

/// `wakecheck replay REPORT.json`: every counterexample and example in the report, re-executed.
int replay(const std::string& report_path) {
  // The whole report is read and checked first: a bad report gives one error and no output.
  file_in_hand = report_path;
  const auto report = wakecheck::properties::read_report(
      report_path, wakecheck::properties::read_regular_file(report_path, wakecheck::properties::kMaxReportBytes));
  const auto& jobs = report.traces;
  bool all_apply = true;
  std::string loaded_path;
  std::optional<wakecheck::properties::PropertyFile> file;
  std::optional<wakecheck::model::TokioModel> model;
  for (const auto& job : jobs) {
    if (job.file != loaded_path) {
      file_in_hand = job.file;
      file = wakecheck::properties::load_property_file(job.file);
      model.emplace(file->scenario);
      loaded_path = job.file;
    }
    // A cancel_safe counterexample replays on its variant: the file's scenario with its one drop.
    std::optional<wakecheck::model::TokioModel> variant;
    if (job.cancelled_at) {
      const auto at = wakecheck::properties::cancel_point(file->scenario, job.cancelled_at->first, job.cancelled_at->second);
      if (!at) {
        std::cout << job.file << ": " << job.property << ": the report drops " << job.cancelled_at->first
                  << " at an await point the file no longer has\n";
        all_apply = false;
        continue;
      }
      variant.emplace(wakecheck::properties::cancel_variant(file->scenario, *at));
    }
    const wakecheck::model::TokioModel& replayed = variant ? *variant : *model;
    const auto result = wakecheck::properties::replay_key(replayed, job.key, job.expected);
    std::cout << job.file << ": " << job.property << " (" << job.kind << ", " << job.key.size()
              << " steps)\n";
    wakecheck::model::State state = replayed.initial_state();
    for (const auto& step : result.trace.steps) {
      state = replayed.next_state(state, step.event);
      std::cout << "  " << step.index << "  " << step.event_text << "\n";
      for (const auto& effect : step.effects) std::cout << "        " << effect.text << "\n";
      std::cout << "        state: " << wakecheck::properties::summarize_state(file->scenario, state) << "\n";
    }
    if (result.failed_at) {
      all_apply = false;
      std::cout << "  step " << *result.failed_at << " no longer applies: " << result.reason << "\n";
    } else {
      std::cout << "  reproduced\n";
    }
  }
  return all_apply ? 0 : 1;
}

/// `wakecheck compare FILE`: the client program against every mutex kind and pause policy.
int compare_command(const std::vector<std::string>& args) {
  if (args.size() != 2 || args[1].rfind("-", 0) == 0) usage_error("'compare' needs exactly one property file");
  file_in_hand = args[1];
  const auto table = wakecheck::properties::compare_designs(
      args[1], wakecheck::properties::read_regular_file(args[1], wakecheck::properties::kMaxPropertyFileBytes));
  std::vector<std::vector<std::string>> cells;
  std::size_t first = 0;
  for (const auto& m : table.mutexes) first = std::max(first, m.size());
  std::vector<std::size_t> width(table.policies.size());
  for (std::size_t c = 0; c < table.policies.size(); ++c) width[c] = table.policies[c].size();
  for (const auto& row : table.cells) {
    std::vector<std::string> texts;
    for (std::size_t c = 0; c < row.size(); ++c) {
      texts.push_back(row[c].outcome + (row[c].cause.empty() ? "" : " (" + row[c].cause + ")"));
      width[c] = std::max(width[c], texts.back().size());
    }
    cells.push_back(texts);
  }
  auto pad = [](std::string s, std::size_t w) { return s + std::string(w > s.size() ? w - s.size() : 0, ' '); };
  std::cout << args[1] << ": all_tasks_finish for each mutex kind and pause policy\n\n  " << pad("", first + 2);
  std::string header;
  for (std::size_t c = 0; c < table.policies.size(); ++c) header += pad(table.policies[c], width[c] + 2);
  std::cout << header.substr(0, header.find_last_not_of(' ') + 1) << "\n";
  for (std::size_t r = 0; r < cells.size(); ++r) {
    std::cout << "  " << pad(table.mutexes[r], first + 2);
    std::string line;
    for (std::size_t c = 0; c < cells[r].size(); ++c) line += pad(cells[r][c], width[c] + 2);
    std::cout << line.substr(0, line.find_last_not_of(' ') + 1) << "\n";
  }
  return 0;
}

/// `wakecheck export --rust PATH [--trace CHECK] [--out DIR]`: the scenario as a Rust program on real tokio and
/// the model's verdict on hangs, DIR/STEM.rs and DIR/STEM.expected (exporters/rust_export.hpp).
/// PATH is a property file, or a JSON report of `check` whose "file" (each file of an array of
/// reports) is exported.
int export_command(const std::vector<std::string>& args) {
  namespace fs = std::filesystem;
  using nlohmann::json;
  std::string path, out_dir = ".";
  std::optional<std::string> forced_check;
  bool rust = false;
  for (std::size_t i = 1; i < args.size(); ++i) {
    if (args[i] == "--rust") {
      rust = true;
    } else if (args[i] == "--trace") {
      if (i + 1 >= args.size()) usage_error("option '--trace' needs the name of a check whose counterexample the report holds");
      forced_check = args[++i];
    } else if (args[i] == "--out") {
      if (i + 1 >= args.size()) usage_error("option '--out' needs a directory");
      out_dir = args[++i];
    } else if (args[i].rfind("-", 0) == 0) {
      std::string message = "unknown option '" + args[i] + "' for 'export'";
      if (auto near = wakecheck::properties::nearest_name(args[i], {"--rust", "--out", "--trace"})) {
        message += "; did you mean '" + *near + "'?";
      }
      usage_error(message);
    } else if (path.empty()) {
      path = args[i];
    } else {
      usage_error("'export' takes one property file or JSON report");
    }
  }
  if (!rust) usage_error("'export' needs a target language: --rust");
  if (path.empty()) usage_error("'export --rust' needs a property file or a JSON report");

  // A JSON report of `check` names the property file it was made from.
  file_in_hand = path;
  const std::string text = wakecheck::properties::read_regular_file(path, wakecheck::properties::kMaxReportBytes);
  const auto named = wakecheck::properties::report_files(path, text);
  const std::vector<std::string> files = named.value_or(std::vector<std::string>{path});

  // Everything is loaded and checked before anything is written.
  struct Export {
    std::string stem, program, expected;
  };
  std::vector<Export> exports;
  if (forced_check) {
    // The report's counterexample of that check, forced on real tokio.
    if (!named) usage_error("'--trace' needs a JSON report of `check` (wakecheck check --json), not a property file");
    const auto report = wakecheck::properties::read_report(path, text);
    std::vector<const wakecheck::properties::ReportTrace*> found;
    std::vector<std::string> names;
    for (const auto& trace : report.traces) {
      if (trace.kind != "counterexample") continue;
      names.push_back(trace.property);
      if (trace.property == *forced_check) found.push_back(&trace);
    }
    if (found.empty()) {
      std::string message = path + ": no counterexample of '" + *forced_check + "' in the report";
      if (names.empty()) message += " (it holds none)";
      else if (auto near = wakecheck::properties::nearest_name(*forced_check, names)) message += "; did you mean '" + *near + "'?";
      throw wakecheck::properties::InputError(message);
    }
    if (found.size() > 1) {
      throw wakecheck::properties::InputError(path + ": the report holds " + std::to_string(found.size()) +
                                              " counterexamples of '" + *forced_check + "' (one per file); export one file's report");
    }
    file_in_hand = found.front()->file;
    const auto file = wakecheck::properties::load_property_file(found.front()->file);
    const auto schedule = wakecheck::exporters::forced_schedule(file, *found.front(), path);
    Export e;
    e.stem = fs::path(found.front()->file).stem().string();
    e.program = wakecheck::exporters::export_rust(file, schedule);
    e.expected = wakecheck::exporters::format_expected(file, schedule.end);
    exports.push_back(std::move(e));
  }
  for (const auto& file_path : forced_check ? std::vector<std::string>{} : files) {
    file_in_hand = file_path;
    const auto file = wakecheck::properties::load_property_file(file_path);
    Export e;
    e.stem = fs::path(file_path).stem().string();
    e.program = wakecheck::exporters::export_rust(file);
    e.expected = wakecheck::exporters::format_expected(file, wakecheck::exporters::hang_verdict(file));
    exports.push_back(std::move(e));
  }
  std::error_code error;
  fs::create_directories(out_dir, error);
  for (const auto& e : exports) {
    for (const auto& [name, content] : {std::pair{e.stem + ".rs", &e.program}, std::pair{e.stem + ".expected", &e.expected}}) {
      const fs::path where = fs::path(out_dir) / name;
      wakecheck::cli::write_output(where.generic_string(), *content);
      std::cout << "wrote " << where.generic_string() << "\n";
    }
  }
  return 0;
}

int run(const std::vector<std::string>& args) {
  if (wakecheck::cli::answer_help(args, std::cout)) return 0;
  if (!args.empty() && args[0] == "--version") {
    std::cout << "wakecheck " WAKECHECK_VERSION "\n";
    return 0;
  }
  if (!args.empty() && args[0] == "compare") return compare_command(args);
  if (!args.empty() && args[0] == "export") return export_command(args);
  if (!args.empty() && args[0] == "init") return wakecheck::cli::init_command(args, std::cout);
  const Options options = parse_arguments(args);
  if (options.command == "replay") return replay(options.paths.front());

  // Load and validate everything before checking anything: bad input gives no partial report.
  std::vector<wakecheck::properties::PropertyFile> files;
  for (const auto& path : options.paths) {
    for (const auto& file : wakecheck::properties::property_files(path)) {
      file_in_hand = file;
      files.push_back(wakecheck::properties::load_property_file(file));
    }
  }
  // Outputs are prepared before anything is checked (an unwritable place is reported before a
  // report is half written) and committed after the last file.
  using wakecheck::cli::OutputFile;
  auto open_output = [](const std::string& path) {
    return path.empty() ? nullptr : std::make_unique<OutputFile>(path);
  };
  const auto json_file = open_output(options.json_path);
  const auto junit_file = open_output(options.junit_path);
  const auto sarif_file = open_output(options.sarif_path);
  const auto dot_file = open_output(options.dot_path);

  std::vector<std::unique_ptr<wakecheck::reports::Reporter>> reporters;
  reporters.push_back(wakecheck::reports::make_text_reporter(std::cout, options.timing));
  if (json_file) reporters.push_back(wakecheck::reports::make_json_reporter(json_file->stream(), options.timing));
  if (junit_file) reporters.push_back(wakecheck::reports::make_junit_reporter(junit_file->stream(), options.timing));
  if (sarif_file) reporters.push_back(wakecheck::reports::make_sarif_reporter(sarif_file->stream()));
  if (dot_file) reporters.push_back(wakecheck::reports::make_dot_reporter(dot_file->stream()));
  if (!options.html_dir.empty()) {
    reporters.push_back(wakecheck::cli::make_staged_html_reporter(options.html_dir, options.timing));
  }
  wakecheck::explorer::SearchOptions search;
  search.max_states = options.max_states;
  search.max_memory = options.max_memory;
  search.time_limit = options.time_limit;
  search.threads = options.threads;
  search.symmetry = options.symmetry;
  search.first = options.first;
  search.hash_compaction = options.hash_compaction;
  search.random_runs = options.random_runs;
  search.seed = options.seed;
  search.pct_depth = options.pct_depth;
  search.max_steps = options.max_steps;
  if (options.progress && isatty(STDERR_FILENO) != 0) search.progress = wakecheck::cli::progress_line;
  bool all_as_expected = true;
  std::vector<wakecheck::properties::FileRun> runs;
  for (const auto& file : files) {
    file_in_hand = file.path;
    const wakecheck::model::TokioModel model(file.scenario);
    const auto result = wakecheck::properties::run_checks(file, model, search);
    wakecheck::cli::end_progress();
    all_as_expected = all_as_expected && result.all_as_expected();
    for (auto& reporter : reporters) reporter->add(result);
    runs.push_back(result);
  }
  file_in_hand.clear();
  for (auto& reporter : reporters) reporter->finish();
  for (OutputFile* output : {json_file.get(), junit_file.get(), sarif_file.get(), dot_file.get()}) {
    if (output != nullptr) output->commit();
  }
  if (dot_file) wakecheck::cli::render_svg(options.dot_path);
  if (options.shrink) {
    namespace fs = std::filesystem;
    // Beside the JSON report when it is a file of its own (not /dev/stdout, a FIFO); else here.
    std::error_code not_a_file;
    const bool beside = !options.json_path.empty() &&
                        fs::is_regular_file(fs::symlink_status(options.json_path, not_a_file)) &&
                        !fs::path(options.json_path).parent_path().empty();
    const fs::path where = beside ? fs::path(options.json_path).parent_path() : fs::path(".");
    for (std::size_t f = 0; f < files.size(); ++f) {
      for (const auto& result : runs[f].results) {
        // Shrink what has a counterexample: a violated safety or liveness property (a
        // "reachable" one that is violated has none: nothing reaches it).
        if (result.verdict != wakecheck::properties::Verdict::kViolated || result.name == "no_model_error" ||
            result.kind == wakecheck::explorer::PropertyKind::kSometimes) {
          continue;
        }
        file_in_hand = files[f].path;
        const auto shrunk = wakecheck::properties::shrink(
            files[f].path,
            wakecheck::properties::read_regular_file(files[f].path, wakecheck::properties::kMaxPropertyFileBytes),
            result.name);
        std::string safe = result.name;
        for (char& c : safe) {
          if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') c = '_';
        }
        const fs::path out = where / (fs::path(files[f].path).stem().string() + "." + safe + ".shrunk.json");
        std::ostringstream file;
        file << "// Shrunk by wakecheck from " << files[f].path << ": the smallest scenario found that\n"
             << "// still violates " << result.name << " (" << shrunk.checks << " scenarios checked).\n"
             << shrunk.document.dump(2) << "\n";
        wakecheck::cli::write_output(out.generic_string(), file.str());
        std::cout << "shrunk " << files[f].path << " for " << result.name << " in " << shrunk.checks
                  << " checks: tasks " << shrunk.tasks_before << " -> " << shrunk.tasks_after
                  << ", statements " << shrunk.statements_before << " -> " << shrunk.statements_after
                  << ", fault budget " << shrunk.faults_before << " -> " << shrunk.faults_after
                  << "; wrote " << out.generic_string() << "\n";
      }
    }
  }
  return all_as_expected ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  // A file-size limit (ulimit -f) makes a write fail with EFBIG, reported like any failed
  // write, instead of killing the process.
  std::signal(SIGXFSZ, SIG_IGN);
  wakecheck::cli::escape_terminal_output();
  try {
    const int status = run(std::vector<std::string>(argv + 1, argv + argc));
    wakecheck::cli::check_standard_output();
    return status;
  } catch (const InputError& error) {
    std::cerr << error.what() << "\n";
    return 2;
  } catch (const std::exception& error) {
    std::cerr << "wakecheck: internal error" << (file_in_hand.empty() ? "" : " while checking '" + file_in_hand + "'")
              << ": " << error.what() << "\n";
    return 3;
  }
}
