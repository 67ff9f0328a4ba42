// raftsim: how every command writes its files. A file is written whole or not at all: the bytes
// go to a temporary file in the target's directory, every write is checked, the file is fsynced
// and renamed over the target, then the directory is fsynced. A failure names the path and the
// operating system's reason and leaves any previous file in place. Also: the checks an --out
// directory gets before a long run, and the one-component names derived from scenario names.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "raft/base/status.h"

namespace raftsim::files {

// The largest file any command writes (a trace of a long run is the biggest); beyond it
// write_file refuses with out_of_range before touching the disk.
inline constexpr std::size_t kFileBytesMax = std::size_t{4} << 30;

// Writes `bytes` to `path` atomically (see above). The target may not be a directory; a symlink
// at `path` is replaced, never followed. Errors: io_error or no_space with "PATH: REASON".
Status write_file(const std::string& path, std::string_view bytes);

// The same for a file too big to build in memory first (a long run's trace): the bytes come piece
// by piece and go out through a fixed buffer of kBufferBytes. The first failure sticks (later
// appends do nothing) and commit() returns it; a writer destroyed without a commit, or whose
// commit failed, leaves no temporary file and no target behind. Over kFileBytesMax: out_of_range.
class FileWriter {
 public:
  static constexpr std::size_t kBufferBytes = std::size_t{1} << 20;

  explicit FileWriter(std::string path);
  FileWriter(const FileWriter&) = delete;
  FileWriter& operator=(const FileWriter&) = delete;
  ~FileWriter();

  void append(std::string_view bytes);
  // Writes what is buffered, fsyncs, renames over the target and syncs the directory.
  Status commit();

 private:
  void open();
  void flush();
  void discard();

  std::string path_;
  std::string temporary_;
  int fd_ = -1;
  std::string buffer_;
  std::size_t total_ = 0;
  Status status_;
  bool finished_ = false;
};

// Makes sure `directory` exists (creating missing parents) and that a file can be created,
// written, synced and removed in it: called before a long run, so a bad --out fails at once.
Status prepare_directory(const std::string& directory);

// A name usable as one path component under an output directory: at most kComponentBytesMax
// bytes of [A-Za-z0-9._-], other bytes replaced by '_', never "", "." or "..", never starting with
// a dot (so never hidden, never a parent). Deterministic, so collisions can be found up front.
inline constexpr std::size_t kComponentBytesMax = 100;
std::string safe_component(std::string_view name);

}  // namespace raftsim::files
