// Runs the esdb command-line tool as a separate process, as a user would:
// standard output and error go to files in a directory the test owns.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "test_util.h"

namespace esdb::test {

struct ToolResult {
  int code;  // exit code, or 128 + signal if the tool died
  std::string out, err;
};

// Starts the tool with `args`; standard input from `in_fd` when it is >= 0,
// else from the file `stdin_path`; output to io.path("out") and ("err").
pid_t spawn_tool(const std::vector<std::string>& args, const TempDir& io, int in_fd = -1,
                 const std::string& stdin_path = "/dev/null");
// Waits for a tool started by spawn_tool and collects what it printed.
ToolResult wait_tool(pid_t pid, const TempDir& io);
// spawn_tool then wait_tool.
ToolResult run_tool(const std::vector<std::string>& args, const TempDir& io,
                    const std::string& stdin_path = "/dev/null");

}  // namespace esdb::test
