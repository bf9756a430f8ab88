// Covered index entries (WriterOptions::covered_indexes, SPEC.md "Covered
// index entries"): a sparse entry's events copied into one block beside its
// posting list, so an index scan of it decodes no chunk.
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "format/format.h"
#include "test_util.h"

namespace esdb::test {
namespace {

// Keys of 1..300 events over two groups; `type` has a dense value (view), a
// sparse one (buy, ~5%) and a mid one (cart, ~20%); `sku` is on every event;
// some events carry `type=buy` twice.
Model cover_model(unsigned seed) {
  Model m;
  std::mt19937 rng(seed);
  for (int k = 0; k < 40; k++) {
    const std::string key = "k" + std::to_string(k);
    const int n = 1 + static_cast<int>(rng() % (k % 5 == 0 ? 300 : 40));
    for (int i = 0; i < n; i++) {
      ModelEvent e{key, static_cast<int64_t>(rng() % 1000) - 500, "", rng() % 3 ? "" : "g", {}};
      e.data = std::string(rng() % 60, static_cast<char>('a' + rng() % 26)) + std::to_string(i);
      const unsigned r = rng() % 100;
      const char* type = r < 5 ? "buy" : r < 25 ? "cart" : "view";
      e.indexes.push_back({"type", type});
      if (r < 2) e.indexes.push_back({"type", "buy"});
      e.indexes.push_back({"sku", std::to_string(rng() % 4)});
      m.add(e);
    }
  }
  return m;
}

// Every index scan the model's entries allow: both ways, each group, and a
// time window, with and without indexes attached.
void expect_index_scans_match(const Reader& r, const Model& m) {
  for (const auto& [key, events] : m.keys()) {
    std::optional<Key> k = r.find(key);
    ASSERT_TRUE(k) << key;
    std::set<std::pair<std::string, std::string>> values;
    for (const ModelEvent& e : events) values.insert(e.indexes.begin(), e.indexes.end());
    for (const auto& [n, v] : values) {
      for (bool rev : {false, true}) {
        for (int variant = 0; variant < 4; variant++) {
          ScanOptions o;
          o.index = IndexEntry{n, v};
          o.reverse = rev;
          o.with_indexes = variant == 3;
          if (variant == 1) o.group = "g";
          if (variant == 2) {
            o.from = -200;
            o.to = 250;
          }
          EXPECT_EQ(collect(k->scan(o)), to_got(m.expect(key, o), o.with_indexes))
              << key << " " << n << "=" << v << " reverse " << rev << " variant " << variant;
        }
      }
    }
  }
}

TEST(Cover, IndexScansOfCoveredEntriesMatchTheModel) {
  TempDir t;
  const Model m = cover_model(1);
  WriterOptions o{.chunk_size = 1 << 20, .covered_indexes = {"type"}};
  write_model(m, t.path("c.esdb"), o);
  EXPECT_EQ(required_flags(read_file(t.path("c.esdb"))), format::kFlagCoveredEntries);
  Reader r = Reader::open(t.path("c.esdb"));
  EXPECT_TRUE(r.stats().covered_entries);
  EXPECT_TRUE(r.verify().empty());
  expect_index_scans_match(r, m);
  // Copies larger than a chunk are stored as sub-blocks (type 3).
  o.chunk_size = 256;
  o.overwrite = true;
  write_model(m, t.path("c.esdb"), o);
  EXPECT_EQ(required_flags(read_file(t.path("c.esdb"))), format::kFlagCoveredEntries | format::kFlagCompactBlocks);
  Reader split = Reader::open(t.path("c.esdb"));
  EXPECT_TRUE(split.verify().empty());
  expect_index_scans_match(split, m);
  // With sub-block chunks and zstd too.
  o.compression = Compression::zstd;
  o.sub_block_size = 128;
  write_model(m, t.path("c.esdb"), o);
  EXPECT_EQ(required_flags(read_file(t.path("c.esdb"))), format::kFlagCoveredEntries | format::kFlagCompactBlocks);
  Reader z = Reader::open(t.path("c.esdb"));
  EXPECT_TRUE(z.verify().empty());
  expect_index_scans_match(z, m);
}

TEST(Cover, WithoutCoveredIndexesTheFileIsUnchanged) {
  TempDir t;
  const Model m = cover_model(2);
  write_model(m, t.path("a.esdb"), {});
  write_model(m, t.path("b.esdb"), {.cover_max_share = 0.5});
  EXPECT_EQ(read_file(t.path("a.esdb")), read_file(t.path("b.esdb")));
  EXPECT_EQ(required_flags(read_file(t.path("a.esdb"))), 0u);
  EXPECT_FALSE(Reader::open(t.path("a.esdb")).stats().covered_entries);
  // Covers only add bytes: the covered file is larger by about the copies.
  write_model(m, t.path("c.esdb"), {.covered_indexes = {"type"}});
  EXPECT_GT(read_file(t.path("c.esdb")).size(), read_file(t.path("a.esdb")).size());
}

// One key whose chunks are damaged (the first bytes after the header): a
// scan that reads a chunk fails, one served by a cover does not.
struct DamagedChunks {
  TempDir t;
  Model m;
  std::string path = t.path("d.esdb");

  explicit DamagedChunks(WriterOptions o) {
    for (int i = 0; i < 200; i++) {
      ModelEvent e{"key", i, "event " + std::to_string(i), "", {}};
      e.indexes.push_back({"type", i % 20 == 0 ? "buy" : i % 4 == 0 ? "cart" : "view"});
      e.indexes.push_back({"tag", i % 25 == 3 ? "rare" : "common"});
      m.add(e);
    }
    o.compress = false;
    write_model(m, path, o);
    std::string bytes = read_file(path);
    bytes[format::kHeaderSize + 3] ^= 0x40;  // inside the first event's data
    write_file(path, bytes);
  }
  // The scan's events, or "" if it threw.
  std::vector<Got> scan(const std::string& name, const std::string& value, bool reverse) const {
    Reader r = Reader::open(path);
    try {
      return collect(r.find("key")->scan({.index = IndexEntry{name, value}, .reverse = reverse}));
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), Errc::corrupt);
      return {};
    }
  }
  bool served_by_cover(const std::string& name, const std::string& value) const {
    const auto want = to_got(m.expect("key", {.index = IndexEntry{name, value}, .reverse = true}), false);
    return scan(name, value, true) == want && scan(name, value, false).size() == want.size();
  }
};

TEST(Cover, ACoveredScanReadsNoChunk) {
  DamagedChunks d({.chunk_size = 1 << 20, .covered_indexes = {"type"}});
  EXPECT_TRUE(d.served_by_cover("type", "buy"));       // 5%: covered
  EXPECT_FALSE(d.served_by_cover("type", "cart"));     // 20%: above the 1/8 share
  EXPECT_FALSE(d.served_by_cover("tag", "rare"));      // not a covered name
  EXPECT_THROW(collect(Reader::open(d.path).find("key")->scan()), Error);
  EXPECT_FALSE(Reader::open(d.path).verify().empty());
}

TEST(Cover, ShareAndSizeLimitsDecideWhatIsCovered) {
  {
    DamagedChunks d({.chunk_size = 1 << 20, .covered_indexes = {"type", "tag"}, .cover_max_share = 0.3});
    EXPECT_TRUE(d.served_by_cover("type", "cart"));
    EXPECT_TRUE(d.served_by_cover("tag", "rare"));
    EXPECT_FALSE(d.served_by_cover("tag", "common"));
  }
  {
    // "name=value" covers the entry whatever its share.
    DamagedChunks d({.chunk_size = 1 << 20, .covered_indexes = {"type=cart", "tag=common"}});
    EXPECT_TRUE(d.served_by_cover("type", "cart"));
    EXPECT_TRUE(d.served_by_cover("tag", "common"));  // 96% of the events
    EXPECT_FALSE(d.served_by_cover("type", "buy"));
  }
  {
    // buy's 10 events take ~150 bytes as a copy: more than a 64-byte
    // chunk, so the copy is in sub-blocks, still read without a chunk.
    DamagedChunks d({.chunk_size = 64, .covered_indexes = {"type"}});
    EXPECT_TRUE(d.served_by_cover("type", "buy"));
    EXPECT_EQ(required_flags(read_file(d.path)), format::kFlagCoveredEntries | format::kFlagCompactBlocks);
  }
}

TEST(Cover, RejectsBadOptions) {
  TempDir t;
  EXPECT_THROW(Writer::create(t.path("x.esdb"), {.cover_max_share = 0}), Error);
  EXPECT_THROW(Writer::create(t.path("x.esdb"), {.cover_max_share = 1.5}), Error);
  EXPECT_THROW(Writer::create(t.path("x.esdb"), {.covered_indexes = {std::string(140000, 'n')}}), Error);
}

// A cover whose checksums hold but whose events differ from the chunks (a
// hostile or buggy writer): the scan cannot tell without decoding chunks,
// verify() can. Made by splicing the cover block of a file whose one copied
// event differs by a byte into an otherwise identical file.
TEST(Cover, VerifyFindsACoverThatDiffersFromItsChunks) {
  TempDir t;
  auto write = [&](const std::string& path, char last) {
    Model m;
    for (int i = 0; i < 40; i++) {
      std::string data = "data " + std::to_string(i + 100);
      if (i == 20) data.back() = last;
      m.add({"key", i, data, "", {{"type", i == 20 ? "buy" : "view"}}});
    }
    write_model(m, path, {.compress = false, .covered_indexes = {"type"}});
    return read_file(path);
  };
  const std::string a = write(t.path("a.esdb"), 'x'), b = write(t.path("b.esdb"), 'y');
  ASSERT_EQ(a.size(), b.size());
  const size_t cover = a.find("data 12x", a.find("data 12x") + 1);
  ASSERT_NE(cover, std::string::npos);
  std::string spliced = a;
  for (size_t i = cover; i < a.size(); i++) spliced[i] = b[i];
  write_file(t.path("s.esdb"), spliced);
  Reader r = Reader::open(t.path("s.esdb"));
  const auto problems = r.verify();
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].what.find("differs from its chunks"), std::string::npos) << problems[0].what;
  EXPECT_TRUE(Reader::open(t.path("a.esdb")).verify().empty());
}

// A cover's timestamps must agree with the key dir; one that does not is a
// corrupt error even without verify.
TEST(Cover, ACoverOutsideItsChunksTimestampsIsCorrupt) {
  TempDir t;
  auto write = [&](const std::string& path, int64_t ts) {
    Model m;
    m.add({"key", 10, "first", "", {{"type", "view"}}});
    m.add({"key", 20, "second", "", {{"type", "view"}}});
    m.add({"key", ts, "sparse!", "", {{"type", "buy"}}});
    for (int i = 0; i < 30; i++) m.add({"key", 1000 + i, "filler", "z", {{"type", "view"}}});
    write_model(m, path, {.compress = false, .covered_indexes = {"type"}});
    return read_file(path);
  };
  // In `a` the buy event closes group "" at 30; `b`'s cover says 40. Only
  // the cover block (raw: 2 varints, 7 bytes, trailer) is spliced in.
  const std::string a = write(t.path("a.esdb"), 30), b = write(t.path("b.esdb"), 40);
  ASSERT_EQ(a.size(), b.size());
  const size_t cover = a.find("sparse!", a.find("sparse!") + 1);
  ASSERT_NE(cover, std::string::npos);
  std::string spliced = a;
  for (size_t i = cover - 2; i < cover + 7 + format::kBlockTrailerSize; i++) spliced[i] = b[i];
  ASSERT_NE(spliced, a);
  write_file(t.path("s.esdb"), spliced);
  Reader r = Reader::open(t.path("s.esdb"));
  try {
    collect(r.find("key")->scan({.index = IndexEntry{"type", "buy"}}));
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::corrupt);
    EXPECT_NE(std::string(e.what()).find("cover block"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(r.verify().empty());
}

}  // namespace
}  // namespace esdb::test
