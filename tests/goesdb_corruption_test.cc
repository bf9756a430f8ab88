// Damaged Go ESDB files: a bit flip in every byte and every truncation of the small
// fixture, and a sample of the larger one. Each import either fails with an
// Error naming the damaged file and an offset inside it (and leaves nothing at
// the output), or succeeds with every key but at most one (the space holding
// the flipped bit) exactly as in the undamaged file. Go ESDB checksums only its
// tables; a flipped bit inside an event's stored bytes can pass unnoticed,
// which is why one key may differ.
#include <gtest/gtest.h>

#include <boost/crc.hpp>
#include <cstring>

#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "test_util.h"

namespace {

using esdb::test::read_file;
using esdb::test::TempDir;
using esdb::test::write_file;

std::string path_of(const std::string& file) { return std::string(ESDB_TEST_DATA_DIR) + "/goesdb/" + file; }

// key -> (group, timestamp, data, index entries) of a full scan, as text.
std::map<std::string, std::vector<std::string>> histories(const std::string& path) {
  esdb::Reader r = esdb::Reader::open(path);
  std::map<std::string, std::vector<std::string>> out;
  esdb::ScanOptions o;
  o.with_indexes = true;
  for (const esdb::Key& k : r.keys()) {
    auto& h = out[std::string(k.name())];
    for (const esdb::Event& e : k.scan(o)) {
      std::string s = std::string(e.group) + "|" + std::to_string(e.timestamp) + "|" + std::string(e.data);
      for (const esdb::IndexEntry& x : e.indexes) s += "|" + std::string(x.name) + "=" + std::string(x.value);
      h.push_back(std::move(s));
    }
  }
  return out;
}

struct Outcome {
  uint64_t errors = 0, clean = 0, one_key_differs = 0;
  std::map<std::string, uint64_t> messages;  // by a phrase of the detail
};

class Damage {
 public:
  explicit Damage(const std::string& fixture) : original_(read_file(path_of(fixture))) {
    esdb::import_goesdb({path_of(fixture)}, dir_.path("truth.esdb"));
    truth_ = histories(dir_.path("truth.esdb"));
  }
  const std::string& original() const { return original_; }

  void check(const std::string& bytes, const std::string& what, Outcome& o) {
    SCOPED_TRACE(what);
    const std::string in = dir_.path("damaged.goesdb"), out = dir_.path("out.esdb");
    write_file(in, bytes);
    esdb::WriterOptions w;
    w.sync = false;
    w.overwrite = true;
    try {
      esdb::import_goesdb({in}, out, w);
    } catch (const esdb::Error& e) {
      o.errors++;
      EXPECT_EQ(e.path(), in);
      EXPECT_TRUE(e.code() == esdb::Errc::corrupt || e.code() == esdb::Errc::unsupported) << e.what();
      EXPECT_LE(e.offset(), bytes.size()) << e.what();
      for (const char* phrase : {"CRC32C", "points at no event", "Snappy", "does not follow", "table"}) {
        if (e.detail().find(phrase) != std::string::npos) o.messages[phrase]++;
      }
      std::filesystem::remove(out);  // a good import of an earlier case
      // The report names the damage too, without throwing.
      const esdb::GoFileReport r = esdb::inspect_goesdb(in);
      EXPECT_FALSE(r.problems.empty());
      return;
    }
    const auto got = histories(out);
    ASSERT_EQ(got.size(), truth_.size());
    uint64_t differ = 0;
    for (const auto& [key, h] : truth_) differ += got.count(key) == 0 || got.at(key) != h;
    EXPECT_LE(differ, 1u);
    (differ == 0 ? o.clean : o.one_key_differs)++;
  }

 private:
  TempDir dir_;
  std::string original_;
  std::map<std::string, std::vector<std::string>> truth_;
};

TEST(GoEsdbCorruption, EveryBitFlipOfActivity) {
  Damage d("activity.esdb");
  Outcome o;
  // One bit per byte, the bit moving along (3 is coprime to 8): every bit
  // position is hit across the file at half the cost of two per byte.
  for (size_t i = 0; i < d.original().size(); i++) {
    const int bit = static_cast<int>(i * 3 % 8);
    std::string b = d.original();
    b[i] = static_cast<char>(b[i] ^ (1 << bit));
    d.check(b, "flip bit " + std::to_string(bit) + " of byte " + std::to_string(i), o);
  }
  // The checks that matter are reached: table checksums, Snappy blocks that
  // do not decode, index entries that hit no record. (Section and space
  // tiling sit behind the checksummed tables; fuzz_import reaches them.)
  EXPECT_GT(o.messages["CRC32C"], 0u);
  EXPECT_GT(o.messages["Snappy"], 0u);
  EXPECT_GT(o.messages["points at no event"], 0u);
  EXPECT_GT(o.errors, o.clean);
}

TEST(GoEsdbCorruption, EveryTruncationOfActivity) {
  Damage d("activity.esdb");
  Outcome o;
  for (size_t n = 0; n < d.original().size(); n++) d.check(d.original().substr(0, n), "first " + std::to_string(n) + " bytes", o);
  EXPECT_EQ(o.errors, d.original().size());
}

TEST(GoEsdbCorruption, SampledFlipsAndTruncationsOfEdge) {
  Damage d("edge.esdb");
  Outcome o;
  std::mt19937_64 rng(15);
  for (int i = 0; i < 60; i++) {
    const size_t at = rng() % d.original().size();
    std::string b = d.original();
    b[at] = static_cast<char>(b[at] ^ (1 << (rng() % 8)));
    d.check(b, "flip in byte " + std::to_string(at), o);
  }
  for (int i = 0; i < 10; i++) {
    const size_t n = rng() % d.original().size();
    d.check(d.original().substr(0, n), "first " + std::to_string(n) + " bytes", o);
  }
  EXPECT_GT(o.errors, 0u);
}

// activity.esdb with space `n` (1..3) of its file index moved to (offset,
// length), the block's CRC32C recomputed: a hostile file whose checksums all
// hold. The file index (153 bytes before the final fixed64) starts with its
// one data block: three 20-byte entries (3 length bytes, the key "1".."3",
// offset and length as fixed64), a one-restart array and its count (68
// bytes), then the type byte and the masked CRC32C of block and type.
std::string with_space(int n, uint64_t offset, uint64_t length) {
  std::string b = read_file(path_of("activity.esdb"));
  const size_t table = b.size() - 8 - 153;
  EXPECT_EQ(b.substr(table + 20 * (n - 1), 4), std::string("\0\1\x10", 3) + char('0' + n));
  std::memcpy(&b[table + 20 * (n - 1) + 4], &offset, 8);
  std::memcpy(&b[table + 20 * (n - 1) + 12], &length, 8);
  boost::crc_optimal<32, 0x1EDC6F41, 0xFFFFFFFF, 0xFFFFFFFF, true, true> crc;
  crc.process_bytes(b.data() + table, 69);
  const uint32_t c = crc.checksum(), masked = ((c >> 15) | (c << 17)) + 0xa282ead8u;
  std::memcpy(&b[table + 69], &masked, 4);
  return b;
}

TEST(GoEsdbCorruption, HostileSpaceBoundsWithValidChecksums) {
  TempDir dir;
  const std::string in = dir.path("hostile.goesdb"), out = dir.path("out.esdb");
  // Unchanged (the test's own bytes are right): imports.
  write_file(in, with_space(1, 0, 464));
  EXPECT_NO_THROW(esdb::import_goesdb({in}, out));
  std::filesystem::remove(out);
  const struct {
    int space;
    uint64_t offset, length;
  } lies[] = {
      {1, 0, 465},                      // overlaps space 2
      {1, 0, 463},                      // leaves a gap
      {2, 464, ~uint64_t{0} - 100},     // reaches far past the file
      {3, uint64_t{1} << 62, 435},      // starts past the file
      {3, 784, 0},                      // empty
      {1, 1, 463},                      // does not start where the file does
  };
  for (const auto& lie : lies) {
    SCOPED_TRACE(std::to_string(lie.space) + " at " + std::to_string(lie.offset) + " +" + std::to_string(lie.length));
    write_file(in, with_space(lie.space, lie.offset, lie.length));
    try {
      esdb::import_goesdb({in}, out);
      ADD_FAILURE() << "no error";
    } catch (const esdb::Error& e) {
      EXPECT_EQ(e.code(), esdb::Errc::corrupt) << e.what();
      EXPECT_EQ(e.path(), in);
      EXPECT_LT(e.offset(), 1380u) << e.what();
      EXPECT_NE(e.detail().find("space"), std::string::npos) << e.what();
    }
    EXPECT_FALSE(std::filesystem::exists(out));
  }
}

}  // namespace
