// Replays the fuzz_reader inputs kept in the repository through every read
// operation (fuzz/reader_ops.h), the way fuzz_reader runs them: once with
// real checksums, once with checksums trusted. An input may open or fail
// with esdb::Error, anything else (a crash, another exception, a sanitizer
// report in the ASan build, verify() passing while a scan fails) fails the
// test.
//
//   tests/regressions/reader/  inputs that once crashed or misled a reader
//                              (found by scripts/fuzz.sh), one file each
//   fuzz/corpus/reader/        the seed files, which must stay sound
//
// scripts/fuzz.sh replays tests/regressions/<target>/ of the other targets
// through their fuzzers.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "fuzz/reader_ops.h"
#include "fuzz/trusting_checksum.cc"  // replaces format/checksum.cc in this program

namespace fs = std::filesystem;

namespace {

std::vector<fs::path> files_in(const fs::path& dir) {
  std::vector<fs::path> out;
  if (!fs::is_directory(dir)) return out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.is_regular_file()) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

void replay(const fs::path& path) {
  SCOPED_TRACE(path.string());
  for (bool trust : {false, true}) {
    esdb::fuzz::trust_checksums = trust;
    EXPECT_NO_THROW(esdb::fuzz::exercise_reader(path.string(), {.heap_copy = true}));
  }
  esdb::fuzz::trust_checksums = false;
}

}  // namespace

TEST(FuzzRegression, ReaderRegressionsFailCleanly) {
  for (const fs::path& p : files_in(fs::path(ESDB_TEST_DATA_DIR) / "regressions" / "reader")) replay(p);
}

TEST(FuzzRegression, SeedFilesAreSound) {
  const auto seeds = files_in(fs::path(ESDB_TEST_DATA_DIR) / ".." / "fuzz" / "corpus" / "reader");
  ASSERT_FALSE(seeds.empty());
  esdb::fuzz::trust_checksums = false;
  for (const fs::path& p : seeds) {
    SCOPED_TRACE(p.string());
    esdb::Reader r = esdb::Reader::open(p.string());
    EXPECT_TRUE(r.verify().empty());
    replay(p);
  }
}
