// wakecheck: the command line. Only this file chooses exit codes:
//   0  every verdict matches its expectation
//   1  some verdict does not
//   2  bad input or usage (one error line, no report)
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "properties/compare.hpp"
#include "properties/input_error.hpp"
#include "properties/property_file.hpp"
#include "properties/run.hpp"
#include "properties/suggest.hpp"
#include "properties/replay.hpp"
#include "properties/shrink.hpp"
#include "reports/final_state.hpp"
#include "reports/reporter.hpp"
#include "properties/hang_verdict.hpp"
#include "reports/rust_export.hpp"
#include "reports/sarif_report.hpp"

namespace {

using wakecheck::properties::InputError;

struct Options {
  std::string command;
  std::vector<std::string> paths;
  std::string json_path;
  std::string junit_path;
  std::string sarif_path;
  std::string dot_path;
  std::string html_dir;
  std::size_t max_states = wakecheck::explorer::SearchOptions{}.max_states;
  bool timing = true;
  bool shrink = false;
};

[[noreturn]] void usage_error(const std::string& message) {
  throw InputError("wakecheck: " + message + " (see wakecheck --help)");
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
                                          "--no-timing", "--shrink"};
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--json" || arg == "--junit" || arg == "--sarif" || arg == "--dot" || arg == "--html" ||
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
        std::size_t used = 0;
        unsigned long long n = 0;
        try {
          n = std::stoull(value, &used);
        } catch (const std::exception&) {
          used = 0;
        }
        if (used != value.size() || n == 0 || value[0] == '-') {
          usage_error("option '--max-states' needs a positive whole number, found '" + value + "'");
        }
        options.max_states = static_cast<std::size_t>(n);
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
  return options;
}

/// The property files a path stands for: itself, or every .json below a directory, sorted.
std::vector<std::string> expand(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code error;
  if (!fs::exists(path, error)) throw InputError(path + ": no such file or directory");
  if (!fs::is_directory(path, error)) return {path};
  std::vector<std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(path, error)) {
    // JSON Schemas (schema.json, *.schema.json) live beside property files but are not ones.
    const std::string name = entry.path().filename().string();
    const bool schema = name == "schema.json" || name.ends_with(".schema.json");
    if (entry.is_regular_file() && entry.path().extension() == ".json" && !schema) {
      files.push_back(entry.path().generic_string());
    }
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) throw InputError(path + ": no .json property files below this directory");
  return files;
}

/// Renders a DOT file to FILE.svg with Graphviz's `dot`, when it is installed.
void render_svg(const std::string& dot_path) {
  namespace fs = std::filesystem;
  for (const char* dir : {"/usr/bin", "/usr/local/bin"}) {
    const fs::path dot = fs::path(dir) / "dot";
    if (!fs::exists(dot)) continue;
    const std::string command = dot.string() + " -Tsvg -o '" + dot_path + ".svg' '" + dot_path + "' 2>/dev/null";
    if (dot_path.find('\'') == std::string::npos && std::system(command.c_str()) != 0) {
      std::cerr << "wakecheck: dot could not render " << dot_path << "\n";
    }
    return;
  }
}

/// `wakecheck replay REPORT.json`: every counterexample and example in the report, re-executed.
int replay(const std::string& report_path) {
  using nlohmann::json;
  std::ifstream in(report_path, std::ios::binary);
  if (!in) throw InputError(report_path + ": cannot read the file");
  std::ostringstream text;
  text << in.rdbuf();
  json report;
  try {
    report = json::parse(text.str());
  } catch (const json::parse_error&) {
    throw InputError(report_path + ": not a JSON report of wakecheck (invalid JSON)");
  }
  const json reports = report.is_array() ? report : json::array({report});
  auto bad = [&](const std::string& what) {
    throw InputError(report_path + ": not a JSON report of wakecheck (" + what + ")");
  };
  // Check the shape first: a bad report gives one error and no partial output.
  struct Job {
    std::string file;
    std::string property;
    std::string kind;
    std::vector<std::size_t> key;
    std::vector<std::string> expected;
  };
  std::vector<Job> jobs;
  for (const auto& entry : reports) {
    if (!entry.is_object() || !entry.contains("file") || !entry["file"].is_string() ||
        !entry.contains("properties") || !entry["properties"].is_array()) {
      bad("each report needs 'file' and 'properties'");
    }
    for (const auto& property : entry["properties"]) {
      for (const char* kind : {"counterexample", "example"}) {
        if (!property.is_object() || !property.contains(kind)) continue;
        const json& trace = property[kind];
        if (!trace.contains("replay") || !trace["replay"].is_array() || !trace.contains("steps")) {
          bad(std::string("a ") + kind + " without 'replay' and 'steps'");
        }
        Job job{entry["file"].get<std::string>(), property.value("name", "?"), kind, {}, {}};
        for (const auto& choice : trace["replay"]) {
          if (!choice.is_number_unsigned()) bad("'replay' holds event indices");
          job.key.push_back(choice.get<std::size_t>());
        }
        for (const auto& step : trace["steps"]) {
          const std::string task = step.contains("task") && step["task"].is_string() ? step["task"].get<std::string>() : "";
          const std::string event = step.value("event", "");
          job.expected.push_back(event == "park" ? "park" : event + " " + task);
        }
        jobs.push_back(std::move(job));
      }
    }
  }
  bool all_apply = true;
  std::string loaded_path;
  std::optional<wakecheck::properties::PropertyFile> file;
  std::optional<wakecheck::model::TokioModel> model;
  for (const auto& job : jobs) {
    if (job.file != loaded_path) {
      file = wakecheck::properties::load_property_file(job.file);
      model.emplace(file->scenario);
      loaded_path = job.file;
    }
    const auto result = wakecheck::properties::replay_key(*model, job.key, job.expected);
    std::cout << job.file << ": " << job.property << " (" << job.kind << ", " << job.key.size()
              << " steps)\n";
    wakecheck::model::State state = model->initial_state();
    for (const auto& step : result.trace.steps) {
      state = model->next_state(state, step.event);
      std::cout << "  " << step.index << "  " << step.event_text << "\n";
      for (const auto& effect : step.effects) std::cout << "        " << effect.text << "\n";
      std::cout << "        state: " << wakecheck::reports::summarize_state(file->scenario, state) << "\n";
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
  std::ifstream in(args[1], std::ios::binary);
  if (!in) throw InputError(args[1] + ": cannot read the file");
  std::ostringstream text;
  text << in.rdbuf();
  const auto table = wakecheck::properties::compare_designs(args[1], text.str());
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

/// `wakecheck export --rust PATH [--out DIR]`: the scenario as a Rust program on real tokio and
/// the model's verdict on hangs, DIR/STEM.rs and DIR/STEM.expected (reports/rust_export.hpp).
/// PATH is a property file, or a JSON report of `check` whose "file" (each file of an array of
/// reports) is exported.
int export_command(const std::vector<std::string>& args) {
  namespace fs = std::filesystem;
  using nlohmann::json;
  std::string path, out_dir = ".";
  bool rust = false;
  for (std::size_t i = 1; i < args.size(); ++i) {
    if (args[i] == "--rust") {
      rust = true;
    } else if (args[i] == "--out") {
      if (i + 1 >= args.size()) usage_error("option '--out' needs a directory");
      out_dir = args[++i];
    } else if (args[i].rfind("-", 0) == 0) {
      std::string message = "unknown option '" + args[i] + "' for 'export'";
      if (auto near = wakecheck::properties::nearest_name(args[i], {"--rust", "--out"})) {
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
  std::vector<std::string> files{path};
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot read the file");
  std::ostringstream text;
  text << in.rdbuf();
  const json document = json::parse(text.str(), nullptr, false);  // comments: a property file
  auto is_report = [](const json& j) {
    return j.is_object() && j.contains("format_version") && j.contains("file") && j["file"].is_string();
  };
  if (is_report(document)) {
    files = {document["file"].get<std::string>()};
  } else if (document.is_array() && !document.empty() &&
             std::all_of(document.begin(), document.end(), is_report)) {
    files.clear();
    for (const auto& report : document) files.push_back(report["file"].get<std::string>());
  }

  // Everything is loaded and checked before anything is written.
  struct Export {
    std::string stem, program, expected;
  };
  std::vector<Export> exports;
  for (const auto& file_path : files) {
    const auto file = wakecheck::properties::load_property_file(file_path);
    Export e;
    e.stem = fs::path(file_path).stem().string();
    e.program = wakecheck::reports::export_rust(file);
    e.expected = wakecheck::properties::format_expected(file, wakecheck::properties::hang_verdict(file));
    exports.push_back(std::move(e));
  }
  std::error_code error;
  fs::create_directories(out_dir, error);
  for (const auto& e : exports) {
    for (const auto& [name, content] : {std::pair{e.stem + ".rs", &e.program}, std::pair{e.stem + ".expected", &e.expected}}) {
      const fs::path where = fs::path(out_dir) / name;
      std::ofstream out(where, std::ios::binary | std::ios::trunc);
      if (!(out << *content)) throw InputError("wakecheck: cannot write '" + where.generic_string() + "'");
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
    for (const auto& file : expand(path)) files.push_back(wakecheck::properties::load_property_file(file));
  }
  auto open_output = [](const std::string& path, std::ofstream& file) {
    if (path.empty()) return;
    file.open(path, std::ios::binary | std::ios::trunc);
    if (!file) throw InputError("wakecheck: cannot write '" + path + "'");
  };
  std::ofstream json_file, junit_file, sarif_file, dot_file;
  open_output(options.json_path, json_file);
  open_output(options.junit_path, junit_file);
  open_output(options.sarif_path, sarif_file);
  open_output(options.dot_path, dot_file);

  std::vector<std::unique_ptr<wakecheck::reports::Reporter>> reporters;
  reporters.push_back(wakecheck::reports::make_text_reporter(std::cout, options.timing));
  if (json_file.is_open()) {
    reporters.push_back(wakecheck::reports::make_json_reporter(json_file, options.timing));
  }
  if (junit_file.is_open()) {
    reporters.push_back(wakecheck::reports::make_junit_reporter(junit_file, options.timing));
  }
  if (sarif_file.is_open()) reporters.push_back(wakecheck::reports::make_sarif_reporter(sarif_file));
  if (dot_file.is_open()) reporters.push_back(wakecheck::reports::make_dot_reporter(dot_file));
  if (!options.html_dir.empty()) {
    reporters.push_back(wakecheck::reports::make_html_reporter(options.html_dir, options.timing));
  }
  wakecheck::explorer::SearchOptions search;
  search.max_states = options.max_states;
  bool all_as_expected = true;
  std::vector<wakecheck::properties::FileRun> runs;
  for (const auto& file : files) {
    const wakecheck::model::TokioModel model(file.scenario);
    const auto result = wakecheck::properties::run_checks(file, model, search);
    all_as_expected = all_as_expected && result.all_as_expected();
    for (auto& reporter : reporters) reporter->add(result);
    runs.push_back(result);
  }
  for (auto& reporter : reporters) reporter->finish();
  if (options.shrink) {
    namespace fs = std::filesystem;
    const fs::path where = options.json_path.empty() ? fs::path(".") : fs::path(options.json_path).parent_path();
    for (std::size_t f = 0; f < files.size(); ++f) {
      for (const auto& result : runs[f].results) {
        // Shrink what has a counterexample: a violated safety or liveness property (a
        // "reachable" one that is violated has none: nothing reaches it).
        if (result.verdict != wakecheck::properties::Verdict::kViolated || result.name == "no_model_error" ||
            result.kind == wakecheck::explorer::PropertyKind::kSometimes) {
          continue;
        }
        std::ifstream in(files[f].path, std::ios::binary);
        std::ostringstream text;
        text << in.rdbuf();
        const auto shrunk = wakecheck::properties::shrink(files[f].path, text.str(), result.name);
        std::string safe = result.name;
        for (char& c : safe) {
          if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') c = '_';
        }
        const fs::path out = where / (fs::path(files[f].path).stem().string() + "." + safe + ".shrunk.json");
        std::ofstream file(out, std::ios::binary | std::ios::trunc);
        file << "// Shrunk by wakecheck from " << files[f].path << ": the smallest scenario found that\n"
             << "// still violates " << result.name << " (" << shrunk.checks << " scenarios checked).\n"
             << shrunk.document.dump(2) << "\n";
        std::cout << "shrunk " << files[f].path << " for " << result.name << " in " << shrunk.checks
                  << " checks: tasks " << shrunk.tasks_before << " -> " << shrunk.tasks_after
                  << ", statements " << shrunk.statements_before << " -> " << shrunk.statements_after
                  << ", fault budget " << shrunk.faults_before << " -> " << shrunk.faults_after
                  << "; wrote " << out.generic_string() << "\n";
      }
    }
  }
  if (dot_file.is_open()) {
    dot_file.close();
    render_svg(options.dot_path);
  }
  return all_as_expected ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const InputError& error) {
    std::cerr << error.what() << "\n";
    return 2;
  } catch (const std::exception& error) {
    std::cerr << "wakecheck: internal error: " << error.what() << "\n";
    return 3;
  }
}
