// esdb scan FILE...: the events of every key, key by key in byte-wise order;
// several files are read through MultiReader as one (see get_cmd.cc).
#include "cli_error.h"
#include "commands.h"
#include "file_args.h"
#include "scan_flags.h"
#include "time_ordered_scan.h"

namespace esdb::cli {

Command add_scan_command(CLI::App& app) {
  struct Args {
    std::vector<std::string> files;
    ScanFlags flags;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("scan", "Print the events of all keys (filters as for get)");
  cmd->add_option("FILE", args->files, "The esdb files, or quoted glob patterns (expanded sorted)")->required();
  args->flags.add_to(*cmd);
  cmd->footer(
      "Keys come in stored (byte-wise sorted) order; --reverse reverses the events of each key.\n"
      "--limit counts events over all keys. With several files each key comes once, its\n"
      "events from all files merged as for get.\n\n"
      "Examples:\n"
      "  esdb scan activity.esdb --group web --index type=purchase --format json\n"
      "  esdb scan 'days/2014-06-*.esdb' --limit 100");
  return {cmd, [args] {
            const std::vector<std::string> files = expand_file_args(args->files);
            const ScanOptions options = args->flags.resolve();
            Output out;
            EventPrinter printer(out, args->flags);
            // `keys` is a KeyRange, a MultiKeyRange or a DirKeyRange.
            auto print = [&](const auto& keys) {
              for (const auto& key : keys) {
                if (printer.done()) break;
                TimeOrderedScan scan(key, options);
                while (scan.next() && printer.print(scan.event())) {
                }
              }
            };
            for_keys_of(files, print);
            out.flush();
            return kExitOk;
          }};
}

}  // namespace esdb::cli
