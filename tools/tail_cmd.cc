// esdb tail DIR: the records of an archive directory's open log, one JSON
// line each, from --from OFFSET; --follow keeps printing new records as
// they are flushed and goes on into the next log when the log rolls.
//
//   {"log":"00000000000000000001.log","offset":16,"end":93,<the get --format json envelope>}
//
// A consumer that stops can resume with --from END of the last line it
// handled (in the same log).
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "cli_error.h"
#include "commands.h"
#include "esdb/archive.h"
#include "json_out.h"

namespace esdb::cli {
namespace {

volatile sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

std::string base_name(const std::string& p) { return p.substr(p.rfind('/') + 1); }

// The newest log of `dir` (the one being appended to), if any.
std::optional<Log> newest_log(const std::string& dir) {
  DirReader r = DirReader::open(dir);
  if (r.logs().empty()) return std::nullopt;
  return Log::open_read(r.logs().back().path());
}

}  // namespace

Command add_tail_command(CLI::App& app) {
  struct Args {
    std::string dir;
    uint64_t from = 0;
    bool follow = false;
  };
  auto a = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("tail", "Print the records of an archive directory's open log");
  cmd->add_option("DIR", a->dir, "The archive directory")->required();
  cmd->add_option("--from", a->from, "Start at the first record at or after this offset of the log");
  cmd->add_flag("-f,--follow", a->follow, "Keep printing records as they are flushed (stop with Ctrl-C)");
  cmd->footer(
      "Examples:\n"
      "  esdb tail archive/\n"
      "  esdb tail archive/ --from 4096 --follow");
  return {cmd, [a] {
            if (!is_archive_dir(a->dir)) throw input_error(a->dir + ": not a directory");
            struct sigaction sa {};
            sa.sa_handler = on_signal;
            if (a->follow) {
              ::sigaction(SIGTERM, &sa, nullptr);
              ::sigaction(SIGINT, &sa, nullptr);
            }
            std::optional<Log> log = newest_log(a->dir);
            uint64_t from = a->from;
            EnvelopeWriter envelope;
            std::string line;
            while (true) {
              if (log) {
                LogTail t = log->tail(from);
                const std::string name = base_name(log->path());
                while (t.next()) {
                  const LogEntry& e = t.entry();
                  Event ev{.key = e.key, .group = e.group, .timestamp = e.timestamp, .data = e.data,
                           .indexes = e.indexes};
                  line = "{\"log\":\"" + name + "\",\"offset\":" + std::to_string(e.offset) +
                         ",\"end\":" + std::to_string(e.end) + ",";
                  std::string env;
                  envelope.append(env, ev, !e.indexes.empty());
                  line.append(env, 1);
                  line.push_back('\n');
                  std::fwrite(line.data(), 1, line.size(), stdout);
                  from = e.end;
                }
                std::fflush(stdout);
              }
              if (!a->follow || g_stop) break;
              std::this_thread::sleep_for(std::chrono::milliseconds(200));
              if (g_stop) break;
              if (log && log->refresh() > 0) continue;
              // Rolled? Then the old log's last records were read above (it
              // was flushed before the seal) and the next one starts at its header.
              std::optional<Log> now = newest_log(a->dir);
              if (now && (!log || now->path() != log->path())) {
                if (log) log->refresh();
                if (log && log->end() > from) continue;
                log = std::move(now);
                from = 0;
              }
            }
            return kExitOk;
          }};
}

}  // namespace esdb::cli
