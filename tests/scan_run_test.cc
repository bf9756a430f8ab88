// Scan::next hands out a decoded chunk's events inline (esdb.h ScanRun):
// every field of every event, ordinal and key included, must be what the
// model says, over every layout a run can come from (whole chunks, many
// small chunks, sub-blocks, tail sub-blocks, zstd, raw) and every scan
// shape that starts one (forward, reverse, groups, time ranges) or not
// (index scans, with_indexes, merged scans).
#include <gtest/gtest.h>

#include <optional>
#include <random>
#include <set>
#include <thread>

#include "test_util.h"

namespace esdb::test {
namespace {

struct Full {
  std::string key, group, data;
  int64_t timestamp;
  uint64_t ordinal;
  bool operator==(const Full&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Full& f) {
  return os << f.key << "/" << f.group << "@" << f.timestamp << "#" << f.ordinal << ":" << f.data.size();
}

// Through next() and event() by hand, to check the two agree with range-for.
std::vector<Full> collect_full(Scan scan) {
  std::vector<Full> out;
  while (scan.next()) {
    const Event& e = scan.event();
    out.push_back({std::string(e.key), std::string(e.group), std::string(e.data), e.timestamp, e.ordinal});
  }
  return out;
}

std::vector<Full> expect_full(const Model& m, const std::string& key, const ScanOptions& o) {
  const auto& all = m.keys().at(key);
  std::vector<Full> out;
  for (const ModelEvent* e : m.expect(key, o)) {
    out.push_back({e->key, e->group, e->data, e->timestamp, static_cast<uint64_t>(e - all.data())});
  }
  return out;
}

// Small records in long runs per key (so chunks hold hundreds of events),
// close timestamps with duplicates, a few groups and one index field.
Model run_model(uint32_t seed) {
  std::mt19937_64 rng(seed);
  Model m;
  const char* types[] = {"view", "view", "click", "purchase"};
  for (int i = 0; i < 6000; i++) {
    ModelEvent e;
    e.key = "k" + std::to_string(rng() % 7 == 0 ? rng() % 40 : rng() % 3);
    e.timestamp = 1000 + i / 3 + static_cast<int64_t>(rng() % 5);
    e.data = std::string(60 + rng() % 31, static_cast<char>('a' + rng() % 26)) + std::to_string(i);
    if (rng() % 4 == 0) e.group = "g" + std::to_string(rng() % 2);
    e.indexes.emplace_back("type", types[rng() % 4]);
    m.add(std::move(e));
  }
  return m;
}

void check_runs(const Model& m, const std::string& path) {
  Reader r = Reader::open(path);
  for (const auto& [key, events] : m.keys()) {
    std::optional<Key> k = r.find(key);
    ASSERT_TRUE(k) << key;
    std::set<std::string> groups;
    std::vector<int64_t> bounds = {kMinTime};
    for (size_t i = 0; i < events.size(); i += 1 + events.size() / 5) bounds.push_back(events[i].timestamp);
    if (events.back().timestamp < kMaxTime) bounds.push_back(events.back().timestamp + 1);
    for (const ModelEvent& e : events) groups.insert(e.group);
    for (bool rev : {false, true}) {
      ScanOptions o;
      o.reverse = rev;
      ASSERT_EQ(collect_full(k->scan(o)), expect_full(m, key, o)) << key << " reverse " << rev;
      for (const std::string& g : groups) {
        o.group = g;
        ASSERT_EQ(collect_full(k->scan(o)), expect_full(m, key, o)) << key << " group " << g;
      }
      o.group.reset();
      for (int64_t from : bounds) {
        for (int64_t to : bounds) {
          o.from = from;
          o.to = to;
          ASSERT_EQ(collect_full(k->scan(o)), expect_full(m, key, o)) << key << " [" << from << "," << to << ")";
        }
      }
      o.from = kMinTime;
      o.to.reset();
      o.index = IndexEntry{"type", "purchase"};
      ASSERT_EQ(collect_full(k->scan(o)), expect_full(m, key, o)) << key << " index";
      o.index.reset();
      o.with_indexes = true;
      ASSERT_EQ(collect(k->scan(o)), to_got(m.expect(key, o), true)) << key << " with_indexes";
    }
  }
}

struct Layout {
  const char* name;
  WriterOptions options;
};

std::vector<Layout> layouts() {
  std::vector<Layout> out;
  out.push_back({"whole", {}});
  out.push_back({"small-chunks", {.chunk_size = 700}});
  WriterOptions o;
  o.sub_block_size = 1024;
  out.push_back({"sub-blocks", o});
  o.tail_sub_blocks = true;
  o.sub_block_size = 512;
  out.push_back({"tail-sub-blocks", o});
  o = {};
  o.compression = Compression::zstd;
  out.push_back({"zstd", o});
  o.sub_block_size = 2048;
  out.push_back({"zstd-sub-blocks", o});
  out.push_back({"raw", {.compress = false}});
  return out;
}

TEST(ScanRun, EveryLayoutGivesExactEvents) {
  TempDir t;
  const Model m = run_model(16);
  for (const Layout& l : layouts()) {
    SCOPED_TRACE(l.name);
    const std::string path = t.path(std::string(l.name) + ".esdb");
    write_model(m, path, l.options);
    check_runs(m, path);
  }
}

// Timestamp deltas of every varint length (1 to 10 bytes) and data of 1-
// and 2-byte lengths, so that each way a chunk's varints are read inline or
// left to the Cursor (chunk.cc) meets real bytes, also near a payload's end.
TEST(ScanRun, VarintsOfEveryLength) {
  TempDir t;
  std::mt19937_64 rng(20);
  Model m;
  int64_t ts = kMinTime;
  for (int i = 0; i < 4000; i++) {
    ModelEvent e;
    e.key = "k" + std::to_string(i % 3);
    int bits = static_cast<int>(rng() % 58);
    if (ts > kMaxTime - (int64_t{1} << 58)) bits %= 14;  // stay in range
    ts += static_cast<int64_t>(rng() & ((uint64_t{1} << bits) - 1));
    e.timestamp = ts;
    e.data = std::string(rng() % 4 == 0 ? 200 + rng() % 200 : rng() % 100, 'x');
    m.add(std::move(e));
  }
  ModelEvent last;
  last.key = "k0";
  last.timestamp = kMaxTime;  // a delta of 9 or 10 bytes
  m.add(std::move(last));
  for (const Layout& l : layouts()) {
    SCOPED_TRACE(l.name);
    const std::string path = t.path(std::string(l.name) + ".esdb");
    write_model(m, path, l.options);
    check_runs(m, path);
  }
}

// A Scan moved in the middle of a run goes on where it was.
TEST(ScanRun, MovedMidRunContinues) {
  TempDir t;
  const Model m = run_model(17);
  write_model(m, t.path("f.esdb"));
  Reader r = Reader::open(t.path("f.esdb"));
  for (bool rev : {false, true}) {
    ScanOptions o{.reverse = rev};
    const std::vector<Full> want = expect_full(m, "k0", o);
    ASSERT_GT(want.size(), 20u);
    std::vector<Full> got;
    Scan a = r.find("k0")->scan(o);
    for (int i = 0; i < 7 && a.next(); i++) {
      const Event& e = a.event();
      got.push_back({std::string(e.key), std::string(e.group), std::string(e.data), e.timestamp, e.ordinal});
    }
    Scan b = std::move(a);
    std::vector<Full> rest = collect_full(std::move(b));
    got.insert(got.end(), rest.begin(), rest.end());
    EXPECT_EQ(got, want);
  }
}

// A scan still alive when its thread ends, destroyed after the buffers the
// thread keeps for its next scan (lib/scan.cc): it must free its own.
TEST(ScanRun, ScanOutlivesItsThreadsSpare) {
  TempDir t;
  const Model m = run_model(21);
  write_model(m, t.path("f.esdb"));
  Reader r = Reader::open(t.path("f.esdb"));
  std::thread([&] {
    thread_local std::optional<Scan> kept;  // constructed first, so destroyed last
    for (const Event& e : r.find("k1")->scan()) (void)e;  // the thread's spare now holds buffers
    kept.emplace(r.find("k0")->scan());
    ASSERT_TRUE(kept->next());
  }).join();
  std::thread([&] {
    Scan s = r.find("k2")->scan();  // a thread that ends with no scan alive
    EXPECT_EQ(collect_full(std::move(s)), expect_full(m, "k2", {}));
  }).join();
}

// Merged scans go through ScanState::next, not Scan's inline path.
TEST(ScanRun, MergedScansGiveExactEvents) {
  TempDir t;
  Model a = run_model(18), b = run_model(19), both;
  write_model(a, t.path("a.esdb"));
  write_model(b, t.path("b.esdb"), {.chunk_size = 900});
  MultiReader mr = MultiReader::open({t.path("a.esdb"), t.path("b.esdb")});
  for (bool rev : {false, true}) {
    std::vector<std::pair<std::string, int64_t>> got, want;
    for (const Event& e : mr.find("k1")->scan({.reverse = rev})) got.emplace_back(std::string(e.data), e.timestamp);
    for (const Model* x : {&a, &b}) {
      for (const ModelEvent* e : x->expect("k1", {})) want.emplace_back(e->data, e->timestamp);
    }
    std::sort(got.begin(), got.end());
    std::sort(want.begin(), want.end());
    EXPECT_EQ(got, want) << "reverse " << rev;
  }
}

}  // namespace
}  // namespace esdb::test
