#include "cli/output.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <iostream>
#include <streambuf>
#include <string_view>
#include <vector>

#include "properties/input_error.hpp"
#include "properties/text.hpp"

extern char** environ;

namespace wakecheck::cli {

namespace {

using properties::InputError;

std::string reason(int error) {
  std::string text = std::strerror(error);
  if (!text.empty() && text[0] >= 'A' && text[0] <= 'Z') text[0] = static_cast<char>(text[0] - 'A' + 'a');
  return text;
}

[[noreturn]] void cannot_write(const std::string& path, const std::string& why) {
  throw InputError("wakecheck: cannot write '" + properties::printable(path) + "': " + why);
}

std::string parent_of(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string base_of(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

/// Every byte of `data` to `fd`; the errno of the first failure, or 0.
int write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return 0;
}

/// The descriptor a name stands for (/dev/stdout, /dev/fd/3, /proc/self/fd/3): a symbolic link
/// to /proc/self/fd/N, or an entry of this process's /proc fd directory. Renaming over such a
/// name would replace it (/dev/stdout itself), and opening it anew would write at another
/// offset than the descriptor's: the descriptor is duplicated instead.
std::optional<int> descriptor_named(const std::string& path) {
  auto number = [](const std::string& text) -> std::optional<int> {
    if (text.empty() || text.size() > 9 || text.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    return std::stoi(text);
  };
  std::vector<char> target(4096);
  const ssize_t n = ::readlink(path.c_str(), target.data(), target.size() - 1);
  if (n > 0) {
    const std::string link(target.data(), static_cast<std::size_t>(n));
    if (link.starts_with("/proc/self/fd/")) return number(link.substr(14));
  }
  char* parent = ::realpath(parent_of(path).c_str(), nullptr);
  const std::string dir = parent != nullptr ? parent : "";
  std::free(parent);
  if (dir == "/proc/self/fd" || dir == "/proc/" + std::to_string(::getpid()) + "/fd") return number(base_of(path));
  return std::nullopt;
}

mode_t file_mode() {
  const mode_t mask = ::umask(0);
  ::umask(mask);
  return static_cast<mode_t>(0666 & ~mask);
}

}  // namespace

OutputFile::OutputFile(std::string path) : path_(std::move(path)) {
  if (path_.empty()) cannot_write(path_, "an empty file name");
  struct stat own {};
  const bool exists = ::lstat(path_.c_str(), &own) == 0;
  struct stat target {};
  const bool target_exists = exists && ::stat(path_.c_str(), &target) == 0;
  if (target_exists && S_ISDIR(target.st_mode)) cannot_write(path_, "it is a directory");
  if (exists && S_ISLNK(own.st_mode) && target_exists) {
    if (const auto descriptor = descriptor_named(path_)) {
      // Written to the same open file, at its offset (after what standard output holds).
      in_place_ = true;
      fd_ = ::fcntl(*descriptor, F_DUPFD_CLOEXEC, 0);
      if (fd_ < 0) cannot_write(path_, reason(errno));
      return;
    }
  }
  if (target_exists && !S_ISREG(target.st_mode)) {
    // A FIFO, a device, a socket (/dev/full, a named pipe): written in place. O_NONBLOCK: a FIFO
    // nobody reads is refused at once instead of waiting.
    in_place_ = true;
    fd_ = ::open(path_.c_str(), O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd_ < 0) cannot_write(path_, errno == ENXIO ? "no process reads it" : reason(errno));
    const int flags = ::fcntl(fd_, F_GETFL);
    if (flags < 0 || ::fcntl(fd_, F_SETFL, flags & ~O_NONBLOCK) < 0) fail(reason(errno));
    return;
  }
  // A regular file, a new name, or a symbolic link (which the rename replaces): a temporary
  // file in the same directory, created exclusively (never through a link), renamed at commit.
  std::string name = parent_of(path_) + "/." + base_of(path_) + ".XXXXXX";
  std::vector<char> buffer(name.begin(), name.end());
  buffer.push_back('\0');
  fd_ = ::mkostemp(buffer.data(), O_CLOEXEC);
  if (fd_ < 0) cannot_write(path_, reason(errno));
  temporary_ = buffer.data();
  if (::fchmod(fd_, file_mode()) != 0) fail(reason(errno));
}

OutputFile::~OutputFile() { discard(); }

void OutputFile::discard() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  if (!temporary_.empty()) ::unlink(temporary_.c_str());
  temporary_.clear();
}

void OutputFile::fail(const std::string& why) {
  discard();
  cannot_write(path_, why);
}

void OutputFile::commit() {
  if (fd_ < 0) fail("already closed");
  if (in_place_) {
    // What the text report has buffered goes first (the descriptor may be standard output's).
    std::cout.flush();
    std::fflush(stdout);
  }
  const std::string text = buffer_.str();
  if (const int error = write_all(fd_, text.data(), text.size()); error != 0) fail(reason(error));
  if (!temporary_.empty() && ::fsync(fd_) != 0) fail(reason(errno));
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) fail(reason(errno));
  if (temporary_.empty()) return;
  if (::rename(temporary_.c_str(), path_.c_str()) != 0) fail(reason(errno));
  temporary_.clear();
}

void write_output(const std::string& path, const std::string& text) {
  OutputFile file(path);
  file.stream() << text;
  file.commit();
}

void render_svg(const std::string& dot_path) {
  std::string dot;
  if (const char* chosen = std::getenv("WAKECHECK_DOT"); chosen != nullptr && *chosen != '\0') {
    dot = chosen;  // another Graphviz, or a stand-in for tests
    if (::access(dot.c_str(), X_OK) != 0) cannot_write(dot_path + ".svg", "WAKECHECK_DOT is not an executable: " + dot);
  }
  for (const char* candidate : {"/usr/bin/dot", "/usr/local/bin/dot"}) {
    if (dot.empty() && ::access(candidate, X_OK) == 0) dot = candidate;
  }
  if (dot.empty()) return;
  OutputFile svg(dot_path + ".svg");
  // An argument vector, no shell: nothing in the path is interpreted. A relative path starting
  // with '-' would read as an option.
  const std::string input = dot_path.starts_with("-") ? "./" + dot_path : dot_path;
  std::vector<std::string> args = {"dot", "-Tsvg", input};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, svg.descriptor(), STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  const int spawned = ::posix_spawn(&pid, dot.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) cannot_write(svg.path(), "cannot run " + dot + ": " + reason(spawned));
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) cannot_write(svg.path(), "cannot wait for " + dot + ": " + reason(errno));
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    cannot_write(svg.path(), dot + (WIFEXITED(status) ? " exited with status " + std::to_string(WEXITSTATUS(status))
                                                      : std::string(" was killed by a signal")));
  }
  svg.commit();
}

// --- HTML through a staging directory --------------------------------------------------------------

namespace {

class StagedHtmlReporter final : public reports::Reporter {
 public:
  StagedHtmlReporter(std::string directory, bool include_timing) : directory_(std::move(directory)) {
    // The reporter creates the directory (and says so when it cannot); the stage goes inside it.
    (void)reports::make_html_reporter(directory_, include_timing);
    std::string name = directory_ + "/.wakecheck-html.XXXXXX";
    std::vector<char> buffer(name.begin(), name.end());
    buffer.push_back('\0');
    if (::mkdtemp(buffer.data()) == nullptr) cannot_write(directory_, reason(errno));
    stage_ = buffer.data();
    inner_ = guarded([&] { return reports::make_html_reporter(stage_, include_timing); });
  }
  ~StagedHtmlReporter() override { remove_stage(); }
  StagedHtmlReporter(const StagedHtmlReporter&) = delete;
  StagedHtmlReporter& operator=(const StagedHtmlReporter&) = delete;

  void add(const properties::FileRun& run) override {
    guarded([&] {
      inner_->add(run);
      return 0;
    });
  }

  void finish() override {
    guarded([&] {
      inner_->finish();
      return 0;
    });
    for (const auto& name : staged()) {
      const std::string from = stage_ + "/" + name;
      const std::string to = directory_ + "/" + name;
      if (::rename(from.c_str(), to.c_str()) != 0) cannot_write(to, reason(errno));
    }
    remove_stage();
  }

 private:
  /// Runs `work`; a failed write names the final path, not the stage.
  template <class F>
  auto guarded(F work) -> decltype(work()) {
    try {
      return work();
    } catch (const InputError& error) {
      std::string message = error.what();
      for (std::size_t at = message.find(stage_); at != std::string::npos; at = message.find(stage_, at)) {
        message.replace(at, stage_.size(), directory_);
        at += directory_.size();
      }
      throw InputError(message);
    }
  }

  std::vector<std::string> staged() const {
    std::vector<std::string> names;
    if (DIR* dir = ::opendir(stage_.c_str())) {
      while (const dirent* entry = ::readdir(dir)) {
        const std::string name = entry->d_name;
        if (name != "." && name != "..") names.push_back(name);
      }
      ::closedir(dir);
    }
    return names;
  }

  void remove_stage() {
    if (stage_.empty()) return;
    for (const auto& name : staged()) ::unlink((stage_ + "/" + name).c_str());
    ::rmdir(stage_.c_str());
    stage_.clear();
  }

  std::string directory_;
  std::string stage_;
  std::unique_ptr<reports::Reporter> inner_;
};

// --- the terminal ----------------------------------------------------------------------------------

/// A stream buffer that passes text on to another, escaping unsafe characters. A UTF-8 sequence
/// split between two writes is held until it completes.
class EscapingBuffer final : public std::streambuf {
 public:
  explicit EscapingBuffer(std::streambuf* out) : out_(out) {}
  ~EscapingBuffer() override {
    for (char c : held_) put_printable(std::string_view(&c, 1));  // a character cut off: \xNN
    held_.clear();
    out_->pubsync();
  }
  EscapingBuffer(const EscapingBuffer&) = delete;
  EscapingBuffer& operator=(const EscapingBuffer&) = delete;

 protected:
  int overflow(int c) override {
    if (c == traits_type::eof()) return traits_type::not_eof(c);
    return feed(static_cast<char>(c)) ? c : traits_type::eof();
  }
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    for (std::streamsize i = 0; i < n; ++i) {
      if (!feed(s[i])) return i;
    }
    return n;
  }
  int sync() override { return ok_ && out_->pubsync() == 0 ? 0 : -1; }

 private:
  bool emit(const char* data, std::size_t size) {
    ok_ = ok_ && out_->sputn(data, static_cast<std::streamsize>(size)) == static_cast<std::streamsize>(size);
    return ok_;
  }
  /// `bytes` as properties::printable shows them: escaped when unsafe or not UTF-8.
  bool put_printable(std::string_view bytes) {
    const std::string text = properties::printable(bytes);
    return emit(text.data(), text.size());
  }

  /// Expected length of a sequence from its lead byte; 0 for a byte that cannot lead one.
  static std::size_t sequence_length(unsigned char lead) {
    if (lead >= 0xC2 && lead <= 0xDF) return 2;
    if (lead >= 0xE0 && lead <= 0xEF) return 3;
    if (lead >= 0xF0 && lead <= 0xF4) return 4;
    return 0;
  }

  bool feed(char c) {
    held_.push_back(c);
    while (!held_.empty()) {
      const auto lead = static_cast<unsigned char>(held_[0]);
      if (lead < 0x80) {
        const bool safe = !properties::is_unsafe_code_point(lead) || lead == '\n' || lead == '\t';
        const bool ok = safe ? emit(held_.data(), 1) : put_printable(std::string_view(held_).substr(0, 1));
        held_.erase(0, 1);
        if (!ok) return false;
        continue;
      }
      const std::size_t length = sequence_length(lead);
      const properties::Utf8Char ch = properties::decode_utf8(held_);
      if (ch.length == 0) {
        bool could_complete = length != 0 && held_.size() < length;
        for (std::size_t i = 1; i < held_.size() && could_complete; ++i) {
          could_complete = (static_cast<unsigned char>(held_[i]) & 0xC0) == 0x80;
        }
        if (could_complete) return true;  // wait for the rest of the character
        const bool ok = put_printable(std::string_view(held_).substr(0, 1));  // \xNN
        held_.erase(0, 1);
        if (!ok) return false;
        continue;
      }
      const bool ok = put_printable(std::string_view(held_).substr(0, ch.length));
      held_.erase(0, ch.length);
      if (!ok) return false;
    }
    return true;
  }

  std::streambuf* out_;
  std::string held_;
  bool ok_ = true;
};

}  // namespace

std::unique_ptr<reports::Reporter> make_staged_html_reporter(const std::string& directory, bool include_timing) {
  return std::make_unique<StagedHtmlReporter>(directory, include_timing);
}

void escape_terminal_output() {
  // Never destroyed: the standard streams flush through them until the very end of the program,
  // after every static object is gone.
  std::cout.rdbuf(new EscapingBuffer(std::cout.rdbuf()));
  std::cerr.rdbuf(new EscapingBuffer(std::cerr.rdbuf()));
}

void check_standard_output() {
  std::cout.flush();
  if (!std::cout || std::fflush(stdout) != 0 || std::ferror(stdout) != 0) {
    throw InputError("wakecheck: cannot write to standard output: " + reason(errno != 0 ? errno : EIO));
  }
}

namespace {
bool progress_shown = false;

std::string human(double n) {
  char text[32];
  if (n >= 1e9) {
    std::snprintf(text, sizeof text, "%.2fG", n / 1e9);
  } else if (n >= 1e6) {
    std::snprintf(text, sizeof text, "%.2fM", n / 1e6);
  } else if (n >= 1e4) {
    std::snprintf(text, sizeof text, "%.0fk", n / 1e3);
  } else {
    std::snprintf(text, sizeof text, "%.0f", n);
  }
  return text;
}
}  // namespace

void progress_line(const explorer::Progress& p) {
  const double rate = p.seconds > 0 ? static_cast<double>(p.states) / p.seconds : 0.0;
  std::fprintf(stderr, "\r\033[K  %s states, %s/s, depth %u, %s waiting, %zu MB, %.0f s",
               human(static_cast<double>(p.states)).c_str(), human(rate).c_str(), p.depth,
               human(static_cast<double>(p.queue)).c_str(), p.memory_bytes >> 20, p.seconds);
  std::fflush(stderr);
  progress_shown = true;
}

void end_progress() {
  if (!progress_shown) return;
  std::fputs("\r\033[K", stderr);
  std::fflush(stderr);
  progress_shown = false;
}

}  // namespace wakecheck::cli
