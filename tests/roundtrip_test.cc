// Round trips against the independent model in test_util: every scan of
// every key, in both directions, per group, per index value and over time
// ranges whose bounds fall on and beside real timestamps (so on chunk edges).
#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <set>
#include <thread>

#include "format/coding.h"
#include "format/format.h"
#include "test_util.h"

namespace esdb::test {
namespace {

Model random_model(uint32_t seed, int keys, int events, bool groups) {
  std::mt19937_64 rng(seed);
  Model m;
  const char* types[] = {"page", "click", "purchase", "a:b", "a"};
  for (int i = 0; i < events; i++) {
    ModelEvent e;
    e.key = "k" + std::to_string(rng() % keys);
    e.timestamp = static_cast<int64_t>(rng() % 50) - 10;  // duplicates and negatives
    if (rng() % 50 == 0) e.timestamp = (rng() & 1) ? kMinTime : kMaxTime;
    size_t len = rng() % 4 == 0 ? 0 : rng() % 300;
    e.data = std::string(len, static_cast<char>('a' + rng() % 26)) + std::to_string(i);
    if (groups && rng() % 3) e.group = "g" + std::to_string(rng() % 3);
    int n = rng() % 3;
    for (int j = 0; j < n; j++) e.indexes.emplace_back(rng() % 2 ? "type" : "a:b", types[rng() % 5]);
    if (rng() % 10 == 0) e.indexes.emplace_back("type", "c");  // "a:b"/"c" vs "a"/"b:c" must not mix
    if (rng() % 10 == 0) e.indexes.emplace_back("a", "b:c");
    m.add(std::move(e));
  }
  return m;
}

// Every scan the API offers for `key`, checked against the model.
void check_key(const Model& m, const Key& k, const std::string& key) {
  const auto& events = m.keys().at(key);
  ASSERT_EQ(k.event_count(), events.size());
  std::set<std::string> groups;
  std::set<std::pair<std::string, std::string>> entries;
  std::set<int64_t> bounds = {kMinTime, kMaxTime};
  for (const ModelEvent& e : events) {
    groups.insert(e.group);
    for (const auto& x : e.indexes) entries.insert(x);
    bounds.insert(e.timestamp);
    if (e.timestamp > kMinTime) bounds.insert(e.timestamp - 1);
    if (e.timestamp < kMaxTime) bounds.insert(e.timestamp + 1);
  }
  std::vector<std::string> got_groups;
  for (const GroupInfo& g : k.groups()) got_groups.emplace_back(g.name);
  EXPECT_EQ(got_groups, std::vector<std::string>(groups.begin(), groups.end()));
  std::vector<std::pair<std::string, std::string>> got_entries;
  for (const IndexValue& v : k.index_values()) got_entries.emplace_back(v.name, v.value);
  using Entries = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(got_entries, Entries(entries.begin(), entries.end()));

  std::vector<int64_t> b(bounds.begin(), bounds.end());
  for (bool rev : {false, true}) {
    ScanOptions o;
    o.reverse = rev;
    o.with_indexes = true;
    ASSERT_EQ(collect(k.scan(o)), to_got(m.expect(key, o), true)) << key;
    o.with_indexes = false;
    for (const std::string& g : groups) {
      o.group = g;
      ASSERT_EQ(collect(k.scan(o)), to_got(m.expect(key, o), false)) << key << " group " << g;
    }
    o.group.reset();
    for (const auto& [n, v] : entries) {
      o.index = IndexEntry{n, v};
      o.with_indexes = rev;
      ASSERT_EQ(collect(k.scan(o)), to_got(m.expect(key, o), rev)) << key << " index " << n << "=" << v;
    }
    o.index.reset();
    o.with_indexes = false;
    for (size_t i = 0; i < b.size(); i += 1 + b.size() / 12) {
      for (size_t j = i; j < b.size(); j += 1 + b.size() / 12) {
        o.from = b[i];
        o.to = b[j];
        ASSERT_EQ(collect(k.scan(o)), to_got(m.expect(key, o), false)) << key << " [" << b[i] << "," << b[j] << ")";
        if (!entries.empty()) {
          o.index = IndexEntry{entries.begin()->first, entries.begin()->second};
          ASSERT_EQ(collect(k.scan(o)), to_got(m.expect(key, o), false));
          o.index.reset();
        }
      }
    }
    o.from = kMinTime;
    o.to.reset();
  }
}

void check_file(const Model& m, const std::string& path) {
  Reader r = Reader::open(path);
  EXPECT_EQ(r.stats().key_count, m.keys().size());
  EXPECT_EQ(r.stats().event_count, m.in_order().size());
  for (const auto& [key, events] : m.keys()) {
    auto k = r.find(key);
    ASSERT_TRUE(k) << key;
    check_key(m, *k, key);
  }
  std::vector<std::string> listed;
  for (const Key& k : r.keys()) listed.emplace_back(k.name());
  std::vector<std::string> expected;
  for (const auto& [key, events] : m.keys()) expected.push_back(key);
  EXPECT_EQ(listed, expected);
  EXPECT_TRUE(r.verify().empty());
}

TEST(RoundTrip, RandomSmallChunksGrouped) {
  TempDir t;
  Model m = random_model(1, 20, 3000, true);
  write_model(m, t.path("f.esdb"), {.chunk_size = 200});
  check_file(m, t.path("f.esdb"));
}

TEST(RoundTrip, RandomDefaultChunksUngrouped) {
  TempDir t;
  Model m = random_model(2, 50, 3000, false);
  write_model(m, t.path("f.esdb"));
  check_file(m, t.path("f.esdb"));
}

TEST(RoundTrip, UncompressedAndTinyChunks) {
  TempDir t;
  Model m = random_model(3, 5, 800, true);
  write_model(m, t.path("f.esdb"), {.chunk_size = 1, .compress = false});
  check_file(m, t.path("f.esdb"));
}

TEST(RoundTrip, SpilledRunsGiveIdenticalBytes) {
  TempDir t;
  Model m = random_model(4, 300, 20000, true);
  write_model(m, t.path("mem.esdb"));
  write_model(m, t.path("spill.esdb"), {.memory_budget = 1});  // clamped to 1 MiB: several runs
  EXPECT_EQ(read_file(t.path("mem.esdb")), read_file(t.path("spill.esdb")));
  check_file(m, t.path("spill.esdb"));
}

// With threads, full sort buffers are spilled on a second thread while the
// next fills, and each buffer gets half the budget: the runs differ, the
// bytes must not.
TEST(RoundTrip, SpilledInBackgroundGiveIdenticalBytes) {
  TempDir t;
  Model m = random_model(6, 300, 40000, true);
  write_model(m, t.path("mem.esdb"), {.compression_threads = 0});
  for (int threads : {0, 1, 3, -1}) {
    write_model(m, t.path("spill.esdb"), {.overwrite = true, .memory_budget = 1, .compression_threads = threads});
    EXPECT_EQ(read_file(t.path("mem.esdb")), read_file(t.path("spill.esdb"))) << threads << " compression threads";
  }
  check_file(m, t.path("spill.esdb"));
}

// Budgets whose last buffer is merged from memory (sorter.h) and budgets
// where it is spilled give the bytes of a build that never spilled.
TEST(RoundTrip, LastBufferInMemoryOrSpilledGiveIdenticalBytes) {
  TempDir t;
  Model m = random_model(6, 300, 40000, true);
  write_model(m, t.path("mem.esdb"), {.memory_budget = 256 << 20, .compression_threads = 0});
  for (size_t budget : {size_t{1} << 20, size_t{2} << 20, size_t{4} << 20}) {
    for (int threads : {0, 1}) {
      write_model(m, t.path("spill.esdb"), {.overwrite = true, .memory_budget = budget, .compression_threads = threads});
      EXPECT_EQ(read_file(t.path("mem.esdb")), read_file(t.path("spill.esdb")))
          << (budget >> 20) << " MiB, " << threads << " compression threads";
    }
  }
}

TEST(RoundTrip, Deterministic) {
  TempDir t;
  Model m = random_model(5, 30, 2000, true);
  write_model(m, t.path("a.esdb"), {.chunk_size = 512, .compression_threads = 0});
  for (int threads : {0, 1, 3}) {
    write_model(m, t.path("b.esdb"), {.chunk_size = 512, .overwrite = true, .compression_threads = threads});
    EXPECT_EQ(read_file(t.path("a.esdb")), read_file(t.path("b.esdb"))) << threads << " compression threads";
  }
  check_file(m, t.path("b.esdb"));
}

TEST(RoundTrip, EdgeEvents) {
  TempDir t;
  Model m;
  std::string big_key(65535, 'k');
  m.add({"x", 5, "", "", {}});            // empty data is a normal event
  m.add({"x", 5, "second", "", {{"i", ""}}});
  m.add({"x", 5, "", "", {{"i", ""}}});   // duplicates keep add order
  m.add({"x", kMaxTime, "max", "", {}});
  m.add({"x", kMinTime, "min", "", {}});
  m.add({"x", -1, "neg", "", {}});
  m.add({big_key, 0, "big key", "", {}});
  m.add({"y", 1, std::string(200000, 'z'), "", {{"t", "v"}}});  // one event larger than a chunk
  m.add({"y", 2, "after", "", {{"t", "v"}}});
  write_model(m, t.path("f.esdb"));
  check_file(m, t.path("f.esdb"));
  Reader r = Reader::open(t.path("f.esdb"));
  std::vector<std::string> data;
  for (const Event& e : r.find("x")->scan()) data.emplace_back(e.data);
  EXPECT_EQ(data, (std::vector<std::string>{"min", "neg", "", "second", "", "max"}));
  EXPECT_EQ(r.stats().min_timestamp, kMinTime);
  EXPECT_EQ(r.stats().max_timestamp, kMaxTime);
  EXPECT_FALSE(r.find("missing"));
  EXPECT_FALSE(r.find(""));
  EXPECT_FALSE(r.find(std::string(70000, 'k')));
}

TEST(RoundTrip, EmptyFile) {
  TempDir t;
  Writer w = Writer::create(t.path("e.esdb"));
  FileStats s = w.finish();
  EXPECT_EQ(s.key_count, 0u);
  Reader r = Reader::open(t.path("e.esdb"));
  EXPECT_FALSE(r.find("a"));
  EXPECT_EQ(r.keys().begin(), r.keys().end());
  EXPECT_TRUE(r.verify().empty());
}

TEST(RoundTrip, HundredThousandKeys) {
  TempDir t;
  Model m;
  for (int i = 0; i < 100000; i++) {
    m.add({"customer-" + std::to_string(i * 7919 % 100000), i, "d" + std::to_string(i), "", {{"type", i % 3 ? "page" : "buy"}}});
  }
  write_model(m, t.path("f.esdb"));
  Reader r = Reader::open(t.path("f.esdb"));
  EXPECT_EQ(r.stats().key_count, 100000u);
  for (const auto& [key, events] : m.keys()) {
    auto k = r.find(key);
    ASSERT_TRUE(k) << key;
    ASSERT_EQ(collect(k->scan()), to_got(m.expect(key, {}), false));
  }
  for (int i = 0; i < 1000; i++) EXPECT_FALSE(r.find("absent-" + std::to_string(i)));
  uint64_t n = 0;
  std::string prev;
  for (const Key& k : r.keys()) {
    EXPECT_LT(prev, k.name());
    prev = k.name();
    n++;
  }
  EXPECT_EQ(n, 100000u);
  EXPECT_TRUE(r.verify().empty());
}

TEST(RoundTrip, OneHugeKey) {
  TempDir t;
  const int64_t n = 1'000'000;
  {
    Writer w = Writer::create(t.path("f.esdb"));
    for (int64_t i = 0; i < n; i++) {
      std::string data = "{\"n\":" + std::to_string(i) + "}";
      EventInput e{"huge", i / 2, data, "", {}};
      if (i % 1000 == 0) e.indexes.push_back({"type", "purchase"});
      w.add(e);
    }
    w.finish();
  }
  Reader r = Reader::open(t.path("f.esdb"));
  auto k = r.find("huge");
  ASSERT_TRUE(k);
  EXPECT_EQ(k->event_count(), static_cast<uint64_t>(n));
  EXPECT_GT(r.stats().chunk_count, 100u);
  int64_t i = 0;
  for (const Event& e : k->scan()) {
    ASSERT_EQ(e.data, "{\"n\":" + std::to_string(i) + "}");
    ASSERT_EQ(e.timestamp, i / 2);
    i++;
  }
  EXPECT_EQ(i, n);
  i = n;
  for (const Event& e : k->scan({.reverse = true})) ASSERT_EQ(e.data, "{\"n\":" + std::to_string(--i) + "}");
  EXPECT_EQ(i, 0);
  i = n;
  for (const Event& e : k->scan({.index = IndexEntry{"type", "purchase"}, .reverse = true})) {
    i -= i % 1000 == 0 ? 1000 : i % 1000;
    ASSERT_EQ(e.data, "{\"n\":" + std::to_string(i) + "}");
  }
  EXPECT_EQ(i, 0);
  // A range deep inside: starts from the chunk directory, yields exactly it.
  std::vector<int64_t> ts;
  for (const Event& e : k->scan({.from = 300000, .to = 300002})) ts.push_back(e.timestamp);
  EXPECT_EQ(ts, (std::vector<int64_t>{300000, 300000, 300001, 300001}));
  ts.clear();
  for (const Event& e : k->scan({.from = 300000, .to = 300002, .reverse = true})) ts.push_back(e.timestamp);
  EXPECT_EQ(ts, (std::vector<int64_t>{300001, 300001, 300000, 300000}));
}

TEST(RoundTrip, ConcurrentReaders) {
  TempDir t;
  Model m = random_model(6, 40, 5000, true);
  write_model(m, t.path("f.esdb"), {.chunk_size = 512});
  Reader r = Reader::open(t.path("f.esdb"));
  auto shared_key = r.find(m.keys().begin()->first);
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int th = 0; th < 4; th++) {
    threads.emplace_back([&, th] {
      for (int round = 0; round < 5; round++) {
        for (const auto& [key, events] : m.keys()) {
          ScanOptions o;
          o.reverse = (th + round) % 2;
          auto k = r.find(key);
          if (!k || collect(k->scan(o)) != to_got(m.expect(key, o), false)) failures++;
          if (collect(shared_key->scan(o)) != to_got(m.expect(m.keys().begin()->first, o), false)) failures++;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
}

}  // namespace
}  // namespace esdb::test

namespace esdb::test {
namespace {

// Compact blocks (sub-block chunks, zstd): every scan the model knows, with
// sub-blocks small enough that most chunks hold several.
TEST(RoundTrip, CompactSnappySubBlocks) {
  TempDir t;
  Model m = random_model(11, 20, 3000, true);
  write_model(m, t.path("f.esdb"), {.chunk_size = 2048, .sub_block_size = 300});
  check_file(m, t.path("f.esdb"));
}

TEST(RoundTrip, CompactZstdSubBlocks) {
  TempDir t;
  Model m = random_model(12, 20, 3000, true);
  write_model(m, t.path("f.esdb"), {.chunk_size = 4096, .compression = Compression::zstd, .sub_block_size = 500});
  check_file(m, t.path("f.esdb"));
}

TEST(RoundTrip, CompactZstdWholeChunks) {
  TempDir t;
  Model m = random_model(13, 30, 3000, false);
  write_model(m, t.path("f.esdb"), {.compression = Compression::zstd, .compression_level = 1, .sub_block_size = 0});
  check_file(m, t.path("f.esdb"));
}

TEST(RoundTrip, CompactRawSubBlocksOfSingleEvents) {
  TempDir t;
  Model m = random_model(14, 5, 800, true);
  write_model(m, t.path("f.esdb"), {.chunk_size = 1000, .compress = false, .sub_block_size = 1});
  check_file(m, t.path("f.esdb"));
}

TEST(RoundTrip, CompactDeterministicAcrossThreads) {
  TempDir t;
  Model m = random_model(15, 30, 2000, true);
  WriterOptions o{.chunk_size = 4096, .compression = Compression::zstd, .sub_block_size = 700};
  o.compression_threads = 0;
  write_model(m, t.path("a.esdb"), o);
  for (int threads : {1, 3}) {
    o.compression_threads = threads;
    o.overwrite = true;
    write_model(m, t.path("b.esdb"), o);
    EXPECT_EQ(read_file(t.path("a.esdb")), read_file(t.path("b.esdb"))) << threads << " compression threads";
  }
}

// Tail sub-blocks: only each group's newest chunk is split, the chunk a
// newest-first scan reads; every scan the model knows, across groups.
TEST(RoundTrip, CompactTailSubBlocks) {
  TempDir t;
  Model m = random_model(16, 20, 3000, true);
  write_model(m, t.path("f.esdb"), {.chunk_size = 2048, .sub_block_size = 300, .tail_sub_blocks = true});
  check_file(m, t.path("f.esdb"));
}

// The bytes, counted by hand from SPEC.md: one key, one group, 140 raw
// events of 40 data bytes at timestamps 1000, 1001, ... Each event is
// ts (1 byte: delta 1) + length (1) + 40, the chunk's first one 43 (zigzag
// 1000 = 2000 takes 2 bytes): 24 events a 1 KiB chunk (1009 bytes), so 5
// full chunks and a last one of 20 events (43 + 19 * 42 = 841 bytes).
// Tail sub-blocks of 200 bytes split only the last chunk (841 >= 4 * 200),
// in two: its newest 4 events (168 bytes; 5 would be 210) alone, their
// first ts absolute (+1 byte: zigzag 1136 takes 2), and a 2-entry table
// (+2 * 9 + 4 bytes). The same with 256-byte sub-blocks splits nothing
// (841 < 4 * 256). Sub-blocks of 256 everywhere hold 6 events (253 bytes):
// 4 per chunk (+3 bytes and 4 * 9 + 4 each), the last chunk's too (6,6,6,2).
TEST(RoundTrip, CompactTailSubBlocksSplitOnlyTheNewestChunk) {
  TempDir t;
  Model m;
  for (int i = 0; i < 140; i++) m.add({.key = "k", .timestamp = 1000 + i, .data = std::string(40, 'a' + i % 26)});
  WriterOptions o{.chunk_size = 1024, .compress = false, .sub_block_size = 0};
  const FileStats whole = write_model(m, t.path("whole.esdb"), o);
  o.sub_block_size = 200;
  o.tail_sub_blocks = true;
  const FileStats tail = write_model(m, t.path("tail.esdb"), o);
  o.sub_block_size = 256;
  const FileStats small = write_model(m, t.path("small.esdb"), o);
  o.tail_sub_blocks = false;
  const FileStats all = write_model(m, t.path("all.esdb"), o);
  EXPECT_EQ(whole.chunk_count, 6u);
  EXPECT_EQ(whole.raw_chunk_bytes, 5u * 1009 + 841);
  EXPECT_EQ(tail.raw_chunk_bytes, whole.raw_chunk_bytes + 1);
  EXPECT_EQ(tail.stored_chunk_bytes, whole.stored_chunk_bytes + 1 + 2 * 9 + 4);
  EXPECT_EQ(small.raw_chunk_bytes, whole.raw_chunk_bytes);
  EXPECT_EQ(small.stored_chunk_bytes, whole.stored_chunk_bytes);
  EXPECT_EQ(read_file(t.path("small.esdb")), read_file(t.path("whole.esdb")));
  EXPECT_EQ(all.raw_chunk_bytes, whole.raw_chunk_bytes + 6 * 3);
  EXPECT_EQ(all.stored_chunk_bytes, whole.stored_chunk_bytes + 6 * (3 + 4 * 9 + 4));
  // Everything before the last chunk is the whole-chunk file's bytes.
  const std::string a = read_file(t.path("whole.esdb")), b = read_file(t.path("tail.esdb"));
  ASSERT_GT(a.size(), 8u + 5 * 1014);
  EXPECT_EQ(a.substr(0, 8 + 5 * 1014), b.substr(0, 8 + 5 * 1014));  // header, 5 chunks of 1009 + 5 trailer bytes
  check_file(m, t.path("tail.esdb"));
}

// A newest event larger than a sub-block is the tail on its own: 20 events
// of 40 bytes (43 + 19 * 42 = 841 payload bytes) and one of 500 (1 + 2 +
// 500), one 1344-byte chunk, split before its last event (+1 byte: zigzag
// 1020 takes 2) with a 2-entry table.
TEST(RoundTrip, CompactTailSubBlockOfOneLargeEvent) {
  TempDir t;
  Model m;
  for (int i = 0; i < 21; i++) m.add({.key = "k", .timestamp = 1000 + i, .data = std::string(i == 20 ? 500 : 40, 'x')});
  WriterOptions o{.chunk_size = 4096, .compress = false, .sub_block_size = 0};
  const FileStats whole = write_model(m, t.path("whole.esdb"), o);
  o.sub_block_size = 200;
  o.tail_sub_blocks = true;
  const FileStats tail = write_model(m, t.path("tail.esdb"), o);
  EXPECT_EQ(whole.raw_chunk_bytes, 841u + 503);
  EXPECT_EQ(tail.raw_chunk_bytes, whole.raw_chunk_bytes + 1);
  EXPECT_EQ(tail.stored_chunk_bytes, whole.stored_chunk_bytes + 1 + 2 * 9 + 4);
  check_file(m, t.path("tail.esdb"));
}

// An index scan finds each entry of the key's index block, and nothing for
// values before the first, between two or after the last, each against the
// model, with and without with_indexes.
TEST(RoundTrip, IndexScanFindsEachEntryAndNoOther) {
  TempDir t;
  Model m;
  const std::vector<std::pair<std::string, std::string>> kinds{{"a", "1"}, {"b", "2"}, {"b", "4"}, {"c", "3"}};
  for (int i = 0; i < 60; i++) {
    const auto& [n, v] = kinds[i % kinds.size()];
    m.add({.key = "k", .timestamp = i, .data = "e" + std::to_string(i), .indexes = {{n, v}, {"z", "all"}}});
  }
  write_model(m, t.path("f.esdb"), {});
  Reader r = Reader::open(t.path("f.esdb"));
  const std::optional<Key> k = r.find("k");
  ASSERT_TRUE(k);
  const std::vector<std::pair<std::string, std::string>> probes{
      {"a", "0"}, {"a", "1"}, {"a", "2"}, {"b", "2"}, {"b", "3"}, {"b", "4"}, {"c", "3"}, {"y", "x"}, {"z", "all"}, {"zz", "0"}};
  for (const auto& [n, v] : probes) {
    const bool present = n == "z" || std::find(kinds.begin(), kinds.end(), std::pair{n, v}) != kinds.end();
    for (bool with : {false, true}) {
      ScanOptions o{.index = IndexEntry{n, v}, .reverse = true, .with_indexes = with};
      const std::vector<Got> want = to_got(m.expect("k", o), with);
      EXPECT_EQ(collect(k->scan(o)), want) << n << "=" << v;
      EXPECT_EQ(want.empty(), !present) << n << "=" << v;
    }
  }
}

}  // namespace
}  // namespace esdb::test

// zstd with a per-file dictionary (SPEC.md, "zstd dictionary"): every scan
// the model knows, with the dictionary coding chunks, sub-blocks (codec 2)
// and index blocks.
namespace esdb::test {
namespace {

uint32_t required_flags_of(const std::string& path) {
  std::string b = read_file(path);
  return format::load_fixed32(b.data() + b.size() - format::kFooterSize + 88);
}

void expect_dictionary(const std::string& path) {
  EXPECT_GT(Reader::open(path).stats().dictionary_bytes, 0u) << path;
  EXPECT_EQ(required_flags_of(path), format::kFlagCompactBlocks | format::kFlagZstdDictionary) << path;
}

// random_model's keys, groups, timestamps and indexes with JSON-like data:
// field names and values shared across keys, which a dictionary learns
// (random_model's runs of one letter zstd needs no help with).
Model json_model(uint32_t seed, int keys, int events, bool groups) {
  Model plain = random_model(seed, keys, events, groups);
  std::mt19937_64 rng(seed);
  const char* pages[] = {"/home", "/pricing", "/docs/getting-started", "/blog/2024/launch", "/account/settings"};
  const char* agents[] = {"Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0",
                          "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15"};
  Model m;
  for (ModelEvent e : plain.in_order()) {
    e.data = R"({"event":"page_view","page":")" + std::string(pages[rng() % 5]) + R"(","agent":")" +
             agents[rng() % 2] + R"(","session":)" + std::to_string(rng() % 100000) + "}";
    m.add(std::move(e));
  }
  return m;
}

WriterOptions dictionary_options() {
  return {.chunk_size = 512, .compression = Compression::zstd, .zstd_dictionary_size = 1024};
}

TEST(RoundTrip, ZstdDictionaryWholeChunks) {
  TempDir t;
  Model m = json_model(21, 300, 6000, true);
  write_model(m, t.path("f.esdb"), dictionary_options());
  expect_dictionary(t.path("f.esdb"));
  check_file(m, t.path("f.esdb"));
}

TEST(RoundTrip, ZstdDictionarySubBlocks) {
  TempDir t;
  Model m = json_model(22, 200, 6000, true);
  WriterOptions o = dictionary_options();
  o.chunk_size = 2048;
  o.sub_block_size = 300;
  write_model(m, t.path("f.esdb"), o);
  expect_dictionary(t.path("f.esdb"));
  check_file(m, t.path("f.esdb"));
}

TEST(RoundTrip, ZstdDictionaryTailSubBlocks) {
  TempDir t;
  Model m = json_model(23, 100, 6000, true);
  WriterOptions o = dictionary_options();
  o.chunk_size = 2048;
  o.sub_block_size = 300;
  o.tail_sub_blocks = true;
  write_model(m, t.path("f.esdb"), o);
  expect_dictionary(t.path("f.esdb"));
  check_file(m, t.path("f.esdb"));
}

// The chunks held for the sample, and the choice, depend on the payloads in
// file order alone: not on threads, nor on how the sorter spilled.
TEST(RoundTrip, ZstdDictionaryDeterministicAcrossThreadsAndSpills) {
  TempDir t;
  Model m = json_model(24, 300, 20000, true);
  WriterOptions o = dictionary_options();
  o.compression_threads = 0;
  write_model(m, t.path("a.esdb"), o);
  expect_dictionary(t.path("a.esdb"));
  o.overwrite = true;
  for (int threads : {1, 3, -1}) {
    o.compression_threads = threads;
    write_model(m, t.path("b.esdb"), o);
    EXPECT_EQ(read_file(t.path("a.esdb")), read_file(t.path("b.esdb"))) << threads << " compression threads";
  }
  o.memory_budget = 1;  // clamped to 1 MiB: several runs
  for (int threads : {0, 3}) {
    o.compression_threads = threads;
    write_model(m, t.path("spill.esdb"), o);
    EXPECT_EQ(read_file(t.path("a.esdb")), read_file(t.path("spill.esdb"))) << threads << " threads, spilled";
  }
  check_file(m, t.path("spill.esdb"));
}

// Where a dictionary does not pay (payloads zstd cannot shrink) or the file
// is too small to train one, the file is exactly the one without the option.
TEST(RoundTrip, ZstdDictionaryDroppedWhereItDoesNotPay) {
  TempDir t;
  std::mt19937_64 rng(25);
  Model noise;
  for (int i = 0; i < 3000; i++) {
    std::string data(100, '\0');
    for (char& c : data) c = static_cast<char>(rng());
    noise.add({"k" + std::to_string(i % 200), i, data, "", {}});
  }
  Model small = json_model(26, 10, 40, true);
  for (const auto& [name, m] : {std::pair{"noise", &noise}, std::pair{"small", &small}}) {
    WriterOptions o = dictionary_options();
    write_model(*m, t.path("dict.esdb"), o);
    o.zstd_dictionary_size = 0;
    write_model(*m, t.path("plain.esdb"), o);
    EXPECT_EQ(Reader::open(t.path("dict.esdb")).stats().dictionary_bytes, 0u) << name;
    EXPECT_EQ(read_file(t.path("dict.esdb")), read_file(t.path("plain.esdb"))) << name;
    std::filesystem::remove(t.path("dict.esdb"));
    std::filesystem::remove(t.path("plain.esdb"));
  }
}

TEST(RoundTrip, ZstdDictionarySizeIsChecked) {
  TempDir t;
  for (size_t size : {size_t{1}, size_t{255}, (size_t{1} << 20) + 1}) {
    WriterOptions o = dictionary_options();
    o.zstd_dictionary_size = size;
    try {
      Writer::create(t.path("f.esdb"), o);
      ADD_FAILURE() << size << " accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), Errc::invalid_argument) << size;
    }
  }
}

}  // namespace
}  // namespace esdb::test
