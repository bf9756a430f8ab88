// esdb get FILE KEY: one key's events, found with a single hash probe,
// oldest first across groups (time_ordered_scan.h).
#include "cli_error.h"
#include "commands.h"
#include "scan_flags.h"
#include "time_ordered_scan.h"

namespace esdb::cli {

Command add_get_command(CLI::App& app) {
  struct Args {
    std::string file, key;
    ScanFlags flags;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("get", "Print one key's events as lines, oldest first");
  cmd->add_option("FILE", args->file, "The esdb file")->required();
  cmd->add_option("KEY", args->key, "The key")->required();
  args->flags.add_to(*cmd);
  cmd->footer(
      "A key that is not in the file prints nothing and exits 1.\n\n"
      "Examples:\n"
      "  esdb get activity.esdb customer-1\n"
      "  esdb get activity.esdb customer-1 --index type=purchase --reverse --limit 10\n"
      "  esdb get activity.esdb customer-1 --from 2014-06-01T00:00:00Z --format json");
  return {cmd, [args] {
            const ScanOptions options = args->flags.resolve();
            const Reader reader = Reader::open(args->file);
            const std::optional<Key> key = reader.find(args->key);
            if (!key) return kExitNotFound;
            Output out;
            EventPrinter printer(out, args->flags);
            if (!printer.done()) {
              TimeOrderedScan scan(*key, options);
              while (scan.next() && printer.print(scan.event())) {
              }
            }
            out.flush();
            return kExitOk;
          }};
}

}  // namespace esdb::cli
