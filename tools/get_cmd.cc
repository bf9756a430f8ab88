// esdb get FILE... KEY: one key's events, found with a single hash probe per
// file, oldest first across groups (time_ordered_scan.h). Several files are
// read through MultiReader as one, their histories of the key merged as the
// events stream out.
#include "cli_error.h"
#include "commands.h"
#include "file_args.h"
#include "scan_flags.h"
#include "time_ordered_scan.h"

namespace esdb::cli {
namespace {

// KEY is filled by hand from the last positional (see below), so CLI11 thinks
// it optional; the usage line should still read `FILE... KEY`.
class GetFormatter : public CLI::Formatter {
 public:
  std::string make_option_usage(const CLI::Option* opt) const override {
    return opt->get_name() == "KEY" ? "KEY" : CLI::Formatter::make_option_usage(opt);
  }
};

}  // namespace

Command add_get_command(CLI::App& app) {
  struct Args {
    std::vector<std::string> files;  // then the key: CLI11 gives every positional to the vector
    std::string key;
    ScanFlags flags;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("get", "Print one key's events as lines, oldest first");
  cmd->add_option("FILE", args->files, "The esdb files, or quoted glob patterns (expanded sorted)")->required();
  // CLI11 gives every positional to the FILE vector (it cannot keep the last
  // one back while flags may follow), so KEY is never filled by it and is
  // taken off the end of `files` when the command runs.
  cmd->add_option("KEY", args->key, "The key: required, always the last argument");
  cmd->formatter(std::make_shared<GetFormatter>());
  args->flags.add_to(*cmd);
  cmd->footer(
      "A key that is in no file prints nothing and exits 1. With several files the key's\n"
      "events from all of them are merged as they stream out, by time; equal times come\n"
      "in group order, then in the order the files were given (all reversed by --reverse):\n"
      "the same lines `get` prints from the file `esdb merge` makes of those files.\n\n"
      "Examples:\n"
      "  esdb get activity.esdb customer-1\n"
      "  esdb get activity.esdb customer-1 --index type=purchase --reverse --limit 10\n"
      "  esdb get activity.esdb customer-1 --from 2014-06-01T00:00:00Z --format json\n"
      "  esdb get 'days/*.esdb' customer-1 --reverse");
  return {cmd, [args] {
            if (args->files.size() < 2) throw input_error("get: expected FILE... KEY, got no KEY");
            const std::string key_name = args->files.back();
            args->files.pop_back();
            const std::vector<std::string> files = expand_file_args(args->files);
            const ScanOptions options = args->flags.resolve();
            Output out;
            EventPrinter printer(out, args->flags);
            // `key` is a Key or a MultiKey.
            auto print = [&](const auto& key) {
              if (printer.done()) return;
              TimeOrderedScan scan(key, options);
              while (scan.next() && printer.print(scan.event())) {
              }
            };
            if (files.size() == 1 && is_ingest_dir(files[0])) {  // sealed files + open log
              const DirReader reader = DirReader::open(files[0]);
              const std::optional<DirKey> key = reader.find(key_name);
              if (!key) return kExitNotFound;
              print(*key);
            } else if (is_single_file(files)) {
              const Reader reader = Reader::open(files[0]);
              const std::optional<Key> key = reader.find(key_name);
              if (!key) return kExitNotFound;
              print(*key);
            } else {
              const MultiReader reader = MultiReader::open(files);
              const std::optional<MultiKey> key = reader.find(key_name);
              if (!key) return kExitNotFound;
              print(*key);
            }
            out.flush();
            return kExitOk;
          }};
}

}  // namespace esdb::cli
