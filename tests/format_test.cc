// The bytes: golden files pin the format, and the writer's error rules.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <dirent.h>

#include <cstdlib>
#include <random>

#include "format/checksum.h"
#include "format/coding.h"
#include "format/format.h"
#include "test_util.h"

namespace esdb::test {
namespace {

const std::string kGoldenDir = std::string(ESDB_TEST_DATA_DIR) + "/golden";

// The worked example of SPEC.md.
Model golden_model() {
  Model m;
  m.add({"alice", 100, "hi", "", {{"type", "page"}}});
  m.add({"alice", 90, "", "", {{"type", "click"}, {"type", "page"}}});
  m.add({"bob", -5, "x", "g", {}});
  return m;
}

// A larger file with every feature: groups, external posting lists,
// compressed chunks, several key table entries.
Model golden_model_full() {
  Model m;
  std::mt19937 rng(7);
  for (int i = 0; i < 400; i++) {
    std::string key = "user-" + std::to_string(rng() % 7);
    std::string data = R"({"event":"view","page":"/p/)" + std::to_string(rng() % 20) + "\"}";
    std::string group = rng() % 4 == 0 ? "mobile" : "";
    m.add({key, static_cast<int64_t>(1700000000 + i * 13 - static_cast<int>(rng() % 50)), data, group,
           {{"type", rng() % 5 ? "view" : "purchase"}, {"page", std::to_string(rng() % 3)}}});
  }
  return m;
}

void check_golden(const std::string& name, const Model& m, WriterOptions o) {
  TempDir t;
  write_model(m, t.path("new.esdb"), o);
  std::string golden_path = kGoldenDir + "/" + name;
  if (std::getenv("ESDB_REGENERATE_GOLDEN")) write_file(golden_path, read_file(t.path("new.esdb")));
  std::string golden = read_file(golden_path);
  ASSERT_FALSE(golden.empty()) << golden_path << " is missing";
  // A change here is a format change: bump the version, update SPEC.md,
  // keep reading the old files, and only then regenerate.
  EXPECT_EQ(read_file(t.path("new.esdb")), golden) << "the writer no longer produces " << name;

  // Old files stay readable: the committed bytes give the model's events.
  Reader r = Reader::open(golden_path);
  EXPECT_TRUE(r.verify().empty());
  for (const auto& [key, events] : m.keys()) {
    auto k = r.find(key);
    ASSERT_TRUE(k);
    for (bool rev : {false, true}) {
      ScanOptions so;
      so.reverse = rev;
      so.with_indexes = true;
      EXPECT_EQ(collect(k->scan(so)), to_got(m.expect(key, so), true));
    }
  }
}

TEST(Golden, WorkedExample) { check_golden("v1_example.esdb", golden_model(), {}); }
TEST(Golden, FullFeatures) { check_golden("v1_full.esdb", golden_model_full(), {.chunk_size = 1024}); }
// Compact blocks (required flag bit 0): sub-block chunks with Snappy, and
// zstd sub-blocks, chunks and index blocks. zstd's output is pinned for the
// libzstd of scripts/deps.sh; another release may pick other (equally
// valid) bytes, and then only the byte comparison fails, never the reads.
TEST(Golden, CompactSnappySubBlocks) {
  check_golden("v1_compact_snappy.esdb", golden_model_full(), {.chunk_size = 1024, .sub_block_size = 256});
}
// Level 3, the default when the golden file was made (now 7): the bytes stay.
TEST(Golden, CompactZstd) {
  check_golden("v1_compact_zstd.esdb", golden_model_full(),
               {.chunk_size = 1024, .compression = Compression::zstd, .compression_level = 3, .sub_block_size = 400});
}

// A zstd dictionary (required flag bit 1): zstd chunks, sub-blocks and index
// blocks all coded with the dictionary block that ends at the key table.
TEST(Golden, ZstdDictionary) {
  check_golden("v1_zstd_dictionary.esdb", golden_model_full(),
               {.chunk_size = 512, .compression = Compression::zstd, .compression_level = 3,
                .zstd_dictionary_size = 1024, .sub_block_size = 200});
}

// Covered index entries (required flag bit 2): covers listed in key dirs,
// cover blocks whole and as sub-blocks (type 3, so bit 0 too). Index scans
// of every entry, covered or not, give the model's events.
TEST(Golden, CoveredEntries) {
  const Model m = golden_model_full();
  check_golden("v1_covered.esdb", m,
               {.chunk_size = 512, .covered_indexes = {"type=purchase", "page"}, .cover_max_share = 0.4});
  EXPECT_EQ(required_flags(read_file(kGoldenDir + "/v1_covered.esdb")),
            format::kFlagCompactBlocks | format::kFlagCoveredEntries);
  Reader r = Reader::open(kGoldenDir + "/v1_covered.esdb");
  for (const auto& [key, events] : m.keys()) {
    auto k = r.find(key);
    ASSERT_TRUE(k);
    for (const IndexValue& v : k->index_values()) {
      for (bool rev : {false, true}) {
        ScanOptions so{.index = IndexEntry{v.name, v.value}, .reverse = rev};
        EXPECT_EQ(collect(k->scan(so)), to_got(m.expect(key, so), false)) << key << " " << v.name << "=" << v.value;
      }
    }
  }
}

TEST(Format, CompactFlagIsSetExactlyWhenCompactBlocksAreWritten) {
  EXPECT_EQ(required_flags(read_file(kGoldenDir + "/v1_compact_snappy.esdb")), format::kFlagCompactBlocks);
  EXPECT_EQ(required_flags(read_file(kGoldenDir + "/v1_compact_zstd.esdb")), format::kFlagCompactBlocks);
  EXPECT_EQ(required_flags(read_file(kGoldenDir + "/v1_full.esdb")), 0u);
  EXPECT_EQ(required_flags(read_file(kGoldenDir + "/v1_zstd_dictionary.esdb")),
            format::kFlagCompactBlocks | format::kFlagZstdDictionary);
  // Chunks that fit in one sub-block are plain blocks, byte for byte the
  // version 1 ones.
  TempDir t;
  write_model(golden_model_full(), t.path("whole.esdb"), {.chunk_size = 1024, .sub_block_size = 0});
  write_model(golden_model_full(), t.path("subs.esdb"), {.chunk_size = 1024, .sub_block_size = 1024});
  EXPECT_EQ(read_file(t.path("whole.esdb")), read_file(t.path("subs.esdb")));
}

TEST(Format, CompactBlocksWithoutTheFlagAreCorrupt) {
  // A reader that does not know the flag refuses the file as unsupported
  // (NewerVersionIsRefusedAsUnsupported); one that does know it still
  // refuses types 2 and 3 in a file that does not announce them.
  TempDir t;
  std::string b = read_file(kGoldenDir + "/v1_compact_zstd.esdb");
  uint64_t footer = b.size() - format::kFooterSize;
  format::store_fixed32(b.data() + footer + 88, 0);
  format::store_fixed32(b.data() + footer + 116, format::checksum(b.data() + footer, 116, footer));
  write_file(t.path("noflag.esdb"), b);
  Reader r = Reader::open(t.path("noflag.esdb"));
  EXPECT_FALSE(r.verify().empty());
  size_t failures = 0;
  for (const Key& k : r.keys()) {
    try {
      collect(k.scan());
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), Errc::corrupt);
      EXPECT_NE(std::string(e.what()).find("compact-blocks flag"), std::string::npos) << e.what();
      failures++;
    }
  }
  EXPECT_GT(failures, 0u);
}

TEST(Format, HeaderFooterAndConstants) {
  std::string b = read_file(kGoldenDir + "/v1_example.esdb");
  ASSERT_GE(b.size(), format::kHeaderSize + format::kFooterSize);
  EXPECT_EQ(b.substr(0, 8), std::string("ESDBv1\0\n", 8));
  EXPECT_EQ(b.substr(b.size() - 8), std::string("\n\n\0ESDB1", 8));
  EXPECT_EQ(format::load_fixed32(b.data() + b.size() - 16), format::kFormatVersion);
  EXPECT_EQ(format::kFormatVersion, 1u);
}

TEST(Format, VarintsAndZigzag) {
  for (uint64_t v : {0ull, 1ull, 127ull, 128ull, 16383ull, 16384ull, ~0ull}) {
    std::string s;
    format::put_varint(s, v);
    EXPECT_EQ(static_cast<int>(s.size()), format::varint_size(v));
    format::Cursor c(s);
    uint64_t got;
    ASSERT_TRUE(c.varint(got));
    EXPECT_EQ(got, v);
    EXPECT_TRUE(c.empty());
  }
  for (int64_t v : {int64_t{0}, int64_t{-1}, int64_t{1}, kMinTime, kMaxTime}) EXPECT_EQ(format::unzigzag(format::zigzag(v)), v);
  EXPECT_EQ(format::zigzag(-1), 1u);
  std::string overflow(10, '\xff');
  overflow.back() = '\x02';  // an 11th bit past 64
  format::Cursor c(overflow);
  uint64_t v;
  EXPECT_FALSE(c.varint(v));
  std::string truncated = "\x80\x80";
  format::Cursor t(truncated);
  EXPECT_FALSE(t.varint(v));
}

TEST(Format, NewerVersionIsRefusedAsUnsupported) {
  TempDir t;
  std::string b = read_file(kGoldenDir + "/v1_example.esdb");
  uint64_t footer = b.size() - format::kFooterSize;
  format::store_fixed32(b.data() + footer + 112, 2);
  format::store_fixed32(b.data() + footer + 116, format::checksum(b.data() + footer, 116, footer));
  write_file(t.path("v2.esdb"), b);
  try {
    Reader::open(t.path("v2.esdb"));
    FAIL() << "opened a version 2 file";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::unsupported);
    EXPECT_NE(std::string(e.what()).find("format version 2"), std::string::npos);
  }
  // An unknown required flag is refused too; an unknown optional one is not.
  b = read_file(kGoldenDir + "/v1_example.esdb");
  format::store_fixed32(b.data() + footer + 88, 1u << 7);
  format::store_fixed32(b.data() + footer + 116, format::checksum(b.data() + footer, 116, footer));
  write_file(t.path("flag.esdb"), b);
  EXPECT_THROW(Reader::open(t.path("flag.esdb")), Error);
  b = read_file(kGoldenDir + "/v1_example.esdb");
  format::store_fixed32(b.data() + footer + 92, 1u << 7);
  format::store_fixed32(b.data() + footer + 116, format::checksum(b.data() + footer, 116, footer));
  write_file(t.path("optional.esdb"), b);
  EXPECT_TRUE(Reader::open(t.path("optional.esdb")).find("alice"));
}

TEST(Format, HashTableHitsAverageUnderOnePointOneBucketReads) {
  TempDir t;
  {
    Writer w = Writer::create(t.path("f.esdb"));
    for (int i = 0; i < 100000; i++) w.add({"key-" + std::to_string(i), 1, "", "", {}});
    w.finish();
  }
  std::string b = read_file(t.path("f.esdb"));
  uint64_t footer = b.size() - format::kFooterSize;
  uint64_t table = format::load_fixed64(b.data() + footer + 16);
  uint64_t buckets = format::load_fixed64(b.data() + footer + 24);
  uint64_t reads = 0, keys = 0;
  for (uint64_t i = 0; i < buckets; i++) {
    const char* bucket = b.data() + table + i * format::kBucketSize;
    for (unsigned s = 0; s < static_cast<uint8_t>(bucket[56]); s++) {
      uint64_t home = format::bucket_of(format::load_fixed64(bucket + s * format::kSlotSize), buckets);
      reads += (i + buckets - home) % buckets + 1;
      keys++;
    }
  }
  ASSERT_EQ(keys, 100000u);
  double mean = static_cast<double>(reads) / keys;
  std::printf("hash table: %.4f bucket reads per hit, %.2f bytes per key\n", mean, buckets * 64.0 / keys);
  EXPECT_LE(mean, 1.1);
}

TEST(Writer, RejectsBadInputWithClearErrors) {
  TempDir t;
  Writer w = Writer::create(t.path("f.esdb"));
  auto code = [&](const EventInput& e) {
    try {
      w.add(e);
    } catch (const Error& err) {
      return err.code();
    }
    return Errc::io;  // "no error"
  };
  EXPECT_EQ(code({"", 1, "d", "", {}}), Errc::invalid_argument);
  EXPECT_EQ(code({std::string(65536, 'k'), 1, "d", "", {}}), Errc::invalid_argument);
  EXPECT_EQ(code({"k", 1, "d", std::string(65536, 'g'), {}}), Errc::invalid_argument);
  std::string long_value(65536, 'v');
  EXPECT_EQ(code({"k", 1, "d", "", {{"n", long_value}}}), Errc::invalid_argument);
  w.add({std::string(65535, 'k'), 1, "", "", {}});
  w.finish();
  EXPECT_EQ(code({"k", 1, "d", "", {}}), Errc::invalid_argument);  // after finish
  EXPECT_THROW(w.finish(), Error);
  EXPECT_TRUE(Reader::open(t.path("f.esdb")).verify().empty());
}

std::vector<std::string> list_dir(const std::string& dir) {
  std::vector<std::string> out;
  DIR* d = opendir(dir.c_str());
  while (dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") out.push_back(n);
  }
  closedir(d);
  return out;
}

TEST(Writer, NothingAtThePathUntilFinishAndNoLeftovers) {
  TempDir t;
  {
    Writer w = Writer::create(t.path("f.esdb"), {.memory_budget = 1});
    for (int i = 0; i < 20000; i++) w.add({"k" + std::to_string(i % 100), i, std::string(100, 'x'), "", {}});
    std::vector<std::string> during = list_dir(t.dir());
    ASSERT_EQ(during.size(), 1u);  // only the temporary; sorted runs are unlinked at birth
    EXPECT_EQ(during[0].rfind(".f.esdb.esdb-tmp.", 0), 0u) << during[0];
  }  // destroyed without finish
  EXPECT_TRUE(list_dir(t.dir()).empty());

  write_file(t.path("f.esdb"), "precious");
  try {
    Writer::create(t.path("f.esdb"));
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::exists);
  }
  Writer w = Writer::create(t.path("f.esdb"), {.overwrite = true});
  w.add({"a", 1, "", "", {}});
  EXPECT_EQ(read_file(t.path("f.esdb")), "precious");
  w.finish();
  EXPECT_TRUE(Reader::open(t.path("f.esdb")).find("a"));
  EXPECT_EQ(list_dir(t.dir()).size(), 1u);
}

// The temporary is private while written (mkstemp's 0600); the finished
// file has the mode any new file gets: 0666 less the umask.
TEST(Writer, FinishedFileHasTheUsualMode) {
  TempDir t;
  for (mode_t mask : {mode_t{022}, mode_t{077}}) {
    mode_t old = ::umask(mask);
    std::string path = t.path("m" + std::to_string(mask) + ".esdb");
    Writer w = Writer::create(path);
    w.add({"a", 1, "", "", {}});
    w.finish();
    ::umask(old);
    struct stat st;
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0666 & ~mask) << std::oct << mask;
  }
}

TEST(Reader, ErrorsNameFileOffsetAndProblem) {
  TempDir t;
  write_file(t.path("short.esdb"), "ESDBv1");
  try {
    Reader::open(t.path("short.esdb"));
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::corrupt);
    EXPECT_NE(std::string(e.what()).find("short.esdb"), std::string::npos);
  }
  EXPECT_THROW(Reader::open(t.path("absent.esdb")), Error);

  Model m = golden_model_full();
  write_model(m, t.path("f.esdb"), {.chunk_size = 1024});
  std::string good = read_file(t.path("f.esdb"));
  // A flipped byte inside the first chunk: open works, the scan of that key
  // fails with the chunk's offset, verify reports it.
  std::string bad = good;
  bad[20] ^= 0x40;
  write_file(t.path("bad.esdb"), bad);
  Reader r = Reader::open(t.path("bad.esdb"));
  std::vector<Problem> problems = r.verify();
  ASSERT_FALSE(problems.empty());
  EXPECT_EQ(problems[0].offset, format::kHeaderSize);
  EXPECT_NE(problems[0].what.find("checksum"), std::string::npos) << problems[0].what;
  bool threw = false;
  for (const Key& k : r.keys()) {
    try {
      for (const Event& e : k.scan()) (void)e;
    } catch (const Error& e) {
      threw = true;
      EXPECT_EQ(e.offset(), format::kHeaderSize);
    }
  }
  EXPECT_TRUE(threw);
  // Truncation anywhere is caught on open.
  for (size_t n : {good.size() - 1, good.size() / 2, size_t{200}}) {
    write_file(t.path("trunc.esdb"), good.substr(0, n));
    EXPECT_THROW(Reader::open(t.path("trunc.esdb")), Error) << n;
  }
}

}  // namespace
}  // namespace esdb::test
