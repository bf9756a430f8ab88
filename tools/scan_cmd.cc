// esdb scan FILE: the events of every key, key by key in stored order.
#include "cli_error.h"
#include "commands.h"
#include "scan_flags.h"
#include "time_ordered_scan.h"

namespace esdb::cli {

Command add_scan_command(CLI::App& app) {
  struct Args {
    std::string file;
    ScanFlags flags;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("scan", "Print the events of all keys (filters as for get)");
  cmd->add_option("FILE", args->file, "The esdb file")->required();
  args->flags.add_to(*cmd);
  cmd->footer(
      "Keys come in stored (byte-wise sorted) order; --reverse reverses the events of each key.\n"
      "--limit counts events over all keys.\n\n"
      "Example:\n"
      "  esdb scan activity.esdb --group web --index type=purchase --format json");
  return {cmd, [args] {
            const ScanOptions options = args->flags.resolve();
            const Reader reader = Reader::open(args->file);
            Output out;
            EventPrinter printer(out, args->flags);
            for (const Key& key : reader.keys()) {
              if (printer.done()) break;
              TimeOrderedScan scan(key, options);
              while (scan.next() && printer.print(scan.event())) {
              }
            }
            out.flush();
            return kExitOk;
          }};
}

}  // namespace esdb::cli
