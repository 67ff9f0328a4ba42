// raftsim: writing DOT files and running Graphviz on them (see graphviz.h).
#include "sim/render/graphviz.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "raft/base/enum_names.h"

extern char** environ;

namespace raftsim::sim {
namespace {

// Graphviz's complaints beyond this are not kept: the first line is what the user needs.
constexpr std::size_t kStderrBytesMax = 4096;

constexpr EnumName<ImageFormat> kImageFormatNames[] = {
    {ImageFormat::dot, "dot"}, {ImageFormat::svg, "svg"}, {ImageFormat::png, "png"}};

Status write_text(const std::string& path, const std::string& text) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  if (!file) return Status(StatusCode::io_error, "cannot write " + path);
  file << text;
  file.close();
  if (!file) return Status(StatusCode::io_error, "cannot write " + path);
  return Status::ok_status();
}

std::string first_line(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  return line.empty() ? std::string("(no message)") : line;
}

// Reads the child's stderr until it closes, keeping the first kStderrBytesMax bytes.
std::string drain(int fd) {
  std::string text;
  char buffer[512];
  for (;;) {
    const ssize_t count = read(fd, buffer, sizeof buffer);
    if (count < 0 && errno == EINTR) continue;
    if (count <= 0) break;
    if (text.size() < kStderrBytesMax) text.append(buffer, static_cast<std::size_t>(count));
  }
  return text;
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
  std::string output = image_path;
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
  const std::string errors = drain(pipe_fds[0]);
  close(pipe_fds[0]);
  int wait_status = 0;
  while (waitpid(pid, &wait_status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(wait_status) || WEXITSTATUS(wait_status) != 0) {
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
  if (std::filesystem::file_size(image_path, error) == 0 || error) {
    return Status(StatusCode::io_error, "Graphviz '" + options.program + "' wrote no picture to " +
                                            image_path + ": " + first_line(errors));
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
  if (Status status = write_text(files.dot_path, dot_text); !status.ok()) return status;
  if (*format == ImageFormat::dot) return files;
  if (Status status = run_graphviz(files.dot_path, image_path, *format, options); !status.ok()) {
    return Status(status.code(), status.message() + " (the DOT text is in " + files.dot_path + ")");
  }
  files.image_path = image_path;
  return files;
}

}  // namespace raftsim::sim
