// esdb build OUT [INPUT...]: records from JSON lines, CSV or a dump into a
// new file. The Writer sorts and spills within its memory budget, so inputs
// of any size stream through; nothing appears at OUT unless every record was
// accepted (or skipped with --skip-bad) and finish() succeeded.
#include <cstdio>

#include "cli_error.h"
#include "compression_flag.h"
#include "commands.h"
#include "esdb/esdb.h"
#include "memory_flag.h"
#include "output_file.h"
#include "progress.h"
#include "batch_pipeline.h"
#include "record_reader.h"

namespace esdb::cli {
namespace {

struct BuildArgs {
  std::string out;
  std::vector<std::string> inputs;
  bool csv = false, from_dump = false, force = false, skip_bad = false, quiet = false;
  CompressionFlags compression;
  std::string key, time, group, time_unit = "s";
  std::vector<std::string> indexes;
  std::string memory = "64M";
  int threads = 0;  // 0: one per core
};

// How many skipped records are described one by one before only counting.
constexpr uint64_t kBadShown = 10;

int run_build(const BuildArgs& a) {
  if (a.csv && a.from_dump) throw input_error("--csv and --from-dump exclude each other");
  if (!a.from_dump && (a.key.empty() || a.time.empty())) {
    throw input_error("build needs --key FIELD and --time FIELD (or --from-dump)");
  }
  const FieldSpec spec{a.key, a.time, a.group, a.indexes, *parse_time_unit(a.time_unit)};
  const InputFormat format = a.from_dump ? InputFormat::dump : a.csv ? InputFormat::csv : InputFormat::json;
  const std::vector<std::string> inputs = a.inputs.empty() ? std::vector<std::string>{"-"} : a.inputs;

  // --threads 1 keeps everything on this thread; otherwise a second thread
  // parses (batch_pipeline.h) and the Writer compresses beside them.
  const bool threaded = a.threads != 1;
  Writer writer = create_output(a.out, a.force, memory_bytes(a.memory), a.compression,
                                a.threads == 0 ? -1 : a.threads - 1);

  Progress progress(a.quiet);
  EventInput event;
  uint64_t records = 0, bad = 0, bytes_done = 0;
  for_each_batch(inputs, format, spec, threaded, [&](const RecordBatch& batch) {
    for (const RecordBatch::Item& item : batch.items) {
      std::string error(item.error);
      if (error.empty()) {
        batch.to_event(item, event);
        try {
          writer.add(event);
        } catch (const Error& e) {
          if (e.code() != Errc::invalid_argument) throw;
          error = batch.name + ":" + std::to_string(item.line) + ": " + e.detail();
        }
      }
      if (!error.empty()) {
        if (!a.skip_bad) throw input_error(error);
        if (++bad <= kBadShown) std::fprintf(stderr, "esdb: skipped %s\n", error.c_str());
        continue;
      }
      progress.update(++records, batch.bytes_read);
    }
    bytes_done = batch.bytes_read;
  });
  const FileStats stats = writer.finish();
  progress.finish(records, bytes_done);
  if (bad > 0) {
    std::fprintf(stderr, "esdb: skipped %llu bad record%s, wrote %llu events to %s\n",
                 static_cast<unsigned long long>(bad), bad == 1 ? "" : "s",
                 static_cast<unsigned long long>(records), a.out.c_str());
  }
  progress.summary(a.out, stats);
  return kExitOk;
}

}  // namespace

Command add_build_command(CLI::App& app) {
  auto a = std::make_shared<BuildArgs>();
  CLI::App* cmd = app.add_subcommand("build", "Build a file from JSON lines, CSV, or a dump");
  cmd->add_option("OUT", a->out, "The file to create")->required();
  cmd->add_option("INPUT", a->inputs, "Inputs; '-' or none reads standard input; .gz .bz2 .zst are decompressed");
  cmd->add_option("--key", a->key, "Field holding the key (required unless --from-dump)")->type_name("FIELD");
  cmd->add_option("--time", a->time, "Field holding the timestamp (required unless --from-dump)")->type_name("FIELD");
  cmd->add_option("--group", a->group, "Field holding the event's group")->type_name("FIELD");
  cmd->add_option("--index", a->indexes, "Index each event under (FIELD, value); repeatable")->type_name("FIELD");
  cmd->add_option("--time-unit", a->time_unit, "What integer times mean; RFC 3339 times are converted to it")
      ->check(CLI::IsMember({"s", "ms", "us", "ns"}))
      ->capture_default_str();
  cmd->add_flag("--csv", a->csv, "Inputs are CSV with a header row");
  cmd->add_flag("--from-dump", a->from_dump, "Inputs are `esdb dump` output");
  cmd->add_flag("--force", a->force, "Replace OUT if it exists");
  add_compression_options(*cmd, a->compression);
  cmd->add_flag("--skip-bad", a->skip_bad, "Skip malformed records, count them and go on");
  cmd->add_option("--threads", a->threads,
                  "Threads to parse, sort and compress with; 1 does all on one thread, 0 uses every core. "
                  "The file's bytes are the same whatever the number")
      ->check(CLI::Range(0, 1024))
      ->capture_default_str();
  cmd->add_flag("-q,--quiet", a->quiet, "No progress or summary on stderr");
  add_memory_option(*cmd, a->memory,
                    "Buffer this much event data before spilling sorted runs to temporary files: "
                    "512K, 256M, 1G (a plain number is MiB; under 1M counts as 1M)");
  cmd->footer(
      "Each JSON line is one object; its key, group and index fields may be strings,\n"
      "numbers or booleans, and an array index value indexes every element. Times are\n"
      "integers stored as given (in --time-unit) or RFC 3339 strings converted to that\n"
      "unit. The stored data is the record itself: the JSON object as given, or the\n"
      "CSV row as a JSON object of strings. A malformed record stops the build with\n"
      "`FILE:LINE: what is wrong`, exit code 2 and no output file, unless --skip-bad.\n\n"
      "Examples:\n"
      "  esdb build activity.esdb events.jsonl.gz --key customer --time ts --index type\n"
      "  esdb build activity.esdb --csv --key customer --time ts --time-unit ms < events.csv\n"
      "  esdb build big.esdb huge.jsonl.zst --key customer --time ts --memory 2G\n"
      "  esdb build activity.esdb events.jsonl --key customer --time ts --index type --cover type\n"
      "  esdb dump old.esdb | esdb build new.esdb --from-dump");
  return {cmd, [a] { return run_build(*a); }};
}

}  // namespace esdb::cli
