// raftsim: writing DOT files and running Graphviz on them (see graphviz.h).
#include "sim/render/graphviz.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>

#include "raft/base/enum_names.h"
#include "sim/files/artifact_writer.h"

extern char** environ;

namespace raftsim::sim {
namespace {

// Graphviz's complaints beyond this are not kept: the first line is what the user needs.
constexpr std::size_t kStderrBytesMax = 4096;

constexpr EnumName<ImageFormat> kImageFormatNames[] = {
    {ImageFormat::dot, "dot"}, {ImageFormat::svg, "svg"}, {ImageFormat::png, "png"}};

std::string first_line(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  return line.empty() ? std::string("(no message)") : line;
}

// Reads the child's stderr until it closes, keeping the first kStderrBytesMax bytes; false when
// `deadline` passes first.
// The wall clock here bounds a Graphviz run on a finished trace, never a simulated one.
using WallClock = std::chrono::steady_clock;  // lint: allow (Graphviz's timeout, not simulated)

bool drain(int fd, WallClock::time_point deadline, std::string& text) {
  char buffer[512];
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - WallClock::now());
    if (left.count() <= 0) return false;
    pollfd ready{fd, POLLIN, 0};
    const int polled = poll(&ready, 1, static_cast<int>(std::min<long long>(left.count(), 1000)));
    if (polled < 0 && errno == EINTR) continue;
    if (polled == 0) continue;
    const ssize_t count = read(fd, buffer, sizeof buffer);
    if (count < 0 && errno == EINTR) continue;
    if (count <= 0) return true;
    if (text.size() < kStderrBytesMax) text.append(buffer, static_cast<std::size_t>(count));
  }
}

}  // namespace

const char* image_format_name(ImageFormat format) {
  return enum_name(kImageFormatNames, format);
}

std::optional<ImageFormat> image_format_for_path(std::string_view path) {
  for (ImageFormat format : {ImageFormat::dot, ImageFormat::svg, ImageFormat::png}) {
    const std::string extension = std::string(".") + image_format_name(format);
    if (path.size() > extension.size() && path.ends_with(extension)) return format;
  }
  return std::nullopt;
}

Status run_graphviz(const std::string& dot_path, const std::string& image_path, ImageFormat format,
                    const GraphvizOptions& options) {
  if (format == ImageFormat::dot) return Status::ok_status();
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) {
    return Status(StatusCode::io_error,
                  std::string("cannot run Graphviz: pipe: ") + std::strerror(errno));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 2);
  posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
  posix_spawn_file_actions_addclose(&actions, pipe_fds[1]);
  std::string type = std::string("-T") + image_format_name(format);
  std::string input = dot_path;
  std::string output_flag = "-o";
  // Graphviz writes a temporary beside the picture, renamed over it only when it succeeded: a
  // failed or killed run never leaves half a picture.
  const std::filesystem::path target(image_path);
  std::string output = (target.parent_path() /
                        ("." + target.filename().string() + ".tmp-" + std::to_string(getpid())))
                           .string();
  std::string program = options.program;
  char* argv[] = {program.data(),     type.data(),   input.data(),
                  output_flag.data(), output.data(), nullptr};
  pid_t pid = 0;
  const int spawned = posix_spawnp(&pid, program.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  close(pipe_fds[1]);
  if (spawned != 0) {
    close(pipe_fds[0]);
    return Status(StatusCode::unavailable, "Graphviz '" + options.program + "' cannot be run (" +
                                               std::strerror(spawned) +
                                               "); install the graphviz package");
  }
  std::string errors;
  const bool finished =
      drain(pipe_fds[0], WallClock::now() + std::chrono::seconds(options.timeout_seconds), errors);
  close(pipe_fds[0]);
  if (!finished) kill(pid, SIGKILL);
  int wait_status = 0;
  while (waitpid(pid, &wait_status, 0) < 0 && errno == EINTR) {
  }
  if (!finished) {
    unlink(output.c_str());
    return Status(StatusCode::io_error,
                  "Graphviz '" + options.program + " " + type + "' took longer than " +
                      std::to_string(options.timeout_seconds) + " s on " + dot_path +
                      " and was stopped (draw fewer rows: --rows-max, --from-ms, --until-ms)");
  }
  if (!WIFEXITED(wait_status) || WEXITSTATUS(wait_status) != 0) {
    unlink(output.c_str());
    const std::string how = WIFEXITED(wait_status)
                                ? "exit " + std::to_string(WEXITSTATUS(wait_status))
                                : std::string("killed by a signal");
    // glibc reports a program that could not be executed as exit 127 from the child.
    const StatusCode code = WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 127
                                ? StatusCode::unavailable
                                : StatusCode::io_error;
    return Status(code, "Graphviz '" + options.program + " " + type + "' failed on " + dot_path +
                            " (" + how + "): " + first_line(errors));
  }
  std::error_code error;
  if (std::filesystem::file_size(output, error) == 0 || error) {
    unlink(output.c_str());
    return Status(StatusCode::io_error, "Graphviz '" + options.program + "' wrote no picture to " +
                                            image_path + ": " + first_line(errors));
  }
  if (rename(output.c_str(), image_path.c_str()) != 0) {
    const int rename_error = errno;
    unlink(output.c_str());
    return Status(StatusCode::io_error,
                  image_path + ": rename from " + output + ": " + std::strerror(rename_error));
  }
  return Status::ok_status();
}

Result<DiagramFiles> write_diagram(const std::string& directory, const std::string& name,
                                   const std::string& dot_text, ImageFormat format,
                                   const GraphvizOptions& options) {
  return write_diagram_to(directory + "/" + name + "." + image_format_name(format), dot_text,
                          options);
}

Result<DiagramFiles> write_diagram_to(const std::string& image_path, const std::string& dot_text,
                                      const GraphvizOptions& options) {
  const std::optional<ImageFormat> format = image_format_for_path(image_path);
  if (!format) {
    return Status(StatusCode::invalid_argument,
                  image_path + ": unknown picture format (expected .svg, .png or .dot)");
  }
  const std::string extension = std::string(".") + image_format_name(*format);
  DiagramFiles files;
  files.dot_path = image_path.substr(0, image_path.size() - extension.size()) + ".dot";
  if (Status status = files::write_file(files.dot_path, dot_text); !status.ok()) return status;
  if (*format == ImageFormat::dot) return files;
  if (Status status = run_graphviz(files.dot_path, image_path, *format, options); !status.ok()) {
    return Status(status.code(), status.message() + " (the DOT text is in " + files.dot_path + ")");
  }
  files.image_path = image_path;
  return files;
}

}  // namespace raftsim::sim
