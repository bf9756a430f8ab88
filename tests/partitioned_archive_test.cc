// Partitioned archives (SPEC.md "Partitioned archives"): a directory of files
// with keys split by key_hash % N plus a manifest, read by MultiReader with one
// probe for a key, and rejected clearly when the manifest is wrong.
#include <gtest/gtest.h>

#include <filesystem>

#include "esdb/partitioned_archive.h"
#include "esdb/esdb.h"
#include "format/checksum.h"
#include "test_util.h"

namespace esdb::test {
namespace {

// Writes `m` as an archive of `n` files, splitting keys by the formula the
// SPEC gives (computed here from the format's hash, not by partition_of).
void write_archive(const Model& m, const std::string& dir, size_t n) {
  std::vector<Model> parts(n);
  for (const ModelEvent& e : m.in_order()) parts[format::key_hash(e.key) % n].add(e);
  Manifest manifest;
  for (size_t i = 0; i < n; i++) {
    manifest.files.push_back("part-" + std::to_string(i) + ".esdb");
    write_model(parts[i], dir + "/" + manifest.files.back());
  }
  write_manifest(dir, manifest);
}

Model sample() {
  Model m;
  for (int i = 0; i < 300; i++) {
    m.add({.key = "k" + std::to_string(i % 37), .timestamp = (i * 7919) % 1000 - 500,
           .data = "d" + std::to_string(i), .group = i % 5 == 0 ? "g" : ""});
  }
  return m;
}

TEST(PartitionedArchive, PartitionIsTheHashModulo) {
  for (std::string k : {"a", "customer-1", "\xff\x00"}) {
    EXPECT_EQ(key_hash(k), format::key_hash(k));
    EXPECT_EQ(partition_of(k, 7), format::key_hash(k) % 7);
  }
  EXPECT_THROW(partition_of("a", 0), Error);
}

TEST(PartitionedArchive, MultiReaderFindsEveryKeyInItsOwnFile) {
  TempDir t;
  const Model m = sample();
  write_archive(m, t.dir(), 4);
  ASSERT_TRUE(is_partitioned_archive(t.dir()));
  EXPECT_FALSE(is_partitioned_archive(t.path("part-0.esdb")));
  const MultiReader r = MultiReader::open({t.dir()});
  ASSERT_EQ(r.readers().size(), 4u);
  for (const auto& [key, events] : m.keys()) {
    auto k = r.find(key);
    ASSERT_TRUE(k) << key;
    ASSERT_EQ(k->parts().size(), 1u);
    EXPECT_EQ(k->parts()[0].file, format::key_hash(key) % 4);
    for (bool reverse : {false, true}) {
      ScanOptions o;
      o.reverse = reverse;
      EXPECT_EQ(collect(k->scan(o)), to_got(m.expect(key, o), false)) << key;
    }
  }
  EXPECT_FALSE(r.find("absent"));
  size_t listed = 0;
  for (const MultiKey& k : r.keys()) {
    EXPECT_EQ(k.event_count(), m.keys().at(std::string(k.name())).size());
    listed++;
  }
  EXPECT_EQ(listed, m.keys().size());
}

TEST(PartitionedArchive, ManifestRoundTripAndErrors) {
  TempDir t;
  write_manifest(t.dir(), {{"a.esdb", "b.esdb"}});
  EXPECT_EQ(read_manifest(t.dir()).files, (std::vector<std::string>{"a.esdb", "b.esdb"}));
  EXPECT_THROW(write_manifest(t.dir(), {{"../x.esdb"}}), Error);
  EXPECT_THROW(write_manifest(t.dir(), {}), Error);
  const std::string path = t.path(std::string(kManifestName));
  auto code_of = [&](const std::string& text) {
    write_file(path, text);
    try {
      read_manifest(t.dir());
    } catch (const Error& e) {
      EXPECT_EQ(e.path(), path);
      return e.code();
    }
    ADD_FAILURE() << "accepted: " << text;
    return Errc::io;
  };
  const std::string head = R"({"format":"esdb-partitioned-archive","partitioning":"xxh3_64_mod",)";
  EXPECT_EQ(code_of("not json"), Errc::corrupt);
  EXPECT_EQ(code_of("[]"), Errc::corrupt);
  EXPECT_EQ(code_of(head + R"("version":1,"files":[]})"), Errc::corrupt);
  EXPECT_EQ(code_of(head + R"("version":1,"files":["a/b"]})"), Errc::corrupt);
  EXPECT_EQ(code_of(head + R"("version":1,"files":[3]})"), Errc::corrupt);
  EXPECT_EQ(code_of(head + R"("version":"1","files":["a"]})"), Errc::corrupt);
  EXPECT_EQ(code_of(head + R"("version":2,"files":["a"]})"), Errc::unsupported);
  EXPECT_EQ(code_of(R"({"format":7,"version":1,"files":["a"]})"), Errc::corrupt);
  EXPECT_EQ(code_of(R"({"format":"esdb-partitioned-archive","partitioning":"other","version":1,"files":["a"]})"),
            Errc::unsupported);
  // A manifest naming a missing file fails on open, naming that file.
  write_manifest(t.dir(), {{"missing.esdb"}});
  try {
    MultiReader::open({t.dir()});
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::io);
    EXPECT_EQ(e.path(), t.path("missing.esdb"));
  }
}

#ifdef ESDB_TOOL_PATH
TEST(PartitionedArchive, CliGetReadsADirectory) {
  TempDir t;
  const Model m = sample();
  write_archive(m, t.dir(), 3);
  const std::string out = t.path("out.txt");
  const std::string cmd = std::string(ESDB_TOOL_PATH) + " get " + t.dir() + " k5 --format json > " + out;
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  const std::string text = read_file(out);
  EXPECT_EQ(static_cast<size_t>(std::count(text.begin(), text.end(), '\n')), m.keys().at("k5").size());
  EXPECT_NE(std::system((std::string(ESDB_TOOL_PATH) + " get " + t.dir() + " nope > /dev/null").c_str()), 0);
  const std::string keys_cmd = std::string(ESDB_TOOL_PATH) + " keys " + t.dir() + " > " + out;
  ASSERT_EQ(std::system(keys_cmd.c_str()), 0);
  const std::string keys = read_file(out);
  EXPECT_EQ(static_cast<size_t>(std::count(keys.begin(), keys.end(), '\n')), m.keys().size());
}
#endif

}  // namespace
}  // namespace esdb::test
