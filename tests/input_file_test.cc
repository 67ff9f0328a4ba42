// Capped input reads: a directory, a missing file, an endless device and an oversized file are
// refused with the path and the reason; an ordinary file is read whole.
#include "sim/files/input_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace raftsim::files {
namespace {

std::string temporary_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() /
          ("raftsim-input-" + std::to_string(::getpid()) + "-" + name))
      .string();
}

TEST(InputFile, ReadsAWholeFile) {
  const std::string path = temporary_path("whole");
  std::ofstream(path, std::ios::binary) << std::string("abc\0def", 7);
  auto text = read_input_file(path, "scenario file");
  ASSERT_TRUE(text.ok()) << text.status().message();
  EXPECT_EQ(text.value(), std::string("abc\0def", 7));
  std::filesystem::remove(path);
}

TEST(InputFile, RefusesADirectoryAndAMissingFile) {
  auto directory = read_input_file(std::filesystem::temp_directory_path().string(), "history");
  ASSERT_FALSE(directory.ok());
  EXPECT_EQ(directory.status().code(), StatusCode::invalid_argument);
  EXPECT_NE(directory.status().message().find("is a directory, expected a history"),
            std::string::npos);
  auto missing = read_input_file("/nonexistent/raftsim/x.json", "scenario file");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::not_found);
  EXPECT_EQ(
      missing.status().message(),
      "/nonexistent/raftsim/x.json: cannot open the scenario file: No such file or directory");
}

TEST(InputFile, StopsReadingAnEndlessDeviceAtTheCap) {
  auto zeros = read_input_file("/dev/zero", "scenario file", 1 << 20);
  ASSERT_FALSE(zeros.ok());
  EXPECT_EQ(zeros.status().code(), StatusCode::out_of_range);
  EXPECT_NE(zeros.status().message().find("larger than the limit of 1048576 bytes"),
            std::string::npos);
}

TEST(InputFile, RefusesAFileOverTheCapAndAcceptsOneAtIt) {
  const std::string path = temporary_path("cap");
  std::ofstream(path, std::ios::binary) << std::string(100, 'x');
  EXPECT_TRUE(read_input_file(path, "trace", 100).ok());
  auto over = read_input_file(path, "trace", 99);
  ASSERT_FALSE(over.ok());
  EXPECT_NE(over.status().message().find("--input-limit-mb"), std::string::npos);
  std::filesystem::remove(path);
}

TEST(InputFile, EscapesThePathInMessages) {
  auto missing = read_input_file("/nonexistent/\x1b[31m", "scenario file");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message().rfind("/nonexistent/\\x1b[31m: cannot open", 0), 0u);
}

}  // namespace
}  // namespace raftsim::files
