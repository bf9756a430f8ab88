// esdb::merge's options beyond dedupe itself: the progress callback and the
// memory budget that bounds what dedupe holds.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "test_util.h"

namespace esdb::test {
namespace {

bool exists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

TEST(MergeOptions, ProgressCountsEveryEventAndByteWritten) {
  TempDir t;
  Model a, b;
  uint64_t events = 0, bytes = 0;
  for (int i = 0; i < 10000; i++) {
    ModelEvent e{"k" + std::to_string(i % 7), i, std::string(i % 13, 'x'), "", {}};
    (i % 2 ? a : b).add(e);
    events++;
    bytes += e.data.size();
  }
  write_model(a, t.path("a.esdb"));
  write_model(b, t.path("b.esdb"));
  std::vector<std::pair<uint64_t, uint64_t>> calls;
  MergeOptions o;
  o.progress = [&](uint64_t e, uint64_t d) { calls.emplace_back(e, d); };
  const FileStats s = merge({t.path("a.esdb"), t.path("b.esdb")}, t.path("m.esdb"), {}, o);
  ASSERT_EQ(s.event_count, events);
  ASSERT_GE(calls.size(), 2u);  // some along the way, and one at the end
  EXPECT_EQ(calls.back(), std::make_pair(events, bytes));
  for (size_t i = 1; i < calls.size(); i++) {
    EXPECT_GE(calls[i].first, calls[i - 1].first);
    EXPECT_GE(calls[i].second, calls[i - 1].second);
  }
  EXPECT_LT(calls.front().first, events);
}

// Many distinct events at one (key, group, timestamp): dedupe must hold all
// their data to compare, so the budget refuses rather than grows.
TEST(MergeOptions, MemoryBudgetBoundsDedupe) {
  TempDir t;
  Model a;
  for (int i = 0; i < 100; i++) a.add({"k", 7, std::to_string(i) + std::string(1000, 'd'), "", {}});
  a.add({"other", 7, "x", "", {}});
  write_model(a, t.path("a.esdb"));
  const std::vector<std::string> in{t.path("a.esdb"), t.path("a.esdb")};
  MergeOptions dedupe;
  dedupe.dedupe = true;
  WriterOptions small;
  small.memory_budget = 50 * 1000;  // half of the 100 KB at k, time 7
  try {
    merge(in, t.path("m.esdb"), small, dedupe);
    FAIL() << "merge held more than its budget";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::invalid_argument);
    EXPECT_EQ(e.path(), t.path("m.esdb"));
    EXPECT_NE(e.detail().find("memory budget"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(exists(t.path("m.esdb")));
  // Without dedupe nothing is held, so the same budget is enough...
  EXPECT_EQ(merge(in, t.path("m1.esdb"), small).event_count, 202u);
  // ...and with a budget that fits the run, dedupe keeps each event once.
  WriterOptions enough;
  enough.memory_budget = 1 << 20;
  EXPECT_EQ(merge(in, t.path("m2.esdb"), enough, dedupe).event_count, 101u);
}

// Merge recompresses through the Writer: to zstd it trains the output's own
// dictionary (from the merged payloads), and back to Snappy it drops it;
// the events are the model's either way.
namespace esdb::test {
namespace {

TEST(MergeOptions, RecompressesWithAndWithoutAZstdDictionary) {
  TempDir t;
  Model m;
  for (int i = 0; i < 8000; i++) {
    m.add({"k" + std::to_string(i % 400), i,
           R"({"event":"page_view","page":"/docs/)" + std::to_string(i % 9) + R"(","n":)" + std::to_string(i * 31 % 1009) + "}",
           "", {}});
  }
  write_model(m, t.path("snappy.esdb"));
  WriterOptions zstd{.chunk_size = 512, .compression = Compression::zstd, .zstd_dictionary_size = 1024};
  merge({t.path("snappy.esdb")}, t.path("zstd.esdb"), zstd);
  EXPECT_GT(Reader::open(t.path("zstd.esdb")).stats().dictionary_bytes, 0u);
  merge({t.path("zstd.esdb")}, t.path("back.esdb"));
  EXPECT_EQ(Reader::open(t.path("back.esdb")).stats().dictionary_bytes, 0u);
  EXPECT_EQ(read_file(t.path("back.esdb")), read_file(t.path("snappy.esdb")));
  Reader r = Reader::open(t.path("zstd.esdb"));
  EXPECT_TRUE(r.verify().empty());
  for (const auto& [key, events] : m.keys()) EXPECT_EQ(collect(r.find(key)->scan()), to_got(m.expect(key, {}), false));
}

}  // namespace
}  // namespace esdb::test

// The codec names the CLI's --compression and Python's compression= take.
TEST(WriterOptionsNames, SetCompression) {
  WriterOptions o;
  EXPECT_TRUE(set_compression(o, "zstd"));
  EXPECT_EQ(o.compression, Compression::zstd);
  EXPECT_EQ(o.compression_level, WriterOptions{}.compression_level);
  EXPECT_TRUE(set_compression(o, "zstd:-7"));
  EXPECT_EQ(o.compression_level, -7);
  EXPECT_TRUE(set_compression(o, "zstd:22"));
  EXPECT_EQ(o.compression_level, 22);
  EXPECT_TRUE(set_compression(o, "none"));
  EXPECT_EQ(o.compression, Compression::none);
  EXPECT_TRUE(set_compression(o, "snappy"));
  EXPECT_EQ(o.compression, Compression::snappy);
  EXPECT_EQ(o.compression_level, 22);  // only zstd names set the level
  for (const char* bad : {"", "zstd:", "zstd:23", "zstd:-8", "zstd:3x", "zstd:+3", "ZSTD", "lz4", "snappy "}) {
    WriterOptions before;
    before.compression_level = 5;
    EXPECT_FALSE(set_compression(before, bad)) << bad;
    EXPECT_EQ(before.compression, Compression::snappy) << bad;
    EXPECT_EQ(before.compression_level, 5) << bad;
  }
}

}  // namespace
}  // namespace esdb::test
