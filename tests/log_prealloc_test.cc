// A log grows in preallocated, zero-filled steps: the zeros are never taken
// for records or for damage, a crash (the file copied as the writer left it)
// leaves them to the next open, which cuts them like a torn tail, and a
// partial record before them is still a torn tail while a zeroed record with
// sound ones after it is still damage.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "esdb/log.h"
#include "test_util.h"

namespace esdb::test {
namespace {

uint64_t file_size(const std::string& path) {
  struct stat st;
  EXPECT_EQ(::stat(path.c_str(), &st), 0);
  return static_cast<uint64_t>(st.st_size);
}

EventInput event(int i, const std::string& data) {
  static std::string keys[] = {"a", "b", "c"};
  return {.key = keys[i % 3], .timestamp = i, .data = data};
}

// Every event i of keys a/b/c with data "e<i>", n of them, in this log.
void expect_events(const Log& log, int n) {
  ASSERT_EQ(log.event_count(), static_cast<uint64_t>(n));
  int seen = 0;
  for (const std::string& k : log.keys()) {
    for (const Event& e : log.find(k)->scan()) {
      EXPECT_EQ(e.data, "e" + std::to_string(e.timestamp));
      seen++;
    }
  }
  EXPECT_EQ(seen, n);
}

TEST(LogPrealloc, ZerosAreSpaceNotRecordsAndAreCutAfterACrash) {
  TempDir dir;
  const std::string path = dir.path("a.log");
  const uint64_t step = 64 * 1024;
  Log log = Log::open(path, {.durability = Durability::every_append, .preallocate = step});
  for (int i = 0; i < 500; i++) log.append(event(i, "e" + std::to_string(i)));
  const uint64_t end = log.end();
  EXPECT_GT(file_size(path), end);  // preallocated
  EXPECT_EQ(file_size(path) % step, 0u);
  {
    Log reader = Log::open_read(path);  // a reader beside the writer sees the records, then zeros
    expect_events(reader, 500);
    EXPECT_EQ(reader.end(), end);
    EXPECT_TRUE(reader.recovery().zero_filled);
  }
  // What a kill -9 leaves: the file as the writer had it, zeros and all.
  const std::string crashed = read_file(path);
  log.close();
  EXPECT_EQ(file_size(path), end);  // closing cuts the unused zeros
  write_file(dir.path("crashed.log"), crashed);
  Log reopened = Log::open(dir.path("crashed.log"));
  expect_events(reopened, 500);
  EXPECT_EQ(reopened.recovery().valid_end, end);
  EXPECT_EQ(reopened.recovery().torn_bytes, crashed.size() - end);
  EXPECT_TRUE(reopened.recovery().zero_filled);
  EXPECT_EQ(file_size(dir.path("crashed.log")), end);
  reopened.append(event(500, "e500"));
  reopened.close();
  expect_events(Log::open_read(dir.path("crashed.log")), 501);
}

TEST(LogPrealloc, APartialRecordBeforeTheZerosIsATornTail) {
  TempDir dir;
  const std::string path = dir.path("a.log");
  uint64_t end = 0, last = 0;
  {
    Log log = Log::open(path, {.preallocate = 0});
    for (int i = 0; i < 20; i++) {
      last = log.end();
      log.append(event(i, "e" + std::to_string(i) + std::string(50, 'x')));
    }
    end = log.end();
  }
  const std::string whole = read_file(path);
  ASSERT_EQ(whole.size(), end);  // preallocate = 0: the file is the records
  for (uint64_t cut = last + 1; cut < end; cut += 9) {
    write_file(path, whole.substr(0, cut) + std::string(4096, '\0'));
    Log log = Log::open(path);
    EXPECT_EQ(log.event_count(), 19u) << cut;
    EXPECT_EQ(log.recovery().valid_end, last) << cut;
    EXPECT_FALSE(log.recovery().zero_filled) << cut;
  }
}

TEST(LogPrealloc, AZeroedRecordWithSoundOnesAfterItIsDamage) {
  TempDir dir;
  const std::string path = dir.path("a.log");
  std::vector<uint64_t> offsets;
  {
    Log log = Log::open(path);
    for (int i = 0; i < 10; i++) {
      offsets.push_back(log.end());
      log.append(event(i, "e" + std::to_string(i)));
    }
  }
  std::string bytes = read_file(path);
  std::fill(bytes.begin() + static_cast<ptrdiff_t>(offsets[4]), bytes.begin() + static_cast<ptrdiff_t>(offsets[5]), '\0');
  write_file(path, bytes + std::string(8192, '\0'));
  for (int writer = 0; writer < 2; writer++) {
    try {
      if (writer) {
        Log::open(path);
      } else {
        Log::open_read(path);
      }
      ADD_FAILURE() << "a zeroed record in the middle was not reported";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), Errc::corrupt) << e.what();
      EXPECT_EQ(e.offset(), offsets[4]) << e.what();
    }
  }
}

}  // namespace
}  // namespace esdb::test
