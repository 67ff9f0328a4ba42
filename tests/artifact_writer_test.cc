// The artifact writer: a file is replaced whole or not at all (a write cut short by a file-size
// limit leaves the old file and no temporary), symlinks are replaced rather than followed, errors
// name the path and the reason, and names from input files become one safe path component.
#include "sim/files/artifact_writer.h"
#include "sim/files/text.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

namespace raftsim::files {
namespace {

namespace fs = std::filesystem;

class ArtifactWriter : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("raftsim-artifact-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  static std::string read(const std::string& file) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    return bytes.str();
  }
  // Runs `write` with files capped at 4 KiB (write() then fails part way with EFBIG, as a full
  // disk fails with ENOSPC) and returns its status.
  static Status with_small_file_limit(const std::function<Status()>& write) {
    const auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
    rlimit saved{};
    EXPECT_EQ(::getrlimit(RLIMIT_FSIZE, &saved), 0);
    rlimit small = saved;
    small.rlim_cur = 4096;
    EXPECT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
    const Status status = write();
    EXPECT_EQ(::setrlimit(RLIMIT_FSIZE, &saved), 0);
    std::signal(SIGXFSZ, old_handler);
    return status;
  }
  std::size_t entries() const {
    std::size_t count = 0;
    for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir_)) ++count;
    return count;
  }

  fs::path dir_;
};

TEST_F(ArtifactWriter, WritesWholeFilesAndReplacesOldOnes) {
  ASSERT_TRUE(write_file(path("a.json"), "first").ok());
  EXPECT_EQ(read(path("a.json")), "first");
  ASSERT_TRUE(write_file(path("a.json"), std::string(100'000, 'x')).ok());
  EXPECT_EQ(read(path("a.json")), std::string(100'000, 'x'));
  ASSERT_TRUE(write_file(path("empty"), "").ok());
  EXPECT_EQ(read(path("empty")), "");
  EXPECT_EQ(entries(), 2u) << "no temporary file is left behind";
}

TEST_F(ArtifactWriter, ReplacesASymlinkInsteadOfWritingThroughIt) {
  ASSERT_TRUE(write_file(path("target"), "kept").ok());
  fs::create_symlink(path("target"), path("link"));
  ASSERT_TRUE(write_file(path("link"), "new").ok());
  EXPECT_FALSE(fs::is_symlink(path("link")));
  EXPECT_EQ(read(path("link")), "new");
  EXPECT_EQ(read(path("target")), "kept");
}

TEST_F(ArtifactWriter, ErrorsNameThePathAndTheReason) {
  const Status missing = write_file(path("no/such/dir/f.json"), "x");
  EXPECT_EQ(missing.code(), StatusCode::io_error);
  EXPECT_NE(missing.message().find(path("no/such/dir/f.json")), std::string::npos);
  EXPECT_NE(missing.message().find("No such file or directory"), std::string::npos)
      << missing.message();

  fs::create_directories(path("sub"));
  const Status directory = write_file(path("sub"), "x");
  EXPECT_EQ(directory.code(), StatusCode::io_error);
  EXPECT_NE(directory.message().find("is a directory"), std::string::npos);
  EXPECT_TRUE(fs::is_directory(path("sub")));
}

// A file-size limit makes write() fail part way (EFBIG), as a full disk does (ENOSPC): the old
// file must survive whole and the temporary must go.
TEST_F(ArtifactWriter, AWriteCutShortLeavesTheOldFileAndNoTemporary) {
  ASSERT_TRUE(write_file(path("result.json"), "old result").ok());
  const Status cut = with_small_file_limit(
      [&] { return write_file(path("result.json"), std::string(100'000, 'y')); });
  EXPECT_EQ(cut.code(), StatusCode::no_space) << cut.to_string();
  EXPECT_NE(cut.message().find(path("result.json")), std::string::npos);
  EXPECT_EQ(read(path("result.json")), "old result");
  EXPECT_EQ(entries(), 1u);
}

TEST_F(ArtifactWriter, AStreamedFileHasEveryPieceInOrder) {
  // Pieces smaller than, straddling and larger than the buffer.
  std::string expected;
  FileWriter writer(path("trace.jsonl"));
  for (std::size_t size : {std::size_t{10}, FileWriter::kBufferBytes - 3, std::size_t{7},
                           2 * FileWriter::kBufferBytes + 1, std::size_t{0}, std::size_t{5}}) {
    const std::string piece(size, static_cast<char>('a' + expected.size() % 26));
    writer.append(piece);
    expected += piece;
  }
  EXPECT_FALSE(fs::exists(path("trace.jsonl"))) << "nothing at the target before the commit";
  ASSERT_TRUE(writer.commit().ok());
  EXPECT_EQ(read(path("trace.jsonl")), expected);
  EXPECT_EQ(entries(), 1u) << "no temporary file is left behind";
}

TEST_F(ArtifactWriter, AStreamedFileNotCommittedLeavesNothing) {
  ASSERT_TRUE(write_file(path("trace.jsonl"), "old").ok());
  {
    FileWriter writer(path("trace.jsonl"));
    writer.append(std::string(3 * FileWriter::kBufferBytes, 'z'));  // on disk in a temporary
  }
  EXPECT_EQ(read(path("trace.jsonl")), "old");
  EXPECT_EQ(entries(), 1u);
}

TEST_F(ArtifactWriter, AStreamedWriteCutShortReportsTheFirstFailure) {
  const Status cut = with_small_file_limit([&] {
    FileWriter writer(path("trace.jsonl"));
    for (int i = 0; i < 5; ++i) writer.append(std::string(FileWriter::kBufferBytes, 'y'));
    return writer.commit();
  });
  EXPECT_EQ(cut.code(), StatusCode::no_space) << cut.to_string();
  EXPECT_NE(cut.message().find(path("trace.jsonl")), std::string::npos);
  EXPECT_EQ(entries(), 0u) << "neither the target nor a temporary";
}

TEST_F(ArtifactWriter, PrepareDirectoryCreatesParentsAndRefusesFiles) {
  ASSERT_TRUE(prepare_directory(path("out/deep/er")).ok());
  EXPECT_TRUE(fs::is_directory(path("out/deep/er")));
  EXPECT_TRUE(fs::is_empty(path("out/deep/er"))) << "the probe file is removed";
  ASSERT_TRUE(write_file(path("plain"), "x").ok());
  const Status refused = prepare_directory(path("plain"));
  EXPECT_FALSE(refused.ok());
  EXPECT_NE(refused.message().find(path("plain")), std::string::npos);
  EXPECT_FALSE(prepare_directory(path("plain/below")).ok());
}

TEST(ArtifactNames, SafeComponentIsOneHarmlessPathComponent) {
  EXPECT_EQ(safe_component("leader-crash_3.v2"), "leader-crash_3.v2");
  EXPECT_EQ(safe_component(".."), "_.");
  EXPECT_EQ(safe_component("."), "_");
  EXPECT_EQ(safe_component(""), "_");
  EXPECT_EQ(safe_component("../../x"), "_._.._x");
  EXPECT_EQ(safe_component("a/b"), "a_b");
  EXPECT_EQ(safe_component("line\nbreak\x1b[31m"), "line_break__31m");
  EXPECT_EQ(safe_component(std::string(500, 'n')).size(), kComponentBytesMax);
  for (const char* name : {"..", "../x", "/abs", "a/../b", ".hidden"}) {
    const std::string safe = safe_component(name);
    EXPECT_EQ(safe.find('/'), std::string::npos) << name;
    EXPECT_NE(safe.front(), '.') << name;
  }
}

TEST(ArtifactNames, PrintableEscapesControlBytesAndBrokenUtf8) {
  EXPECT_EQ(printable("plain text"), "plain text");
  EXPECT_EQ(printable("a\nb\tc\\d"), "a\\nb\\tc\\\\d");
  EXPECT_EQ(printable("\x1b[31mred"), "\\x1b[31mred");
  EXPECT_EQ(printable("caf\xc3\xa9"), "caf\xc3\xa9") << "valid UTF-8 stays";
  EXPECT_EQ(printable("bad \xc3 byte"), "bad \\xc3 byte");
  EXPECT_EQ(printable("\xed\xa0\x80"), "\\xed\\xa0\\x80") << "a surrogate is not UTF-8";
  EXPECT_EQ(printable("\xc0\xaf"), "\\xc0\\xaf") << "an overlong form is not UTF-8";
  EXPECT_EQ(printable(std::string("nul\0byte", 8)), "nul\\x00byte");
  EXPECT_EQ(printable("\xc2\x9b"
                      "31m"),
            "\\xc2\\x9b31m")
      << "a C1 control (CSI) is escaped";
  EXPECT_EQ(printable("\xc2\xa0"), "\xc2\xa0") << "U+00A0 is printable";
}

}  // namespace
}  // namespace raftsim::files
