// The corruption sweep: one file with several keys, groups, index values,
// raw and Snappy chunks and an external posting block is damaged in every
// way a disk or a copy can damage it (one bit flipped at every byte offset;
// cut short at every length), and every damaged copy is read in full.
//
// Each read operation (lookup, key listing, metadata, forward/reverse/group/
// index/time-range scans, verify) must either return exactly what it
// returns on the sound file or throw esdb::Error. A crash fails the test,
// and so does one operation returning different data without an error:
// that is silent corruption. verify() must also see every damage that makes
// some operation throw.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "format/coding.h"
#include "format/format.h"
#include "test_util.h"

namespace esdb::test {
namespace {

Model sweep_model() {
  Model m;
  // alpha: three groups, two index names, several chunks per group.
  for (int i = 0; i < 24; i++) {
    ModelEvent e{"alpha", 1000 + (i * 7) % 40, "{\"i\":" + std::to_string(i) + "}", "", {}};
    e.group = i % 3 == 0 ? "" : i % 3 == 1 ? "web" : "app";
    if (i % 2 == 0) e.indexes.push_back({"type", "view"});
    if (i % 5 == 0) e.indexes.push_back({"type", "buy"});
    if (i % 4 == 1) e.indexes.push_back({"tag", "x"});
    m.add(e);
  }
  // beta: long posting list (its own block), tiny events.
  for (int i = 0; i < 135; i++) m.add({"beta", i / 2, i % 10 ? "" : "b", "", {{"type", "view"}}});
  // gamma: compressible data, stored as Snappy chunks.
  for (int i = 0; i < 8; i++) {
    m.add({"gamma", -50 + i, "the quick brown fox jumps over the lazy dog and the quick brown cat", "", {}});
  }
  m.add({"delta", kMaxTime, "last", "g", {{"only", "one"}}});
  m.add({"epsilon", kMinTime, "", "", {}});
  m.add({"epsilon", -1, "neg", "", {{"k", "v"}}});
  return m;
}

// A scan's events, serialised straight from the scan (this runs a few
// hundred thousand times under ASan, so no intermediate copies).
void put_field(std::string& s, std::string_view v) {
  s += std::to_string(v.size());
  s += ':';
  s += v;
}
std::string encode(Scan scan) {
  std::string s;
  for (const Event& e : scan) {
    put_field(s, e.group);
    s += std::to_string(e.timestamp);
    put_field(s, e.data);
    for (const IndexEntry& x : e.indexes) {
      put_field(s, x.name);
      put_field(s, x.value);
    }
    s += '\n';
  }
  return s;
}
std::string encode(const std::vector<Got>& events) {
  std::string s;
  for (const Got& g : events) {
    put_field(s, g.group);
    s += std::to_string(g.timestamp);
    put_field(s, g.data);
    for (const auto& [n, v] : g.indexes) {
      put_field(s, n);
      put_field(s, v);
    }
    s += '\n';
  }
  return s;
}

// One read operation; returns what it read, serialised.
struct Op {
  std::string name;
  std::function<std::string(const Reader&)> run;
};

std::vector<Op> operations(const Model& m) {
  std::vector<Op> ops;
  ops.push_back({"stats", [](const Reader& r) {
                   const FileStats& s = r.stats();
                   return std::to_string(s.key_count) + " " + std::to_string(s.event_count) + " " +
                          std::to_string(s.min_timestamp) + " " + std::to_string(s.max_timestamp);
                 }});
  ops.push_back({"keys", [](const Reader& r) {
                   std::string s;
                   for (const Key& k : r.keys()) s += std::string(k.name()) + " " + std::to_string(k.event_count()) + "\n";
                   return s;
                 }});
  for (const auto& [key, events] : m.keys()) {
    auto with_key = [key = key](std::function<std::string(const Key&)> f) {
      return [key, f](const Reader& r) -> std::string {
        std::optional<Key> k = r.find(key);
        return k ? f(*k) : std::string("<missing>");
      };
    };
    ops.push_back({key + " meta", with_key([](const Key& k) {
                     std::string s = std::to_string(k.event_count()) + " " + std::to_string(k.min_timestamp()) + " " +
                                     std::to_string(k.max_timestamp()) + "\n";
                     for (const GroupInfo& g : k.groups()) {
                       s += std::string(g.name) + " " + std::to_string(g.event_count) + " " +
                            std::to_string(g.min_timestamp) + " " + std::to_string(g.max_timestamp) + "\n";
                     }
                     for (const IndexValue& v : k.index_values()) s += v.name + "=" + v.value + " " + std::to_string(v.count) + "\n";
                     return s;
                   })});
    ops.push_back({key + " forward", with_key([](const Key& k) { return encode(k.scan()); })});
    ops.push_back({key + " reverse", with_key([](const Key& k) {
                     return encode(k.scan({.reverse = true, .with_indexes = true}));
                   })});
    std::set<std::string> groups;
    std::set<std::pair<std::string, std::string>> values;
    for (const ModelEvent& e : events) {
      groups.insert(e.group);
      values.insert(e.indexes.begin(), e.indexes.end());
    }
    for (const std::string& g : groups) {
      ops.push_back({key + " group " + g, with_key([g](const Key& k) {
                       return encode(k.scan({.group = g, .reverse = true, .with_indexes = true}));
                     })});
    }
    for (const auto& [n, v] : values) {
      ops.push_back({key + " index " + n + "=" + v, with_key([n = n, v = v](const Key& k) {
                       return encode(k.scan({.index = IndexEntry{n, v}})) +
                              encode(k.scan({.index = IndexEntry{n, v}, .reverse = true, .with_indexes = true}));
                     })});
    }
    ops.push_back({key + " time range", with_key([](const Key& k) {
                     int64_t mid = k.min_timestamp() / 2 + k.max_timestamp() / 2;
                     return encode(k.scan({.from = mid})) +
                            encode(k.scan({.to = mid, .reverse = true}));
                   })});
  }
  return ops;
}

struct Sweep {
  const char* kind;
  uint64_t tried = 0, detected = 0, harmless = 0;
  std::vector<std::string> failures;  // silent differences and misses

  void print() const {
    std::printf("sweep: %s tried=%llu detected=%llu harmless=%llu\n", kind, static_cast<unsigned long long>(tried),
                static_cast<unsigned long long>(detected), static_cast<unsigned long long>(harmless));
  }
};

class Checker {
 public:
  Checker(const std::string& path, const Model& m) : path_(path), ops_(operations(m)) {
    Reader r = Reader::open(path);
    for (const Op& op : ops_) reference_.push_back(op.run(r));
  }
  const std::vector<Op>& ops() const { return ops_; }
  const std::vector<std::string>& reference() const { return reference_; }

  // Reads the (damaged) file at path_ in full and files the outcome.
  void check(Sweep& sweep, const std::string& damage) const {
    sweep.tried++;
    std::optional<Reader> r;
    try {
      r.emplace(Reader::open(path_));
    } catch (const Error&) {
      sweep.detected++;
      return;
    }
    std::vector<std::string> threw;
    for (size_t i = 0; i < ops_.size(); i++) {
      try {
        std::string got = ops_[i].run(*r);
        if (got != reference_[i]) sweep.failures.push_back(damage + ": '" + ops_[i].name + "' silently differs");
      } catch (const Error&) {
        threw.push_back(ops_[i].name);
      }
    }
    std::vector<Problem> problems = r->verify();
    if (problems.empty() && !threw.empty()) {
      sweep.failures.push_back(damage + ": verify() is clean but '" + threw.front() + "' throws");
    }
    if (problems.empty() && threw.empty()) sweep.harmless++; else sweep.detected++;
  }

 private:
  std::string path_;
  std::vector<Op> ops_;
  std::vector<std::string> reference_;
};

class CorruptionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    model_ = model();
    path_ = dir_.path("sweep.esdb");
    write_model(model_, path_, options());
    original_ = read_file(path_);
    checker_.emplace(path_, model_);
    fd_ = ::open(path_.c_str(), O_RDWR);
    ASSERT_GE(fd_, 0);
  }
  void TearDown() override { ::close(fd_); }
  virtual WriterOptions options() const { return {.chunk_size = 96, .compress = true, .sub_block_size = 0}; }
  virtual Model model() const { return sweep_model(); }

  // Offsets to damage: all of them, or an even sample of kMaxOffsets.
  std::vector<uint64_t> offsets() const {
    static constexpr uint64_t kMaxOffsets = 6000;
    std::vector<uint64_t> out;
    uint64_t n = original_.size();
    for (uint64_t i = 0; i < std::min(n, kMaxOffsets); i++) out.push_back(n <= kMaxOffsets ? i : i * n / kMaxOffsets);
    return out;
  }
  void pwrite_all(const std::string& bytes, uint64_t at) {
    ASSERT_EQ(::pwrite(fd_, bytes.data(), bytes.size(), static_cast<off_t>(at)), static_cast<ssize_t>(bytes.size()));
  }
  // Flips one bit of every offset (the bit moving along), checking each damaged copy.
  Sweep flip_sweep(const char* name) {
    Sweep sweep{name};
    for (uint64_t at : offsets()) {
      const int bit = static_cast<int>((at * 5 + 3) % 8);
      std::string damaged(1, static_cast<char>(original_[at] ^ (1 << bit)));
      pwrite_all(damaged, at);
      checker_->check(sweep, "bit " + std::to_string(bit) + " at offset " + std::to_string(at));
      pwrite_all(original_.substr(at, 1), at);
    }
    return sweep;
  }
  // Cuts the file at every offset, checking each shorter copy.
  Sweep truncation_sweep(const char* name) {
    Sweep sweep{name};
    for (uint64_t at : offsets()) {
      EXPECT_EQ(::ftruncate(fd_, static_cast<off_t>(at)), 0);
      checker_->check(sweep, "cut at " + std::to_string(at));
      pwrite_all(original_.substr(at), at);
    }
    return sweep;
  }
  static void report(const Sweep& s) {
    s.print();
    for (size_t i = 0; i < s.failures.size() && i < 20; i++) ADD_FAILURE() << s.failures[i];
    EXPECT_TRUE(s.failures.empty()) << s.failures.size() << " damaged copies went undetected";
  }

  TempDir dir_;
  Model model_;
  std::string path_;
  std::string original_;
  std::optional<Checker> checker_;
  int fd_ = -1;
};

// The reference itself is right: the sound file reads back as the model.
TEST_F(CorruptionTest, SoundFileMatchesTheModel) {
  Reader r = Reader::open(path_);
  EXPECT_TRUE(r.verify().empty());
  FileStats s = r.stats();
  EXPECT_GT(s.chunk_count, 2 * s.key_count) << "the sweep wants several chunks per key";
  EXPECT_LT(s.stored_chunk_bytes, s.raw_chunk_bytes + s.chunk_count * 5) << "some chunks should be compressed";
  EXPECT_LE(original_.size(), 16384u);
  for (const auto& [key, events] : model_.keys()) {
    auto k = r.find(key);
    ASSERT_TRUE(k) << key;
    EXPECT_EQ(collect(k->scan({.with_indexes = true})), to_got(model_.expect(key, {}), true)) << key;
    EXPECT_EQ(collect(k->scan({.reverse = true})), to_got(model_.expect(key, {.reverse = true}), false)) << key;
    for (const IndexValue& v : k->index_values()) {
      ScanOptions o{.index = IndexEntry{v.name, v.value}};
      EXPECT_EQ(collect(k->scan(o)), to_got(model_.expect(key, o), false)) << key << " " << v.name;
    }
  }
  // The sweep's reference reads are the model too.
  for (size_t i = 0; i < checker_->ops().size(); i++) {
    const std::string& name = checker_->ops()[i].name;
    for (const auto& [key, events] : model_.keys()) {
      if (name == key + " forward") {
        EXPECT_EQ(checker_->reference()[i], encode(to_got(model_.expect(key, {}), false)));
      }
      if (name == key + " reverse") {
        EXPECT_EQ(checker_->reference()[i], encode(to_got(model_.expect(key, {.reverse = true}), true)));
      }
    }
  }
  std::printf("sweep: file of %zu bytes, %zu operations per damaged copy\n", original_.size(), checker_->ops().size());
}

TEST_F(CorruptionTest, EveryBitFlipIsDetectedOrHarmless) {
  const Sweep sweep = flip_sweep("flips");
  report(sweep);
  EXPECT_EQ(sweep.tried, offsets().size());
}

TEST_F(CorruptionTest, EveryTruncationIsDetected) {
  const Sweep sweep = truncation_sweep("truncations");
  report(sweep);
  // A shorter file has no footer where it should be: never harmless.
  EXPECT_EQ(sweep.harmless, 0u);
}

// The same sweep over compact blocks: zstd sub-blocks and index blocks.
class CompactCorruptionTest : public CorruptionTest {
 protected:
  WriterOptions options() const override {
    return {.chunk_size = 200, .compression = Compression::zstd, .sub_block_size = 70};
  }
};

TEST_F(CompactCorruptionTest, SoundFileUsesCompactBlocksAndMatchesTheModel) {
  Reader r = Reader::open(path_);
  EXPECT_TRUE(r.verify().empty());
  EXPECT_EQ(required_flags(original_),
            format::kFlagCompactBlocks);
  // Both new block types are in the file, so the sweep damages them.
  size_t zstd_frames = 0;
  for (size_t at = original_.find("\x28\xb5\x2f\xfd"); at != std::string::npos;
       at = original_.find("\x28\xb5\x2f\xfd", at + 1)) {
    zstd_frames++;
  }
  EXPECT_GE(zstd_frames, 2u);
  for (const auto& [key, events] : model_.keys()) {
    auto k = r.find(key);
    ASSERT_TRUE(k) << key;
    EXPECT_EQ(collect(k->scan({.with_indexes = true})), to_got(model_.expect(key, {}), true)) << key;
    EXPECT_EQ(collect(k->scan({.reverse = true})), to_got(model_.expect(key, {.reverse = true}), false)) << key;
  }
}

TEST_F(CompactCorruptionTest, EveryBitFlipIsDetectedOrHarmless) {
  const Sweep sweep = flip_sweep("compact flips");
  report(sweep);
}

TEST_F(CompactCorruptionTest, EveryTruncationIsDetected) {
  const Sweep sweep = truncation_sweep("compact truncations");
  report(sweep);
  EXPECT_EQ(sweep.harmless, 0u);
}

// The same sweep over a file with a zstd dictionary (required flag bit 1):
// the dictionary block, and the chunks, sub-blocks and index blocks coded
// with it. The sweep model's keys with JSON-like data repeated across keys,
// so that a small dictionary pays and is kept.
class DictionaryCorruptionTest : public CorruptionTest {
 protected:
  WriterOptions options() const override {
    return {.chunk_size = 200, .compression = Compression::zstd, .zstd_dictionary_size = 256, .sub_block_size = 120};
  }
  Model model() const override {
    Model m;
    const Model base = sweep_model();
    for (const ModelEvent& e : base.in_order()) {
      ModelEvent j = e;
      j.data = "{\"event\":\"page_view\",\"page\":\"/docs/" + std::to_string(e.seq % 4) + "\",\"d\":\"" + e.data + "\"}";
      m.add(std::move(j));
    }
    return m;
  }
};

TEST_F(DictionaryCorruptionTest, SoundFileUsesTheDictionaryAndMatchesTheModel) {
  Reader r = Reader::open(path_);
  EXPECT_TRUE(r.verify().empty());
  EXPECT_GT(r.stats().dictionary_bytes, 0u);
  EXPECT_EQ(required_flags(original_),
            format::kFlagCompactBlocks | format::kFlagZstdDictionary);
  for (const auto& [key, events] : model_.keys()) {
    auto k = r.find(key);
    ASSERT_TRUE(k) << key;
    EXPECT_EQ(collect(k->scan({.with_indexes = true})), to_got(model_.expect(key, {}), true)) << key;
    EXPECT_EQ(collect(k->scan({.reverse = true})), to_got(model_.expect(key, {.reverse = true}), false)) << key;
  }
}

TEST_F(DictionaryCorruptionTest, EveryBitFlipIsDetectedOrHarmless) {
  const Sweep sweep = flip_sweep("dictionary flips");
  report(sweep);
}

TEST_F(DictionaryCorruptionTest, EveryTruncationIsDetected) {
  const Sweep sweep = truncation_sweep("dictionary truncations");
  report(sweep);
  EXPECT_EQ(sweep.harmless, 0u);
}

// The same sweep over covered index entries (required flag bit 2): key dirs
// listing covers, cover blocks whole and as sub-blocks. alpha's type=view
// (half its events) and type=buy are covered by name, tag=x by value;
// beta's dense type=view is not. Stored raw, so the copies can be seen.
class CoverCorruptionTest : public CorruptionTest {
 protected:
  WriterOptions options() const override {
    return {.chunk_size = 96, .compress = false, .covered_indexes = {"type", "tag=x"}, .cover_max_share = 0.5};
  }
};

TEST_F(CoverCorruptionTest, SoundFileHasCoversAndMatchesTheModel) {
  Reader r = Reader::open(path_);
  EXPECT_TRUE(r.verify().empty());
  EXPECT_EQ(required_flags(original_),
            format::kFlagCompactBlocks | format::kFlagCoveredEntries);
  // The copies are in the file: alpha's buy events' data appear twice.
  for (const char* data : {"{\"i\":5}", "{\"i\":20}"}) {
    const size_t first = original_.find(data);
    ASSERT_NE(first, std::string::npos) << data;
    EXPECT_NE(original_.find(data, first + 1), std::string::npos) << data;
  }
  for (const auto& [key, events] : model_.keys()) {
    auto k = r.find(key);
    ASSERT_TRUE(k) << key;
    for (const IndexValue& v : k->index_values()) {
      for (bool rev : {false, true}) {
        ScanOptions so{.index = IndexEntry{v.name, v.value}, .reverse = rev};
        EXPECT_EQ(collect(k->scan(so)), to_got(model_.expect(key, so), false)) << key << " " << v.name << "=" << v.value;
      }
    }
  }
}

TEST_F(CoverCorruptionTest, EveryBitFlipIsDetectedOrHarmless) {
  const Sweep sweep = flip_sweep("cover flips");
  report(sweep);
}

TEST_F(CoverCorruptionTest, EveryTruncationIsDetected) {
  const Sweep sweep = truncation_sweep("cover truncations");
  report(sweep);
  EXPECT_EQ(sweep.harmless, 0u);
}

}  // namespace
}  // namespace esdb::test
