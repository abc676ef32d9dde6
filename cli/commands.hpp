// The command line's help texts (the overview and one per command) and `wakecheck init`.
// cli/main.cpp dispatches; only it chooses exit codes, from what these return.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace wakecheck::cli {

/// Every command, in the order the overview lists them.
const std::vector<std::string>& command_names();

/// `wakecheck --help`: the commands, each in one line, and the exit statuses.
std::string_view overview_help();

/// `wakecheck COMMAND --help`: the command's synopsis, what it does, its options; nullopt for a
/// name that is not a command.
std::optional<std::string_view> command_help(std::string_view command);

/// Answers a request for help, if `args` is one: `--help`, `-h` or `help` alone or followed by
/// a command, or a command with `--help` or `-h` among its arguments. Writes the help to `out`
/// and returns true; throws properties::InputError for help on an unknown command.
bool answer_help(const std::vector<std::string>& args, std::ostream& out);

/// `wakecheck init [--template NAME] FILE`: writes a commented starter property file, never over
/// an existing file. Returns 0; throws properties::InputError for bad usage or when FILE exists
/// or cannot be written.
int init_command(const std::vector<std::string>& args, std::ostream& out);

/// A starter template's text by name (cli/templates/NAME.json, built in), or nullopt.
std::optional<std::string_view> template_text(std::string_view name);

/// The templates' names, the default first.
std::vector<std::string> template_names();

}  // namespace wakecheck::cli
