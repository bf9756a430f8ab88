// esdb ingest DIR [INPUT]: JSON lines appended to an archive directory as
// they arrive. Whatever one read(2) brings is appended and then flushed
// (group commit), so a line is durable soon after it arrives and never
// waits for more input; the log rolls into sealed files by --roll-size and
// --roll-age. SIGTERM or SIGINT: flush, release the directory, exit 0.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "cli_error.h"
#include "commands.h"
#include "esdb/archive.h"
#include "memory_flag.h"
#include "progress.h"
#include "record_parser.h"
#include "time_parse.h"

namespace esdb::cli {
namespace {

volatile sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

struct IngestArgs {
  std::string dir, input = "-";
  std::string key, time, group, time_unit = "s";
  std::vector<std::string> indexes;
  std::string roll_size;
  double roll_age = 0;
  std::string durability = "flush";
  bool skip_bad = false, quiet = false;
};

int run_ingest(const IngestArgs& a) {
  if (a.key.empty() || a.time.empty()) throw input_error("ingest needs --key FIELD and --time FIELD");
  ArchiveOptions o;
  if (!a.roll_size.empty()) {
    std::string err;
    auto n = parse_memory_size(a.roll_size, err);
    if (!n) throw input_error("--roll-size: " + err);
    o.roll_size = *n;
  }
  o.roll_age = std::chrono::milliseconds(static_cast<int64_t>(a.roll_age * 1000));
  o.log.durability = a.durability == "append" ? Durability::every_append : Durability::on_flush;
  JsonRecordParser parser(FieldSpec{a.key, a.time, a.group, a.indexes, *parse_time_unit(a.time_unit)});

  int fd = a.input == "-" ? 0 : ::open(a.input.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw input_error(a.input + ": " + std::strerror(errno));
  struct sigaction sa {};
  sa.sa_handler = on_signal;  // no SA_RESTART: poll(2) returns EINTR and the loop sees the flag
  ::sigaction(SIGTERM, &sa, nullptr);
  ::sigaction(SIGINT, &sa, nullptr);

  Archive archive = Archive::open(a.dir, o);
  for (const std::string& n : archive.notes()) std::fprintf(stderr, "esdb: %s\n", n.c_str());
  Progress progress(a.quiet);
  Record record;
  EventInput event;
  std::string buf, error;
  std::vector<char> chunk(1 << 16);
  uint64_t records = 0, bad = 0, bytes = 0, line = 0;
  bool eof = false;
  while (!eof && !g_stop) {
    pollfd p{fd, POLLIN, 0};
    int r = ::poll(&p, 1, 200);
    if (r < 0 && errno != EINTR) throw input_error(a.input + ": poll: " + std::strerror(errno));
    if (r <= 0) {
      archive.roll_if_due();
      continue;
    }
    ssize_t n = ::read(fd, chunk.data(), chunk.size());
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      throw input_error(a.input + ": read: " + std::strerror(errno));
    }
    if (n == 0) {
      eof = true;
      if (!buf.empty()) buf.push_back('\n');  // a last line without its newline
    }
    bytes += static_cast<uint64_t>(n);
    buf.append(chunk.data(), static_cast<size_t>(n));
    size_t start = 0, nl;
    while ((nl = buf.find('\n', start)) != std::string::npos) {
      std::string_view text(buf.data() + start, nl - start);
      start = nl + 1;
      line++;
      if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
      if (text.find_first_not_of(" \t") == std::string_view::npos) continue;
      record.clear();
      error.clear();
      if (parser.parse(text, record, error)) {
        record.to_event(event);
        try {
          archive.append(event);
          progress.update(++records, bytes);
          continue;
        } catch (const Error& e) {
          if (e.code() != Errc::invalid_argument) throw;
          error = e.detail();
        }
      }
      error = a.input + ":" + std::to_string(line) + ": " + error;
      if (!a.skip_bad) {
        archive.flush();  // what came before the bad line stays
        throw input_error(error);
      }
      if (++bad <= 10) std::fprintf(stderr, "esdb: skipped %s\n", error.c_str());
    }
    buf.erase(0, start);
    if (buf.size() > (64u << 20)) throw input_error(a.input + ":" + std::to_string(line + 1) + ": line too long");
    archive.flush();
  }
  archive.flush();
  archive.close();
  progress.finish(records, bytes);
  if (!a.quiet) {
    std::fprintf(stderr, "esdb: appended %llu events to %s%s\n", static_cast<unsigned long long>(records),
                 a.dir.c_str(), g_stop ? " (stopped by a signal; everything appended is flushed)" : "");
  }
  if (fd != 0) ::close(fd);
  return kExitOk;
}

}  // namespace

Command add_ingest_command(CLI::App& app) {
  auto a = std::make_shared<IngestArgs>();
  CLI::App* cmd = app.add_subcommand("ingest", "Append JSON lines to an archive directory as they arrive");
  cmd->add_option("DIR", a->dir, "The archive directory (created if missing)")->required();
  cmd->add_option("INPUT", a->input, "A file or pipe of JSON lines; '-' or none reads standard input");
  cmd->add_option("--key", a->key, "Field holding the key (required)")->type_name("FIELD");
  cmd->add_option("--time", a->time, "Field holding the timestamp (required)")->type_name("FIELD");
  cmd->add_option("--group", a->group, "Field holding the event's group")->type_name("FIELD");
  cmd->add_option("--index", a->indexes, "Index each event under (FIELD, value); repeatable")->type_name("FIELD");
  cmd->add_option("--time-unit", a->time_unit, "What integer times mean; RFC 3339 times are converted to it")
      ->check(CLI::IsMember({"s", "ms", "us", "ns"}))
      ->capture_default_str();
  cmd->add_option("--roll-size", a->roll_size, "Seal the log into an esdb file once it reaches SIZE (64M, 512K)")
      ->type_name("SIZE");
  cmd->add_option("--roll-age", a->roll_age, "Seal the log SECONDS after its first event")->type_name("SECONDS");
  cmd->add_option("--durability", a->durability,
                  "flush: fsync once per read of input (group commit); append: fsync every event")
      ->check(CLI::IsMember({"flush", "append"}))
      ->capture_default_str();
  cmd->add_flag("--skip-bad", a->skip_bad, "Skip malformed records, count them and go on");
  cmd->add_flag("-q,--quiet", a->quiet, "No progress or summary on stderr");
  cmd->footer(
      "Events are readable at once (`esdb get DIR KEY`, `esdb tail DIR`) and survive kill -9\n"
      "once flushed. The log is sealed into DIR/<seq>.esdb by --roll-size/--roll-age or by\n"
      "`esdb seal DIR`. Inputs are plain JSON lines (not compressed). One ingest per DIR.\n\n"
      "Examples:\n"
      "  tail -F events.jsonl | esdb ingest archive/ --key customer --time ts --index type --roll-size 64M\n"
      "  esdb ingest archive/ events.jsonl --key customer --time ts --roll-age 3600");
  return {cmd, [a] { return run_ingest(*a); }};
}

}  // namespace esdb::cli
