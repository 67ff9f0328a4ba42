// raftsim: atomic, checked file writes for every command (see artifact_writer.h).
#include "sim/files/artifact_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace raftsim::files {
namespace {

Status os_error(const std::string& path, const std::string& doing, int error) {
  const bool full = error == ENOSPC || error == EDQUOT || error == EFBIG;
  return Status(full ? StatusCode::no_space : StatusCode::io_error,
                path + ": " + doing + ": " + std::strerror(error));
}

std::string directory_of(const std::string& path) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  return parent.empty() ? std::string(".") : parent.string();
}

// A name no other writer in this or another process uses at the same time.
std::string temporary_name(const std::string& path) {
  static std::atomic<std::uint64_t> counter{0};
  const std::filesystem::path target(path);
  std::filesystem::path temporary = target.parent_path();
  temporary /= "." + target.filename().string() + ".tmp-" + std::to_string(::getpid()) + "-" +
               std::to_string(counter.fetch_add(1));
  return temporary.string();
}

Status write_all(int fd, std::string_view bytes, const std::string& path) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t wrote = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote < 0) return os_error(path, "write", errno);
    if (wrote == 0) return os_error(path, "write", EIO);
    done += static_cast<std::size_t>(wrote);
  }
  return Status();
}

// Some file systems cannot sync a directory (EINVAL): the rename stands, so that is no error.
Status sync_directory(const std::string& directory) {
  const int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return os_error(directory, "open directory", errno);
  const int synced = ::fsync(fd);
  const int error = errno;
  ::close(fd);
  if (synced != 0 && error != EINVAL) return os_error(directory, "fsync directory", error);
  return Status();
}

bool safe_byte(unsigned char byte) {
  return (byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z') ||
         (byte >= '0' && byte <= '9') || byte == '.' || byte == '_' || byte == '-';
}

}  // namespace

Status write_file(const std::string& path, std::string_view bytes) {
  if (bytes.size() > kFileBytesMax) {
    return Status(StatusCode::out_of_range, path + ": " + std::to_string(bytes.size()) +
                                                " bytes, more than the limit of " +
                                                std::to_string(kFileBytesMax));
  }
  std::error_code error;
  if (std::filesystem::is_directory(std::filesystem::symlink_status(path, error))) {
    return Status(StatusCode::io_error, path + ": is a directory");
  }
  const std::string temporary = temporary_name(path);
  const int fd =
      ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0) return os_error(path, "create " + temporary, errno);
  Status status = write_all(fd, bytes, path);
  if (status.ok() && ::fsync(fd) != 0) status = os_error(path, "fsync", errno);
  if (::close(fd) != 0 && status.ok()) status = os_error(path, "close", errno);
  if (status.ok() && ::rename(temporary.c_str(), path.c_str()) != 0) {
    status = os_error(path, "rename from " + temporary, errno);
  }
  if (!status.ok()) {
    ::unlink(temporary.c_str());
    return status;
  }
  return sync_directory(directory_of(path));
}

Status prepare_directory(const std::string& directory) {
  std::error_code error;
  std::filesystem::create_directories(directory, error);
  if (error) {
    return Status(StatusCode::io_error, directory + ": cannot create: " + error.message());
  }
  if (!std::filesystem::is_directory(directory, error)) {
    return Status(StatusCode::io_error, directory + ": not a directory");
  }
  const std::string probe =
      (std::filesystem::path(directory) / (".raftsim-probe-" + std::to_string(::getpid())))
          .string();
  if (Status written = write_file(probe, "probe\n"); !written.ok()) return written;
  if (::unlink(probe.c_str()) != 0) return os_error(probe, "remove", errno);
  return Status();
}

std::string safe_component(std::string_view name) {
  std::string out;
  for (std::size_t i = 0; i < name.size() && out.size() < kComponentBytesMax; ++i) {
    const auto byte = static_cast<unsigned char>(name[i]);
    out.push_back(safe_byte(byte) ? static_cast<char>(byte) : '_');
  }
  if (out.empty()) return "_";
  if (out.front() == '.') out.front() = '_';  // never hidden, never "." or ".."
  return out;
}

}  // namespace raftsim::files
