#include "properties/input_file.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>

#include "properties/input_error.hpp"
#include "properties/text.hpp"

namespace wakecheck::properties {

namespace {

/// strerror's text, as the rest of a message: "no such file or directory".
std::string reason(int error) {
  std::string text = std::strerror(error);
  if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return text;
}

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw InputError(printable(path) + ": " + what);
}

/// What a file that is not a regular one is, for a message.
std::string kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

/// Closes a descriptor when it goes out of scope.
class Descriptor {
 public:
  explicit Descriptor(int fd) : fd_(fd) {}
  ~Descriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

bool is_property_file_name(const std::string& name) {
  // JSON Schemas (schema.json, *.schema.json) live beside property files but are not ones.
  const bool schema = name == "schema.json" || name.ends_with(".schema.json");
  return name.size() > 5 && name.ends_with(".json") && !schema;
}

}  // namespace

std::string read_regular_file(const std::string& path, std::size_t limit) {
  // O_NONBLOCK: opening a FIFO does not wait for a writer (it is refused below anyway).
  const Descriptor fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
  if (fd.get() < 0) {
    const int error = errno;
    if (error == ELOOP) fail(path, "too many levels of symbolic links (a symbolic link loop)");
    fail(path, reason(error));
  }
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) fail(path, "cannot read the file: " + reason(errno));
  if (!S_ISREG(info.st_mode)) fail(path, "not a regular file (" + kind_of(info.st_mode) + ")");
  const auto size = static_cast<std::size_t>(info.st_size);
  auto too_big = [&](std::size_t bytes, bool at_least) {
    fail(path, "the file has " + std::string(at_least ? "more than " : "") + std::to_string(bytes) +
                   " bytes; at most " + std::to_string(limit) + " are read");
  };
  if (size > limit) too_big(size, false);
  std::string text;
  text.resize(std::min(limit, size) + 1);  // one more: a file that grows past the limit is seen
  std::size_t used = 0;
  while (used < text.size()) {
    const ssize_t n = ::read(fd.get(), text.data() + used, text.size() - used);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail(path, "cannot read the file: " + reason(errno));
    }
    if (n == 0) break;
    used += static_cast<std::size_t>(n);
    if (used == text.size() && used <= limit) text.resize(std::min(limit + 1, text.size() * 2));
  }
  if (used > limit) too_big(limit, true);
  text.resize(used);
  return text;
}

std::vector<std::string> property_files(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    const int error = errno;
    if (error == ELOOP) fail(path, "too many levels of symbolic links (a symbolic link loop)");
    fail(path, reason(error));
  }
  if (!S_ISDIR(info.st_mode)) return {path};
  std::vector<std::string> files;
  std::vector<std::string> pending{path};
  while (!pending.empty()) {
    const std::string dir = pending.back();
    pending.pop_back();
    DIR* handle = ::opendir(dir.c_str());
    if (handle == nullptr) fail(dir, "cannot read the directory: " + reason(errno));
    std::vector<std::string> names;
    errno = 0;
    while (const dirent* entry = ::readdir(handle)) {
      const std::string name = entry->d_name;
      if (name != "." && name != "..") names.push_back(name);
      errno = 0;
    }
    const int read_error = errno;
    ::closedir(handle);
    if (read_error != 0) fail(dir, "cannot read the directory: " + reason(read_error));
    for (const auto& name : names) {
      const std::string child = dir.ends_with('/') ? dir + name : dir + "/" + name;
      struct stat own {};
      if (::lstat(child.c_str(), &own) != 0) fail(child, reason(errno));
      if (S_ISDIR(own.st_mode)) {
        pending.push_back(child);
        continue;
      }
      if (!is_property_file_name(name)) continue;
      struct stat target {};
      if (::stat(child.c_str(), &target) != 0) {
        const int error = errno;
        if (error == ELOOP) fail(child, "too many levels of symbolic links (a symbolic link loop)");
        if (error == ENOENT) fail(child, "a symbolic link to nothing (its target does not exist)");
        fail(child, reason(error));
      }
      if (S_ISDIR(target.st_mode)) continue;  // a symbolic link to a directory: not followed
      if (!S_ISREG(target.st_mode)) fail(child, "not a regular file (" + kind_of(target.st_mode) + ")");
      files.push_back(child);
    }
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) fail(path, "no .json property files below this directory");
  return files;
}

}  // namespace wakecheck::properties
