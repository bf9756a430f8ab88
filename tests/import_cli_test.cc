// `esdb import`, run as a separate process on the Go ESDB fixtures in
// tests/goesdb/ and checked for output, exit codes and what it leaves behind.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "test_util.h"
#include "tool_process.h"

namespace {

using esdb::test::read_file;
using esdb::test::TempDir;
using esdb::test::write_file;

using Result = esdb::test::ToolResult;

std::string go_fixture(const std::string& name) { return std::string(ESDB_TEST_DATA_DIR) + "/goesdb/" + name; }

class ImportCliTest : public ::testing::Test {
 protected:
  Result run(const std::vector<std::string>& args) { return esdb::test::run_tool(args, io_); }
  std::string path(const std::string& name) const { return dir_.path(name); }

  // activity.esdb with one bit of its file index table flipped (the table
  // sits just before the file's final 8 bytes; its checksum covers it).
  std::string damaged_activity() {
    std::string b = read_file(go_fixture("activity.esdb"));
    b[b.size() - 8 - 48 - 10] ^= 0x10;
    write_file(path("damaged.goesdb"), b);
    return path("damaged.goesdb");
  }

  TempDir dir_, io_;
};

// Customer "1" of activity.jsonl as `esdb get` must print it: the Go writer
// stored it newest first (ties in input order); import reverses that.
std::string customer_1_oldest_first() {
  std::ifstream in(go_fixture("activity.jsonl"));
  std::vector<std::pair<int64_t, std::string>> evs;
  for (std::string line; std::getline(in, line);) {
    const auto j = nlohmann::json::parse(line);
    if (j.at("customer") == "1") evs.emplace_back(j.at("time").get<int64_t>(), line);
  }
  std::stable_sort(evs.begin(), evs.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  std::reverse(evs.begin(), evs.end());
  std::string s;
  for (const auto& e : evs) s += e.second + "\n";
  return s;
}

TEST_F(ImportCliTest, ImportsAndGetPrintsOldestFirst) {
  const Result r = run({"import", path("a.esdb"), go_fixture("activity.esdb")});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("imported 15 events of 3 keys from 1 file into " + path("a.esdb")), std::string::npos) << r.err;
  EXPECT_EQ(run({"get", path("a.esdb"), "1"}).out, customer_1_oldest_first());
  EXPECT_EQ(run({"verify", path("a.esdb")}).code, 0);
}

TEST_F(ImportCliTest, QuietPrintsNothing) {
  const Result r = run({"import", "-q", "--memory", "1M", path("a.esdb"), go_fixture("activity.esdb")});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err, "");
}

TEST_F(ImportCliTest, ExistingOutputNeedsForce) {
  write_file(path("a.esdb"), "keep");
  const Result r = run({"import", path("a.esdb"), go_fixture("activity.esdb")});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("exists; pass --force"), std::string::npos) << r.err;
  EXPECT_EQ(read_file(path("a.esdb")), "keep");
  EXPECT_EQ(run({"import", "--force", "-q", path("a.esdb"), go_fixture("activity.esdb")}).code, 0);
}

TEST_F(ImportCliTest, NeedsAnInput) {
  const Result r = run({"import", path("a.esdb")});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("at least one Go ESDB file"), std::string::npos) << r.err;
}

TEST_F(ImportCliTest, DamagedInputNamesFileAndOffsetAndWritesNothing) {
  const std::string bad = damaged_activity();
  const Result r = run({"import", path("a.esdb"), bad});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err.rfind("esdb: " + bad + ": offset ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find("CRC32C"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(path("a.esdb")));
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir_.dir()), {}), 1);  // no temporary left
}

TEST_F(ImportCliTest, VerifyOnlyReportsAndWritesNothing) {
  const Result r = run({"import", "--verify-only", go_fixture("activity.esdb"), go_fixture("edge.esdb")});
  EXPECT_EQ(r.code, 0) << r.err;
  // Counts from activity.jsonl: 3 customers, 9 (customer, type) pairs, 1125 bytes of lines.
  const std::string first = go_fixture("activity.esdb") +
                            ": 3 spaces, 15 events, 3 groupings, 9 index sections, 15 index entries, "
                            "1125 data bytes, 0 damaged spaces\n";
  EXPECT_EQ(r.out.substr(0, first.size()), first);
  // edge.jsonl: 12,000 lines of 4 users over 2 channels each.
  EXPECT_EQ(r.out.substr(first.size()).rfind(go_fixture("edge.esdb") + ": 4 spaces, 12000 events, 8 groupings, ", 0), 0u)
      << r.out;
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir_.dir()), {}), 0);
}

TEST_F(ImportCliTest, VerifyOnlyDamagedExitsOne) {
  const std::string bad = damaged_activity();
  const Result r = run({"import", "--verify-only", bad});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find(bad + ": offset "), std::string::npos) << r.out;
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir_.dir()), {}), 1);
}

}  // namespace
