// raftsim: reading an input file whole, with a size cap. Every command reads its inputs through
// here, so a directory, a device that never ends (/dev/zero) or a file too large to hold are
// refused with the path and the reason instead of exhausting memory.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "raft/base/status.h"

namespace raftsim::files {

// The default cap on one input file; `--input-limit-mb` raises or lowers it per command.
inline constexpr std::size_t kInputBytesDefault = std::size_t{256} << 20;
// The largest cap a flag may ask for.
inline constexpr std::size_t kInputBytesMax = std::size_t{16} << 30;

// Reads all of `path` ("-" is not special). `what` names the file's role in messages ("scenario
// file"). Errors: not_found (missing), invalid_argument (a directory), out_of_range (more than
// `bytes_max` bytes; nothing beyond bytes_max + 1 is read), io_error (anything else), each as
// "PATH: reason" with the operating system's reason.
Result<std::string> read_input_file(const std::string& path, std::string_view what,
                                    std::size_t bytes_max = kInputBytesDefault);

}  // namespace raftsim::files
