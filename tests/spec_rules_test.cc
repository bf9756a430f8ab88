// The rules SPEC.md states that a reader enforces, each pinned on a copy of
// the worked example (tests/golden/v1_example.esdb) changed in one field and
// given a valid checksum, so only the rule itself can reject it; and the
// writer's compression threshold, pinned against Snappy itself.
#include <gtest/gtest.h>
#include <snappy.h>

#include <random>

#include "format/checksum.h"
#include "format/coding.h"
#include "format/format.h"
#include "test_util.h"

namespace esdb::test {
namespace {

const std::string kExample = std::string(ESDB_TEST_DATA_DIR) + "/golden/v1_example.esdb";

// Offsets in the worked example (SPEC.md, "Worked example").
constexpr uint64_t kAliceDir = 0x38, kAliceBody = 43;
constexpr uint64_t kBobDir = 0x73, kBobBody = 44;
constexpr uint64_t kBucket = 0xbb;

// Rewrites the checksum of the key dir at `dir` with `body` bytes of body.
void reseal_key_dir(std::string& b, uint64_t dir, uint64_t body) {
  format::store_fixed32(b.data() + dir + 4 + body, format::checksum(b.data() + dir, 4 + body, dir));
}

Error open_error(const std::string& path) {
  try {
    Reader::open(path);
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << path << " opened";
  return Error(Errc::io, path, 0, "opened");
}

Error find_error(const std::string& path, std::string_view key) {
  const Reader r = Reader::open(path);
  try {
    r.find(key);
  } catch (const Error& e) {
    EXPECT_FALSE(r.verify().empty()) << "verify() found nothing";
    return e;
  }
  ADD_FAILURE() << "found " << key << " in " << path;
  return Error(Errc::io, path, 0, "found");
}

TEST(SpecRules, IndexOffsetWithoutIndexBlockIsCorrupt) {
  TempDir t;
  std::string b = read_file(kExample);
  // bob's body: key (4) | chunk_count, group_count, "g", first_chunk (5) | index_offset ...
  const uint64_t index_offset = kBobDir + 4 + 4 + 5;
  ASSERT_EQ(b[index_offset], 0);
  b[index_offset] = 0x6b;  // a plausible offset (bob's chunk), with index_size still 0
  reseal_key_dir(b, kBobDir, kBobBody);
  write_file(t.path("f.esdb"), b);
  const Error e = find_error(t.path("f.esdb"), "bob");
  EXPECT_EQ(e.code(), Errc::corrupt);
  EXPECT_GT(e.offset(), kBobDir);  // where the field was read, inside bob's dir
  EXPECT_LT(e.offset(), kBobDir + 4 + kBobBody);
  EXPECT_NE(std::string(e.what()).find("index offset without an index block"), std::string::npos) << e.what();
  EXPECT_TRUE(Reader::open(t.path("f.esdb")).find("alice"));  // the other key is untouched
}

TEST(SpecRules, IndexBlockOfTrailerOnlyIsCorrupt) {
  TempDir t;
  std::string b = read_file(kExample);
  // alice's body: key (6) | chunk_count, group_count (2) | index_offset (1) | index_size
  const uint64_t index_size = kAliceDir + 4 + 6 + 2 + 1;
  ASSERT_EQ(static_cast<uint8_t>(b[index_size]), 0x24);
  b[index_size] = 5;
  reseal_key_dir(b, kAliceDir, kAliceBody);
  write_file(t.path("f.esdb"), b);
  const Error e = find_error(t.path("f.esdb"), "alice");
  EXPECT_EQ(e.code(), Errc::corrupt);
  EXPECT_NE(std::string(e.what()).find("index block is empty"), std::string::npos) << e.what();
}

TEST(SpecRules, BucketUsedIsAU32OfAtMostFour) {
  TempDir t;
  for (const auto& [at, value] : std::vector<std::pair<uint64_t, char>>{{56, 5}, {57, 1}, {59, 1}}) {
    std::string b = read_file(kExample);
    b[kBucket + at] = value;
    format::store_fixed32(b.data() + kBucket + 60, format::checksum(b.data() + kBucket, 60, kBucket));
    write_file(t.path("f.esdb"), b);
    const Error e = find_error(t.path("f.esdb"), "alice");
    EXPECT_EQ(e.code(), Errc::corrupt) << at;
    EXPECT_EQ(e.offset(), kBucket + 56) << at;  // the `used` field
  }
}

TEST(SpecRules, FormatVersionZeroIsCorruptNotUnsupported) {
  TempDir t;
  std::string b = read_file(kExample);
  const uint64_t footer = b.size() - format::kFooterSize;
  format::store_fixed32(b.data() + footer + 112, 0);
  format::store_fixed32(b.data() + footer + 116, format::checksum(b.data() + footer, 116, footer));
  write_file(t.path("v0.esdb"), b);
  const Error e = open_error(t.path("v0.esdb"));
  EXPECT_EQ(e.code(), Errc::corrupt);
  EXPECT_EQ(e.offset(), footer);
  EXPECT_NE(std::string(e.what()).find("format version 0"), std::string::npos) << e.what();
}

// One event of `data` (ts 0, a 1-byte length) makes one chunk whose payload
// is `00 len data`; the file stores it Snappy-compressed exactly when
// 8 * compressed < 7 * payload, and never below 64 bytes.
TEST(SpecRules, WriterCompressesOnlyWhenSnappySavesMoreThanAnEighth) {
  TempDir t;
  std::mt19937 rng(7);
  int kept_raw_though_smaller = 0, compressed = 0, raw = 0;
  for (size_t len = 40; len < 128; len++) {
    for (size_t repeat = 0; repeat <= len; repeat += 3) {
      std::string data(len, 'a');
      for (size_t i = repeat; i < len; i++) data[i] = static_cast<char>(rng());
      const std::string payload = std::string("\0", 1) + static_cast<char>(len) + data;
      std::string snappy_out;
      snappy::Compress(payload.data(), payload.size(), &snappy_out);
      const bool expect_compressed = payload.size() >= 64 && 8 * snappy_out.size() < 7 * payload.size();
      Writer w = Writer::create(t.path("c.esdb"), {.overwrite = true, .sync = false});
      w.add({.key = "k", .timestamp = 0, .data = data});
      const FileStats s = w.finish();
      ASSERT_EQ(s.raw_chunk_bytes, payload.size());
      ASSERT_EQ(s.stored_chunk_bytes,
                (expect_compressed ? snappy_out.size() : payload.size()) + format::kBlockTrailerSize)
          << "payload " << payload.size() << ", snappy " << snappy_out.size();
      compressed += expect_compressed;
      raw += !expect_compressed;
      kept_raw_though_smaller += !expect_compressed && payload.size() >= 64 && snappy_out.size() < payload.size();
    }
  }
  // The sweep crosses the threshold: both outcomes, and savings of 1/8 or less.
  EXPECT_GT(compressed, 0);
  EXPECT_GT(raw, 0);
  EXPECT_GT(kept_raw_though_smaller, 0);
}

}  // namespace
}  // namespace esdb::test
