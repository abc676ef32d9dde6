// Reading input files: regular files only, bounded, and never blocking; directories walked with
// every error on the way reported (never thrown as a std::filesystem::filesystem_error).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace wakecheck::properties {

/// The bytes of the file at `path`, which must be a regular file (after symbolic links) of at
/// most `limit` bytes. Throws InputError "PATH: ..." for a file that does not exist, a symbolic
/// link loop, a directory, FIFO, device or socket, a file it may not read, one larger than
/// `limit`, or a read that fails. A FIFO is opened without waiting for a writer, and a device is
/// never read, so this never blocks and never reads without bound.
std::string read_regular_file(const std::string& path, std::size_t limit);

/// The property files `path` stands for: itself, unless it is a directory; then every file
/// named *.json below it but JSON Schemas (schema.json, *.schema.json), in sorted order.
/// Symbolic links to directories are not followed. Throws InputError for a path that does not
/// exist, a directory that cannot be read, a *.json entry that is a symbolic link loop, dangles,
/// or is not a regular file, and a directory without property files.
std::vector<std::string> property_files(const std::string& path);

}  // namespace wakecheck::properties
