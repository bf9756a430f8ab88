// The CLI against s3rver: `esdb build s3://...`, then the issue's
// `esdb get 's3://bucket/day-*.esdb' c-1 --reverse` (the pattern listed,
// the objects read remotely), merge to s3://, and the errors users meet.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "remote/servers.h"
#include "test_util.h"

extern char** environ;

namespace esdb::test {
namespace {

struct ToolResult {
  int code;
  std::string out, err;
};

class S3Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    if (auto why = S3Server::missing()) GTEST_SKIP() << *why;
    s3_ = std::make_unique<S3Server>(std::vector<std::string>{"bucket"});
    s3_->export_environment();
    setenv("TMPDIR", tmp_.dir().c_str(), 1);
    // The fixture's events split in two days, so a lookup merges two files.
    std::ifstream in(std::string(ESDB_TEST_DATA_DIR) + "/fixtures/events.jsonl");
    std::ofstream day1(dir_.path("day-1.jsonl")), day2(dir_.path("day-2.jsonl"));
    int n = 0;
    for (std::string line; std::getline(in, line); ++n) (n % 2 ? day2 : day1) << line << "\n";
  }
  void TearDown() override { unsetenv("TMPDIR"); }

  ToolResult esdb(const std::vector<std::string>& args) {
    const std::string out = io_.path("stdout"), err = io_.path("stderr");
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    std::vector<char*> argv{const_cast<char*>(ESDB_TOOL_PATH)};
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    pid_t pid;
    const int rc = posix_spawn(&pid, ESDB_TOOL_PATH, &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    EXPECT_EQ(rc, 0);
    int status = 0;
    waitpid(pid, &status, 0);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), read_file(out), read_file(err)};
  }

  ToolResult build(const std::string& out, const std::string& day, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"build", out, dir_.path(day + ".jsonl"), "--key", "customer", "--time", "ts",
                                  "--group", "channel"};
    args.insert(args.end(), extra.begin(), extra.end());
    return esdb(args);
  }

  std::unique_ptr<S3Server> s3_;
  TempDir dir_, io_, tmp_;
};

TEST_F(S3Cli, BuildThenGetAcrossAPatternReadsWhatLocalFilesGive) {
  for (const char* day : {"day-1", "day-2"}) {
    const ToolResult r = build("s3://bucket/" + std::string(day) + ".esdb", day);
    ASSERT_EQ(r.code, 0) << r.err;
    ASSERT_EQ(build(dir_.path(std::string(day) + ".esdb"), day).code, 0);
  }
  ASSERT_EQ(build("s3://bucket/other.esdb", "day-1").code, 0);  // not matched by day-*
  EXPECT_EQ(s3_->objects("bucket"), (std::vector<std::string>{"day-1.esdb", "day-2.esdb", "other.esdb"}));

  const ToolResult local =
      esdb({"get", dir_.path("day-1.esdb"), dir_.path("day-2.esdb"), "c-1", "--reverse", "--format", "json"});
  ASSERT_EQ(local.code, 0) << local.err;
  ASSERT_NE(local.out, "");
  const ToolResult remote = esdb({"get", "s3://bucket/day-*.esdb", "c-1", "--reverse", "--format", "json"});
  EXPECT_EQ(remote.code, 0) << remote.err;
  EXPECT_EQ(remote.out, local.out);
  // Both days' c-1 events, as many as the fixture has, newest first.
  size_t expected = 0;
  std::ifstream fixture(std::string(ESDB_TEST_DATA_DIR) + "/fixtures/events.jsonl");
  for (std::string line; std::getline(fixture, line);) expected += line.find("\"customer\":\"c-1\"") != std::string::npos;
  std::istringstream lines(remote.out);
  std::vector<int64_t> times;
  for (std::string line; std::getline(lines, line);) {
    const size_t at = line.find("\"time\":");
    ASSERT_NE(at, std::string::npos) << line;
    times.push_back(std::stoll(line.substr(at + 7)));
  }
  EXPECT_EQ(times.size(), expected);
  EXPECT_TRUE(std::is_sorted(times.rbegin(), times.rend()));
  EXPECT_TRUE(std::filesystem::is_empty(tmp_.dir()));
}

TEST_F(S3Cli, MergeToS3ThenGetFromTheMergedObject) {
  ASSERT_EQ(build("s3://bucket/day-1.esdb", "day-1").code, 0);
  ASSERT_EQ(build("s3://bucket/day-2.esdb", "day-2").code, 0);
  const ToolResult merge = esdb({"merge", "s3://bucket/week.esdb", "s3://bucket/day-*.esdb"});
  ASSERT_EQ(merge.code, 0) << merge.err;
  const ToolResult parts = esdb({"get", "s3://bucket/day-*.esdb", "c-1"});
  const ToolResult merged = esdb({"get", "s3://bucket/week.esdb", "c-1"});
  EXPECT_EQ(merged.code, 0) << merged.err;
  EXPECT_NE(merged.out, "");
  EXPECT_EQ(merged.out, parts.out);
}

TEST_F(S3Cli, ExistingObjectNeedsForce) {
  ASSERT_EQ(build("s3://bucket/day-1.esdb", "day-1").code, 0);
  ToolResult r = build("s3://bucket/day-1.esdb", "day-2");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("s3://bucket/day-1.esdb: exists; pass --force"), std::string::npos) << r.err;
  r = build("s3://bucket/day-1.esdb", "day-2", {"--force"});
  EXPECT_EQ(r.code, 0) << r.err;
}

TEST_F(S3Cli, PatternMatchingNothingAndWrongCredentialsAreClearErrors) {
  ASSERT_EQ(build("s3://bucket/day-1.esdb", "day-1").code, 0);
  ToolResult r = esdb({"get", "s3://bucket/week-*.esdb", "c-1"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("s3://bucket/week-*.esdb: no object matches this pattern"), std::string::npos) << r.err;

  setenv("AWS_SECRET_ACCESS_KEY", "wrong", 1);
  r = esdb({"get", "s3://bucket/day-*.esdb", "c-1"});
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.err.find("s3://bucket/day-*.esdb"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("SignatureDoesNotMatch"), std::string::npos) << r.err;
  r = build("s3://bucket/day-2.esdb", "day-2");
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.err.find("s3://bucket/day-2.esdb"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("403"), std::string::npos) << r.err;
  s3_->export_environment();
  EXPECT_EQ(s3_->objects("bucket"), std::vector<std::string>{"day-1.esdb"});
  EXPECT_TRUE(std::filesystem::is_empty(tmp_.dir()));
}

}  // namespace
}  // namespace esdb::test
