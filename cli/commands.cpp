#include "cli/commands.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "properties/input_error.hpp"
#include "properties/suggest.hpp"

namespace wakecheck::cli {

// The built-in templates: cli/templates/NAME.json, written into templates.cpp by CMake.
std::optional<std::string_view> builtin_template(std::string_view name);

namespace {

using properties::InputError;

constexpr std::string_view kOverview =
    "usage: wakecheck COMMAND [ARGUMENTS]\n"
    "\n"
    "commands:\n"
    "  check PATH...        check property files (a directory: every one below it) and report each\n"
    "                       property's verdict against its expectation, with counterexamples\n"
    "  replay REPORT.json   re-execute the counterexamples of a JSON report against the model\n"
    "  compare FILE         run FILE's program against every mutex kind and pause policy\n"
    "  export --rust PATH   write the scenario as a tokio program, and the model's verdict on hangs\n"
    "                       (--trace CHECK: a report's counterexample, forced on real tokio)\n"
    "  init FILE            write a commented starter property file\n"
    "\n"
    "`wakecheck COMMAND --help` gives a command's options; `wakecheck --version` the version.\n"
    "\n"
    "exit status:\n"
    "  0  every verdict as expected (replay: every trace applies; export, init: written)\n"
    "  1  a verdict not as expected, or unknown because the search stopped at a limit\n"
    "     (replay: a trace no longer applies)\n"
    "  2  bad input or usage, or an output that could not be written (one error line:\n"
    "     FILE:LINE:COLUMN: PATH: message for a bad file)\n"
    "  3  internal error, a bug in wakecheck (the message names the file being checked)\n";

constexpr std::string_view kCheck =
    "usage: wakecheck check PATH... [--json FILE] [--junit FILE] [--sarif FILE] [--html DIR]\n"
    "                               [--dot FILE] [--shrink] [--max-states N] [--max-memory SIZE]\n"
    "                               [--time-limit SECONDS] [--threads N] [--no-symmetry]\n"
    "                               [--first] [--hash-compaction] [--no-progress] [--no-timing]\n"
    "                               [--random RUNS [--seed N] [--pct D] [--max-steps N]]\n"
    "\n"
    "Explores every interleaving of each property file's scenario (a directory means every .json\n"
    "file below it but JSON Schemas, in sorted order) and prints each property's verdict against\n"
    "its expectation; for a violation, the counterexample with the fewest faults, then the fewest\n"
    "steps, the state it ends in and why it is stuck. A reachable property is 'reached' or\n"
    "'unreachable'. Several files end with a summary table: the files whose verdicts are not as\n"
    "expected first, then those with findings (violated, unreachable or unknown properties).\n"
    "\n"
    "  --json FILE       also write the report as JSON to FILE\n"
    "  --junit FILE      also write JUnit XML to FILE (a testcase per file and property)\n"
    "  --sarif FILE      also write SARIF 2.1.0 to FILE, for code scanning: a result per verdict\n"
    "                    that is not as expected, at its check in the property file, with the\n"
    "                    counterexample as a thread flow per task\n"
    "  --html DIR        also write an HTML page per file, with sequence diagrams and wait-for\n"
    "                    graphs, and DIR/index.html listing the files, those with findings first\n"
    "                    (DIR is created if missing)\n"
    "  --dot FILE        write the wait-for graph where the first counterexample ends, in\n"
    "                    Graphviz (and FILE.svg when `dot` is installed)\n"
    "  --shrink          for each violated property, remove tasks, copies, statements and fault\n"
    "                    budget while it stays violated, and write the smallest scenario as\n"
    "                    STEM.PROPERTY.shrunk.json beside the JSON report (or here)\n"
    "  --max-states N    stop exploring a file after N states (verdicts left open are 'unknown')\n"
    "  --max-memory SIZE stop exploring a file when its states and graph would pass SIZE (512M,\n"
    "                    4G; default: half of physical memory, within the address-space limit)\n"
    "  --time-limit SECONDS\n"
    "                    stop exploring a file after SECONDS (each stop: verdicts left open are\n"
    "                    'unknown', the figures say where it stopped, exit 1)\n"
    "  --threads N       expand states on N threads (default: every core); the reports are the\n"
    "                    same for any N\n"
    "  --first           stop at the first counterexample found (breadth-first: the fewest steps,\n"
    "                    perhaps not the fewest faults); verdicts it does not decide are 'unknown'\n"
    "  --hash-compaction keep a 64-bit fingerprint of each state, not the state, and no state\n"
    "                    graph: about 10 to 16 bytes per state; the report gives the probability\n"
    "                    that a state was missed; counterexamples have the fewest steps, perhaps\n"
    "                    not the fewest faults; a liveness property is violated only by a stuck\n"
    "                    state, and is otherwise 'unknown' (cycles are not searched)\n"
    "  --random RUNS     instead of every state, run RUNS random schedules from the initial state,\n"
    "                    each until it is stuck or --max-steps events (default 10000): for spaces\n"
    "                    too big to finish. What a run violates comes with a replayable\n"
    "                    counterexample (the shortest found); nothing else is proven, so the rest\n"
    "                    is 'unknown'. The report says what the runs covered\n"
    "  --seed N          the runs' seed (default 1): the same seed, the same runs and report\n"
    "  --pct D           choose by PCT priorities (the highest-priority task runs; D - 1 times a\n"
    "                    run, the running task drops below the rest) instead of uniformly: each\n"
    "                    run finds a bug of D ordering constraints among n tasks in k steps with\n"
    "                    probability at least 1 / (n k^(D-1))\n"
    "  --no-symmetry     store every state as it is; by default, copies of a task that nothing\n"
    "                    names on its own are interchangeable, and states are counted up to\n"
    "                    renaming them (the report says which copies)\n"
    "  --no-progress     no progress line on standard error (shown only on a terminal, after a\n"
    "                    second)\n"
    "  --no-timing       leave seconds out of the reports (0 in JSON, JUnit, HTML), so that they\n"
    "                    depend on the input only\n"
    "\n"
    "Each output file is written to a temporary file beside it, then renamed over it (a symbolic\n"
    "link at its name is replaced, not followed); FIFOs and devices are written in place. A write\n"
    "that fails, standard output included, is an error.\n"
    "\n"
    "exit status: 0 every verdict as expected, 1 some not (or unknown: a limit stopped the\n"
    "search), 2 bad input or usage or an unwritable output, 3 internal error\n";

constexpr std::string_view kReplay =
    "usage: wakecheck replay REPORT.json\n"
    "\n"
    "Re-executes every counterexample (and example) of a JSON report written by `check --json`\n"
    "against the current model and prints the state after each step; if the model changed so that\n"
    "a trace no longer applies, it says at which step and why.\n"
    "\n"
    "exit status: 0 every trace applies, 1 one does not, 2 bad input or usage, 3 internal error\n";

constexpr std::string_view kCompare =
    "usage: wakecheck compare FILE\n"
    "\n"
    "Rewrites FILE's program (one tokio_mutex, wrapped tasks) for a tokio Mutex, a barging mutex,\n"
    "and a std Mutex flag with Notify::notify_waiters or notify_one, under each pause policy\n"
    "(strand, drop the inner future, finish the item), and prints which combinations strand, hang\n"
    "or pass (all_tasks_finish).\n"
    "\n"
    "exit status: 0 the table was printed, 2 bad input or usage, 3 internal error\n";

constexpr std::string_view kExport =
    "usage: wakecheck export --rust PATH [--trace CHECK] [--out DIR]\n"
    "\n"
    "Writes the scenario of PATH (a property file, or a JSON report of `check`: its \"file\") as a\n"
    "self-contained tokio program, DIR/STEM.rs, and the model's verdict on which tasks hang,\n"
    "DIR/STEM.expected. The program builds with Rust 1.63 or newer against tokio 1.x; its header\n"
    "says how to build it offline against Debian's crates. Scenarios with fault budgets are\n"
    "refused (real tokio cannot schedule the environment's faults).\n"
    "\n"
    "  --rust            the target language (the only one)\n"
    "  --trace CHECK     PATH is a JSON report: force its counterexample of CHECK on real tokio, each\n"
    "                    timer firing when the trace fires it (current_thread traces that end in a\n"
    "                    hang; not an unbiased select!'s random start); the .expected file then holds\n"
    "                    the one outcome where the trace ends\n"
    "  --out DIR         where to write (default: the current directory; created if missing)\n"
    "\n"
    "exit status: 0 written, 2 bad input or usage or an unwritable output, 3 internal error\n";

constexpr std::string_view kInit =
    "usage: wakecheck init [--template NAME] FILE\n"
    "\n"
    "Writes a starter property file to FILE, commented line by line: a scenario to adapt and the\n"
    "checks it passes as written (wakecheck check FILE exits 0). Never overwrites a file.\n"
    "\n"
    "  --template NAME   seed (the default): workers of a tokio Mutex under a pausable wrapper,\n"
    "                                        one of which the environment may pause\n"
    "                    futurelock:         a select! that keeps a lock future and locks again\n"
    "                    semaphore_pool:     a Semaphore pool whose workers may be paused or\n"
    "                                        cancelled\n"
    "\n"
    "exit status: 0 written, 2 bad usage, FILE exists or cannot be written\n";

bool is_help_flag(const std::string& arg) { return arg == "--help" || arg == "-h"; }

[[noreturn]] void usage_error(const std::string& message) {
  throw InputError("wakecheck: " + message + " (see wakecheck init --help)");
}

}  // namespace

const std::vector<std::string>& command_names() {
  static const std::vector<std::string> names = {"check", "replay", "compare", "export", "init"};
  return names;
}

std::string_view overview_help() { return kOverview; }

std::optional<std::string_view> command_help(std::string_view command) {
  if (command == "check") return kCheck;
  if (command == "replay") return kReplay;
  if (command == "compare") return kCompare;
  if (command == "export") return kExport;
  if (command == "init") return kInit;
  return std::nullopt;
}

bool answer_help(const std::vector<std::string>& args, std::ostream& out) {
  if (args.empty()) return false;
  if (is_help_flag(args[0]) || args[0] == "help") {
    if (args.size() == 1) {
      out << kOverview;
      return true;
    }
    const auto help = command_help(args[1]);
    if (!help) {
      std::string message = "wakecheck: no command '" + args[1] + "'";
      if (auto near = properties::nearest_name(args[1], command_names())) message += "; did you mean '" + *near + "'?";
      throw InputError(message + " (see wakecheck --help)");
    }
    out << *help;
    return true;
  }
  const auto help = command_help(args[0]);
  if (help && std::any_of(args.begin() + 1, args.end(), is_help_flag)) {
    out << *help;
    return true;
  }
  return false;
}

std::vector<std::string> template_names() { return {"seed", "futurelock", "semaphore_pool"}; }

std::optional<std::string_view> template_text(std::string_view name) { return builtin_template(name); }

int init_command(const std::vector<std::string>& args, std::ostream& out) {
  namespace fs = std::filesystem;
  std::string name = "seed";
  std::string path;
  for (std::size_t i = 1; i < args.size(); ++i) {
    if (args[i] == "--template") {
      if (i + 1 >= args.size()) usage_error("option '--template' needs a name");
      name = args[++i];
      if (!template_text(name)) {
        std::string message = "unknown template '" + name + "'";
        if (auto near = properties::nearest_name(name, template_names())) {
          message += "; did you mean '" + *near + "'?";
        } else {
          std::string list;
          for (const auto& t : template_names()) list += (list.empty() ? "" : ", ") + t;
          message += "; the templates are " + list;
        }
        usage_error(message);
      }
    } else if (args[i].rfind("-", 0) == 0) {
      std::string message = "unknown option '" + args[i] + "' for 'init'";
      if (auto near = properties::nearest_name(args[i], {"--template"})) message += "; did you mean '" + *near + "'?";
      usage_error(message);
    } else if (path.empty()) {
      path = args[i];
    } else {
      usage_error("'init' writes one file; found '" + path + "' and '" + args[i] + "'");
    }
  }
  if (path.empty()) usage_error("'init' needs the file to write");
  std::error_code error;
  if (fs::exists(fs::symlink_status(path, error))) {
    throw InputError(path + ": already exists; wakecheck init writes only new files");
  }
  // Written to a new file only: a file that appears meanwhile is not overwritten either.
  const auto text = *template_text(name);
  std::FILE* file = std::fopen(path.c_str(), "wx");
  if (file == nullptr) throw InputError(path + ": cannot create the file");
  const bool written = std::fwrite(text.data(), 1, text.size(), file) == text.size();
  if (std::fclose(file) != 0 || !written) throw InputError(path + ": cannot write the file");
  out << "wrote " << path << " (template " << name << "); check it with: wakecheck check " << path << "\n";
  return 0;
}

}  // namespace wakecheck::cli
