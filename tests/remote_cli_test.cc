// The CLI's reading commands take URLs: each prints for an http:// URL what
// it prints for the same file on disk (the path replaced by the URL).
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstdio>

#include "remote/servers.h"
#include "remote_fixture.h"
#include "test_util.h"

namespace esdb::test {
namespace {

struct ToolRun {
  int status;
  std::string out;
};

// Runs the tool with `args` (no shell-special characters in them) and
// captures stdout.
ToolRun esdb(const std::string& args) {
  std::string cmd = std::string(ESDB_TOOL_PATH) + " " + args + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  ToolRun r{-1, ""};
  if (!p) return r;
  char buf[65536];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) r.out.append(buf, n);
  int st = ::pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (size_t at = 0; (at = s.find(from, at)) != std::string::npos; at += to.size()) s.replace(at, from.size(), to);
  return s;
}

TEST(RemoteCli, ReadingCommandsTakeUrls) {
  if (auto why = NginxServer::missing()) GTEST_SKIP() << *why;
  TempDir dir;
  write_model(remote_model(3000), dir.path("a.esdb"));
  Model small;
  for (int i = 0; i < 30; i++) small.add({.key = "s-" + std::to_string(i % 7), .timestamp = i, .data = "{\"n\":1}"});
  write_model(small, dir.path("b.esdb"));
  NginxServer nginx(dir.dir());
  for (const std::string& name : {std::string("a.esdb"), std::string("b.esdb")}) {
    const std::string path = dir.path(name), url = nginx.url(name);
    std::vector<std::string> commands = {"keys F", "info F", "verify F"};
    if (name == "a.esdb") commands.insert(commands.end(), {"get F big --reverse --limit 5", "get F k-00010"});
    if (name == "b.esdb") commands.insert(commands.end(), {"get F s-3 --reverse", "scan F", "dump F"});
    for (const std::string& c : commands) {
      ToolRun local = esdb(replace_all(c, "F", path));
      ToolRun remote = esdb(replace_all(c, "F", url));
      EXPECT_EQ(local.status, 0) << c << "\n" << local.out;
      EXPECT_EQ(remote.status, local.status) << c << "\n" << remote.out;
      EXPECT_EQ(remote.out, replace_all(local.out, path, url)) << c;
      EXPECT_FALSE(local.out.empty()) << c;
    }
  }
  // Several URLs: one lookup across them.
  ToolRun local = esdb("get " + dir.path("a.esdb") + " " + dir.path("b.esdb") + " s-3");
  ToolRun remote = esdb("get " + nginx.url("a.esdb") + " " + nginx.url("b.esdb") + " s-3");
  EXPECT_EQ(remote.out, local.out);
  EXPECT_EQ(esdb("get " + nginx.url("a.esdb") + " no-such-key").status, esdb("get " + dir.path("a.esdb") + " no-such-key").status);
  ToolRun missing = esdb("get " + nginx.url("missing.esdb") + " k");
  EXPECT_NE(missing.status, 0);
  EXPECT_NE(missing.out.find(nginx.url("missing.esdb")), std::string::npos) << missing.out;
}

}  // namespace
}  // namespace esdb::test
