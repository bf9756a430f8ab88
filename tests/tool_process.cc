#include "tool_process.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>

extern char** environ;

namespace esdb::test {

#ifdef ESDB_TOOL_PATH
pid_t spawn_tool(const std::vector<std::string>& args, const TempDir& io, int in_fd,
                 const std::string& stdin_path) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  if (in_fd >= 0) {
    posix_spawn_file_actions_adddup2(&fa, in_fd, 0);
  } else {
    posix_spawn_file_actions_addopen(&fa, 0, stdin_path.c_str(), O_RDONLY, 0);
  }
  posix_spawn_file_actions_addopen(&fa, 1, io.path("out").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, io.path("err").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<char*> argv{const_cast<char*>(ESDB_TOOL_PATH)};
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = -1;
  EXPECT_EQ(posix_spawn(&pid, ESDB_TOOL_PATH, &fa, nullptr, argv.data(), environ), 0)
      << "cannot start " << ESDB_TOOL_PATH;
  posix_spawn_file_actions_destroy(&fa);
  return pid;
}
#else
pid_t spawn_tool(const std::vector<std::string>&, const TempDir&, int, const std::string&) {
  ADD_FAILURE() << "the esdb tool was not built (ESDB_BUILD_TOOLS=OFF)";
  return -1;
}
#endif

ToolResult wait_tool(pid_t pid, const TempDir& io) {
  int status = 0;
  if (pid < 0 || ::waitpid(pid, &status, 0) < 0) return {-1, "", "not started"};
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return {code, read_file(io.path("out")), read_file(io.path("err"))};
}

ToolResult run_tool(const std::vector<std::string>& args, const TempDir& io, const std::string& stdin_path) {
  return wait_tool(spawn_tool(args, io, -1, stdin_path), io);
}

}  // namespace esdb::test
