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
#include <utility>

#include "raft/base/check.h"

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

FileWriter::FileWriter(std::string path) : path_(std::move(path)) {}

FileWriter::~FileWriter() {
  if (!finished_) discard();
}

void FileWriter::open() {
  std::error_code error;
  if (std::filesystem::is_directory(std::filesystem::symlink_status(path_, error))) {
    status_ = Status(StatusCode::io_error, path_ + ": is a directory");
    return;
  }
  temporary_ = temporary_name(path_);
  fd_ = ::open(temporary_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd_ < 0) status_ = os_error(path_, "create " + temporary_, errno);
}

void FileWriter::append(std::string_view bytes) {
  RAFTSIM_CHECK_MSG(!finished_, "append after commit");
  if (!status_.ok()) return;
  if (bytes.size() > kFileBytesMax - total_) {
    status_ = Status(StatusCode::out_of_range, path_ + ": more than the limit of " +
                                                   std::to_string(kFileBytesMax) + " bytes");
    return;
  }
  total_ += bytes.size();
  if (buffer_.size() + bytes.size() <= kBufferBytes) {
    buffer_.append(bytes);
    return;
  }
  flush();
  if (!status_.ok()) return;
  if (bytes.size() >= kBufferBytes) {
    status_ = write_all(fd_, bytes, path_);
  } else {
    buffer_.append(bytes);
  }
}

void FileWriter::flush() {
  if (fd_ < 0 && status_.ok()) open();
  if (!status_.ok()) return;
  status_ = write_all(fd_, buffer_, path_);
  buffer_.clear();
}

void FileWriter::discard() {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
  if (!temporary_.empty()) ::unlink(temporary_.c_str());
  finished_ = true;
}

Status FileWriter::commit() {
  RAFTSIM_CHECK_MSG(!finished_, "commit twice");
  flush();
  if (status_.ok() && ::fsync(fd_) != 0) status_ = os_error(path_, "fsync", errno);
  if (fd_ >= 0) {
    const int closed = ::close(fd_);
    fd_ = -1;
    if (closed != 0 && status_.ok()) status_ = os_error(path_, "close", errno);
  }
  if (status_.ok() && ::rename(temporary_.c_str(), path_.c_str()) != 0) {
    status_ = os_error(path_, "rename from " + temporary_, errno);
  }
  if (!status_.ok()) {
    discard();
    return status_;
  }
  finished_ = true;
  return sync_directory(directory_of(path_));
}

Status write_file(const std::string& path, std::string_view bytes) {
  if (bytes.size() > kFileBytesMax) {
    return Status(StatusCode::out_of_range, path + ": " + std::to_string(bytes.size()) +
                                                " bytes, more than the limit of " +
                                                std::to_string(kFileBytesMax));
  }
  FileWriter writer(path);
  writer.append(bytes);
  return writer.commit();
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
