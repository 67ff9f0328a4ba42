// raftsim: capped, checked reads of input files (see input_file.h).
#include "sim/files/input_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "sim/files/text.h"

namespace raftsim::files {
namespace {

Status os_error(const std::string& path, std::string_view doing, int error) {
  const StatusCode code = error == ENOENT ? StatusCode::not_found : StatusCode::io_error;
  return Status(code,
                printable(path) + ": cannot " + std::string(doing) + ": " + std::strerror(error));
}

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

Result<std::string> read_input_file(const std::string& path, std::string_view what,
                                    std::size_t bytes_max) {
  const std::string doing_open = "open the " + std::string(what);
  FileDescriptor file(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (file.get() < 0) return os_error(path, doing_open, errno);
  struct stat info {};
  if (::fstat(file.get(), &info) != 0) return os_error(path, doing_open, errno);
  if (S_ISDIR(info.st_mode)) {
    return Status(StatusCode::invalid_argument,
                  printable(path) + ": is a directory, expected a " + std::string(what));
  }
  // Opened non-blocking so a FIFO without a writer cannot hang the open; reads block again.
  ::fcntl(file.get(), F_SETFL, ::fcntl(file.get(), F_GETFL) & ~O_NONBLOCK);
  const std::string too_large = printable(path) + ": the " + std::string(what) +
                                " is larger than the limit of " + std::to_string(bytes_max) +
                                " bytes (raise it with --input-limit-mb)";
  if (S_ISREG(info.st_mode) && static_cast<std::uint64_t>(info.st_size) > bytes_max) {
    return Status(StatusCode::out_of_range, too_large);
  }
  std::string text;
  if (S_ISREG(info.st_mode)) text.reserve(static_cast<std::size_t>(info.st_size));
  char buffer[1 << 16];
  for (;;) {
    const ssize_t got = ::read(file.get(), buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return os_error(path, "read the " + std::string(what), errno);
    if (got == 0) break;
    if (text.size() + static_cast<std::size_t>(got) > bytes_max) {
      return Status(StatusCode::out_of_range, too_large);
    }
    text.append(buffer, static_cast<std::size_t>(got));
  }
  return text;
}

}  // namespace raftsim::files
