// esdb ingest, seal, tail and get over an archive directory, run as separate
// processes: the same lines `get` prints from a file built with `esdb build`,
// a clean stop on SIGTERM with everything appended flushed, and one ingest
// per directory.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "esdb/archive.h"
#include "test_util.h"
#include "tool_process.h"

namespace esdb::test {
namespace {

using Result = ToolResult;

Result run(const std::vector<std::string>& args) {
  TempDir io;
  return run_tool(args, io);
}

std::string events_jsonl() {
  std::string s;
  for (int i = 0; i < 60; i++) {
    s += "{\"customer\":\"c-" + std::to_string(i % 4) + "\",\"ts\":" + std::to_string(1000 + i % 9) +
         ",\"type\":\"" + (i % 3 ? "view" : "buy") + "\",\"n\":" + std::to_string(i) + "}\n";
  }
  return s;
}

TEST(IngestCli, IngestGetTailSealMatchBuild) {
  TempDir tmp;
  const std::string dir = tmp.path("archive");
  write_file(tmp.path("in.jsonl"), events_jsonl());
  const std::vector<std::string> fields = {"--key", "customer", "--time", "ts", "--index", "type"};
  std::vector<std::string> ingest = {"ingest", dir, tmp.path("in.jsonl"), "--roll-size", "1K", "-q"};
  ingest.insert(ingest.end(), fields.begin(), fields.end());
  Result r = run(ingest);
  ASSERT_EQ(r.code, 0) << r.err;
  std::vector<std::string> build = {"build", tmp.path("all.esdb"), tmp.path("in.jsonl"), "-q"};
  build.insert(build.end(), fields.begin(), fields.end());
  ASSERT_EQ(run(build).code, 0);
  EXPECT_GT(DirReader::open(dir).sealed_paths().size(), 1u);  // rolled
  for (const char* key : {"c-0", "c-3"}) {
    for (std::vector<std::string> extra : {std::vector<std::string>{}, {"--reverse"}, {"--index", "type=buy"}}) {
      std::vector<std::string> a = {"get", dir, key}, b = {"get", tmp.path("all.esdb"), key};
      a.insert(a.end(), extra.begin(), extra.end());
      b.insert(b.end(), extra.begin(), extra.end());
      Result from_dir = run(a), from_file = run(b);
      EXPECT_EQ(from_dir.code, 0) << from_dir.err;
      EXPECT_EQ(from_dir.out, from_file.out);
      EXPECT_FALSE(from_dir.out.empty());
    }
  }
  EXPECT_EQ(run({"get", dir, "nobody"}).code, 1);
  // keys and scan read the sealed files and the open log as one.
  for (std::vector<std::string> cmd :
       {std::vector<std::string>{"keys"}, {"keys", "--counts"}, {"scan"}, {"scan", "--reverse", "--format", "json"},
        {"scan", "--index", "type=buy"}, {"scan", "--limit", "7"}}) {
    std::vector<std::string> a = cmd, b = cmd;
    a.insert(a.begin() + 1, dir);
    b.insert(b.begin() + 1, tmp.path("all.esdb"));
    Result from_dir = run(a), from_file = run(b);
    EXPECT_EQ(from_dir.code, 0) << from_dir.err;
    EXPECT_EQ(from_dir.out, from_file.out) << cmd[0];
    EXPECT_FALSE(from_dir.out.empty());
  }
  // tail: the records of the open log, each with its offsets.
  const size_t in_log = DirReader::open(dir).logs().back().event_count();
  r = run({"tail", dir});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(static_cast<size_t>(std::count(r.out.begin(), r.out.end(), '\n')), in_log);
  if (in_log > 0) {
    EXPECT_NE(r.out.find("\"offset\":16,"), std::string::npos) << r.out;
  }
  r = run({"seal", dir});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(run({"get", dir, "c-1"}).out, run({"get", tmp.path("all.esdb"), "c-1"}).out);
  EXPECT_EQ(run({"tail", dir}).out, "");
}

TEST(IngestCli, SigtermFlushesAndExitsAndOneIngestPerDir) {
  TempDir tmp, io;
  const std::string dir = tmp.path("archive");
  int p[2];
  ASSERT_EQ(::pipe(p), 0);
  const pid_t pid = spawn_tool({"ingest", dir, "--key", "customer", "--time", "ts", "-q"}, io, p[0]);
  ::close(p[0]);
  const std::string lines = events_jsonl().substr(0, 200);
  ASSERT_EQ(::write(p[1], lines.data(), lines.size()), static_cast<ssize_t>(lines.size()));
  const size_t want = static_cast<size_t>(std::count(lines.begin(), lines.end(), '\n'));
  // The lines are readable while ingest runs; wait (boundedly) for them.
  size_t seen = 0;
  for (int i = 0; i < 200 && seen < want; i++) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    try {
      DirReader r = DirReader::open(dir);
      seen = r.logs().empty() ? 0 : r.logs().back().event_count();
    } catch (const Error&) {
    }
  }
  ASSERT_EQ(seen, want);
  Result second = run({"ingest", dir, "--key", "customer", "--time", "ts", "-q"});
  EXPECT_EQ(second.code, 2);
  EXPECT_NE(second.err.find("locked"), std::string::npos) << second.err;
  ::kill(pid, SIGTERM);  // the pipe stays open: only the signal ends it
  Result r = wait_tool(pid, io);
  ::close(p[1]);
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(Log::open_read(DirReader::open(dir).logs().back().path()).event_count(), want);
}

}  // namespace
}  // namespace esdb::test
