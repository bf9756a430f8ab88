// esdb merge OUT IN...: one file with the events of all inputs, written by
// the library's esdb::merge. The inputs' keys are already sorted, so it
// streams every key's merged scan straight into the output: memory stays
// small however large the inputs are, and equal (group, timestamp) keep the
// order of the inputs on the command line.
#include "cli_error.h"
#include "compression_flag.h"
#include "commands.h"
#include "esdb/esdb.h"
#include "file_args.h"
#include "memory_flag.h"
#include "progress.h"

namespace esdb::cli {

Command add_merge_command(CLI::App& app) {
  struct Args {
    std::string out;
    std::vector<std::string> inputs;
    bool force = false, quiet = false, dedupe = false;
    std::string memory = "64M";
    CompressionFlags compression;
  };
  auto a = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("merge", "Merge esdb files into one");
  cmd->add_option("OUT", a->out, "The file to create")->required();
  cmd->add_option("IN", a->inputs, "The files to merge, or quoted glob patterns (expanded sorted)")->required();
  cmd->add_flag("--dedupe", a->dedupe,
                "Keep one of events identical in key, group, time and data (the first input's, "
                "with its index entries)");
  cmd->add_flag("--force", a->force, "Replace OUT if it exists");
  add_compression_options(*cmd, a->compression);
  cmd->add_flag("-q,--quiet", a->quiet, "No progress or summary on stderr");
  add_memory_option(*cmd, a->memory,
                    "With --dedupe, the most distinct data of one key and time held to compare: "
                    "512K, 256M, 1G (a plain number is MiB). Merge streams its sorted inputs with "
                    "no sort buffer, so nothing else grows with them");
  cmd->footer(
      "Within a key, events are ordered by group and timestamp; equal timestamps keep\n"
      "the order of the inputs on the command line. Index entries are carried over;\n"
      "covering copies (--cover) are made only as OUT's own flags ask.\n"
      "Every input is opened before OUT is created; nothing appears at OUT on failure.\n\n"
      "Examples:\n"
      "  esdb merge 2014.esdb 2014-h1.esdb 2014-h2.esdb\n"
      "  esdb merge --dedupe week.esdb 'days/2014-06-2?.esdb'");
  return {cmd, [a] {
            const std::vector<std::string> inputs = expand_file_args(a->inputs);
            WriterOptions options;
            options.overwrite = a->force;
            options.memory_budget = memory_bytes(a->memory);
            apply_compression(a->compression, options);
            MergeOptions merge_options;
            merge_options.dedupe = a->dedupe;
            Progress progress(a->quiet);
            uint64_t events = 0, bytes = 0;
            merge_options.progress = [&](uint64_t e, uint64_t b) {
              progress.show(events = e, bytes = b);
            };
            FileStats stats;
            try {
              stats = merge(inputs, a->out, options, merge_options);
            } catch (const Error& e) {
              if (e.code() != Errc::exists) throw;
              throw input_error(a->out + ": exists; pass --force to replace it");
            }
            progress.finish(events, bytes);
            progress.summary(a->out, stats);
            return kExitOk;
          }};
}

}  // namespace esdb::cli
